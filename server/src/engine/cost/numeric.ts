// The numeric pass: every statement's figures, a pass's totals, bound and activation peak, from
// the compiled plans (plan.ts) and each operation's cost rule (ops/table.ts). This is the only
// place the cost model's arithmetic runs: `costLayout` uses it for every layout, and the
// explained figures of hovers and `explain` (figures.ts) read the numbers it computed.

import type { CheckedBlock, Dtype, MeshSpec, ModelSpec } from '../check/resolved';
import { DTYPE_BYTES } from '../check/resolved';
import { collectiveVolume } from '../ops/index';
import { D_EXPERT, D_KV, D_OPERAND, D_WEIGHT, letterCode, meshPlan, N_CODE, T_CODE, X_CODE, type AttentionFusion, type BlockPlan, type MeshPlan, type SequencePlan, type ValueMesh, type ValuePlan } from './plan';
import { expertsHitFraction } from './moe';
import { axisSizes, type PassSizes } from './sizes';
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
export const STRIDE = 10;
export const F_BYTES = 0; // local bytes of the value
export const F_ELEMENTS = 1; // local elements of the value
export const F_FLOPS = 2;
export const F_HBM = 3; // HBM bytes of the op
export const F_COMM = 4; // D
export const F_TCOMPUTE = 5;
export const F_TMEMORY = 6;
export const F_TCOMM = 7;
export const F_TIME = 8;
export const F_BOUND = 9;
export type BlockNumbers = number[];

export function sizesArray(s: PassSizes): number[] {
  return [s.B, s.L, s.T, s.E, s.F, s.H, s.K, s.Q, s.V, s.A, s.C, s.R, s.X, s.N, s.G, s.S, s.top_k];
}

/** Where `sizesArray` keeps what is not a dim: top_k, after the letters (plan.ts LETTERS). */
const TOP_K_INDEX = 16;
const B_CODE = 0;
const L_CODE = 1;

export function extent(code: number, div: number, size: number[], realT: boolean): number {
  if (code < 0) return 1;
  if ((code === T_CODE && realT) || code === N_CODE) return size[code] / div;
  return Math.ceil(size[code] / div);
}

function dtypeBytes(kind: number, model: ModelSpec, operand: number): number {
  if (kind === D_WEIGHT) return DTYPE_BYTES[model.weights as Dtype];
  if (kind === D_EXPERT) return DTYPE_BYTES[(model.expert_weights ?? model.weights) as Dtype];
  if (kind === D_KV) return DTYPE_BYTES[model.kv as Dtype];
  if (kind === D_OPERAND) return operand;
  return 2;
}

/**
 * Working arrays of the numeric pass, zeroed for each use as a new array would be: a costing
 * fills a few per block and sequence, thousands of times in a report, and keeps none of them
 * (no call below runs another evaluation while one is in use).
 */
const scratchArrays: Float64Array[] = [];

function scratch(slot: number, n: number): Float64Array {
  let a = scratchArrays[slot];
  if (!a || a.length < n) scratchArrays[slot] = a = new Float64Array(Math.max(n, 64));
  a.fill(0, 0, n);
  return a;
}

