// Dimension sizes of one costed pass, local (per-chip) extents and bytes of sharded values
// (cost-model.md §1–2).

import { isExpertMatrix } from '../check/moe';
import type { CheckedBlock, CheckedValue, Dtype, MeshSpec, ModelSpec, Phase, WorkloadSpec } from '../check/resolved';
import { DTYPE_BYTES } from '../check/resolved';
import type { ShardType } from '../check/shardType';
import { operation } from '../ops/index';
import { expertSlots } from './moe';

/** The sizes every dim letter takes in one forward pass. */
export interface PassSizes {
  phase: Phase;
  /** Which decode step: the mean step (real T), the last step, or a prefill pass. */
  step: 'prefill' | 'mean' | 'last';
  B: number;
  L: number;
  /** Attended length; real-valued for the mean decode step. */
  T: number;
  /** T is the real-valued mean: local extents of T are `T / Π sizes`, without ceil. */
  realT: boolean;
  E: number;
  F: number;
  H: number;
  K: number;
  Q: number;
  V: number;
  /** MLA's query latent rank, latent KV rank and rope dims (0 on a model without MLA). */
  A: number;
  C: number;
  R: number;
  /**
   * Mixture of experts: routed experts, token slots per expert (B·L·top_k·capacity_factor / X,
   * real-valued: the expected load, cost/moe.ts), an expert's d_ff, the shared experts' d_ff.
   */
  X: number;
  N: number;
  G: number;
  S: number;
  /** Experts per token (1 on a dense model). */
  top_k: number;
}

export function passSizes(model: ModelSpec, workload: WorkloadSpec, phase: Phase, step: 'mean' | 'last' = 'mean'): PassSizes {
  const d = model.dims;
  const cf = workload.capacity_factor ?? 1;
  if (phase === 'prefill') return makeSizes('prefill', 'prefill', workload.batch, workload.prompt, workload.prompt, false, d, cf);
  // The mean decode step attends to prompt + generate/2 positions (a real number): the average
  // over the `generate` steps of a cost that grows linearly with T (cost-model.md §1).
  if (step === 'mean') return makeSizes(phase, step, workload.batch, 1, workload.prompt + workload.generate / 2, true, d, cf);
  return makeSizes(phase, step, workload.batch, 1, workload.prompt + workload.generate, false, d, cf);
}

// Built field by field (not with object spread, which is slow on this hot path) so that every
// PassSizes has one shape.
export function makeSizes(phase: Phase, step: PassSizes['step'], B: number, L: number, T: number, realT: boolean, d: { E: number; F: number; H: number; K: number; Q: number; V: number; A?: number; C?: number; R?: number; X?: number; G?: number; S?: number; top_k?: number }, capacityFactor = 1): PassSizes {
  const X = d.X ?? 1;
  const top_k = d.top_k ?? 1;
  return { phase, step, B, L, T, realT, E: d.E, F: d.F, H: d.H, K: d.K, Q: d.Q, V: d.V, A: d.A ?? 0, C: d.C ?? 0, R: d.R ?? 0, X, N: expertSlots(B, L, top_k, capacityFactor, X), G: d.G ?? 0, S: d.S ?? 0, top_k };
}

/** The same sizes with L = 1: the unembedding needs only the last position's logits. */
export function withSingleToken(s: PassSizes): PassSizes {
  return makeSizes(s.phase, s.step, s.B, 1, s.T, s.realT, s);
}

export function dimSize(s: PassSizes, letter: string): number {
  switch (letter) {
    case 'B': return s.B;
    case 'L': return s.L;
    case 'T': return s.T;
    case 'E': return s.E;
    case 'F': return s.F;
    case 'H': return s.H;
    case 'K': return s.K;
    case 'Q': return s.Q;
    case 'V': return s.V;
    case 'A': return s.A;
    case 'C': return s.C;
    case 'R': return s.R;
    case 'X': return s.X;
    case 'N': return s.N;
    case 'G': return s.G;
    case 'S': return s.S;
    default: return 1; // an unknown letter is a checker error; it contributes nothing here
  }
}

/** Sizes of mesh axes by name, for quick lookup. */
export type AxisSizes = Map<string, number>;

// Asked for by every costing of a value's local bytes: one map per mesh object, shared (read it only).
const axisSizeMaps = new WeakMap<MeshSpec, AxisSizes>();

export function axisSizes(mesh: MeshSpec): AxisSizes {
  let sizes = axisSizeMaps.get(mesh);
  if (!sizes) axisSizeMaps.set(mesh, (sizes = new Map(mesh.axes.map((a) => [a.name, a.size]))));
  return sizes;
}

export function shardCount(axes: readonly string[], sizes: AxisSizes): number {
  let n = 1;
  for (const a of axes) n *= sizes.get(a) ?? 1;
  return n;
}

/** `ceil(size / Π axis sizes)`; for the real-valued decode T, the plain quotient. */
export function localExtent(letter: string, axes: readonly string[], s: PassSizes, sizes: AxisSizes): number {
  const n = shardCount(axes, sizes);
  const size = dimSize(s, letter);
  // N (an expert's token slots) is an expected load, real-valued like the mean decode step's T.
  if ((letter === 'T' && s.realT) || letter === 'N') return size / n;
  return Math.ceil(size / n);
}

export function localElements(t: ShardType, s: PassSizes, sizes: AxisSizes): number {
  let n = 1;
  for (const d of t.dims) n *= localExtent(d.letter, d.axes, s, sizes);
  return n;
}

export function logicalElements(t: ShardType, s: PassSizes): number {
  let n = 1;
  for (const d of t.dims) n *= dimSize(s, d.letter);
  return n;
}

export function bytesPerElement(dtype: Dtype): number {
  return DTYPE_BYTES[dtype];
}

/**
 * The dtype of every value of a block: weights at the model's `weights` dtype (routed experts at
 * `expert_weights` when given), caches at `kv`,
 * and each statement by its operation's dtype rule (ops/table.ts): computed values are bf16,
 * data movement keeps its operand's, cache updates are at `kv`. The block input is bf16.
 */
export function valueDtypes(block: CheckedBlock, model: ModelSpec): Map<string, Dtype> {
  // Cached per block and (weights, kv) dtype pair: checked blocks are shared by many layouts.
  let byDtypes = dtypeCache.get(block);
  if (!byDtypes) dtypeCache.set(block, (byDtypes = new Map()));
  const key = `${model.weights}/${model.kv}/${model.expert_weights ?? ''}`;
  const hit = byDtypes.get(key);
  if (hit) return hit;
  const out = new Map<string, Dtype>();
  for (const v of block.values) out.set(v.name, dtypeOf(v, model, out));
  byDtypes.set(key, out);
  return out;
}

const dtypeCache = new WeakMap<CheckedBlock, Map<string, Map<string, Dtype>>>();

function dtypeOf(v: CheckedValue, model: ModelSpec, known: Map<string, Dtype>): Dtype {
  // The routed experts may have their own dtype (`expert_weights`: gpt-oss's mxfp4 experts).
  if (v.op === 'weight') return model.expert_weights && isExpertMatrix(v.type) ? model.expert_weights : model.weights;
  if (v.op === 'cache') return model.kv;
  const rule = operation(v.op)?.dtype;
  if (rule === 'kv') return model.kv;
  if (rule === 'operand') return known.get(v.args[0]) ?? 'bf16';
  return 'bf16';
}
