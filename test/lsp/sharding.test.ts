// The Show Sharding and timeline requests: the engine's tile map and timeline as JSON, null for a
// layout the document does not have, and the value names there are for an unknown value.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ReportJson, TileMap, Timeline } from '../../server/src/engine/index';
import { fixture, startInMemory, type TestClient } from './harness';

const URI = 'file:///work/sharding.shard';

describe('shardlens/sharding and shardlens/timeline', () => {
  let client: TestClient;
  beforeAll(async () => {
    client = await startInMemory();
    await client.open(URI, fixture('small.shard'));
  });
  afterAll(() => client.close());

  it('answers the tiles of a weight: w_in : E_x F_yz of the tiny model on 4×4×4', async () => {
    const r = await client.request<{ tiles: TileMap }>('shardlens/sharding', { uri: URI, layout: 'fast', value: 'ffn.w_in' });
    const map = r.tiles;
    expect(map.chips).toHaveLength(64);
    // E = 1024 over x: 256 each; F = 4096 over yz: 256 each. Chip (1, 2, 3) = 27 holds F shard 2·4 + 3 = 11.
    const c = map.chips[27];
    expect(c.coords).toEqual([1, 2, 3]);
    expect(c.ranges.map((x) => [x.letter, x.start, x.end])).toEqual([['E', 256, 512], ['F', 2816, 3072]]);
  });

  it('names the values there are for an unknown value, and answers null for an unknown layout', async () => {
    const r = await client.request<{ error: string; available: string[] }>('shardlens/sharding', { uri: URI, layout: 'fast', value: 'ffn.zz' });
    expect(r.error).toContain("no value 'zz'");
    expect(r.available).toContain('ffn.w_in');
    expect(await client.request('shardlens/sharding', { uri: URI, layout: 'nope', value: 'ffn.w_in' })).toBeNull();
  });

  it('answers the timeline, whose whole pass is the report’s step time', async () => {
    const t = await client.request<Timeline>('shardlens/timeline', { uri: URI, layout: 'fast' });
    const report = await client.request<ReportJson>('shardlens/report', { uri: URI });
    expect(t.phase).toBe('decode');
    expect(t.step.time_s).toBeCloseTo(report.layouts[0].decode!.step_s!, 12);
    expect(await client.request('shardlens/timeline', { uri: URI, layout: 'nope' })).toBeNull();
  });
});
