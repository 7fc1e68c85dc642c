// shardlens's language server side by side with VS Code's JSON language server, the one that
// code-server ships (installed by the e2e set-up into .cache/code-server). Both run as their own
// process and this script is the client of both, so the two are timed the same way:
//
//   edit → diagnostics: a full-text didChange, then a pull textDocument/diagnostic request for
//                       that version; timed from sending the change to receiving the report
//                       (no debounce or push delay is part of it);
//   hover:              request sent → response received.
//
// on a small file (a typical .shard example, and a JSON file of as many lines) and a large one
// (14,000 lines of each). It prints each median and the ratio shardlens / JSON; a ratio at or
// below 1 means shardlens is as fast or faster. Without code-server it says so and stops.
//
//   node bench/vs-json.bench.mjs          (build first: node esbuild.mjs)

import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import rpc from 'vscode-jsonrpc/node.js';
import { SERVER_NODE_OPTIONS } from '../scripts/server-options.mjs';
import { largeShardFile } from './largeShardFile.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const { createMessageConnection, StreamMessageReader, StreamMessageWriter } = rpc;
const ITERATIONS = Number(process.env.ITERATIONS ?? 40);
const WARMUP = 5;
const JSON_SERVER = path.join(root, '.cache/code-server/node_modules/code-server/lib/vscode/extensions/json-language-features/server/dist/node/jsonServerMain.js');

if (!existsSync(JSON_SERVER)) {
  console.log(`skipped: VS Code's JSON language server is not installed (${path.relative(root, JSON_SERVER)}); run npm run test:vscode once to install code-server`);
  process.exit(0);
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
};

async function startServer(args, languageId) {
  const child = spawn(process.execPath, args, { stdio: ['pipe', 'pipe', 'ignore'] });
  const connection = createMessageConnection(new StreamMessageReader(child.stdout), new StreamMessageWriter(child.stdin));
  connection.onRequest('workspace/configuration', (p) => p.items.map(() => null));
  connection.onRequest('client/registerCapability', () => null);
  connection.onRequest('workspace/diagnostic/refresh', () => null);
  connection.onNotification(() => undefined);
  connection.listen();
  const init = await connection.sendRequest('initialize', {
    processId: process.pid,
    rootUri: null,
    capabilities: {
      workspace: { configuration: true, diagnostics: { refreshSupport: true } },
      textDocument: { diagnostic: { dynamicRegistration: false }, hover: { contentFormat: ['markdown', 'plaintext'] } },
    },
    initializationOptions: { provideFormatter: false, handledSchemaProtocols: ['file'] },
  });
  if (!init.capabilities.diagnosticProvider) throw new Error(`${languageId} server does not offer pull diagnostics`);
  await connection.sendNotification('initialized', {});
  return { child, connection, languageId };
}

async function stop(server) {
  await server.connection.sendRequest('shutdown').catch(() => undefined);
  await server.connection.sendNotification('exit').catch(() => undefined);
  server.connection.dispose();
  server.child.kill();
}

function positionOf(text, needle) {
  const before = text.slice(0, text.indexOf(needle)).split('\n');
  return { line: before.length - 1, character: before[before.length - 1].length };
}

/**
 * Opens `text`, then alternates it with `edited` by full-text changes; after each, pulls the
 * diagnostics and checks that they are the ones the version must have (`expectIssues`).
 */
async function measure(server, name, text, edited, hoverAt, expectIssues) {
  const uri = `file:///bench/${name}`;
  await server.connection.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: server.languageId, version: 1, text } });
  await server.connection.sendRequest('textDocument/diagnostic', { textDocument: { uri } });
  const edits = [];
  let report;
  let cpuBefore = 0;
  for (let i = 0; i < ITERATIONS + WARMUP; i++) {
    if (i === WARMUP) cpuBefore = processCpuMs(server.child.pid);
    const version = i + 2;
    const now = i % 2 === 0 ? edited : text;
    const t0 = performance.now();
    await server.connection.sendNotification('textDocument/didChange', { textDocument: { uri, version }, contentChanges: [{ text: now }] });
    report = await server.connection.sendRequest('textDocument/diagnostic', { textDocument: { uri } });
    const elapsed = performance.now() - t0;
    const issues = report.items.filter((d) => d.severity === 1).length;
    if ((issues > 0) !== expectIssues(now === edited)) throw new Error(`${name}: version ${version} pulled ${issues} errors`);
    if (i >= WARMUP) edits.push(elapsed);
  }
  // Untimed figures that explain the timing: the server's own CPU per edit (Linux only) and what
  // the last report carried (its JSON is encoded by the server and parsed by this client).
  const cpuPerEdit = (processCpuMs(server.child.pid) - cpuBefore) / ITERATIONS;
  const reportSize = { items: report.items.length, bytes: Buffer.byteLength(JSON.stringify(report)) };
  const hovers = [];
  for (let i = 0; i < ITERATIONS + WARMUP; i++) {
    const t0 = performance.now();
    await server.connection.sendRequest('textDocument/hover', { textDocument: { uri }, position: hoverAt });
    if (i >= WARMUP) hovers.push(performance.now() - t0);
  }
  await server.connection.sendNotification('textDocument/didClose', { textDocument: { uri } });
  return { lines: text.split('\n').length, edit: median(edits), hover: median(hovers), cpuPerEdit, reportSize };
}

