// Hand-derived figures on configurations the paper never ran: a non-cubic torus, switch meshes,
// grouped-query attention, int8 and int4 weights, serial vs parallel blocks, overlap on and off,
// cache conversion, the real-valued decode T. Each expectation is built here from the formulas
// of cost-model.md, not copied from an engine run.

import { describe, expect, it } from 'vitest';
import { costShard, op } from './helpers/shard';
import type { OpCost } from '../../../server/src/engine/cost/types';

const US = 1e-6;

/** A small gelu model, one layer unless told otherwise. */
function small(extra = ''): string {
  return `model small { layers = 1, E = 1024, F = 4096, H = 16, K = 1, Q = 64, V = 1024, ffn = gelu ${extra} }`;
}

function times(ops: readonly OpCost[], ...keys: string[]): number[] {
  return keys.map((k) => op(ops, k).time.value);
}

describe('non-cubic torus 2×4×8', () => {
  const B = 8, L = 128, E = 1024, F = 4096;
  const alpha = 1 * US, overhead = 2 * US, link = 45e9;
  const src = (wrap: string) => `
${small()}
hardware slow = tpu_v4 { collective_latency = 1 us, op_overhead = 2 us }
mesh m = slow { x = 2, y = 4, z = 8 ${wrap} }
layout l { model = small, mesh = m, workload { batch = ${B}, prompt = ${L}, generate = 8 }, ffn = ws2d, attention = none }`;

  // Bandwidth (issue 14, cost-model.md §4 "Which links"): every collective streams over all the
  // chip's torus links, whichever axes it runs on; hops stay the collective's own axes.
  it('without wraparound: hops size−1, one link direction per axis, the links of all three axes', () => {
    const { cost, layout } = costShard(src(''));
    expect(layout.mesh.axes.every((a) => !a.wrap)).toBe(true);
    const ops = cost.prefill.pass.layer.ops;
    // a = all_gather(n, yz) : BLE_x — D is the per-chip output.
    const Da = B * L * (E / 2) * 2;
    const a = op(ops, 'ffn.a');
    expect(a.commBytes.value).toBe(Da);
    // Over y and z (hops 3 + 7), at the chip's x, y and z links: one direction each, 3·link.
    expect(a.time.value).toBeCloseTo(alpha * (3 + 7) + (Da * 31) / 32 / (3 * link) + overhead, 15);
    // c = reduce_scatter(b, x) : BLF_xyz — D is the per-chip input BLF_yz.
    const Dc = B * L * (F / 32) * 2;
    const c = op(ops, 'ffn.c');
    expect(c.commBytes.value).toBe(Dc);
    // Over x alone (1 hop), still at 3·link.
    expect(c.time.value).toBeCloseTo(alpha * 1 + (Dc * 1) / 2 / (3 * link) + overhead, 15);
    // b = einsum(a, w_in): 2·B·L·(E/2)·(F/32) FLOPs; bytes of a, w_in, b.
    const b = op(ops, 'ffn.b');
    const flops = 2 * B * L * (E / 2) * (F / 32);
    const bytes = (B * L * (E / 2) + (E / 2) * (F / 32) + B * L * (F / 32)) * 2;
    expect(b.flops.value).toBe(flops);
    expect(b.bytes.value).toBe(bytes);
    expect(b.time.value).toBeCloseTo(Math.max(flops / 275e12, bytes / 1.2e12) + overhead, 15);
    // n = layernorm(h) over E sharded 64 ways: the fp32 statistics are all-reduced over xyz.
    const n = op(ops, 'ffn.n');
    const statIn = 2 * 4 * (B * L * (E / 64)) / (E / 64);
    expect(n.commBytes.value).toBe(2 * statIn);
    const tStat = alpha * (1 + 3 + 7) + (2 * statIn * 63) / 64 / (3 * link);
    const tMem = (2 * B * L * (E / 64) * 2) / 1.2e12;
    expect(n.time.value).toBeCloseTo(tMem + tStat + overhead, 15);
    expect(n.axes).toBe('xyz');
  });

  it('with wraparound on y and z: hops size/2 and both ring directions', () => {
    const { cost, layout } = costShard(src(', wrap = yz'));
    expect(layout.mesh.axes.map((a) => a.wrap)).toEqual([false, true, true]);
    const Da = B * L * (E / 2) * 2;
    const a = op(cost.prefill.pass.layer.ops, 'ffn.a');
    // Hops over y and z (4/2 + 8/2); links: x one direction (no wraparound), y and z both: 5·link.
    expect(a.time.value).toBeCloseTo(alpha * (4 / 2 + 8 / 2) + (Da * 31) / 32 / (link + 2 * link + 2 * link) + overhead, 15);
  });

  it('all_to_all: the slowest ring sets the time, D·size/(4·w)', () => {
    const text = `
model mq { layers = 1, E = 1024, F = 4096, H = 64, K = 1, Q = 64, V = 1024, ffn = gelu }
mesh m = tpu_v4 { x = 2, y = 4, z = 8 }
layout l { model = mq, mesh = m, workload { batch = 64, prompt = 16, generate = 8 }, ffn = ws2d, attention = batch }`;
    const { cost } = costShard(text);
    const ops = cost.decode.pass.layer.ops;
    const q = op(ops, 'attention.q');
    expect(q.op).toBe('all_to_all');
    // Input BLH_xyz Q at decode (L = 1): 64·1·(64/64)·64 elements, bf16.
    const D = 64 * 1 * 1 * 64 * 2;
    expect(q.commBytes.value).toBe(D);
    expect(q.time.value).toBeCloseTo((D * 8) / (4 * 45e9), 15);
  });
});

