// The check output formats, in-process, on hand-made diagnostics: this pins the position
// arithmetic (code points for text, UTF-16 for JSON and SARIF) independently of the checker.

import { describe, expect, it } from 'vitest';
import type { Diagnostic } from '../../../server/src/engine/diagnostics';
import { sourceFromText } from '../../../server/src/engine/index';
import { LineIndex } from '../../../server/src/engine/syntax/lineIndex';
import {
  formatJson,
  formatSarif,
  formatText,
  RULE_DESCRIPTIONS,
  summarize,
  type CheckedFile,
} from '../../../server/src/cli/diagnosticFormats';

// Line 2 holds an astral character (two UTF-16 units, one code point) before the flagged `x`,
// so the text column (code points) and the JSON/SARIF column (UTF-16) must differ by one.
const text = 'mesh m = tpu_v4 { x = 4 }\n# 𝔼 then x\nlayout l { }\n';
const source = sourceFromText(text, 'a.shard');
const xOffset = text.indexOf('x', text.indexOf('𝔼'));

function diag(partial: Partial<Diagnostic> & Pick<Diagnostic, 'code' | 'severity' | 'span'>): Diagnostic {
  return { message: `${partial.code} here`, source, ...partial };
}

const file: CheckedFile = {
  name: 'a.shard',
  lineIndex: new LineIndex(text),
  diagnostics: [
    diag({ code: 'syntax', severity: 'error', span: { start: xOffset, end: xOffset + 1 }, message: 'unexpected x\nexpected a field' }),
    diag({ code: 'not-divisible', severity: 'warning', span: { start: 18, end: 19 }, layout: 'l', phase: 'decode' }),
    diag({ code: 'comm-bound', severity: 'information', span: { start: text.indexOf('l {'), end: text.indexOf('l {') + 1 } }),
    diag({ code: 'better-layout', severity: 'hint', span: { start: text.indexOf('l {'), end: text.indexOf('l {') + 1 }, layout: 'l' }),
  ],
};
const empty: CheckedFile = { name: 'b.shard', lineIndex: new LineIndex(''), diagnostics: [] };

describe('text format', () => {
  it('prints file:line:col: severity code: message with 1-based code-point columns, one line each', () => {
    expect(formatText([file, empty]).split('\n')).toEqual([
      'a.shard:2:10: error syntax: unexpected x expected a field',
      'a.shard:1:19: warning not-divisible: not-divisible here',
      'a.shard:3:8: information comm-bound: comm-bound here',
      'a.shard:3:8: hint better-layout: better-layout here',
      '',
    ]);
  });

  it('prints nothing at all for clean files', () => {
    expect(formatText([empty])).toBe('');
  });
});

describe('json format', () => {
  const doc = JSON.parse(formatJson([file, empty]));

  it('has the version, one entry per file in order, and the summary of cli.md', () => {
    expect(doc.version).toBe(1);
    expect(doc.files.map((f: { file: string }) => f.file)).toEqual(['a.shard', 'b.shard']);
    expect(doc.files[1].diagnostics).toEqual([]);
    expect(doc.summary).toEqual({ errors: 1, warnings: 1, information: 1, hints: 1 });
    expect(Object.keys(doc)).toEqual(['version', 'files', 'summary']);
  });

  it('gives zero-based UTF-16 ranges and layout/phase only where the engine set them', () => {
    const [syntax, notDiv, comm, better] = doc.files[0].diagnostics;
    expect(syntax).toEqual({
      code: 'syntax',
      severity: 'error',
      message: 'unexpected x expected a field',
      range: { start: { line: 1, character: 10 }, end: { line: 1, character: 11 } },
    });
    expect(notDiv).toMatchObject({ layout: 'l', phase: 'decode', range: { start: { line: 0, character: 18 } } });
    expect('layout' in comm).toBe(false);
    expect('phase' in better).toBe(false);
    expect(better.layout).toBe('l');
  });
});

describe('sarif format', () => {
  const doc = JSON.parse(formatSarif([file, { ...empty, name: '/abs/dir/c d.shard' }, { ...file, name: '<stdin>' }], { toolVersion: '9.9.9', cwd: '/work/x' }));
  const run = doc.runs[0];

  it('is SARIF 2.1.0 with every rule listed in the driver', () => {
    expect(doc.version).toBe('2.1.0');
    expect(doc.$schema).toMatch(/sarif-2\.1\.0/);
    expect(run.tool.driver.name).toBe('shardlens');
    expect(run.tool.driver.version).toBe('9.9.9');
    const ids = run.tool.driver.rules.map((r: { id: string }) => r.id);
    expect(ids).toEqual(Object.keys(RULE_DESCRIPTIONS));
    for (const r of run.tool.driver.rules) expect(r.shortDescription.text.length).toBeGreaterThan(10);
    expect(run.columnKind).toBe('utf16CodeUnits');
  });

  it('maps severities to levels and ruleId/ruleIndex to the code', () => {
    expect(run.results.slice(0, 4).map((r: { level: string }) => r.level)).toEqual(['error', 'warning', 'note', 'note']);
    for (const r of run.results) expect(run.tool.driver.rules[r.ruleIndex].id).toBe(r.ruleId);
    expect(run.results[0].ruleId).toBe('syntax');
    expect(run.results[1].properties).toEqual({ layout: 'l', phase: 'decode' });
  });

  it('gives 1-based regions in UTF-16 units and valid artifact URIs', () => {
    const loc = run.results[0].locations[0].physicalLocation;
    expect(loc.region).toEqual({ startLine: 2, startColumn: 11, endLine: 2, endColumn: 12 });
    expect(loc.artifactLocation).toEqual({ uri: 'a.shard', uriBaseId: '%SRCROOT%' });
    expect(run.originalUriBaseIds['%SRCROOT%'].uri).toBe('file:///work/x/');
    expect(run.results[4].locations[0].physicalLocation.artifactLocation.uri).toBe('%3Cstdin%3E');
  });

  it('still lists a rule for a code that has no description', () => {
    const odd = { ...file, diagnostics: [diag({ code: 'brand-new' as Diagnostic['code'], severity: 'error', span: { start: 0, end: 4 } })] };
    const r = JSON.parse(formatSarif([odd], { toolVersion: '1', cwd: '/' })).runs[0];
    const rule = r.tool.driver.rules[r.results[0].ruleIndex];
    expect(rule.id).toBe('brand-new');
    expect(rule.shortDescription.text).toMatch(/brand-new/);
  });

  it('is stable for a run with no results', () => {
    const clean = JSON.parse(formatSarif([empty], { toolVersion: '1', cwd: '/' }));
    expect(clean.runs[0].results).toEqual([]);
  });
});

describe('summary', () => {
  it('counts by severity', () => {
    expect(summarize([file, file])).toEqual({ errors: 2, warnings: 2, information: 2, hints: 2 });
  });
});
