// `best` (cli.md): search built-in ffn and attention blocks (each phase chosen on its own), mesh
// factorizations of the chip count (or of several), batch sizes and weight dtypes for a layout's
// model, hardware and workload; keep what meets the constraints; return the top N.
//
// Decisions (documented in docs/walkthrough.md):
//   * Prefill and decode blocks are chosen independently. They need not share a stored weight
//     layout: when they do not, memory counts both copies (cost-model.md §4), so the memory
//     constraint is what keeps a pairing honest. The cache re-layout between them is costed
//     once, in prefill (cost-model.md §3).
//   * latency = prefill + all decode steps (a whole request); cost = chips × latency / (prefill
//     tokens + generated tokens), chip-seconds per token of the request.
//   * Every weight dtype is tried by default. The cost model has no accuracy term, so a narrower
//     dtype is never slower: pass `dtypes` to search only the ones the model can run at.
//
// Speed: a phase's time does not depend on the other phase's blocks except through the cache
// re-layout, so each (mesh, batch, dtype) cell costs 9 prefill passes and 9 decode passes and
// combines them (not 81 layouts); dtypes of one byte width share their passes. Cells are visited
// in order of a lower bound that holds for every mesh shape and block pair: each layer must do
// its weight matmuls, 2·tokens·P/chips FLOPs, and read its weights, P·bytes/chips, per pass. Once
// N configurations are known, cells whose bound is worse are skipped. The top N are then costed
// in full (costLayout) and checked for memory; those figures are what is returned.

import type { Analysis } from '../index';
import type { Dtype, Phase, ResolvedLayout, WorkloadSpec } from '../check/resolved';
import { DTYPE_BYTES } from '../check/resolved';
import { builtinPairs, BUILTIN_FFNS, costLayout } from '../cost/index';
import { costPass } from '../cost/pass';
import { cacheConversion } from '../cost/cacheConversion';
import { costMemory } from '../cost/memory';
import { passSizes } from '../cost/sizes';
import type { LayoutCost } from '../cost/types';
import { resolveLayoutVariant } from '../index';
import { throwIfCancelled, type PhaseBlocks, type RunControl } from './common';
import { compareShapesForTie, meshFactorizations, meshOfShape, shapeName, type AxisRule, type MeshShape } from './meshes';
import { layoutSnippet } from './snippet';

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
  dtypes?: readonly Dtype[];
  /** Keep only configurations whose memory fits (default true). */
  requireFit?: boolean;
  rule?: AxisRule;
  /** Block pairs per phase; default every built-in pair (ffn with `none` when the layout has no attention). */
  pairs?: Partial<Record<Phase, readonly PhaseBlocks[]>>;
  /**
   * Skip cells by the lower bound (default: on for the built-in pairs, whose blocks all hold the
   * model's weights, as the bound assumes; off when `pairs` is given). `false` costs everything.
   */
  prune?: boolean;
}

