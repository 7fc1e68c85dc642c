// Runs the TextMate grammar assertion files (test/grammar/*.shard, `# SYNTAX TEST` headers) with
// vscode-tmgrammar-test as part of the unit suite, so the grammar is checked wherever the unit
// tests run. `npm run test:grammar` runs the same files with the tool's own report.

import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const tool = path.join(repoRoot, 'node_modules/vscode-tmgrammar-test/dist/unit.js');
const grammar = path.join(repoRoot, 'syntaxes/shard.tmLanguage.json');

function runAssertions(pattern: string): { status: number | null; output: string } {
  const r = spawnSync(process.execPath, [tool, '-c', '-g', grammar, pattern], { cwd: repoRoot, encoding: 'utf8', timeout: 60000 });
  return { status: r.status, output: `${r.stdout}${r.stderr}` };
}

describe('TextMate grammar', () => {
  it('passes every assertion file', () => {
    const { status, output } = runAssertions('test/grammar/**/*.shard');
    expect(output).toMatch(/blocks\.shard/);
    expect(output).toMatch(/declarations\.shard/);
    expect(output).toMatch(/layouts\.shard/);
    expect(status, output).toBe(0);
  });

  it('fails on a wrong scope, so a passing run means something', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'shard-grammar-'));
    try {
      const file = path.join(dir, 'wrong.shard');
      writeFileSync(file, '# SYNTAX TEST "source.shard"\nmesh m = tpu_v4 { x = 4 }\n# <---- constant.numeric.shard\n');
      const { status, output } = runAssertions(file);
      expect(status).not.toBe(0);
      expect(output).toMatch(/keyword\.declaration\.mesh\.shard/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
