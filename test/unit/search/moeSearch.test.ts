// `best` and the better-layout hint on a mixture-of-experts model try the built-in MoE blocks
// (prelude/moe.shard, marked `@builtin-moe`), each with the attention families of the dense ffns
// that share its residual stream: a dense ffn on an MoE model would be costed as another model.

import { describe, expect, it } from 'vitest';
import { best } from '../../../server/src/engine/search/best';
import { searchPairs } from '../../../server/src/engine/search/pairs';
import { builtinPairs } from '../../../server/src/engine/cost/variants';
import { analyzed } from './helpers';

const MOE = `
model small_moe {
  layers = 4
  E = 1024, F = 4096, H = 8, K = 8, Q = 128, V = 32000
  X = 8, G = 1024, top_k = 2
  ffn = swiglu
}
mesh m8 = tpu_v5e { x = 4, y = 2 }
layout moe_l {
  model = small_moe
  mesh = m8
  workload { batch = 32, prompt = 512, generate = 64 }
  ffn = moe_ws
  attention = ws1d_heads
}
`;

describe('MoE built-ins in search and hints', () => {
  const { analysis, layout } = analyzed(MOE);
  const base = layout('moe_l');

  it('the pairs for an MoE model are the MoE blocks with the families their marks name', () => {
    const pairs = builtinPairs(base.model).map((p) => `${p.ffn}+${p.attention}`);
    expect(pairs).toEqual([
      'moe_ws+ws2d_heads', 'moe_ws+ws2d_batch', 'moe_ws+ws1d_heads', 'moe_ws+ws1d_batch',
      'moe_ep_x+wg_x_heads', 'moe_ep_x+wg_x_batch',
      'moe_ep_xyz+wg_xyz_batch',
      'moe_ep_xyz_shared+wg_xyz_batch',
    ]);
    // A dense model keeps the dense pairs.
    expect(builtinPairs().every((p) => !p.ffn.startsWith('moe_'))).toBe(true);
    expect(searchPairs(analysis, base, 'decode').every((p) => p.ffn.startsWith('moe_'))).toBe(true);
  });

  it('best returns MoE layouts (and no dense ones, which would not check)', () => {
    const r = best(analysis, base, { chips: [8], batches: [32], dtypes: ['bf16'], objective: 'latency', top: 5 });
    expect(r.candidates.length).toBeGreaterThan(0);
    for (const c of r.candidates) {
      expect(c.prefill.ffn).toMatch(/^moe_/);
      expect(c.decode.ffn).toMatch(/^moe_/);
    }
    // More than one MoE block is reachable: the search is not stuck on the layout's own.
    const ffns = new Set(r.candidates.flatMap((c) => [c.prefill.ffn, c.decode.ffn]));
    expect([...ffns].some((f) => f !== 'moe_ws')).toBe(true);
  });

  it('the better-layout hint can propose an MoE built-in', () => {
    // moe_ws gathers every token on every chip: the expert-parallel layouts beat it in prefill.
    const hints = analysis.diagnostics.filter((d) => d.code === 'better-layout' && d.layout === 'moe_l');
    expect(hints.length).toBeGreaterThan(0);
    expect(hints.some((d) => /\(moe_(ep_x|ep_xyz|ws)[a-z_]* \+ /.test(d.message))).toBe(true);
  });
});
