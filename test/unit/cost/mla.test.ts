// Multi-head latent attention (prelude/mla.shard): the latent KV cache, the absorbed and the
// expanded forms of the attention, and which one `attention = heads | batch` picks per phase.
// Every expectation is worked out here from the blocks' einsums and cost-model.md's rules
// ("Fused attention", "Memory per chip"), not read from an engine run.

import { describe, expect, it } from 'vitest';
import { costShard, op } from './helpers/shard';
import { countParams } from '../../../server/src/engine/check/records';

// A plain chip: no efficiency factors, no op overhead, so an op's time is its roofline.
const CHIP = 'hardware chip { flops = 100 TFLOP/s, hbm = 80 GB, hbm_bw = 1 TB/s, link_bw = 100 GB/s, topology = switch }';

describe("DeepSeek-V3's latent KV cache", () => {
  // config.json: 61 layers, kv_lora_rank 512, qk_rope_head_dim 64; bf16 cache.
  const perToken = 61 * (512 + 64) * 2;
  const deepseek = (attention: string, kv = 'bf16', B = 4, prompt = 1000, generate = 24) => `
mesh m = h100 { x = 8 }
layout l {
  model = deepseek_v3 { kv = ${kv} }, mesh = m
  workload = { batch = ${B}, prompt = ${prompt}, generate = ${generate} }
  ffn = moe_ws, attention = ${attention}
}`;
  // The MoE ffn moe_ws shares ws1d's residual BLE_xyz: its attention is the ws1d family, named.

  it('is 61 × (512 + 64) × 2 B = 70,272 B per token in bf16', () => {
    expect(perToken).toBe(70_272);
    const B = 4, prompt = 1000, generate = 24;
    const { cost } = costShard(deepseek('ws1d_heads'));
    expect(cost.memory.kvTotal.value).toBe(perToken * B * (prompt + generate));
  });

  it('is half that in fp8 (the `kv` dtype)', () => {
    const { cost } = costShard(deepseek('ws1d_heads', 'fp8'));
    expect(cost.memory.kvTotal.value).toBe((perToken / 2) * 4 * 1024);
  });

  it('is replicated on every chip when heads are split (one latent for all heads), split by sequence when batch is', () => {
    const tokens = 4 * 1024;
    // Heads-sharded: every chip keeps the whole latent cache. Batch-sharded: each of the 8 chips
    // keeps the cache of B/8 sequences (B = 8 so that it divides).
    expect(costShard(deepseek('ws1d_heads')).cost.memory.kv.value).toBe(perToken * tokens);
    expect(costShard(deepseek('ws1d_batch', 'bf16', 8)).cost.memory.kv.value).toBe((perToken * 8 * 1024) / 8);
  });

  it('an attention family picks the absorbed block for decode and the expanded one for prefill', () => {
    const { layout } = costShard(deepseek('ws1d_heads'));
    expect(layout.decode.attention?.name).toBe('ws1d_heads_mla');
    expect(layout.prefill.attention?.name).toBe('ws1d_heads_mla_expanded');
    const batch = costShard(deepseek('ws1d_batch', 'bf16', 8)).layout;
    expect(batch.decode.attention?.name).toBe('ws1d_batch_mla');
    expect(batch.prefill.attention?.name).toBe('ws1d_batch_mla_expanded');
  });

  it('naming a block picks it for both phases', () => {
    const { layout } = costShard(deepseek('ws1d_heads_mla_expanded'));
    expect(layout.decode.attention?.name).toBe('ws1d_heads_mla_expanded');
    expect(layout.prefill.attention?.name).toBe('ws1d_heads_mla_expanded');
  });
});

