// A client that pulls diagnostics (textDocument/diagnostic), as VS Code does: each pull answers
// for the text the server was last sent, nothing is pushed, and the better-layout hints, which
// come after a quiet time, arrive by asking the client to pull again.

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DiagnosticSeverity, type FullDocumentDiagnosticReport } from 'vscode-languageserver-protocol';
import { fixture, fullReport, pullDiagnostics, startInMemory, type TestClient } from './harness';

const URI = 'file:///work/pull.shard';

async function pull(client: TestClient): Promise<FullDocumentDiagnosticReport> {
  return fullReport(await pullDiagnostics(client, URI));
}

describe('pull diagnostics', () => {
  let client: TestClient;
  beforeEach(async () => {
    client = await startInMemory({ pullDiagnostics: true });
  });
  afterEach(() => client.close());

  it('offers a diagnostic provider to a client that pulls, and none to one that does not', async () => {
    expect(client.initializeResult.capabilities.diagnosticProvider).toMatchObject({ interFileDependencies: false, workspaceDiagnostics: false });
    const pushing = await startInMemory();
    try {
      expect(pushing.initializeResult.capabilities.diagnosticProvider).toBeUndefined();
    } finally {
      await pushing.close();
    }
  });

  it('answers each pull for the latest text, after full-text changes, and pushes nothing', async () => {
    const text = fixture('small.shard');
    await client.open(URI, text);
    expect((await pull(client)).items.filter((d) => d.severity === DiagnosticSeverity.Error)).toEqual([]);
    // `reduce_scatter(b, q)`: q is no axis of the mesh, an error at once in the next pull.
    const broken = text.replace('reduce_scatter(b, x)', 'reduce_scatter(b, q)');
    await client.change(URI, [{ text: broken }]);
    const errors = (await pull(client)).items.filter((d) => d.severity === DiagnosticSeverity.Error);
    expect(errors.map((d) => d.code)).toContain('unknown-axis');
    const q = broken.indexOf('reduce_scatter(b, q)') + 'reduce_scatter(b, '.length;
    const line = broken.slice(0, q).split('\n').length - 1;
    expect(errors.find((d) => d.code === 'unknown-axis')!.range.start).toEqual({ line, character: q - broken.lastIndexOf('\n', q - 1) - 1 });
    await client.change(URI, [{ text }]);
    expect((await pull(client)).items.filter((d) => d.severity === DiagnosticSeverity.Error)).toEqual([]);
    expect(client.publishes(URI)).toEqual([]);
  });

  it('asks for a new pull once the better-layout search has run, and that pull has its hints', async () => {
    await client.open(URI, fixture('small.shard'));
    const before = client.diagnosticRefreshes;
    const first = await pull(client);
    expect(first.items.some((d) => d.code === 'better-layout')).toBe(false);
    await client.refreshAfter(before);
    const second = await pull(client);
    expect(second.items.some((d) => d.code === 'better-layout')).toBe(true);
  });
});
