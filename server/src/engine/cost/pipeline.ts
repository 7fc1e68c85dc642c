// Pipeline parallelism (docs/cost-model.md "Pipelines"): a phase with `pipeline = AXIS` splits the
// model's layers into S stages along that mesh axis (S = its size). Each stage runs its layers on
// the stage mesh (the phase's mesh with the axis of size 1) a microbatch at a time, and hands the
// residual stream to the next stage over the axis's link. The slowest stage sets the pace:
//   slot = t_stage + t_hop          (t_stage: the slowest stage's time for one microbatch)
//   prefill:      time = (m + S − 1) · slot,   idle fraction (S − 1) / (m + S − 1)
//   decode step:  time = max(m, S) · slot,     idle fraction (max(m, S) − m) / max(m, S)
// In decode each of the m batch groups goes through all S stages for each token, so with m ≥ S
// groups in flight every stage is always busy (a step is m slots), and with fewer each stage
// idles while the others work (a step is S slots: one group's round trip).

import type { MeshAxis, ModelSpec, Phase, PipelineSpec, ResolvedLayout } from '../check/resolved';
import { formatType } from '../check/shardType';
import { explained, input, type Explained, type Input } from './explained';
import { costMemory } from './memory';
import { costPass } from './pass';
import { axisSizes, localElements, passSizes } from './sizes';
import { dominantBound } from './totals';
import type { BlockCost, LayerCost, LayerRows, MemoryCost, OpCost, PassCost, Totals } from './types';
import { layerRowsOf } from './sequenceFigures';

/**
 * The layers of one stage: how many, how many of them are sliding-window ("local") layers, and
 * how many have an MoE model's dense FFN (`dense_layers`).
 */
export interface StageLayers {
  layers: number;
  local: number;
  dense: number;
}

/**
 * The stages' layers. The model's layer list is cut into S runs of consecutive layers, as even as
 * whole layers allow: the first (layers mod S) stages hold one layer more. Layers that differ are
 * placed as the list has them: a model with a window has its global layers spread evenly through
 * the list (layer j of g at position ⌊(j + 1)·layers / g⌋ − 1, so the last layer is global, as in
 * Gemma 3's 5 local : 1 global), and an MoE model's dense layers are its first ones
 * (DeepSeek-V3's first_k_dense_replace); each stage counts the kinds it holds.
 */
export function stageLayers(model: ModelSpec, stages: number): StageLayers[] {
  const n = model.layers;
  const local = model.window !== undefined ? (model.local_layers ?? n) : 0;
  const g = n - local;
  const denseLayers = model.dense_layers ?? 0;
  const isGlobal = new Uint8Array(n);
  for (let j = 0; j < g; j++) isGlobal[Math.floor(((j + 1) * n) / g) - 1] = 1;
  const base = Math.floor(n / stages);
  const extra = n % stages;
  const out: StageLayers[] = [];
  let at = 0;
  for (let s = 0; s < stages; s++) {
    const count = base + (s < extra ? 1 : 0);
    let globals = 0;
    for (let k = 0; k < count; k++) globals += isGlobal[at + k];
    const dense = Math.max(0, Math.min(count, denseLayers - at));
    at += count;
    out.push({ layers: count, local: count - globals, dense });
  }
  return out;
}

/** The model as one stage sees it: its own layers (and local and dense layers, when the model has them). */
function stageModel(model: ModelSpec, s: StageLayers): ModelSpec {
  const stage: ModelSpec = { ...model, layers: s.layers };
  if (model.window !== undefined) stage.local_layers = s.local;
  if (model.dense_layers !== undefined) stage.dense_layers = s.dense;
  return stage;
}

/** Per-stage memory per chip: the stage's layers' weights and cache, and the embedding tables it holds. */
export interface StageMemory {
  stage: number;
  layers: number;
  weights: Explained;
  kv: Explained;
  /** The larger of the prefill and decode needs. */
  total: Explained;
  fits: boolean;
}

/** A pipelined phase's figures (report JSON `pipeline`). */
export interface PipelinePhaseCost {
  phase: Phase;
  axis: string;
  stages: number;
  microbatches: number;
  /** Sequences per microbatch: B / microbatches. */
  microbatch: number;
  layersPerStage: number[];
  /** Each stage's time for one microbatch (the first adds the embedding, the last the unembedding). */
  stageTimes: number[];
  /** The stage that sets the pace (0-based). */
  slowest: number;
  stageTime: Explained;
  /** The residual one chip sends to the next stage per microbatch, and its time over the axis. */
  transferBytes: Explained;
  transfer: Explained;
  /** What the pipeline axis runs over (`scale-out`, `scale-up`, `ICI`, …). */
  link: string;
  slots: number;
  bubble: Explained;
  /** Prefill: the whole prefill. Decode: one step. */
  time: Explained;
}