describe('switch meshes (GPUs)', () => {
  const B = 4, L = 256, E = 1024;
  const alpha = 3 * US, nv = 450e9;
  const hw = `hardware gpu { flops = 990 TFLOP/s, hbm = 80 GB, hbm_bw = 3.35 TB/s, link_bw = 450 GB/s, topology = switch, collective_latency = 3 us }`;

  it('8 GPUs behind one switch: one step, P−1/P of D over the link', () => {
    const { cost } = costShard(`${small()}\n${hw}\nmesh dgx = gpu { x = 8 }
layout l { model = small, mesh = dgx, workload { batch = ${B}, prompt = ${L}, generate = 8 }, ffn = ws1d, attention = none }`);
    const ops = cost.prefill.pass.layer.ops;
    const D = B * L * E * 2;
    // all_gather(n, xyz): y and z have size 1 and take no part.
    const a = op(ops, 'ffn.a');
    expect(a.axes).toBe('xyz');
    expect(a.commBytes.value).toBe(D);
    expect(a.time.value).toBeCloseTo(alpha + (D * 7) / 8 / nv, 15);
    const y = op(ops, 'ffn.y');
    expect(y.time.value).toBeCloseTo(alpha + (D * 7) / 8 / nv, 15);
  });

  it('two switch axes: one phase per axis in mesh order, each moving what it would alone', () => {
    const ib = 50e9;
    const { cost } = costShard(`${small()}\n${hw}\nmesh two = gpu { x = 4, y = 2, link_bw_y = 50 GB/s }
layout l { model = small, mesh = two, workload { batch = ${B}, prompt = ${L}, generate = 8 }, ffn = ws1d, attention = none }`);
    const ops = cost.prefill.pass.layer.ops;
    const D = B * L * E * 2;
    // all_gather grows: after the x phase each chip holds D/2; the y phase completes it.
    const a = op(ops, 'ffn.a');
    expect(a.time.value).toBeCloseTo(alpha + ((D / 2) * 3) / 4 / nv + alpha + (D * 1) / 2 / ib, 15);
    // reduce_scatter shrinks: the x phase reduces D, the y phase D/4.
    const y = op(ops, 'ffn.y');
    expect(y.time.value).toBeCloseTo(alpha + (D * 3) / 4 / nv + alpha + ((D / 4) * 1) / 2 / ib, 15);
  });
});

