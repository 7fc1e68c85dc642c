// Fused attention (`attention_kernel = fused`, the default) against `attention_kernel = unfused`
// (the paper's implementation), and the KV cache costed at the model's `kv` dtype apart from the
// weights'. Every expectation is worked out here from the rules of cost-model.md ("Fused
// attention", "Memory per chip"), not read from an engine run.

import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { analyze, sourceFromText } from '../../../server/src/engine/index';
import { costShard, op } from './helpers/shard';
import { explainLayout, renderExplain } from '../../../server/src/engine/report/index';

// A plain chip: no efficiency factors, no op overhead, so an op's time is its roofline.
const CHIP = 'hardware chip { flops = 100 TFLOP/s, hbm = 80 GB, hbm_bw = 1 TB/s, link_bw = 100 GB/s, topology = switch }';
const FLOPS = 100e12;
const HBM_BW = 1e12;

// A small grouped-query model on 4 chips with the built-in 1D layout: ws1d_heads_gqa splits the
// query heads and the K/V heads over the 4 chips (H/4 = 4 and K/4 = 1 per chip).
const H = 16, K = 4, Q = 64, n = 4;
const MODEL = `model small { layers = 1, E = 1024, F = 4096, H = ${H}, K = ${K}, Q = ${Q}, V = 1024, ffn = gelu, block = serial }`;

function layout(kernel: string, workload: { batch: number; prompt: number; generate: number }): string {
  return `${CHIP}
${MODEL}
mesh m = chip { x = ${n} }
layout l {
  model = small, mesh = m
  workload { batch = ${workload.batch}, prompt = ${workload.prompt}, generate = ${workload.generate} }
  ffn = ws1d, attention = heads
  ${kernel ? `attention_kernel = ${kernel}` : ''}
}`;
}

describe('fused attention in a decode step', () => {
  const B = 8, prompt = 1000, generate = 8;
  // One decode step is costed at the mean attended length T = prompt + generate/2, one new token.
  const T = prompt + generate / 2, L = 1;
  const fused = costShard(layout('', { batch: B, prompt, generate })).cost.decode.pass.layer;
  const unfused = costShard(layout('unfused', { batch: B, prompt, generate })).cost.decode.pass.layer;

  // Per-chip bytes (bf16): q and o are B·L·(H/n)·Q; the cached keys kt and values vt B·T·(K/n)·Q;
  // the scores s and probabilities p B·L·T·(H/n).
  const q = B * L * (H / n) * Q * 2;
  const kv = B * T * (K / n) * Q * 2;
  const scores = B * L * T * (H / n) * 2;
  // Each einsum: 2·B·L·(H/n)·Q·T FLOPs (K is matched to H, not a loop of its own).
  const einsumFlops = 2 * B * L * (H / n) * Q * T;

  it('is one op at the value einsum, naming its members; the score einsum and softmax have none of their own', () => {
    const ids = fused.ops.map((o) => `${o.role}.${o.name}`);
    expect(ids).not.toContain('attention.s');
    expect(ids).not.toContain('attention.p');
    const o = op(fused.ops, 'attention.o');
    expect(o.fused).toEqual(['attention.s', 'attention.p', 'attention.o']);
    // Unfused, all three are ops of their own and none is fused.
    for (const k of ['attention.s', 'attention.p', 'attention.o']) expect(op(unfused.ops, k).fused).toBeUndefined();
  });

  it('moves q, the cached keys and values and the output through HBM; its FLOPs are both einsums', () => {
    const o = op(fused.ops, 'attention.o');
    expect(o.bytes.value).toBe(q + 2 * kv + q);
    expect(o.flops.value).toBe(2 * einsumFlops);
    // Roofline: max(t_compute, t_memory), no overhead on this chip. Decode is memory-bound.
    expect(o.time.value).toBeCloseTo(Math.max((2 * einsumFlops) / FLOPS, (2 * q + 2 * kv) / HBM_BW), 18);
    expect(o.bound).toBe('memory');
    expect(o.bytes.formula).toBe('bytes(q) + bytes(kt) + bytes(vt) + bytes(o)');
    expect(o.flops.formula).toBe('flops(s) + flops(o)');
  });

  it('saves exactly the scores written and read and the probabilities written and read: 4 × B·L·T·(H/n)·2 B', () => {
    const unfusedBytes = ['attention.s', 'attention.p', 'attention.o'].reduce((sum, k) => sum + op(unfused.ops, k).bytes.value, 0);
    // Unfused: s reads q, kt, writes s; p reads s, writes p; o reads p, vt, writes o.
    expect(unfusedBytes).toBe(q + kv + scores + scores + scores + scores + kv + q);
    expect(unfusedBytes - op(fused.ops, 'attention.o').bytes.value).toBe(4 * scores);
    // The FLOPs are unchanged (the softmax has none in the model).
    const unfusedFlops = ['attention.s', 'attention.p', 'attention.o'].reduce((sum, k) => sum + op(unfused.ops, k).flops.value, 0);
    expect(unfusedFlops).toBe(op(fused.ops, 'attention.o').flops.value);
    expect(fused.flops).toBe(unfused.flops);
  });

  it('changes the layer time by the three ops replaced with one (no overlap)', () => {
    const three = ['attention.s', 'attention.p', 'attention.o'].reduce((sum, k) => sum + op(unfused.ops, k).time.value, 0);
    const one = Math.max((2 * einsumFlops) / FLOPS, (2 * q + 2 * kv) / HBM_BW);
    expect(fused.time).toBeCloseTo(unfused.time - three + one, 15);
  });

  it('explain names the members, and a member finds the fused op', () => {
    const { cost } = costShard(layout('', { batch: B, prompt, generate }));
    const text = renderExplain(explainLayout(cost, { phase: 'decode', op: 'attention.s' }));
    expect(text).toContain('attention.o = einsum : BLH_xyz Q (fused: attention.s + attention.p + attention.o)');
    expect(text).toContain('bytes: bytes(q) + bytes(kt) + bytes(vt) + bytes(o)');
    expect(text).toContain('flops: flops(s) + flops(o)');
    expect(text).toContain('s and p stay on chip');
  });

  it('the attention block on its own is fused too (what hovers show)', () => {
    const block = fused.blocks.attention!;
    const o = block.ops.find((x) => x.name === 'o')!;
    expect(o.fused).toEqual(['attention.s', 'attention.p', 'attention.o']);
    expect(block.ops.some((x) => x.name === 's' || x.name === 'p')).toBe(false);
  });
});

