// Mixture of experts in the cost model (cost-model.md "Mixture of experts"). Every expectation is
// worked out here from the published configuration and the formulas, not read from an engine run:
// Mixtral 8x22B's decode FLOPs follow its active parameters, the all_to_all's per-chip volume for
// given B, top_k, X and axes, and the distinct-experts formula against a seeded simulation.

import { describe, expect, it } from 'vitest';
import { costShard, op, rel } from './helpers/shard';
import { expertsHit, expertsHitFraction, expertSlots } from '../../../server/src/engine/cost/moe';
import { buildReport } from '../../../server/src/engine/report/json';
import { renderReport } from '../../../server/src/engine/report/text';

// Mixtral 8x22B (config.json of mistralai/Mixtral-8x22B-Instruct-v0.1): the built-in preset's
// numbers, written again here so the test does not read them from the engine.
const MX = { layers: 56, E: 6144, G: 16384, H: 48, K: 8, Q: 128, V: 32768, X: 8, k: 2 };

describe('Mixtral 8x22B: FLOPs of the active experts only', () => {
  const B = 16, prompt = 1024, generate = 64;
  const text = `
mesh dgx = h100 { x = 8 }
layout serve {
  model = mixtral_8x22b
  mesh = dgx
  workload { batch = ${B}, prompt = ${prompt}, generate = ${generate} }
  ffn = moe_ws
  attention = ws1d_heads
}`;
  const { cost, layout } = costShard(text);
  const { layers, E, G, H, K, Q, V, X, k } = MX;

  it('counts ~39B active parameters (not 141B) for MFU', () => {
    // Per layer: attention w_q, w_k, w_v, w_o = 2·E·H·Q + 2·E·K·Q; the top-2 experts' three
    // matrices 2·3·E·G; the router E·X. Plus the untied input and output embeddings 2·V·E.
    const attention = 2 * E * H * Q + 2 * E * K * Q; // 88,080,384
    const experts = k * 3 * E * G; // 603,979,776
    const router = E * X; // 49,152
    const active = layers * (attention + experts + router) + 2 * V * E; // 39,159,070,720
    expect(layout.model.params).toBe(active);
    expect(rel(active, 39e9)).toBeLessThan(0.01); // the release note's "39B active"
    // All experts: 8 instead of 2 per layer, 140.6e9 ≈ the release note's 141B.
    const total = layers * (attention + X * 3 * E * G + router) + 2 * V * E;
    expect(rel(total, 141e9)).toBeLessThan(0.01);
  });

  it('costs a decode token at 2 FLOPs per active matmul parameter plus attention over the context', () => {
    // One decode step (L = 1) at the mean context T = prompt + generate/2. The step's FLOPs over
    // all chips, per token: the matmuls 2·(active − V·E) (the input embedding is a lookup, not a
    // matmul; the output projection is), plus q·kᵀ and p·v over T positions, 2·2·H·Q·T a layer.
    // moe_ws gathers every token on every GPU, so each of the 8 GPUs runs the (tiny) router for
    // all tokens: 8 × 2·E·X a layer instead of 2·E·X, the only work done more than once.
    const T = prompt + generate / 2;
    const attention = 2 * E * H * Q + 2 * E * K * Q;
    const matmuls = 2 * (layers * (attention + k * 3 * E * G + E * X) + V * E);
    const context = layers * 4 * H * Q * T;
    const routerAgain = layers * 7 * 2 * E * X;
    const perToken = (cost.decode.pass.totals.flops * 8) / B;
    expect(rel(perToken, matmuls + context + routerAgain)).toBeLessThan(1e-9);
    // ≈ 2 × 39B, far from 2 × 141B.
    expect(perToken / 2 / 1e9).toBeGreaterThan(38.5);
    expect(perToken / 2 / 1e9).toBeLessThan(40.5);
  });

  it('holds all 8 experts in memory', () => {
    // Each of the 8 GPUs holds one whole expert per layer (X_x over x = 8), bf16: its three
    // matrices w_in, w_gate, w_out are 3·E·G·2 B a layer, 56 layers of them.
    const items = cost.memory.weightItems.filter((w) => w.role === 'ffn' && ['w_in', 'w_gate', 'w_out'].includes(w.name));
    expect(items).toHaveLength(3);
    expect(items.reduce((s, w) => s + w.bytes, 0)).toBe(layers * 3 * E * G * 2);
    // So the 8 GPUs together hold all 8 experts of all layers, 270.6 GB, not the 2 a token uses.
    expect(items.reduce((s, w) => s + w.bytes, 0) * 8).toBe(X * layers * 3 * E * G * 2);
  });
});

