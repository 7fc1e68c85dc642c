import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DocumentSymbol, FoldingRange, SelectionRange, SemanticTokens, SymbolInformation } from 'vscode-languageserver-protocol';
import { fixture, positionOf, startInMemory, type TestClient } from './harness';

const URI = 'file:///work/structure.shard';
const TEXT = fixture('small.shard');
const doc = { uri: URI };

describe('symbols, folding, selection ranges, semantic tokens', () => {
  let client: TestClient;
  beforeAll(async () => {
    client = await startInMemory();
    await client.open(URI, TEXT);
  });
  afterAll(() => client.close());

  it('lists document symbols with block values and their types', async () => {
    const symbols = await client.request<DocumentSymbol[]>('textDocument/documentSymbol', { textDocument: doc });
    expect(symbols.map((s) => s.name)).toEqual(['pod', 'tiny', 'chat', 'my2d', 'fast']);
    const block = symbols.find((s) => s.name === 'my2d')!;
    expect(block.children!.map((c) => c.name)).toEqual(['h', 'w_in', 'w_out', 'a', 'b', 'c', 'd', 'e', 'f', 'y']);
    expect(block.children!.find((c) => c.name === 'd')!.detail).toBe('gelu : BLF_xyz');
    expect(symbols.find((s) => s.name === 'fast')!.children!.map((c) => c.name)).toEqual(['model', 'mesh', 'workload', 'ffn', 'attention']);
  });

  it('finds workspace symbols in open files and the prelude', async () => {
    const found = await client.request<SymbolInformation[]>('workspace/symbol', { query: 'ws2d' });
    expect(found.some((s) => s.name === 'ws2d' && s.location.uri === 'shardlens-prelude:/ffn.shard')).toBe(true);
    const mine = await client.request<SymbolInformation[]>('workspace/symbol', { query: 'my2' });
    expect(mine.map((s) => s.location.uri)).toEqual([URI]);
  });

  it('folds declarations and comment runs', async () => {
    const folds = await client.request<FoldingRange[]>('textDocument/foldingRange', { textDocument: doc });
    const block = positionOf(TEXT, 'ffn my2d').line;
    expect(folds).toContainEqual({ startLine: block, endLine: positionOf(TEXT, '  out y').line });
    expect(folds).toContainEqual({ startLine: positionOf(TEXT, 'model tiny').line, endLine: positionOf(TEXT, '  E = 1024').line });
    const commented = 'ffn other { }\n# one\n# two\n# three\nmesh m = tpu_v4\n';
    await client.open('file:///work/comments.shard', commented);
    const commentFolds = await client.request<FoldingRange[]>('textDocument/foldingRange', { textDocument: { uri: 'file:///work/comments.shard' } });
    expect(commentFolds).toContainEqual({ startLine: 1, endLine: 3, kind: 'comment' });
  });

  it('expands the selection from a dim letter to its type, statement, block', async () => {
    const [chain] = await client.request<SelectionRange[]>('textDocument/selectionRange', { textDocument: doc, positions: [positionOf(TEXT, 'BLF_yz (partialsum-x)', 2)] });
    const ranges: string[] = [];
    const lines = TEXT.split('\n');
    for (let r: SelectionRange | undefined = chain; r; r = r.parent) {
      const { start, end } = r.range;
      ranges.push(start.line === end.line ? lines[start.line].slice(start.character, end.character) : `lines ${start.line}-${end.line}`);
    }
    expect(ranges.slice(0, 3)).toEqual(['F_yz', 'BLF_yz (partialsum-x)', 'b = einsum(a, w_in)         : BLF_yz (partialsum-x)']);
    expect(ranges[ranges.length - 1]).toMatch(/^lines/);
  });

  it('colours dims, axes, subscripts, partial sums, collectives, einsums and units', async () => {
    const legend = client.initializeResult.capabilities.semanticTokensProvider!.legend;
    const { data } = await client.request<SemanticTokens>('textDocument/semanticTokens/full', { textDocument: doc });
    // Decode the relative encoding into (text, type) pairs.
    const lines = TEXT.split('\n');
    const tokens: [string, string][] = [];
    let line = 0;
    let char = 0;
    for (let i = 0; i < data.length; i += 5) {
      line += data[i];
      char = data[i] === 0 ? char + data[i + 1] : data[i + 1];
      tokens.push([lines[line].slice(char, char + data[i + 2]), legend.tokenTypes[data[i + 3]]]);
    }
    const lineOfB = positionOf(TEXT, 'b = einsum').line;
    const onLine = (l: number) => {
      const out: [string, string][] = [];
      let ln = 0;
      let k = 0;
      for (let i = 0; i < data.length; i += 5, k++) {
        ln += data[i];
        if (ln === l) out.push(tokens[k]);
      }
      return out;
    };
    expect(onLine(lineOfB)).toEqual([
      ['b', 'variable'], ['einsum', 'einsum'], ['a', 'variable'], ['w_in', 'variable'],
      ['B', 'dimension'], ['L', 'dimension'], ['F', 'dimension'], ['_', 'subscript'], ['y', 'axis'], ['z', 'axis'],
      ['(partialsum-', 'partialsum'], ['x', 'axis'], [')', 'partialsum'],
    ]);
    expect(onLine(positionOf(TEXT, 'c = reduce_scatter').line).slice(1, 4)).toEqual([['reduce_scatter', 'collective'], ['b', 'variable'], ['x', 'axis']]);
    const hw = 'hardware h {\n  hbm = 32 GiB\n}\n';
    await client.open('file:///work/units.shard', hw);
    const units = await client.request<SemanticTokens>('textDocument/semanticTokens/full', { textDocument: { uri: 'file:///work/units.shard' } });
    expect(units.data.slice(-5)).toEqual([0, 3, 3, legend.tokenTypes.indexOf('unit'), 0]);
  });
});
