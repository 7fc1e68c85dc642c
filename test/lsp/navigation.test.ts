import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ResponseError, type DocumentHighlight, type Location, type Range, type WorkspaceEdit } from 'vscode-languageserver-protocol';
import { fixture, positionOf, startInMemory, type TestClient } from './harness';

const URI = 'file:///work/nav.shard';
const TEXT = fixture('small.shard');
const doc = { uri: URI };

describe('definition, references, highlight, rename', () => {
  let client: TestClient;
  beforeAll(async () => {
    client = await startInMemory();
    await client.open(URI, TEXT);
  });
  afterAll(() => client.close());

  it('goes to a definition in the file', async () => {
    const loc = await client.request<Location>('textDocument/definition', { textDocument: doc, position: positionOf(TEXT, 'mesh = pod', 'mesh = '.length) });
    expect(loc.uri).toBe(URI);
    expect(loc.range.start).toEqual(positionOf(TEXT, 'pod = tpu_v4'));
  });

  it('goes into the prelude for a built-in, and the prelude text is served by shardlens/preludeText', async () => {
    const loc = await client.request<Location>('textDocument/definition', { textDocument: doc, position: positionOf(TEXT, 'tpu_v4') });
    expect(loc.uri).toBe('shardlens-prelude:/hardware.shard');
    const prelude = await client.request<string>('shardlens/preludeText', { uri: loc.uri });
    const lines = prelude.split('\n');
    expect(lines[loc.range.start.line].slice(loc.range.start.character, loc.range.end.character)).toBe('tpu_v4');
    expect(await client.request('shardlens/preludeText', { uri: 'shardlens-prelude:/nope.shard' })).toBeNull();
  });

  it('goes from a value use to its statement', async () => {
    const loc = await client.request<Location>('textDocument/definition', { textDocument: doc, position: positionOf(TEXT, 'einsum(a, w_in)', 'einsum(a, '.length) });
    expect(loc.range.start).toEqual(positionOf(TEXT, 'w_in  :'));
  });

  it('finds the references of a value, with and without its declaration', async () => {
    const at = positionOf(TEXT, 'c = reduce_scatter');
    const withDecl = await client.request<Location[]>('textDocument/references', { textDocument: doc, position: at, context: { includeDeclaration: true } });
    expect(withDecl.map((l) => l.range.start)).toEqual([at, positionOf(TEXT, 'gelu(c)', 5)]);
    const usesOnly = await client.request<Location[]>('textDocument/references', { textDocument: doc, position: at, context: { includeDeclaration: false } });
    expect(usesOnly).toHaveLength(1);
  });

  it('highlights a block name: declaration (write) and use (read)', async () => {
    const hs = await client.request<DocumentHighlight[]>('textDocument/documentHighlight', { textDocument: doc, position: positionOf(TEXT, 'ffn my2d', 4) });
    expect(hs.map((h) => [h.range.start, h.kind])).toEqual([
      [positionOf(TEXT, 'my2d'), 3],
      [positionOf(TEXT, '= my2d', 2), 2],
    ]);
  });

  it('renames a mesh everywhere in the file', async () => {
    const position = positionOf(TEXT, 'pod = tpu_v4');
    const range = await client.request<Range>('textDocument/prepareRename', { textDocument: doc, position });
    expect(range.start).toEqual(position);
    const edit = await client.request<WorkspaceEdit>('textDocument/rename', { textDocument: doc, position, newName: 'cube' });
    const edits = edit.changes![URI];
    expect(edits.map((e) => e.newText)).toEqual(['cube', 'cube']);
    expect(edits.map((e) => e.range.start)).toEqual([position, positionOf(TEXT, 'mesh = pod', 'mesh = '.length)]);
  });

  it('renames a value from one of its uses, and a layout', async () => {
    const edit = await client.request<WorkspaceEdit>('textDocument/rename', { textDocument: doc, position: positionOf(TEXT, 'gelu(c)', 5), newName: 'c_full' });
    expect(edit.changes![URI]).toHaveLength(2);
    const layout = await client.request<WorkspaceEdit>('textDocument/rename', { textDocument: doc, position: positionOf(TEXT, 'fast {'), newName: 'quick' });
    expect(layout.changes![URI]).toHaveLength(1);
  });

  it('refuses to rename a built-in, and refuses an invalid name', async () => {
    const position = positionOf(TEXT, 'tpu_v4');
    await expect(client.request('textDocument/prepareRename', { textDocument: doc, position })).rejects.toThrow(/built-in/);
    await expect(client.request('textDocument/rename', { textDocument: doc, position, newName: 'x' })).rejects.toBeInstanceOf(ResponseError);
    await expect(client.request('textDocument/rename', { textDocument: doc, position: positionOf(TEXT, 'pod = '), newName: 'Not A Name' })).rejects.toThrow(/not a valid name/);
    await expect(client.request('textDocument/rename', { textDocument: doc, position: positionOf(TEXT, 'c = reduce'), newName: 'd' })).rejects.toThrow(/already a value of ffn my2d/);
    await expect(client.request('textDocument/rename', { textDocument: doc, position: positionOf(TEXT, 'model tiny', 6), newName: 'tiny' })).resolves.toBeTruthy();
  });
});
