// What the checker hands to the cost model: every layout with its model, mesh, hardware,
// workload and per-phase blocks resolved, defaults applied, and each block's values typed.
// Quantities are in base units (bytes, B/s, FLOP/s, s). The cost model reads only these types.

import type { BlockDecl, BlockKind, DimGroup, RecordDecl, Span, Stmt, SourceFile } from '../syntax/ast';
import type { ShardType } from './shardType';

export type Dtype = 'bf16' | 'fp8' | 'int8' | 'int4';
export const DTYPE_BYTES: Record<Dtype, number> = { bf16: 2, fp8: 1, int8: 1, int4: 0.5 };
export type Topology = 'torus' | 'switch';
export type Phase = 'prefill' | 'decode';
export const PHASES: readonly Phase[] = ['prefill', 'decode'];

/** Where a resolved declaration came from, for hovers, go-to-definition and related information. */
export interface Origin {
  source: SourceFile;
  span: Span;
}

export interface HardwareSpec {
  name: string;
  flops: number;
  hbm: number;
  hbm_bw: number;
  link_bw: number;
  topology: Topology;
  flops_eff: number;
  hbm_eff: number;
  link_eff: number;
  collective_latency: number;
  op_overhead: number;
  /** Further calibration fields (cost-model.md §5), by name, in base units. */
  extra: Record<string, number>;
  origin?: Origin;
}

export interface MeshAxis {
  name: string;
  size: number;
  /** One direction, one link: the mesh's `link_bw_AXIS` or the hardware's `link_bw`. */
  link_bw: number;
  topology: Topology;
  /** Torus wraparound on this axis (bidirectional ring). Irrelevant on a switch axis. */
  wrap: boolean;
}

export interface MeshSpec {
  name: string;
  hardware: HardwareSpec;
  /** In mesh declaration order; `x`, `y` and `z` are always present (size 1 when not declared). */
  axes: MeshAxis[];
  chips: number;
  origin?: Origin;
}

export interface ModelDims {
  E: number;
  F: number;
  H: number;
  K: number;
  Q: number;
  V: number;
}

export interface ModelSpec {
  name: string;
  layers: number;
  dims: ModelDims;
  ffn: 'gelu' | 'swiglu';
  block: 'serial' | 'parallel';
  weights: Dtype;
  kv: Dtype;
  /** The nominal parameter count that MFU uses (given, or counted from the dims). */
  params: number;
  paramsGiven: boolean;
  tied_embeddings: boolean;
  origin?: Origin;
}

export interface WorkloadSpec {
  batch: number;
  prompt: number;
  generate: number;
}

/** One value of a block: a declaration (`in`, `weight`, `cache`) or an operation. */
export interface CheckedValue {
  name: string;
  /** `in`, `weight`, `cache`, or the operation name (`einsum`, `all_gather`, …). */
  op: string;
  /** Operand value names (operations only). */
  args: string[];
  /** Axes argument of collectives and `slice`, in the order written. */
  axes: string[];
  /** The value's type: the annotation when given, else the inferred type. Undefined after an error. */
  type?: ShardType;
  stmt: Stmt;
  /** For an einsum whose operands pair K with H (grouped heads): true. */
  groupedHeads?: boolean;
}

export interface CheckedBlock {
  name: string;
  kind: BlockKind;
  decl: BlockDecl;
  /** Values in statement order. */
  values: CheckedValue[];
  byName: Map<string, CheckedValue>;
  input?: CheckedValue;
  output?: CheckedValue;
  /** No error was found in the block. */
  ok: boolean;
  isPrelude: boolean;
  /** Axis letters and sharded dims written in the block, kept once the layout checks need them. */
  usage?: BlockUsage;
}

/** What the per-layout checks need of a block (check/blocks.ts `usageOf`). */
export interface BlockUsage {
  /** Bit (1 << letter - 'a') of every axis letter the block writes; see `axisLetterBit`. */
  axisMask: number;
  /** The sharded dims, grouped by letter and axes as written (`B_xyz` is written many times). */
  dimSets: DimSet[];
}

/** One sharded dim as written (letter and axes in order) and every place it is written. */
export interface DimSet {
  letter: string;
  axes: string[];
  groups: DimGroup[];
}

export interface PhaseSpec {
  phase: Phase;
  workload: WorkloadSpec;
  ffn: CheckedBlock;
  /** `null` for `attention = none`. */
  attention: CheckedBlock | null;
  /** The unembedding used in this phase (its `in` is this phase's residual type); `null`: not costed. */
  unembed: CheckedBlock | null;
}

export interface ResolvedLayout {
  name: string;
  decl: RecordDecl;
  model: ModelSpec;
  mesh: MeshSpec;
  workload: WorkloadSpec;
  prefill: PhaseSpec;
  decode: PhaseSpec;
  /** The decode phase's unembedding block (the embedding table's stored layout); `null` when none applies. */
  unembed: CheckedBlock | null;
  overlap: 'none' | 'collective_einsum';
  /** `kv_budget` as a fraction of HBM, when the layout gives it. */
  kvBudget?: number;
  /** `measured { … }`: real results of this configuration, shown beside the prediction. */
  measured?: MeasuredResults;
}

export interface MeasuredResults {
  prefill_s?: number;
  decode_s?: number;
  decode_step_s?: number;
  prefill_mfu?: number;
  decode_mfu?: number;
  source?: 'paper' | 'measured';
}

/** A layout that could not be resolved to something costable, and why. */
export interface UncostableLayout {
  name: string;
  decl: RecordDecl;
  reason: string;
  /** The model, mesh and workload names when known (for reports). */
  model?: string;
  mesh?: string;
}
