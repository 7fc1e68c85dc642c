// `npm run bench`: runs every bench/*.bench.mjs, collects their figures, adds bundle sizes and
// start-up times, and writes docs/performance.md (a table of figure, value, target and whether the
// target is met, plus the machine it ran on), so a regression shows up as a diff in review.
//
// A benchmark reports a figure by printing a line
//
//   RESULT <name>=<number> [<unit>] [target=<op><number>]      e.g.  RESULT parse+check=12.3 ms target=<50
//
// (<op> is <, <=, > or >=). For the benchmarks written before that format, whose lines are
// human-readable, the patterns in LEGACY below pick the figures out; anything else a benchmark
// prints is kept verbatim in the file's details section.
//
//   node bench/run.mjs [--only NAME]... [--no-write] [--out FILE]
//
// With --only, the page keeps what it said about the benchmarks that did not run (their rows, in
// place, and their raw output), so one benchmark can be re-run without re-running them all.

import { spawn } from 'node:child_process';
import { SERVER_NODE_OPTIONS } from '../scripts/server-options.mjs';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, platform, release, totalmem } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const only = args.flatMap((a, i) => (a === '--only' ? [args[i + 1]] : []));
const write = !args.includes('--no-write');
const outIndex = args.indexOf('--out');
const outFile = resolve(root, outIndex >= 0 ? args[outIndex + 1] : 'docs/performance.md');
/** A benchmark that runs longer than this is stopped and reported as such. */
const BENCH_TIMEOUT_MS = Number(process.env.BENCH_TIMEOUT_MS ?? 15 * 60_000);

/** @typedef {{ bench: string, name: string, value: number, unit: string, target?: { op: string, value: number } }} Figure */

const RESULT_LINE = /^RESULT\s+([^=\s][^=]*?)=(-?[0-9.eE+-]+)\s*([^\s]*)?(?:\s+target=(<=|>=|<|>)(-?[0-9.eE+-]+))?\s*$/;

