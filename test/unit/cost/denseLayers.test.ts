// Layers that differ by their FFN (an MoE model's `dense_layers`, DeepSeek-V3's first three) and
// expert weights in their own dtype (`expert_weights`, gpt-oss's MXFP4 experts). Expectations are
// hand-computed from the models' published configurations and the formulas of docs/cost-model.md
// ("Layers that differ", "Mixture of experts", §2 dtypes), written out below.

import { describe, expect, it } from 'vitest';
import { costShard } from './helpers/shard';
import { analyze, sourceFromText } from '../../../server/src/engine/index';

// One chip with round rates, so that a figure's bytes are its memory time × 1 TB/s.
const CHIP = `
hardware chip { flops = 100 TFLOP/s, hbm = 2000 GB, hbm_bw = 1 TB/s, link_bw = 100 GB/s }
mesh one = chip { x = 1 }
`;

// A small MoE model: 4 layers, 1 of them dense (d_ff F = 1024); 8 experts of G = 128, top-2.
const E = 256, F = 1024, X = 8, G = 128, k = 2;
const SMALL = `${CHIP}
model m { layers = 4, E = 256, F = 1024, H = 4, K = 4, Q = 64, V = 1000, X = 8, G = 128, top_k = 2, ffn = swiglu, dense_layers = 1 }
model m_all_moe { layers = 4, E = 256, F = 1024, H = 4, K = 4, Q = 64, V = 1000, X = 8, G = 128, top_k = 2, ffn = swiglu }
model m_dense = m { X = 1 }
workload w { batch = 1, prompt = 16, generate = 2 }
layout with_dense { model = m, mesh = one, workload = w, ffn = moe_ws, attention = ws2d_heads }
layout all_moe { model = m_all_moe, mesh = one, workload = w, ffn = moe_ws, attention = ws2d_heads }
layout dense { model = m_dense, mesh = one, workload = w, ffn = ws2d, attention = ws2d_heads }
`;

describe('dense layers of an MoE model (dense_layers)', () => {
  const withDense = costShard(SMALL, 'with_dense');
  const allMoe = costShard(SMALL, 'all_moe').cost;
  const dense = costShard(SMALL, 'dense').cost;

  it('defaults the dense layers to the built-in dense ffn named by the MoE block (moe_ws → ws2d)', () => {
    expect(withDense.layout.decode.denseFfn?.name).toBe('ws2d_swiglu');
    expect(withDense.layout.prefill.denseFfn?.name).toBe('ws2d_swiglu');
  });

  it('a dense layer costs what a layer of the dense model costs, an MoE layer what the all-MoE model’s does', () => {
    for (const phase of ['prefill', 'decode'] as const) {
      const pass = phase === 'prefill' ? withDense.cost.prefill.pass : withDense.cost.decode.pass;
      const inputs = pass.latency.inputs;
      expect(inputs.moe_layers.value).toBe(3);
      expect(inputs.dense_layers.value).toBe(1);
      const denseLayer = (phase === 'prefill' ? dense.prefill.pass : dense.decode.pass).latency.inputs.t_layer.value;
      const moeLayer = (phase === 'prefill' ? allMoe.prefill.pass : allMoe.decode.pass).latency.inputs.t_layer.value;
      expect(inputs.t_dense_layer.value).toBeCloseTo(denseLayer, 15);
      expect(inputs.t_moe_layer.value).toBeCloseTo(moeLayer, 15);
      expect(pass.latency.formula).toBe('t_embed + moe_layers·t_moe_layer + dense_layers·t_dense_layer + t_unembed');
    }
  });

  it('FLOPs: a decode step’s dense layer does 3 × 2·E·F where an MoE layer does the router and top_k experts', () => {
    // B = L = 1: dense FFN 3 einsums of 2·E·F; MoE FFN router 2·E·X and 3 expert einsums of
    // 2·X·N·E·G with X·N = B·L·top_k = 2 slots.
    const denseFfn = 3 * 2 * E * F;
    const moeFfn = 2 * E * X + 3 * 2 * k * E * G;
    expect(withDense.cost.decode.pass.totals.flops - allMoe.decode.pass.totals.flops).toBeCloseTo(denseFfn - moeFfn, 6);
  });

  it('weights: the dense layer stores 3·E·F instead of the router and the X experts', () => {
    const denseBytes = 3 * E * F * 2;
    const moeBytes = (E * X + 3 * X * E * G) * 2;
    expect(withDense.cost.memory.weights.value - allMoe.memory.weights.value).toBe(denseBytes - moeBytes);
    expect(withDense.cost.memory.weights.formula).toContain('dense_layers × dense ffn');
    const items = withDense.cost.memory.weightItems.filter((i) => i.role === 'dense ffn');
    expect(items.map((i) => i.name).sort()).toEqual(['w_gate', 'w_in', 'w_out']);
    expect(items.reduce((s, i) => s + i.bytes, 0)).toBe(denseBytes);
  });

  it('dense_layers changes nothing on a dense model (X = 1)', () => {
    expect(costShard(SMALL, 'dense').layout.model.dense_layers).toBeUndefined();
  });
});

