import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CancellationTokenSource } from 'vscode-jsonrpc/node';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import type { Hover, MarkupContent } from 'vscode-languageserver-protocol';
import { fixture, positionOf, ROOT, startInMemory, type TestClient } from './harness';

const URI = 'file:///work/robust.shard';
const TEXT = fixture('small.shard');

/** Every position-taking request the server answers, with its parameters at a position. */
const AT_POSITION = ['hover', 'completion', 'signatureHelp', 'definition', 'references', 'documentHighlight', 'prepareRename'];

describe('bad input never crashes the server', () => {
  let client: TestClient;
  beforeAll(async () => {
    client = await startInMemory();
    await client.open(URI, TEXT);
  });
  afterAll(() => client.close());

  const params = (uri: string, position: unknown) => ({ textDocument: { uri }, position, context: { includeDeclaration: true } });

  it.each([
    ['a line past the end', { line: 9999, character: 0 }],
    ['a negative character', { line: 1, character: -4 }],
    ['a fractional line', { line: 1.5, character: 0 }],
    ['no position at all', undefined],
  ])('answers null for %s', async (_what, position) => {
    for (const method of AT_POSITION) {
      expect(await client.request(`textDocument/${method}`, params(URI, position)), method).toBeNull();
    }
    expect(await client.request('textDocument/codeAction', { textDocument: { uri: URI }, range: { start: position, end: position }, context: { diagnostics: [] } })).toBeNull();
  });

  it('answers null for a document it was never told about', async () => {
    const unknown = 'file:///work/never-opened.shard';
    for (const method of AT_POSITION) expect(await client.request(`textDocument/${method}`, params(unknown, { line: 0, character: 0 })), method).toBeNull();
    for (const method of ['documentSymbol', 'foldingRange', 'codeLens', 'formatting', 'inlayHint']) {
      expect(await client.request(`textDocument/${method}`, { textDocument: { uri: unknown }, range: { start: { line: 0, character: 0 }, end: { line: 1, character: 0 } }, options: {} }), method).toBeNull();
    }
    expect(await client.request('textDocument/semanticTokens/full', { textDocument: { uri: unknown } })).toEqual({ data: [] });
  });

  it('answers a cancelled request with null, and keeps serving', async () => {
    const source = new CancellationTokenSource();
    const pending = client.connection.sendRequest('textDocument/hover', params(URI, { line: 11, character: 5 }), source.token);
    source.cancel();
    expect(await pending.catch(() => null)).toBeNull();
    const after = await client.request<Hover | null>('textDocument/hover', params(URI, { line: 11, character: 5 }));
    expect(after).not.toBeNull();
  });

  it('serves requests on a prelude document without it being opened', async () => {
    const uri = 'shardlens-prelude:/hardware.shard';
    const text = readFileSync(path.join(ROOT, 'server/src/engine/prelude/hardware.shard'), 'utf8');
    const hover = (position: { line: number; character: number }) => client.request<Hover | null>('textDocument/hover', params(uri, position));
    // The file opens with a comment: nothing there to explain.
    expect(await hover({ line: 0, character: 0 })).toBeNull();
    // A declaration's name: Markdown that names the declaration, over the name's range.
    const name = positionOf(text, 'hardware tpu_v4 {', 'hardware '.length + 2);
    const onName = await hover(name);
    expect((onName?.contents as MarkupContent).kind).toBe('markdown');
    expect((onName?.contents as MarkupContent).value).toContain('**hardware** `tpu_v4`');
    expect(onName?.range).toEqual({ start: { ...name, character: 'hardware '.length }, end: { ...name, character: 'hardware tpu_v4'.length } });
    // A field inside it: what the field is, by its qualified name.
    const onField = await hover(positionOf(text, 'hbm_bw  = 1.2 TB/s', 2));
    expect((onField?.contents as MarkupContent).value).toContain('**hardware.hbm_bw**');
    const symbols = await client.request<{ name: string }[]>('textDocument/documentSymbol', { textDocument: { uri: 'shardlens-prelude:/ffn.shard' } });
    expect(symbols.map((s) => s.name)).toContain('ws2d');
  });

  it('survives text that is not a shard file at all', async () => {
    const garbage = '}}}{{ ( : _ = ==\n\u0000\u{1F600} layout { model = }\nffn f { a = einsum( }\n';
    await client.open('file:///work/garbage.shard', garbage);
    const diagnostics = await client.diagnosticsOfVersion('file:///work/garbage.shard', 1);
    expect(diagnostics.some((d) => d.code === 'syntax')).toBe(true);
    for (let line = 0; line < 4; line++) {
      for (let character = 0; character < 24; character += 3) {
        for (const method of AT_POSITION) await client.request(`textDocument/${method}`, params('file:///work/garbage.shard', { line, character }));
      }
    }
    expect(await client.request('textDocument/hover', params(URI, { line: 11, character: 5 }))).not.toBeNull();
  });
});
