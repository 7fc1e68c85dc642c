// A layout's full cost: both phases, the metrics of cost-model.md §4 and memory per chip.

import type { Phase, ResolvedLayout, WorkloadSpec } from '../check/resolved';
import { explained, input, type Explained } from './explained';
import { layoutBasis } from './basis';
import { costMemory } from './memory';
import { costPass } from './pass';
import { passSizes } from './sizes';
import { costPipelinedPass, pipelineMemory, pipelineOf, type StageMemory } from './pipeline';
import { costKvTransfer, isDisaggregated, phaseLayout } from './transfer';
import type { LayoutCost, LayoutPipelineCost, MemoryCost, PassCost, PhaseCost } from './types';

function metrics(layout: ResolvedLayout, tokens: number, time: number) {
  const N = layout.model.params;
  const chips = layout.mesh.chips;
  const peak = layout.mesh.hardware.flops;
  // Pope's convention: 2N FLOPs per token, nominal N, peak without efficiency factor.
  const mfu = explained(time > 0 ? (2 * N * tokens) / (chips * peak * time) : 0, '', '2·N·tokens / (chips·flops_peak·time)', () => ({
    N: input(N, '', layout.model.paramsGiven ? 'params (given)' : 'params (counted from the dims)'),
    tokens: input(tokens, 'tokens'),
    chips: input(chips, 'chips'),
    flops_peak: input(peak, 'FLOP/s'),
    time: input(time, 's'),
  }));
  const cost = explained(tokens > 0 ? (chips * time) / tokens : 0, 's', 'chips·time / tokens', () => ({
    chips: input(chips, 'chips'), time: input(time, 's'), tokens: input(tokens, 'tokens'),
  }));
  const throughput = explained(time > 0 ? tokens / time : 0, '', 'tokens / time', () => ({ tokens: input(tokens, 'tokens'), time: input(time, 's') }));
  return { mfu, cost, throughput };
}

/** The decode phase; its last step is costed on first read (only `step_s_last` and explain need it). */
class DecodePhaseCost implements PhaseCost {
  readonly phase = 'decode' as const;
  readonly workload: WorkloadSpec;
  private last: PassCost | undefined;

  constructor(
    private readonly layout: ResolvedLayout,
    readonly ffn: string,
    readonly attention: string | null,
    readonly pass: PassCost,
    readonly latency: Explained,
    readonly tokens: number,
    readonly mfu: Explained,
    readonly costChipSPerToken: Explained,
    readonly throughput: Explained,
  ) {
    this.workload = layout.decode.workload;
  }

  get lastStep(): PassCost {
    // A pipelined decode's last step is pipelined too (cost/pipeline.ts).
    return (this.last ??= this.layout.decode.pipeline
      ? costPipelinedPass(this.layout, 'decode', 'last')
      : costPass(this.layout, this.layout.decode, passSizes(this.layout.model, this.workload, 'decode', 'last')));
  }

  /** Plain data for JSON and structured clones (the layout itself stays out). */
  toJSON(): Omit<PhaseCost, 'lastStep'> & { lastStep: PassCost } {
    return { phase: this.phase, workload: this.workload, ffn: this.ffn, attention: this.attention, pass: this.pass, lastStep: this.lastStep, latency: this.latency, tokens: this.tokens, mfu: this.mfu, costChipSPerToken: this.costChipSPerToken, throughput: this.throughput };
  }
}

function phaseName(block: { name: string } | null): string | null {
  return block ? block.name : null;
}

/**
 * The pass a phase is costed and judged by: the whole prefill, or one decode step at the mean T.
 * (The better-layout search costs only this pass of an alternative's changed phase.)
 */
export function costPhasePass(layout: ResolvedLayout, phase: Phase): PassCost {
  const w = layout[phase].workload;
  const view = phaseLayout(layout, phase);
  if (view[phase].pipeline) return costPipelinedPass(view, phase);
  return costPass(view, view[phase], phase === 'prefill' ? passSizes(layout.model, w, 'prefill') : passSizes(layout.model, w, 'decode', 'mean'));
}

/** One phase on its own chips: `layout` is the phase's view (transfer.ts `phaseLayout`). */
function costPhase(whole: ResolvedLayout, phase: Phase): PhaseCost {
  const layout = phaseLayout(whole, phase);
  const spec = layout[phase];
  const w = spec.workload;
  if (phase === 'prefill') {
    const pass = costPhasePass(layout, phase);
    const tokens = w.batch * w.prompt;
    const m = metrics(layout, tokens, pass.latency.value);
    return {
      phase, workload: w, ffn: spec.ffn.name, attention: phaseName(spec.attention), pass,
      latency: pass.latency, tokens, mfu: m.mfu, costChipSPerToken: m.cost, throughput: m.throughput,
    };
  }
  const pass = costPhasePass(layout, phase);
  const tokens = w.batch;
  const step = pass.latency.value;
  const m = metrics(layout, tokens, step);
  const latency = explained(w.generate * step, 's', 'generate × step_s', () => ({ generate: input(w.generate, 'tokens'), step_s: input(step, 's', `one step at the mean T = ${pass.sizes.T}`) }));
  return new DecodePhaseCost(layout, spec.ffn.name, phaseName(spec.attention), pass, latency, tokens, m.mfu, m.cost, m.throughput);
}

