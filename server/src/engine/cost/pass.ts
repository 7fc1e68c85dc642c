// One forward pass (a prefill, or one decode step): embedding, `layers` layers, unembedding
// (cost-model.md §3).

import type { CheckedBlock, MeshSpec, ModelSpec, PhaseSpec, ResolvedLayout } from '../check/resolved';
import { typeText } from './figures';
import { cacheConversion } from './cacheConversion';
import { explained, input, ZERO_BYTES, ZERO_FLOPS, ZERO_SECONDS, type Explained, type Input } from './explained';
import { inputLocalBytes, sequenceNumbers, type BlockNumbers } from './numeric';
import { layerPlan, meshKey, singleBlockPlan } from './plan';
import { blockFigures, layerFigures, layerRows } from './sequenceFigures';
import { isDisaggregated } from './transfer';
import { ffnLayerKinds, type FfnLayerKind } from './layerKinds';
import { axisSizes, localElements, withSingleToken, type PassSizes } from './sizes';
import { addTotals, dominantBound, emptyTotals } from './totals';
import type { BlockCost, Bound, LayerCost, LayerRows, OpCost, PassCost, Totals } from './types';

/** The embedding lookup: read and write B·L·E local elements of the residual type; no FLOPs. */
function costEmbed(ffn: CheckedBlock, sizes: PassSizes, mesh: MeshSpec): OpCost {
  const residual = ffn.input?.type ?? { dims: [{ letter: 'B', axes: [] }, { letter: 'L', axes: [] }, { letter: 'E', axes: [] }], partialsum: [] };
  const order = mesh.axes.map((a) => a.name);
  const elements = localElements(residual, sizes, axisSizes(mesh));
  const hw = mesh.hardware;
  // The type's text is made once per (type, mesh order): every pass has an embed.
  const type = typeText(residual, { meshOrder: order, meshOrderKey: order.join('') });
  const bytes = explained(2 * elements * 2, 'B', '2 × local elements × 2 B', () => ({
    'local elements': input(elements, 'elements', `${type}: one read of the table rows, one write of the residual`),
  }));
  const tMem = explained(bytes.value / (hw.hbm_bw * hw.hbm_eff), 's', 'bytes / (hbm_bw·hbm_eff)', () => ({
    bytes: input(bytes.value, 'B'),
    hbm_bw: input(hw.hbm_bw, 'B/s'),
    hbm_eff: input(hw.hbm_eff, ''),
  }));
  const time = hw.op_overhead ? explained(tMem.value + hw.op_overhead, 's', 't_memory + op_overhead', () => ({ t_memory: input(tMem.value, 's'), op_overhead: input(hw.op_overhead, 's') })) : tMem;
  return {
    role: 'layer', name: 'embed', op: 'embed', axes: '', type, fused: undefined,
    flops: ZERO_FLOPS, bytes, commBytes: ZERO_BYTES, computeTime: ZERO_SECONDS, memoryTime: tMem, commTime: ZERO_SECONDS,
    time, bound: 'memory', id: 'embed', uses: [], resultBytes: elements * 2,
  };
}

/**
 * One pass. Totals, bound, latency and activations come from the numeric pass (numeric.ts); the
 * per-op explained figures of the layer and the unembedding (`layer`, `unembed`) are built on
 * first read from the same pass's numbers (sequenceFigures.ts).
 */