describe('grouped-query attention', () => {
  const B = 4, prompt = 1000, generate = 25, H = 32, K = 8, Q = 128, layers = 2;
  const text = `
model gqa { layers = ${layers}, E = 4096, F = 14336, H = ${H}, K = ${K}, Q = ${Q}, V = 1024, ffn = gelu }
hardware gpu { flops = 990 TFLOP/s, hbm = 80 GB, hbm_bw = 3.35 TB/s, link_bw = 450 GB/s, topology = switch }
mesh dgx = gpu { x = 8 }
attention gqa_tp {
  in h : BLE_xyz
  weight w_q : E H_xyz Q
  weight w_k : E K_xyz Q
  weight w_v : E K_xyz Q
  weight w_o : H_xyz Q E
  cache kc, vc : B T K_xyz Q
  n  = layernorm(h)
  a  = all_gather(n, xyz)   : BLE
  q  = einsum(a, w_q)       : BLH_xyzQ
  k  = einsum(a, w_k)       : BLK_xyzQ
  v  = einsum(a, w_v)       : BLK_xyzQ
  kt = append(kc, k)
  vt = append(vc, v)
  s  = einsum(q, kt)        : BLTH_xyz
  p  = softmax(s)
  o  = einsum(p, vt)        : BLH_xyzQ
  yp = einsum(o, w_o)       : BLE (partialsum-xyz)
  y  = reduce_scatter(yp, xyz) : BLE_xyz
  out y
}
layout l { model = gqa, mesh = dgx, workload { batch = ${B}, prompt = ${prompt}, generate = ${generate} }, ffn = ws1d, attention = gqa_tp, attention_kernel = unfused }`;

  it('K matched to H is not a separate loop: FLOPs count H only, at the real mean T', () => {
    const { cost } = costShard(text);
    const T = prompt + generate / 2;
    expect(cost.decode.pass.sizes.T).toBe(T);
    const s = op(cost.decode.pass.layer.ops, 'attention.s');
    expect(s.flops.value).toBe(2 * B * 1 * (H / 8) * Q * T);
    // Reading the cache: kt is B T K/8 Q at the mean T, bf16.
    expect(s.bytes.value).toBe((B * 1 * (H / 8) * Q + B * T * (K / 8) * Q + B * 1 * T * (H / 8)) * 2);
    const last = op(cost.decode.lastStep!.layer.ops, 'attention.s');
    expect(last.flops.value).toBe(2 * B * (H / 8) * Q * (prompt + generate));
  });

  it('KV memory: K/8 heads per GPU at the largest T; logical size over all GPUs', () => {
    const { cost } = costShard(text);
    expect(cost.memory.kv.value).toBe(2 * B * (prompt + generate) * (K / 8) * Q * 2 * layers);
    expect(cost.memory.kvTotal.value).toBe(2 * layers * B * (prompt + generate) * K * Q * 2);
    // kv_budget absent: budget = hbm − weights − activations.
    const m = cost.memory;
    const perPosition = 2 * B * (K / 8) * Q * 2 * layers;
    const budget = 80e9 - m.weights.value - Math.max(m.activations.prefill, m.activations.decode);
    expect(m.maxContext.value).toBe(Math.floor(budget / perPosition));
  });

  it('append writes only the new positions, in the kv dtype', () => {
    const { cost } = costShard(text.replace('ffn = gelu }', 'ffn = gelu, kv = int8 }'));
    const kt = op(cost.decode.pass.layer.ops, 'attention.kt');
    expect(kt.bytes.value).toBe(B * 1 * (K / 8) * Q * 1);
    expect(cost.memory.kv.value).toBe(2 * B * (prompt + generate) * (K / 8) * Q * 1 * layers);
  });
});

describe('int8 and int4 weights', () => {
  const E = 1024, F = 4096, V = 1024, layers = 3;
  const src = (weights: string, ffn: string) => `
model q { layers = ${layers}, E = ${E}, F = ${F}, H = 16, K = 1, Q = 64, V = ${V}, ffn = gelu, weights = ${weights} }
mesh pod = tpu_v4 { x = 4, y = 4, z = 4 }
layout l { model = q, mesh = pod, workload { batch = 64, prompt = 128, generate = 8 }, ffn = ${ffn}, attention = none }`;
  const bytesOf: Record<string, number> = { bf16: 2, int8: 1, int4: 0.5 };

  for (const w of ['int8', 'int4']) {
    it(`${w}: stored weights, einsum bytes and gathers use ${bytesOf[w]} B per element; FLOP rate unchanged`, () => {
      const per = bytesOf[w];
      const ws = costShard(src(w, 'ws2d')).cost;
      const bf = costShard(src('bf16', 'ws2d')).cost;
      // Two matrices E_x F_yz per layer, plus the embedding table E_x V_yz (ws2d_unembed) once.
      expect(ws.memory.weights.value).toBe(layers * 2 * (E / 4) * (F / 16) * per + (E / 4) * (V / 16) * per);
      const b = op(ws.decode.pass.layer.ops, 'ffn.b');
      expect(b.bytes.value).toBe(64 * (E / 4) * 2 + (E / 4) * (F / 16) * per + 64 * (F / 16) * 2);
      expect(b.computeTime.value).toBe(op(bf.decode.pass.layer.ops, 'ffn.b').computeTime.value);
      // Weight-gathered: the weight is gathered in its stored dtype.
      const wg = costShard(src(w, 'wg_x')).cost;
      const gathers = wg.prefill.pass.layer.ops.filter((o) => o.op === 'all_gather' && o.uses.some((u) => /\.w_(in|out)$/.test(u)));
      expect(gathers).toHaveLength(2);
      for (const g of gathers) expect(g.commBytes.value).toBe(E * (F / 16) * per);
    });
  }
});

