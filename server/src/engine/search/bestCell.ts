// One cell of the `best` search: a mesh shape, a batch and a weight byte width. Its prefill and
// decode passes are costed once per block pair and combined; the combinations that could still
// enter the list are costed in full and checked against the constraints (see best.ts).

import type { Analysis } from '../analysis';
import { resolveLayoutVariant } from '../analysis';
import type { MeshSpec, Phase, ResolvedLayout } from '../check/resolved';
import { costLayout } from '../cost/index';
import { costPass } from '../cost/pass';
import { cacheConversion } from '../cost/cacheConversion';
import { costMemory } from '../cost/memory';
import { passSizes } from '../cost/sizes';
import type { BlockPair } from './common';
import { sameAsFullBatch } from './pairs';
import { compareShapesForTie, refactoredMesh, shapeName, type MeshShape } from './meshes';
import { isPooled, requestChipSeconds } from './pools';
import { cellObjective, DTYPE_ORDER, requestTokens, workloadsFor, type BestResult, type Cell, type Objective, type Ranked } from './bestTypes';

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
function tierSignature(mesh: MeshSpec, shape: MeshShape): string {
  return refactoredMesh(mesh, shape).axes.map((a) => `${a.size}:${a.tier ?? ''}:${a.link_bw}:${a.topology}:${a.wrap}`).sort().join(' ');
}

/**
 * Two configurations a reader cannot tell apart: the same chips, dtype, batches and blocks, the
 * same figures, and meshes that are permutations of each other on the same tiers and links.
 */
function samePermutation(a: Ranked, b: Ranked, layout: ResolvedLayout): boolean {
  const close = (x: number, y: number) => Math.abs(x - y) <= 1e-9 * Math.max(Math.abs(x), Math.abs(y));
  // Each mesh (each pool's, on two pools) a permutation of the other's on the same tiers.
  const meshes: [MeshSpec, MeshShape, MeshShape][] = a.pools && b.pools
    ? [[layout.prefill.mesh, a.pools.prefill.shape, b.pools.prefill.shape], [layout.decode.mesh, a.pools.decode.shape, b.pools.decode.shape]]
    : [[layout.mesh, a.shape, b.shape]];
  const permuted = meshes.every(([mesh, p, q]) => [...p].sort().join() === [...q].sort().join() && tierSignature(mesh, p) === tierSignature(mesh, q));
  return permuted && a.chips === b.chips && a.weights === b.weights && a.mesh !== b.mesh
    && a.workload.prefill.batch === b.workload.prefill.batch && a.workload.decode.batch === b.workload.decode.batch
    && a.prefill.ffn === b.prefill.ffn && a.prefill.attention === b.prefill.attention && a.decode.ffn === b.decode.ffn && a.decode.attention === b.decode.attention
    && close(a.latency_s, b.latency_s) && close(a.cost_chip_s_per_token, b.cost_chip_s_per_token);
}

