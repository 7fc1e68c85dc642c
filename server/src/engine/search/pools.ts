// Searching a layout whose phases run on their own meshes (`prefill { mesh = … }`, `decode { mesh
// = … }`: two pools of chips, disaggregated serving). Each pool is re-factored on its own chip
// count and keeps its own hardware and per-axis settings; the other pool stays as declared while
// one is varied. A request's chip time counts each pool's chips for the time its phase is busy
// (cost-model.md "Per-phase meshes"); the KV transfer is charged to the link, not to chips.

import type { Analysis } from '../analysis';
import { resolveLayoutVariant } from '../analysis';
import type { MeshSpec, Phase, ResolvedLayout, WorkloadSpec } from '../check/resolved';
import { isDisaggregated } from '../cost/transfer';
import type { LayoutCost } from '../cost/types';
import { phaseBlocksOf } from './common';

/** The layout runs prefill and decode on two different meshes. */
export const isPooled = (layout: ResolvedLayout): boolean => isDisaggregated(layout);

/** The chip counts a search tries for one phase: the user's list, or that phase's own mesh. */
export function phaseChipCounts(layout: ResolvedLayout, phase: Phase, chips: readonly number[] | undefined): number[] {
  return [...(chips ?? [layout[phase].mesh.chips])];
}

/**
 * The layout with `phase` re-resolved on `mesh` (its own blocks, `workload`), the other phase kept
 * on its own mesh with its workload from `workload`: undefined when the phase's blocks do not fit
 * the mesh. The layout's `mesh` stays the decode pool's, as the resolver sets it.
 */
export function withPhaseOnMesh(analysis: Analysis, layout: ResolvedLayout, phase: Phase, mesh: MeshSpec, workload: Record<Phase, WorkloadSpec>): ResolvedLayout | undefined {
  const moved = resolveLayoutVariant(analysis, layout, { [phase]: phaseBlocksOf(layout, phase) }, { mesh, workload });
  if (!moved) return undefined;
  const other: Phase = phase === 'prefill' ? 'decode' : 'prefill';
  const kept = { ...layout[other], workload: workload[other] };
  const prefill = phase === 'prefill' ? moved.prefill : kept;
  const decode = phase === 'decode' ? moved.decode : kept;
  return { ...moved, mesh: decode.mesh, prefill, decode, unembed: decode.unembed };
}

/**
 * Chip-seconds of one request: chips × latency on one mesh; on two pools, each pool's chips for
 * its own phase's time.
 */
export function requestChipSeconds(layout: ResolvedLayout, cost: LayoutCost): number {
  if (!isPooled(layout)) return layout.mesh.chips * cost.totalLatency.value;
  return layout.prefill.mesh.chips * cost.prefill.latency.value + layout.decode.mesh.chips * cost.decode.latency.value;
}