/** Readers for the human-readable lines of the benchmarks that predate RESULT lines. */
const LEGACY = [
  // parse-check.bench.mjs
  { re: /^parse:\s+median ([0-9.]+) ms, p95 ([0-9.]+) ms/, figures: (m) => [['parse, 10,000 lines (median)', m[1], 'ms'], ['parse, 10,000 lines (p95)', m[2], 'ms']] },
  { re: /^parse \+ check:\s+median ([0-9.]+) ms, p95 ([0-9.]+) ms.*CPU median ([0-9.]+) ms/, figures: (m) => [['parse + check, 10,000 lines (median, language server\'s Node options)', m[1], 'ms', '<50'], ['parse + check, 10,000 lines (p95)', m[2], 'ms'], ['parse + check, 10,000 lines (CPU median)', m[3], 'ms']] },
  { re: /^parse \+ check with Node's default heap[^:]*: median ([0-9.]+) ms, p95 ([0-9.]+) ms/, figures: (m) => [["parse + check, 10,000 lines (median, Node's default heap, as the CLI)", m[1], 'ms'], ["parse + check, 10,000 lines (p95, Node's default heap)", m[2], 'ms']] },
  // cost.bench.mjs
  { re: /^analyze \(parse \+ check, no costing\): ([0-9.]+) ms/, figures: (m) => [['analyze a 2,000-layout file, no costing', m[1], 'ms']] },
  { re: /^cost every layout, first pass .*?: ([0-9.]+) ms total, ([0-9.]+) µs per layout/, figures: (m) => [['cost 2,000 layouts, first pass (cold)', m[1], 'ms']] },
  { re: /^cost every layout, steady state .*?: ([0-9.]+) ms total, ([0-9.]+) µs per layout/, figures: (m) => [['cost 2,000 layouts, steady state', m[1], 'ms', '<100'], ['cost per layout, steady state', m[2], 'µs']] },
  { re: /^buildReport, first call .*?: ([0-9.]+) ms for ([0-9]+) layouts/, figures: (m) => [[`buildReport (cost + JSON + findings), ${m[2]} layouts, first call`, m[1], 'ms']] },
  { re: /^buildReport, median .*?: ([0-9.]+) ms for ([0-9]+) layouts/, figures: (m) => [[`buildReport (cost + JSON + findings), ${m[2]} layouts, median of 5 fresh analyses`, m[1], 'ms', '<300']] },
  { re: /^server resident memory after (.+): ([0-9]+) MB/, figures: (m) => [[`LSP server resident memory after ${m[1]}`, m[2], 'MB']] },
  // lsp.bench.mjs: "<name> (<n> lines): edit → diagnostics   median X ms   p99 Y ms"
  {
    re: /^(.+?) \(([0-9]+) lines\): (edit → diagnostics|hover)\s+median\s+([0-9.]+) ms\s+p99\s+([0-9.]+) ms/,
    figures: (m) => {
      const large = Number(m[2]) >= 5000;
      const target = m[3] === 'hover' ? '<10' : large ? '<150' : '<15';
      return [[`LSP ${m[3]}: ${m[1]} (${m[2]} lines), median`, m[4], 'ms', target], [`LSP ${m[3]}: ${m[1]} (${m[2]} lines), p99`, m[5], 'ms']];
    },
  },
  // search.bench.mjs
  { re: /^full layouts costed per second.*?: ([0-9,]+)/, figures: (m) => [['full layouts costed per second', m[1], '/s']] },
  { re: /^phase passes costed per second.*?: ([0-9,]+)/, figures: (m) => [['phase passes costed per second', m[1], '/s']] },
  { re: /^sweep, (.*?) \(([0-9,]+) configurations\): ([0-9,.]+) ms, ([0-9,]+) configurations\/s/, figures: (m) => [[`sweep rate (${m[1]})`, m[4], 'configs/s'], [`sweep time (${m[2]} configurations)`, m[3], 'ms']] },
  { re: /^best, 256 chips, 11 batches, all dtypes, by (.*?): ([0-9,.]+) ms/, figures: (m) => [[`best, 256 chips × 11 batches, by ${m[1]}`, m[2], 'ms', '<1000']] },
];

function parseTarget(text) {
  if (!text) return undefined;
  const m = /^(<=|>=|<|>)(-?[0-9.eE+-]+)$/.exec(text);
  return m ? { op: m[1], value: Number(m[2]) } : undefined;
}

/** Figures from one benchmark's output: RESULT lines if there are any, else the legacy readers. */
export function parseFigures(bench, output) {
  const lines = output.split(/\r?\n/);
  const results = [];
  for (const line of lines) {
    const m = RESULT_LINE.exec(line.trim());
    if (m) results.push({ bench, name: m[1].trim(), value: Number(m[2]), unit: m[3] ?? '', target: parseTarget(m[4] && `${m[4]}${m[5]}`) });
  }
  if (results.length) return results;
  for (const line of lines) {
    for (const { re, figures } of LEGACY) {
      const m = re.exec(line.trim());
      if (!m) continue;
      for (const [name, value, unit, target] of figures(m)) results.push({ bench, name, value: Number(String(value).replace(/,/g, '')), unit, target: parseTarget(target) });
    }
  }
  return results;
}

function met(f) {
  if (!f.target || !Number.isFinite(f.value)) return '';
  const { op, value } = f.target;
  const ok = op === '<' ? f.value < value : op === '<=' ? f.value <= value : op === '>' ? f.value > value : f.value >= value;
  return ok ? 'yes' : '**no**';
}

function run(command, argv, timeoutMs) {
  return new Promise((resolvePromise) => {
    const started = performance.now();
    const child = spawn(command, argv, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => {
      stdout += d;
      process.stdout.write(d);
    });
    child.stderr.on('data', (d) => {
      stderr += d;
      process.stderr.write(d);
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolvePromise({ code, signal, stdout, stderr, ms: performance.now() - started });
    });
  });
}

function kib(bytes) {
  return bytes / 1024;
}

/** Sizes of what ships: the bundles and, when one has been packaged, the VSIX. */
function bundleSizes() {
  const out = [];
  const add = (path, target) => {
    const full = join(root, path);
    if (existsSync(full)) out.push({ bench: 'bundles', name: `size of ${path}`, value: Number(kib(statSync(full).size).toFixed(1)), unit: 'KiB', target: parseTarget(target) });
  };
  if (existsSync(join(root, 'dist'))) for (const f of readdirSync(join(root, 'dist')).filter((f) => f.endsWith('.js')).sort()) add(`dist/${f}`);
  add('dist/client/extension.js');
  add('dist/webview/main.js');
  for (const f of readdirSync(root).filter((f) => f.endsWith('.vsix')).sort()) add(f);
  return out;
}

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

/**
 * Start-up figures measured from outside, as users meet them: the language server from spawn to
 * its initialize answer (what an editor waits for before the first feature works), the CLI's
 * whole run on an example, and evaluating the extension bundle with a stand-in `vscode` module
 * (the part of activation that is ours to make slow; VS Code's own start-up is not measured).
 */
async function startupFigures() {
  const out = [];
  const serverPath = join(root, 'dist/server.js');
  if (existsSync(serverPath)) {
    const rpc = createRequire(import.meta.url)('vscode-jsonrpc/node');
    const times = [];
    for (let i = 0; i < 7; i++) {
      const t0 = performance.now();
      const child = spawn(process.execPath, [...SERVER_NODE_OPTIONS, serverPath, '--stdio'], { cwd: root, stdio: ['pipe', 'pipe', 'ignore'] });
      const connection = rpc.createMessageConnection(new rpc.StreamMessageReader(child.stdout), new rpc.StreamMessageWriter(child.stdin));
      connection.onRequest(() => null);
      connection.onNotification(() => undefined);
      connection.listen();
      await connection.sendRequest('initialize', { processId: process.pid, rootUri: null, capabilities: {} });
      times.push(performance.now() - t0);
      await connection.sendRequest('shutdown');
      await connection.sendNotification('exit');
      await new Promise((r) => (child.exitCode !== null ? r() : child.once('exit', r)));
      connection.dispose();
    }
    out.push({ bench: 'startup', name: 'language server: spawn → initialize answered (median of 7)', value: Number(median(times.slice(1)).toFixed(1)), unit: 'ms' });
  }
  const cli = join(root, 'bin/shardlens.js');
  if (existsSync(cli)) {
    const times = [];
    for (let i = 0; i < 5; i++) times.push((await run(process.execPath, [cli, 'check', 'examples/palm540b.shard'], 60_000)).ms);
    out.push({ bench: 'startup', name: 'CLI: shardlens check examples/palm540b.shard, whole run (median of 5)', value: Number(median(times).toFixed(1)), unit: 'ms' });
  }
  const extension = join(root, 'dist/client/extension.js');
  if (existsSync(extension)) {
    // A child process, so that the stand-in module and the bundle's state stay out of this one.
    const probe = `
      const Module = require('module');
      const load = Module._load;
      const stub = new Proxy(function () {}, { get: (t, k) => (k === Symbol.toPrimitive ? () => '' : stub), apply: () => stub, construct: () => stub });
      Module._load = function (request, ...rest) { return request === 'vscode' ? stub : load.call(this, request, ...rest); };
      const t0 = performance.now();
      const ext = require(${JSON.stringify(extension)});
      const loaded = performance.now() - t0;
      process.stdout.write(JSON.stringify({ loaded, activate: typeof ext.activate }));`;
    const times = [];
    let activate = '';
    for (let i = 0; i < 5; i++) {
      const r = await run(process.execPath, ['-e', probe], 60_000);
      try {
        const j = JSON.parse(r.stdout.trim().split('\n').pop());
        times.push(j.loaded);
        activate = j.activate;
      } catch {
        // Reported below as missing.
      }
    }
    if (times.length) out.push({ bench: 'startup', name: `extension bundle evaluation, vscode stubbed (median of ${times.length}; activate is a ${activate})`, value: Number(median(times).toFixed(1)), unit: 'ms' });
  }
  return out;
}

/** The editor limits as the source states them, so the page says what is skipped and when. */
function limits() {
  const rows = [];
  const read = (path) => (existsSync(join(root, path)) ? readFileSync(join(root, path), 'utf8') : '');
  const analysisSource = 'server/src/engine/analysis.ts';
  const m = /EDITOR_LIMITS[^=]*=\s*\{([^}]*)\}/.exec(read(analysisSource));
  if (m) for (const [, k, v] of m[1].matchAll(/(\w+):\s*([0-9_]+)/g)) rows.push([`editor: ${k}`, Number(v.replace(/_/g, '')).toLocaleString('en-US'), analysisSource]);
  const depth = /const MAX_DEPTH = (\d+)/.exec(read('server/src/engine/syntax/parser.ts'));
  if (depth) rows.push(['parser: record nesting depth', depth[1], 'server/src/engine/syntax/parser.ts']);
  const chain = /MAX_BASE_CHAIN = (\d+)/.exec(read('server/src/engine/check/records.ts'));
  if (chain) rows.push(['checker: `= base` chain length', chain[1], 'server/src/engine/check/records.ts']);
  const cacheSource = 'server/src/engine/costCache.ts';
  const cache = /COST_CACHE_SIZE = (\d+)/.exec(read(cacheSource));
  if (cache) rows.push(['cost cache entries (per service)', cache[1], cacheSource]);
  const cliBytes = /MAX_BYTES = ([0-9 *]+);/.exec(read('server/src/cli/input.ts'));
  if (cliBytes) rows.push(['CLI: input file size', `${Function(`return ${cliBytes[1]}`)() / 2 ** 20} MiB`, 'server/src/cli/input.ts']);
  return rows;
}

