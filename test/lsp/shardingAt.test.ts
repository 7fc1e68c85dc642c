// `shardlens/shardingAt`: what Show Sharding draws for a cursor position. Expected ranges are
// worked out by hand from small.shard: E = 1024 over x (4 shards of 256), F = 4096 over yz
// (16 shards of 256, y major), chip number x·16 + y·4 + z.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ShardingAt } from '../../server/src/engine/index';
import { fixture, startInMemory, type TestClient } from './harness';

const URI = 'file:///work/shardingAt.shard';
const TEXT = fixture('small.shard');

/** The position of the `nth` occurrence of `needle` in the fixture, plus `shift` characters. */
function at(needle: string, shift = 0, nth = 0): { line: number; character: number } {
  let i = -1;
  for (let k = 0; k <= nth; k++) i = TEXT.indexOf(needle, i + 1);
  if (i < 0) throw new Error(`no ${needle}`);
  const before = TEXT.slice(0, i + shift);
  const line = before.split('\n').length - 1;
  return { line, character: before.length - before.lastIndexOf('\n') - 1 };
}

type Tiles = Extract<ShardingAt, { kind: 'tiles' }>;

describe('shardlens/shardingAt', () => {
  let client: TestClient;
  const ask = (position: { line: number; character: number }, pref: Record<string, string> = {}) => client.request<ShardingAt>('shardlens/shardingAt', { uri: URI, position, ...pref });
  beforeAll(async () => {
    client = await startInMemory();
    await client.open(URI, TEXT);
  });
  afterAll(() => client.close());

  it('draws the weight whose name the cursor is on, in the layouts that use the block', async () => {
    const r = (await ask(at('w_in  :', 2))) as Tiles;
    expect(r.kind).toBe('tiles');
    expect(r.value).toBe('ffn.w_in');
    expect(r.choices).toEqual([{ layout: 'fast', phase: 'prefill' }, { layout: 'fast', phase: 'decode' }]);
    expect(r.chosen).toEqual({ layout: 'fast', phase: 'decode' });
    expect(r.tiles.chips).toHaveLength(64);
    // Chip (1, 2, 3) = 1·16 + 2·4 + 3 = 27: E shard 1 → [256, 512), F shard 2·4 + 3 = 11 → [2816, 3072).
    expect(r.tiles.chips[27].ranges.map((x) => [x.letter, x.start, x.end])).toEqual([['E', 256, 512], ['F', 2816, 3072]]);
    expect(r.values).toContain('attention.kc');
  });

  it('draws a statement from its operation, its type or an operand that names another value', async () => {
    const onOp = (await ask(at('einsum(a, w_in)', 1))) as Tiles;
    expect(onOp.value).toBe('ffn.b');
    // b : BLF_yz (partialsum-x): 4 partial sums over x, 16 tiles of F.
    expect(onOp.tiles.partials).toBe(4);
    expect(onOp.tiles.tiles).toHaveLength(16);
    const onType = (await ask(at('BLF_xyz', 2))) as Tiles;
    expect(onType.value).toBe('ffn.c');
    const onOperand = (await ask(at('einsum(a, w_in)', 11))) as Tiles;
    expect(onOperand.value).toBe('ffn.w_in');
  });

  it('keeps the chosen phase, and in a layout draws the asked value or the FFN’s first weight', async () => {
    const prefill = (await ask(at('w_out :', 2), { layout: 'fast', phase: 'prefill' })) as Tiles;
    expect(prefill.chosen).toEqual({ layout: 'fast', phase: 'prefill' });
    expect(prefill.value).toBe('ffn.w_out');
    const inLayout = (await ask(at('workload = chat', 2))) as Tiles;
    expect(inLayout.value).toBe('ffn.w_in');
    const asked = (await ask(at('workload = chat', 2), { value: 'attention.kc' })) as Tiles;
    expect(asked.value).toBe('attention.kc');
  });

  it('says where a timeline bar’s statement is written, and null for a built-in block', async () => {
    const range = await client.request<{ start: { line: number; character: number }; end: { line: number; character: number } } | null>('shardlens/opLocation', { uri: URI, layout: 'fast', phase: 'decode', key: 'ffn.b' });
    // `b = einsum(a, w_in)         : BLF_yz (partialsum-x)`: the whole statement, from its name.
    expect(range?.start).toEqual(at('b = einsum'));
    expect(range?.end).toEqual(at('b = einsum', 'b = einsum(a, w_in)         : BLF_yz (partialsum-x)'.length));
    // attention = ws2d_batch is a built-in: nothing in this file to reveal.
    expect(await client.request('shardlens/opLocation', { uri: URI, layout: 'fast', phase: 'decode', key: 'attention.s' })).toBeNull();
    expect(await client.request('shardlens/opLocation', { uri: URI, layout: 'fast', phase: 'decode', key: 'ffn.nope' })).toBeNull();
  });

  it('says why there is nothing to draw off a value, and answers null for an unknown document', async () => {
    const off = await ask(at('mesh pod', 1));
    expect(off.kind).toBe('none');
    expect(off.kind === 'none' && off.reason).toContain('Put the cursor on a value');
    expect(await client.request('shardlens/shardingAt', { uri: 'file:///nope.shard', position: { line: 0, character: 0 } })).toBeNull();
  });
});
