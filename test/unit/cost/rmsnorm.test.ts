// rmsnorm, added through the operation table alone (CONTRIBUTING "Adding an operation"): typed
// like layernorm, costed as an elementwise op whose one fp32 statistic per row (the mean square)
// is all-reduced when E is sharded, and fused like layernorm in parallel blocks. Expectations are
// derived here from the cost model's formulas.

import { describe, expect, it } from 'vitest';
import { analyze, sourceFromText } from '../../../server/src/engine/index';
import { costShard, op } from './helpers/shard';

const US = 1e-6;

const MODEL = 'model small { layers = 1, E = 1024, F = 4096, H = 16, K = 1, Q = 64, V = 1024, ffn = gelu }';

function ffn(norm: string): string {
  return `
ffn my_ffn {
  in h : BLE_xyz
  weight w_in : E_x F_yz
  weight w_out : F_yz E_x
  n = ${norm}(h)
  a = all_gather(n, yz) : BLE_x
  b = einsum(a, w_in) : BLF_yz (partialsum-x)
  c = reduce_scatter(b, x) : BLF_xyz
  d = gelu(c)
  e = all_gather(d, x) : BLF_yz
  f = einsum(e, w_out) : BLE_x (partialsum-yz)
  g = reduce_scatter(f, yz) : BLE_xyz
  out g
}`;
}

describe('rmsnorm', () => {
  const B = 8, L = 128, E = 1024;
  const alpha = 1 * US, link = 45e9;
  const layout = (norm: string) => `${MODEL}
hardware slow = tpu_v4 { collective_latency = 1 us }
mesh m = slow { x = 2, y = 4, z = 8 }
${ffn(norm)}
layout l { model = small, mesh = m, workload { batch = ${B}, prompt = ${L}, generate = 8 }, ffn = my_ffn, attention = none }`;

  it('all-reduces one fp32 statistic per row over the axes that split E', () => {
    const { cost } = costShard(layout('rmsnorm'));
    const n = op(cost.prefill.pass.layer.ops, 'ffn.n');
    expect(n.op).toBe('rmsnorm');
    // One statistic per row: 1·4 B × rows, where rows = local elements / local E extent.
    const statIn = (1 * 4 * (B * L * (E / 64))) / (E / 64);
    expect(n.commBytes.value).toBe(2 * statIn);
    const tStat = alpha * (1 + 3 + 7) + (2 * statIn * 63) / 64 / (3 * link);
    const tMem = (2 * B * L * (E / 64) * 2) / 1.2e12;
    expect(n.time.value).toBeCloseTo(tMem + tStat, 15);
    expect(n.axes).toBe('xyz');
    expect(n.commBytes.formula).toBe('2 × 1·4 B·local elements / local extent of reduced dim');
  });

  it('moves half the statistics of layernorm, and reads and writes the same bytes', () => {
    const rms = op(costShard(layout('rmsnorm')).cost.prefill.pass.layer.ops, 'ffn.n');
    const ln = op(costShard(layout('layernorm')).cost.prefill.pass.layer.ops, 'ffn.n');
    expect(rms.commBytes.value * 2).toBe(ln.commBytes.value);
    expect(rms.bytes.value).toBe(ln.bytes.value);
  });

  it('is typed like layernorm: it needs E, and a complete value', () => {
    const text = `ffn bad {\n  in h : BLF\n  n = rmsnorm(h)\n  out n\n}\n`;
    const codes = analyze(sourceFromText(text), { cost: false }).diagnostics.map((d) => d.code);
    expect(codes).toContain('bad-reduction');
  });

  it('is fused in a parallel block when both blocks begin with it', () => {
    const attention = `
attention my_attn {
  in h : BLE_xyz
  weight wq : E_x H_yz Q
  weight wkv : E_x K Q
  weight wo : H_yz Q E_x
  cache kc : BTKQ
  cache vc : BTKQ
  n = rmsnorm(h)
  a = all_gather(n, yz) : BLE_x
  q = einsum(a, wq) : BLH_yz Q (partialsum-x)
  q2 = reduce_scatter(q, x) : BLH_xyz Q
  k = einsum(a, wkv) : BLKQ (partialsum-x)
  k2 = all_reduce(k, x) : BLKQ
  kc2 = append(kc, k2)
  v = einsum(a, wkv) : BLKQ (partialsum-x)
  v2 = all_reduce(v, x) : BLKQ
  vc2 = append(vc, v2)
  qa = all_gather(q2, x) : BLH_yz Q
  s = einsum(qa, kc2) : BLH_yz T
  p = softmax(s)
  o = einsum(p, vc2) : BLH_yz Q
  y = einsum(o, wo) : BLE_x (partialsum-yz)
  z = reduce_scatter(y, yz) : BLE_xyz
  out z
}`;
    const text = `model par { layers = 1, E = 1024, F = 4096, H = 16, K = 1, Q = 64, V = 1024, ffn = gelu, block = parallel }
mesh m = tpu_v4 { x = 2, y = 4, z = 8 }
${ffn('rmsnorm')}
${attention}
layout l { model = par, mesh = m, workload { batch = ${B}, prompt = ${L}, generate = 8 }, ffn = my_ffn, attention = my_attn }`;
    const analysis = analyze(sourceFromText(text), { cost: false });
    expect(analysis.diagnostics.filter((d) => d.severity === 'error').map((d) => `${d.code}: ${d.message}`)).toEqual([]);
    const { cost } = costShard(text);
    const fused = cost.prefill.pass.layer.ops.filter((o) => o.fused);
    expect(fused.map((o) => o.name)).toContain('n');
    expect(fused.find((o) => o.name === 'n')?.fused).toEqual(['attention.n', 'ffn.n']);
  });
});
