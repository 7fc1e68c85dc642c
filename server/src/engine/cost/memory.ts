// Memory per chip (cost-model.md §4): stored weights, the KV cache at its largest, and the
// activation peak; whether it fits; the longest context the KV budget allows.

import type { CheckedBlock, ResolvedLayout } from '../check/resolved';
import { typesEqual, type ShardType } from '../check/shardType';
import { typeText } from './figures';
import { explained, input, type Explained, type Input } from './explained';
import { axisSizes, bytesPerElement, localElements, logicalElements, makeSizes, passSizes, type PassSizes } from './sizes';
import { layerKinds } from './layerKinds';
import { isExpertMatrix } from '../check/moe';
import type { MemoryCost } from './types';

/** A stored weight or cache; its canonical type string is made only for explanations. */
interface Item { role: string; name: string; shard: ShardType | null; label?: string; bytes: number }

function blockStored(block: CheckedBlock, op: 'weight' | 'cache', role: string, layout: ResolvedLayout, sizes: PassSizes): Item[] {
  const ax = axisSizes(layout.mesh);
  const m = layout.model;
  const out: Item[] = [];
  for (const v of block.values) {
    if (v.op !== op || !v.type) continue;
    // The routed experts may be stored at their own dtype (`expert_weights`, gpt-oss's mxfp4).
    const per = bytesPerElement(op === 'cache' ? m.kv : m.expert_weights && isExpertMatrix(v.type) ? m.expert_weights : m.weights);
    out.push({ role, name: v.name, shard: v.type, bytes: localElements(v.type, sizes, ax) * per });
  }
  return out;
}

/**
 * Every stored weight of both phases' layer blocks, each distinct (role, name, type) once; an MoE
 * model's dense layers' ffn block under the role `dense ffn`.
 */
function layerWeights(layout: ResolvedLayout, sizes: PassSizes): Item[] {
  const out: Item[] = [];
  const done = new Set<CheckedBlock>();
  for (const ph of [layout.prefill, layout.decode]) {
    const blocks: [string, CheckedBlock | null][] = [['ffn', ph.ffn], ['attention', ph.attention], ['dense ffn', ph.denseFfn ?? null]];
    for (const [role, b] of blocks) {
      if (!b || done.has(b)) continue;
      done.add(b);
      // A weight stored the same way in both phases is one copy; stored differently, two.
      for (const it of blockStored(b, 'weight', role, layout, sizes)) {
        if (!out.some((o) => o.role === it.role && o.name === it.name && o.shard && it.shard && typesEqual(o.shard, it.shard))) out.push(it);
      }
    }
  }
  return out;
}

function itemType(i: Item, layout: ResolvedLayout): string {
  if (i.label) return i.label;
  const order = layout.mesh.axes.map((a) => a.name);
  return i.shard ? typeText(i.shard, { meshOrder: order, meshOrderKey: order.join('') }) : '';
}

/**
 * The embedding table(s) at the weight dtype, sharded as the unembed block's weight: once (the
 * unembed weight is the table, never × layers), or once per distinct layout when the prefill
 * and decode unembed blocks store it differently; × 2 for untied embeddings.
 */
