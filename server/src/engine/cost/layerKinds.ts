// Layers that differ (docs/cost-model.md "Layers that differ"): a model's layers are costed as
// kinds, each a count of layers with its own pass sizes, and a pass sums count × layer over the
// kinds. The kinds are global attention (the whole context) and sliding-window ("local")
// attention, whose layers attend to and cache at most the model's `window` positions (Gemma 3's
// 5 local : 1 global, gpt-oss's alternating layers, Mistral's all-local window); and, for the
// FFN, an MoE model's dense layers (DeepSeek-V3's first three) beside its expert layers.

import type { ModelSpec, WorkloadSpec } from '../check/resolved';
import { makeSizes, type PassSizes } from './sizes';

export type LayerKindName = 'global' | 'local';

export interface LayerKind {
  kind: LayerKindName;
  /** How many of the model's layers are of this kind (> 0). */
  count: number;
  /** The pass's sizes as this kind's layers see them: T bounded by the window for local layers. */
  sizes: PassSizes;
}

/**
 * The kinds of the model's layers in one pass, global first; kinds with no layers are left out.
 * A model without a window has one kind: every layer global, with the pass's own sizes.
 */
export function layerKinds(model: ModelSpec, workload: WorkloadSpec, sizes: PassSizes): LayerKind[] {
  const local = model.window !== undefined ? (model.local_layers ?? model.layers) : 0;
  const global = model.layers - local;
  const out: LayerKind[] = [];
  if (global > 0) out.push({ kind: 'global', count: global, sizes });
  if (local > 0) {
    const T = windowedT(model.window!, sizes, workload);
    out.push({ kind: 'local', count: local, sizes: T === sizes.T ? sizes : makeSizes(sizes.phase, sizes.step, sizes.B, sizes.L, T, sizes.realT, sizes) });
  }
  return out;
}

/** A layer kind split by its FFN: the model's MoE block, or the dense block of its `dense_layers`. */
export interface FfnLayerKind extends LayerKind {
  ffn: 'moe' | 'dense';
  /** How formulas name it: `global`/`local` as before, `moe`/`dense` for dense layers without a window, `dense_local`… with both. */
  name: string;
}

/**
 * The layer kinds of a pass split by FFN (docs/cost-model.md "Layers that differ"): an MoE model
 * with `dense_layers` has that many layers with the dense FFN (its first layers: DeepSeek-V3's
 * first_k_dense_replace), the rest with experts. With a window as well, the dense layers are
 * counted as local ones first, as the first layers of Gemma 3 and gpt-oss are sliding-window
 * layers (only the counts matter to the cost). MoE kinds come first, so the first kind is the
 * model's typical layer. Without `dense_layers` this is `layerKinds` with every kind `moe`.
 */
export function ffnLayerKinds(model: ModelSpec, workload: WorkloadSpec, sizes: PassSizes): FfnLayerKind[] {
  const kinds = layerKinds(model, workload, sizes);
  let dense = model.dense_layers ?? 0;
  // Field by field (an object spread is slow on this path, run for every pass).
  if (dense <= 0) return kinds.map((k): FfnLayerKind => ({ kind: k.kind, count: k.count, sizes: k.sizes, ffn: 'moe', name: k.kind }));
  const windowed = kinds.length > 1 || kinds[0].kind === 'local';
  const denseOf = new Map<LayerKind, number>();
  for (const k of [...kinds].sort((a, b) => (a.kind === 'local' ? 0 : 1) - (b.kind === 'local' ? 0 : 1))) {
    const n = Math.min(dense, k.count);
    denseOf.set(k, n);
    dense -= n;
  }
  const out: FfnLayerKind[] = [];
  for (const ffn of ['moe', 'dense'] as const) {
    for (const k of kinds) {
      const count = ffn === 'dense' ? denseOf.get(k)! : k.count - denseOf.get(k)!;
      if (count > 0) out.push({ kind: k.kind, count, sizes: k.sizes, ffn, name: windowed ? `${ffn}_${k.kind}` : ffn });
    }
  }
  return out;
}

/**
 * The attended length of a sliding-window layer of window W in a pass. Prefill and the last decode
 * step: min(T, W). The mean decode step: the mean over the `generate` steps of min(prompt + t, W)
 * (t from 0 to generate, continuous, as the global layers' mean T = prompt + generate/2 is):
 *   W ≥ prompt + generate:   prompt + generate/2 (the window never binds)
 *   W ≤ prompt:              W
 *   otherwise:               ((W² − prompt²)/2 + (prompt + generate − W)·W) / generate
 */
export function windowedT(W: number, sizes: PassSizes, workload: WorkloadSpec): number {
  if (sizes.step !== 'mean') return Math.min(sizes.T, W);
  const p = workload.prompt;
  const g = workload.generate;
  if (W >= p + g) return sizes.T;
  if (W <= p || g <= 0) return Math.min(W, sizes.T);
  return ((W * W - p * p) / 2 + (p + g - W) * W) / g;
}
