// Disaggregated serving (docs/cost-model.md "Per-phase meshes"): a layout whose prefill and
// decode run on meshes of their own. Each phase is costed on its own chips (the layout seen from
// that phase's pool), and the KV cache the prefill wrote is sent to the decode chips once.

import type { MeshSpec, Phase, ResolvedLayout } from '../check/resolved';
import { explained, input, type Explained } from './explained';
import { layerKinds } from './layerKinds';
import { bytesPerElement, logicalElements, makeSizes, passSizes } from './sizes';

/** Two meshes are one pool when they are the same mesh: same hardware, name and axes. */
export function sameMesh(a: MeshSpec, b: MeshSpec): boolean {
  if (a === b) return true;
  if (a.name !== b.name || a.hardware !== b.hardware || a.chips !== b.chips || a.axes.length !== b.axes.length) return false;
  for (let i = 0; i < a.axes.length; i++) {
    const p = a.axes[i], q = b.axes[i];
    if (p.name !== q.name || p.size !== q.size || p.link_bw !== q.link_bw || p.topology !== q.topology || p.wrap !== q.wrap) return false;
  }
  return true;
}

/** The prefill and decode run on different meshes (two pools of chips). */
export function isDisaggregated(layout: ResolvedLayout): boolean {
  return !sameMesh(layout.prefill.mesh, layout.decode.mesh);
}

// A phase's view is asked for by the pass, its memory and the better-layout search: one per layout.
const views: Record<Phase, WeakMap<ResolvedLayout, ResolvedLayout>> = { prefill: new WeakMap(), decode: new WeakMap() };

/**
 * The layout as one phase's pool sees it: `mesh` is that phase's mesh. Everything that costs a
 * phase (its pass, its metrics) reads `layout.mesh`, so a phase on its own mesh is costed by the
 * same code as a layout with one mesh. A layout with one mesh is its own view.
 */
export function phaseLayout(layout: ResolvedLayout, phase: Phase): ResolvedLayout {
  const mesh = layout[phase].mesh;
  if (mesh === layout.mesh || mesh === undefined) return layout;
  let view = views[phase].get(layout);
  if (!view) views[phase].set(layout, (view = { ...layout, mesh }));
  return view;
}

/** The link the KV cache crosses between the two pools (cost-model.md "Per-phase meshes"). */
export type TransferLink = 'scale-out network' | 'ICI';

export interface KvTransferCost {
  /** The whole cache of the decode batch's prompts, over all chips. */
  bytes: Explained;
  time: Explained;
  link: TransferLink;
  /** Chips sending (the prefill mesh) and receiving (the decode mesh). */
  fromChips: number;
  toChips: number;
  /** Aggregate bandwidth used: min(from, to) chips × one chip's link × efficiency. */
  bandwidth: number;
  latency: number;
}

/**
 * The KV-cache transfer from the prefill chips to the decode chips, or null when both phases run
 * on one mesh (or the decode keeps no cache).
 *
 * bytes = layers · cache elements per token (2·K·Q: keys and values) · kv bytes · prompt · batch,
 * the decode phase's prompt and batch: every decoded sequence's prompt cache moves once, whatever
 * batch the prefill ran. A sliding-window layer sends min(prompt, window) positions, not prompt.
 * The link: hardware with a scale-out network (`scaleout_bw`: GPU nodes, TPU slices joined by
 * the data-centre network) sends over it, each chip through its own NIC; hardware without one
 * (a TPU pod as Pope et al. ran it, the two meshes slices of one ICI torus) sends over ICI, one
 * link per chip. At most min(prefill chips, decode chips) chips send at once, so
 * t = α + bytes / (min(P_prefill, P_decode) · bw · link_eff).
 */