describe('DeepSeek-V3 from the preset (config.json: first_k_dense_replace 3, intermediate_size 18432, moe_intermediate_size 2048)', () => {
  // The config's dims: 61 layers, E 7168, 128 heads; MLA A 1536, C 512, R 64, Q 128; 256 routed
  // experts of G 2048, top-8, 1 shared expert (S = 2048); V 129280, untied embeddings.
  const d = { E: 7168, F: 18432, H: 128, Q: 128, V: 129280, A: 1536, C: 512, R: 64, X: 256, G: 2048, k: 8, S: 2048 };
  const attention = d.E * d.A + d.A * d.H * (d.Q + d.R) + d.E * (d.C + d.R) + 2 * d.C * d.H * d.Q + d.H * d.Q * d.E; // 187,105,280
  const moeLayer = d.E * d.X + 3 * d.X * d.E * d.G + 3 * d.E * d.S; // router, 256 experts, shared expert
  const denseLayer = 3 * d.E * d.F;
  const tables = 2 * d.V * d.E;
  const total = 61 * attention + 58 * moeLayer + 3 * denseLayer + tables; // 671.03e9
  const active = 61 * attention + 58 * (d.E * d.X + 3 * d.E * (d.k * d.G + d.S)) + 3 * denseLayer + tables; // 37.55e9

  // The example's MoE block with the shared expert (examples/deepseek_v3.shard), on one chip.
  const TEXT = `${CHIP}
ffn experts_everywhere {
  in h : BLE_xyz
  weight w_router : E X
  weight w_in     : X_xyz E G
  weight w_gate   : X_xyz E G
  weight w_out    : X_xyz G E
  weight ws_in    : E S_xyz
  weight ws_gate  : E S_xyz
  weight ws_out   : S_xyz E
  n  = layernorm(h)             : BLE_xyz
  a  = all_gather(n, xyz)       : BLE
  r  = einsum(a, w_router)      : BLX
  s  = dispatch(a, r)           : X_xyzNE
  b  = einsum(s, w_in)          : X_xyzNG
  gb = einsum(s, w_gate)        : X_xyzNG
  dd = swiglu(gb, b)            : X_xyzNG
  f  = einsum(dd, w_out)        : X_xyzNE
  c  = combine(f, r)            : BLE (partialsum-xyz)
  sb = einsum(a, ws_in)         : BLS_xyz
  sg = einsum(a, ws_gate)       : BLS_xyz
  sd = swiglu(sg, sb)           : BLS_xyz
  se = einsum(sd, ws_out)       : BLE (partialsum-xyz)
  t  = add(c, se)               : BLE (partialsum-xyz)
  y  = reduce_scatter(t, xyz)   : BLE_xyz
  out y
}
layout dsv3 {
  model = deepseek_v3, mesh = one
  workload { batch = 1, prompt = 16, generate = 2 }
  ffn = experts_everywhere, attention = ws1d_heads_mla
}`;
  const costed = costShard(TEXT, 'dsv3');

  it('all parameters: 671e9 (model card: 671B), exactly the hand count on one chip at bf16', () => {
    expect(costed.cost.memory.weights.value).toBe(total * 2);
    expect(Math.abs(total / 671e9 - 1)).toBeLessThan(0.01);
  });

  it('active parameters (what MFU counts): 37.5e9 against the model card’s 37B, within 3%', () => {
    expect(costed.layout.model.params).toBe(active);
    expect(Math.abs(active / 37e9 - 1)).toBeLessThan(0.03);
  });
});

