// Where a step's time goes (issue 16, "See it"): one layer's ops in order as bars on a time axis,
// each with the compute, memory and communication time the cost model gave it, collectives drawn
// under the einsum they overlap with (`overlap = collective_einsum`), the critical path marked;
// and the whole pass as embedding + layers × layer + unembedding (+ cache conversion in prefill).
//
// Every number is read from the layout's `LayoutCost` (the figures `report` prints); this file
// only places them on the time axis, so the timeline's total is the report's step time.

import { basisLabel } from '../cost/basis';
import type { Phase, ResolvedLayout } from '../check/resolved';
import type { BlockCost, Bound, LayerCost, LayoutCost, OpCost, Totals } from '../cost/types';

export interface TimelineBar {
  /** The op's id (`ffn.b`; `layer.…` for a fused op), unique in the layer. */
  id: string;
  /** `ROLE.NAME`, as `explain --op` takes it. */
  key: string;
  op: string;
  /** Collective axes in mesh order ('' when none). */
  axes: string;
  /** Result type in canonical form. */
  type: string;
  start_s: number;
  /** start_s + time_s. */
  end_s: number;
  /** The op's own time (the cost model's `time`). */
  time_s: number;
  compute_s: number;
  memory_s: number;
  comm_s: number;
  bound: Bound;
  /** With overlap: the einsum a collective runs under, or the collectives an einsum hides (ids). */
  overlapsWith: string[];
  /** On the critical path: the longer side of an overlap group, and every op outside one. */
  critical: boolean;
}

/** One part of a whole pass, run `count` times back to back. */
export interface StepPart {
  name: 'embed' | 'layers' | 'unembed' | 'cache conversion';
  label: string;
  count: number;
  /** One run's time; the part takes count × each_s. */
  each_s: number;
  start_s: number;
  end_s: number;
  /** One run's summed figures (before overlap). */
  compute_s: number;
  memory_s: number;
  comm_s: number;
}

/** A layout's timeline in one phase: plain data, sent as is to a webview. */
export interface Timeline {
  layout: string;
  phase: Phase;
  ffn: string;
  attention: string | null;
  overlap: 'none' | 'collective_einsum';
  /** What one pass is: `one decode step at mean T = 2080`, `the whole prefill`. */
  passNote: string;
  /** What the times are: `roofline (nominal tpu_v4)` or `calibrated (tpu_v4_pope2022)` (cost/basis.ts). */
  basis: string;
  layer: {
    time_s: number;
    bars: TimelineBar[];
    /**
     * Ids of the critical path's bars, in time order; their times add up to the layer's time
     * under full overlap (with `overlap_fraction` < 1 a group adds the exposed part of its shorter side).
     */
    criticalPath: string[];
  };
  step: {
    /** The report's latency of the pass (prefill) or step time (decode). */
    time_s: number;
    layers: number;
    parts: StepPart[];
  };
}

function barOf(o: OpCost, start: number): TimelineBar {
  const time = o.time.value;
  return {
    id: o.id,
    key: `${o.role}.${o.name}`,
    op: o.op,
    axes: o.axes,
    type: o.type,
    start_s: start,
    end_s: start + time,
    time_s: time,
    compute_s: o.computeTime.value,
    memory_s: o.memoryTime.value,
    comm_s: o.commTime.value,
    bound: o.bound,
    overlapsWith: [],
    critical: true,
  };
}

function part(name: StepPart['name'], label: string, count: number, each: number, start: number, t: Pick<Totals, 'computeTime' | 'memoryTime' | 'commTime'>): StepPart {
  return { name, label, count, each_s: each, start_s: start, end_s: start + count * each, compute_s: t.computeTime, memory_s: t.memoryTime, comm_s: t.commTime };
}

function blockPart(name: StepPart['name'], label: string, count: number, b: BlockCost, start: number): StepPart {
  return part(name, label, count, b.time, start, b);
}

