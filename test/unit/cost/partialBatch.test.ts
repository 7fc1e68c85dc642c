// Partial-axis batch sharding (prelude/partial_batch.shard): attention that splits the batch over
// some mesh axes only, so a batch smaller than the chip count can be batch-sharded. Expectations
// are computed here from the block's types and the formulas of cost-model.md.

import { describe, expect, it } from 'vitest';
import { costShard, op } from './helpers/shard';
import { analyze, sourceFromText } from '../../../server/src/engine/index';
import { best } from '../../../server/src/engine/search/best';

// E split 64 ways by the residual BLE_xyz; H = 64 heads of Q = 64; one K/V head (multiquery).
const MODEL = 'model mq { layers = 2, E = 2048, F = 8192, H = 64, K = 1, Q = 64, V = 1024 }';
// 2 × 4 × 8 = 64 TPU v4 chips; no axis wraps around (x = 2 is not a multiple of 4).
const MESH = 'mesh m = tpu_v4 { x = 2, y = 4, z = 8 }';
const B = 16, PROMPT = 128, GENERATE = 8;
const layout = (attention: string) =>
  `${MODEL}\n${MESH}\nlayout l { model = mq, mesh = m, workload = { batch = ${B}, prompt = ${PROMPT}, generate = ${GENERATE} }, attention_kernel = unfused, ffn = ws2d, attention = ${attention} }`;

describe('batch over x and y only, heads over z, on 2×4×8', () => {
  it('a batch of 16 cannot be split over all 64 chips, but over x·y = 8 it can', () => {
    const all = analyze(sourceFromText(layout('batch'), 'all.shard'));
    expect(all.diagnostics.some((d) => d.code === 'not-divisible' && d.severity === 'error' && d.message.includes('B = 16'))).toBe(true);
    expect(all.layouts).toHaveLength(0);
    const partial = analyze(sourceFromText(layout('ws2d_batch_xy'), 'xy.shard'));
    expect(partial.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    expect(partial.layouts[0].decode.attention!.name).toBe('ws2d_batch_xy_mqa');
  });

  it('costs each chip the cache of B/(X·Y) = 2 sequences, its H/Z = 8 heads, and the all_to_all over xy', () => {
    const { cost } = costShard(layout('ws2d_batch_xy'));
    const perChipSequences = B / (2 * 4);
    // KV cache: layers · (kc + vc) · 2 sequences · (prompt + generate) · K · Q · 2 B.
    expect(cost.memory.kv.value).toBe(2 * 2 * perChipSequences * (PROMPT + GENERATE) * 1 * 64 * 2);
    const pass = cost.decode.pass;
    const T = pass.sizes.T;
    const ops = pass.layer.ops;
    // s = einsum(q, kt) : B_xy L T H_z — 2 · (B/XY) · L · T · (H/Z) · Q FLOPs, L = 1 in decode.
    expect(op(ops, 'attention.s').flops.value).toBe(2 * perChipSequences * 1 * T * (64 / 8) * 64);
    // q = all_to_all(qh, xy), qh : BLH_xyzQ — D = B·L·H·Q/64 · 2 B; t = D · max(2, 4)/(4 · 45 GB/s).
    const q = op(ops, 'attention.q');
    const D = ((B * 1 * 64 * 64) / 64) * 2;
    expect(q.commBytes.value).toBe(D);
    expect(q.commTime.value).toBeCloseTo((D * 4) / (4 * 45e9), 18);
    // k = slice(kx, y) needs no communication.
    expect(op(ops, 'attention.k').commBytes.value).toBe(0);
  });

  it('batch over x alone keeps B/X = 8 sequences per chip and H/(Y·Z) = 2 heads', () => {
    const { cost } = costShard(layout('ws2d_batch_x'));
    expect(cost.memory.kv.value).toBe(2 * 2 * (B / 2) * (PROMPT + GENERATE) * 64 * 2);
    const s = op(cost.decode.pass.layer.ops, 'attention.s');
    expect(s.flops.value).toBe(2 * (B / 2) * cost.decode.pass.sizes.T * (64 / 32) * 64);
  });

  it("Pope Fig. 1's 540B decode on 128 chips at batch 64 is costable with built-in blocks", () => {
    const { cost, layout: l } = costShard(`
mesh pod128 = tpu_v4 { x = 4, y = 4, z = 8 }
layout c128_b64 { model = palm_540b, mesh = pod128, workload = { batch = 64, prompt = 2048, generate = 64 }, ffn = ws2d, attention = ws2d_batch_xy }`);
    expect(l.mesh.chips).toBe(128);
    expect(cost.decode.pass.latency.value).toBeGreaterThan(0);
    // 64 sequences over x·y = 16: 4 per chip.
    expect(cost.memory.kvItems[0].type).toContain('B_xy');
  });
});

describe('best searches the partial-axis built-ins and the file\'s own blocks', () => {
  it('finds a batch-sharded decode where every built-in shards B over all chips', () => {
    const a = analyze(sourceFromText(layout('ws2d_batch_xy'), 'b.shard'));
    const result = best(a, a.layouts[0], { top: 50 });
    const decodes = new Set(result.candidates.map((c) => c.decode.attention));
    expect([...decodes].some((n) => n.startsWith('ws2d_batch_x'))).toBe(true);
  });

  it("tries the file's own attention block", () => {
    // A copy of ws2d_batch_xy_mqa under the file's own name.
    const own = analyze(sourceFromText(layout('ws2d_batch_xy'), 'b.shard')).layouts[0].decode.attention!;
    const text = own.decl.source.text.slice(own.decl.start, own.decl.end).replace('ws2d_batch_xy_mqa', 'mine');
    const a = analyze(sourceFromText(`${layout('ws2d_batch_xy')}\n${text}`, 'own.shard'));
    const result = best(a, a.layouts[0], { top: 200 });
    expect(result.candidates.some((c) => c.decode.attention === 'mine' || c.prefill.attention === 'mine')).toBe(true);
  });
});
