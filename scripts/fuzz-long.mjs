#!/usr/bin/env node
// The long, opt-in fuzz run (issue 7): repeats the fuzz suites (test/unit/fuzz and the LSP fuzz
// test) with a fresh random seed each round and many more cases per round, for N minutes
// (default 10). Every round prints its seed first, so a failure replays exactly with
//
//   SHARDLENS_FUZZ_SEED=<seed> SHARDLENS_FUZZ_RUNS=<scale> npx vitest run test/unit/fuzz test/lsp/fuzz.test.ts
//
// The suites write each minimized failing input to the temporary directory and name the file in
// their failure message; add it to test/fixtures/fuzz/.
//
//   node scripts/fuzz-long.mjs [minutes] [--scale N] [--seed S]   (--seed: start from this seed)

import { spawn } from 'node:child_process';
import { randomInt } from 'node:crypto';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const option = (name) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const minutes = Number(args.find((a, i) => !a.startsWith('--') && !args[i - 1]?.startsWith('--')) ?? 10);
// 3× the suite's cases per round keeps each property under vitest's worker RPC timeout (a
// synchronous property that runs for minutes starves the worker's event loop, which vitest
// reports as "Timeout calling onTaskUpdate"); more coverage comes from more rounds and seeds.
const scale = Number(option('--scale') ?? 3);
let seed = option('--seed') !== undefined ? Number(option('--seed')) : randomInt(1, 2 ** 31 - 1);
if (!Number.isFinite(minutes) || minutes <= 0 || !Number.isFinite(scale) || scale <= 0 || !Number.isInteger(seed)) {
  console.error('usage: node scripts/fuzz-long.mjs [minutes] [--scale N] [--seed S]');
  process.exit(2);
}

const deadline = Date.now() + minutes * 60_000;
const vitest = resolve(root, 'node_modules/vitest/vitest.mjs');
const failures = [];
let round = 0;

function runRound(s) {
  return new Promise((resolvePromise) => {
    const child = spawn(process.execPath, [vitest, 'run', 'test/unit/fuzz', 'test/lsp/fuzz.test.ts'], {
      cwd: root,
      env: { ...process.env, SHARDLENS_FUZZ_SEED: String(s), SHARDLENS_FUZZ_RUNS: String(scale) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    // A round that outlives the whole run is a hang the per-case bound could not catch (a
    // synchronous loop that never returns): stop it and report the seed.
    const timer = setTimeout(() => child.kill('SIGKILL'), Math.max(60_000, deadline - Date.now() + 5 * 60_000));
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolvePromise({ code, signal, out });
    });
  });
}

console.log(`fuzz-long: ${minutes} min, ${scale}× the suite's cases per round, first seed ${seed}`);
while (Date.now() < deadline) {
  round++;
  const started = Date.now();
  console.log(`round ${round}: SHARDLENS_FUZZ_SEED=${seed} SHARDLENS_FUZZ_RUNS=${scale}`);
  const r = await runRound(seed);
  const secs = ((Date.now() - started) / 1000).toFixed(0);
  if (r.code === 0) {
    console.log(`  passed in ${secs} s`);
  } else {
    // Keep the failure lines (problem, seed, where the minimized input was written).
    const lines = r.out.split('\n').filter((l) => /×|→|written to|seed \d+|threw|took \d+ ms|outside|non-finite|NaN|overlapping|idempotent|Unhandled|Timeout calling/.test(l));
    console.log(`  FAILED in ${secs} s${r.signal ? ` (killed: ${r.signal})` : ''}; reproduce with SHARDLENS_FUZZ_SEED=${seed} SHARDLENS_FUZZ_RUNS=${scale}`);
    for (const l of [...new Set(lines)].slice(0, 30)) console.log(`    ${l.trim()}`);
    failures.push(seed);
  }
  seed = randomInt(1, 2 ** 31 - 1);
}
console.log(`fuzz-long: ${round} rounds, ${failures.length} failed${failures.length ? ` (seeds ${failures.join(', ')})` : ''}`);
process.exitCode = failures.length ? 1 : 0;