/**
 * For a partial run: the previous page's figures whose benchmark did not run (rows are attributed
 * through the raw-output sections: a row belongs to the benchmark whose output names it, or to
 * the bundle sizes and start-up figures), kept in the page's order ahead of the new ones, and their raw output.
 */
function keepOthers(previousPage, figures, benches) {
  const ran = new Set(benches.map((b) => b.file));
  const produced = new Set(figures.map((f) => f.name));
  const sections = [...previousPage.matchAll(/<details><summary>(bench\/[^ ]+) \(([0-9.,]+) s, exit ([^)]*)\)<\/summary>\n\n```\n([\s\S]*?)\n```/g)];
  const kept = [];
  for (const m of previousPage.matchAll(/^\| (.+?) \| (-?[0-9.,]+) ?([^|]*?) \| ([^|]*) \| [^|]* \|$/gm)) {
    const name = m[1].replace(/\\\|/g, '|');
    if (name === 'figure' || produced.has(name)) continue;
    const owner = sections.find((sec) => parseFigures(sec[1].slice('bench/'.length), sec[4]).some((f) => f.name === name));
    if (owner && ran.has(owner[1])) continue;
    const target = /^(<=|>=|<|>) (-?[0-9.,]+)/.exec(m[4].trim());
    kept.push({ bench: owner?.[1] ?? '', name, value: Number(m[2].replace(/,/g, '')), unit: m[3].trim(), target: target ? { op: target[1], value: Number(target[2].replace(/,/g, '')) } : undefined });
  }
  figures.unshift(...kept);
  for (const sec of sections) {
    if (ran.has(sec[1])) continue;
    benches.unshift({ file: sec[1], ms: Number(sec[2].replace(/,/g, '')) * 1000, code: Number.isNaN(Number(sec[3])) ? null : Number(sec[3]), signal: Number.isNaN(Number(sec[3])) ? sec[3] : undefined, stdout: sec[4], stderr: '' });
  }
}