/** What the pipeline axis's hop runs over, for the explanation. */
function linkName(a: MeshAxis): string {
  if (a.tier === 'scale-out' || a.tier === 'spans') return 'scale-out network';
  if (a.tier === 'scale-up') return 'scale-up links';
  return a.topology === 'torus' ? 'ICI' : 'switch';
}

/**
 * A pipelined pass: its latency is the pipeline's time (`time`), its per-op breakdown the slowest
 * stage's layer at the microbatch, its totals that stage's per slot times the slots.
 */
export class PipelinedPass implements PassCost {
  constructor(
    private readonly stagePass: PassCost,
    readonly pipeline: PipelinePhaseCost,
    readonly totals: Totals,
  ) {}

  get sizes() { return this.stagePass.sizes; }
  get layer(): LayerCost { return this.stagePass.layer; }
  layerRows(): LayerRows { return layerRowsOf(this.stagePass); }
  get embed(): OpCost { return this.stagePass.embed; }
  get unembed(): BlockCost | null { return this.stagePass.unembed; }
  get cacheConversion(): BlockCost | null { return this.stagePass.cacheConversion; }
  get latency(): Explained { return this.pipeline.time; }
  get bound() { return dominantBound(this.totals.byBound); }
  get activationBytes(): number { return this.stagePass.activationBytes; }

  toJSON(): Omit<PassCost, 'toJSON'> {
    return { sizes: this.sizes, layer: this.layer, embed: this.embed, unembed: this.unembed, cacheConversion: this.cacheConversion, latency: this.latency, totals: this.totals, bound: this.bound, activationBytes: this.activationBytes };
  }
}

/** The pipeline figures of a pass, when it is pipelined. */
export function pipelineOf(pass: PassCost): PipelinePhaseCost | undefined {
  return pass instanceof PipelinedPass ? pass.pipeline : undefined;
}

/**
 * One pipelined pass of `phase` (the whole prefill, or one decode step at the mean or last T).
 * `layout` is the phase's view (transfer.ts `phaseLayout`): its mesh is the phase's.
 */
