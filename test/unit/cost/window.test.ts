// Sliding-window attention and layers that differ (cost/layerKinds.ts): a local layer attends to
// and caches at most `window` positions; a model's cost sums count × layer over its kinds. Every
// expectation is worked out here from docs/cost-model.md ("Layers that differ"), not read from
// an engine run.

import { describe, expect, it } from 'vitest';
import { costShard } from './helpers/shard';
import { windowedT } from '../../../server/src/engine/cost/layerKinds';
import { passSizes } from '../../../server/src/engine/cost/sizes';

const CHIP = 'hardware chip { flops = 100 TFLOP/s, hbm = 80 GB, hbm_bw = 1 TB/s, link_bw = 100 GB/s, topology = switch }';
// Grouped-query, K split over the 2 chips by ws1d_heads_gqa: a chip keeps K/2 = 2 heads.
const H = 8, K = 4, Q = 32, n = 2;

function text(model: string, workload: { batch: number; prompt: number; generate: number }, extra = ''): string {
  return `${CHIP}
model base { layers = 6, E = 512, F = 1024, H = ${H}, K = ${K}, Q = ${Q}, V = 512, ffn = gelu, block = serial }
model m = base { ${model} }
mesh two = chip { x = ${n} }
layout l {
  model = m, mesh = two
  workload = { batch = ${workload.batch}, prompt = ${workload.prompt}, generate = ${workload.generate} }
  ffn = ws1d, attention = heads
  ${extra}
}`;
}

describe("a sliding-window layer's attended length", () => {
  const at = (step: 'mean' | 'last', p: number, g: number, W: number) => {
    const w = { batch: 1, prompt: p, generate: g };
    const model = { dims: { E: 1, F: 1, H: 1, K: 1, Q: 1, V: 1, A: 0, C: 0, R: 0 } } as never;
    return windowedT(W, passSizes(model, w, 'decode', step), w);
  };

  it('is the window once the prompt fills it', () => {
    expect(at('mean', 4096, 512, 1024)).toBe(1024);
    expect(at('last', 4096, 512, 1024)).toBe(1024);
  });

  it('is the unbounded mean when the window never binds', () => {
    expect(at('mean', 100, 50, 1024)).toBe(125);
  });

  it('averages min(prompt + t, W) over the steps when the window binds part way', () => {
    // prompt 800, generate 400, W 1000: t from 0 to 200 grows 800 → 1000 (mean 900), then 200
    // steps at 1000: (200·900 + 200·1000) / 400 = 950.
    expect(at('mean', 800, 400, 1000)).toBe(950);
    expect(at('last', 800, 400, 1000)).toBe(1000);
  });
});

describe('the KV cache of a model with local layers', () => {
  const B = 4, prompt = 3000, generate = 200, W = 1024;
  // 6 layers: 4 local (window 1024), 2 global. The cache holds T = prompt + generate positions on
  // a global layer, min(T, W) on a local one; keys and values, K/n heads of Q, bf16, per chip.
  const perPositionPerChip = 2 * B * (K / n) * Q * 2;
  const { cost } = costShard(text(`window = ${W}, local_layers = 4`, { batch: B, prompt, generate }));

  it('bounds each local layer by the window', () => {
    expect(cost.memory.kv.value).toBe(perPositionPerChip * (2 * (prompt + generate) + 4 * W));
  });

  it('counts the logical cache the same way', () => {
    expect(cost.memory.kvTotal.value).toBe(B * (2 * (prompt + generate) + 4 * W) * 2 * K * Q * 2);
  });

  it('finds the longest context: past the window only the global layers grow', () => {
    const budget = 0.3 * 80e9;
    const withBudget = costShard(text(`window = ${W}, local_layers = 4`, { batch: B, prompt, generate }, 'kv_budget = 30%')).cost;
    // bytes(T) = p·(2·T + 4·min(T, W)), p = bytes per chip per position per layer.
    const expected = Math.floor(W + (budget - perPositionPerChip * 6 * W) / (perPositionPerChip * 2));
    expect(withBudget.memory.maxContext.value).toBe(expected);
  });
});

describe('a decode step of an all-local model', () => {
  it('costs what the same model without a window costs at T = W', () => {
    // Every layer local, prompt past the window: each decode step attends W positions. Without a
    // window, the mean step attends prompt' + generate/2: choose prompt' so that it is W.
    const W = 512, generate = 64;
    const windowed = costShard(text(`window = ${W}`, { batch: 8, prompt: 4096, generate })).cost;
    const plain = costShard(text('', { batch: 8, prompt: W - generate / 2, generate })).cost;
    expect(windowed.decode.pass.totals.time).toBeCloseTo(plain.decode.pass.totals.time, 15);
    expect(windowed.decode.pass.totals.flops).toBeCloseTo(plain.decode.pass.totals.flops, 3);
    // Its cache stops growing at the window: any context fits.
    expect(windowed.memory.maxContext.value).toBe(Infinity);
  });
});

describe('prefill with local layers', () => {
  it('sums the global and the local layers, each at its own T', () => {
    const B = 2, prompt = 2048, W = 256;
    const mixed = costShard(text(`window = ${W}, local_layers = 3`, { batch: B, prompt, generate: 1 })).cost.prefill.pass;
    const global = costShard(text('', { batch: B, prompt, generate: 1 })).cost.prefill.pass;
    // A local layer's scores are L × W instead of L × T: each of its two attention einsums saves
    // 2·B·L·(T − W)·(H/n)·Q FLOPs per chip; 3 local layers.
    const saved = 3 * 2 * (2 * B * prompt * (prompt - W) * (H / n) * Q);
    expect(global.totals.flops - mixed.totals.flops).toBeCloseTo(saved, 0);
    expect(mixed.latency.formula).toBe('t_embed + global_layers·t_global_layer + local_layers·t_local_layer + t_unembed');
  });
});

describe('Gemma 3 27B: 10 global and 52 sliding-window layers', () => {
  it('keeps 2 · 16 · 128 · 2 B per position per layer, the local layers at most 1024 positions', () => {
    const B = 1, prompt = 32768, generate = 256;
    const { cost } = costShard(`mesh m = h100 { x = 8 }
layout g { model = gemma3_27b, mesh = m, workload = { batch = ${B}, prompt = ${prompt}, generate = ${generate} }, ffn = ws1d, attention = heads }`);
    const perPosition = 2 * 16 * 128 * 2; // keys and values, 16 K/V heads of 128, bf16
    expect(cost.memory.kvTotal.value).toBe(B * perPosition * (10 * (prompt + generate) + 52 * 1024));
  });
});
