// Every diagnostic code of spec §3 (but the cost findings, tested with the cost model) and every
// extra code this project adds has a fixture that triggers it and a clean counterpart that
// differs minimally. The expected diagnostics are written into the fixtures as caret markers
// (see fixtureMarkers.ts); a fixture passes only when the file's diagnostics are exactly its
// markers: same code, same range, same severity, nothing missing and nothing extra.

import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { analyze, sourceFromText } from '../../../server/src/engine/index';
import type { Diagnostic } from '../../../server/src/engine/diagnostics';
import type { LineIndex } from '../../../server/src/engine/syntax/lineIndex';
import { readMarkers, type Marker } from './fixtureMarkers';

const FIXTURES = join(__dirname, '../../fixtures/diagnostics');

/** Spec §3 codes the checker reports (the cost findings are the cost model's tests). */
const SPEC_CODES = [
  'syntax',
  'unknown-name',
  'duplicate-name',
  'unknown-field',
  'missing-field',
  'unknown-dim',
  'duplicate-dim',
  'unknown-axis',
  'axis-reused',
  'sharding-mismatch',
  'type-mismatch',
  'partialsum',
  'bad-collective',
  'missing-annotation',
  'bad-reduction',
  'not-divisible',
  'unit',
];
/** Codes this project adds (docs/language.md §7). `limit` is declared but never reported. */
const EXTRA_CODES = ['bad-value', 'bad-call', 'bad-block', 'no-unembed'];

const fixtureCodes = readdirSync(FIXTURES)
  .filter((f) => f.endsWith('.shard') && !f.endsWith('.ok.shard'))
  .map((f) => f.slice(0, -'.shard'.length))
  .sort();

function load(name: string) {
  const text = readFileSync(join(FIXTURES, name), 'utf8');
  const analysis = analyze(sourceFromText(text, `file:///fixtures/${name}`));
  return { text, analysis, markers: readMarkers(text) };
}

function describeRange(lines: LineIndex, text: string, span: { start: number; end: number }): string {
  const s = lines.positionAt(span.start);
  const e = lines.positionAt(span.end);
  return `${s.line + 1}:${s.character}-${e.line === s.line ? e.character : `${e.line + 1}:${e.character}`} \`${text.slice(span.start, span.end)}\``;
}

/** Asserts the diagnostics are exactly the markers, then each marker's message expectations. */
function expectDiagnosticsToMatch(text: string, diagnostics: Diagnostic[], markers: Marker[], lines: LineIndex): void {
  const key = (code: string, severity: string, span: { start: number; end: number }) => `${describeRange(lines, text, span)} ${code} ${severity}`;
  const actual = diagnostics.map((d) => key(d.code, d.severity, d.span)).sort();
  const expected = markers.map((m) => key(m.code, m.severity, m)).sort();
  // Messages are in the failure output, to show what the checker said where it disagrees.
  expect(actual, diagnostics.map((d) => `${key(d.code, d.severity, d.span)}: ${d.message}`).join('\n')).toEqual(expected);
  for (const m of markers) {
    const d = diagnostics.find((x) => x.code === m.code && x.span.start === m.start && x.span.end === m.end)!;
    const where = `marker on line ${m.markerLine}: ${d.message}`;
    for (const s of m.substrings) expect(d.message, where).toContain(s);
    for (const p of m.patterns) expect(d.message, where).toMatch(p);
    for (const fix of m.fixes) expect(d.fixes?.flatMap((f) => f.edits.map((e) => e.newText)) ?? [], where).toContain(fix);
    if (m.related) expect(d.related?.length ?? 0, where).toBeGreaterThan(0);
  }
}

it('every checker code has a fixture and a clean counterpart', () => {
  expect(fixtureCodes).toEqual([...SPEC_CODES, ...EXTRA_CODES].sort());
  for (const code of fixtureCodes) expect(existsSync(join(FIXTURES, `${code}.ok.shard`)), `${code}.ok.shard`).toBe(true);
});

describe.each(fixtureCodes)('%s', (code) => {
  it(`reports ${code} exactly where the fixture marks it`, () => {
    const { text, analysis, markers } = load(`${code}.shard`);
    expect(markers.some((m) => m.code === code)).toBe(true);
    expectDiagnosticsToMatch(text, analysis.diagnostics, markers, analysis.lineIndex);
  });

  it(`the clean counterpart has no ${code} and nothing unmarked`, () => {
    const { text, analysis, markers } = load(`${code}.ok.shard`);
    expect(markers.filter((m) => m.code === code)).toEqual([]);
    expectDiagnosticsToMatch(text, analysis.diagnostics, markers, analysis.lineIndex);
  });
});

describe('order and uniqueness (spec §3)', () => {
  const all = fixtureCodes.flatMap((c) => [`${c}.shard`, `${c}.ok.shard`]);

  it.each(all)('%s: diagnostics are sorted by line, column, code', (name) => {
    const { analysis } = load(name);
    const keys = analysis.diagnostics.map((d) => {
      const p = analysis.lineIndex.positionAt(d.span.start);
      return [p.line, p.character, d.code] as const;
    });
    const sorted = [...keys].sort((a, b) => a[0] - b[0] || a[1] - b[1] || (a[2] < b[2] ? -1 : a[2] > b[2] ? 1 : 0));
    expect(keys).toEqual(sorted);
  });

  it.each(all)('%s: no token gets the same code twice', (name) => {
    const { analysis } = load(name);
    const keys = analysis.diagnostics.map((d) => `${d.code}@${d.span.start}-${d.span.end}`);
    expect(keys.length).toBe(new Set(keys).size);
  });
});