export function costPipelinedPass(layout: ResolvedLayout, phase: Phase, step: 'mean' | 'last' = 'mean'): PipelinedPass {
  const spec = layout[phase];
  const pipe = spec.pipeline as PipelineSpec;
  const S = pipe.stages;
  const m = pipe.microbatches;
  const w = spec.workload;
  const micro = { ...w, batch: w.batch / m };
  const sizes = phase === 'prefill' ? passSizes(layout.model, micro, 'prefill') : passSizes(layout.model, micro, 'decode', step);
  const stageView: ResolvedLayout = { ...layout, mesh: pipe.stageMesh };
  const stageSpec = { ...spec, mesh: pipe.stageMesh, workload: micro };
  const plans = stageLayers(layout.model, S);
  // Stages with the same layers cost the same: each distinct one once.
  const passes = new Map<string, PassCost>();
  const passOf = (p: StageLayers) => {
    const key = `${p.layers}/${p.local}/${p.dense}`;
    let pass = passes.get(key);
    if (!pass) passes.set(key, (pass = costPass(stageView, stageSpec, sizes, stageModel(layout.model, p))));
    return pass;
  };
  // A stage pass costs the embedding and the unembedding; only the first and last stage run them.
  const stageTimes = plans.map((p, s) => {
    const pass = passOf(p);
    return pass.latency.value - (s > 0 ? pass.embed.time.value : 0) - (s < S - 1 ? (pass.unembed?.time ?? 0) : 0);
  });
  let slowest = 0;
  for (let s = 1; s < S; s++) if (stageTimes[s] > stageTimes[slowest]) slowest = s;
  const slowPass = passOf(plans[slowest]);
  const tStage = stageTimes[slowest];
  const role = S === 1 ? 'the only stage' : slowest === 0 ? 'the first stage, with the embedding' : slowest === S - 1 ? 'the last stage, with the unembedding' : 'a middle stage';
  const stageTime = explained(tStage, 's', 't_pass − parts other stages run', () => ({
    t_pass: input(slowPass.latency.value, 's', `stage ${slowest + 1} of ${S} (${role}): ${plans[slowest].layers} layers on the stage mesh (${pipe.axis} = 1), B = ${micro.batch}`),
    'parts other stages run': input(slowPass.latency.value - tStage, 's', 'the embedding (first stage) and the unembedding (last stage) when this stage does not run them'),
  }));

  // The hop: each chip of a stage sends its shard of the residual stream (B·L·E over the stage's
  // chips as the ffn's input type splits it, bf16) to its counterpart in the next stage.
  const axis = spec.mesh.axes.find((a) => a.name === pipe.axis)!;
  const hw = spec.mesh.hardware;
  const residual = spec.ffn.input?.type;
  const elements = residual ? localElements(residual, sizes, axisSizes(pipe.stageMesh)) : sizes.B * sizes.L * sizes.E;
  const transferBytes = explained(S > 1 ? elements * 2 : 0, 'B', S > 1 ? 'local residual elements × 2 B' : 'one stage: no hop', () => ({
    'local residual elements': input(elements, 'elements', `${residual ? formatType(residual, pipe.stageMesh.axes.map((a) => a.name)) : 'BLE'} at B = ${sizes.B}, L = ${sizes.L}: one chip's part of B·L·E = ${sizes.B * sizes.L * sizes.E}`),
  }));
  const alpha = hw.collective_latency + (axis.latency ?? 0);
  const bw = axis.link_bw * hw.link_eff;
  const link = linkName(axis);
  const transfer = S > 1
    ? explained(alpha + transferBytes.value / bw, 's', 'α + bytes / (link_bw · link_eff)', () => ({
      'α': input(alpha, 's', axis.latency ? 'collective_latency + scaleout_latency' : 'collective_latency'),
      bytes: input(transferBytes.value, 'B', 'per chip, one microbatch'),
      link_bw: input(axis.link_bw, 'B/s', `axis ${pipe.axis} (${link}), one link, one direction`),
      link_eff: input(hw.link_eff, ''),
    }))
    : explained(0, 's', 'one stage: no hop');

  const slot = tStage + transfer.value;
  const slots = phase === 'prefill' ? m + S - 1 : Math.max(m, S);
  const prefill = phase === 'prefill';
  const inputs = (): Record<string, Input> => ({
    m: input(m, '', `microbatches of B = ${micro.batch}`),
    S: input(S, '', `stages: size of axis ${pipe.axis}`),
    t_stage: input(tStage, 's', `stage ${slowest + 1}, the slowest, one microbatch`),
    t_hop: input(transfer.value, 's', `one microbatch to the next stage over ${link}`),
  });
  const time = explained(slots * slot, 's', prefill ? '(m + S − 1) · (t_stage + t_hop)' : 'max(m, S) · (t_stage + t_hop)', inputs);
  const bubble = prefill
    ? explained((S - 1) / slots, '', '(S − 1) / (m + S − 1)', () => ({ m: input(m, ''), S: input(S, '') }))
    : explained((slots - m) / slots, '', '(max(m, S) − m) / max(m, S)', () => ({ m: input(m, '', 'batch groups in flight'), S: input(S, '') }));

  const t = stageTotals(slowPass, slowest, S);
  const hopBytes = transferBytes.value;
  const totals: Totals = {
    time: time.value,
    flops: m * t.flops,
    commBytes: m * (t.commBytes + hopBytes),
    computeTime: slots * t.computeTime,
    memoryTime: slots * t.memoryTime,
    commTime: slots * (t.commTime + transfer.value),
    allToAllTime: slots * t.allToAllTime,
    byBound: { compute: slots * t.byBound.compute, memory: slots * t.byBound.memory, comm: slots * (t.byBound.comm + transfer.value) },
  };
  const figures: PipelinePhaseCost = {
    phase, axis: pipe.axis, stages: S, microbatches: m, microbatch: micro.batch,
    layersPerStage: plans.map((p) => p.layers), stageTimes, slowest, stageTime, transferBytes, transfer, link, slots, bubble, time,
  };
  return new PipelinedPass(slowPass, figures, totals);
}

/**
 * The totals of stage `s` of S for one microbatch: its pass's, without the embedding (all stages
 * but the first) and the unembedding (all but the last), as its time is.
 */
function stageTotals(pass: PassCost, s: number, S: number): Totals {
  const t = pass.totals;
  const out: Totals = { ...t, byBound: { ...t.byBound } };
  if (s > 0) {
    const e = pass.embed;
    out.time -= e.time.value;
    out.memoryTime -= e.memoryTime.value;
    out.byBound[e.bound] -= e.time.value;
  }
  const u = s < S - 1 ? pass.unembed : null;
  if (u) {
    out.time -= u.time;
    out.flops -= u.flops;
    out.commBytes -= u.commBytes;
    out.computeTime -= u.computeTime;
    out.memoryTime -= u.memoryTime;
    out.commTime -= u.commTime;
    out.allToAllTime -= u.allToAllTime;
    for (const b of ['compute', 'memory', 'comm'] as const) out.byBound[b] -= u.byBound[b];
  }
  return out;
}

