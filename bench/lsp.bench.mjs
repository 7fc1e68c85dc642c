// Language-server latency, measured the way an editor sees it: the server runs as its own
// process (dist/server.js --stdio with the Node options every launcher gives it, SERVER_NODE_OPTIONS;
// build first with `node esbuild.mjs`) and this script is the
// client. Prints, for a typical file and a 10,000-line file, the median and p99 of
//   edit → fresh diagnostics: didChange sent → publishDiagnostics for that version received;
//   hover: request sent → response received (an operation in a block).
// Targets (issue 4): 15 ms / 150 ms for edit → diagnostics, 10 ms for a hover.

import { spawn } from 'node:child_process';
import { SERVER_NODE_OPTIONS } from '../scripts/server-options.mjs';
import { largeShardFile } from './largeShardFile.mjs';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import rpc from 'vscode-jsonrpc/node.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const { createMessageConnection, StreamMessageReader, StreamMessageWriter } = rpc;

const ITERATIONS = Number(process.env.ITERATIONS ?? 60);
const WARMUP = 5;

function percentile(sorted, p) {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

async function startServer() {
  const child = spawn(process.execPath, [...SERVER_NODE_OPTIONS, path.join(root, 'dist/server.js'), '--stdio'], { stdio: ['pipe', 'pipe', 'inherit'] });
  const connection = createMessageConnection(new StreamMessageReader(child.stdout), new StreamMessageWriter(child.stdin));
  const waiting = new Map();
  connection.onNotification('textDocument/publishDiagnostics', (p) => {
    const resolve = waiting.get(`${p.uri}@${p.version}`);
    if (resolve) {
      waiting.delete(`${p.uri}@${p.version}`);
      resolve(p);
    }
  });
  connection.onRequest('workspace/configuration', (p) => p.items.map(() => ({})));
  connection.onRequest('client/registerCapability', () => null);
  connection.onNotification('window/logMessage', () => undefined);
  connection.listen();
  await connection.sendRequest('initialize', { processId: process.pid, rootUri: null, capabilities: { workspace: { configuration: true } } });
  await connection.sendNotification('initialized', {});
  const diagnosticsFor = (uri, version) => new Promise((resolve) => waiting.set(`${uri}@${version}`, resolve));
  return { child, connection, diagnosticsFor };
}

function positionOf(text, needle, delta = 0) {
  const before = text.slice(0, text.indexOf(needle) + delta).split('\n');
  return { line: before.length - 1, character: before[before.length - 1].length };
}

/** `edit` flips `from` (first occurrence) to `to` and back: a change that alters the findings. */
async function measure(server, name, text, edit) {
  const uri = `file:///bench/${name}.shard`;
  const opened = server.diagnosticsFor(uri, 1);
  await server.connection.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'shard', version: 1, text } });
  await opened;
  const at = positionOf(text, edit.context, edit.context.indexOf(edit.from));
  const forward = { range: { start: at, end: { line: at.line, character: at.character + edit.from.length } }, text: edit.to };
  const back = { range: { start: at, end: { line: at.line, character: at.character + edit.to.length } }, text: edit.from };
  const edits = [];
  for (let i = 0; i < ITERATIONS + WARMUP; i++) {
    const version = i + 2;
    const fresh = server.diagnosticsFor(uri, version);
    const t0 = performance.now();
    await server.connection.sendNotification('textDocument/didChange', { textDocument: { uri, version }, contentChanges: [i % 2 === 0 ? forward : back] });
    await fresh;
    if (i >= WARMUP) edits.push(performance.now() - t0);
  }
  const hovers = [];
  const hoverAt = positionOf(text, edit.hover, edit.hoverDelta ?? 0);
  for (let i = 0; i < ITERATIONS + WARMUP; i++) {
    const t0 = performance.now();
    const h = await server.connection.sendRequest('textDocument/hover', { textDocument: { uri }, position: hoverAt });
    if (!h) throw new Error('hover returned nothing');
    if (i >= WARMUP) hovers.push(performance.now() - t0);
  }
  const row = (label, xs) => {
    const s = [...xs].sort((a, b) => a - b);
    return `${label.padEnd(62)} median ${percentile(s, 50).toFixed(2).padStart(8)} ms   p99 ${percentile(s, 99).toFixed(2).padStart(8)} ms`;
  };
  const lines = text.split('\n').length;
  console.log(row(`${name} (${lines} lines): edit → diagnostics`, edits));
  console.log(row(`${name} (${lines} lines): hover`, hovers));
}

/** What the server process holds (its young generation included), from /proc: Linux only. */
function printResidentMemory(server, after) {
  let status = '';
  try {
    status = readFileSync(`/proc/${server.child.pid}/status`, 'utf8');
  } catch {
    return;
  }
  const rss = /^VmRSS:\s+(\d+) kB/m.exec(status);
  if (rss) console.log(`server resident memory after ${after}: ${(Number(rss[1]) / 1024).toFixed(0)} MB`);
}

const server = await startServer();
try {
  // A typical file: the paper's Table 2 layouts on built-in blocks; the edit changes a batch size.
  await measure(server, 'examples/palm540b.shard', readFileSync(path.join(root, 'examples/palm540b.shard'), 'utf8'), {
    context: 'workload table2 { batch = 64', from: '64', to: '32', hover: 'ffn = ws2d', hoverDelta: 'ffn = '.length,
  });
  // A file with a block of its own: the edit flips an axis (`reduce_scatter(b, x)` ↔ `(b, y)`).
  await measure(server, 'test/lsp/fixtures/small.shard', readFileSync(path.join(root, 'test/lsp/fixtures/small.shard'), 'utf8'), {
    context: 'reduce_scatter(b, x)', from: 'x', to: 'y', hover: 'all_gather(h, yz)',
  });
  printResidentMemory(server, 'the typical files');
  await measure(server, '10,000-line file', largeShardFile(10000), { context: 'reduce_scatter(b, x)', from: 'x', to: 'y', hover: 'all_gather(h, yz)' });
  printResidentMemory(server, 'the 10,000-line file');
} finally {
  await server.connection.sendRequest('shutdown');
  await server.connection.sendNotification('exit');
  server.connection.dispose();
}
