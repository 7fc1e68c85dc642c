#!/usr/bin/env node
// Compares two output folders of run.mjs (a baseline and a candidate) file by file, and says for
// each file that differs which fields differ first, with both values. Exit status 0 when every
// output is byte-identical, 1 otherwise, 2 on bad usage.
//
//   node scripts/differential/compare.mjs BASELINE_DIR CANDIDATE_DIR [--files N] [--fields N] [--rel-tol X]
//
// --files: how many differing files to describe (default 20; the rest are counted);
// --fields: how many differing fields to show per file (default 8);
// --rel-tol: numbers whose relative difference is at most X count as equal for the exit status
//   (default 0: the contract is byte-identical output). Whatever X is, the summary says how many
//   differing files differ only by float rounding (relative 1e-12), as a refactor that reorders
//   arithmetic does, and such files are listed after those with real differences.

import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';

const { values: opts, positionals } = parseArgs({
  allowPositionals: true,
  options: { files: { type: 'string', default: '20' }, fields: { type: 'string', default: '8' }, 'rel-tol': { type: 'string', default: '0' } },
});
if (positionals.length !== 2) {
  console.error('usage: compare.mjs BASELINE_DIR CANDIDATE_DIR [--files N] [--fields N]');
  process.exit(2);
}
const [baseDir, candDir] = positionals.map((p) => resolve(p));
const maxFiles = Number(opts.files);
const maxFields = Number(opts.fields);
const relTol = Number(opts['rel-tol']);
/** What "only float rounding" means in the summary: a few units in the last place of a double. */
const ROUNDING = 1e-12;
const OUTPUT = /\.(report\.json|check\.json|meta\.json|explain\.txt)$/;

function outputs(dir) {
  const walk = (d) => readdirSync(d, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(join(d, e.name)) : OUTPUT.test(e.name) ? [join(d, e.name)] : []));
  return new Set(walk(dir).map((f) => relative(dir, f)));
}

/** A short label for an array element: a layout's or diagnostic's identity, so a path reads well. */
function elementLabel(v) {
  if (!v || typeof v !== 'object') return '';
  if (typeof v.name === 'string') return `(${v.name})`;
  if (typeof v.code === 'string') return `(${v.code}${v.layout ? ` ${v.layout}` : ''}${v.range ? ` @${v.range.start.line + 1}:${v.range.start.character + 1}` : ''})`;
  if (typeof v.file === 'string') return `(${v.file})`;
  return '';
}

const show = (v) => {
  const s = v === undefined ? '(absent)' : JSON.stringify(v);
  return s.length > 160 ? `${s.slice(0, 157)}...` : s;
};

/** Two long strings (messages) shown around their first differing character, so the change is visible. */
function stringDifference(a, b) {
  if (a.length <= 120 && b.length <= 120) return `${show(a)} → ${show(b)}`;
  let i = 0;
  while (i < a.length && a[i] === b[i]) i++;
  const from = Math.max(0, i - 50);
  const cut = (t) => `${from ? '…' : ''}${t.slice(from, i + 70)}${t.length > i + 70 ? '…' : ''}`;
  return `(from character ${i + 1}) ${JSON.stringify(cut(a))} → ${JSON.stringify(cut(b))}`;
}

const closeEnough = (a, b, tol) => typeof a === 'number' && typeof b === 'number' && Math.abs(a - b) <= tol * Math.max(Math.abs(a), Math.abs(b));

/**
 * Paths where `a` and `b` differ, in document order, with key order counted (the output is a byte
 * contract); numbers within relative `tol` of each other are taken as equal.
 */
function differences(a, b, path, out, tol = 0, limit = maxFields) {
  if (out.length >= limit) return out;
  if (a === b || closeEnough(a, b, tol)) return out;
  const kind = (v) => (Array.isArray(v) ? 'array' : v === null ? 'null' : typeof v);
  if (typeof a === 'string' && typeof b === 'string') {
    out.push(`${path}: ${stringDifference(a, b)}`);
    return out;
  }
  if (kind(a) !== kind(b) || (kind(a) !== 'object' && kind(a) !== 'array')) {
    out.push(`${path || '(root)'}: ${show(a)} → ${show(b)}`);
    return out;
  }
  if (kind(a) === 'array') {
    if (a.length !== b.length) out.push(`${path}: length ${a.length} → ${b.length}`);
    for (let i = 0; i < Math.min(a.length, b.length) && out.length < limit; i++) differences(a[i], b[i], `${path}[${i}]${elementLabel(a[i])}`, out, tol, limit);
    return out;
  }
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  for (const k of ka) if (!(k in b) && out.length < limit) out.push(`${path}.${k}: ${show(a[k])} → (absent)`);
  for (const k of kb) if (!(k in a) && out.length < limit) out.push(`${path}.${k}: (absent) → ${show(b[k])}`);
  for (const k of ka) if (k in b) differences(a[k], b[k], path ? `${path}.${k}` : k, out, tol, limit);
  const common = ka.filter((k) => k in b);
  const commonB = kb.filter((k) => k in a);
  if (out.length < limit && common.join() !== commonB.join()) out.push(`${path || '(root)'}: key order ${common.join(',')} → ${commonB.join(',')}`);
  return out;
}

/** The first line where two texts differ. */
function firstLineDifference(a, b) {
  const la = a.split('\n');
  const lb = b.split('\n');
  for (let i = 0; i < Math.max(la.length, lb.length); i++) {
    if (la[i] !== lb[i]) return [`line ${i + 1}:`, `  - ${show(la[i])}`, `  + ${show(lb[i])}`];
  }
  return ['(identical lines; line endings differ)'];
}

