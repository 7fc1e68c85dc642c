// Memory per chip (cost-model.md §4): stored weights, the KV cache at its largest, and the
// activation peak; whether it fits; the longest context the KV budget allows.

import type { CheckedBlock, ResolvedLayout } from '../check/resolved';
import { formatType } from '../check/shardType';
import { explained, input } from './explained';
import { axisSizes, bytesPerElement, localElements, passSizes, type PassSizes } from './sizes';
import type { MemoryCost } from './types';

interface Item { role: string; name: string; type: string; bytes: number }

function blockStored(block: CheckedBlock, op: 'weight' | 'cache', role: string, layout: ResolvedLayout, sizes: PassSizes): Item[] {
  const order = layout.mesh.axes.map((a) => a.name);
  const ax = axisSizes(layout.mesh);
  const dtype = op === 'weight' ? layout.model.weights : layout.model.kv;
  return block.values
    .filter((v) => v.op === op && v.type)
    .map((v) => ({ role, name: v.name, type: formatType(v.type!, order), bytes: localElements(v.type!, sizes, ax) * bytesPerElement(dtype) }));
}

/** Every stored weight of both phases' layer blocks, each distinct (role, name, type) once. */
function layerWeights(layout: ResolvedLayout, sizes: PassSizes): Item[] {
  const seen = new Map<string, Item>();
  for (const ph of [layout.prefill, layout.decode]) {
    const blocks: [string, CheckedBlock | null][] = [['ffn', ph.ffn], ['attention', ph.attention]];
    for (const [role, b] of blocks) {
      if (!b) continue;
      // A weight stored the same way in both phases is one copy; stored differently, two.
      for (const it of blockStored(b, 'weight', role, layout, sizes)) seen.set(`${role}.${it.name}|${it.type}`, it);
    }
  }
  return [...seen.values()];
}

/**
 * The embedding table(s) at the weight dtype, sharded as the unembed block's weight: once (the
 * unembed weight is the table, never × layers), or once per distinct layout when the prefill
 * and decode unembed blocks store it differently; × 2 for untied embeddings.
 */
function embeddingTables(layout: ResolvedLayout, sizes: PassSizes): Item[] {
  const copies = layout.model.tied_embeddings ? 1 : 2;
  const m = layout.model;
  const layouts = new Map<string, Item>();
  for (const b of [layout.prefill.unembed, layout.decode.unembed, layout.unembed]) {
    if (!b) continue;
    const w = blockStored(b, 'weight', 'unembed', layout, sizes);
    if (!w.length) continue;
    const key = w.map((i) => i.type).join('|');
    if (!layouts.has(key)) layouts.set(key, { ...w[0], bytes: w.reduce((s, i) => s + i.bytes, 0) });
  }
  if (layouts.size === 0) {
    // No unembed block says how the table is laid out: assume it is split over every chip.
    layouts.set('', { role: 'embedding', name: 'table', type: 'VE (split over all chips)', bytes: Math.ceil((m.dims.V * m.dims.E) / layout.mesh.chips) * bytesPerElement(m.weights) });
  }
  const out: Item[] = [];
  for (const one of layouts.values()) {
    out.push({ ...one, role: 'embedding', name: copies === 2 ? 'input table' : 'table (tied)' });
    if (copies === 2) out.push({ ...one, role: 'embedding', name: 'output table' });
  }
  return out;
}

export function costMemory(layout: ResolvedLayout, activations: { prefill: number; decode: number }): MemoryCost {
  const m = layout.model;
  const hbm = layout.mesh.hardware.hbm;
  const dw = layout.decode.workload;
  const weightSizes = passSizes(m, layout.prefill.workload, 'prefill');
  const layerW = layerWeights(layout, weightSizes);
  const tables = embeddingTables(layout, weightSizes);
  const layerBytes = layerW.reduce((s, i) => s + i.bytes, 0);
  const tableBytes = tables.reduce((s, i) => s + i.bytes, 0);
  const weights = explained(layerBytes * m.layers + tableBytes, 'B', 'layers × Σ local weight bytes + embedding table', {
    layers: input(m.layers, ''),
    'Σ local weight bytes': input(layerBytes, 'B', layerW.map((i) => `${i.role}.${i.name}: ${i.type}`).join(', ')),
    'embedding table': input(tableBytes, 'B', `${tables.length} × ${tables[0].type} at ${m.weights}`),
  });

  // The cache of the decode attention block at the largest T, held in both phases.
  const last = passSizes(m, dw, 'decode', 'last');
  const kvItems = layout.decode.attention ? blockStored(layout.decode.attention, 'cache', 'attention', layout, last) : [];
  const kvLayer = kvItems.reduce((s, i) => s + i.bytes, 0);
  const kv = explained(kvLayer * m.layers, 'B', 'layers × Σ local cache bytes at T = prompt + generate', {
    layers: input(m.layers, ''),
    'Σ local cache bytes': input(kvLayer, 'B', kvItems.map((i) => `${i.name}: ${i.type}`).join(', ') || 'no cache'),
  });
  const kvBytes = bytesPerElement(m.kv);
  const hasKv = layout.decode.attention !== null;
  const kvTotal = explained(hasKv ? 2 * m.layers * dw.batch * (dw.prompt + dw.generate) * m.dims.K * m.dims.Q * kvBytes : 0, 'B',
    hasKv ? '2 · layers · B · (prompt + generate) · K · Q · kv bytes' : 'attention = none: no KV cache', hasKv ? {
      layers: input(m.layers, ''), B: input(dw.batch, ''), prompt: input(dw.prompt, 'tokens'), generate: input(dw.generate, 'tokens'),
      K: input(m.dims.K, ''), Q: input(m.dims.Q, ''), 'kv bytes': input(kvBytes, 'B'),
    } : {});

  const totalFor = (act: number) => explained(weights.value + kv.value + act, 'B', 'weights + kv + activations', {
    weights: input(weights.value, 'B'), kv: input(kv.value, 'B'), activations: input(act, 'B'),
  });
  const total = { prefill: totalFor(activations.prefill), decode: totalFor(activations.decode) };
  const fits = Math.max(total.prefill.value, total.decode.value) <= hbm;

  // KV bytes per chip per position of T (T's local extent taken as 1/Π of its axes).
  const unitT = { ...passSizes(m, dw, 'decode', 'mean'), T: 1, realT: true };
  const ax = axisSizes(layout.mesh);
  const perT = layout.decode.attention
    ? layout.decode.attention.values.filter((v) => v.op === 'cache' && v.type).reduce((s, v) => s + localElements(v.type!, unitT, ax) * kvBytes, 0) * m.layers
    : 0;
  const actMax = Math.max(activations.prefill, activations.decode);
  const budget = layout.kvBudget !== undefined ? layout.kvBudget * hbm : hbm - weights.value - actMax;
  const maxContext = perT > 0
    ? explained(Math.max(0, Math.floor(budget / perT)), 'tokens', 'floor(budget / KV bytes per chip per position)', {
      budget: input(budget, 'B', layout.kvBudget !== undefined ? `kv_budget ${layout.kvBudget} × hbm` : 'hbm − weights − activations'),
      'KV bytes per chip per position': input(perT, 'B', `at batch ${dw.batch}, all layers`),
    })
    : explained(0, 'tokens', 'no KV cache (attention = none)');
  return {
    weights, kv, kvTotal, activations, total, hbm, fits, maxContext,
    weightItems: [...layerW.map((i) => ({ ...i, bytes: i.bytes * m.layers })), ...tables],
    kvItems: kvItems.map((i) => ({ name: i.name, type: i.type, bytes: i.bytes * m.layers })),
  };
}