describe('serial vs parallel blocks', () => {
  const src = (block: string) => `
model p { layers = 4, E = 1024, F = 4096, H = 16, K = 1, Q = 64, V = 1024, ffn = gelu, block = ${block} }
mesh pod = tpu_v4 { x = 4, y = 4, z = 4 }
layout l { model = p, mesh = pod, workload { batch = 64, prompt = 128, generate = 8 }, ffn = ws2d, attention = batch }`;

  it('parallel fuses the shared layernorm, the first gather and the output reduce_scatter', () => {
    const serial = costShard(src('serial')).cost;
    const parallel = costShard(src('parallel')).cost;
    for (const ph of ['prefill', 'decode'] as const) {
      const s = serial[ph].pass.layer;
      const p = parallel[ph].pass.layer;
      const fused = p.ops.filter((o) => o.role === 'layer');
      expect(fused.map((o) => o.fused)).toEqual([
        ['attention.n', 'ffn.n'],
        ['attention.a', 'ffn.a'],
        ['attention.y', 'ffn.y'],
      ]);
      // Each fused statement runs once: the attention's copy disappears.
      const saved = times(s.ops, 'attention.n', 'attention.a', 'attention.y').reduce((x, y) => x + y, 0);
      expect(p.time).toBeCloseTo(s.time - saved, 15);
      const savedComm = ['attention.n', 'attention.a', 'attention.y'].reduce((x, k) => x + op(s.ops, k).commBytes.value, 0);
      expect(p.commBytes).toBeCloseTo(s.commBytes - savedComm, 6);
      // blocks are the totals before fusion.
      expect(p.blocks.ffn.time).toBeCloseTo(s.blocks.ffn.time, 15);
      expect(p.blocks.attention!.time).toBeCloseTo(s.blocks.attention!.time, 15);
      // A fused op's D is that of one operand.
      expect(op(p.ops, 'layer.a').commBytes.value).toBe(op(s.ops, 'ffn.a').commBytes.value);
    }
  });
});

describe('overlap = collective_einsum', () => {
  const body = (overlap: string, ffn: string) => `
${small()}
mesh pod = tpu_v4 { x = 4, y = 4, z = 4 }
ffn my_wg_x {
  in h : B_x L E_yz
  weight w_in  : E_x F_yz
  weight w_out : F_yz E_x
  n  = layernorm(h)
  a  = all_gather(n, yz)     : B_x L E
  wi = all_gather(w_in, x)   : E F_yz
  b  = einsum(a, wi)         : B_x L F_yz
  d  = gelu(b)
  wo = all_gather(w_out, x)  : F_yz E
  f  = einsum(d, wo)         : B_x L E (partialsum-yz)
  y  = reduce_scatter(f, yz) : B_x L E_yz
  out y
}
layout l { model = small, mesh = pod, workload { batch = 64, prompt = 128, generate = 8 }, ffn = ${ffn}, attention = none, overlap = ${overlap} }`;

  it('each collective runs under the einsum that consumes (or else produced) it', () => {
    const off = costShard(body('none', 'ws2d')).cost.prefill.pass.layer;
    const on = costShard(body('collective_einsum', 'ws2d')).cost.prefill.pass.layer;
    const [n, a, b, c, d, e, f, y] = times(off.ops, 'ffn.n', 'ffn.a', 'ffn.b', 'ffn.c', 'ffn.d', 'ffn.e', 'ffn.f', 'ffn.y');
    expect(off.time).toBeCloseTo(n + a + b + c + d + e + f + y, 15);
    // a feeds b; c reduces b's output (its consumer is gelu, so it pairs with its producer b);
    // e feeds f; y reduces f's output.
    expect(on.time).toBeCloseTo(n + Math.max(b, a + c) + d + Math.max(f, e + y), 15);
    expect(on.overlapGroups.map((g) => [g.einsum, g.collectives])).toEqual([
      ['ffn.b', ['ffn.a', 'ffn.c']],
      ['ffn.f', ['ffn.e', 'ffn.y']],
    ]);
    // The raw sums do not change with overlap.
    expect(on.commTime).toBe(off.commTime);
  });

  it('activations: live ranges, gathered weights in full or as 2/P double-buffered chunks', () => {
    const B = 64, L = 128, E = 1024, F = 4096;
    const h = (B / 4) * L * (E / 16) * 2; // B_x L E_yz, the layer input, live throughout
    const a = (B / 4) * L * E * 2;
    const wFull = E * (F / 16) * 2;
    const bd = (B / 4) * L * (F / 16) * 2;
    const f = (B / 4) * L * E * 2;
    // Peak at b = einsum(a, wi): h + a + wi + b; at f = einsum(d, wo): h + d + wo + f.
    const peak = (w: number) => Math.max(h + a + w + bd, h + bd + w + f);
    const off = costShard(body('none', 'my_wg_x')).cost;
    const on = costShard(body('collective_einsum', 'my_wg_x')).cost;
    expect(off.prefill.pass.layer.activationBytes).toBe(peak(wFull));
    expect(on.prefill.pass.layer.activationBytes).toBe(peak((2 / 4) * wFull));
  });
});