export interface BestCandidate {
  rank: number;
  chips: number;
  shape: MeshShape;
  mesh: string;
  weights: Dtype;
  workload: { prefill: WorkloadSpec; decode: WorkloadSpec };
  prefill: PhaseBlocks;
  decode: PhaseBlocks;
  latency_s: number;
  prefill_latency_s: number;
  decode_latency_s: number;
  decode_step_s: number;
  cost_chip_s_per_token: number;
  mfu: { prefill: number; decode: number };
  memory_bytes: number;
  hbm_bytes: number;
  fits: boolean;
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

interface Cell {
  chips: number;
  shape: MeshShape;
  batch: number | undefined;
  dtypes: Dtype[];
  /** Lower bound of the objective for any configuration of the cell. */
  bound: number;
  /** Lower bound of the decode latency (all steps), to stop after the prefill passes. */
  decodeBound: number;
}

function defaultPairs(layout: ResolvedLayout, phase: Phase): PhaseBlocks[] {
  if (layout[phase].attention === null) return BUILTIN_FFNS.map((ffn) => ({ ffn, attention: 'none' }));
  return builtinPairs();
}

function workloadsFor(layout: ResolvedLayout, batch: number | undefined): { prefill: WorkloadSpec; decode: WorkloadSpec } {
  if (batch === undefined) return { prefill: layout.prefill.workload, decode: layout.decode.workload };
  return { prefill: { ...layout.prefill.workload, batch }, decode: { ...layout.decode.workload, batch } };
}

function requestTokens(w: { prefill: WorkloadSpec; decode: WorkloadSpec }): number {
  return w.prefill.batch * w.prefill.prompt + w.decode.batch * w.decode.generate;
}

/**
 * A lower bound on a whole request's latency for any mesh of `chips` and any built-in pair: per
 * pass and layer, the weight matmuls' FLOPs and weight reads, shared over every chip.
 */
function latencyBound(layout: ResolvedLayout, chips: number, w: { prefill: WorkloadSpec; decode: WorkloadSpec }, dtype: Dtype, attention: boolean): { prefill: number; decode: number } {
  const m = layout.model;
  const d = m.dims;
  const hw = layout.mesh.hardware;
  const ffnMatrices = m.ffn === 'swiglu' ? 3 : 2;
  const perLayer = ffnMatrices * d.E * d.F + (attention ? 2 * d.E * d.H * d.Q + 2 * d.E * d.K * d.Q : 0);
  const pass = (tokens: number) => m.layers * Math.max((2 * tokens * perLayer) / (chips * hw.flops * hw.flops_eff), (perLayer * DTYPE_BYTES[dtype]) / (chips * hw.hbm_bw * hw.hbm_eff));
  return { prefill: pass(w.prefill.batch * w.prefill.prompt), decode: w.decode.generate * pass(w.decode.batch) };
}

function objectiveOf(objective: Objective, latency: number, chips: number, tokens: number): number {
  return objective === 'latency' ? latency : (chips * latency) / tokens;
}

const DTYPE_ORDER = (d: Dtype) => ALL_DTYPES.indexOf(d);

/** Search; pure, deterministic. Throws `SearchCancelled` when cancelled. */
export function best(analysis: Analysis, layout: ResolvedLayout, options: BestOptions = {}): BestResult {
  const objective = options.objective ?? 'latency';
  const top = Math.max(1, options.top ?? 5);
  const requireFit = options.requireFit ?? true;
  const maxLatency = options.maxLatency ?? Infinity;
  const prune = options.prune ?? options.pairs === undefined;
  const chipsList = [...(options.chips ?? [layout.mesh.chips])];
  const batches: (number | undefined)[] = options.batches ? [...options.batches] : [undefined];
  const dtypes = [...new Set(options.dtypes ?? ALL_DTYPES)];
  const pairs = {
    prefill: [...(options.pairs?.prefill ?? defaultPairs(layout, 'prefill'))],
    decode: [...(options.pairs?.decode ?? defaultPairs(layout, 'decode'))],
  };
  const hasAttention = [...pairs.prefill, ...pairs.decode].every((p) => p.attention !== 'none');

  // Dtypes of one byte width cost the same: one representative costs the passes.
  const widths = new Map<number, Dtype[]>();
  for (const d of dtypes) widths.set(DTYPE_BYTES[d], [...(widths.get(DTYPE_BYTES[d]) ?? []), d]);

  const cells: Cell[] = [];
  for (const chips of chipsList) {
    for (const shape of meshFactorizations(chips, options.rule)) {
      for (const batch of batches) {
        const w = workloadsFor(layout, batch);
        for (const group of widths.values()) {
          const lb = latencyBound(layout, chips, w, group[0], hasAttention);
          cells.push({ chips, shape, batch, dtypes: group, bound: objectiveOf(objective, lb.prefill + lb.decode, chips, requestTokens(w)), decodeBound: lb.decode });
        }
      }
    }
  }
  cells.sort((a, b) => a.bound - b.bound);

  const stats = { space: cells.reduce((s, c) => s + c.dtypes.length, 0) * pairs.prefill.length * pairs.decode.length, passes: 0, layouts: 0, cells: cells.length, cellsSkipped: 0 };
  const kept: Ranked[] = [];
  const threshold = () => (kept.length < top ? Infinity : kept[kept.length - 1].objective);
  const slack = 1 + 1e-9;

  for (let ci = 0; ci < cells.length; ci++) {
    throwIfCancelled(options.cancel);
    const cell = cells[ci];
    options.onProgress?.(ci, cells.length);
    // A cell can only hold a configuration if its bound beats the N-th best and the latency cap.
    const latencyLowerBound = objective === 'latency' ? cell.bound : (cell.bound * requestTokens(workloadsFor(layout, cell.batch))) / cell.chips;
    if (prune && (cell.bound > threshold() * slack || latencyLowerBound > maxLatency * slack)) {
      stats.cellsSkipped++;
      continue;
    }
    evaluateCell(analysis, layout, cell, pairs, { objective, maxLatency, requireFit, top, kept, stats, threshold, slack, useBound: prune });
  }
  options.onProgress?.(cells.length, cells.length);

  const candidates = kept.map(({ objective: _o, ...c }, i) => ({ ...c, rank: i + 1 }));
  const taken = new Set<string>();
  for (const c of candidates) {
    const comment = `shardlens best #${c.rank} for ${layout.name} (${objective}): latency ${c.latency_s.toPrecision(4)} s, ${(c.cost_chip_s_per_token * 1e3).toPrecision(4)} chip-ms/token`;
    c.text = layoutSnippet(analysis, layout, { name: `${layout.name}_best${c.rank}`, shape: c.shape, weights: c.weights, workload: c.workload, prefill: c.prefill, decode: c.decode, comment }, taken);
  }
  const result: BestResult = {
    layout: layout.name,
    model: layout.model.name,
    hardware: layout.mesh.hardware.name,
    objective,
    ...(Number.isFinite(maxLatency) ? { maxLatency } : {}),
    requireFit,
    candidates,
    stats,
  };
  if (!candidates.length) {
    result.message = cells.length === 0
      ? `no mesh: ${chipsList.join(', ')} chips cannot be split into power-of-two axes${options.rule ? ' that the axis rule allows' : ''}`
      : `no configuration ${Number.isFinite(maxLatency) ? `meets the latency limit of ${maxLatency} s${requireFit ? ' and ' : ''}` : ''}${requireFit ? 'fits in memory' : 'resolves'}; try more chips, a narrower dtype or a smaller batch`;
  }
  return result;
}

interface Ranked extends BestCandidate {
  objective: number;
}

interface CellContext {
  objective: Objective;
  maxLatency: number;
  requireFit: boolean;
  top: number;
  kept: Ranked[];
  stats: BestResult['stats'];
  threshold: () => number;
  slack: number;
  /** Trust the weight lower bound (built-in blocks only). */
  useBound: boolean;
}

/** Order of the final list: objective, then the other measure, then shape, dtype, pairs. */
function compareRanked(a: Ranked, b: Ranked): number {
  return a.objective - b.objective
    || a.latency_s - b.latency_s || a.cost_chip_s_per_token - b.cost_chip_s_per_token
    || compareShapesForTie(a.shape, b.shape) || DTYPE_ORDER(a.weights) - DTYPE_ORDER(b.weights)
    || `${a.prefill.ffn} ${a.prefill.attention} ${a.decode.ffn} ${a.decode.attention}`.localeCompare(`${b.prefill.ffn} ${b.prefill.attention} ${b.decode.ffn} ${b.decode.attention}`);
}

function evaluateCell(analysis: Analysis, layout: ResolvedLayout, cell: Cell, pairs: Record<Phase, PhaseBlocks[]>, ctx: CellContext): void {
  const dtype = cell.dtypes[0];
  const w = workloadsFor(layout, cell.batch);
  const mesh = meshOfShape(layout.mesh.hardware, cell.shape, `${layout.mesh.name}_${shapeName(cell.shape)}`);
  const base: ResolvedLayout = dtype === layout.model.weights ? layout : { ...layout, model: { ...layout.model, weights: dtype } };
  const model = base.model;
  const options = { mesh, workload: w };

  // Prefill passes without the cache re-layout (added per decode attention below).
  const prefillSizes = passSizes(model, w.prefill, 'prefill');
  const pre = pairs.prefill.map((pair) => {
    const v = resolveLayoutVariant(analysis, base, { prefill: pair }, options);
    if (!v) return undefined;
    const alone: ResolvedLayout = { ...v, decode: { ...v.decode, attention: v.prefill.attention } };
    ctx.stats.passes++;
    const pass = costPass(alone, alone.prefill, prefillSizes);
    return { pair, v, latency: pass.latency.value, activationBytes: pass.activationBytes };
  });
  const tokens = requestTokens(w);
  // The prefill passes and the bound on decode may already rule the whole cell out.
  const fastestPrefill = Math.min(...pre.map((p) => (p ? p.latency : Infinity)));
  const cellLatency = fastestPrefill + (ctx.useBound ? cell.decodeBound : 0);
  if (!Number.isFinite(fastestPrefill) || cellLatency > ctx.maxLatency * ctx.slack || objectiveOf(ctx.objective, cellLatency, cell.chips, tokens) > ctx.threshold() * ctx.slack) return;
  const decodeSizes = passSizes(model, w.decode, 'decode', 'mean');
  const dec = pairs.decode.map((pair) => {
    const v = resolveLayoutVariant(analysis, base, { decode: pair }, options);
    if (!v) return undefined;
    ctx.stats.passes++;
    const pass = costPass(v, v.decode, decodeSizes);
    return { pair, v, step: pass.latency.value, activationBytes: pass.activationBytes };
  });
  const conversions = new Map<string, number>();
  const conversionTime = (p: NonNullable<(typeof pre)[number]>, d: NonNullable<(typeof dec)[number]>) => {
    const a = p.v.prefill.attention;
    const b = d.v.decode.attention;
    const key = `${a?.name}|${b?.name}`;
    let t = conversions.get(key);
    if (t === undefined) {
      const c = cacheConversion(a, b, prefillSizes, mesh, model);
      t = c ? c.time_s * model.layers : 0;
      conversions.set(key, t);
    }
    return t;
  };

  // Combinations by their latency without the cache re-layout (a lower bound: the re-layout
  // only adds), so the re-layout is costed only for combinations that could still make the list.
  const combos: { p: NonNullable<(typeof pre)[number]>; d: NonNullable<(typeof dec)[number]>; withoutConversion: number }[] = [];
  for (const p of pre) {
    if (!p) continue;
    for (const d of dec) if (d) combos.push({ p, d, withoutConversion: p.latency + w.decode.generate * d.step });
  }
  combos.sort((a, b) => a.withoutConversion - b.withoutConversion);
  for (const combo of combos) {
    if (combo.withoutConversion > ctx.maxLatency * ctx.slack) break;
    if (objectiveOf(ctx.objective, combo.withoutConversion, cell.chips, tokens) > ctx.threshold() * ctx.slack) break;
    const latencyEstimate = combo.withoutConversion + conversionTime(combo.p, combo.d);
    if (latencyEstimate > ctx.maxLatency * ctx.slack) continue;
    if (objectiveOf(ctx.objective, latencyEstimate, cell.chips, tokens) > ctx.threshold() * ctx.slack) continue;
    for (const weights of cell.dtypes) {
      if (objectiveOf(ctx.objective, latencyEstimate, cell.chips, tokens) > ctx.threshold() * ctx.slack) break;
      // What the checker's variant with both choices gives: each phase as resolved on its own.
      const full: ResolvedLayout = {
        ...base,
        model: weights === model.weights ? model : { ...model, weights },
        mesh,
        prefill: combo.p.v.prefill,
        decode: combo.d.v.decode,
        unembed: combo.d.v.unembed,
      };
      // Memory with the decode activations of the mean step is a lower bound of the real one
      // (the last step attends to more): a configuration that fails it is out without costing.
      if (ctx.requireFit && !costMemory(full, { prefill: combo.p.activationBytes, decode: combo.d.activationBytes }).fits) continue;
      const cost = costLayout(full);
      ctx.stats.layouts++;
      const latency = cost.totalLatency.value;
      if (latency > ctx.maxLatency) continue;
      if (ctx.requireFit && !cost.memory.fits) continue;
      const ranked: Ranked = {
        rank: 0,
        chips: cell.chips,
        shape: cell.shape,
        mesh: shapeName(cell.shape),
        weights,
        workload: w,
        prefill: combo.p.pair,
        decode: combo.d.pair,
        latency_s: latency,
        prefill_latency_s: cost.prefill.latency.value,
        decode_latency_s: cost.decode.latency.value,
        decode_step_s: cost.decode.pass.latency.value,
        cost_chip_s_per_token: (cell.chips * latency) / tokens,
        mfu: { prefill: cost.prefill.mfu.value, decode: cost.decode.mfu.value },
        memory_bytes: Math.max(cost.memory.total.prefill.value, cost.memory.total.decode.value),
        hbm_bytes: cost.memory.hbm,
        fits: cost.memory.fits,
        text: '',
        cost,
        layout: full,
        objective: objectiveOf(ctx.objective, latency, cell.chips, tokens),
      };
      ctx.kept.push(ranked);
      ctx.kept.sort(compareRanked);
      if (ctx.kept.length > ctx.top) ctx.kept.length = ctx.top;
    }
  }
}