describe('HBM reads of the experts a step touches', () => {
  // One sequence on 8 GPUs, one expert each: a decode token picks 2 of the 8 experts, so a GPU's
  // expert is read with probability 1 − (1 − 2/8)^1 = 1/4: the expected weight bytes it reads per
  // expert matrix are E·G·2 B / 4.
  const text = (batch: number) => `
mesh dgx = h100 { x = 8 }
layout serve {
  model = mixtral_8x22b
  mesh = dgx
  workload { batch = ${batch}, prompt = 128, generate = 8 }
  ffn = moe_ws
  attention = ws1d_heads
}`;
  const { E, G, X, k } = MX;
  for (const batch of [1, 4, 64]) {
    it(`batch ${batch}: the expert einsum reads its weight × (1 − (1 − k/X)^B)`, () => {
      const { cost } = costShard(text(batch));
      const b = op(cost.decode.pass.layer.ops, 'ffn.b');
      const share = 1 - Math.pow(1 - k / X, batch);
      // The einsum's bytes: its result X_x N G (N = B·k/X slots of this GPU's expert, bf16),
      // its operand s (X_x N E) and the touched share of the weight X_x E G.
      const N = (batch * k) / X;
      const expected = N * G * 2 + N * E * 2 + E * G * 2 * share;
      expect(rel(b.bytes.value, expected)).toBeLessThan(1e-12);
      // The FLOPs are the routed tokens' only: 2·N·E·G for this GPU's expert.
      expect(rel(b.flops.value, 2 * N * E * G)).toBeLessThan(1e-12);
    });
  }
});