describe('cache conversion between prefill and decode attention', () => {
  it('heads-sharded prefill cache → batch-sharded decode cache: one all_to_all per cache, once, in prefill', () => {
    const B = 64, prompt = 256, K = 64, Q = 64, layers = 2;
    const { cost } = costShard(`
model mh { layers = ${layers}, E = 1024, F = 4096, H = 64, K = ${K}, Q = ${Q}, V = 1024, ffn = gelu }
mesh pod = tpu_v4 { x = 4, y = 4, z = 4 }
layout l {
  model = mh, mesh = pod, workload { batch = ${B}, prompt = ${prompt}, generate = 8 }
  prefill { ffn = ws2d, attention = heads }
  decode { ffn = ws2d, attention = batch }
}`);
    const conv = cost.prefill.pass.cacheConversion!;
    expect(conv.ops.map((o) => [o.op, o.axes])).toEqual([['all_to_all', 'xyz'], ['all_to_all', 'xyz']]);
    // D: the per-chip prefill cache B T K/64 Q, bf16; all_to_all on a wrapped 4-ring: D·4/(4·90 GB/s).
    const D = B * prompt * (K / 64) * Q * 2;
    for (const o of conv.ops) {
      expect(o.commBytes.value).toBe(D);
      expect(o.time.value).toBeCloseTo((D * 4) / (4 * 90e9), 15);
    }
    const p = cost.prefill.pass;
    expect(p.latency.value).toBeCloseTo(p.embed.time.value + layers * p.layer.time + (p.unembed?.time ?? 0) + layers * conv.time, 15);
    expect(cost.decode.pass.cacheConversion).toBeNull();
  });
});

describe('embedding, unembedding and phase totals', () => {
  it('embed is a memory op over B·L·E; unembed runs at L = 1 in both phases', () => {
    const B = 64, L = 128, E = 1024, V = 1024;
    const { cost } = costShard(`
${small()}
mesh pod = tpu_v4 { x = 4, y = 4, z = 4 }
layout l { model = small, mesh = pod, workload { batch = ${B}, prompt = ${L}, generate = 8 }, ffn = ws2d, attention = none }`);
    const p = cost.prefill.pass;
    expect(p.embed.time.value).toBeCloseTo((2 * B * L * (E / 64) * 2) / 1.2e12, 18);
    expect(p.embed.flops.value).toBe(0);
    const ub = op(p.unembed!.ops, 'unembed.b');
    expect(ub.flops.value).toBe(2 * B * 1 * (E / 4) * (V / 16));
    expect(op(cost.decode.pass.unembed!.ops, 'unembed.b').flops.value).toBe(ub.flops.value);
    // Phase totals: raw sums × layers + embed + unembed.
    expect(p.totals.flops).toBe(p.layer.flops + p.unembed!.flops);
    expect(p.latency.value).toBeCloseTo(p.embed.time.value + p.layer.time + p.unembed!.time, 15);
    expect(p.totals.commTime).toBeCloseTo(p.layer.commTime + p.unembed!.commTime, 15);
  });
});
