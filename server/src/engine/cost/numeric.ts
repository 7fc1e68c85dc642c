// The numeric fast path: a pass's totals, bound and activation peak from compiled plans
// (plan.ts), without building per-op explanations. `costLayout` uses it for every layout; the
// explained per-op figures (ops.ts, layer.ts) are built only when a report or a hover asks.
// Both follow cost-model.md §2–4 line for line; tests check they agree.

import type { CheckedBlock, Dtype, MeshSpec, ModelSpec } from '../check/resolved';
import { DTYPE_BYTES } from '../check/resolved';
import { D_KV, D_OPERAND, D_WEIGHT, K_APPEND, K_COLLECTIVE, K_EINSUM, K_SLICE, meshPlan, T_CODE, type BlockPlan, type MeshPlan, type SequencePlan } from './plan';
import type { PassSizes } from './sizes';
import type { Bound, Totals } from './types';
import { emptyTotals } from './totals';

const B_COMPUTE = 0;
const B_MEMORY = 1;
const B_COMM = 2;
const BOUND_NAMES: Bound[] = ['compute', 'memory', 'comm'];

/**
 * Per-value figures of one block in one pass, in one flat array (one allocation per block and
 * pass): value i's field f is at `i * STRIDE + f`.
 */
const STRIDE = 10;
const F_BYTES = 0; // local bytes of the value
const F_ELEMENTS = 1; // local elements of the value
const F_FLOPS = 2;
const F_HBM = 3; // HBM bytes of the op
const F_COMM = 4; // D
const F_TCOMPUTE = 5;
const F_TMEMORY = 6;
const F_TCOMM = 7;
const F_TIME = 8;
const F_BOUND = 9;
type BlockNumbers = Float64Array;

function sizesArray(s: PassSizes): number[] {
  return [s.B, s.L, s.T, s.E, s.F, s.H, s.K, s.Q, s.V];
}

function extent(code: number, div: number, size: number[], realT: boolean): number {
  if (code < 0) return 1;
  if (code === T_CODE && realT) return size[code] / div;
  return Math.ceil(size[code] / div);
}

function dtypeBytes(kind: number, model: ModelSpec, operand: number): number {
  if (kind === D_WEIGHT) return DTYPE_BYTES[model.weights as Dtype];
  if (kind === D_KV) return DTYPE_BYTES[model.kv as Dtype];
  if (kind === D_OPERAND) return operand;
  return 2;
}

export function blockNumbers(plan: BlockPlan, mp: MeshPlan, sizes: PassSizes, mesh: MeshSpec, model: ModelSpec): BlockNumbers {
  const n = plan.values.length;
  const r = new Float64Array(n * STRIDE);
  const size = sizesArray(sizes);
  const realT = sizes.realT;
  const hw = mesh.hardware;
  const flopRate = hw.flops * hw.flops_eff;
  const hbmRate = hw.hbm_bw * hw.hbm_eff;
  const oh = hw.op_overhead;
  const perElement = new Float64Array(n);
  const bytesOf = (a: number) => (a >= 0 && plan.values[a].letters.length ? r[a * STRIDE + F_BYTES] : 0);
  for (let i = 0; i < n; i++) {
    const v = plan.values[i];
    const m = mp.values[i];
    const o = i * STRIDE;
    let el = 1;
    for (let k = 0; k < v.letters.length; k++) el *= extent(v.letters[k], m.divs[k], size, realT);
    const a0 = v.args.length ? v.args[0] : -1;
    perElement[i] = dtypeBytes(v.dtype, model, a0 >= 0 ? perElement[a0] : 2);
    const elements = v.letters.length ? el : 0;
    r[o + F_ELEMENTS] = elements;
    r[o + F_BYTES] = elements * perElement[i];
    r[o + F_BOUND] = B_MEMORY;
    switch (v.kind) {
      case K_EINSUM: {
        let f = 2;
        for (let k = 0; k < v.flopDims.length; k++) f *= extent(v.flopDims[k].code, m.flopDivs[k], size, realT);
        let b = r[o + F_BYTES];
        for (const a of v.args) b += bytesOf(a);
        const tc = f / flopRate;
        const tm = b / hbmRate;
        r[o + F_FLOPS] = f;
        r[o + F_HBM] = b;
        r[o + F_TCOMPUTE] = tc;
        r[o + F_TMEMORY] = tm;
        r[o + F_TIME] = Math.max(tc, tm) + oh;
        r[o + F_BOUND] = tc > tm ? B_COMPUTE : B_MEMORY;
        break;
      }
      case K_COLLECTIVE: {
        r[o + F_BOUND] = B_COMM;
        if (!m.time.active) break;
        const inBytes = a0 >= 0 ? r[a0 * STRIDE + F_BYTES] : 0;
        const D = v.collective === 'all_gather' ? r[o + F_BYTES] : v.collective === 'all_reduce' ? 2 * inBytes : inBytes;
        const t = m.time.a + m.time.b * D;
        r[o + F_COMM] = D;
        r[o + F_TCOMM] = t;
        r[o + F_TIME] = t + oh;
        break;
      }
      case K_SLICE:
        r[o + F_BOUND] = B_COMM;
        break;
      case K_APPEND: {
        const t = v.args.length > 1 ? v.args[1] : -1;
        const b = t >= 0 ? r[t * STRIDE + F_ELEMENTS] * perElement[i] : 0;
        const tm = b / hbmRate;
        r[o + F_HBM] = b;
        r[o + F_TMEMORY] = tm;
        r[o + F_TIME] = tm + oh;
        break;
      }
      default: {
        // Elementwise and normalising ops: bytes of the inputs and the output.
        let b = r[o + F_BYTES];
        for (const a of v.args) b += bytesOf(a);
        const tm = b / hbmRate;
        r[o + F_HBM] = b;
        r[o + F_TMEMORY] = tm;
        if (v.reducePos >= 0 && m.time.active && a0 >= 0) {
          const ext = extent(plan.values[a0].letters[v.reducePos], m.reduceDiv, size, realT);
          const D = 2 * ((2 * 4 * r[a0 * STRIDE + F_ELEMENTS]) / ext);
          const tc = m.time.a + m.time.b * D;
          r[o + F_COMM] = D;
          r[o + F_TCOMM] = tc;
          r[o + F_TIME] = tm + tc + oh;
          r[o + F_BOUND] = tc >= tm ? B_COMM : B_MEMORY;
        } else {
          r[o + F_TIME] = tm + oh;
        }
      }
    }
  }
  return r;
}

