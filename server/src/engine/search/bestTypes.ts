// The shapes `best` works with: its options, one ranked configuration, the result, and the
// request-level measures (latency of a whole request, cost per token of it) every part ranks by.

import type { Dtype, Phase, ResolvedLayout, WorkloadSpec } from '../check/resolved';
import type { LayoutCost } from '../cost/types';
import type { BlockPair, RunControl } from './common';
import type { AxisRule, MeshShape } from './meshes';

export type Objective = 'latency' | 'cost';
export const ALL_DTYPES: readonly Dtype[] = ['bf16', 'int8', 'fp8', 'int4'];

export interface BestOptions extends RunControl {
  objective?: Objective;
  /** Upper bound on the whole request's latency, seconds. */
  maxLatency?: number;
  /** How many to return (default 5). */
  top?: number;
  /** Chip counts to factorize (powers of two); default the layout's own. */
  chips?: readonly number[];
  /** Batch sizes (both phases); default the layout's own per-phase workloads. */
  batches?: readonly number[];
  /** Weight dtypes to try; default only the layout's own (a narrower one is a model-quality choice). */
  dtypes?: readonly Dtype[];
  /** Keep only configurations whose memory fits (default true). */
  requireFit?: boolean;
  rule?: AxisRule;
  /** Block pairs per phase; default every built-in pair (ffn with `none` when the layout has no attention). */
  pairs?: Partial<Record<Phase, readonly BlockPair[]>>;
  /**
   * Skip cells by the lower bound (default: on for the built-in pairs, whose blocks all hold the
   * model's weights, as the bound assumes; off when `pairs` is given). `false` costs everything.
   */
  prune?: boolean;
}

/** One pool of a two-mesh candidate: its chips and mesh shape. */
export interface PoolChoice {
  chips: number;
  shape: MeshShape;
  /** `2x4x4`. */
  mesh: string;
}

export interface BestCandidate {
  rank: number;
  /** All chips of the configuration (both pools' when `pools` is set). */
  chips: number;
  /** The mesh shape (the prefill pool's when `pools` is set). */
  shape: MeshShape;
  /** `2x4x4`; on two pools `2x4x4 → 2x2x2` (prefill → decode). */
  mesh: string;
  /**
   * A layout whose phases run on two meshes: each pool's chips and shape, searched on its own
   * (search/pools.ts). Absent for a layout with one mesh.
   */
  pools?: Record<Phase, PoolChoice>;
  weights: Dtype;
  workload: { prefill: WorkloadSpec; decode: WorkloadSpec };
  prefill: BlockPair;
  decode: BlockPair;
  latency_s: number;
  prefill_latency_s: number;
  decode_latency_s: number;
  decode_step_s: number;
  cost_chip_s_per_token: number;
  mfu: { prefill: number; decode: number };
  memory_bytes: number;
  hbm_bytes: number;
  fits: boolean;
  /**
   * Other shapes of the same chips with the same figures, blocks, dtype and batch, and the same
   * network tiers (2x4x8 beside 2x8x4): one configuration to a reader, so one candidate.
   */
  sameAs: string[];
  /** What the candidate changes from the layout as declared, one phrase each (`decode attention batch → heads`). */
  changes: string[];
  /** Shard text to paste under the file: a new mesh, model (if the dtype changes) and layout. */
  text: string;
  cost: LayoutCost;
  layout: ResolvedLayout;
}

export interface BestResult {
  layout: string;
  model: string;
  hardware: string;
  objective: Objective;
  maxLatency?: number;
  requireFit: boolean;
  /** The layout runs its phases on two meshes; each pool was searched on its own chip counts. */
  pooled?: boolean;
  /**
   * The layout as declared, by the same measures (a whole request), so each candidate reads as a
   * change from it; absent when the layout itself cannot be costed.
   */
  current?: { latency_s: number; cost_chip_s_per_token: number; fits: boolean };
  candidates: BestCandidate[];
  stats: {
    /** Configurations in the space: meshes × batches × dtypes × prefill pairs × decode pairs. */
    space: number;
    /** Phase passes costed (each one layer pass with embed and unembed). */
    passes: number;
    /** Full layouts costed (to confirm memory and final figures). */
    layouts: number;
    cells: number;
    cellsSkipped: number;
  };
  /** Why nothing was found, when `candidates` is empty. */
  message?: string;
}

export interface Cell {
  /** The mesh's chips (the prefill pool's when `decodePool` is set). */
  chips: number;
  shape: MeshShape;
  /** A two-mesh layout's decode pool; `chips` and `shape` are then the prefill pool's. */
  decodePool?: { chips: number; shape: MeshShape };
  batch: number | undefined;
  dtypes: Dtype[];
  /** Lower bound of the objective for any configuration of the cell. */
  bound: number;
  /** Lower bound of the decode latency (all steps), to stop after the prefill passes. */
  decodeBound: number;
}

export type RequestWorkload = { prefill: WorkloadSpec; decode: WorkloadSpec };

export function workloadsFor(layout: ResolvedLayout, batch: number | undefined): RequestWorkload {
  if (batch === undefined) return { prefill: layout.prefill.workload, decode: layout.decode.workload };
  return { prefill: { ...layout.prefill.workload, batch }, decode: { ...layout.decode.workload, batch } };
}

/**
 * The unit of `best`'s cost: chip-milliseconds per token of the whole request, the prompts' and
 * the generated ones (requestTokens). `report` and `compare` divide one phase's chip time by that
 * phase's tokens only (compare's "cost/generated token"), so the two figures carry different names.
 */
export const REQUEST_COST_UNIT = 'chip-ms/token (prompt+gen)';

/** Prompt tokens of the prefill plus tokens generated by the decode. */
export function requestTokens(w: RequestWorkload): number {
  return w.prefill.batch * w.prefill.prompt + w.decode.batch * w.decode.generate;
}

/** latency: the request's seconds; cost: chip-seconds per request token. */
export function objectiveOf(objective: Objective, latency: number, chips: number, tokens: number): number {
  return objective === 'latency' ? latency : (chips * latency) / tokens;
}

/**
 * The objective of a cell's configuration from its prefill and decode times (the cache re-layout
 * counted in prefill): on two pools each pool's chips count for its own phase (search/pools.ts).
 */
export function cellObjective(objective: Objective, cell: Pick<Cell, 'chips' | 'decodePool'>, prefill: number, decode: number, tokens: number): number {
  if (objective === 'latency') return prefill + decode;
  return (cell.chips * prefill + (cell.decodePool?.chips ?? cell.chips) * decode) / tokens;
}

/** A candidate with the value it is ranked by. */
export interface Ranked extends BestCandidate {
  objective: number;
}

export const DTYPE_ORDER = (d: Dtype) => ALL_DTYPES.indexOf(d);