export function costPass(layout: ResolvedLayout, phase: PhaseSpec, sizes: PassSizes, model: ModelSpec = layout.model): PassCost {
  const mesh = layout.mesh;
  const key = meshKey(mesh);
  const parallel = model.block === 'parallel';
  const fuseAttention = layout.attentionKernel === 'fused';
  // Layers that differ (layerKinds.ts): each kind costed at its own sizes and with its own ffn
  // block (an MoE model's dense layers run `denseFfn`), summed count × layer. The first kind
  // (global and MoE, when any layer is) is the layer the per-op breakdown shows.
  const kinds = ffnLayerKinds(model, phase.workload, sizes);
  const ffnOf = (k: FfnLayerKind) => (k.ffn === 'dense' && phase.denseFfn ? phase.denseFfn : phase.ffn);
  const plans = new Map<CheckedBlock, ReturnType<typeof layerPlan>>();
  const planOf = (k: FfnLayerKind) => {
    const ffn = ffnOf(k);
    let plan = plans.get(ffn);
    if (!plan) plans.set(ffn, (plan = layerPlan(phase.attention, ffn, parallel, fuseAttention)));
    return plan;
  };
  const kindLayers = kinds.map((k) => sequenceNumbers(planOf(k), mesh, key, k.sizes, model, layout.overlap, inputLocalBytes(phase.attention ?? ffnOf(k), mesh, k.sizes)));
  const embed = costEmbed(phase.ffn, sizes, mesh);
  const unembedSizes = withSingleToken(sizes);
  const unembed = phase.unembed
    ? sequenceNumbers(singleBlockPlan(phase.unembed), mesh, key, unembedSizes, model, layout.overlap, inputLocalBytes(phase.unembed, mesh, unembedSizes))
    : null;
  // Between two meshes the cache is re-laid out as it is sent (transfer.ts), not on the prefill chips.
  const conversions = kinds.map((k) => (phase.phase === 'prefill' && !isDisaggregated(layout) ? cacheConversion(layout.prefill.attention, layout.decode.attention, k.sizes, mesh, model) : null));
  const conversion = conversions[0];

  const totals = emptyTotals();
  totals.time += embed.time.value;
  totals.memoryTime += embed.memoryTime.value;
  totals.byBound.memory += embed.time.value;
  kinds.forEach((k, i) => {
    addTotals(totals, kindLayers[i].totals, k.count);
    const c = conversions[i];
    if (c) addTotals(totals, c, k.count);
  });
  if (unembed) addTotals(totals, unembed.totals);

  const unembedName = phase.unembed?.name;
  const windowed = kinds.length > 1 || kinds[0].kind === 'local';
  // One term per layer kind: `layers·t_layer` for a uniform model, `global_layers·t_global_layer +
  // local_layers·t_local_layer` with a sliding window, `moe_layers·t_moe_layer + dense_layers·…`
  // with dense layers.
  const term = (k: FfnLayerKind, what: string) => (windowed ? `${k.name}_layers·t_${k.name}_${what}` : `layers·t_${what}`);
  const formula = ['t_embed', ...kinds.map((k) => term(k, 'layer')), 't_unembed', ...(conversion ? kinds.map((k) => term(k, 'cache_conversion')) : [])].join(' + ');
  const latency = explained(totals.time, 's', formula, () => {
    const inputs: Record<string, Input> = { t_embed: input(embed.time.value, 's') };
    kinds.forEach((k, i) => {
      const at = windowed ? `T = ${k.sizes.T}${k.kind === 'local' ? ` (window ${model.window})` : ''}, ffn ${ffnOf(k).name}` : undefined;
      inputs[windowed ? `${k.name}_layers` : 'layers'] = input(k.count, '');
      inputs[windowed ? `t_${k.name}_layer` : 't_layer'] = input(kindLayers[i].totals.time, 's', at);
    });
    inputs.t_unembed = input(unembed?.totals.time ?? 0, 's', unembedName ? `block ${unembedName}, L = 1` : 'no unembed block: not costed');
    kinds.forEach((k, i) => {
      const c = conversions[i];
      if (c) inputs[windowed ? `t_${k.name}_cache_conversion` : 't_cache_conversion'] = input(c.time, 's', `re-laying out the prefilled cache for decode (${c.block})`);
    });
    return inputs;
  });
  let layerActivations = 0;
  for (const l of kindLayers) layerActivations = Math.max(layerActivations, l.activationBytes);
  const activationBytes = Math.max(layerActivations, unembed?.activationBytes ?? 0, embed.resultBytes * 2);
  return new LazyPassCost(layout, phase, sizes, kinds[0].sizes, ffnOf(kinds[0]), model, embed, conversion, latency, totals, dominantBound(totals.byBound), activationBytes, { layer: kindLayers[0].nums, layerTotals: kindLayers[0].totals, unembed: unembed ? { nums: unembed.nums[0], totals: unembed.totals } : undefined });
}

class LazyPassCost implements PassCost {
  private layerCost: LayerCost | undefined;
  private unembedCost: BlockCost | null | undefined;

  constructor(
    private readonly layout: ResolvedLayout,
    private readonly phaseSpec: PhaseSpec,
    readonly sizes: PassSizes,
    /** The sizes of the layer the per-op breakdown shows (the first layer kind's). */
    private readonly layerSizes: PassSizes,
    /** The ffn block of that layer (an MoE model's dense block only when every layer is dense). */
    private readonly layerFfn: CheckedBlock,
    private readonly model: ModelSpec,
    readonly embed: OpCost,
    readonly cacheConversion: BlockCost | null,
    readonly latency: Explained,
    readonly totals: Totals,
    readonly bound: Bound,
    readonly activationBytes: number,
    /** The numbers this pass evaluated for the shown layer and the unembedding, which its per-op figures read again. */
    private readonly nums: { layer: BlockNumbers[]; layerTotals: Totals; unembed: { nums: BlockNumbers; totals: Totals } | undefined },
  ) {}

  /** The layer's explained ops and block totals, built on first read. */
  get layer(): LayerCost {
    const parallel = this.model.block === 'parallel';
    const fuseAttention = this.layout.attentionKernel === 'fused';
    const seq = layerPlan(this.phaseSpec.attention, this.layerFfn, parallel, fuseAttention);
    return (this.layerCost ??= layerFigures(seq, parallel && this.phaseSpec.attention !== null, { mesh: this.layout.mesh, model: this.model, sizes: this.layerSizes, overlap: this.layout.overlap, fuseAttention }, this.nums.layer));
  }

  /** The layer's numbers, made anew on each call and not kept: a report reads them once. */
  layerRows(): LayerRows {
    const parallel = this.model.block === 'parallel';
    const fuseAttention = this.layout.attentionKernel === 'fused';
    const seq = layerPlan(this.phaseSpec.attention, this.layerFfn, parallel, fuseAttention);
    return layerRows(seq, { mesh: this.layout.mesh, model: this.model, sizes: this.layerSizes, overlap: this.layout.overlap, fuseAttention }, { nums: this.nums.layer, totals: this.nums.layerTotals });
  }

  get unembed(): BlockCost | null {
    if (this.unembedCost === undefined) {
      const block = this.phaseSpec.unembed;
      // Only the last position's logits are needed, in both phases.
      const given = block && this.nums.unembed ? { plan: singleBlockPlan(block).parts[0], ...this.nums.unembed } : undefined;
      this.unembedCost = block ? blockFigures('unembed', block, 'unembed.in', { mesh: this.layout.mesh, model: this.model, sizes: withSingleToken(this.sizes), overlap: this.layout.overlap, fuseAttention: false }, given) : null;
    }
    return this.unembedCost;
  }

  toJSON(): Omit<PassCost, 'toJSON'> {
    return { sizes: this.sizes, layer: this.layer, embed: this.embed, unembed: this.unembed, cacheConversion: this.cacheConversion, latency: this.latency, totals: this.totals, bound: this.bound, activationBytes: this.activationBytes };
  }
}
