#!/usr/bin/env node
// Runs the three benchmarks issue #11 names (parse + check, cost of 2,000 layouts, LSP edit →
// diagnostics) on two trees, interleaved in one session, and prints each figure's median over
// the rounds for both trees side by side with its run-to-run spread, so that a slowdown can be
// told from noise. See README.md in this folder.
//
//   node scripts/differential/bench-compare.mjs [--baseline DIR] [--candidate DIR] [--rounds N]
//        [--only parse-check,cost,lsp] [--out DIR] [--no-build] [--no-snapshot]
//
// Each tree runs its own bench/*.bench.mjs (they bundle that tree's engine; the LSP benchmark
// starts that tree's dist/server.js, so both trees are built first). Order within a round
// alternates, A B then B A (counterbalanced), so a drift in machine load does not favour a tree.
// The candidate is copied first (without node_modules, .git, dist) to OUT/candidate-tree and run
// from there, so that edits made in it during the session do not leak into later rounds.
// Every run's output, the machine load and a results.json go to --out.

import { spawn, execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const here = dirname(fileURLToPath(import.meta.url));
const { values: opts } = parseArgs({
  options: {
    baseline: { type: 'string', default: '/tmp/shardlens-baseline' },
    candidate: { type: 'string', default: resolve(here, '../..') },
    rounds: { type: 'string', default: '3' },
    only: { type: 'string', default: 'parse-check,cost,lsp' },
    out: { type: 'string', default: join(tmpdir(), `bench-compare-${new Date().toISOString().replace(/[:.]/g, '-')}`) },
    'no-build': { type: 'boolean', default: false },
    'no-snapshot': { type: 'boolean', default: false },
  },
});
const rounds = Number(opts.rounds);
const out = resolve(opts.out);
mkdirSync(out, { recursive: true });

/**
 * The figures read from each benchmark's output: [name, unit, pattern, group]. A figure is the
 * number the pattern's `group` captures. Lines of the form `RESULT name=value unit` (bench/run.mjs's
 * newer format) are read as well, should a benchmark switch to them.
 */
const FIGURES = {
  'parse-check': [
    ['parse, 10,000 lines: median', 'ms', /^parse:\s+median ([0-9.]+) ms/],
    ['parse, 10,000 lines: CPU median', 'ms', /^parse:\s+.*CPU median ([0-9.]+) ms/],
    ['parse + check, 10,000 lines: median (server options)', 'ms', /^parse \+ check:\s+median ([0-9.]+) ms/],
    ['parse + check, 10,000 lines: CPU median (server options)', 'ms', /^parse \+ check:\s+.*CPU median ([0-9.]+) ms/],
    ["parse + check: median (Node's default heap)", 'ms', /^parse \+ check with Node's default heap[^:]*: median ([0-9.]+) ms/],
    ["parse + check: CPU median (Node's default heap)", 'ms', /^parse \+ check with Node's default heap.*CPU median ([0-9.]+) ms/],
  ],
  cost: [
    ['analyze 2,000 layouts, no costing', 'ms', /^analyze \(parse \+ check, no costing\): ([0-9.]+) ms/],
    ['cost 2,000 layouts, first pass (cold)', 'ms', /^cost every layout, first pass .*?: ([0-9.]+) ms total/],
    ['cost 2,000 layouts, steady state', 'ms', /^cost every layout, steady state .*?: ([0-9.]+) ms total/],
    ['buildReport, 2,000 layouts', 'ms', /^buildReport .*?: ([0-9.]+) ms/],
  ],
  lsp: [
    ['LSP edit → diagnostics: palm540b.shard, median', 'ms', /^examples\/palm540b\.shard \(\d+ lines\): edit → diagnostics\s+median\s+([0-9.]+) ms/],
    ['LSP edit → diagnostics: small.shard, median', 'ms', /^test\/lsp\/fixtures\/small\.shard \(\d+ lines\): edit → diagnostics\s+median\s+([0-9.]+) ms/],
    ['LSP edit → diagnostics: 10,000 lines, median', 'ms', /^10,000-line file \(\d+ lines\): edit → diagnostics\s+median\s+([0-9.]+) ms/],
    ['LSP hover: palm540b.shard, median', 'ms', /^examples\/palm540b\.shard \(\d+ lines\): hover\s+median\s+([0-9.]+) ms/],
    ['LSP hover: 10,000 lines, median', 'ms', /^10,000-line file \(\d+ lines\): hover\s+median\s+([0-9.]+) ms/],
    ['LSP server memory after the 10,000-line file', 'MB', /^server resident memory after the 10,000-line file: ([0-9]+) MB/],
  ],
};
/** Output lines that must be the same for both trees (same input, same result), else the comparison is of different work. */
const SAME_WORK = [/^input: /, /^diagnostics: /, /^layouts in file: /, /^checksum /];
const RESULT_LINE = /^RESULT\s+([^=]+?)=(-?[0-9.eE+-]+)\s*(\S*)/;

const benches = opts.only.split(',').map((s) => s.trim());
for (const b of benches) if (!FIGURES[b]) throw new Error(`unknown benchmark '${b}'; one of ${Object.keys(FIGURES).join(', ')}`);

const git = (dir, ...args) => {
  try {
    return execFileSync('git', ['-C', dir, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], maxBuffer: 256 * 1024 * 1024 });
  } catch {
    return '';
  }
};
/** A tree's commit and a fingerprint of its uncommitted edits (tracked diff and untracked files). */
function describeTree(dir) {
  const diff = git(dir, 'diff', 'HEAD') + git(dir, 'ls-files', '--others', '--exclude-standard');
  return { dir, head: git(dir, 'rev-parse', '--short', 'HEAD').trim(), changedFiles: git(dir, 'status', '--porcelain').split('\n').filter(Boolean).length, editsHash: createHash('sha1').update(diff).digest('hex').slice(0, 12) };
}

/** A copy of `dir` without node_modules (linked instead), .git and build outputs. */
function snapshot(dir, target) {
  rmSync(target, { recursive: true, force: true });
  const skip = new Set(['node_modules', '.git', 'dist', 'out', '.vscode-test', 'test-results', 'scratch', '.cache']);
  cpSync(dir, target, {
    recursive: true,
    filter: (src) => {
      const rel = relative(dir, src);
      return !rel || (!skip.has(rel.split('/')[0]) && rel !== 'bench/out' && !rel.endsWith('.vsix'));
    },
  });
  symlinkSync(join(dir, 'node_modules'), join(target, 'node_modules'));
}

function run(command, args, cwd, logFile) {
  return new Promise((done) => {
    const cpuFile = `${logFile}.cpu`;
    // GNU time reports the CPU time of the benchmark and every process it waited for (the
    // measuring children, the language server): a figure a loaded machine disturbs less.
    const timed = existsSync('/usr/bin/time') ? ['/usr/bin/time', ['-f', '%U %S', '-o', cpuFile, command, ...args]] : [command, args];
    const started = performance.now();
    const child = spawn(timed[0], timed[1], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (status) => {
      writeFileSync(logFile, `${stdout}${stderr ? `\n[stderr]\n${stderr}` : ''}`);
      let cpu = null;
      if (existsSync(cpuFile)) {
        const [user, system] = readFileSync(cpuFile, 'utf8').trim().split('\n').pop().split(/\s+/).map(Number);
        if (Number.isFinite(user + system)) cpu = user + system;
      }
      done({ status, stdout, stderr, seconds: (performance.now() - started) / 1000, cpu });
    });
  });
}

function figuresOf(bench, stdout) {
  const found = {};
  for (const raw of stdout.split('\n')) {
    const line = raw.trim();
    for (const [name, unit, re] of FIGURES[bench]) {
      const m = re.exec(line);
      if (m) found[name] = { value: Number(m[1]), unit };
    }
    const r = RESULT_LINE.exec(line);
    if (r) found[r[1].trim()] = { value: Number(r[2]), unit: r[3] };
  }
  return found;
}

const sameWork = (stdout) => stdout.split('\n').map((l) => l.trim()).filter((l) => SAME_WORK.some((re) => re.test(l)));

const trees = { A: resolve(opts.baseline), B: resolve(opts.candidate) };
const described = { A: describeTree(trees.A), B: describeTree(trees.B) };
if (!opts['no-snapshot']) {
  const copy = join(out, 'candidate-tree');
  console.log(`copying the candidate ${trees.B} to ${copy} (its edits as of now: ${described.B.changedFiles} changed files, fingerprint ${described.B.editsHash})`);
  snapshot(trees.B, copy);
  trees.B = copy;
}
if (!opts['no-build']) {
  for (const key of ['A', 'B']) {
    const r = await run(process.execPath, ['esbuild.mjs'], trees[key], join(out, `build-${key}.log`));
    if (r.status !== 0) throw new Error(`building ${trees[key]} failed (see ${join(out, `build-${key}.log`)})`);
  }
}

const load = () => loadavg().map((l) => l.toFixed(2)).join(' ');
const session = { started: new Date().toISOString(), loadBefore: load(), cores: cpus().length, node: process.version, trees: { A: { ...described.A, ranFrom: trees.A }, B: { ...described.B, ranFrom: trees.B } }, rounds, runs: [] };
console.log(`A (baseline):  ${trees.A} @ ${described.A.head}${described.A.changedFiles ? ` + ${described.A.changedFiles} changed files` : ''}`);
console.log(`B (candidate): ${trees.B} @ ${described.B.head}${described.B.changedFiles ? ` + ${described.B.changedFiles} changed files (${described.B.editsHash})` : ''}`);
console.log(`${rounds} rounds of ${benches.join(', ')}; load average (1, 5, 15 min) ${session.loadBefore} on ${session.cores} cores; logs in ${out}`);

for (let round = 1; round <= rounds; round++) {
  for (const bench of benches) {
    for (const key of round % 2 ? ['A', 'B'] : ['B', 'A']) {
      const loadAtStart = load();
      const log = join(out, `round${round}-${bench}-${key}.log`);
      const r = await run(process.execPath, [`bench/${bench}.bench.mjs`], trees[key], log);
      const figures = figuresOf(bench, r.stdout);
      session.runs.push({ round, bench, tree: key, status: r.status, seconds: r.seconds, cpu: r.cpu, loadAtStart, figures, sameWork: sameWork(r.stdout) });
      const note = r.status === 0 ? '' : `  exit ${r.status}${Object.keys(figures).length ? '' : ' (no figures; see the log)'}`;
      console.log(`round ${round} ${bench.padEnd(11)} ${key}: ${r.seconds.toFixed(1).padStart(6)} s wall, ${r.cpu === null ? '?' : r.cpu.toFixed(1)} s CPU, load ${loadAtStart}${note}`);
    }
  }
}
session.loadAfter = load();
session.finished = new Date().toISOString();
const after = describeTree(resolve(opts.candidate));
if (opts['no-snapshot'] && after.editsHash !== described.B.editsHash) console.log(`WARNING: the candidate tree changed during the session (${described.B.editsHash} → ${after.editsHash}); its rounds measured different code`);

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
/** Median, min, max and spread ((max − min) / median) of a figure's values over the rounds. */
function stats(values) {
  if (!values.length) return null;
  const m = median(values);
  const min = Math.min(...values);
  const max = Math.max(...values);
  return { median: m, min, max, spread: m ? (max - min) / m : 0, n: values.length };
}
const fmt = (x) => (Math.abs(x) >= 100 ? x.toFixed(0) : Math.abs(x) >= 10 ? x.toFixed(1) : x.toFixed(2));
const cell = (s, unit) => (s ? `${fmt(s.median)} ${unit} (${fmt(s.min)}–${fmt(s.max)}, range ${(s.spread * 100).toFixed(0)}%)` : 'n/a');

const rows = [];
for (const bench of benches) {
  const names = [...new Set(session.runs.filter((r) => r.bench === bench).flatMap((r) => Object.keys(r.figures)))];
  const cpuName = `${bench}: CPU of the whole run (all processes)`;
  for (const name of [...names, cpuName]) {
    const values = (key) =>
      session.runs
        .filter((r) => r.bench === bench && r.tree === key)
        .map((r) => (name === cpuName ? r.cpu : r.figures[name]?.value))
        .filter((v) => typeof v === 'number');
    const unit = name === cpuName ? 's' : session.runs.find((r) => r.figures[name])?.figures[name].unit ?? '';
    const a = stats(values('A'));
    const b = stats(values('B'));
    const change = a && b && a.median ? (b.median - a.median) / a.median : null;
    // "Within spread": the candidate's median moved by less than the larger run-to-run range of the two.
    const [worse, better] = unit === 'MB' ? ['**larger**', 'smaller'] : ['**slower**', 'faster'];
    const within = change === null ? '' : Math.abs(change) <= Math.max(a.spread, b.spread) ? 'yes' : change > 0 ? worse : better;
    rows.push({ bench, name, unit, a, b, change, within });
  }
}

const mismatched = [];
for (const bench of benches) {
  const work = (key) => new Set(session.runs.filter((r) => r.bench === bench && r.tree === key).map((r) => r.sameWork.join('\n')));
  const [wa, wb] = [work('A'), work('B')];
  if ([...wa].join() !== [...wb].join()) mismatched.push(`${bench}: A printed ${[...wa].join(' | ').replace(/\n/g, '; ')} — B printed ${[...wb].join(' | ').replace(/\n/g, '; ')}`);
}

const lines = [
  `# Benchmarks, baseline (A) against candidate (B), interleaved`,
  '',
  `- ${session.started} → ${session.finished}; Node ${session.node}; ${session.cores} cores`,
  `- load average (1, 5, 15 min): before ${session.loadBefore}, after ${session.loadAfter}; at the start of each run: ${session.runs.map((r) => r.loadAtStart.split(' ')[0]).join(', ')}`,
  `- A: ${described.A.dir} @ ${described.A.head}${described.A.changedFiles ? ` + ${described.A.changedFiles} changed files` : ''}`,
  `- B: ${described.B.dir} @ ${described.B.head}${described.B.changedFiles ? ` + ${described.B.changedFiles} changed files (edits fingerprint ${described.B.editsHash})` : ''}${opts['no-snapshot'] ? '' : `, run from a copy made at the start (${trees.B})`}`,
  `- ${rounds} rounds; each cell: median over the rounds (min–max, range = (max − min) / median). Each round's figure is itself the benchmark's own median over its iterations.`,
  '- "within spread": |B − A| / A is at most the larger of the two ranges.',
  '',
  '| figure | A baseline | B candidate | B vs A | within spread? |',
  '|---|---|---|---:|---|',
  ...rows.map((r) => `| ${r.name} | ${cell(r.a, r.unit)} | ${cell(r.b, r.unit)} | ${r.change === null ? '' : `${r.change >= 0 ? '+' : ''}${(r.change * 100).toFixed(1)}%`} | ${r.within} |`),
];
if (mismatched.length) lines.push('', '**The two trees did different work** (their inputs or results differ):', ...mismatched.map((m) => `- ${m}`));
const failed = session.runs.filter((r) => r.status !== 0);
if (failed.length) lines.push('', `Runs that exited non-zero: ${failed.map((r) => `round ${r.round} ${r.bench} ${r.tree} (exit ${r.status})`).join(', ')} (the cost benchmark exits 1 when its steady state misses its 100 ms target).`);
const table = lines.join('\n');
writeFileSync(join(out, 'results.md'), `${table}\n`);
writeFileSync(join(out, 'results.json'), `${JSON.stringify({ ...session, rows }, null, 2)}\n`);
console.log(`\n${table}\n\nwrote ${join(out, 'results.md')} and results.json`);