describe('all_to_all of expert slots: volume per chip and time', () => {
  // moe_ep_xyz: tokens split over every chip, experts too. The dispatch all_to_all's per-chip
  // volume D is its input per chip: X experts × N/n slots × E × 2 B, with N = B·L·k·cf/X, so
  // D = B·L·k·cf·E·2 / n: each chip sends its B/n sequences' k copies of a token.
  const B = 64, cf = 1.25;
  const { E, k } = MX;
  const text = (mesh: string) => `
layout ep {
  model = mixtral_8x22b
  mesh = ${mesh}
  workload { batch = ${B}, prompt = 128, generate = 8, capacity_factor = ${cf} }
  ffn = moe_ep_xyz
  attention = wg_xyz_batch
}`;

  it('on one NVSwitch node (8 GPUs): D = B·k·cf·E·2/8 and t = α + D·(P−1)/P / link_bw', () => {
    const { cost } = costShard(text('h100 { x = 8 }'));
    const t = op(cost.decode.pass.layer.ops, 'ffn.t');
    const D = (B * 1 * k * cf * E * 2) / 8; // 245,760 B
    expect(t.commBytes.value).toBeCloseTo(D, 6);
    // h100: link_bw 450 GB/s one way, collective_latency 0 in the preset? The time is read from
    // the formula with the hardware's own α.
    const back = op(cost.decode.pass.layer.ops, 'ffn.u');
    expect(back.commBytes.value).toBeCloseTo(D, 6);
    const alpha = t.commTime.value - (D * 7) / 8 / 450e9;
    expect(alpha).toBeGreaterThanOrEqual(-1e-15);
    expect(alpha).toBeLessThan(20e-6);
  });

  it('across two nodes: a scale-up phase over NVLink and a scale-out phase over the network', () => {
    // x = 8 GPUs of a node, y = 2 nodes over 50 GB/s NICs: the all_to_all over xyz runs one phase
    // per switch axis, each moving D·(P_i−1)/P_i, with D = B·k·cf·E·2/16 per chip.
    const { cost } = costShard(text('h100 { x = 8, y = 2 }'));
    const t = op(cost.decode.pass.layer.ops, 'ffn.t');
    const D = (B * k * cf * E * 2) / 16; // 122,880 B
    expect(t.commBytes.value).toBeCloseTo(D, 6);
    const inputs = t.commTime.inputs!;
    const names = Object.keys(inputs);
    expect(names).toEqual(['t_x', 't_y']);
    const bandwidthTerms = (D * 7) / 8 / 450e9 + (D * 1) / 2 / 50e9;
    expect(t.commTime.value).toBeGreaterThan(bandwidthTerms);
    // The network phase (y) takes longer than NVLink's despite moving less.
    expect(inputs.t_y.value).toBeGreaterThan(inputs.t_x.value);
  });

  it('on a TPU torus: the slowest ring sets the time, D·size/(4·w) per axis', () => {
    // tpu_v5e 4×4 without wraparound (a 16-chip slice): the all_to_all's time is
    // α·hops + D·size_a/(4·w_a·link_eff) on the slowest axis (both are 4 chips at 50 GB/s).
    const { cost } = costShard(text('tpu_v5e { x = 4, y = 4, wrap = none }'));
    const t = op(cost.decode.pass.layer.ops, 'ffn.t');
    const D = (B * k * cf * E * 2) / 16;
    expect(t.commBytes.value).toBeCloseTo(D, 6);
    const hw = { link_bw: 50e9 };
    const bandwidthPart = (D * 4) / (4 * hw.link_bw);
    expect(t.commTime.value).toBeGreaterThanOrEqual(bandwidthPart - 1e-12);
    expect(t.commTime.value - bandwidthPart).toBeLessThan(50e-6);
  });
});

