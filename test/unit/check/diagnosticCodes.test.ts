// The table of diagnostic codes (server/src/engine/diagnosticCodes.ts) is the one list: the SARIF
// rules and docs/diagnostics.md are made from it (the fixtures are checked against it in
// diagnosticFixtures.test.ts). These tests fail when a code is missing from either.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ALL_DIAGNOSTIC_CODES, DIAGNOSTIC_CODES } from '../../../server/src/engine/diagnosticCodes';
import { diagnosticsDocPage } from '../../../server/src/engine/diagnosticCodesDoc';
import { formatSarif } from '../../../server/src/cli/diagnosticFormats';

const DOCS_PAGE = join(__dirname, '../../../docs/diagnostics.md');

describe('the table of diagnostic codes', () => {
  it('has a sentence, a "when" and a range for every code', () => {
    for (const code of ALL_DIAGNOSTIC_CODES) {
      const info = DIAGNOSTIC_CODES[code];
      expect(info.summary, code).toMatch(/^[A-Z].{10,}\.$/);
      expect(info.when.length, code).toBeGreaterThan(10);
      expect(info.range.length, code).toBeGreaterThan(3);
    }
  });

  it('gives SARIF one rule per code, in the table order, described by the table', () => {
    const sarif = JSON.parse(formatSarif([], { toolVersion: '0', cwd: '/work' }));
    const rules: { id: string; shortDescription: { text: string } }[] = sarif.runs[0].tool.driver.rules;
    expect(rules.map((r) => r.id)).toEqual(ALL_DIAGNOSTIC_CODES);
    for (const r of rules) expect(r.shortDescription.text).toBe(DIAGNOSTIC_CODES[r.id as keyof typeof DIAGNOSTIC_CODES].summary);
  });

  it('docs/diagnostics.md is the page rendered from the table (run `node scripts/gen-diagnostics-doc.mjs` after changing it)', () => {
    const page = diagnosticsDocPage();
    for (const code of ALL_DIAGNOSTIC_CODES) expect(page).toContain(`| \`${code}\` |`);
    expect(readFileSync(DOCS_PAGE, 'utf8')).toBe(page);
  });
});