const parseJson = (text) => {
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch {
    return { ok: false };
  }
};

/** The largest relative difference between numbers at the same place in `a` and `b`. */
function maxRelative(a, b) {
  if (typeof a === 'number' && typeof b === 'number') return a === b ? 0 : Math.abs(a - b) / Math.max(Math.abs(a), Math.abs(b));
  if (!a || !b || typeof a !== 'object' || typeof b !== 'object') return 0;
  let m = 0;
  for (const k of Object.keys(a)) if (k in b) m = Math.max(m, maxRelative(a[k], b[k]));
  return m;
}

/**
 * How two different outputs differ: `rounding` when every difference is a number within relative
 * ROUNDING, `real` otherwise; `fails` when a difference is beyond --rel-tol; `lines` describes
 * them (for a real difference, skipping the rounding noise so the first real field shows).
 */
function classify(name, a, b) {
  const ja = name.endsWith('.json') ? parseJson(a) : { ok: false };
  const jb = name.endsWith('.json') ? parseJson(b) : { ok: false };
  if (!ja.ok || !jb.ok) {
    const lines = name.endsWith('.json') ? ['not both valid JSON', ...firstLineDifference(a, b)] : firstLineDifference(a, b);
    return { kind: 'real', fails: true, lines };
  }
  const real = differences(ja.value, jb.value, '', [], ROUNDING);
  const fails = relTol === 0 || differences(ja.value, jb.value, '', [], relTol, 1).length > 0;
  if (real.length) return { kind: 'real', fails, lines: real };
  const exact = differences(ja.value, jb.value, '', []);
  if (!exact.length) return { kind: 'real', fails: true, lines: ['same values, different bytes (formatting)', ...firstLineDifference(a, b)] };
  return { kind: 'rounding', fails, lines: [`largest relative difference ${maxRelative(ja.value, jb.value).toExponential(2)}`, ...exact] };
}

const base = outputs(baseDir);
const cand = outputs(candDir);
const onlyBase = [...base].filter((f) => !cand.has(f)).sort();
const onlyCand = [...cand].filter((f) => !base.has(f)).sort();
const differing = [];
let same = 0;
let inputsDiffer = 0;
for (const name of [...base].filter((f) => cand.has(f)).sort()) {
  const a = readFileSync(join(baseDir, name), 'utf8');
  const b = readFileSync(join(candDir, name), 'utf8');
  if (a === b) {
    same++;
    continue;
  }
  if (name.endsWith('.meta.json') && JSON.parse(a).sha256 !== JSON.parse(b).sha256) inputsDiffer++;
  differing.push(name);
}

const runInfo = (dir) => (existsSync(join(dir, 'run.json')) ? JSON.parse(readFileSync(join(dir, 'run.json'), 'utf8')) : {});
const [ra, rb] = [runInfo(baseDir), runInfo(candDir)];
const origin = (r) => `${r.cli ?? '?'}, ${r.commit?.head?.slice(0, 7) ?? 'no git tree'}${r.commit?.changedFiles ? ` + ${r.commit.changedFiles} changed files` : ''}${r.label ? `, ${r.label}` : ''}`;
console.log(`baseline:  ${baseDir}  (${origin(ra)})`);
console.log(`candidate: ${candDir}  (${origin(rb)})`);
if (ra.corpus && rb.corpus && ra.corpus !== rb.corpus) console.log(`WARNING: the two runs read different corpora (${ra.corpus} vs ${rb.corpus})`);
if (inputsDiffer) console.log(`WARNING: ${inputsDiffer} input files differ between the runs (SHA-256 in *.meta.json): regenerate neither, rerun both on one corpus`);
console.log(`${same} outputs identical, ${differing.length} differ, ${onlyBase.length} only in the baseline, ${onlyCand.length} only in the candidate`);
const byKind = {};
for (const f of differing) {
  const kind = f.replace(/^.*\.(\w+)\.(json|txt)$/, '$1');
  byKind[kind] = (byKind[kind] ?? 0) + 1;
}
if (differing.length) console.log(`differing by kind: ${Object.entries(byKind).map(([k, v]) => `${k} ${v}`).join(', ')}`);
for (const f of onlyBase.slice(0, maxFiles)) console.log(`  only in baseline: ${f}`);
for (const f of onlyCand.slice(0, maxFiles)) console.log(`  only in candidate: ${f}`);
const classified = differing.map((name) => ({ name, ...classify(name, readFileSync(join(baseDir, name), 'utf8'), readFileSync(join(candDir, name), 'utf8')) }));
const real = classified.filter((c) => c.kind === 'real');
const rounding = classified.filter((c) => c.kind === 'rounding');
if (differing.length) console.log(`${real.length} differ in substance, ${rounding.length} only by float rounding (every number within relative ${ROUNDING})`);
// Real differences first: they are the ones to look at.
for (const c of [...real, ...rounding].slice(0, maxFiles)) {
  console.log(`\n${c.name}${c.kind === 'rounding' ? '  [rounding only]' : ''}`);
  for (const line of c.lines) console.log(`  ${line}`);
}
if (differing.length > maxFiles) console.log(`\n… and ${differing.length - maxFiles} more differing files (--files N to see them)`);
const failing = classified.filter((c) => c.fails).length;
if (relTol > 0) console.log(`\nwith --rel-tol ${relTol}: ${failing} of ${differing.length} differing files fail`);
process.exitCode = failing || onlyBase.length || onlyCand.length ? 1 : 0;