export function costKvTransfer(layout: ResolvedLayout): KvTransferCost | null {
  if (!isDisaggregated(layout) || !layout.decode.attention) return null;
  const from = layout.prefill.mesh, to = layout.decode.mesh;
  const m = layout.model;
  const w = layout.decode.workload;
  const kvBytes = bytesPerElement(m.kv);
  // Cache elements of one token in one layer, read from the decode block's caches at B = T = 1
  // as memory.ts reads them: 2·K·Q for keys and values (another cache shape counts its own).
  const oneToken = makeSizes('decode', 'last', 1, 1, 1, false, m.dims);
  const caches = layout.decode.attention.values.filter((v) => v.op === 'cache' && v.type);
  const perToken = caches.reduce((s, v) => s + logicalElements(v.type!, oneToken), 0);
  // Layers that differ (layerKinds.ts): a sliding-window layer holds, and so sends, only its
  // last min(prompt, window) positions; a global layer all `prompt` of them.
  const kinds = layerKinds(m, w, passSizes(m, w, 'prefill'));
  const positions = kinds.reduce((s, k) => s + k.count * k.sizes.T, 0);
  const windowed = kinds.some((k) => k.kind === 'local');
  const cacheInputs = () => ({
    'cache elements per token': input(perToken, 'elements', caches.map((v) => `${v.name}: ${v.type!.dims.filter((d) => d.letter !== 'B' && d.letter !== 'T').map((d) => d.letter).join('·') || '1'}`).join(' + ')),
    'kv bytes': input(kvBytes, 'B', m.kv),
  });
  const bytes = windowed
    ? explained(positions * perToken * kvBytes * w.batch, 'B', 'Σ kinds (layers · positions) · cache elements per token · kv bytes · B', () => ({
      'Σ kinds (layers · positions)': input(positions, 'tokens', kinds.map((k) => `${k.count} ${k.kind} layers × ${k.kind === 'local' ? `min(prompt, window) = ${k.sizes.T}` : `prompt = ${k.sizes.T}`}`).join(' + ')),
      ...cacheInputs(),
      B: input(w.batch, '', 'the decode batch'),
    }))
    : explained(m.layers * perToken * kvBytes * w.prompt * w.batch, 'B', 'layers · cache elements per token · kv bytes · prompt · B', () => ({
      layers: input(m.layers, ''),
      ...cacheInputs(),
      prompt: input(w.prompt, 'tokens'), B: input(w.batch, '', 'the decode batch'),
    }));
  const a = from.hardware, b = to.hardware;
  const network = a.scaleout_bw !== undefined && b.scaleout_bw !== undefined;
  const link: TransferLink = network ? 'scale-out network' : 'ICI';
  // Both ends must carry it: the slower chip's link and efficiency, the longer latency.
  const bw = network ? Math.min(a.scaleout_bw!, b.scaleout_bw!) : Math.min(a.link_bw, b.link_bw);
  const eff = Math.min(a.link_eff, b.link_eff);
  const alpha = network ? Math.max(a.scaleout_latency ?? a.collective_latency, b.scaleout_latency ?? b.collective_latency) : Math.max(a.collective_latency, b.collective_latency);
  const senders = Math.min(from.chips, to.chips);
  const bandwidth = senders * bw * eff;
  const time = explained(alpha + (bandwidth > 0 ? bytes.value / bandwidth : Infinity), 's', 'α + bytes / (min(P_prefill, P_decode) · bw · link_eff)', () => ({
    'α': input(alpha, 's', network ? 'scale-out network latency' : 'collective latency'),
    bytes: input(bytes.value, 'B'),
    P_prefill: input(from.chips, 'chips', `mesh ${from.name}`),
    P_decode: input(to.chips, 'chips', `mesh ${to.name}`),
    bw: input(bw, 'B/s', network ? 'scale-out bandwidth per chip, one direction' : 'one ICI link, one direction'),
    link_eff: input(eff, ''),
  }));
  return { bytes, time, link, fromChips: from.chips, toChips: to.chips, bandwidth, latency: alpha };
}
