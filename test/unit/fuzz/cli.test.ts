// Fuzzing the CLI's machine-readable output (issue 7: "JSON output is always strict"): random
// files and the fuzz fixtures go through the built CLI (dist/cli.js, built by globalSetup) on
// standard input. Whatever the text, `check --format json|sarif` and `report --json` exit 0 or 1,
// print nothing on stderr that looks like a stack trace, and print strict JSON with finite
// numbers (a report's null only where cli.md allows one). Fewer cases than the engine fuzz:
// each one is three processes.

import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fileArb, runs, SEED } from './arbitraries';
import { checkReportValue, Problems } from './oracle';

const ROOT = join(__dirname, '../../..');
const CLI = join(ROOT, 'bin/shardlens.js');
const FIXTURES = join(ROOT, 'test/fixtures/fuzz');

function cli(args: string[], input: string): { status: number | null; stdout: string; stderr: string } {
  const once = () => spawnSync(process.execPath, [CLI, ...args], { input, encoding: 'utf8', timeout: 30_000, maxBuffer: 64 * 1024 * 1024 });
  let r = once();
  // A process killed by the time bound on a loaded machine gets one more chance; a second
  // timeout is reported (as a hang, with the signal).
  if (r.status === null) r = once();
  const why = r.status === null ? ` (killed: ${r.signal ?? r.error?.message})` : '';
  return { status: r.status, stdout: r.stdout ?? '', stderr: (r.stderr ?? '') + why };
}

function problemsOf(text: string): string[] {
  const problems: string[] = [];
  for (const args of [['check', '-', '--format', 'json'], ['check', '-', '--format', 'sarif'], ['report', '-', '--json']]) {
    const what = `shardlens ${args.join(' ')}`;
    const r = cli(args, text);
    if (r.status !== 0 && r.status !== 1) problems.push(`${what}: exit status ${r.status}; stderr: ${r.stderr.slice(0, 300)}`);
    if (/\n\s+at .+:\d+:\d+/.test(r.stderr)) problems.push(`${what}: a stack trace on stderr: ${r.stderr.slice(0, 300)}`);
    if (/\bNaN\b|-?\bInfinity\b/.test(r.stdout.replace(/"(?:[^"\\]|\\.)*"/g, '""'))) problems.push(`${what}: bare NaN or Infinity in the JSON`);
    let json: unknown;
    try {
      json = JSON.parse(r.stdout);
    } catch (e) {
      problems.push(`${what}: output is not JSON (${(e as Error).message}): ${r.stdout.slice(0, 200)}`);
      continue;
    }
    if (args[0] === 'report') {
      const p = new Problems();
      checkReportValue(json, 'report', false, p);
      problems.push(...p.list.map((l) => `${what}: ${l}`));
    }
  }
  return problems;
}

describe('fuzz: the CLI prints strict JSON for any input', () => {
  it('random files', () => {
    const details = fc.check(
      fc.property(fileArb.filter((t) => t.length < 200_000), (text) => {
        const problems = problemsOf(text);
        if (problems.length) throw new Error(problems.join('\n'));
      }),
      { seed: SEED, numRuns: runs(12), endOnFailure: true },
    );
    if (details.failed) {
      const text = details.counterexample?.[0] ?? '';
      throw new Error(`${details.errorInstance instanceof Error ? details.errorInstance.message : details.errorInstance}\nseed ${SEED}; input ${JSON.stringify(text.slice(0, 600))}`);
    }
  }, 120_000);

  const fixtures = readdirSync(FIXTURES).filter((f) => f.endsWith('.shard'));
  it.each(fixtures)('fixture %s', (name) => {
    expect(problemsOf(readFileSync(join(FIXTURES, name), 'utf8'))).toEqual([]);
  }, 60_000);
});
