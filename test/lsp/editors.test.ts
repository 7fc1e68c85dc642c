// docs/editors.md promises that its Neovim and Helix configurations start a working server.
// This test reads the command from the page and starts it the same way, over stdio, with
// `shardlens` being this repository's bin/shardlens.js.

import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Hover } from 'vscode-languageserver-protocol';
import { SERVER_NODE_OPTIONS } from '../../server/src/protocol/serverProcess';
import { fixture, positionOf, ROOT, startForked, startProcess, type TestClient } from './harness';

const page = readFileSync(path.join(ROOT, 'docs/editors.md'), 'utf8');

function neovimCommand(): string[] {
  const m = /cmd = \{ ([^}]*) \}/.exec(page);
  if (!m) throw new Error('no Neovim cmd in docs/editors.md');
  return m[1].split(',').map((s) => s.trim().replace(/^'|'$/g, ''));
}

function helixCommand(): string[] {
  const command = /command = "([^"]+)"/.exec(page)?.[1];
  const args = /args = \[([^\]]*)\]/.exec(page)?.[1];
  if (!command || args === undefined) throw new Error('no Helix command in docs/editors.md');
  return [command, ...args.split(',').map((s) => s.trim().replace(/^"|"$/g, ''))];
}

// The bundles are built once for all suites by test/globalSetup.ts.

describe('docs/editors.md configurations', () => {
  it.each([
    ['Neovim', neovimCommand],
    ['Helix', helixCommand],
  ])('%s: the documented command starts a server that checks and hovers, and exits cleanly', async (_editor, command) => {
    const [program, ...args] = command();
    expect(program).toBe('shardlens');
    expect(args).toEqual(['lsp', '--stdio']);
    const client = await startProcess(process.execPath, [path.join(ROOT, 'bin/shardlens.js'), ...args]);
    try {
      expect(client.initializeResult.serverInfo?.name).toBe('shardlens');
      // The server runs in a child process started with the server's Node options.
      if (process.platform === 'linux') {
        const children = execFileSync('ps', ['-o', 'args=', '--ppid', String(client.child!.pid)], { encoding: 'utf8' });
        expect(children).toContain('dist/server.js --stdio');
        for (const option of SERVER_NODE_OPTIONS) expect(children).toContain(option);
      }
      const uri = 'file:///work/editor.shard';
      const text = fixture('small.shard').replace('d = gelu(c)', 'd = gelu(b)');
      await client.open(uri, text);
      const diagnostics = await client.diagnosticsOfVersion(uri, 1);
      expect(diagnostics.map((d) => d.code)).toContain('partialsum');
      const hover = await client.request<Hover>('textDocument/hover', { textDocument: { uri }, position: positionOf(text, 'tpu_v4') });
      expect(JSON.stringify(hover.contents)).toContain('tpu_v4');
    } finally {
      await client.close();
    }
    expect(client.child!.exitCode).toBe(0);
  });
});

describe('transports of dist/server.js', () => {
  async function checksAFile(client: TestClient): Promise<void> {
    try {
      const uri = 'file:///work/transport.shard';
      await client.open(uri, 'mesh m = tpu_v4 { x = 4 }\nworkload w { batch = 1 }\n');
      const diagnostics = await client.diagnosticsOfVersion(uri, 1);
      expect(diagnostics.map((d) => d.code)).toEqual(['missing-field']);
    } finally {
      await client.close();
    }
    expect(client.child!.exitCode).toBe(0);
  }

  it('works over --stdio', async () => {
    await checksAFile(await startProcess(process.execPath, [path.join(ROOT, 'dist/server.js'), '--stdio']));
  });

  it('works over Node IPC, as the VS Code client forks it', async () => {
    await checksAFile(await startForked(path.join(ROOT, 'dist/server.js')));
  });
});
