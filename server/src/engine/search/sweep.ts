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
// whose memory does not fit that phase are kept only when none fits; such a phase point is
// marked and is never on the frontier. Whether a phase fits is its own memory peak against HBM:
// a point is not "no fit" for prefill because its decode cache does not fit.
//
// What varies and what is kept: the batch (both phases) and the mesh's axis sizes; everything
// the layout declares is kept: its blocks, model, prompt and generate, a phase's own batch
// (`prefill { batch = 1 }` stays 1, reported in `keptBatch`), and the mesh's hardware, axis
// order and per-axis settings (search/meshes.ts `refactoredMesh`). A layout whose phases run on
// two meshes (pools) has each phase re-factored from its own mesh while the other pool stays as
// declared; its default chip counts are both pools' (search/pools.ts).

import type { Analysis } from '../analysis';
import type { Bound } from '../cost/types';
import { PHASES, type Phase, type ResolvedLayout, type WorkloadSpec } from '../check/resolved';
import { paretoFrontier } from './frontier';
import { resolveLayoutVariant } from '../analysis';
import { costLayout } from '../cost/index';
import { layoutBasis, type BasisKind } from '../cost/basis';
import { compareShapesForTie, meshFactorizations, refactoredMesh, shapeName, type AxisRule, type FactorizationTrial, type MeshShape } from './meshes';
import { isPooled, withPhaseOnMesh } from './pools';
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
  /** The batch this phase ran at: the point's, or the phase's own when the layout sets it. */
  batch: number;
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
  /** What the figures are (cost/basis.ts), as `report --json` says it of a layout: the sweep keeps the hardware. */
  basis: BasisKind;
  basis_hardware: string;
  blocks: Record<Phase, { ffn: string; attention: string }>;
  /** The phases whose own batch the layout declares: kept at every point, not swept. */
  keptBatch: Partial<Record<Phase, number>>;
  batches: number[];
  chips: number[];
  points: SweepPoint[];
  /** Indices into `points` of each phase's frontier, by ascending latency. */
  frontier: Record<Phase, number[]>;
  /**
   * The layout as declared (its own chips, mesh shape and batches), costed as `report` costs it:
   * the point the charts mark, so a sweep shows where the user stands (drawn even when it
   * does not fit: `fits` says).
   */
  current: Record<Phase, SweepCurrent>;
}

/** One phase of the layout as declared. */
export interface SweepCurrent {
  chips: number;
  batch: number;
  /** `4x4x4`, or the mesh's axis sizes when it has other axes than x, y, z. */
  mesh: string;
  latency_s: number;
  cost_chip_s_per_token: number;
  fits: boolean;
}

export interface SweepOptions extends RunControl {
  batches?: readonly number[];
  /** Chip counts (powers of two); default the layout's own. */
  chips?: readonly number[];
  rule?: AxisRule;
}

/** The phase's own memory peak fits in HBM (the other phase's peak does not matter here). */
function phaseFits(t: FactorizationTrial, phase: Phase): boolean {
  return t.cost.memory.total[phase].value <= t.cost.memory.hbm;
}

function phasePoint(trials: FactorizationTrial[], phase: Phase): SweepPhasePoint | null {
  const fitting = trials.filter((t) => phaseFits(t, phase));
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
    batch: best.layout[phase].workload.batch,
    shape: best.shape,
    mesh: shapeName(best.shape),
    fits: phaseFits(best, phase),
    memory_bytes: m.total[phase].value,
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
  const workload = sweptWorkloads(layout, batch);
  const pooled = isPooled(layout);
  for (const shape of meshFactorizations(chips, options.rule)) {
    throwIfCancelled(options.cancel);
    if (pooled) {
      // Two pools: each phase on this shape, the other pool as declared (its own memory, its own chips).
      for (const phase of PHASES) {
        const moved = withPhaseOnMesh(analysis, layout, phase, refactoredMesh(layout[phase].mesh, shape), workload);
        if (moved) out[phase].push({ shape, layout: moved, cost: costLayout(moved) });
      }
      tick();
      continue;
    }
    const mesh = refactoredMesh(layout.mesh, shape);
    const both = layoutVariant(analysis, layout, { mesh, workload });
    if (both) {
      const trial = { shape, layout: both, cost: costLayout(both) };
      out.prefill.push(trial);
      out.decode.push(trial);
    } else {
      for (const phase of PHASES) {
        const alone = resolveLayoutVariant(analysis, layout, { [phase]: phaseBlocksOf(layout, phase) }, { mesh, workload });
        if (alone) out[phase].push({ shape, layout: alone, cost: costLayout(alone) });
      }
    }
    tick();
  }
  return out;
}

