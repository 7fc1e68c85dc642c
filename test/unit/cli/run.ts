// Running the `shardlens` command as a user does, for the CLI suites: the built bundle through
// bin/shardlens.js (built once by test/globalSetup.ts), checked on exit status, standard output
// and standard error (cli.md).

import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { expect } from 'vitest';

export const ROOT = path.resolve(__dirname, '../../..');

export interface Result {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `shardlens ARGS` in the repository root, with `input` on standard input. */
export function shardlens(args: string[], input?: string, timeout = 60000): Result {
  const r = spawnSync(process.execPath, ['bin/shardlens.js', ...args], {
    cwd: ROOT,
    input: input ?? '',
    encoding: 'utf8',
    timeout,
    env: { ...process.env, SHARDLENS_DEBUG: '' },
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** The contract for every failure: exactly one line on stderr, prefixed, and no stack trace. */
export function expectOneLineError(r: Result, code: number, pattern: RegExp): void {
  expect(r.code, r.stderr).toBe(code);
  const lines = r.stderr.split('\n').filter((l) => l !== '');
  expect(lines, r.stderr).toHaveLength(1);
  expect(lines[0]).toMatch(/^shardlens: /);
  expect(lines[0]).toMatch(pattern);
  expect(r.stderr).not.toMatch(/\n\s+at /);
}