/** The process's CPU time so far (user + system, all threads), from /proc (in ticks of 1/100 s, Linux's USER_HZ); NaN where there is none. */
function processCpuMs(pid) {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return NaN;
  }
}

/** A JSON document of about `lines` lines: a list of layout-like records. */
function jsonFile(lines) {
  const items = [];
  const item = (i) => ({ name: `layout_${i}`, model: 'palm_540b', mesh: { hardware: 'tpu_v4', x: 4, y: 4, z: 4 }, workload: { batch: 64, prompt: 2048, generate: 64 }, ffn: 'ws2d', attention: 'batch' });
  const perItem = JSON.stringify([item(0)], null, 2).split('\n').length - 2;
  for (let i = 0; (i + 1) * perItem + 2 <= lines; i++) items.push(item(i));
  return JSON.stringify(items, null, 2);
}

const shardlens = await startServer([...SERVER_NODE_OPTIONS, path.join(root, 'dist/server.js'), '--stdio'], 'shard');
const json = await startServer([JSON_SERVER, '--stdio'], 'json');
const rows = [];
try {
  const small = readFileSync(path.join(root, 'examples/palm540b.shard'), 'utf8');
  const smallJson = jsonFile(small.split('\n').length);
  const large = largeShardFile(14000);
  const largeJson = jsonFile(14000);
  // Each edit breaks the text and the next one repairs it, so both servers must find an error
  // in every other version: a dimension that no longer divides / a missing comma.
  const cases = [
    ['small', small, small.replace('mesh = pod64\n', 'mesh = pod64x\n'), positionOf(small, 'ws2d'), smallJson],
    ['large', large, large.replace('reduce_scatter(b, x)', 'reduce_scatter(b, q)'), positionOf(large, 'all_gather(h, yz)'), largeJson],
  ];
  for (const [size, shardText, shardEdited, shardHover, jsonText] of cases) {
    const jsonEdited = jsonText.replace('"model": "palm_540b",', '"model": "palm_540b"');
    const s = await measure(shardlens, `${size}.shard`, shardText, shardEdited, shardHover, (broken) => broken);
    const j = await measure(json, `${size}.json`, jsonText, jsonEdited, positionOf(jsonText, '"ffn"'), (broken) => broken);
    rows.push({ size, s, j });
  }
} finally {
  await stop(shardlens);
  await stop(json);
}

for (const { size, s, j } of rows) {
  console.log(`${size}: shardlens ${s.lines} lines, JSON ${j.lines} lines`);
  console.log(`RESULT edit → pull diagnostics, ${size} file, shardlens (${s.lines} lines)=${s.edit.toFixed(2)} ms`);
  console.log(`RESULT edit → pull diagnostics, ${size} file, JSON server (${j.lines} lines)=${j.edit.toFixed(2)} ms`);
  console.log(`RESULT edit → diagnostics ratio shardlens / JSON, ${size} file=${(s.edit / j.edit).toFixed(2)} × target=<=1`);
  console.log(`RESULT hover ratio shardlens / JSON, ${size} file=${(s.hover / j.hover).toFixed(2)} ×`);
  for (const [who, r] of [['shardlens', s], ['JSON server', j]]) {
    console.log(`  ${size} file, ${who}: ${r.cpuPerEdit.toFixed(1)} ms server CPU per edit; last report ${r.reportSize.items} diagnostics, ${(r.reportSize.bytes / 1024).toFixed(1)} KiB of JSON`);
  }
}
