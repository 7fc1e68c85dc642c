import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DiagnosticSeverity, type CodeAction } from 'vscode-languageserver-protocol';
import { fixture, positionOf, startInMemory, type TestClient } from './harness';

const URI = 'file:///work/diag.shard';

describe('diagnostics', () => {
  let client: TestClient;
  beforeEach(async () => {
    client = await startInMemory();
  });
  afterEach(() => client.close());

  it('publishes codes, exact ranges, related information and layout data', async () => {
    // `b` is not reduce-scattered before gelu: a partialsum error on the argument of gelu.
    const text = fixture('small.shard').replace('d = gelu(c)', 'd = gelu(b)');
    await client.open(URI, text);
    const list = await client.diagnosticsOfVersion(URI, 1, (d) => d.some((x) => x.code === 'partialsum'));
    const partial = list.find((d) => d.code === 'partialsum')!;
    expect(partial.severity).toBe(DiagnosticSeverity.Error);
    expect(partial.source).toBe('shardlens');
    const at = positionOf(text, 'gelu(b)', 5);
    expect(partial.range).toEqual({ start: at, end: { line: at.line, character: at.character + 1 } });
    expect(partial.relatedInformation?.[0].location.uri).toBe(URI);
    expect(partial.relatedInformation?.[0].location.range.start).toEqual(positionOf(text, 'b = einsum'));
    // Layout-dependent findings name their layout (the H = 8 heads split 16 ways).
    const perLayout = list.find((d) => d.code === 'not-divisible');
    expect(perLayout?.data).toMatchObject({ layout: 'fast' });
    expect(perLayout?.severity).toBe(DiagnosticSeverity.Warning);
  });

  it('re-checks after an incremental edit and clears fixed errors', async () => {
    const text = fixture('small.shard');
    await client.open(URI, text);
    const first = await client.diagnosticsOfVersion(URI, 1);
    expect(first.filter((d) => d.severity === DiagnosticSeverity.Error)).toEqual([]);
    // Replace the `x` axis of `reduce_scatter(b, x)` with `y`: b is not partial over y.
    const at = positionOf(text, 'reduce_scatter(b, x)', 'reduce_scatter(b, '.length);
    const version = await client.change(URI, [{ range: { start: at, end: { line: at.line, character: at.character + 1 } }, text: 'y' }]);
    const second = await client.diagnosticsOfVersion(URI, version);
    const partial = second.find((d) => d.code === 'partialsum');
    expect(partial?.range.start).toEqual(at);
    const fixed = await client.change(URI, [{ range: { start: at, end: { line: at.line, character: at.character + 1 } }, text: 'x' }]);
    const third = await client.diagnosticsOfVersion(URI, fixed);
    expect(third.filter((d) => d.severity === DiagnosticSeverity.Error)).toEqual([]);
  });

  it('adds better-layout findings once the document is quiet, as Information so that Problems lists them', async () => {
    await client.open(URI, fixture('small.shard'));
    const list = await client.diagnostics(URI, (p) => p.diagnostics.some((d) => d.code === 'better-layout'));
    const hint = list.find((d) => d.code === 'better-layout')!;
    expect(hint.severity).toBe(DiagnosticSeverity.Information);
    expect(hint.range.start).toEqual(positionOf(fixture('small.shard'), 'fast {'));
  });

  it('offers a quick fix on a better-layout finding that switches the phase to the pair it names', async () => {
    const text = fixture('small.shard');
    await client.open(URI, text);
    const list = await client.diagnostics(URI, (p) => p.diagnostics.some((d) => d.code === 'better-layout'));
    const finding = list.find((d) => d.code === 'better-layout')!;
    const [, ffn, attention] = /\((\w+) \+ (\w+)\)/.exec(finding.message)!;
    const actions = await client.request<CodeAction[]>('textDocument/codeAction', { textDocument: { uri: URI }, range: finding.range, context: { diagnostics: [finding] } });
    const fix = actions.find((a) => a.kind === 'quickfix' && a.diagnostics?.some((d) => d.code === 'better-layout'))!;
    expect(fix.title).toMatch(new RegExp(`^Use ${ffn} \\+ ${attention} for (prefill|decode)$`));
    expect(fix.isPreferred).toBe(true);
    const written = fix.edit!.changes![URI].map((e) => e.newText).join(' ');
    expect(written).toContain(ffn);
    expect(written).toContain(attention);
  });

  it('keeps better-layout hints in place while the search re-runs after an edit', async () => {
    const text = fixture('small.shard');
    await client.open(URI, text);
    await client.diagnostics(URI, (p) => p.diagnostics.some((d) => d.code === 'better-layout'));
    // Edit a comment above the layout: every line below it moves down by one.
    const version = await client.change(URI, [{ range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, text: '# added line\n' }]);
    await client.diagnosticsOfVersion(URI, version);
    const first = client.publishes(URI).find((p) => p.version === version)!;
    const hint = first.diagnostics.find((d) => d.code === 'better-layout');
    expect(hint?.range.start).toEqual(positionOf('# added line\n' + text, 'fast {'));
  });

  it('leaves the bound notes out of Problems unless shardlens.diagnostics.boundNotes is on', async () => {
    // small.shard's `fast` has a bound note in each phase (collectives or HBM traffic take most of
    // each); by default the published list leads with the better-layout finding and has none.
    await client.open(URI, fixture('small.shard'));
    const quiet = await client.diagnostics(URI, (p) => p.diagnostics.some((d) => d.code === 'better-layout'));
    expect(quiet.filter((d) => d.code === 'comm-bound' || d.code === 'memory-bound')).toEqual([]);
    await client.close();
    client = await startInMemory({ settings: { diagnostics: { boundNotes: true } } });
    await client.open(URI, fixture('small.shard'));
    const all = await client.diagnostics(URI, (p) => p.diagnostics.some((d) => d.code === 'better-layout'));
    const notes = all.filter((d) => d.code === 'comm-bound' || d.code === 'memory-bound');
    expect(notes.map((d) => (d.data as { phase: string }).phase).sort()).toEqual(['decode', 'prefill']);
    expect(notes.every((d) => (d.data as { layout: string }).layout === 'fast')).toBe(true);
  });

  it('grades better-layout hints by shardlens.hints.severity', async () => {
    client.settings = { hints: { severity: 'warning' } };
    await client.open(URI, fixture('small.shard'));
    const list = await client.diagnostics(URI, (p) => p.diagnostics.some((d) => d.code === 'better-layout'));
    expect(list.find((d) => d.code === 'better-layout')!.severity).toBe(DiagnosticSeverity.Warning);
  });
});
