// `sweep` (cli.md): a layout's cost against latency over batch sizes and chip counts, the mesh
// re-factored for each chip count, with the Pareto frontier of each phase marked (Pope Fig. 1:
// decode on the left, prefill on the right).
//
// What a point is, per phase:
//   prefill: latency = the whole prefill of `batch` prompts; cost = chip-s per prompt token.
//   decode:  latency = one step at the mean attended length (Pope Fig. 1 plots ms per generated
//            token); cost = chip-s per generated token. The whole decode is `generate` steps.
// Each phase keeps the factorization with its own lowest latency, so a point's prefill and
// decode may sit on different shapes of the same chip count (each is reported). Factorizations
// whose memory does not fit are kept only when none fits; such a point is marked and is never
// on the frontier.

import type { Analysis } from '../analysis';
import type { Bound } from '../cost/types';
import { PHASES, type Phase, type ResolvedLayout } from '../check/resolved';
import { paretoFrontier } from './frontier';
import { resolveLayoutVariant } from '../analysis';
import { costLayout } from '../cost/index';
import { compareShapesForTie, meshFactorizations, meshOfShape, shapeName, type AxisRule, type FactorizationTrial, type MeshShape } from './meshes';
import { layoutVariant, MAX_SEARCH_CONFIGS, phaseBlocksOf, SearchTooLarge, throwIfCancelled, type RunControl } from './common';

export const DEFAULT_SWEEP_BATCHES: readonly number[] = [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024];

export interface SweepPhasePoint {
  /** Prefill: the whole prefill. Decode: one step at the mean T. */
  latency_s: number;
  /** Decode only: all `generate` steps. */
  total_latency_s?: number;
  cost_chip_s_per_token: number;
  mfu: number;
  bound: Bound;
  shape: MeshShape;
  /** `4x4x4`. */
  mesh: string;
  fits: boolean;
  memory_bytes: number;
  onFrontier: boolean;
}

export interface SweepPoint {
  batch: number;
  chips: number;
  prefill: SweepPhasePoint | null;
  decode: SweepPhasePoint | null;
  /** Why the point has no figures (no factorization resolved). */
  reason?: string;
}

export interface SweepResult {
  layout: string;
  model: string;
  hardware: string;
  prompt: number;
  generate: number;
  weights: string;
  blocks: Record<Phase, { ffn: string; attention: string }>;
  batches: number[];
  chips: number[];
  points: SweepPoint[];
  /** Indices into `points` of each phase's frontier, by ascending latency. */
  frontier: Record<Phase, number[]>;
}

export interface SweepOptions extends RunControl {
  batches?: readonly number[];
  /** Chip counts (powers of two); default the layout's own. */
  chips?: readonly number[];
  rule?: AxisRule;
}

function phasePoint(trials: FactorizationTrial[], phase: Phase): SweepPhasePoint | null {
  const fitting = trials.filter((t) => t.cost.memory.fits);
  const pool = fitting.length ? fitting : trials;
  let best: FactorizationTrial | undefined;
  const latency = (t: FactorizationTrial) => (phase === 'prefill' ? t.cost.prefill.latency.value : t.cost.decode.pass.latency.value);
  for (const t of pool) {
    if (!best) { best = t; continue; }
    const d = latency(t) - latency(best);
    if (d < 0 || (d === 0 && compareShapesForTie(t.shape, best.shape) < 0)) best = t;
  }
  if (!best) return null;
  const c = best.cost[phase];
  const m = best.cost.memory;
  return {
    latency_s: latency(best),
    ...(phase === 'decode' ? { total_latency_s: c.latency.value } : {}),
    cost_chip_s_per_token: c.costChipSPerToken.value,
    mfu: c.mfu.value,
    bound: c.pass.bound,
    shape: best.shape,
    mesh: shapeName(best.shape),
    fits: m.fits,
    memory_bytes: Math.max(m.total.prefill.value, m.total.decode.value),
    onFrontier: false,
  };
}

/**
 * Every factorization of `chips` costed at `batch`, split by phase: a shape whose sizes fit only
 * one phase's blocks (batch 1 cannot be split 64 ways by a batch-sharded decode, but a
 * heads-sharded prefill runs) still gives that phase a point.
 */
