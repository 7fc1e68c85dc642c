// What the cost model produces for a layout: per-op figures, per-layer and per-phase totals and
// memory, each figure an `Explained` (value + formula + inputs).

import type { Phase, WorkloadSpec } from '../check/resolved';
import type { Explained } from './explained';
import type { PassSizes } from './sizes';
import type { KvTransferCost } from './transfer';
import type { FigureBasis } from './basis';
import type { PipelinePhaseCost, StageMemory } from './pipeline';

/** What limits an op or a phase. Ties go to comm, then memory, then compute (cost-model.md §4). */
export type Bound = 'compute' | 'memory' | 'comm';

/** Which part of a layer an op belongs to: a block, `layer` for fused ops, `cache` for cache conversion. */
export type OpRole = 'ffn' | 'attention' | 'unembed' | 'layer' | 'cache';

export interface OpCost {
  role: OpRole;
  /** The value name (for a fused op, the shared name or `attn+ffn`). */
  name: string;
  op: string;
  /** Collective axes (or the axes of a normalising op's statistic all-reduce), in mesh order. */
  axes: string;
  /** The result type in canonical form. */
  type: string;
  /** For a fused op: the statements it stands for, `attention.n` and `ffn.n`. */
  fused?: string[];
  flops: Explained;
  /** HBM bytes read and written. */
  bytes: Explained;
  /** Pope's per-chip communication volume D. */
  commBytes: Explained;
  computeTime: Explained;
  memoryTime: Explained;
  commTime: Explained;
  /** The op's time: max(t_compute, t_memory) + op_overhead for an einsum, and so on. */
  time: Explained;
  bound: Bound;
  /** Value ids (`ffn.b`) this op defines and reads, for liveness and overlap pairing. */
  id: string;
  uses: string[];
  /** Local bytes of the result (activation accounting). */
  resultBytes: number;
}

export interface Totals {
  time: number;
  flops: number;
  commBytes: number;
  computeTime: number;
  memoryTime: number;
  commTime: number;
  /** The part of commTime spent in all_to_all (MoE dispatch and combine, heads↔batch re-layouts). */
  allToAllTime: number;
  /** Latency contributed by ops of each bound (overlap groups count once). */
  byBound: Record<Bound, number>;
}

export interface BlockCost extends Totals {
  role: 'ffn' | 'attention' | 'unembed' | 'cache';
  block: string;
  ops: OpCost[];
}

export interface LayerCost extends Totals {
  /** The ops of one layer in execution order, fused statements once. */
  ops: OpCost[];
  /** Each block's totals before fusion. */
  blocks: { ffn: BlockCost; attention: BlockCost | null };
  /** With `overlap = collective_einsum`: the groups that run concurrently (op ids). */
  overlapGroups: { einsum: string; collectives: string[]; time_s: number }[];
  activationBytes: number;
}

/**
 * An op's figures as plain numbers, named and ordered as `report --json` prints an op: the values
 * of an OpCost's figures without their formulas (nor its liveness fields). A report of thousands
 * of layouts holds a hundred thousand of these, so the report keeps the rows themselves rather
 * than a renamed copy (cost/figures.ts `opRow`; `opRowOf` in sequenceFigures.ts from an OpCost).
 */
export interface OpRow {
  /** The OpCost's role. */
  block: OpRole;
  name: string;
  op: string;
  axes: string;
  type: string;
  flops: number;
  bytes: number;
  comm_bytes: number;
  time_s: number;
  bound: Bound;
  t_compute_s: number;
  t_memory_s: number;
  t_comm_s: number;
  fused?: string[];
}

/** A block's totals in a layer, as numbers (a BlockCost's, without its ops). */
export interface BlockTotalsRow {
  block: string;
  time: number;
  commBytes: number;
  flops: number;
}

/** The numbers of a LayerCost that a report reads: its totals, its ops' rows and its blocks' totals. */
export interface LayerRows {
  time: number;
  commBytes: number;
  flops: number;
  ops: OpRow[];
  blocks: { ffn: BlockTotalsRow; attention: BlockTotalsRow | null };
}

export interface PassCost {
  sizes: PassSizes;
  layer: LayerCost;
  /** The layer's numbers without building its explained figures (`layer`'s values); see `layerRowsOf`. */
  layerRows?(): LayerRows;
  embed: OpCost;
  unembed: BlockCost | null;
  /** Cache conversion (prefill only, when the decode cache is stored differently). */
  cacheConversion: BlockCost | null;
  latency: Explained;
  totals: Totals;
  bound: Bound;
  activationBytes: number;
}

export interface PhaseCost {
  phase: Phase;
  workload: WorkloadSpec;
  ffn: string;
  attention: string | null;
  pass: PassCost;
  /** Prefill: the whole prefill. Decode: all `generate` steps. */
  latency: Explained;
  /**
   * Decode only: the last step, at T = prompt + generate. Computed on first read (a getter):
   * only `step_s_last` and explanations need it.
   */
  readonly lastStep?: PassCost;
  tokens: number;
  mfu: Explained;
  costChipSPerToken: Explained;
  throughput: Explained;
}

export interface MemoryCost {
  weights: Explained;
  kv: Explained;
  kvTotal: Explained;
  activations: { prefill: number; decode: number };
  total: { prefill: Explained; decode: Explained };
  hbm: number;
  fits: boolean;
  maxContext: Explained;
  /** Breakdown of weights for explain: each stored weight once. */
  weightItems: { role: string; name: string; type: string; bytes: number }[];
  kvItems: { name: string; type: string; bytes: number }[];
  /**
   * When the phases run on meshes of their own: each pool's memory per chip (its phase's weights,
   * cache and activations). Absent on a layout with one mesh.
   */
  pools?: { prefill: MemoryCost; decode: MemoryCost };
}

export interface LayoutCost {
  layout: string;
  chips: number;
  prefill: PhaseCost;
  decode: PhaseCost;
  memory: MemoryCost;
  /** Whole request: prefill + all decode steps (+ the KV transfer between two meshes). */
  totalLatency: Explained;
  /** The KV cache sent from the prefill chips to the decode chips, when the phases have their own meshes. */
  kvTransfer?: KvTransferCost;
  /** Whether the figures are a roofline from nominal hardware or calibrated, and on which hardware (basis.ts). */
  basis: FigureBasis;
  /** Pipeline parallelism (cost/pipeline.ts), when a phase is pipelined. */
  pipeline?: LayoutPipelineCost;
}

/** A layout's pipelines: each pipelined phase's figures and its pool's memory per stage. */
export interface LayoutPipelineCost {
  prefill: PipelinePhaseCost | null;
  decode: PipelinePhaseCost | null;
  /** Memory per chip of each stage of the phase's pool (on one mesh, both phases share the list). */
  stageMemory: { prefill: StageMemory[] | null; decode: StageMemory[] | null };
}
