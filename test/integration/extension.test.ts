/// <reference types="mocha" />
// The extension in a real VS Code (1.100, code-server's Node extension host): activation, the
// language server's diagnostics, hovers and completions through VS Code's own provider
// commands, prelude documents, and the Compare Layouts panel. Every wait has a deadline.

import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';

const EXTENSION_ID = 'shardlens.shardlens';

function exampleUri(name: string): vscode.Uri {
  const folder = vscode.workspace.workspaceFolders?.[0];
  assert.ok(folder, 'the test workspace is open');
  return vscode.Uri.joinPath(folder.uri, 'examples', name);
}

/** Resolves when `probe` returns a value, re-checking on every diagnostics change; rejects at the deadline. */
function waitForDiagnostics<T>(uri: vscode.Uri, probe: (d: readonly vscode.Diagnostic[]) => T | undefined, ms: number, what: string): Promise<T> {
  return new Promise((resolve, reject) => {
    const check = () => {
      const found = probe(vscode.languages.getDiagnostics(uri));
      if (found !== undefined) {
        cleanup();
        resolve(found);
      }
    };
    const listener = vscode.languages.onDidChangeDiagnostics((e) => {
      if (e.uris.some((u) => u.toString() === uri.toString())) check();
    });
    const timer = setTimeout(() => {
      cleanup();
      const now = vscode.languages.getDiagnostics(uri).map((d) => `${String(d.code)}: ${d.message}`);
      reject(new Error(`${what}: not seen within ${ms} ms; diagnostics now: ${JSON.stringify(now)}`));
    }, ms);
    const cleanup = () => {
      clearTimeout(timer);
      listener.dispose();
    };
    check();
  });
}