/**
 * Memory per chip of a pipelined pool (`layout` is the pool's view, its phases pipelined over one
 * axis): each stage holds its own layers' weights and KV cache on the stage mesh; the first stage
 * holds the input embedding table and the last the output table (with tied embeddings each holds a
 * copy), one stage alone both. The pool's figures are the heaviest stage's; it fits when every
 * stage fits; its longest context is the tightest stage's.
 */
export function pipelineMemory(layout: ResolvedLayout, activations: { prefill: number; decode: number }): { memory: MemoryCost; stages: StageMemory[] } {
  const pipe = (layout.decode.pipeline ?? layout.prefill.pipeline) as PipelineSpec;
  const S = pipe.stages;
  const plans = stageLayers(layout.model, S);
  const copies = layout.model.tied_embeddings ? 1 : 2;
  const memos = new Map<string, MemoryCost>();
  const act = Math.max(activations.prefill, activations.decode);
  const pools = plans.map((p) => {
    const key = `${p.layers}/${p.local}/${p.dense}`;
    let mem = memos.get(key);
    if (!mem) memos.set(key, (mem = costMemory({ ...layout, mesh: pipe.stageMesh, model: stageModel(layout.model, p) }, activations)));
    return mem;
  });
  const stages: StageMemory[] = plans.map((p, s) => {
    const mem = pools[s];
    let tables = 0;
    for (const it of mem.weightItems) if (it.role === 'embedding') tables += it.bytes;
    const ends = (s === 0 ? 1 : 0) + (s === S - 1 ? 1 : 0);
    // One stage holds every table; otherwise the first and the last hold one table's share each.
    const held = S === 1 ? tables : (ends * tables) / copies;
    const layerBytes = mem.weights.value - tables;
    const heldNote = S === 1 ? 'every embedding table (one stage)' : s === 0 ? 'the input embedding table (first stage)' : s === S - 1 ? 'the output embedding table (last stage)' : 'none (a middle stage)';
    const weights = explained(layerBytes + held, 'B', 'stage_layers × Σ local weight bytes + tables held', () => ({
      stage_layers: input(p.layers, '', `stage ${s + 1} of ${S}`),
      'Σ local weight bytes': input(p.layers > 0 ? layerBytes / p.layers : 0, 'B', `one layer on the stage mesh (${pipe.axis} = 1)`),
      'tables held': input(held, 'B', heldNote),
    }));
    const kv = mem.kv;
    const total = explained(weights.value + kv.value + act, 'B', 'weights + kv + activations', () => ({
      weights: input(weights.value, 'B', `stage ${s + 1}`), kv: input(kv.value, 'B', `stage ${s + 1}'s ${p.layers} layers`), activations: input(act, 'B', 'one microbatch'),
    }));
    return { stage: s, layers: p.layers, weights, kv, total, fits: total.value <= mem.hbm };
  });
  let heavy = 0;
  for (let s = 1; s < S; s++) if (stages[s].total.value > stages[heavy].total.value) heavy = s;
  let tight = 0;
  for (let s = 1; s < S; s++) if (pools[s].maxContext.value < pools[tight].maxContext.value) tight = s;
  const h = stages[heavy];
  const hbm = pools[heavy].hbm;
  const kvAll = pools.reduce((sum, p) => sum + p.kvTotal.value, 0);
  const kvTotal = explained(kvAll, 'B', 'Σ stages (KV cache of the stage, all its chips)', () => ({
    'Σ stages (KV cache of the stage, all its chips)': input(kvAll, 'B', `${S} stages of ${[...new Set(plans.map((p) => p.layers))].join(' or ')} layers`),
  }));
  const totalFor = (a: number) => explained(h.weights.value + h.kv.value + a, 'B', 'weights + kv + activations', () => ({
    weights: input(h.weights.value, 'B', `stage ${heavy + 1}, the heaviest`), kv: input(h.kv.value, 'B', `stage ${heavy + 1}`), activations: input(a, 'B', 'one microbatch'),
  }));
  const heavyMem = pools[heavy];
  const memory: MemoryCost = {
    weights: h.weights,
    kv: h.kv,
    kvTotal,
    activations,
    total: { prefill: totalFor(activations.prefill), decode: totalFor(activations.decode) },
    hbm,
    fits: stages.every((st) => st.fits),
    maxContext: pools[tight].maxContext,
    get weightItems() {
      return heavyMem.weightItems;
    },
    get kvItems() {
      return heavyMem.kvItems;
    },
  };
  return { memory, stages };
}