describe('fused attention in a long prefill', () => {
  // One sequence of 32768 tokens: L = T = prompt, so the scores are quadratic in the prompt.
  const B = 1;
  const bytesAt = (prompt: number, kernel: string) => {
    const { cost } = costShard(layout(kernel, { batch: B, prompt, generate: 1 }));
    const pass = cost.prefill.pass;
    expect(pass.sizes.L).toBe(prompt);
    expect(pass.sizes.T).toBe(prompt);
    const ops = pass.layer.ops;
    return kernel === 'unfused'
      ? ['attention.s', 'attention.p', 'attention.o'].reduce((sum, k) => sum + op(ops, k).bytes.value, 0)
      : op(ops, 'attention.o').bytes.value;
  };

  it('removes the quadratic score traffic: what is left is linear in the prompt', () => {
    const P = 32768;
    // q, o: B·P·(H/n)·Q; kt, vt: B·P·(K/n)·Q; scores and probabilities: B·P·P·(H/n), all bf16.
    const linear = (2 * B * P * (H / n) * Q + 2 * B * P * (K / n) * Q) * 2;
    const quadratic = 4 * B * P * P * (H / n) * 2;
    expect(bytesAt(P, '')).toBe(linear);
    expect(bytesAt(P, 'unfused')).toBe(linear + quadratic);
    // Doubling the prompt doubles the fused traffic exactly.
    expect(bytesAt(2 * P, '')).toBe(2 * linear);
  });

  it('is compute-bound: 2 × 2·B·L·T·(H/n)·Q FLOPs against the linear bytes', () => {
    const P = 32768;
    const { cost } = costShard(layout('', { batch: B, prompt: P, generate: 1 }));
    const o = op(cost.prefill.pass.layer.ops, 'attention.o');
    const flops = 2 * (2 * B * P * P * (H / n) * Q);
    expect(o.flops.value).toBe(flops);
    expect(o.bound).toBe('compute');
    expect(o.time.value).toBeCloseTo(flops / FLOPS, 15);
  });
});