function embeddingTables(layout: ResolvedLayout, sizes: PassSizes): Item[] {
  const copies = layout.model.tied_embeddings ? 1 : 2;
  const m = layout.model;
  const distinct: Item[] = [];
  const done = new Set<CheckedBlock>();
  for (const b of [layout.prefill.unembed, layout.decode.unembed, layout.unembed]) {
    if (!b || done.has(b)) continue;
    done.add(b);
    const w = blockStored(b, 'weight', 'unembed', layout, sizes);
    if (!w.length) continue;
    const table: Item = { role: 'embedding', name: 'table', shard: w[0].shard, bytes: w.reduce((s, i) => s + i.bytes, 0) };
    if (!distinct.some((d) => d.shard && table.shard && typesEqual(d.shard, table.shard))) distinct.push(table);
  }
  if (distinct.length === 0) {
    // No unembed block says how the table is laid out: assume it is split over every chip.
    distinct.push({ role: 'embedding', name: 'table', shard: null, label: 'VE (split over all chips)', bytes: Math.ceil((m.dims.V * m.dims.E) / layout.mesh.chips) * bytesPerElement(m.weights) });
  }
  const out: Item[] = [];
  for (const one of distinct) {
    out.push({ role: 'embedding', name: copies === 2 ? 'input table' : 'table (tied)', shard: one.shard, label: one.label, bytes: one.bytes });
    if (copies === 2) out.push({ role: 'embedding', name: 'output table', shard: one.shard, label: one.label, bytes: one.bytes });
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
  // A dense block is stored only by the dense layers (none in a pipeline stage without them).
  const layerBytes = layerW.reduce((s, i) => s + (i.role === 'dense ffn' ? 0 : i.bytes), 0);
  const tableBytes = tables.reduce((s, i) => s + i.bytes, 0);
  const itemList = (items: Item[]) => items.map((i) => `${i.role}.${i.name}: ${itemType(i, layout)}`).join(', ');
  const tableInput = () => input(tableBytes, 'B', `${tables.length} × ${itemType(tables[0], layout)} at ${m.weights}`);
  // An MoE model's dense layers (layerKinds.ts) store their dense ffn block's weights instead of the experts'.
  const denseLayers = layerW.some((i) => i.role === 'dense ffn') ? (m.dense_layers ?? 0) : 0;
  const weights = denseLayers > 0
    ? (() => {
      const sum = (pick: (i: Item) => boolean) => layerW.filter(pick).reduce((s, i) => s + i.bytes, 0);
      const attention = sum((i) => i.role === 'attention'), moe = sum((i) => i.role === 'ffn'), dense = sum((i) => i.role === 'dense ffn');
      const moeLayers = m.layers - denseLayers;
      return explained(m.layers * attention + moeLayers * moe + denseLayers * dense + tableBytes, 'B', 'layers × attention + moe_layers × moe ffn + dense_layers × dense ffn + embedding table', () => ({
        layers: input(m.layers, ''),
        attention: input(attention, 'B', itemList(layerW.filter((i) => i.role === 'attention'))),
        moe_layers: input(moeLayers, ''),
        'moe ffn': input(moe, 'B', itemList(layerW.filter((i) => i.role === 'ffn'))),
        dense_layers: input(denseLayers, ''),
        'dense ffn': input(dense, 'B', itemList(layerW.filter((i) => i.role === 'dense ffn'))),
        'embedding table': tableInput(),
      }));
    })()
    : explained(layerBytes * m.layers + tableBytes, 'B', 'layers × Σ local weight bytes + embedding table', () => ({
      layers: input(m.layers, ''),
      'Σ local weight bytes': input(layerBytes, 'B', itemList(layerW.filter((i) => i.role !== 'dense ffn'))),
      'embedding table': tableInput(),
    }));

  // The cache of the decode attention block at the largest T, held in both phases; with a
  // sliding window, local layers hold at most `window` positions (layerKinds.ts).
  const last = passSizes(m, dw, 'decode', 'last');
  const kinds = layerKinds(m, dw, last);
  const windowed = kinds.length > 1 || kinds[0].kind === 'local';
  const kvByKind = kinds.map((k) => (layout.decode.attention ? blockStored(layout.decode.attention, 'cache', 'attention', layout, k.sizes) : []));
  const kvItems = kvByKind[0];
  const kvLayerOf = (items: Item[]) => items.reduce((s, i) => s + i.bytes, 0);
  const kvLayer = kvLayerOf(kvItems);
  const kvNote = (items: Item[]) => items.map((i) => `${i.name}: ${itemType(i, layout)}`).join(', ') || 'no cache';
  const kv = windowed
    ? explained(kinds.reduce((s, k, i) => s + k.count * kvLayerOf(kvByKind[i]), 0), 'B', kinds.map((k) => `${k.kind}_layers × kv_${k.kind}_layer`).join(' + '), () => {
      const inputs: Record<string, Input> = {};
      kinds.forEach((k, i) => {
        inputs[`${k.kind}_layers`] = input(k.count, '');
        const at = k.kind === 'local' ? `T = min(prompt + generate, window) = ${k.sizes.T}` : `T = prompt + generate = ${k.sizes.T}`;
        inputs[`kv_${k.kind}_layer`] = input(kvLayerOf(kvByKind[i]), 'B', `Σ local cache bytes at ${at}: ${kvNote(kvByKind[i])}`);
      });
      return inputs;
    })
    : explained(kvLayer * m.layers, 'B', 'layers × Σ local cache bytes at T = prompt + generate', () => ({
      layers: input(m.layers, ''),
      'Σ local cache bytes': input(kvLayer, 'B', kvNote(kvItems)),
    }));
  const kvBytes = bytesPerElement(m.kv);
  const hasKv = layout.decode.attention !== null;
  // Logical cache elements per token per layer: 2·K·Q for keys and values, C + R for MLA's latent
  // and rope key; read from the decode block's caches at B = T = 1.
  const oneToken = makeSizes('decode', 'last', 1, 1, 1, false, m.dims);
  const caches = hasKv ? layout.decode.attention!.values.filter((v) => v.op === 'cache' && v.type) : [];
  const perToken = caches.reduce((s, v) => s + logicalElements(v.type!, oneToken), 0);
  const positions = kinds.reduce((s, k) => s + k.count * k.sizes.T, 0);
  const kvTotal = explained(hasKv ? dw.batch * positions * perToken * kvBytes : 0, 'B',
    hasKv ? (windowed ? 'B · Σ kinds (layers · T) · cache elements per token · kv bytes' : 'layers · B · (prompt + generate) · cache elements per token · kv bytes') : 'attention = none: no KV cache',
    (): Record<string, Input> => {
      if (!hasKv) return {};
      const inputs: Record<string, Input> = windowed
        ? { B: input(dw.batch, ''), 'Σ kinds (layers · T)': input(positions, 'tokens', kinds.map((k) => `${k.count} ${k.kind} layers × T = ${k.sizes.T}`).join(' + ')) }
        : { layers: input(m.layers, ''), B: input(dw.batch, ''), prompt: input(dw.prompt, 'tokens'), generate: input(dw.generate, 'tokens') };
      inputs['cache elements per token'] = input(perToken, 'elements', caches.map((v) => `${v.name}: ${v.type!.dims.filter((d) => d.letter !== 'B' && d.letter !== 'T').map((d) => d.letter).join('·') || '1'}`).join(' + '));
      inputs['kv bytes'] = input(kvBytes, 'B', m.kv);
      return inputs;
    });

  const totalFor = (act: number) => explained(weights.value + kv.value + act, 'B', 'weights + kv + activations', () => ({
    weights: input(weights.value, 'B'), kv: input(kv.value, 'B'), activations: input(act, 'B'),
  }));
  const total = { prefill: totalFor(activations.prefill), decode: totalFor(activations.decode) };
  const fits = Math.max(total.prefill.value, total.decode.value) <= hbm;

  // KV bytes per chip per position of T (T's local extent taken as 1/Π of its axes).
  const unitT = makeSizes('decode', 'mean', dw.batch, 1, 1, true, m.dims);
  const ax = axisSizes(layout.mesh);
  const perLayerT = layout.decode.attention
    ? layout.decode.attention.values.filter((v) => v.op === 'cache' && v.type).reduce((s, v) => s + localElements(v.type!, unitT, ax) * kvBytes, 0)
    : 0;
  const perT = perLayerT * m.layers;
  const actMax = Math.max(activations.prefill, activations.decode);
  const budget = layout.kvBudget !== undefined ? layout.kvBudget * hbm : hbm - weights.value - actMax;
  const budgetInput = () => input(budget, 'B', layout.kvBudget !== undefined ? `kv_budget ${layout.kvBudget} × hbm` : 'hbm − weights − activations');
  const local = windowed ? kinds.find((k) => k.kind === 'local')!.count : 0;
  const maxContext = perT <= 0
    ? explained(0, 'tokens', 'no KV cache (attention = none)')
    : !windowed
      ? explained(Math.max(0, Math.floor(budget / perT)), 'tokens', 'floor(budget / KV bytes per chip per position)', () => ({
        budget: budgetInput(),
        'KV bytes per chip per position': input(perT, 'B', `at batch ${dw.batch}, all layers`),
      }))
      : windowedMaxContext(budget, perLayerT, m.layers - local, local, m.window!, budgetInput, dw.batch);
  // The per-cache breakdown is read as bytes × layers: with a window, each cache's mean over the layers.
  const kvList = windowed ? kvItems.map((it, j) => ({ ...it, bytes: kinds.reduce((s, k, i) => s + k.count * (kvByKind[i][j]?.bytes ?? 0), 0) / m.layers })) : kvItems;
  return new LayoutMemory(layout, weights, kv, kvTotal, activations, total, hbm, fits, maxContext, layerW, tables, kvList);
}

/**
 * The longest context whose KV cache fits the budget when `local` of the layers keep at most W
 * positions: bytes(T) = p·(global·T + local·min(T, W)) with p the bytes per layer per position.
 * Past W only the global layers grow; with no global layer the cache stops growing at W, so any
 * context fits once W positions do (reported as Infinity).
 */
function windowedMaxContext(budget: number, p: number, global: number, local: number, W: number, budgetInput: () => Input, batch: number): Explained {
  const atWindow = p * (global + local) * W;
  const inputs = () => ({
    budget: budgetInput(),
    p: input(p, 'B', `KV bytes per chip per position per layer, at batch ${batch}`),
    layers: input(global + local, ''),
    global_layers: input(global, ''),
    window: input(W, 'tokens'),
  });
  if (budget < atWindow) return explained(Math.max(0, Math.floor(budget / (p * (global + local)))), 'tokens', 'floor(budget / (p · layers))', inputs);
  if (global === 0) return explained(Infinity, 'tokens', 'unbounded: every layer keeps at most window positions', inputs);
  return explained(Math.floor(W + (budget - atWindow) / (p * global)), 'tokens', 'floor(window + (budget − p · layers · window) / (p · global_layers))', inputs);
}

/** Memory figures; the per-weight and per-cache breakdowns get their type strings on first read. */
class LayoutMemory implements MemoryCost {
  constructor(
    private readonly layout: ResolvedLayout,
    readonly weights: Explained,
    readonly kv: Explained,
    readonly kvTotal: Explained,
    readonly activations: { prefill: number; decode: number },
    readonly total: { prefill: Explained; decode: Explained },
    readonly hbm: number,
    readonly fits: boolean,
    readonly maxContext: Explained,
    private readonly layerW: Item[],
    private readonly tables: Item[],
    private readonly kvList: Item[],
  ) {}

  get weightItems(): MemoryCost['weightItems'] {
    const m = this.layout.model;
    // Each item × the layers that store it: an MoE model's dense layers hold the dense ffn, the rest the experts.
    const dense = this.layerW.some((i) => i.role === 'dense ffn') ? (m.dense_layers ?? 0) : 0;
    const layersOf = (i: Item) => (i.role === 'dense ffn' ? dense : i.role === 'ffn' ? m.layers - dense : m.layers);
    return [
      ...this.layerW.map((i) => ({ role: i.role, name: i.name, type: itemType(i, this.layout), bytes: i.bytes * layersOf(i) })),
      ...this.tables.map((i) => ({ role: i.role, name: i.name, type: itemType(i, this.layout), bytes: i.bytes })),
    ];
  }

  get kvItems(): MemoryCost['kvItems'] {
    const layers = this.layout.model.layers;
    return this.kvList.map((i) => ({ name: i.name, type: itemType(i, this.layout), bytes: i.bytes * layers }));
  }

  toJSON(): MemoryCost {
    const { weights, kv, kvTotal, activations, total, hbm, fits, maxContext, weightItems, kvItems } = this;
    return { weights, kv, kvTotal, activations, total, hbm, fits, maxContext, weightItems, kvItems };
  }
}
