// How a `best` candidate differs from the layout it was searched for: the layout as declared,
// costed by the same request measures (so each candidate reads as "−12% latency, +3% cost"), and
// what the candidate changes, one phrase each, for the comment over the inserted text and the
// editor's notification.

import type { MeshSpec, Phase, ResolvedLayout } from '../check/resolved';
import { isPooled, requestChipSeconds } from './pools';
import { PHASES } from '../check/resolved';
import { costLayout } from '../cost/index';
import type { BestCandidate, BestResult } from './bestTypes';
import { requestTokens, workloadsFor } from './bestTypes';
import { shapeName, type MeshShape } from './meshes';

/** The layout as declared: a whole request's latency and chip-seconds per request token. */
export function currentFigures(layout: ResolvedLayout): BestResult['current'] {
  try {
    const cost = costLayout(layout);
    const latency = cost.totalLatency.value;
    const tokens = requestTokens(workloadsFor(layout, undefined));
    if (!(latency > 0) || !(tokens > 0)) return undefined;
    return { latency_s: latency, cost_chip_s_per_token: requestChipSeconds(layout, cost) / tokens, fits: cost.memory.fits };
  } catch {
    // A layout the search could vary but not cost as declared: the candidates stand alone.
    return undefined;
  }
}

/** `−12%`, `+3%`, `±0%`: a candidate's figure against the layout's, rounded to whole percent. */
export function relativeChange(value: number, current: number): string {
  const pct = Math.round((value / current - 1) * 100);
  if (pct === 0) return '±0%';
  return pct > 0 ? `+${pct}%` : `−${-pct}%`;
}

/** The block a layout's phase names as the user wrote it (`ws2d`), else the resolved block's name. */
function writtenBlock(layout: ResolvedLayout, phase: Phase, role: 'ffn' | 'attention'): string {
  const fields = layout.decl.fields;
  const inPhase = fields.find((f) => f.name.text === phase);
  const own = inPhase?.value.kind === 'record' ? inPhase.value.fields.find((f) => f.name.text === role) : undefined;
  const field = own ?? fields.find((f) => f.name.text === role);
  if (field?.value.kind === 'name' && !field.value.overrides) return field.value.name.text;
  const spec = layout[phase][role];
  return spec ? spec.name : 'none';
}

/** A mesh as `4x4x4` (x, y, z sizes), to compare with a candidate's shape. */
function ownShape(mesh: MeshSpec): string {
  const size = (a: string) => mesh.axes.find((x) => x.name === a)?.size ?? 1;
  return shapeName([size('x'), size('y'), size('z')] as MeshShape);
}

/**
 * What `c` changes from `layout`, one phrase each: mesh, weights, each phase's batch and blocks.
 * Blocks are compared by name as written, then as resolved (the candidate's `ws2d` may be the
 * layout's `ws2d_swiglu`).
 */
export function candidateChanges(layout: ResolvedLayout, c: Pick<BestCandidate, 'mesh' | 'weights' | 'workload' | 'prefill' | 'decode' | 'layout' | 'chips' | 'pools'>): string[] {
  const out: string[] = [];
  if (c.pools) {
    // Two pools: each phase's mesh on its own.
    for (const phase of PHASES) {
      const own = layout[phase].mesh;
      const mesh = ownShape(own);
      const pool = c.pools[phase];
      if (pool.mesh !== mesh) out.push(`${phase} mesh ${mesh} → ${pool.mesh}${pool.chips !== own.chips ? ` (${own.chips} → ${pool.chips} chips)` : ''}`);
    }
  } else if (isPooled(layout)) {
    out.push(`both phases on one mesh ${c.mesh} (${c.chips} chips) instead of two pools (${layout.prefill.mesh.chips} + ${layout.decode.mesh.chips} chips)`);
  } else {
    const mesh = ownShape(layout.mesh);
    if (c.mesh !== mesh) out.push(`mesh ${mesh} → ${c.mesh}${c.chips !== layout.mesh.chips ? ` (${layout.mesh.chips} → ${c.chips} chips)` : ''}`);
  }
  if (c.weights !== layout.model.weights) out.push(`weights ${layout.model.weights} → ${c.weights}`);
  for (const phase of PHASES) {
    const before = layout[phase].workload.batch;
    if (c.workload[phase].batch !== before) out.push(`${phase} batch ${before} → ${c.workload[phase].batch}`);
    for (const role of ['ffn', 'attention'] as const) {
      // The same name as written (`heads` beside another ffn resolves to another block of
      // the family, which is not a change the user makes), or the same block as resolved.
      const written = writtenBlock(layout, phase, role);
      if (written === c[phase][role] || (layout[phase][role]?.name ?? 'none') === (c.layout[phase][role]?.name ?? 'none')) continue;
      out.push(`${phase} ${role} ${written} → ${c[phase][role]}`);
    }
  }
  return out;
}
