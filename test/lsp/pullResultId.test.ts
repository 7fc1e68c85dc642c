// Pull diagnostics with result ids (LSP 3.17 `DocumentDiagnosticReport`): every full report has a
// result id, and a pull that sends the id of the report it holds gets `unchanged` while the
// report would be the same, instead of the whole list again (a 14,000-line file's report is most
// of a megabyte). Any change to what the report would hold (the text, the better-layout hints
// the search adds, the settings) answers in full under a new id.

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DiagnosticSeverity, type DocumentDiagnosticReport } from 'vscode-languageserver-protocol';
import { fixture, fullReport as full, pullDiagnostics, startInMemory, type TestClient } from './harness';

const URI = 'file:///work/resultId.shard';

function pull(client: TestClient, previousResultId?: string): Promise<DocumentDiagnosticReport> {
  return pullDiagnostics(client, URI, previousResultId);
}

describe('pull diagnostics with result ids', () => {
  let client: TestClient;
  beforeEach(async () => {
    client = await startInMemory({ pullDiagnostics: true });
  });
  afterEach(() => client.close());

  it('answers unchanged to the id of the current report, in full otherwise', async () => {
    const text = fixture('small.shard');
    await client.open(URI, text);
    const first = full(await pull(client));
    expect(first.resultId).toBeTruthy();
    // The same version asked again with its id: nothing to send.
    expect(await pull(client, first.resultId)).toEqual({ kind: 'unchanged', resultId: first.resultId });
    // A client that holds something else (or nothing) gets the whole report, under the same id.
    const again = full(await pull(client, 'not-an-id'));
    expect(again).toEqual(first);
    expect(full(await pull(client))).toEqual(first);

    // A new text: a full report under a new id, even when the client names the old one.
    const broken = text.replace('reduce_scatter(b, x)', 'reduce_scatter(b, q)');
    await client.change(URI, [{ text: broken }]);
    const second = full(await pull(client, first.resultId));
    expect(second.resultId).not.toBe(first.resultId);
    expect(second.items.filter((d) => d.severity === DiagnosticSeverity.Error).map((d) => d.code)).toContain('unknown-axis');
    expect(await pull(client, second.resultId)).toEqual({ kind: 'unchanged', resultId: second.resultId });

    // Back to the first text: the version is new, so is the report's id.
    await client.change(URI, [{ text }]);
    const third = full(await pull(client, second.resultId));
    expect(third.resultId).not.toBe(first.resultId);
    expect(third.resultId).not.toBe(second.resultId);
    expect(third.items).toEqual(first.items);
  });

  it('answers in full once the better-layout search has added its hints', async () => {
    await client.open(URI, fixture('small.shard'));
    const before = client.diagnosticRefreshes;
    const first = full(await pull(client));
    expect(first.items.some((d) => d.code === 'better-layout')).toBe(false);
    await client.refreshAfter(before);
    const second = full(await pull(client, first.resultId));
    expect(second.resultId).not.toBe(first.resultId);
    expect(second.items.some((d) => d.code === 'better-layout')).toBe(true);
  });

  it('answers in full after the settings change', async () => {
    await client.open(URI, fixture('small.shard'));
    const first = full(await pull(client));
    // The bound notes shown: the same findings, another report.
    client.settings = { diagnostics: { boundNotes: true } };
    await client.connection.sendNotification('workspace/didChangeConfiguration', { settings: {} });
    const second = full(await pull(client, first.resultId));
    expect(second.resultId).not.toBe(first.resultId);
    expect(second.items.length).toBeGreaterThan(first.items.length);
  });
});