describe('expert weights in their own dtype (expert_weights = mxfp4)', () => {
  it('gpt-oss-120b: 60.7 GiB of weights on one chip against the model card’s 60.8 GiB checkpoint (within 1%)', () => {
    // Model card: MoE weights in MXFP4 (4.25 bits = 0.53125 B a value), the rest bf16.
    const g = { E: 2880, H: 64, K: 8, Q: 64, V: 201088, X: 128, G: 2880, layers: 36 };
    const attention = 2 * g.E * g.H * g.Q + 2 * g.E * g.K * g.Q;
    const experts = 3 * g.X * g.E * g.G;
    const bf16 = (g.layers * (attention + g.E * g.X) + 2 * g.V * g.E) * 2;
    const mxfp4 = g.layers * experts * (4.25 / 8);
    const { cost, layout } = costShard(`${CHIP}
layout oss { model = gpt_oss_120b, mesh = one, workload { batch = 1, prompt = 16, generate = 2 }, ffn = moe_ws, attention = ws2d_heads }`, 'oss');
    expect(layout.model.expert_weights).toBe('mxfp4');
    expect(cost.memory.weights.value).toBeCloseTo(bf16 + mxfp4, 0);
    const GiB = 2 ** 30;
    expect(Math.abs(cost.memory.weights.value / GiB / 60.8 - 1)).toBeLessThan(0.01);
    // 117B parameters (card: 116.83B): the count MFU does not use, but memory holds.
    expect(Math.abs((g.layers * (attention + g.E * g.X + experts) + 2 * g.V * g.E) / 116.83e9 - 1)).toBeLessThan(0.005);
  });

  it('a decode step reads the touched experts at 0.53125 B a value instead of 2', () => {
    const text = `${CHIP}
model moe { layers = 2, E = 256, F = 1024, H = 4, K = 4, Q = 64, V = 1000, X = 8, G = 128, top_k = 2, ffn = swiglu }
layout bf { model = moe, mesh = one, workload { batch = 1, prompt = 16, generate = 2 }, ffn = moe_ws, attention = ws2d_heads }
layout fp4 = bf { model = moe { expert_weights = mxfp4 } }`;
    const bf = costShard(text, 'bf').cost, fp4 = costShard(text, 'fp4').cost;
    // One token (B·L = 1) touches k/X = 2/8 of the experts; 3 matrices of X·E·G, 2 layers; the
    // rest (router, attention, activations) is read at the same dtype in both.
    const touched = 2 * 3 * X * E * G * (k / X);
    const savedBytes = touched * (2 - 4.25 / 8);
    expect((bf.decode.pass.totals.memoryTime - fp4.decode.pass.totals.memoryTime) * 1e12).toBeCloseTo(savedBytes, 3);
    expect(bf.memory.weights.value - fp4.memory.weights.value).toBeCloseTo(2 * 3 * X * E * G * (2 - 4.25 / 8), 6);
  });
});

describe('no-dense-ffn', () => {
  it('warns when no built-in dense ffn shares the MoE block’s residual stream, and costs the layers as MoE', () => {
    const text = `${CHIP}
model m { layers = 2, E = 256, F = 1024, H = 4, K = 4, Q = 64, V = 1000, X = 8, G = 128, top_k = 2, ffn = swiglu, dense_layers = 1 }
ffn odd {
  in h : BL_xE
  weight w_router : E X
  weight w_in     : X E G
  weight w_gate   : X E G
  weight w_out    : X G E
  r  = einsum(h, w_router)      : BL_xX
  s  = dispatch(h, r)           : XN_xE
  b  = einsum(s, w_in)          : XN_xG
  gb = einsum(s, w_gate)        : XN_xG
  d  = swiglu(gb, b)            : XN_xG
  f  = einsum(d, w_out)         : XN_xE
  y  = combine(f, r)            : BL_xE
  out y
}
layout l { model = m, mesh = one, workload { batch = 1, prompt = 16, generate = 2 }, ffn = odd, attention = none }`;
    const analysis = analyze(sourceFromText(text, 'no-dense.shard'));
    const found = analysis.diagnostics.filter((d) => d.code === 'no-dense-ffn');
    expect(found).toHaveLength(1);
    expect(found[0].severity).toBe('warning');
    expect(found[0].message).toContain('dense_ffn');
    expect(analysis.layouts[0].decode.denseFfn).toBeUndefined();
  });
});