function fmt(x) {
  if (!Number.isFinite(x)) return String(x);
  const abs = Math.abs(x);
  const digits = abs >= 100 ? 0 : abs >= 10 ? 1 : 2;
  return x.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: 0 });
}

const escapeCell = (s) => String(s).replace(/\|/g, '\\|');

function render(figures, benches, machine) {
  const lines = [];
  lines.push('# Performance');
  lines.push('');
  lines.push('Generated by `npm run bench` (bench/run.mjs); do not edit by hand. Each benchmark is a');
  lines.push('`bench/*.bench.mjs` script; a figure with a target is met when the value is on the right side');
  lines.push('of it. Wall-clock figures depend on the machine and its load, recorded below: compare runs');
  lines.push('on the same machine.');
  lines.push('');
  lines.push(`- Date: ${machine.date}`);
  lines.push(`- Node ${machine.node} on ${machine.os}; ${machine.cores} × ${machine.cpu}; ${machine.memory} GiB RAM`);
  lines.push(`- Load average (1, 5, 15 min) before: ${machine.loadBefore}; after: ${machine.loadAfter}`);
  lines.push(`- The language server runs with the Node options \`${SERVER_NODE_OPTIONS.join(' ')}\` (server/src/protocol/serverProcess.ts): the LSP`);
  lines.push('  figures are measured that way, and parse + check both that way (the target) and with Node\'s');
  lines.push('  default heap, as the command line runs it.');
  lines.push('');
  lines.push('| figure | value | target | met? |');
  lines.push('|---|---:|---|---|');
  for (const f of figures) {
    const target = f.target ? `${f.target.op} ${fmt(f.target.value)} ${f.unit}`.trim() : '';
    lines.push(`| ${escapeCell(f.name)} | ${fmt(f.value)} ${escapeCell(f.unit)} | ${escapeCell(target)} | ${met(f)} |`);
  }
  const failed = benches.filter((b) => b.code !== 0);
  if (failed.length) {
    lines.push('');
    for (const b of failed) lines.push(`- **${b.file}** ${b.signal ? `was stopped (${b.signal}, after ${fmt(b.ms / 1000)} s)` : `exited with status ${b.code}`}; its figures above may be missing or incomplete.`);
  }
  const rows = limits();
  if (rows.length) {
    lines.push('');
    lines.push('## Limits');
    lines.push('');
    lines.push('Past a limit the editor skips work and a `limit` diagnostic says what and why.');
    lines.push('');
    lines.push('| limit | value | where |');
    lines.push('|---|---:|---|');
    for (const [name, value, where] of rows) lines.push(`| ${escapeCell(name)} | ${value} | \`${where}\` |`);
  }
  lines.push('');
  lines.push('## Raw output');
  lines.push('');
  for (const b of benches) {
    lines.push(`<details><summary>${b.file} (${fmt(b.ms / 1000)} s, exit ${b.code ?? b.signal})</summary>`);
    lines.push('');
    lines.push('```');
    lines.push((b.stdout + (b.stderr ? `\n[stderr]\n${b.stderr}` : '')).trim().replace(/```/g, "'''"));
    lines.push('```');
    lines.push('');
    lines.push('</details>');
    lines.push('');
  }
  return lines.join('\n');
}

const loadBefore = loadavg().map((l) => l.toFixed(2)).join(', ');
const files = readdirSync(join(root, 'bench'))
  .filter((f) => f.endsWith('.bench.mjs'))
  .filter((f) => !only.length || only.some((o) => f.startsWith(o)))
  .sort();
const figures = [];
const benches = [];
for (const file of files) {
  console.log(`\n=== bench/${file}`);
  const r = await run(process.execPath, [join('bench', file)], BENCH_TIMEOUT_MS);
  benches.push({ file: `bench/${file}`, ...r });
  const found = parseFigures(file, r.stdout);
  if (!found.length) console.log(`(no figures recognised in the output of ${file}; its raw output is kept)`);
  figures.push(...found);
}
if (!only.length) {
  figures.push(...bundleSizes());
  figures.push(...(await startupFigures()));
}

const cpuList = cpus();
const machine = {
  date: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
  node: process.version,
  os: `${platform()} ${release()}`,
  cores: cpuList.length,
  cpu: cpuList[0]?.model?.trim() ?? 'unknown CPU',
  memory: (totalmem() / 1024 ** 3).toFixed(1),
  loadBefore,
  loadAfter: loadavg().map((l) => l.toFixed(2)).join(', '),
};
if (only.length && existsSync(outFile)) keepOthers(readFileSync(outFile, 'utf8'), figures, benches);
const page = render(figures, benches, machine);
console.log(`\n${figures.length} figures from ${benches.length} benchmarks`);
for (const f of figures) console.log(`  ${f.name}: ${fmt(f.value)} ${f.unit}${f.target ? `  (target ${f.target.op} ${f.target.value}: ${met(f).replace(/\*/g, '')})` : ''}`);
if (write) {
  writeFileSync(outFile, `${page}\n`);
  console.log(`wrote ${relative(root, outFile)}`);
}
process.exitCode = benches.some((b) => b.code !== 0) ? 1 : 0;
