// The numeric fast path (plan.ts, numeric.ts) and the explained reference path (ops.ts,
// layer.ts) must give the same figures: every built-in ffn/attention pair, on torus and switch
// meshes, serial and parallel, with and without overlap, in both phases.

import { describe, expect, it } from 'vitest';
import { analyze, sourceFromText } from '../../../server/src/engine/index';
import { costLayout } from '../../../server/src/engine/cost/layout';
import { addTotals, emptyTotals, sumOps } from '../../../server/src/engine/cost/totals';

const PAIRS = [['ws1d', 'heads'], ['ws1d', 'batch'], ['ws2d', 'heads'], ['ws2d', 'batch'], ['wg_x', 'heads'], ['wg_x', 'batch'], ['wg_xy', 'heads'], ['wg_xy', 'batch'], ['wg_xyz', 'batch']];
const MESHES = ['tpu_v4 { x = 4, y = 4, z = 4 }', 'tpu_v4 { x = 2, y = 4, z = 8, collective_latency = 2 us }', 'h100 { x = 8 }', 'h100 { x = 4, y = 2, link_bw_y = 50 GB/s }'];
const MODELS = [
  'palm_62b',
  'palm_62b { block = serial, weights = int8 }',
  'llama { layers = 4, E = 4096, F = 14336, H = 32, K = 8, Q = 128, V = 128256, ffn = swiglu, tied_embeddings = false }',
  'mha { layers = 2, E = 2048, F = 8192, H = 32, Q = 64, V = 32000, ffn = gelu, block = parallel }',
];

function source(): string {
  const lines = ['hardware slowed = tpu_v4 { op_overhead = 3 us }'];
  MESHES.forEach((m, i) => lines.push(`mesh m${i} = ${m.replace('tpu_v4 {', i === 1 ? 'slowed {' : 'tpu_v4 {')}`));
  lines.push(`model ${MODELS[2]}`, `model ${MODELS[3]}`);
  let n = 0;
  for (const [ffn, attention] of PAIRS) {
    MESHES.forEach((_, mi) => {
      for (const model of ['palm_62b', 'palm_62b { block = serial, weights = int8 }', 'llama', 'mha']) {
        for (const overlap of ['none', 'collective_einsum']) {
          lines.push(`layout l${n++} { model = ${model}, mesh = m${mi}, workload { batch = 64, prompt = 256, generate = 32 }, ffn = ${ffn}, attention = ${attention}, overlap = ${overlap} }`);
        }
      }
    });
  }
  return lines.join('\n');
}

describe('fast path = explained path', () => {
  const analysis = analyze(sourceFromText(source()), { cost: false });
  it('covers many layouts', () => expect(analysis.layouts.length).toBeGreaterThan(100));
  it('every pass: totals, bound shares, layer time and activations agree', () => {
    const close = (a: number, b: number) => expect(Math.abs(a - b)).toBeLessThanOrEqual(1e-9 * Math.max(1, Math.abs(b)));
    for (const layout of analysis.layouts) {
      const cost = costLayout(layout);
      for (const p of [cost.prefill.pass, cost.decode.pass, cost.decode.lastStep!]) {
        // Rebuild the pass totals from the explained ops.
        const layer = p.layer;
        const ref = emptyTotals();
        ref.time_s += p.embed.time.value;
        ref.memory_s += p.embed.t_memory.value;
        ref.byBound.memory += p.embed.time.value;
        addTotals(ref, sumOps(layer.ops, layout.overlap).totals, layout.model.layers);
        if (p.unembed) addTotals(ref, p.unembed);
        if (p.cacheConversion) addTotals(ref, p.cacheConversion, layout.model.layers);
        for (const k of ['time_s', 'flops', 'comm_bytes', 'compute_s', 'memory_s', 'comm_s'] as const) close(p.totals[k], ref[k]);
        for (const k of ['compute', 'memory', 'comm'] as const) close(p.totals.byBound[k], ref.byBound[k]);
        close(p.latency.value, ref.time_s);
        // One layer's time and activation peak, fast vs reference liveness.
        const fast = p.fast!;
        close(fast.layerTime, layer.time_s);
        close(fast.layerActivationBytes, layer.activationBytes);
        close(fast.unembedTime, p.unembed?.time_s ?? 0);
      }
    }
  });
});
