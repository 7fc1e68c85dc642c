// A small Levenberg–Marquardt least-squares solver (Marquardt's scaling of the damping by the
// diagonal of JᵀJ), with a forward-difference Jacobian. The parameters are unbounded: callers
// map bounded physical values onto the real line (see parameters.ts), so every step is valid.

export interface LmOptions {
  maxIterations?: number;
  /** Forward-difference step in parameter units. */
  step?: number;
  /** Called before each Jacobian; throw to stop (cancellation). */
  onIteration?: (iteration: number, sumSquares: number) => void;
}

export interface LmResult {
  params: number[];
  residuals: number[];
  sumSquares: number;
  iterations: number;
}

export function sumOfSquares(r: readonly number[]): number {
  return r.reduce((s, x) => s + x * x, 0);
}

/** Columns ∂r/∂θ_j by forward differences. */
export function jacobian(f: (p: number[]) => number[], p: readonly number[], r0: readonly number[], step: number): number[][] {
  const cols: number[][] = [];
  for (let j = 0; j < p.length; j++) {
    const q = [...p];
    q[j] += step;
    const r = f(q);
    cols.push(r.map((ri, i) => (ri - r0[i]) / step));
  }
  return cols;
}

/** Solves A x = b by Gaussian elimination with partial pivoting; undefined when singular. */
export function solveLinear(A: number[][], b: number[]): number[] | undefined {
  const n = b.length;
  const M = A.map((row, i) => [...row, b[i]]);
  for (let c = 0; c < n; c++) {
    let pivot = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(M[r][c]) > Math.abs(M[pivot][c])) pivot = r;
    if (!(Math.abs(M[pivot][c]) > 1e-300)) return undefined;
    [M[c], M[pivot]] = [M[pivot], M[c]];
    for (let r = c + 1; r < n; r++) {
      const k = M[r][c] / M[c][c];
      for (let k2 = c; k2 <= n; k2++) M[r][k2] -= k * M[c][k2];
    }
  }
  const x = new Array<number>(n).fill(0);
  for (let r = n - 1; r >= 0; r--) {
    let s = M[r][n];
    for (let c = r + 1; c < n; c++) s -= M[r][c] * x[c];
    x[r] = s / M[r][r];
  }
  return x;
}

/** Minimises Σ r_i(θ)² from `start`. */
export function levenbergMarquardt(f: (p: number[]) => number[], start: readonly number[], options: LmOptions = {}): LmResult {
  const maxIterations = options.maxIterations ?? 100;
  const step = options.step ?? 1e-6;
  let p = [...start];
  let r = f(p);
  let cost = sumOfSquares(r);
  let lambda = 1e-3;
  let iterations = 0;
  for (; iterations < maxIterations && p.length > 0; iterations++) {
    options.onIteration?.(iterations, cost);
    const J = jacobian(f, p, r, step);
    const n = p.length;
    const A = J.map((ci) => J.map((cj) => ci.reduce((s, v, k) => s + v * cj[k], 0)));
    const g = J.map((cj) => cj.reduce((s, v, k) => s + v * r[k], 0));
    let improved = false;
    while (lambda < 1e12) {
      const damped = A.map((row, i) => row.map((v, j) => (i === j ? v + lambda * Math.max(v, 1e-12) : v)));
      const delta = solveLinear(damped, g.map((x) => -x));
      if (!delta) { lambda *= 10; continue; }
      const q = p.map((v, i) => v + delta[i]);
      const rq = f(q);
      const cq = sumOfSquares(rq);
      if (Number.isFinite(cq) && cq < cost) {
        const small = Math.max(...delta.map(Math.abs)) < 1e-10 || cost - cq < 1e-15 * Math.max(cost, 1e-300);
        p = q; r = rq; cost = cq;
        lambda = Math.max(lambda / 3, 1e-12);
        improved = true;
        if (small) return { params: p, residuals: r, sumSquares: cost, iterations: iterations + 1 };
        break;
      }
      lambda *= 4;
    }
    if (!improved || cost === 0 || n === 0) return { params: p, residuals: r, sumSquares: cost, iterations: iterations + 1 };
  }
  return { params: p, residuals: r, sumSquares: cost, iterations };
}