/** Cost a resolved layout. Pure: the same layout always gives the same figures. */
export function costLayout(layout: ResolvedLayout): LayoutCost {
  const prefill = costPhase(layout, 'prefill');
  const decode = costPhase(layout, 'decode');
  // Activations for memory: the prefill pass and the mean decode step (a decode step's
  // activations hardly depend on T: only the L = 1 score rows grow with it).
  const activations = { prefill: prefill.pass.activationBytes, decode: decode.pass.activationBytes };
  const stageMemory: LayoutPipelineCost['stageMemory'] = { prefill: null, decode: null };
  const memory = isDisaggregated(layout) ? poolsMemory(layout, activations, stageMemory) : poolMemory(layout, activations, (s) => (stageMemory.prefill = stageMemory.decode = s));
  const pipelines = { prefill: pipelineOf(prefill.pass) ?? null, decode: pipelineOf(decode.pass) ?? null };
  const pipeline: LayoutPipelineCost | undefined = pipelines.prefill || pipelines.decode ? { ...pipelines, stageMemory } : undefined;
  const kvTransfer = costKvTransfer(layout);
  if (!kvTransfer) {
    const totalLatency = explained(prefill.latency.value + decode.latency.value, 's', 'prefill + decode', () => ({
      prefill: input(prefill.latency.value, 's'),
      decode: input(decode.latency.value, 's'),
    }));
    return { layout: layout.name, chips: layout.mesh.chips, prefill, decode, memory, totalLatency, basis: layoutBasis(layout), ...(pipeline ? { pipeline } : {}) };
  }
  // A request waits for its cache to reach the decode chips; each pool's chips are counted for
  // their own phase only (its cost per token), the transfer is charged to the link.
  const totalLatency = explained(prefill.latency.value + kvTransfer.time.value + decode.latency.value, 's', 'prefill + kv_transfer + decode', () => ({
    prefill: input(prefill.latency.value, 's'),
    kv_transfer: input(kvTransfer.time.value, 's', `${kvTransfer.fromChips} → ${kvTransfer.toChips} chips over the ${kvTransfer.link}`),
    decode: input(decode.latency.value, 's'),
  }));
  const chips = layout.prefill.mesh.chips + layout.decode.mesh.chips;
  return { layout: layout.name, chips, prefill, decode, memory, totalLatency, kvTransfer, basis: layoutBasis(layout), ...(pipeline ? { pipeline } : {}) };
}

/**
 * Memory per chip of a layout whose phases run on their own meshes: each pool holds only its
 * phase's weights and cache. The prefill pool holds the prompt's cache of its batch (until it is
 * sent); the decode pool the cache at its largest. The layout's figures are the decode pool's,
 * but for `total.prefill` (the prefill pool's need) and `fits` (both pools fit).
 */
function poolsMemory(layout: ResolvedLayout, activations: { prefill: number; decode: number }, stageMemory: LayoutPipelineCost['stageMemory']): MemoryCost {
  const p = layout.prefill;
  const prefillView = phaseLayout(layout, 'prefill');
  // The prefill pool seen as a layout of one phase: its "decode" is the prefill's cache at T = prompt.
  const prefillPool = poolMemory(
    { ...prefillView, decode: { ...p, phase: 'decode', workload: { ...p.workload, generate: 0 } }, unembed: p.unembed },
    { prefill: activations.prefill, decode: activations.prefill },
    (s) => (stageMemory.prefill = s),
  );
  const decodePool = poolMemory({ ...phaseLayout(layout, 'decode'), prefill: layout.decode }, { prefill: activations.decode, decode: activations.decode }, (s) => (stageMemory.decode = s));
  return {
    weights: decodePool.weights,
    kv: decodePool.kv,
    kvTotal: decodePool.kvTotal,
    activations,
    total: { prefill: prefillPool.total.prefill, decode: decodePool.total.decode },
    hbm: decodePool.hbm,
    fits: prefillPool.fits && decodePool.fits,
    maxContext: decodePool.maxContext,
    get weightItems() {
      return decodePool.weightItems;
    },
    get kvItems() {
      return decodePool.kvItems;
    },
    pools: { prefill: prefillPool, decode: decodePool },
  };
}

/** One pool's memory per chip: per stage when its phases are pipelined (cost/pipeline.ts). */
function poolMemory(pool: ResolvedLayout, activations: { prefill: number; decode: number }, onStages: (s: StageMemory[]) => void): MemoryCost {
  if (!pool.decode.pipeline && !pool.prefill.pipeline) return costMemory(pool, activations);
  const { memory, stages } = pipelineMemory(pool, activations);
  onStages(stages);
  return memory;
}
