// A user's clone has nothing beside it: no file of the project may read a folder outside the
// repository (the paper's golden data is a fixture, test/fixtures/paper). This scans every file git
// tracks for a path that climbs out of the clone into a sibling such as ../shared.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const SOURCE = /\.(ts|mts|mjs|js|json|sh)$|^\.ci\/run$/;
// A path that reaches the sibling folder the developers work beside (`../shared/…` from the root,
// or as many `../` as it takes from a nested file).
const OUTSIDE = /(?:\.\.\/)+shared\/(?:data|spec|reference|style|testing|hooks)\b/;

function trackedFiles(): string[] {
  return execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard'], { cwd: REPO_ROOT, encoding: 'utf8' })
    .split('\n')
    .filter((f) => f && SOURCE.test(f) && !f.startsWith('node_modules/') && f !== 'package-lock.json');
}

describe('the project stands alone', () => {
  it('has the paper data as its own fixture', () => {
    const data = JSON.parse(readFileSync(resolve(REPO_ROOT, 'test/fixtures/paper/pope2022.json'), 'utf8'));
    expect(data.source).toMatch(/Pope et al/);
    expect(Object.keys(data.models)).toContain('palm_540b');
  });

  it('reads nothing outside the clone', () => {
    const offenders: string[] = [];
    for (const file of trackedFiles()) {
      let text: string;
      try {
        text = readFileSync(resolve(REPO_ROOT, file), 'utf8');
      } catch {
        continue; // deleted in the working tree
      }
      if (file === 'test/unit/project/standalone.test.ts') continue;
      text.split('\n').forEach((line, i) => {
        if (OUTSIDE.test(line)) offenders.push(`${file}:${i + 1}: ${line.trim()}`);
      });
    }
    expect(offenders).toEqual([]);
  });

  it('the scan would see an offender', () => {
    expect(OUTSIDE.test("readFileSync(resolve(ROOT, '../shared/data/pope2022.json'))")).toBe(true);
    expect(OUTSIDE.test("import { x } from '../shared/searchThread'")).toBe(false);
  });
});
