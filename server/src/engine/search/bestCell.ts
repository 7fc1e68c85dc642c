// One cell of the `best` search: a mesh shape, a batch and a weight byte width. Its prefill and
// decode passes are costed once per block pair and combined; the combinations that could still
// enter the list are costed in full and checked against the constraints (see best.ts).

import type { Analysis } from '../analysis';
import { resolveLayoutVariant } from '../analysis';
import type { Phase, ResolvedLayout } from '../check/resolved';
import { costLayout } from '../cost/index';
import { costPass } from '../cost/pass';
import { cacheConversion } from '../cost/cacheConversion';
import { costMemory } from '../cost/memory';
import { passSizes } from '../cost/sizes';
import type { BlockPair } from './common';
import { sameAsFullBatch } from './pairs';
import { compareShapesForTie, refactoredMesh, shapeName, type MeshShape } from './meshes';
import { DTYPE_ORDER, objectiveOf, requestTokens, workloadsFor, type BestResult, type Cell, type Objective, type Ranked } from './bestTypes';

export interface CellContext {
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

/** Each axis's size and network tier, in no order: two shapes with the same list differ only in axis names. */
function tierSignature(layout: ResolvedLayout, shape: MeshShape): string {
  return refactoredMesh(layout.mesh, shape).axes.map((a) => `${a.size}:${a.tier ?? ''}:${a.link_bw}:${a.topology}:${a.wrap}`).sort().join(' ');
}

/**
 * Two configurations a reader cannot tell apart: the same chips, dtype, batches and blocks, the
 * same figures, and meshes that are permutations of each other on the same tiers and links.
 */
function samePermutation(a: Ranked, b: Ranked, layout: ResolvedLayout): boolean {
  const close = (x: number, y: number) => Math.abs(x - y) <= 1e-9 * Math.max(Math.abs(x), Math.abs(y));
  return a.chips === b.chips && a.weights === b.weights && a.mesh !== b.mesh
    && a.workload.prefill.batch === b.workload.prefill.batch && a.workload.decode.batch === b.workload.decode.batch
    && a.prefill.ffn === b.prefill.ffn && a.prefill.attention === b.prefill.attention && a.decode.ffn === b.decode.ffn && a.decode.attention === b.decode.attention
    && [...a.shape].sort().join() === [...b.shape].sort().join()
    && close(a.latency_s, b.latency_s) && close(a.cost_chip_s_per_token, b.cost_chip_s_per_token)
    && tierSignature(layout, a.shape) === tierSignature(layout, b.shape);
}

export function evaluateCell(analysis: Analysis, layout: ResolvedLayout, cell: Cell, allPairs: Record<Phase, BlockPair[]>, ctx: CellContext): void {
  const dtype = cell.dtypes[0];
  const w = workloadsFor(layout, cell.batch);
  const mesh = refactoredMesh(layout.mesh, cell.shape);
  // A partial-axis batch family on a mesh whose other axes have size 1 is `batch` again: tried once.
  const pairs = { prefill: allPairs.prefill.filter((p) => !sameAsFullBatch(p, mesh)), decode: allPairs.decode.filter((p) => !sameAsFullBatch(p, mesh)) };
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
      t = c ? c.time * model.layers : 0;
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
        sameAs: [],
        changes: [],
        text: '',
        cost,
        layout: full,
        objective: objectiveOf(ctx.objective, latency, cell.chips, tokens),
      };
      const twin = ctx.kept.find((k) => samePermutation(k, ranked, layout));
      if (twin) {
        // One entry for both shapes, shown under the one the tie-break prefers.
        const keep = compareRanked(twin, ranked) <= 0 ? twin : ranked;
        const other = keep === twin ? ranked : twin;
        keep.sameAs = [...new Set([...keep.sameAs, other.mesh, ...other.sameAs])].sort();
        if (keep !== twin) ctx.kept[ctx.kept.indexOf(twin)] = keep;
        ctx.kept.sort(compareRanked);
        continue;
      }
      ctx.kept.push(ranked);
      ctx.kept.sort(compareRanked);
      if (ctx.kept.length > ctx.top) ctx.kept.length = ctx.top;
    }
  }
}