/** The batch a phase declares for itself (`prefill { batch = 1 }`), which a sweep keeps. */
export function keptBatches(layout: ResolvedLayout): Partial<Record<Phase, number>> {
  const out: Partial<Record<Phase, number>> = {};
  for (const phase of PHASES) if (layout[phase].workload.batch !== layout.workload.batch) out[phase] = layout[phase].workload.batch;
  return out;
}

/** Each phase's workload at a sweep point of `batch`: the phase's own batch when it declares one. */
function sweptWorkloads(layout: ResolvedLayout, batch: number): Record<Phase, WorkloadSpec> {
  const kept = keptBatches(layout);
  return {
    prefill: { ...layout.prefill.workload, batch: kept.prefill ?? batch },
    decode: { ...layout.decode.workload, batch: kept.decode ?? batch },
  };
}

/** Sweeps one layout. Pure; throws `SearchCancelled` when `cancel.cancelled` turns true. */
export function sweep(analysis: Analysis, layout: ResolvedLayout, options: SweepOptions = {}): SweepResult {
  const batches = [...(options.batches ?? DEFAULT_SWEEP_BATCHES)];
  // Two pools: both pools' own chip counts by default, each phase costed on every count.
  const chipCounts = [...(options.chips ?? [...new Set(PHASES.map((p) => layout[p].mesh.chips))].sort((a, b) => a - b))];
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
  const current = currentPoints(layout);
  const blockNames = (p: Phase) => ({ ffn: layout[p].ffn.name, attention: layout[p].attention?.name ?? 'none' });
  const basis = layoutBasis(layout);
  return {
    layout: layout.name,
    model: layout.model.name,
    hardware: layout.mesh.hardware.name,
    prompt: layout.prefill.workload.prompt,
    generate: layout.decode.workload.generate,
    weights: layout.model.weights,
    basis: basis.kind,
    basis_hardware: basis.hardware,
    blocks: { prefill: blockNames('prefill'), decode: blockNames('decode') },
    keptBatch: keptBatches(layout),
    batches,
    chips: chipCounts,
    points,
    frontier,
    current,
  };
}

/** The layout's own configuration per phase, with the same measures as a sweep point. */
function currentPoints(layout: ResolvedLayout): Record<Phase, SweepCurrent> {
  const cost = costLayout(layout);
  const at = (phase: Phase): SweepCurrent => ({
    chips: layout[phase].mesh.chips,
    batch: layout[phase].workload.batch,
    mesh: layout[phase].mesh.axes.map((a) => a.size).join('x'),
    latency_s: phase === 'prefill' ? cost.prefill.latency.value : cost.decode.pass.latency.value,
    cost_chip_s_per_token: cost[phase].costChipSPerToken.value,
    fits: cost.memory.total[phase].value <= cost.memory.hbm,
  });
  return { prefill: at('prefill'), decode: at('decode') };
}

/** Marks and returns the frontier of one phase among points that fit, by ascending latency. */
function markFrontier(points: SweepPoint[], phase: Phase): number[] {
  const candidates = points.map((p, i) => ({ i, p: p[phase] })).filter((c) => c.p !== null && c.p.fits);
  const front = paretoFrontier(candidates.map((c) => ({ cost: c.p!.cost_chip_s_per_token, latency: c.p!.latency_s })));
  const idx = front.map((k) => candidates[k].i);
  for (const i of idx) points[i][phase]!.onFrontier = true;
  return idx.sort((a, b) => points[a][phase]!.latency_s - points[b][phase]!.latency_s || a - b);
}
