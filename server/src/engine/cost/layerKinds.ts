// Layers that differ (docs/cost-model.md "Layers that differ"): a model's layers are costed as
// kinds, each a count of layers with its own pass sizes, and a pass sums count × layer over the
// kinds. Today the kinds are global attention (the whole context) and sliding-window ("local")
// attention, whose layers attend to and cache at most the model's `window` positions (Gemma 3's
// 5 local : 1 global, gpt-oss's alternating layers, Mistral's all-local window).

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
