// Hover on a block's AXES names the network tier each axis lies on (docs/language.md "Network
// tiers"): on 16 × 4 H100s (8 per node), x is 8 GPUs in a node × 2 nodes, y runs over the network.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Hover, MarkupContent } from 'vscode-languageserver-protocol';
import { positionOf, startInMemory, type TestClient } from './harness';

const URI = 'file:///work/tiers.shard';
const TEXT = `ffn gathered {
  in h : BLE_xy
  weight w_in  : E F_xy
  weight w_out : F_xy E
  a = all_gather(h, xy)       : BLE
  b = einsum(a, w_in)         : BLF_xy
  d = gelu(b)
  f = einsum(d, w_out)        : BLE (partialsum-xy)
  y = reduce_scatter(f, xy)   : BLE_xy
  out y
}
mesh nodes = h100 { x = 16, y = 4 }
model small { layers = 2, E = 1024, F = 4096, H = 8, K = 1, Q = 128, V = 32000 }
layout l { model = small, mesh = nodes, workload { batch = 64, prompt = 128, generate = 8 }, ffn = gathered, attention = none }
`;

describe('hover on axes: network tiers', () => {
  let client: TestClient;
  beforeAll(async () => {
    client = await startInMemory();
    await client.open(URI, TEXT);
  });
  afterAll(() => client.close());

  it('says which axis lies on NVLink and which on the network', async () => {
    const h = await client.request<Hover | null>('textDocument/hover', { textDocument: { uri: URI }, position: positionOf(TEXT, 'all_gather(h, xy)', 'all_gather(h, '.length) });
    const md = (h!.contents as MarkupContent).value;
    expect(md).toContain('`nodes`: x = 16, y = 4 → 64 chips (x: 8 inside a domain × 2 over the network; y over the network)');
  });
});
