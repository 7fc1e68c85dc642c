// Per-phase meshes (disaggregated serving): each phase costed on its own chips, and the KV cache
// sent from the prefill chips to the decode chips. Expectations are the formula of cost-model.md
// "Per-phase meshes", computed here by hand.

import { describe, expect, it } from 'vitest';
import { costShard } from './helpers/shard';
import { analyze, sourceFromText } from '../../../server/src/engine/index';
import { buildReport } from '../../../server/src/engine/report/json';
import { explainLayout, renderExplain } from '../../../server/src/engine/report/explain';
import { renderReport } from '../../../server/src/engine/report/text';

const GB = 1e9;
// layers 4, K = 8 key/value heads of Q = 128, bf16 cache (2 bytes).
const MODEL = 'model small { layers = 4, E = 1024, F = 4096, H = 8, K = 8, Q = 128, V = 1024 }';
const WORKLOAD = 'workload w { batch = 16, prompt = 512, generate = 4 }';
// KV of one token, all layers: 2 (K and V) · 4 layers · 8 heads · 128 · 2 B = 16 384 B;
// the decode batch's prompts: 16 sequences × 512 tokens.
const KV_BYTES = 2 * 4 * 8 * 128 * 2 * 512 * 16; // 134 217 728 B

function file(layout: string): string {
  return `${MODEL}\n${WORKLOAD}\n${layout}`;
}

const TPU_SPLIT = file(`
mesh big = tpu_v4 { x = 4, y = 2 }     # 8 chips
mesh small = tpu_v4 { x = 2, y = 2 }   # 4 chips
layout split { model = small, workload = w, ffn = ws2d, attention = batch, prefill { mesh = big }, decode { mesh = small } }
layout on_big { model = small, mesh = big, workload = w, ffn = ws2d, attention = batch }
layout on_small { model = small, mesh = small, workload = w, ffn = ws2d, attention = batch }
`);

