#!/usr/bin/env node
// Runs one build's CLI over every .shard file of a corpus (see generate.mjs) and writes what it
// printed, so that two builds can be compared file by file with compare.mjs.
//
//   node scripts/differential/run.mjs --cli PATH/dist/cli.js [--corpus DIR] --out DIR [--jobs N] [--explain] [--label TEXT]
//
// For each corpus file F (a path relative to the corpus, which is also the working directory, so
// the `file` fields in the output are the same whichever build runs), writes under --out:
//   F.report.json   stdout of `report --json F`
//   F.check.json    stdout of `check --format json F`
//   F.meta.json     exit status and stderr of each command, and the input's SHA-256
//   F.explain.txt   with --explain, for files under examples/: `explain --layout L F` for every L
// and run.json (the CLI, its build's git commit if it has one, --label, e.g. the commit a copied
// bundle was built from, and the time taken).

import { execFileSync, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';

const { values: opts } = parseArgs({
  options: {
    cli: { type: 'string' },
    corpus: { type: 'string', default: '/tmp/diff-corpus' },
    out: { type: 'string' },
    jobs: { type: 'string', default: '1' },
    explain: { type: 'boolean', default: false },
    label: { type: 'string' },
  },
});
if (!opts.cli || !opts.out) {
  console.error('usage: run.mjs --cli PATH/dist/cli.js [--corpus DIR] --out DIR [--jobs N] [--explain]');
  process.exit(2);
}
const cli = resolve(opts.cli);
const corpus = resolve(opts.corpus);
const out = resolve(opts.out);
const jobs = Math.max(1, Math.min(Number(opts.jobs), availableParallelism()));

function shardFiles(dir) {
  return readdirSync(dir, { withFileTypes: true })
    .flatMap((e) => (e.isDirectory() ? shardFiles(join(dir, e.name)) : e.name.endsWith('.shard') ? [join(dir, e.name)] : []))
    .sort();
}

/** Runs the CLI with `args` in the corpus folder; resolves to its exit status, stdout and stderr. */
function runCli(args) {
  return new Promise((done) => {
    const child = spawn(process.execPath, [cli, ...args], { cwd: corpus, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0' } });
    const stdout = [];
    const stderr = [];
    child.stdout.on('data', (d) => stdout.push(d));
    child.stderr.on('data', (d) => stderr.push(d));
    child.on('close', (status, signal) => done({ status, signal, stdout: Buffer.concat(stdout).toString('utf8'), stderr: Buffer.concat(stderr).toString('utf8') }));
  });
}

async function runFile(file) {
  const target = join(out, file);
  mkdirSync(dirname(target), { recursive: true });
  const meta = { file, sha256: createHash('sha256').update(readFileSync(join(corpus, file))).digest('hex') };
  const report = await runCli(['report', '--json', file]);
  writeFileSync(`${target}.report.json`, report.stdout);
  meta.report = { status: report.status, signal: report.signal, stderr: report.stderr };
  const check = await runCli(['check', '--format', 'json', file]);
  writeFileSync(`${target}.check.json`, check.stdout);
  meta.check = { status: check.status, signal: check.signal, stderr: check.stderr };
  if (opts.explain && file.startsWith('examples/')) {
    let layouts = [];
    try {
      layouts = JSON.parse(report.stdout).layouts.map((l) => l.name);
    } catch {
      // No report to read the layout names from: the report's own difference will say so.
    }
    const parts = [];
    for (const name of layouts) {
      const r = await runCli(['explain', '--layout', name, file]);
      parts.push(`=== explain --layout ${name} (exit ${r.status})\n${r.stdout}${r.stderr ? `[stderr]\n${r.stderr}` : ''}`);
    }
    writeFileSync(`${target}.explain.txt`, parts.join('\n'));
  }
  writeFileSync(`${target}.meta.json`, `${JSON.stringify(meta, null, 2)}\n`);
  return meta;
}

/** The git commit of the tree the CLI was built from, and how many files differ from it (edits not yet committed). */
function commitOf(path) {
  const git = (...args) => execFileSync('git', ['-C', dirname(path), ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  try {
    return { head: git('rev-parse', 'HEAD').trim(), changedFiles: git('status', '--porcelain').split('\n').filter(Boolean).length };
  } catch {
    return null;
  }
}

const files = shardFiles(corpus).map((f) => relative(corpus, f));
rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });
const started = performance.now();
const loadBefore = loadavg();
let next = 0;
let done = 0;
const crashed = [];
async function worker() {
  while (next < files.length) {
    const file = files[next++];
    const meta = await runFile(file);
    done++;
    for (const cmd of ['report', 'check']) if (meta[cmd].signal || meta[cmd].status > 1) crashed.push(`${file} (${cmd}: ${meta[cmd].signal ?? `exit ${meta[cmd].status}`})`);
    if (process.stderr.isTTY) process.stderr.write(`\r${done}/${files.length} ${file}`.padEnd(80));
  }
}
await Promise.all(Array.from({ length: jobs }, worker));
if (process.stderr.isTTY) process.stderr.write('\n');
const seconds = (performance.now() - started) / 1000;
const run = { cli, label: opts.label ?? null, commit: commitOf(cli), corpus, files: files.length, explain: opts.explain, seconds: Number(seconds.toFixed(1)), loadBefore, loadAfter: loadavg(), date: new Date().toISOString() };
writeFileSync(join(out, 'run.json'), `${JSON.stringify(run, null, 2)}\n`);
console.log(`${files.length} files in ${seconds.toFixed(0)} s with ${cli} → ${out}`);
if (crashed.length) console.log(`exit status above 1 or a signal (usage error or crash) on ${crashed.length}: ${crashed.slice(0, 10).join(', ')}`);