export interface SequenceNumbers {
  totals: Totals;
  activationBytes: number;
}

/**
 * Totals of a sequence (a layer, or the unembedding): sums, overlap groups, bound shares and
 * the activation peak. `inputBytes` is the sequence input, live throughout.
 */
export function sequenceNumbers(seq: SequencePlan, mesh: MeshSpec, meshKeyText: string, sizes: PassSizes, model: ModelSpec, overlap: 'none' | 'collective_einsum', inputBytes: number): SequenceNumbers {
  const mps = seq.parts.map((p) => meshPlan(p, mesh, meshKeyText));
  const nums = seq.parts.map((p, i) => blockNumbers(p, mps[i], sizes, mesh, model));
  const entries = seq.entries;
  const n = entries.length;
  const t = emptyTotals();
  const byBound = [0, 0, 0];
  const time = new Float64Array(n);
  const bound = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const e = entries[i];
    const r = nums[e.part];
    const o = e.value * STRIDE;
    t.flops += r[o + F_FLOPS];
    t.comm_bytes += r[o + F_COMM];
    t.compute_s += r[o + F_TCOMPUTE];
    t.memory_s += r[o + F_TMEMORY];
    t.comm_s += r[o + F_TCOMM];
    time[i] = r[o + F_TIME];
    bound[i] = r[o + F_BOUND];
  }
  // Overlap: each collective under the einsum that consumes it, else the one that produced it.
  const paired = new Uint8Array(n);
  if (overlap === 'collective_einsum') {
    const groupTime = new Map<number, number>();
    for (let i = 0; i < n; i++) {
      const e = entries[i];
      if (!e.isCollective || time[i] === 0) continue;
      const partner = e.consumerEinsum >= 0 ? e.consumerEinsum : e.producerEinsum;
      if (partner < 0) continue;
      groupTime.set(partner, (groupTime.get(partner) ?? 0) + time[i]);
      paired[i] = 1;
    }
    for (const [e, tc] of groupTime) {
      paired[e] = 1;
      const te = time[e];
      const g = Math.max(te, tc);
      t.time_s += g;
      byBound[tc >= te ? B_COMM : bound[e]] += g;
    }
  }
  for (let i = 0; i < n; i++) {
    if (paired[i]) continue;
    t.time_s += time[i];
    byBound[bound[i]] += time[i];
  }
  t.byBound.compute = byBound[B_COMPUTE];
  t.byBound.memory = byBound[B_MEMORY];
  t.byBound.comm = byBound[B_COMM];

  // Activation peak: a value joins at its definition and leaves after its last use.
  let live = inputBytes;
  let peak = inputBytes;
  const leaving = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const e = entries[i];
    let h = nums[e.part][e.value * STRIDE + F_BYTES];
    if (e.isAppend) h = 0; // the cache, updated in place
    else if (e.gatheredWeight && overlap !== 'none') {
      const P = mps[e.part].values[e.value].axesProduct;
      if (P > 1) h = (2 / P) * h;
    }
    leaving[e.lastUse] += h;
    live += h;
    if (live > peak) peak = live;
    live -= leaving[i];
  }
  return { totals: t, activationBytes: peak };
}

export function boundName(code: number): Bound {
  return BOUND_NAMES[code];
}

/** Local bytes of a block's input (bf16), the sequence input. */
export function inputLocalBytes(block: CheckedBlock, mesh: MeshSpec, sizes: PassSizes): number {
  const t = block.input?.type;
  if (!t) return 0;
  const sz = new Map(mesh.axes.map((a) => [a.name, a.size]));
  const size = sizesArray(sizes);
  let el = 1;
  for (const d of t.dims) {
    let div = 1;
    for (const a of d.axes) div *= sz.get(a) ?? 1;
    const code = ['B', 'L', 'T', 'E', 'F', 'H', 'K', 'Q', 'V'].indexOf(d.letter);
    el *= extent(code, div, size, sizes.realT);
  }
  return el * 2;
}