describe('absorbed and expanded MLA, one decode step on 2 chips', () => {
  // A small MLA model: query latent A, latent KV rank C, rope dims R, nope/value head dim Q.
  const E = 256, H = 8, Q = 16, A = 32, C = 24, R = 8, n = 2;
  const MODEL = `model tiny { layers = 1, E = ${E}, F = 512, H = ${H}, K = ${H}, Q = ${Q}, V = 512, A = ${A}, C = ${C}, R = ${R}, ffn = gelu, block = serial }`;
  const B = 4, prompt = 500, generate = 8;
  // The mean decode step: T = prompt + generate/2, L = 1; heads split over the n chips.
  const T = prompt + generate / 2, L = 1, h = H / n;
  const text = (attention: string, kernel = '') => `${CHIP}
${MODEL}
mesh m = chip { x = ${n} }
layout l {
  model = tiny, mesh = m
  workload = { batch = ${B}, prompt = ${prompt}, generate = ${generate} }
  ffn = ws1d, attention = ${attention}
  ${kernel}
}`;
  const absorbed = costShard(text('ws1d_heads_mla')).cost.decode.pass.layer;
  const expanded = costShard(text('ws1d_heads_mla_expanded')).cost.decode.pass.layer;

  it('absorbed: one fused op reads the latent once for keys and values; scores in C + R dims per head', () => {
    const o = op(absorbed.ops, 'attention.ol');
    expect(o.fused).toEqual(['attention.sc', 'attention.sr', 'attention.s', 'attention.p', 'attention.ol']);
    // sc = einsum(ql, ct): 2·B·L·T·h·C; sr = einsum(qr, rt): 2·B·L·T·h·R; ol = einsum(p, ct): 2·B·L·T·h·C.
    expect(o.flops.value).toBeCloseTo(2 * B * L * T * h * (C + R + C), 6);
    // HBM: ql (B·L·h·C), the cached latent ct (B·T·C, once), qr (B·L·h·R), the rope keys rt
    // (B·T·R) and the result ol (B·L·h·C), all bf16.
    const bytes = 2 * (B * L * h * C + B * T * C + B * L * h * R + B * T * R + B * L * h * C);
    expect(o.bytes.value).toBeCloseTo(bytes, 6);
    // The query moves into the latent space, the output out of it: 2·B·L·h·Q·C each.
    expect(op(absorbed.ops, 'attention.ql').flops.value).toBe(2 * B * L * h * Q * C);
    expect(op(absorbed.ops, 'attention.o').flops.value).toBe(2 * B * L * h * C * Q);
  });

  it('expanded: every cached position is up-projected to this chip\'s heads, then ordinary attention in Q + R dims', () => {
    // kn = einsum(ct, w_uk) and vn = einsum(ct, w_uv): 2·B·T·C·h·Q each.
    expect(op(expanded.ops, 'attention.kn').flops.value).toBeCloseTo(2 * B * T * C * h * Q, 6);
    expect(op(expanded.ops, 'attention.vn').flops.value).toBeCloseTo(2 * B * T * C * h * Q, 6);
    const o = op(expanded.ops, 'attention.o');
    expect(o.fused).toEqual(['attention.sc', 'attention.sr', 'attention.s', 'attention.p', 'attention.o']);
    expect(o.flops.value).toBeCloseTo(2 * B * L * T * h * (Q + R + Q), 6);
    // HBM: qn (B·L·h·Q), kn and vn (B·T·h·Q each), qr, rt and the result o.
    const bytes = 2 * (B * L * h * Q + B * T * h * Q + B * L * h * R + B * T * R + B * T * h * Q + B * L * h * Q);
    expect(o.bytes.value).toBeCloseTo(bytes, 6);
  });

  it('in decode the absorbed form does fewer FLOPs and moves fewer bytes (why it is the decode default)', () => {
    expect(absorbed.flops).toBeLessThan(expanded.flops);
    expect(absorbed.time).toBeLessThan(expanded.time);
  });

  it('in prefill (L = T = prompt) the expanded form does fewer FLOPs (why it is the prefill default)', () => {
    const pa = costShard(text('ws1d_heads_mla')).cost.prefill.pass.layer;
    const pe = costShard(text('ws1d_heads_mla_expanded')).cost.prefill.pass.layer;
    // Attention alone, per chip, L = T = prompt: absorbed 2·B·L·T·h·(2C + R) + 4·B·L·h·Q·C;
    // expanded 2·B·L·T·h·(2Q + R) + 4·B·T·C·h·Q. With C > Q the absorbed scores cost more.
    const P = prompt;
    const absorbedAttention = 2 * B * P * P * h * (2 * C + R) + 4 * B * P * h * Q * C;
    const expandedAttention = 2 * B * P * P * h * (2 * Q + R) + 4 * B * P * C * h * Q;
    expect(absorbedAttention).toBeGreaterThan(expandedAttention);
    expect(pa.flops - pe.flops).toBeCloseTo(absorbedAttention - expandedAttention, 0);
  });

  it('unfused, the two score einsums, their sum and the softmax are ops of their own', () => {
    const unfused = costShard(text('ws1d_heads_mla', 'attention_kernel = unfused')).cost.decode.pass.layer;
    for (const k of ['attention.sc', 'attention.sr', 'attention.s', 'attention.p', 'attention.ol']) expect(op(unfused.ops, k).fused).toBeUndefined();
    // The sum of the scores reads both and writes one: 3 × B·L·T·h bf16 values.
    expect(op(unfused.ops, 'attention.s').bytes.value).toBeCloseTo(3 * B * L * T * h * 2, 6);
  });

  it('counts the MLA weights when `params` is not given', () => {
    // w_dq E·A, w_uq A·H·Q, w_qr A·H·R, w_dkv E·C, w_kr E·R, w_uk and w_uv C·H·Q, w_o H·Q·E; gelu FFN 2·E·F; tied table V·E.
    const attention = E * A + A * H * Q + A * H * R + E * C + E * R + 2 * C * H * Q + H * Q * E;
    expect(countParams(1, E, 512, H, H, Q, 512, 'gelu', true, { A, C, R })).toBe(attention + 2 * E * 512 + 512 * E);
    expect(costShard(text('ws1d_heads_mla')).layout.model.params).toBe(attention + 2 * E * 512 + 512 * E);
  });
});

