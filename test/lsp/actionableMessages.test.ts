// Editor messages a user can act on (issue 15, item 4): a hover on an operation whose layouts
// cannot be costed says why, and completing a declaration's base never offers the declaration.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CompletionItem, Hover, MarkupContent } from 'vscode-languageserver-protocol';
import { fixture, positionOf, startInMemory, withCursor, type TestClient } from './harness';

describe('editor messages', () => {
  let client: TestClient;
  let n = 0;
  beforeAll(async () => {
    client = await startInMemory();
  });
  afterAll(() => client.close());

  async function hover(text: string, needle: string): Promise<string> {
    const uri = `file:///work/messages${n++}.shard`;
    await client.open(uri, text);
    const h = await client.request<Hover | null>('textDocument/hover', { textDocument: { uri }, position: positionOf(text, needle) });
    expect(h).not.toBeNull();
    return (h!.contents as MarkupContent).value;
  }

  async function complete(marked: string): Promise<string[]> {
    const { text, position } = withCursor(marked);
    const uri = `file:///work/messages${n++}.shard`;
    await client.open(uri, text);
    const items = (await client.request<CompletionItem[] | null>('textDocument/completion', { textDocument: { uri }, position })) ?? [];
    return items.map((i) => i.label);
  }

  describe('hover on an operation of a block no costed layout uses', () => {
    // small.shard's one layout, `fast`, uses my2d.
    const small = fixture('small.shard');

    it('names the layout and its reason when the layout cannot be costed', async () => {
      const text = small.replace('  model = tiny\n', '  model = tiny_v2\n');
      const md = await hover(text, 'einsum(a, w_in)');
      expect(md).toContain('layout **fast** uses this block but cannot be costed: its model could not be resolved (no model named `tiny_v2`; did you mean `tiny`?)');
      expect(md).not.toContain('No layout in this file uses this block');
    });

    it('gives the first error behind the layout\'s blocks', async () => {
      // my2d has no heads family: the layout's attention does not resolve.
      const text = small.replace(/attention = \w+/, 'attention = heads');
      const md = await hover(text, 'reduce_scatter(b, x)');
      expect(md).toMatch(/layout \*\*fast\*\* uses this block but cannot be costed: its blocks could not be resolved \(my2d has no heads-sharded attention/);
    });

    it('gives the block\'s own error when the block does not check', async () => {
      // gelu of a partial sum: an error inside my2d, which no layout carries.
      const text = small.replace('  d = gelu(c)', '  d = gelu(b)');
      const md = await hover(text, 'all_gather(d, x)');
      expect(md).toContain('layout **fast** uses this block but cannot be costed: its blocks have errors (`gelu` is a non-linearity of `b`, a partial sum over x');
    });

    it('still says so when no layout names the block', async () => {
      const text = small.replace('ffn my2d {', 'ffn unused {');
      const md = await hover(text, 'einsum(a, w_in)');
      expect(md).toContain('_No layout in this file uses this block, so it is not costed._');
    });
  });

  describe('completion of a declaration\'s base', () => {
    it('does not offer the mesh being declared', async () => {
      const labels = await complete('mesh pod = tpu_v4 { x = 4, y = 4, z = 4 }\nmesh probe = |\n');
      expect(labels).not.toContain('probe');
      expect(labels).toEqual(expect.arrayContaining(['tpu_v4', 'h100', 'pod']));
    });

    it('offers the built-in a declaration shadows', async () => {
      const labels = await complete('hardware tpu_v4 = |\n');
      expect(labels).toContain('tpu_v4');
    });
  });
});
