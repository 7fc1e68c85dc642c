// Hover on the statements of a fused attention (`attention_kernel = fused`, the default): each of
// s, p and o shows the one fused op, names its members and explains its HBM bytes and FLOPs.
// Expected figures are worked out here from the rule in cost-model.md ("Fused attention").

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { InlayHint } from 'vscode-languageserver-protocol';
import { hoverMarkdown, positionOf, startInMemory, type TestClient } from './harness';

const URI = 'file:///work/fused.shard';
// 4 GPUs; H = K = 8 heads of 128, split over the 4: 2 query and 2 K/V heads per GPU.
const TEXT = `mesh node = h100 { x = 4 }

model tiny { layers = 1, E = 1024, F = 4096, H = 8, K = 8, Q = 128, V = 32000, block = serial }

attention tp_attn {
  in h : BLE_xyz
  weight w_q : E H_xyz Q
  weight w_k : E K_xyz Q
  weight w_v : E K_xyz Q
  weight w_o : H_xyz Q E
  cache kc, vc : B T K_xyz Q
  n  = layernorm(h)            : BLE_xyz
  a  = all_gather(n, xyz)      : BLE
  q  = einsum(a, w_q)          : BLH_xyzQ
  k  = einsum(a, w_k)          : BLK_xyzQ
  v  = einsum(a, w_v)          : BLK_xyzQ
  kt = append(kc, k)           : BTK_xyzQ
  vt = append(vc, v)           : BTK_xyzQ
  s  = einsum(q, kt)           : BLTH_xyz
  p  = softmax(s)              : BLTH_xyz
  o  = einsum(p, vt)           : BLH_xyzQ
  yp = einsum(o, w_o)          : BLE (partialsum-xyz)
  y  = reduce_scatter(yp, xyz) : BLE_xyz
  out y
}

layout fast {
  model = tiny
  mesh = node
  workload { batch = 16, prompt = 1000, generate = 48 }
  ffn = ws1d
  attention = tp_attn
}
`;

describe('hover on a fused attention', () => {
  let client: TestClient;
  beforeAll(async () => {
    client = await startInMemory();
    await client.open(URI, TEXT);
  });
  afterAll(() => client.close());

  const hover = (needle: string, delta = 0) => hoverMarkdown(client, URI, TEXT, needle, delta);

  // Decode step at the mean T = 1000 + 48/2 = 1024, B = 16, L = 1, per GPU, bf16:
  //   q, o:   16 × 1 × 2 × 128 × 2 B = 8,192 B each; kt, vt: 16 × 1024 × 2 × 128 × 2 B = 8,388,608 B each
  //   (8 KiB and 8 MiB)
  //   HBM = 2 × 8,192 + 2 × 8,388,608 = 16,793,600 B = 16.016 MiB, "16 MiB"
  //   FLOPs = 2 × (2 × 16 × 1 × 2 × 128 × 1024) = 16,777,216 = 16.8 MFLOP
  for (const statement of ['einsum(q, kt)', 'softmax(s)', 'einsum(p, vt)']) {
    it(`on ${statement}: the fused op, its members, its HBM bytes and FLOPs`, async () => {
      const md = await hover(statement);
      expect(md).toContain('fused attention (attention.s + attention.p + attention.o): the scores stay on chip');
      expect(md).toMatch(/HBM: bytes\(q\) \+ bytes\(kt\) \+ bytes\(vt\) \+ bytes\(o\) = 8 KiB \+ 8 MiB \+ 8 MiB \+ 8 KiB = 16 MiB/);
      expect(md).toMatch(/FLOPs: flops\(s\) \+ flops\(o\) = 8\.39 MFLOP \+ 8\.39 MFLOP = 16\.8 MFLOP/);
    });
  }

  it('the scores are marked as living on chip only (16 × 1 × 1024 × 2 × 2 B = 65,536 B = 64 KiB per GPU)', async () => {
    expect(await hover('einsum(q, kt)')).toContain('B 16 × L 1 × T 1024 × H_xyz 8/4 = 2 → 64 KiB (bf16, on chip only)');
    expect(await hover('einsum(p, vt)')).not.toContain('on chip only');
  });

  it('an einsum outside the chain is not fused', async () => {
    const md = await hover('einsum(o, w_o)');
    expect(md).not.toContain('fused attention');
  });

  it('time inlay hints: the members point at the fused op, which carries the time', async () => {
    client.settings = { inlayHints: { detail: 'time' } };
    await client.connection.sendNotification('workspace/didChangeConfiguration', { settings: {} });
    const whole = { start: { line: 0, character: 0 }, end: { line: TEXT.split('\n').length, character: 0 } };
    const hints = await client.request<InlayHint[]>('textDocument/inlayHint', { textDocument: { uri: URI }, range: whole });
    const on = (needle: string) => hints.filter((h) => h.position.line === positionOf(TEXT, needle).line).map((h) => h.label);
    // Each label names the layout and phase its figure is for.
    expect(on('s  = einsum')).toEqual(['fast · decode: fused into o']);
    expect(on('p  = softmax')).toEqual(['fast · decode: fused into o']);
    // o: the fused op's time, 16,793,600 B / 3.35 TB/s = 5.01 µs, memory-bound.
    expect(on('o  = einsum')).toEqual(['fast · decode: 5.01 µs memory']);
    client.settings = {};
    await client.connection.sendNotification('workspace/didChangeConfiguration', { settings: {} });
  });
});
