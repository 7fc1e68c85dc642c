// The lower bound that lets `best` skip whole mesh/batch/dtype cells (see best.ts).

import type { Dtype, ResolvedLayout } from '../check/resolved';
import { DTYPE_BYTES, FFN_MATRICES } from '../check/resolved';
import type { RequestWorkload } from './bestTypes';

/**
 * A lower bound on a whole request's latency for any mesh of `chips` and any built-in pair: per
 * pass and layer, the weight matmuls' FLOPs and weight reads, shared over every chip.
 */
export function latencyBound(layout: ResolvedLayout, chips: number, w: RequestWorkload, dtype: Dtype, attention: boolean): { prefill: number; decode: number } {
  const m = layout.model;
  const d = m.dims;
  const hw = layout.mesh.hardware;
  const ffnMatrices = FFN_MATRICES[m.ffn];
  const perLayer = ffnMatrices * d.E * d.F + (attention ? 2 * d.E * d.H * d.Q + 2 * d.E * d.K * d.Q : 0);
  const pass = (tokens: number) => m.layers * Math.max((2 * tokens * perLayer) / (chips * hw.flops * hw.flops_eff), (perLayer * DTYPE_BYTES[dtype]) / (chips * hw.hbm_bw * hw.hbm_eff));
  return { prefill: pass(w.prefill.batch * w.prefill.prompt), decode: w.decode.generate * pass(w.decode.batch) };
}