export function evaluateCell(analysis: Analysis, layout: ResolvedLayout, cell: Cell, allPairs: Record<Phase, BlockPair[]>, ctx: CellContext): void {
  const dtype = cell.dtypes[0];
  const w = workloadsFor(layout, cell.batch);
  // One mesh for both phases, or (two pools) each phase's own mesh re-factored.
  const pooled = cell.decodePool !== undefined;
  const mesh = refactoredMesh(pooled ? layout.prefill.mesh : layout.mesh, cell.shape);
  const decodeMesh = cell.decodePool ? refactoredMesh(layout.decode.mesh, cell.decodePool.shape) : mesh;
  // A partial-axis batch family on a mesh whose other axes have size 1 is `batch` again: tried once.
  const pairs = { prefill: allPairs.prefill.filter((p) => !sameAsFullBatch(p, mesh)), decode: allPairs.decode.filter((p) => !sameAsFullBatch(p, decodeMesh)) };
  const base: ResolvedLayout = dtype === layout.model.weights ? layout : { ...layout, model: { ...layout.model, weights: dtype } };
  const model = base.model;
  const options = { mesh, workload: w };
  const decodeOptions = { mesh: decodeMesh, workload: w };
  const objectiveAt = (prefill: number, decode: number) => cellObjective(ctx.objective, cell, prefill, decode, tokens);

  // Prefill passes without the cache re-layout (added per decode attention below).
  const tokens = requestTokens(w);
  const prefillSizes = passSizes(model, w.prefill, 'prefill');
  const pre = pairs.prefill.map((pair) => {
    const v = resolveLayoutVariant(analysis, base, { prefill: pair }, options);
    if (!v) return undefined;
    const alone: ResolvedLayout = { ...v, decode: { ...v.decode, attention: v.prefill.attention } };
    ctx.stats.passes++;
    const pass = costPass(alone, alone.prefill, prefillSizes);
    return { pair, v, latency: pass.latency.value, activationBytes: pass.activationBytes };
  });
  // The prefill passes and the bound on decode may already rule the whole cell out.
  const fastestPrefill = Math.min(...pre.map((p) => (p ? p.latency : Infinity)));
  const cellLatency = fastestPrefill + (ctx.useBound ? cell.decodeBound : 0);
  if (!Number.isFinite(fastestPrefill) || cellLatency > ctx.maxLatency * ctx.slack || objectiveAt(fastestPrefill, ctx.useBound ? cell.decodeBound : 0) > ctx.threshold() * ctx.slack) return;
  const decodeSizes = passSizes(model, w.decode, 'decode', 'mean');
  const dec = pairs.decode.map((pair) => {
    const v = resolveLayoutVariant(analysis, base, { decode: pair }, decodeOptions);
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
    // Two pools: the cache crosses to the other mesh (the KV transfer costLayout adds); 0 keeps the estimate a lower bound.
    if (pooled) return 0;
    if (t === undefined) {
      const c = cacheConversion(a, b, prefillSizes, mesh, model);
      t = c ? c.time * model.layers : 0;
      conversions.set(key, t);
    }
    return t;
  };

  // Combinations by their latency without the cache re-layout (a lower bound: the re-layout
  // only adds), so the re-layout is costed only for combinations that could still make the list.
  const combos: { p: NonNullable<(typeof pre)[number]>; d: NonNullable<(typeof dec)[number]>; withoutConversion: number; objective: number }[] = [];
  for (const p of pre) {
    if (!p) continue;
    for (const d of dec) if (d) combos.push({ p, d, withoutConversion: p.latency + w.decode.generate * d.step, objective: objectiveAt(p.latency, w.decode.generate * d.step) });
  }
  // By objective: on one mesh that is the order of latency; on two pools the chips differ per phase.
  combos.sort((a, b) => a.objective - b.objective);
  for (const combo of combos) {
    if (combo.objective > ctx.threshold() * ctx.slack) break;
    if (combo.withoutConversion > ctx.maxLatency * ctx.slack) continue;
    const conversion = conversionTime(combo.p, combo.d);
    const latencyEstimate = combo.withoutConversion + conversion;
    const objectiveEstimate = objectiveAt(combo.p.latency + conversion, w.decode.generate * combo.d.step);
    if (latencyEstimate > ctx.maxLatency * ctx.slack) continue;
    if (objectiveEstimate > ctx.threshold() * ctx.slack) continue;
    for (const weights of cell.dtypes) {
      if (objectiveEstimate > ctx.threshold() * ctx.slack) break;
      // What the checker's variant with both choices gives: each phase as resolved on its own.
      const full: ResolvedLayout = {
        ...base,
        model: weights === model.weights ? model : { ...model, weights },
        mesh: decodeMesh,
        prefill: combo.p.v.prefill,
        decode: combo.d.v.decode,
        unembed: combo.d.v.unembed,
      };
      // Memory with the decode activations of the mean step is a lower bound of the real one
      // (the last step attends to more): a configuration that fails it is out without costing.
      if (ctx.requireFit && !pooled && !costMemory(full, { prefill: combo.p.activationBytes, decode: combo.d.activationBytes }).fits) continue;
      const cost = costLayout(full);
      ctx.stats.layouts++;
      const latency = cost.totalLatency.value;
      if (latency > ctx.maxLatency) continue;
      if (ctx.requireFit && !cost.memory.fits) continue;
      const costPerToken = requestChipSeconds(full, cost) / tokens;
      const objective = ctx.objective === 'latency' ? latency : costPerToken;
      // Two pools whose meshes came out equal are one mesh that runs both phases (cost/transfer.ts).
      const twoPools = cell.decodePool !== undefined && isPooled(full) ? cell.decodePool : undefined;
      const chips = cell.chips + (twoPools?.chips ?? 0);
      const ranked: Ranked = {
        rank: 0,
        chips,
        shape: cell.shape,
        mesh: twoPools ? `${shapeName(cell.shape)} → ${shapeName(twoPools.shape)}` : shapeName(cell.shape),
        ...(twoPools ? { pools: { prefill: { chips: cell.chips, shape: cell.shape, mesh: shapeName(cell.shape) }, decode: { ...twoPools, mesh: shapeName(twoPools.shape) } } } : {}),
        weights,
        workload: w,
        prefill: combo.p.pair,
        decode: combo.d.pair,
        latency_s: latency,
        prefill_latency_s: cost.prefill.latency.value,
        decode_latency_s: cost.decode.latency.value,
        decode_step_s: cost.decode.pass.latency.value,
        cost_chip_s_per_token: costPerToken,
        mfu: { prefill: cost.prefill.mfu.value, decode: cost.decode.mfu.value },
        memory_bytes: Math.max(cost.memory.total.prefill.value, cost.memory.total.decode.value),
        hbm_bytes: cost.memory.hbm,
        fits: cost.memory.fits,
        sameAs: [],
        changes: [],
        text: '',
        cost,
        layout: full,
        objective,
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