describe('`attention = heads | batch` on an MLA model', () => {
  const MODEL = 'model tiny { layers = 1, E = 256, F = 512, H = 8, K = 8, Q = 16, V = 512, A = 32, C = 24, R = 8, ffn = gelu, block = serial }';
  const text = (ffn: string, attention: string) => `${CHIP}
${MODEL}
mesh m = chip { x = 2 }
layout l {
  model = tiny, mesh = m
  workload = { batch = 4, prompt = 64, generate = 8 }
  ffn = ${ffn}, attention = ${attention}
}`;

  it('picks the ffn family\'s MLA member per phase', () => {
    const { layout } = costShard(text('ws1d', 'batch'));
    expect(layout.decode.attention?.name).toBe('ws1d_batch_mla');
    expect(layout.prefill.attention?.name).toBe('ws1d_batch_mla_expanded');
  });

  it('names the missing block and the MLA blocks there are when the family has none', () => {
    // ws2d has a heads MLA family (ws2d_heads_mla) but no batch one: its batch members replicate
    // their weights whatever the ffn, so the message lists the blocks there are.
    expect(() => costShard(text('ws2d', 'batch'))).toThrow(/no `ws2d_batch_mla_expanded`: model tiny uses multi-head latent attention \(C = 24\).*`ws1d_heads_mla`/);
  });
});

describe('an MLA block on a model without a latent', () => {
  it('is a model-mismatch error naming the latent cache', () => {
    const text = `${CHIP}
model plain { layers = 1, E = 256, F = 512, H = 8, K = 8, Q = 16, V = 512, ffn = gelu }
mesh m = chip { x = 2 }
layout l { model = plain, mesh = m, workload = { batch = 4, prompt = 64, generate = 8 }, ffn = ws1d, attention = ws1d_heads_mla }`;
    expect(() => costShard(text)).toThrow(/model-mismatch: .*ws1d_heads_mla is multi-head latent attention \(its cache cc keeps the latent C\), but model plain has no latent KV rank \(C = 0\)/);
  });
});

describe('MLA in the 2D weight-stationary layout (ws2d_heads_mla)', () => {
  // layers 4, E 1024, H 16 heads of Q 64, A 256, C 128, R 32, on 4 chips (x = 2, y = 2).
  const text = `${CHIP}
model small_mla { layers = 4, E = 1024, F = 4096, H = 16, K = 16, Q = 64, V = 32000, A = 256, C = 128, R = 32, ffn = swiglu }
mesh m = chip { x = 2, y = 2 }
layout two_d { model = small_mla, mesh = m, workload = { batch = 4, prompt = 64, generate = 8 }, ffn = ws2d, attention = heads }
layout one_d = two_d { ffn = ws1d }`;

  it('attention = heads with ffn = ws2d picks the 2D MLA members: absorbed in decode, expanded in prefill', () => {
    const { layout } = costShard(text, 'two_d');
    expect(layout.decode.attention?.name).toBe('ws2d_heads_mla');
    expect(layout.prefill.attention?.name).toBe('ws2d_heads_mla_expanded');
  });

  it('stores the down-projections split over x (E_x): x = 2 times fewer bytes than ws1d, all else equal', () => {
    const E = 1024, A = 256, C = 128, R = 32, layers = 4;
    const twoD = costShard(text, 'two_d').cost, oneD = costShard(text, 'one_d').cost;
    // ws1d keeps w_dq (E A), w_dkv (E C) and w_kr (E R) whole on every chip, ws2d half of each;
    // the up-projections, w_o (H Q E over 4 chips either way) and the FFN (E F over 4 chips) match.
    const saved = (layers * (E * A + E * C + E * R) * 2) / 2;
    expect(oneD.memory.weights.value - twoD.memory.weights.value).toBe(saved);
    // The same latent cache, whole on every chip: B T (C + R) per layer.
    expect(twoD.memory.kv.value).toBe(oneD.memory.kv.value);
    expect(twoD.memory.kv.value).toBe(layers * 4 * (64 + 8) * (C + R) * 2);
  });
});