describe('attention_kernel, the field', () => {
  it('defaults to fused, and the report says which kernel each layout uses', () => {
    const { layout: l } = costShard(layout('', { batch: 8, prompt: 128, generate: 8 }));
    expect(l.attentionKernel).toBe('fused');
    expect(costShard(layout('unfused', { batch: 8, prompt: 128, generate: 8 })).layout.attentionKernel).toBe('unfused');
  });

  it('a bad value is a bad-value error naming the two kernels', () => {
    const a = analyze(sourceFromText(layout('flash', { batch: 8, prompt: 128, generate: 8 }), 'bad.shard'));
    const errors = a.diagnostics.filter((d) => d.severity === 'error');
    expect(errors.map((d) => d.code)).toEqual(['bad-value']);
    expect(errors[0].message).toContain('fused');
    expect(errors[0].message).toContain('unfused');
  });

  it("the paper's examples set it off in every layout that has attention", () => {
    const root = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
    for (const file of ['palm540b.shard', 'palm62b.shard', 'fig5_attention.shard', 'fig2_ffn_layouts.shard']) {
      const a = analyze(sourceFromText(readFileSync(resolve(root, 'examples', file), 'utf8'), file), { cost: false });
      expect(a.layouts.length).toBeGreaterThan(0);
      for (const l of a.layouts) if (l.prefill.attention || l.decode.attention) expect([file, l.name, l.attentionKernel]).toEqual([file, l.name, 'unfused']);
    }
  });
});

describe('the KV cache at the kv dtype, apart from the weights', () => {
  // Llama 3 70B: 80 layers, 8 K/V heads of 128. Per token: 80 × 8 × 128 × 2 (K and V) × bytes.
  const perToken = { fp8: 80 * 8 * 128 * 2 * 1, int8: 80 * 8 * 128 * 2 * 1, bf16: 80 * 8 * 128 * 2 * 2 };
  const B = 4, prompt = 1000, generate = 24; // context 1024
  const text = (kv: string) => `
mesh node = h100 { x = 4 }
layout l {
  model = llama3_70b { kv = ${kv} }
  mesh = node
  workload { batch = ${B}, prompt = ${prompt}, generate = ${generate} }
  ffn = ws1d, attention = heads
  kv_budget = 30%
}`;

  it('Llama 3 70B in fp8: 163,840 B of cache per token', () => {
    expect(perToken.fp8).toBe(163_840);
    for (const kv of ['fp8', 'int8', 'bf16'] as const) {
      const { cost } = costShard(text(kv));
      expect(cost.memory.kvTotal.value).toBe(perToken[kv] * B * (prompt + generate));
    }
  });

  it('per chip, the longest context, the cache reads and the cache write all use the kv dtype; the weights keep theirs', () => {
    const fp8 = costShard(text('fp8'));
    const bf16 = costShard(text('bf16'));
    // ws1d_heads_gqa splits the 8 K/V heads over the 4 GPUs: 2 per GPU.
    const kvPerChipPerPosition = 80 * 2 * B * (8 / 4) * 128 * 1;
    expect(fp8.cost.memory.kv.value).toBe(kvPerChipPerPosition * (prompt + generate));
    expect(fp8.cost.memory.maxContext.value).toBe(Math.floor((0.3 * 80e9) / kvPerChipPerPosition));
    expect(fp8.cost.memory.weights.value).toBe(bf16.cost.memory.weights.value);
    // Decode step at the mean T: the fused attention reads kt and vt, B·T·(K/4)·Q bytes each in fp8.
    const T = prompt + generate / 2;
    const o = op(fp8.cost.decode.pass.layer.ops, 'attention.o');
    const q = B * 1 * (64 / 4) * 128 * 2;
    expect(o.bytes.value).toBe(q + 2 * (B * T * (8 / 4) * 128 * 1) + q);
    expect(o.bytes.inputs['bytes(kt)'].note).toContain('fp8');
    // append writes the new position only, in fp8.
    expect(op(fp8.cost.decode.pass.layer.ops, 'attention.kt').bytes.value).toBe(B * 1 * (8 / 4) * 128 * 1);
  });
});