function phaseTrials(analysis: Analysis, layout: ResolvedLayout, chips: number, batch: number, options: SweepOptions, tick: () => void): Record<Phase, FactorizationTrial[]> {
  const out: Record<Phase, FactorizationTrial[]> = { prefill: [], decode: [] };
  for (const shape of meshFactorizations(chips, options.rule)) {
    throwIfCancelled(options.cancel);
    const mesh = meshOfShape(layout.mesh.hardware, shape, `${layout.mesh.name}_${shapeName(shape)}`);
    const both = layoutVariant(analysis, layout, { mesh, batch });
    if (both) {
      const trial = { shape, layout: both, cost: costLayout(both) };
      out.prefill.push(trial);
      out.decode.push(trial);
    } else {
      const workload = { prefill: { ...layout.prefill.workload, batch }, decode: { ...layout.decode.workload, batch } };
      for (const phase of PHASES) {
        const alone = resolveLayoutVariant(analysis, layout, { [phase]: phaseBlocksOf(layout, phase) }, { mesh, workload });
        if (alone) out[phase].push({ shape, layout: alone, cost: costLayout(alone) });
      }
    }
    tick();
  }
  return out;
}

/** Sweeps one layout. Pure; throws `SearchCancelled` when `cancel.cancelled` turns true. */
export function sweep(analysis: Analysis, layout: ResolvedLayout, options: SweepOptions = {}): SweepResult {
  const batches = [...(options.batches ?? DEFAULT_SWEEP_BATCHES)];
  const chipCounts = [...(options.chips ?? [layout.mesh.chips])];
  const total = batches.length * chipCounts.reduce((s, c) => s + meshFactorizations(c, options.rule).length, 0);
  if (total > MAX_SEARCH_CONFIGS) throw new SearchTooLarge('sweep', total);
  let done = 0;
  const tick = () => options.onProgress?.(++done, total);
  const points: SweepPoint[] = [];
  for (const chips of chipCounts) {
    for (const batch of batches) {
      throwIfCancelled(options.cancel);
      const trials = phaseTrials(analysis, layout, chips, batch, options, tick);
      const prefill = phasePoint(trials.prefill, 'prefill');
      const decode = phasePoint(trials.decode, 'decode');
      const point: SweepPoint = { batch, chips, prefill, decode };
      if (!prefill || !decode) {
        const missing = !prefill && !decode ? 'either phase' : !prefill ? 'the prefill blocks' : 'the decode blocks';
        point.reason = meshFactorizations(chips, options.rule).length === 0
          ? `${chips} chips cannot be split into power-of-two axes${options.rule ? ' that the axis rule allows' : ''}`
          : `no factorization of ${chips} chips fits batch ${batch} in ${missing} (a dim is smaller than its shards)`;
      }
      points.push(point);
    }
  }
  const frontier = { prefill: markFrontier(points, 'prefill'), decode: markFrontier(points, 'decode') };
  const blockNames = (p: Phase) => ({ ffn: layout[p].ffn.name, attention: layout[p].attention?.name ?? 'none' });
  return {
    layout: layout.name,
    model: layout.model.name,
    hardware: layout.mesh.hardware.name,
    prompt: layout.prefill.workload.prompt,
    generate: layout.decode.workload.generate,
    weights: layout.model.weights,
    blocks: { prefill: blockNames('prefill'), decode: blockNames('decode') },
    batches,
    chips: chipCounts,
    points,
    frontier,
  };
}

/** Marks and returns the frontier of one phase among points that fit, by ascending latency. */
function markFrontier(points: SweepPoint[], phase: Phase): number[] {
  const candidates = points.map((p, i) => ({ i, p: p[phase] })).filter((c) => c.p !== null && c.p.fits);
  const front = paretoFrontier(candidates.map((c) => ({ cost: c.p!.cost_chip_s_per_token, latency: c.p!.latency_s })));
  const idx = front.map((k) => candidates[k].i);
  for (const i of idx) points[i][phase]!.onFrontier = true;
  return idx.sort((a, b) => points[a][phase]!.latency_s - points[b][phase]!.latency_s || a - b);
}