/** Retries a provider command until it returns something that satisfies `ok` (the server may still be starting). */
async function poll<T>(run: () => Thenable<T>, ok: (v: T) => boolean, ms: number, what: string): Promise<T> {
  const deadline = Date.now() + ms;
  let last: T | undefined;
  for (;;) {
    last = await run();
    if (ok(last)) return last;
    if (Date.now() > deadline) throw new Error(`${what}: no satisfying answer within ${ms} ms (last: ${JSON.stringify(last)?.slice(0, 500)})`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

function positionAfter(document: vscode.TextDocument, needle: string, back = 0): vscode.Position {
  const offset = document.getText().indexOf(needle);
  assert.ok(offset >= 0, `'${needle}' is in ${document.uri.path}`);
  return document.positionAt(offset + needle.length - back);
}

function hoverText(hovers: vscode.Hover[]): string {
  return hovers
    .flatMap((h) => h.contents)
    .map((c) => (typeof c === 'string' ? c : c.value))
    .join('\n');
}

suite('shardlens extension', () => {
  let document: vscode.TextDocument;

  suiteSetup(async () => {
    const extension = vscode.extensions.getExtension(EXTENSION_ID);
    assert.ok(extension, `${EXTENSION_ID} is installed`);
    await extension.activate();
    document = await vscode.workspace.openTextDocument(exampleUri('palm540b.shard'));
    await vscode.window.showTextDocument(document);
  });

  test('activates and registers the language and its commands', async () => {
    assert.equal(vscode.extensions.getExtension(EXTENSION_ID)?.isActive, true);
    assert.equal(document.languageId, 'shard');
    const commands = await vscode.commands.getCommands(true);
    for (const c of ['shardlens.compareLayouts', 'shardlens.explainLayout', 'shardlens.restartServer', 'shardlens.showOutput', 'shardlens.showSweep', 'shardlens.showCrossover', 'shardlens.findBestLayout']) {
      assert.ok(commands.includes(c), `${c} is registered`);
    }
  });

  test('publishes the cost findings of palm540b.shard', async () => {
    const codes = await waitForDiagnostics(
      document.uri,
      (ds) => (ds.some((d) => d.code === 'better-layout') ? ds.map((d) => String(d.code)) : undefined),
      60000,
      'better-layout finding on palm540b.shard',
    );
    // The example is clean: findings only, no errors.
    const errors = vscode.languages.getDiagnostics(document.uri).filter((d) => d.severity === vscode.DiagnosticSeverity.Error);
    assert.deepEqual(errors.map((d) => d.message), []);
    assert.ok(codes.includes('better-layout'));
    // The bound notes stay out of Problems unless shardlens.diagnostics.boundNotes is on.
    assert.ok(!codes.includes('memory-bound'), codes.join(', '));
  });

  test('reports an error as it is typed', async () => {
    const broken = await vscode.workspace.openTextDocument({
      language: 'shard',
      content: 'layout broken {\n  model = no_such_model\n  mesh = pod\n}\nmesh pod = tpu_v4 { x = 4 }\n',
    });
    const diagnostic = await waitForDiagnostics(
      broken.uri,
      (ds) => ds.find((d) => d.code === 'unknown-name'),
      30000,
      'unknown-name on an untitled document',
    );
    assert.equal(diagnostic.severity, vscode.DiagnosticSeverity.Error);
    assert.match(diagnostic.message, /no_such_model/);
    assert.equal(broken.getText(diagnostic.range), 'no_such_model');
  });

  test('hovers a layout with its figures and a mesh with its shape', async () => {
    const layoutHover = await poll(
      () => vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', document.uri, positionAfter(document, 'layout low_latency', 2)),
      (h) => hoverText(h ?? []).includes('low_latency'),
      30000,
      'hover on layout low_latency',
    );
    const text = hoverText(layoutHover);
    assert.match(text, /prefill/);
    assert.match(text, /decode/);
    assert.match(text, /MFU/);
    const meshHover = await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', document.uri, positionAfter(document, 'mesh = pod64', 2));
    assert.match(hoverText(meshHover), /pod64[\s\S]*4 × 4 × 4|x = 4, y = 4, z = 4/);
  });

  test('completes built-in ffn blocks after `ffn =`', async () => {
    const position = positionAfter(document, 'prefill { batch = 1, ffn = ');
    const list = await vscode.commands.executeCommand<vscode.CompletionList>('vscode.executeCompletionItemProvider', document.uri, position);
    const labels = list.items.map((i) => (typeof i.label === 'string' ? i.label : i.label.label));
    for (const name of ['ws1d', 'ws2d', 'wg_x', 'wg_xy', 'wg_xyz']) assert.ok(labels.includes(name), `${name} offered (got ${labels.slice(0, 20).join(', ')})`);
    assert.ok(!labels.includes('pod64'), 'a mesh is not offered as an ffn block');
  });

  test('opens a built-in block read-only from the prelude', async () => {
    const locations = await vscode.commands.executeCommand<(vscode.Location | vscode.LocationLink)[]>(
      'vscode.executeDefinitionProvider',
      document.uri,
      positionAfter(document, 'prefill { batch = 1, ffn = ws2d', 1),
    );
    assert.ok(locations.length > 0, 'ws2d has a definition');
    const target = 'targetUri' in locations[0] ? locations[0].targetUri : locations[0].uri;
    assert.equal(target.scheme, 'shardlens-prelude');
    const prelude = await vscode.workspace.openTextDocument(target);
    assert.equal(prelude.languageId, 'shard');
    assert.match(prelude.getText(), /^ffn ws2d\b/m);
  });

  test('explains a layout in a read-only document, as the code lens does', async () => {
    await vscode.window.showTextDocument(document);
    // The code lens passes the layout name only; the document is the active editor's.
    await vscode.commands.executeCommand('shardlens.explainLayout', 'low_latency');
    const explained = await poll(
      async () => vscode.workspace.textDocuments.find((d) => d.uri.scheme === 'shardlens-explain'),
      (d) => d !== undefined,
      15000,
      'the explanation document',
    );
    const text = explained!.getText();
    assert.match(text, /^layout low_latency/m);
    assert.match(text, /prefill: .*ws2d/);
    assert.match(text, /MFU: 2·N·tokens/);
    assert.equal(new URLSearchParams(explained!.uri.query).get('uri'), document.uri.toString());
  });

  test('restarts the language server on request and answers again', async () => {
    await vscode.commands.executeCommand('shardlens.restartServer');
    const hover = await poll(
      () => vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', document.uri, positionAfter(document, 'layout low_latency', 2)),
      (h) => hoverText(h ?? []).includes('low_latency'),
      30000,
      'hover after the restart',
    );
    assert.match(hoverText(hover), /MFU/);
  });

  test('opens Compare Layouts beside the editor for the active file', async () => {
    await vscode.window.showTextDocument(document);
    await vscode.commands.executeCommand('shardlens.compareLayouts');
    const tab = await poll(
      async () => vscode.window.tabGroups.all.flatMap((g) => g.tabs).find((t) => t.input instanceof vscode.TabInputWebview),
      (t) => t !== undefined,
      15000,
      'the Compare Layouts tab',
    );
    assert.equal(tab?.label, 'Compare: palm540b.shard');
    assert.match((tab?.input as vscode.TabInputWebview).viewType, /shardlens\.compare$/);
  });
  test('Show Sweep and Show FFN Crossover open chart panels for the layout, as the code lens does', async () => {
    await vscode.window.showTextDocument(document);
    // The code lens passes the layout name only; the search runs in the server's search thread.
    await vscode.commands.executeCommand('shardlens.showSweep', 'low_latency');
    const webviewTabs = () => vscode.window.tabGroups.all.flatMap((g) => g.tabs).filter((t) => t.input instanceof vscode.TabInputWebview);
    const sweepTab = await poll(async () => webviewTabs().find((t) => t.label.startsWith('Sweep:')), (t) => t !== undefined, 15000, 'the Sweep tab');
    assert.equal(sweepTab?.label, 'Sweep: low_latency (palm540b.shard)');
    assert.match((sweepTab?.input as vscode.TabInputWebview).viewType, /shardlens\.chart$/);
    await vscode.window.showTextDocument(document);
    await vscode.commands.executeCommand('shardlens.showCrossover', document.uri, 'high_throughput');
    const crossoverTab = await poll(async () => webviewTabs().find((t) => t.label.startsWith('FFN Crossover:')), (t) => t !== undefined, 15000, 'the crossover tab');
    assert.equal(crossoverTab?.label, 'FFN Crossover: high_throughput (palm540b.shard)');
  });

  test('offers "Replace with the best layout for this workload" inside a layout, and replacing works', async () => {
    const doc = await vscode.workspace.openTextDocument({
      language: 'shard',
      content: 'mesh pod = tpu_v4 { x = 4, y = 4, z = 4 }\nlayout mine {\n  model = palm_540b\n  mesh = pod\n  workload { batch = 64, prompt = 2048, generate = 64 }\n  ffn = ws1d\n  attention = heads\n}\n',
    });
    await vscode.window.showTextDocument(doc);
    const actions = await poll(
      () => vscode.commands.executeCommand<vscode.CodeAction[]>('vscode.executeCodeActionProvider', doc.uri, new vscode.Range(3, 4, 3, 4)),
      (a) => (a ?? []).some((x) => x.title === 'Replace with the best layout for this workload'),
      30000,
      'the replace-with-best code action',
    );
    const action = actions.find((x) => x.title === 'Replace with the best layout for this workload')!;
    assert.equal(action.command?.command, 'shardlens.findBestLayout');
    await vscode.commands.executeCommand(action.command!.command, ...(action.command!.arguments ?? []));
    const text = doc.getText();
    // The declaration keeps its name; a new mesh (and model, for a narrower dtype) comes with
    // it, or the file's own mesh is named when the best one is the same.
    assert.match(text, /^layout mine \{$/m);
    assert.match(text, /^# shardlens best #1 for mine/m);
    assert.match(text, /^mesh tpu_v4_\d+x\d+x\d+ = tpu_v4|^ {2}mesh = pod$/m);
    assert.doesNotMatch(text, /ffn = ws1d\n  attention = heads/);
  });

  /**
   * Runs Find Best Layout on a layout `mine` of a new document with `args`, accepts each quick pick
   * it opens (the goal, when asked, then the first candidate) until `mine_best1` is inserted, and
   * returns the document's text.
   */
  async function findBestInserted(args: unknown): Promise<string> {
    const doc = await vscode.workspace.openTextDocument({
      language: 'shard',
      content: 'mesh pod = tpu_v4 { x = 4, y = 4, z = 4 }\nlayout mine { model = palm_540b, mesh = pod, workload { batch = 64, prompt = 2048, generate = 64 }, ffn = ws1d, attention = heads }\n',
    });
    await vscode.window.showTextDocument(doc);
    const running = vscode.commands.executeCommand('shardlens.findBestLayout', args);
    await poll(
      async () => {
        await vscode.commands.executeCommand('workbench.action.acceptSelectedQuickOpenItem');
        return doc.getText();
      },
      (t) => /^layout mine_best1 \{$/m.test(t),
      60000,
      'the chosen layout inserted',
    );
    await running;
    return doc.getText();
  }

  test('Find Best Layout lists the best configurations and inserts the chosen one after the layout', async () => {
    const text = await findBestInserted('mine');
    assert.ok(text.indexOf('layout mine_best1') > text.indexOf('layout mine '), 'inserted after the layout');
    // The first goal offered (nothing chosen before in this workspace) is the lowest latency.
    assert.match(text, /# shardlens best #1 for mine \(latency\)/);
  });

  test('Find Best Layout takes a goal from its arguments: the lowest cost within a latency limit', async () => {
    const limit = 60;
    const text = await findBestInserted({ layout: 'mine', objective: 'cost', maxLatency: limit });
    const comment = /# shardlens best #1 for mine \(cost\): latency ([0-9.e+-]+) s/.exec(text);
    assert.ok(comment, `a cost-ranked candidate: ${text}`);
    assert.ok(Number(comment[1]) <= limit, `latency ${comment[1]} s within the ${limit} s limit`);
  });
});