describe('KV transfer between two meshes', () => {
  it('TPU v4 slices (no scale-out network): over ICI, one 45 GB/s link per chip of the smaller mesh', () => {
    const { cost } = costShard(TPU_SPLIT, 'split');
    const t = cost.kvTransfer!;
    expect(t.bytes.value).toBe(KV_BYTES);
    expect(t.link).toBe('ICI');
    expect([t.fromChips, t.toChips]).toEqual([8, 4]);
    // tpu_v4: collective_latency 0, link_eff 1. min(8, 4) = 4 links of 45 GB/s: 134.2 MB / 180 GB/s.
    expect(t.time.value).toBeCloseTo(KV_BYTES / (4 * 45 * GB), 12);
    expect(t.time.value * 1e3).toBeCloseTo(0.7457, 3); // ms
  });

  it('H100 nodes: over the scale-out network, 50 GB/s per GPU plus its 5 µs latency', () => {
    const { cost } = costShard(file(`
layout split { model = small, workload = w, ffn = ws2d, attention = batch, prefill { mesh = h100 { x = 8, y = 2 } }, decode { mesh = h100 { x = 8 } } }
`));
    const t = cost.kvTransfer!;
    expect(t.link).toBe('scale-out network');
    expect([t.fromChips, t.toChips]).toEqual([16, 8]);
    expect(t.time.value).toBeCloseTo(5e-6 + KV_BYTES / (8 * 50 * GB), 12);
  });

  it('each phase costs what it costs on its own mesh; the request waits for the transfer', () => {
    const split = costShard(TPU_SPLIT, 'split').cost;
    const big = costShard(TPU_SPLIT, 'on_big').cost;
    const small = costShard(TPU_SPLIT, 'on_small').cost;
    expect(split.prefill.latency.value).toBe(big.prefill.latency.value);
    expect(split.decode.pass.latency.value).toBe(small.decode.pass.latency.value);
    expect(split.decode.latency.value).toBe(small.decode.latency.value);
    // Each pool's chips for its own time: 4 decode chips × step / 16 tokens.
    expect(split.decode.costChipSPerToken.value).toBeCloseTo((4 * small.decode.pass.latency.value) / 16, 15);
    expect(split.prefill.costChipSPerToken.value).toBeCloseTo((8 * big.prefill.latency.value) / (16 * 512), 15);
    expect(split.totalLatency.value).toBeCloseTo(big.prefill.latency.value + KV_BYTES / (4 * 45 * GB) + small.decode.latency.value, 12);
    expect(split.chips).toBe(12);
  });

  it('each pool holds its own weights: the decode pool as the layout on its mesh alone', () => {
    const split = costShard(TPU_SPLIT, 'split').cost;
    const small = costShard(TPU_SPLIT, 'on_small').cost;
    const big = costShard(TPU_SPLIT, 'on_big').cost;
    const pools = split.memory.pools!;
    expect(pools.decode.weights.value).toBe(small.memory.weights.value);
    expect(pools.prefill.weights.value).toBe(big.memory.weights.value);
    // The prefill pool holds the prompt's cache only (T = prompt), the decode pool T = prompt + generate:
    // per chip, batch 16 over the 8 chips of `big` vs. 16 over the 4 of `small`.
    expect(pools.prefill.kv.value).toBeCloseTo((2 * 4 * 16 * 512 * 8 * 128 * 2) / 8, 6);
    expect(pools.decode.kv.value).toBeCloseTo((2 * 4 * 16 * 516 * 8 * 128 * 2) / 4, 6);
    expect(split.memory.fits).toBe(pools.prefill.fits && pools.decode.fits);
  });

  it('both phases on one mesh: no transfer, the same figures as a layout with one mesh', () => {
    const same = costShard(file(`
mesh small = tpu_v4 { x = 2, y = 2 }
layout a { model = small, mesh = small, workload = w, ffn = ws2d, attention = batch, decode { mesh = small } }
layout b { model = small, mesh = small, workload = w, ffn = ws2d, attention = batch }
`), 'a').cost;
    const plain = costShard(file(`
mesh small = tpu_v4 { x = 2, y = 2 }
layout b { model = small, mesh = small, workload = w, ffn = ws2d, attention = batch }
`), 'b').cost;
    expect(same.kvTransfer).toBeUndefined();
    expect(same.totalLatency.value).toBe(plain.totalLatency.value);
    expect(same.memory.pools).toBeUndefined();
  });

  it('report JSON (version 2), text and explain show the transfer', () => {
    const analysis = analyze(sourceFromText(TPU_SPLIT, 'split.shard'));
    const report = buildReport(analysis, { layouts: ['split', 'on_big'] });
    expect(report.version).toBe(2);
    const [split, onBig] = report.layouts;
    expect(split.kv_transfer).toMatchObject({ bytes: KV_BYTES, link: 'ICI', from_mesh: 'big', to_mesh: 'small', from_chips: 8, to_chips: 4, bandwidth_bytes_per_s: 4 * 45 * GB });
    expect(split.prefill).toMatchObject({ mesh: 'big', chips: 8 });
    expect(split.decode).toMatchObject({ mesh: 'small', chips: 4 });
    expect(split.chips).toBe(12);
    expect(split.memory!.pools!.decode.fits).toBe(true);
    expect(onBig.kv_transfer).toBeNull();
    expect(onBig.memory!.pools).toBeUndefined();
    const text = renderReport({ ...report, layouts: [split] });
    expect(text).toContain('prefill on big (8 chips), decode on small (4 chips)');
    expect(text).toMatch(/KV transfer: .* from 8 prefill chips to 4 decode chips over the ICI/);
    const ex = renderExplain(explainLayout(costShard(TPU_SPLIT, 'split').cost));
    expect(ex).toContain('KV transfer: 8 prefill chips → 4 decode chips over the ICI');
    expect(ex).toContain('prefill + kv_transfer + decode');
  });

  it('a phase mesh that does not exist makes the layout uncostable with a diagnostic', () => {
    const analysis = analyze(sourceFromText(file(`layout l { model = small, mesh = tpu_v4 { x = 2 }, workload = w, ffn = ws2d, attention = batch, decode { mesh = nowhere } }`), 'bad.shard'));
    expect(analysis.diagnostics.some((d) => d.code === 'unknown-name' && d.message.includes('nowhere'))).toBe(true);
    expect(analysis.uncostable.map((u) => u.reason)).toEqual(['its decode mesh could not be resolved']);
  });
});

describe('KV transfer with sliding-window layers (issue #12)', () => {
  // A Gemma 3-like model: 6 layers, 5 local (window 128) to 1 global; K = 2 heads of Q = 64.
  const WINDOWED = `
model gemma_like { layers = 6, E = 512, F = 2048, H = 4, K = 2, Q = 64, V = 1024, window = 128, local_layers = 5 }
workload w { batch = 16, prompt = 512, generate = 8 }
layout split { model = gemma_like, workload = w, ffn = ws2d, attention = batch, prefill { mesh = h100 { x = 8, y = 2 } }, decode { mesh = h100 { x = 8 } } }
`;

  it('a local layer sends only its last min(prompt, window) positions', () => {
    const t = costShard(WINDOWED, 'split').cost.kvTransfer!;
    // Per token and layer: keys and values, 2 · K · Q = 2 · 2 · 64 = 256 elements × 2 B (bf16).
    // Positions: 1 global layer × 512 (the prompt) + 5 local layers × min(512, 128) = 512 + 640 = 1152,
    // for each of the 16 sequences: 1152 × 256 × 2 B × 16 = 9,437,184 B (all global: 6 × 512 → 25,165,824 B).
    expect(t.bytes.value).toBe(1152 * 256 * 2 * 16);
    expect(t.bytes.formula).toContain('Σ kinds');
    expect(t.time.value).toBeCloseTo(5e-6 + (1152 * 256 * 2 * 16) / (8 * 50 * GB), 12);
  });

  it('a window longer than the prompt changes nothing', () => {
    const t = costShard(WINDOWED.replace('window = 128', 'window = 4096'), 'split').cost.kvTransfer!;
    expect(t.bytes.value).toBe(6 * 512 * 256 * 2 * 16);
  });
});
