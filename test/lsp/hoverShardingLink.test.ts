// The "Show sharding" link in value hovers: a command URI for shardlens.showSharding whose
// argument is the value's place ({ uri, offset } of its name, as the block's code lens passes),
// on values of a block a layout uses; none where there is nothing to draw.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixture, hoverMarkdown, startInMemory, type TestClient } from './harness';

const URI = 'file:///work/hover-link.shard';
const TEXT = fixture('small.shard');
const UNUSED = `${TEXT}
ffn spare {
  in h : BLE_xyz
  weight w : EF_xyz
  out h
}
`;

describe('Show sharding link in hovers', () => {
  let client: TestClient;
  beforeAll(async () => {
    client = await startInMemory();
    await client.open(URI, UNUSED);
  });
  afterAll(() => client.close());

  const hover = (needle: string, delta = 0) => hoverMarkdown(client, URI, UNUSED, needle, delta);

  function link(md: string): unknown[] | null {
    const m = /\[Show sharding\]\(command:shardlens\.showSharding\?([^ )]+)/.exec(md);
    return m ? (JSON.parse(decodeURIComponent(m[1])) as unknown[]) : null;
  }

  it('links a weight, a statement and an input to Show Sharding at their name', async () => {
    for (const [needle, name] of [['weight w_in', 'w_in'], ['b = einsum', 'b'], ['in h', 'h']] as const) {
      const at = UNUSED.indexOf(needle) + needle.indexOf(name);
      const args = link(await hover(needle, needle.indexOf(name) + 1));
      expect(args, needle).toEqual([{ uri: URI, offset: at }]);
    }
  });

  it('has no link on a block no layout uses', async () => {
    const md = await hover('weight w :', 'weight '.length + 0);
    expect(md).toContain('No layout in this file uses this block');
    expect(link(md)).toBeNull();
  });
});
