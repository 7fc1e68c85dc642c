// The least-squares solver on problems with known answers.

import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { levenbergMarquardt, solveLinear } from '../../../server/src/engine/search/calibrate/levenbergMarquardt';
import { toTheta, toValue, FIT_PARAMETERS } from '../../../server/src/engine/search/calibrate/parameters';

describe('solveLinear', () => {
  it('solves random well-conditioned systems (A x checked against b)', () => {
    const n = 4;
    fc.assert(fc.property(fc.array(fc.double({ min: -1, max: 1, noNaN: true }), { minLength: n * n + n, maxLength: n * n + n }), (v) => {
      // Diagonally dominant, so it is well conditioned.
      const A = Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => v[i * n + j] + (i === j ? 5 : 0)));
      const b = v.slice(n * n);
      const x = solveLinear(A, b)!;
      A.forEach((row, i) => expect(row.reduce((s, a, j) => s + a * x[j], 0)).toBeCloseTo(b[i], 10));
    }), { seed: 5, numRuns: 200 });
  });

  it('reports a singular matrix', () => {
    expect(solveLinear([[1, 2], [2, 4]], [1, 2])).toBeUndefined();
  });
});

describe('levenbergMarquardt', () => {
  it('recovers a and b of y = a·exp(b·x) from exact samples', () => {
    const xs = [0, 0.5, 1, 1.5, 2, 3];
    const ys = xs.map((x) => 2.5 * Math.exp(-0.7 * x));
    const fit = levenbergMarquardt(([a, b]) => xs.map((x, i) => a * Math.exp(b * x) - ys[i]), [1, 0]);
    expect(fit.params[0]).toBeCloseTo(2.5, 8);
    expect(fit.params[1]).toBeCloseTo(-0.7, 8);
  });

  it('finds the least-squares line through noisy points (normal equations)', () => {
    const xs = [1, 2, 3, 4, 5];
    const ys = [1.1, 1.9, 3.2, 3.8, 5.1];
    const n = xs.length;
    const sx = xs.reduce((s, x) => s + x, 0);
    const sy = ys.reduce((s, y) => s + y, 0);
    const sxx = xs.reduce((s, x) => s + x * x, 0);
    const sxy = xs.reduce((s, x, i) => s + x * ys[i], 0);
    const slope = (n * sxy - sx * sy) / (n * sxx - sx * sx);
    const intercept = (sy - slope * sx) / n;
    const fit = levenbergMarquardt(([a, b]) => xs.map((x, i) => a + b * x - ys[i]), [0, 0]);
    expect(fit.params[0]).toBeCloseTo(intercept, 8);
    expect(fit.params[1]).toBeCloseTo(slope, 8);
  });
});

describe('bounded parameters', () => {
  it('every θ maps inside the valid range, and values map back', () => {
    for (const p of FIT_PARAMETERS) {
      for (const t of [-50, -3, 0, 3, 50]) {
        const v = toValue(p, t);
        if (p === 'collective_latency' || p === 'op_overhead') expect(v >= 1e-9 && v <= 1e-3).toBe(true);
        else expect(v >= 0.01 && v <= 1).toBe(true);
      }
      const mid = p === 'collective_latency' || p === 'op_overhead' ? 3e-6 : 0.6;
      expect(toValue(p, toTheta(p, mid))).toBeCloseTo(mid, 12);
    }
  });
});