export function blockNumbers(plan: BlockPlan, mp: MeshPlan, sizes: PassSizes, mesh: MeshSpec, model: ModelSpec, fuseAttention: boolean, size: number[] = sizesArray(sizes)): BlockNumbers {
  const n = plan.values.length;
  // A plain array of doubles, not a Float64Array: thousands are made a report, and a typed array of
  // this size has its own backing store outside the heap, slower to make and to collect.
  const r: BlockNumbers = new Array<number>(n * STRIDE).fill(0);
  const realT = sizes.realT;
  const hw = mesh.hardware;
  const flopRate = hw.flops * hw.flops_eff;
  const hbmRate = hw.hbm_bw * hw.hbm_eff;
  const oh = hw.op_overhead;
  const perElement = scratch(0, n);
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
    const rule = v.rule;
    if (!rule) continue; // declarations and untyped values: local bytes only
    switch (rule.kind) {
      case 'roofline': {
        let f = 2;
        for (let k = 0; k < v.flopDims.length; k++) f *= extent(v.flopDims[k].code, m.flopDivs[k], size, realT);
        let b = r[o + F_BYTES];
        for (const a of v.args) b += bytesOf(a) * (a >= 0 && plan.values[a].isWeight ? expertWeightShare(plan.values[a], v, m, size) : 1);
        roofline(r, o, f, b, flopRate, hbmRate, oh);
        break;
      }
      case 'collective': {
        r[o + F_BOUND] = B_COMM;
        if (!m.time.active) break;
        const inBytes = a0 >= 0 ? r[a0 * STRIDE + F_BYTES] : 0;
        const D = collectiveVolume(rule.collective, inBytes, r[o + F_BYTES]);
        const t = m.time.a + m.time.b * D;
        r[o + F_COMM] = D;
        r[o + F_TCOMM] = t;
        r[o + F_TIME] = t + oh;
        break;
      }
      case 'local':
        r[o + F_BOUND] = B_COMM;
        break;
      case 'cache-write': {
        const t = v.args.length > 1 ? v.args[1] : -1;
        const b = t >= 0 ? r[t * STRIDE + F_ELEMENTS] * perElement[i] : 0;
        const tm = b / hbmRate;
        r[o + F_HBM] = b;
        r[o + F_TMEMORY] = tm;
        r[o + F_TIME] = tm + oh;
        break;
      }
      case 'elementwise': {
        // Elementwise and normalising ops: bytes of the inputs and the output.
        let b = r[o + F_BYTES];
        for (const a of v.args) b += bytesOf(a);
        const tm = b / hbmRate;
        r[o + F_HBM] = b;
        r[o + F_TMEMORY] = tm;
        if (rule.normalises && v.reducePos >= 0 && m.time.active && a0 >= 0) {
          // The fp32 statistics of each row of the reduced dim, combined across its shards.
          const ext = extent(plan.values[a0].letters[v.reducePos], m.reduceDiv, size, realT);
          const statistics = (rule.normalises.statistics * 4 * r[a0 * STRIDE + F_ELEMENTS]) / ext;
          const D = collectiveVolume(rule.normalises.statistic, statistics, statistics);
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
  if (fuseAttention) for (const x of plan.attentionFusions) fuseAttentionRow(x, r, flopRate, hbmRate, oh);
  return r;
}

/**
 * The share of a stored weight an einsum reads from HBM: 1, or for expert weights (a weight with
 * X) the share of this chip's experts the step's tokens touch (cost/moe.ts). The tokens are those
 * this chip's experts serve: B·L over the shards of the einsum's N (its token slots), which are
 * the batch's shards that dispatch kept apart.
 */
export function expertWeightShare(weight: ValuePlan, einsum: ValuePlan, m: ValueMesh, size: number[]): number {
  if (!weight.letters.includes(X_CODE)) return 1;
  let shards = 1;
  for (let k = 0; k < einsum.flopDims.length; k++) if (einsum.flopDims[k].code === N_CODE) shards = m.flopDivs[k];
  return expertsHitFraction(size[X_CODE], size[TOP_K_INDEX], (size[B_CODE] * size[L_CODE]) / shards);
}

/**
 * A fused attention's figures, in its value einsum's row: the FLOPs of both einsums, the HBM
 * bytes of what the chain reads from outside it (q, the cached keys and values) and of its
 * result, and the roofline time of the two. The member rows keep their own (unfused) numbers,
 * which no statement of a fused sequence reads.
 */
function fuseAttentionRow(x: AttentionFusion, r: BlockNumbers, flopRate: number, hbmRate: number, oh: number): void {
  const o = x.values * STRIDE;
  let f = r[o + F_FLOPS];
  for (const s of x.scoreParts) f += r[s * STRIDE + F_FLOPS];
  let b = r[o + F_BYTES];
  for (const a of x.operands) b += r[a * STRIDE + F_BYTES];
  roofline(r, o, f, b, flopRate, hbmRate, oh);
}

/** An op on the roofline (row offset `o`): `flops` and HBM `bytes`, max of the two times. */
function roofline(r: BlockNumbers, o: number, flops: number, bytes: number, flopRate: number, hbmRate: number, oh: number): void {
  const tc = flops / flopRate;
  const tm = bytes / hbmRate;
  r[o + F_FLOPS] = flops;
  r[o + F_HBM] = bytes;
  r[o + F_TCOMPUTE] = tc;
  r[o + F_TMEMORY] = tm;
  r[o + F_TIME] = Math.max(tc, tm) + oh;
  r[o + F_BOUND] = tc > tm ? B_COMPUTE : B_MEMORY;
}


export interface SequenceNumbers {
  totals: Totals;
  activationBytes: number;
  /**
   * Each part's numbers. A report reads a pass's per-op figures and its blocks' own totals from
   * these, so they are evaluated once a pass, not again for every view of it.
   */
  nums: BlockNumbers[];
}

/** What the explanations of a sequence read: each part's numbers and mesh plan, and the overlap groups. */
export interface SequenceDetail extends SequenceNumbers {
  meshPlans: MeshPlan[];
  /** With overlap: each einsum (sequence index) with the collectives under it and the group's time. */
  groups: { einsum: number; collectives: number[]; time_s: number }[];
}

/**
 * Totals of a sequence (a layer, or the unembedding): sums, overlap groups, bound shares and
 * the activation peak. `inputBytes` is the sequence input, live throughout. `given`: the parts'
 * numbers when an earlier evaluation with the same mesh, sizes, model and fusion made them
 * (blockNumbers is pure), so that only the sums are done again.
 */
export function sequenceNumbers(seq: SequencePlan, mesh: MeshSpec, meshKeyText: string, sizes: PassSizes, model: ModelSpec, overlap: 'none' | 'collective_einsum', inputBytes: number, given?: BlockNumbers[]): SequenceNumbers {
  return evaluateSequence(seq, mesh, meshKeyText, sizes, model, overlap, inputBytes, false, given);
}

/** The same numbers, with what the explanations need kept (built only when a figure is explained). */
export function sequenceDetail(seq: SequencePlan, mesh: MeshSpec, meshKeyText: string, sizes: PassSizes, model: ModelSpec, overlap: 'none' | 'collective_einsum', inputBytes: number, given?: BlockNumbers[]): SequenceDetail {
  return evaluateSequence(seq, mesh, meshKeyText, sizes, model, overlap, inputBytes, true, given) as SequenceDetail;
}

function evaluateSequence(seq: SequencePlan, mesh: MeshSpec, meshKeyText: string, sizes: PassSizes, model: ModelSpec, overlap: 'none' | 'collective_einsum', inputBytes: number, detail: boolean, given?: BlockNumbers[]): SequenceNumbers | SequenceDetail {
  const mps = seq.parts.map((p) => meshPlan(p, mesh, meshKeyText));
  let nums = given;
  if (!nums) {
    const size = sizesArray(sizes);
    nums = seq.parts.map((p, i) => blockNumbers(p, mps[i], sizes, mesh, model, seq.fuseAttention, size));
  }
  const entries = seq.entries;
  const n = entries.length;
  const t = emptyTotals();
  const byBound = [0, 0, 0];
  const time = scratch(1, n);
  const bound = scratch(2, n);
  for (let i = 0; i < n; i++) {
    const e = entries[i];
    const r = nums[e.part];
    const o = e.value * STRIDE;
    t.flops += r[o + F_FLOPS];
    t.commBytes += r[o + F_COMM];
    t.computeTime += r[o + F_TCOMPUTE];
    t.memoryTime += r[o + F_TMEMORY];
    t.commTime += r[o + F_TCOMM];
    const rule = seq.parts[e.part].values[e.value].rule;
    if (rule?.kind === 'collective' && rule.collective.kind === 'all_to_all') t.allToAllTime += r[o + F_TCOMM];
    time[i] = r[o + F_TIME];
    bound[i] = r[o + F_BOUND];
  }
  // Overlap: each collective under the einsum that consumes it, else the one that produced it.
  const paired = scratch(3, n);
  const groups: SequenceDetail['groups'] = [];
  if (overlap === 'collective_einsum') {
    const groupTime = new Map<number, number>();
    const members = detail ? new Map<number, number[]>() : undefined;
    for (let i = 0; i < n; i++) {
      const e = entries[i];
      if (!e.isCollective || time[i] === 0) continue;
      const partner = e.consumerEinsum >= 0 ? e.consumerEinsum : e.producerEinsum;
      if (partner < 0) continue;
      groupTime.set(partner, (groupTime.get(partner) ?? 0) + time[i]);
      if (members) members.set(partner, [...(members.get(partner) ?? []), i]);
      paired[i] = 1;
    }
    // A fraction f of the shorter side runs hidden under the longer (hardware `overlap_fraction`,
    // cost-model.md §5): f = 1 is max(te, tc), f = 0 the plain sum.
    const f = mesh.hardware.overlap_fraction;
    for (const [e, tc] of groupTime) {
      paired[e] = 1;
      const te = time[e];
      const g = overlappedTime(te, tc, f);
      t.time += g;
      byBound[tc >= te ? B_COMM : bound[e]] += g;
      if (members) groups.push({ einsum: e, collectives: members.get(e)!, time_s: g });
    }
  }
  for (let i = 0; i < n; i++) {
    if (paired[i]) continue;
    t.time += time[i];
    byBound[bound[i]] += time[i];
  }
  t.byBound.compute = byBound[B_COMPUTE];
  t.byBound.memory = byBound[B_MEMORY];
  t.byBound.comm = byBound[B_COMM];

  // Activation peak: a value joins at its definition and leaves after its last use.
  let live = inputBytes;
  let peak = inputBytes;
  const leaving = scratch(4, n);
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
  if (detail) return { totals: t, activationBytes: peak, nums, meshPlans: mps, groups };
  return { totals: t, activationBytes: peak, nums };
}

/**
 * An einsum (te) and the collectives paired with it (tc), with a fraction f of the shorter side
 * hidden under the longer: te + tc − f·min(te, tc). The one place the overlap rule is computed.
 */
export function overlappedTime(te: number, tc: number, f: number): number {
  return te + tc - f * Math.min(te, tc);
}

export function boundName(code: number): Bound {
  return BOUND_NAMES[code];
}

/** Local bytes of a block's input (bf16), the sequence input. */
export function inputLocalBytes(block: CheckedBlock, mesh: MeshSpec, sizes: PassSizes): number {
  const t = block.input?.type;
  if (!t) return 0;
  const sz = axisSizes(mesh);
  const size = sizesArray(sizes);
  let el = 1;
  for (const d of t.dims) {
    let div = 1;
    for (const a of d.axes) div *= sz.get(a) ?? 1;
    const code = letterCode(d.letter);
    el *= extent(code, div, size, sizes.realT);
  }
  return el * 2;
}