describe('expected distinct experts touched', () => {
  // A small seeded generator (mulberry32), so the simulation is the same on every run.
  function rng(seed: number): () => number {
    let a = seed >>> 0;
    return () => {
      a = (a + 0x6d2b79f5) >>> 0;
      let t = a;
      t = Math.imul(t ^ (t >>> 15), t | 1);
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
  }

  /** Mean distinct experts hit when each of `tokens` tokens picks `k` distinct experts of `X` uniformly. */
  function simulate(X: number, k: number, tokens: number, trials: number, seed: number): number {
    const random = rng(seed);
    let sum = 0;
    const hit = new Uint8Array(X);
    const pool = new Int32Array(X);
    for (let trial = 0; trial < trials; trial++) {
      hit.fill(0);
      for (let t = 0; t < tokens; t++) {
        // A uniform k-subset: the first k of a partial Fisher–Yates shuffle.
        for (let i = 0; i < X; i++) pool[i] = i;
        for (let i = 0; i < k; i++) {
          const j = i + Math.floor(random() * (X - i));
          const tmp = pool[i]; pool[i] = pool[j]; pool[j] = tmp;
          hit[pool[i]] = 1;
        }
      }
      let distinct = 0;
      for (let i = 0; i < X; i++) distinct += hit[i];
      sum += distinct;
    }
    return sum / trials;
  }

  const cases: [number, number, number][] = [
    [8, 2, 1], [8, 2, 4], [8, 2, 16], [128, 8, 4], [128, 8, 32], [256, 8, 16], [128, 4, 64],
  ];
  for (const [X, k, tokens] of cases) {
    it(`X = ${X}, top_k = ${k}, ${tokens} tokens: X·(1 − (1 − k/X)^tokens) matches a simulation`, () => {
      const trials = 4000;
      const simulated = simulate(X, k, tokens, trials, 1234 + X + k + tokens);
      const formula = X * (1 - Math.pow(1 - k / X, tokens));
      expect(expertsHit(X, k, tokens)).toBeCloseTo(formula, 9);
      // The simulation's standard error is at most √(X/4/trials) experts; allow four of them.
      expect(Math.abs(simulated - formula)).toBeLessThan(4 * Math.sqrt(X / 4 / trials) + 1e-9);
    });
  }

  it('one token with top-2 of 8 touches exactly 2 experts (the independent-draws form gives 1.875)', () => {
    expect(expertsHit(8, 2, 1)).toBe(2);
    expect(8 * (1 - Math.pow(1 - 1 / 8, 1 * 2))).toBeCloseTo(1.875, 12);
    // With k = 1 the two forms agree: X·(1 − (1 − 1/X)^(B·k)).
    expect(expertsHit(64, 1, 10)).toBeCloseTo(64 * (1 - Math.pow(1 - 1 / 64, 10)), 12);
  });

  it('a fraction of 1 when every expert is picked, and slots N = B·L·k·cf/X', () => {
    expect(expertsHitFraction(8, 8, 1)).toBe(1);
    expect(expertsHitFraction(1, 1, 5)).toBe(1);
    expect(expertSlots(4, 1, 2, 1, 8)).toBe(1);
    expect(expertSlots(16, 1024, 8, 1.25, 128)).toBe((16 * 1024 * 8 * 1.25) / 128);
  });
});

describe('all-to-all time as its own part of communication', () => {
  // moe_ep_xyz on 8 GPUs: the only all_to_alls of a layer are the dispatch (t) and the return
  // (u); the attention (wg_xyz_batch) gathers weights but exchanges nothing. The unembedding
  // (wg_xyz_unembed) moves its activations to the table with one all_to_all of its own. So a
  // pass's all-to-all time is layers × (t + u) + the unembedding's, a part of its communication.
  const text = `
layout ep {
  model = mixtral_8x22b
  mesh = h100 { x = 8 }
  workload { batch = 64, prompt = 128, generate = 8 }
  ffn = moe_ep_xyz
  attention = wg_xyz_batch
}`;
  const { analysis, cost } = costShard(text);
  const report = buildReport(analysis);
  const json = report.layouts.find((l) => l.name === 'ep')!;

  it('in the report JSON: all_to_all_s = layers × (dispatch + return) + the unembedding\'s, per phase', () => {
    for (const phase of ['prefill', 'decode'] as const) {
      const ops = cost[phase].pass.layer.ops;
      const perLayer = op(ops, 'ffn.t').commTime.value + op(ops, 'ffn.u').commTime.value;
      const unembed = (cost[phase].pass.unembed?.ops ?? []).filter((o) => o.op === 'all_to_all').reduce((s, o) => s + o.commTime.value, 0);
      expect(unembed).toBeGreaterThan(0);
      expect(rel(json[phase]!.all_to_all_s, MX.layers * perLayer + unembed)).toBeLessThan(1e-9);
      expect(json[phase]!.all_to_all_s).toBeLessThanOrEqual(json[phase]!.comm_s);
    }
  });

  it('in the text report: an all-to-all line with its share of communication', () => {
    const lines = renderReport(report).split('\n');
    const line = lines.find((l) => l.trim().startsWith('all-to-all:'));
    expect(line).toBeDefined();
    expect(line).toContain('of comm');
  });

  it('not for a layout without all_to_all', () => {
    const dense = buildReport(costShard(`
layout tp {
  model = llama3_8b
  mesh = h100 { x = 8 }
  workload { batch = 8, prompt = 128, generate = 8 }
  ffn = ws1d
  attention = heads
}`).analysis);
    expect(dense.layouts[0].decode!.all_to_all_s).toBe(0);
    expect(renderReport(dense)).not.toContain('all-to-all:');
  });
});