/**
 * The timeline of `layout` in `phase`, from its cost. Ops run one after another; an overlap group
 * (an einsum and the collectives under it) takes one slot at the einsum's place, the einsum and
 * the collectives (back to back) starting together, as long as the group's time.
 */
export function timelineOf(layout: ResolvedLayout, cost: LayoutCost, phase: Phase): Timeline {
  const p = cost[phase];
  const pass = p.pass;
  const layer = pass.layer;
  const groupOf = new Map<string, LayerCost['overlapGroups'][number]>();
  const inGroup = new Set<string>();
  for (const g of layer.overlapGroups) {
    groupOf.set(g.einsum, g);
    for (const c of g.collectives) inGroup.add(c);
  }
  const byId = new Map(layer.ops.map((o) => [o.id, o]));
  const order = new Map(layer.ops.map((o, i) => [o.id, i]));
  const bars: TimelineBar[] = [];
  const criticalPath: string[] = [];
  let t = 0;
  for (const o of layer.ops) {
    if (inGroup.has(o.id)) continue; // drawn in its einsum's slot
    const g = groupOf.get(o.id);
    if (!g) {
      bars.push(barOf(o, t));
      criticalPath.push(o.id);
      t += o.time.value;
      continue;
    }
    const einsum = barOf(o, t);
    einsum.overlapsWith = [...g.collectives];
    const collectives: TimelineBar[] = [];
    let c = t;
    for (const id of g.collectives) {
      const co = byId.get(id);
      if (!co) continue;
      const bar = barOf(co, c);
      bar.overlapsWith = [o.id];
      c = bar.end_s;
      collectives.push(bar);
    }
    // The longer side sets the group's time (numeric.ts: comm wins a tie).
    const commLonger = c - t >= einsum.time_s;
    // Partial overlap (hardware overlap_fraction < 1): only part of the shorter side is hidden,
    // so the longer side starts once the exposed rest of it has run, ending at the group's end.
    const lag = Math.max(0, t + g.time_s - Math.max(c, einsum.end_s));
    if (lag > 0) for (const bar of commLonger ? collectives : [einsum]) { bar.start_s += lag; bar.end_s += lag; }
    einsum.critical = !commLonger;
    for (const bar of collectives) bar.critical = commLonger;
    if (commLonger) criticalPath.push(...collectives.map((b) => b.id));
    else criticalPath.push(einsum.id);
    // Rows in the cost model's order (a gather above the einsum it feeds, a scatter below).
    bars.push(...[einsum, ...collectives].sort((p, q) => order.get(p.id)! - order.get(q.id)!));
    t += g.time_s;
  }

  const layers = layout.model.layers;
  const parts: StepPart[] = [];
  let s = 0;
  const add = (x: StepPart) => {
    parts.push(x);
    s = x.end_s;
  };
  add(part('embed', 'embedding', 1, pass.embed.time.value, s, { computeTime: pass.embed.computeTime.value, memoryTime: pass.embed.memoryTime.value, commTime: pass.embed.commTime.value }));
  add(part('layers', `${layers} × layer`, layers, layer.time, s, layer));
  if (pass.unembed) add(blockPart('unembed', `unembedding (${pass.unembed.block}, L = 1)`, 1, pass.unembed, s));
  if (pass.cacheConversion) add(blockPart('cache conversion', `${layers} × cache re-layout (${pass.cacheConversion.block})`, layers, pass.cacheConversion, s));

  const sizes = pass.sizes;
  const passNote = phase === 'prefill' ? `the whole prefill: B = ${sizes.B}, L = T = ${sizes.L}` : `one decode step: B = ${sizes.B}, at mean T = ${sizes.T}`;
  return {
    layout: cost.layout,
    phase,
    ffn: p.ffn,
    attention: p.attention,
    overlap: layout.overlap,
    passNote,
    basis: basisLabel(cost.basis),
    layer: { time_s: layer.time, bars, criticalPath },
    step: { time_s: pass.latency.value, layers, parts },
  };
}
