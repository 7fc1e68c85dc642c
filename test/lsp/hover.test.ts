import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Hover, MarkupContent } from 'vscode-languageserver-protocol';
import { fixture, hoverMarkdown, positionOf, startInMemory, type TestClient } from './harness';

const URI = 'file:///work/hover.shard';
const TEXT = fixture('small.shard');

describe('hover', () => {
  let client: TestClient;
  beforeAll(async () => {
    client = await startInMemory();
    await client.open(URI, TEXT);
  });
  afterAll(() => client.close());

  const hover = (needle: string, delta = 0) => hoverMarkdown(client, URI, TEXT, needle, delta);

  it('on a collective: type, per-chip shape and bytes, volume D and its formula with values', async () => {
    const md = await hover('all_gather(h, yz)');
    expect(md).toContain('type `BLE_x`');
    expect(md).toContain('**fast** · decode (mean step');
    // Decode, mean step: B = 64, L = 1, E = 1024 split over x (4): 64 × 1 × 256 × 2 B (bf16) =
    // 32,768 B = 32 KiB.
    expect(md).toContain('B 64 × L 1 × E_x 1024/4 = 256 → 32 KiB (bf16)');
    // D as the cost model explains it: its formula, the values put in, the result.
    expect(md).toMatch(/volume D: [^=\n]+ = [^=\n]+ = 32 KiB/);
    // Rates stay decimal.
    expect(md).toMatch(/bandwidth BW = [0-9.]+ GB\/s/);
    // The formula, then the same with the values put in, then the result.
    expect(md).toMatch(/comm time: .*D·\(P−1\)\/P.* = .*32 KiB·\(16−1\)\/16.* = [0-9.]+ ns/);
    expect(md).toMatch(/time \*\*[0-9.]+ ns\*\* \(comm-bound\)/);
  });

  it('on a value of a block two uses share: the formulas once, then one row per use naming it', async () => {
    const md = await hover('all_gather(h, yz)');
    expect(md.match(/comm time:/g)).toHaveLength(1);
    expect(md).toContain('| layout · phase | per chip | time | bound | D |');
    // Prefill: 64 × 2048 × 256 × 2 B = 67,108,864 B = 64 MiB; decode: 32 KiB as above.
    expect(md).toMatch(/\| \*\*fast\*\* · prefill \| 64 MiB \| [0-9.]+ [nµm]?s \| comm \| [0-9.]+ MiB \|/);
    expect(md).toMatch(/\| \*\*fast\*\* · decode \| 32 KiB \| [0-9.]+ [nµm]?s \| comm \| 32 KiB \|/);
  });

  it('on an einsum: FLOPs and compute time formula', async () => {
    const md = await hover('einsum(a, w_in)');
    expect(md).toContain('type `BLF_yz (partialsum-x)`');
    expect(md).toMatch(/FLOPs [0-9.]+ [kMGT]?FLOP/);
    expect(md).toContain('compute time:');
  });

  it('on a statement without annotation: the inferred type', async () => {
    const md = await hover('d = gelu');
    expect(md).toContain('type `BLF_xyz` (inferred)');
  });

  it('on a tensor type: the local shape per chip in each layout', async () => {
    const md = await hover('BLF_yz (partialsum-x)', 1);
    expect(md).toContain('**L** — new tokens per sequence in this pass');
    expect(md).toContain('**fast** · prefill: B 64 × L 2048 × F_yz 4096/16 = 256');
  });

  it('on a layout name: the table of figures', async () => {
    const md = await hover('layout fast', 'layout '.length);
    expect(md).toContain('**layout** `fast`');
    expect(md).toContain('| latency |');
    expect(md).toContain('| MFU |');
    expect(md).toContain('| bound |');
    // Every part of the total is listed, so the parts add up to it (to the three digits shown).
    const m = /memory per chip: weights ([0-9.]+ \w+) \+ KV cache ([0-9.]+ \w+) \+ (prefill|decode) activations ([0-9.]+ \w+) = \*\*([0-9.]+ \w+)\*\* of 32 GiB HBM/.exec(md);
    expect(m, md).not.toBeNull();
    const bytes = (s: string) => {
      const [n, unit] = s.split(' ');
      return Number(n) * { B: 1, KiB: 2 ** 10, MiB: 2 ** 20, GiB: 2 ** 30 }[unit as 'B']!;
    };
    const sum = bytes(m![1]) + bytes(m![2]) + bytes(m![4]);
    expect(Math.abs(sum - bytes(m![5])) / bytes(m![5])).toBeLessThan(0.01);
    // The bound notes Problems leaves out by default, one for each phase of `fast` (collectives or
    // HBM traffic set most of each), as the table's bound row says.
    expect(md).toMatch(/_'fast' is (communication|memory)-bound in prefill: /);
    expect(md).toMatch(/_'fast' is (communication|memory)-bound in decode: /);
    const bound = /\| bound \| (\w+) \| (\w+) \|/.exec(md)!;
    if (bound[1] === 'memory') expect(md).toContain("_'fast' is memory-bound in prefill: ");
    if (bound[2] === 'memory') expect(md).toContain("_'fast' is memory-bound in decode: ");
  });

  it('on a built-in name: what it is, where it comes from, its doc comment', async () => {
    const md = await hover('tpu_v4');
    expect(md).toContain('**hardware** `tpu_v4` — built-in, hardware.shard line');
    expect(md).toContain('275 TFLOP/s');
  });

  it('on a block name: its signature, uses and doc comment', async () => {
    const md = await hover('= my2d', 2);
    expect(md).toContain('**ffn block** `my2d` — this file, line 12');
    expect(md).toContain('in `h : BLE_xyz`');
    expect(md).toContain('used by `fast` (prefill, decode)');
    expect(md).toContain('2D weight-stationary, written out');
  });

  it('on a quantity: the normalised value', async () => {
    const text = 'hardware chip {\n  flops = 275 TFLOP/s\n  hbm = 32 GiB\n  hbm_bw = 1.2 TB/s\n  link_bw = 45 GB/s\n}\n';
    await client.open('file:///work/q.shard', text);
    const h = await client.request<Hover>('textDocument/hover', { textDocument: { uri: 'file:///work/q.shard' }, position: positionOf(text, '32 GiB') });
    expect((h.contents as MarkupContent).value).toContain('`hbm` = **34,359,738,368 B** (32 GiB)');
  });

  it('on a collective\'s axes: the axis sizes in the meshes of the layouts', async () => {
    const md = await hover('all_gather(h, yz)', 'all_gather(h, '.length);
    expect(md).toContain('mesh axes **yz**');
    expect(md).toContain('`pod`: y = 4, z = 4 → 16 chips');
  });

  it('on `attention = batch`: the block each phase resolved to', async () => {
    const text = 'mesh pod = tpu_v4 { x = 4, y = 4, z = 4 }\nlayout l {\n  model = palm_540b\n  mesh = pod\n  workload { batch = 64, prompt = 2048, generate = 64 }\n  ffn = ws2d\n  attention = batch\n}\n';
    await client.open('file:///work/word.shard', text);
    const h = await client.request<Hover>('textDocument/hover', { textDocument: { uri: 'file:///work/word.shard' }, position: positionOf(text, '= batch', 3) });
    const md = (h.contents as MarkupContent).value;
    expect(md).toMatch(/decode: `ws2d_batch_mqa`|\*\*attention block\*\* `ws2d_batch_mqa`/);
  });
});
