// What every search shares: cancellation and progress for long runs (the CLI and the editor's
// worker call the same functions), and re-resolving a layout with other blocks, sizes, mesh or
// weight dtype through the checker, so a candidate is never costed unless the checker accepts it.

import type { Analysis } from '../analysis';
import { resolveLayoutVariant } from '../analysis';
import { PHASES, type Dtype, type MeshSpec, type Phase, type ResolvedLayout, type WorkloadSpec } from '../check/resolved';
import type { BlockPair } from '../check/variantBuilder';

/** Set `cancelled` from outside (another task, a worker message); searches check it in their loops. */
export interface Cancellation {
  cancelled: boolean;
}

/** Called after each unit of work: `done` of `total` units (both whole numbers, done ≤ total). */
export type ProgressCallback = (done: number, total: number) => void;

export interface RunControl {
  cancel?: Cancellation;
  onProgress?: ProgressCallback;
}

/** Thrown by a search whose `cancel.cancelled` became true; front ends report it as "cancelled". */
export class SearchCancelled extends Error {
  constructor() {
    super('search cancelled');
    this.name = 'SearchCancelled';
  }
}

/**
 * The most configurations one search evaluates (mesh shapes × batches, × block pairs and dtypes
 * for `best`). Past it a search refuses to start and says why, rather than running for minutes.
 */
export const MAX_SEARCH_CONFIGS = 200_000;

/** Thrown before a search starts when its space is larger than MAX_SEARCH_CONFIGS. */
export class SearchTooLarge extends Error {
  constructor(what: string, size: number) {
    super(`the ${what} would evaluate ${size.toLocaleString('en-US')} configurations, more than the limit of ${MAX_SEARCH_CONFIGS.toLocaleString('en-US')}; give fewer chip counts or batch sizes`);
    this.name = 'SearchTooLarge';
  }
}

export function throwIfCancelled(cancel: Cancellation | undefined): void {
  if (cancel?.cancelled) throw new SearchCancelled();
}

export type { BlockPair };

/** What to change in a layout; anything left out stays as the layout has it. */
export interface LayoutChange {
  mesh?: MeshSpec;
  /** The batch of both phases (a sweep point's batch). */
  batch?: number;
  /** Whole per-phase workloads; applied before `batch`. */
  workload?: Partial<Record<Phase, WorkloadSpec>>;
  blocks?: Partial<Record<Phase, BlockPair>>;
  weights?: Dtype;
  /**
   * The phases whose blocks must fit the new mesh and sizes (default both). A measurement or a
   * sweep point of one phase checks only that phase: batch 1 cannot be split 64 ways by a
   * batch-sharded decode, yet a heads-sharded prefill of batch 1 runs. The other phase keeps its
   * blocks unchecked and must not be read.
   */
  only?: Phase;
}

/** The blocks a resolved phase uses, by the names the checker resolves back to the same blocks. */
export function phaseBlocksOf(layout: ResolvedLayout, phase: Phase): BlockPair {
  const spec = layout[phase];
  return { ffn: spec.ffn.name, attention: spec.attention ? spec.attention.name : 'none' };
}

/**
 * The layout with `change` applied, or `undefined` when the checker rejects it (blocks that do not
 * resolve, a dim smaller than its shards). Blocks that are not changed are re-checked against the
 * new mesh and sizes too, and the layout's own unembed block is kept when the blocks stay.
 */
export function layoutVariant(analysis: Analysis, layout: ResolvedLayout, change: LayoutChange): ResolvedLayout | undefined {
  const model = change.weights && change.weights !== layout.model.weights ? { ...layout.model, weights: change.weights } : layout.model;
  const base: ResolvedLayout = model === layout.model ? layout : { ...layout, model };
  const workload: Partial<Record<Phase, WorkloadSpec>> = {};
  for (const phase of PHASES) {
    let w = change.workload?.[phase] ?? layout[phase].workload;
    if (change.batch !== undefined) w = { ...w, batch: change.batch };
    workload[phase] = w;
  }
  const options = { mesh: change.mesh, workload };
  const phases = change.only ? [change.only] : PHASES;
  const choice: Partial<Record<Phase, BlockPair>> = {};
  for (const p of phases) choice[p] = change.blocks?.[p] ?? phaseBlocksOf(layout, p);
  const checked = resolveLayoutVariant(analysis, base, choice, options);
  if (!checked) return undefined;
  const blocksChanged = change.blocks?.prefill !== undefined || change.blocks?.decode !== undefined;
  if (blocksChanged) return checked;
  // Same blocks: the variant without a block choice keeps the layout's own unembed.
  return resolveLayoutVariant(analysis, base, {}, options) ?? checked;
}

/** Powers of two from 1 to `budget` (a chip budget for `best`). */
export function powersOfTwoUpTo(budget: number): number[] {
  const out: number[] = [];
  for (let n = 1; n <= budget; n *= 2) out.push(n);
  return out;
}

export function isPowerOfTwo(n: number): boolean {
  return Number.isInteger(n) && n >= 1 && (n & (n - 1)) === 0;
}
