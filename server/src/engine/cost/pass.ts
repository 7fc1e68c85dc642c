// One forward pass (a prefill, or one decode step): embedding, `layers` layers, unembedding
// (cost-model.md §3).

import type { CheckedBlock, MeshSpec, ModelSpec, PhaseSpec, ResolvedLayout } from '../check/resolved';
import { formatType } from '../check/shardType';
import { cacheConversion } from './cacheConversion';
import { explained, input, ZERO_BYTES, ZERO_FLOPS, ZERO_SECONDS } from './explained';
import { peakActivationBytes } from './activations';
import { costBlock, costLayer } from './layer';
import { axisSizes, localElements, withSingleToken, type PassSizes } from './sizes';
import { addTotals, dominantBound, emptyTotals } from './totals';
import type { BlockCost, OpCost, PassCost } from './types';

/** The embedding lookup: read and write B·L·E local elements of the residual type; no FLOPs. */
function costEmbed(ffn: CheckedBlock, sizes: PassSizes, mesh: MeshSpec): OpCost {
  const residual = ffn.input?.type ?? { dims: [{ letter: 'B', axes: [] }, { letter: 'L', axes: [] }, { letter: 'E', axes: [] }], partialsum: [] };
  const order = mesh.axes.map((a) => a.name);
  const elements = localElements(residual, sizes, axisSizes(mesh));
  const hw = mesh.hardware;
  const bytes = explained(2 * elements * 2, 'B', '2 × local elements × 2 B', {
    'local elements': input(elements, 'elements', `${formatType(residual, order)}: one read of the table rows, one write of the residual`),
  });
  const tMem = explained(bytes.value / (hw.hbm_bw * hw.hbm_eff), 's', 'bytes / (hbm_bw·hbm_eff)', {
    bytes: input(bytes.value, 'B'),
    hbm_bw: input(hw.hbm_bw, 'B/s'),
    hbm_eff: input(hw.hbm_eff, ''),
  });
  const time = hw.op_overhead ? explained(tMem.value + hw.op_overhead, 's', 't_memory + op_overhead', { t_memory: input(tMem.value, 's'), op_overhead: input(hw.op_overhead, 's') }) : tMem;
  return {
    role: 'layer', name: 'embed', op: 'embed', axes: '', type: formatType(residual, order),
    flops: ZERO_FLOPS, bytes, comm_bytes: ZERO_BYTES, t_compute: ZERO_SECONDS, t_memory: tMem, t_comm: ZERO_SECONDS,
    time, bound: 'memory', id: 'embed', uses: [], resultBytes: elements * 2,
  };
}

function costUnembed(layout: ResolvedLayout, block: CheckedBlock | null, sizes: PassSizes): { cost: BlockCost; activationBytes: number } | null {
  if (!block) return null;
  // Only the last position's logits are needed, in both phases.
  const s = withSingleToken(sizes);
  const b = costBlock('unembed', block, s, layout.mesh, layout.model, layout.overlap, 'unembed.in');
  const inp = block.input;
  const inBytes = inp?.type ? localElements(inp.type, s, b.ctx.axisSizes) * 2 : 0;
  const stored = new Set(block.values.filter((v) => v.op === 'weight' || v.op === 'cache').map((v) => b.ctx.idOf(v.name)));
  const activationBytes = peakActivationBytes({
    ops: b.cost.ops,
    pinned: new Map([['unembed.in', inBytes]]),
    stored,
    overlap: layout.overlap,
    axisSizes: b.ctx.axisSizes,
  });
  return { cost: b.cost, activationBytes };
}

export function costPass(layout: ResolvedLayout, phase: PhaseSpec, sizes: PassSizes, model: ModelSpec = layout.model): PassCost {
  const mesh = layout.mesh;
  const layer = costLayer(phase, sizes, mesh, model, layout.overlap);
  const embed = costEmbed(phase.ffn, sizes, mesh);
  const unembed = costUnembed(layout, phase.unembed, sizes);
  const conversion = phase.phase === 'prefill' ? cacheConversion(layout.prefill.attention, layout.decode.attention, sizes, mesh, model) : null;

  const totals = emptyTotals();
  addTotals(totals, { ...emptyTotals(), time_s: embed.time.value, memory_s: embed.t_memory.value, byBound: { compute: 0, memory: embed.time.value, comm: 0 } });
  addTotals(totals, layer, model.layers);
  if (unembed) addTotals(totals, unembed.cost);
  if (conversion) addTotals(totals, conversion, model.layers);

  const inputs = {
    t_embed: input(embed.time.value, 's'),
    layers: input(model.layers, ''),
    t_layer: input(layer.time_s, 's'),
    t_unembed: input(unembed?.cost.time_s ?? 0, 's', unembed ? `block ${unembed.cost.block}, L = 1` : 'no unembed block: not costed'),
  };
  let formula = 't_embed + layers·t_layer + t_unembed';
  if (conversion) {
    formula += ' + layers·t_cache_conversion';
    Object.assign(inputs, { t_cache_conversion: input(conversion.time_s, 's', `re-laying out the prefilled cache for decode (${conversion.block})`) });
  }
  const latency = explained(totals.time_s, 's', formula, inputs);
  return {
    sizes,
    layer,
    embed,
    unembed: unembed?.cost ?? null,
    cacheConversion: conversion,
    latency,
    totals,
    bound: dominantBound(totals.byBound),
    activationBytes: Math.max(layer.activationBytes, unembed?.activationBytes ?? 0, embed.resultBytes * 2),
  };
}
