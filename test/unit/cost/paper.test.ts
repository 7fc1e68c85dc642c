// Pope et al. golden points beyond Fig. 3: Table 1 context lengths (G9), KV cache sizes (G10)
// and the MFU ↔ cost identity (G6), all read from the shared golden data.

import { describe, expect, it } from 'vitest';
import { costShard, golden, rel } from './helpers/shard';

const G = golden();

/** A PaLM 540B layout on the paper's 64-chip slice, attention unfused as the paper ran it; `model` may override fields. */
function palm(opts: { batch: number; prompt?: number; generate?: number; attention: string; model?: string; kvBudget?: string; weights?: string }): string {
  const override = [opts.model, opts.weights ? `weights = ${opts.weights}` : ''].filter(Boolean).join(', ');
  return `
mesh pod = tpu_v4 { x = 4, y = 4, z = 4 }
layout l {
  model = palm_540b${override ? ` { ${override} }` : ''}
  mesh = pod
  workload { batch = ${opts.batch}, prompt = ${opts.prompt ?? 1984}, generate = ${opts.generate ?? 64} }
  ffn = ws2d
  attention = ${opts.attention}
  attention_kernel = unfused
  ${opts.kvBudget ? `kv_budget = ${opts.kvBudget}` : ''}
}`;
}

describe('Table 1: longest context in 30% of HBM (G9)', () => {
  const T1 = G.table1_max_context;
  const budget = '30%';
  // The three variants of the table (golden data `variants`), as layouts.
  const variants: Record<string, { attention: string; model?: string }> = {
    multihead: { attention: 'heads', model: 'K = 64, Q = 128' }, // 64 heads × 128, one head per chip
    multiquery_heads: { attention: 'heads' }, // K = 1 replicated on every chip
    multiquery_batch: { attention: 'batch' }, // K = 1, cache split over batch
  };
  for (const row of T1.rows) {
    for (const [name, v] of Object.entries(variants)) {
      it(`${name} at batch ${row.batch}`, () => {
        const { cost, layout } = costShard(palm({ batch: row.batch, attention: v.attention, model: v.model, kvBudget: budget }));
        expect(layout.kvBudget).toBeCloseTo(0.3, 12);
        expect(layout.model.layers).toBe(G.models.palm_540b.layers);
        expect(rel(cost.memory.maxContext.value, row[name])).toBeLessThanOrEqual(T1.tolerance_rel);
      });
    }
  }
  it('max_context = floor(budget / KV bytes per chip per position), hand-derived for batch-sharded multiquery', () => {
    const { cost, layout } = costShard(palm({ batch: 128, attention: 'batch', kvBudget: budget }));
    const m = layout.model;
    // Two caches (k, v), B/64 sequences per chip, one KV head of Q dims, bf16, every layer.
    const perPosition = 2 * (128 / 64) * m.dims.K * m.dims.Q * 2 * m.layers;
    expect(cost.memory.maxContext.value).toBe(Math.floor((0.3 * layout.mesh.hardware.hbm) / perPosition));
  });
});

describe('KV cache sizes (G10)', () => {
  const KV = G.kv_cache_size;
  it('PaLM 540B multiquery, batch 512, context 2048', () => {
    const { cost } = costShard(palm({ batch: 512, prompt: 1984, generate: 64, attention: 'batch' }));
    expect(rel(cost.memory.kvTotal.value, KV.rows[0].bytes)).toBeLessThanOrEqual(KV.tolerance_rel);
  });
  it("540B multihead variant (48 heads × 128), batch 512, context 2048: the paper's 3 TB", () => {
    const { cost } = costShard(palm({ batch: 512, prompt: 1984, generate: 64, attention: 'batch', model: 'H = 48, K = 48, Q = 128' }));
    expect(rel(cost.memory.kvTotal.value, KV.rows[1].bytes)).toBeLessThanOrEqual(KV.tolerance_rel);
  });
  it('kv_bytes_total is the logical size: replication does not count', () => {
    const heads = costShard(palm({ batch: 64, attention: 'heads' })).cost.memory;
    const batch = costShard(palm({ batch: 64, attention: 'batch' })).cost.memory;
    expect(heads.kvTotal.value).toBe(batch.kvTotal.value);
    // Per chip, the replicated (heads) cache is 64× the batch-split one.
    expect(heads.kv.value).toBe(64 * batch.kv.value);
  });
});

describe('MFU and cost (G6)', () => {
  const hw = G.hardware_tpu_v4;
  it('the golden Fig. 1 points satisfy MFU = 2N / (peak · cost) (the convention the engine uses)', () => {
    const N = G.models.palm_540b.nominal_params;
    for (const p of [...G.fig1_540b_labelled_points.decode, ...G.fig1_540b_labelled_points.prefill]) {
      const mfu = (2 * N) / (hw.flops * p.cost_chip_ms_per_token * 1e-3);
      expect(Math.abs(mfu - p.mfu)).toBeLessThanOrEqual(0.001);
    }
  });
  for (const [label, batch, weights] of [['decode C64 B512 bf16', 512, 'bf16'], ['C64 B64 int8', 64, 'int8']] as const) {
    it(`engine figures obey the identity in both phases (${label})`, () => {
      const { cost, layout } = costShard(palm({ batch, attention: 'batch', weights }));
      expect(layout.model.params).toBe(G.models.palm_540b.nominal_params);
      expect(layout.mesh.hardware.flops).toBe(hw.flops);
      for (const ph of ['prefill', 'decode'] as const) {
        const p = cost[ph];
        const identity = (2 * layout.model.params) / (hw.flops * p.costChipSPerToken.value);
        expect(Math.abs(p.mfu.value - identity)).toBeLessThan(1e-12);
        const time = ph === 'prefill' ? p.latency.value : p.pass.latency.value;
        const tokens = ph === 'prefill' ? batch * 1984 : batch;
        expect(p.tokens).toBe(tokens);
        expect(p.costChipSPerToken.value).toBeCloseTo((64 * time) / tokens, 15);
        expect(p.throughput.value).toBeCloseTo(tokens / time, 6);
      }
      // Decode latency is generate × the mean step.
      expect(cost.decode.latency.value).toBeCloseTo(64 * cost.decode.pass.latency.value, 15);
    });
  }
});

describe('trends the paper reports', () => {
  it('the serial block is slower per decode step than the parallel one (Pope §4.3; 2D WS, 64 chips, B = 512)', () => {
    const step = (block: string) => costShard(palm({ batch: 512, attention: 'batch', model: `block = ${block}` })).cost.decode.pass.latency.value;
    expect(G.other_claims.serial_vs_parallel_block_decode).toMatch(/serial/);
    expect(step('serial')).toBeGreaterThan(step('parallel'));
  });
  it('int8 weights cut the low-batch decode step (Pope §4.4: weight loading dominates)', () => {
    const step = (weights: string) => costShard(palm({ batch: 64, attention: 'batch', weights })).cost.decode.pass.latency.value;
    const claim = G.other_claims.int8_vs_bf16_decode_540b_b64;
    expect(claim.int8_ms_per_token).toBeLessThan(claim.bf16_ms_per_token);
    expect(step('int8')).toBeLessThan(step('bf16'));
  });
  it('batch-sharded multiquery keeps the decode step nearly flat in context while heads-sharded grows (Pope Fig. 8)', () => {
    const step = (attention: string, prompt: number) => costShard(palm({ batch: 128, attention, prompt, generate: 64 })).cost.decode.pass.latency.value;
    const growth = (attention: string) => step(attention, 8192) / step(attention, 1024);
    expect(growth('batch')).toBeLessThan(growth('heads'));
  });
});
