// Every diagnostic code of the engine's table (server/src/engine/diagnosticCodes.ts) has a
// fixture that triggers it and a clean counterpart that differs minimally; a fixture named after
// no code of the table fails. The expected diagnostics are written into the fixtures as caret
// markers (see fixtureMarkers.ts); a fixture passes only when the file's diagnostics are exactly
// its markers: same code, same range, same severity, nothing missing and nothing extra.

import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { analyze, sourceFromText } from '../../../server/src/engine/index';
import type { Diagnostic } from '../../../server/src/engine/diagnostics';
import { ALL_DIAGNOSTIC_CODES, DIAGNOSTIC_CODES, isDiagnosticCode } from '../../../server/src/engine/diagnosticCodes';
import type { LineIndex } from '../../../server/src/engine/syntax/lineIndex';
import { readMarkers, type Marker } from './fixtureMarkers';

const FIXTURES = join(__dirname, '../../fixtures/diagnostics');

/**
 * Fixtures that assert the spec where the checker does not follow it yet: their tests are
 * expected to fail (`it.fails`) until the checker is fixed, then this entry must go. Each is
 * described in knownDeviations.test.ts.
 */
const KNOWN_DEVIATIONS: Record<string, string> = {};

/** A fixture's code: its name without `.shard` / `.ok.shard`. */
function codeOf(name: string): string {
  return name.replace(/(\.ok)?\.shard$/, '');
}

const fixtureCodes = readdirSync(FIXTURES)
  .filter((f) => f.endsWith('.shard') && !f.endsWith('.ok.shard'))
  .map(codeOf)
  .sort();

function load(name: string) {
  const text = readFileSync(join(FIXTURES, name), 'utf8');
  const code = codeOf(name);
  // The checker's fixtures are analysed without costing, so that the cost findings do not need
  // markers there; the cost model's fixtures are costed (with every better-layout hint).
  const cost = isDiagnosticCode(code) && DIAGNOSTIC_CODES[code].reportedBy === 'cost model';
  const analysis = analyze(sourceFromText(text, `file:///fixtures/${name}`), { cost });
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
  expect(actual.join('\n'), diagnostics.map((d) => `${key(d.code, d.severity, d.span)}: ${d.message}`).join('\n')).toBe(expected.join('\n'));
  // Several markers may share a range and code (a built-in block's findings all land on the
  // layout's value); each must be met by a diagnostic of its own.
  const unused = new Set(diagnostics);
  for (const m of markers) {
    const candidates = diagnostics.filter((d) => d.code === m.code && d.span.start === m.start && d.span.end === m.end);
    const met = candidates.find((d) => unused.has(d) && meets(d, m));
    expect(met, `marker on line ${m.markerLine} (${describeMarker(m)}) is met by none of:\n${candidates.map((d) => d.message).join('\n')}`).toBeDefined();
    unused.delete(met!);
  }
}

function meets(d: Diagnostic, m: Marker): boolean {
  const fixTexts = d.fixes?.flatMap((f) => f.edits.map((e) => e.newText)) ?? [];
  return (
    m.substrings.every((s) => d.message.includes(s)) &&
    m.patterns.every((p) => p.test(d.message)) &&
    m.fixes.every((f) => fixTexts.includes(f)) &&
    (!m.related || (d.related?.length ?? 0) > 0)
  );
}

function describeMarker(m: Marker): string {
  return [...m.substrings.map((s) => JSON.stringify(s)), ...m.patterns.map(String), ...m.fixes.map((f) => `fix=${f}`), m.related ? 'related' : ''].join(' ');
}

it('every code of the table has a fixture and a clean counterpart, and every fixture is named after a code', () => {
  const fixturesOfNoCode = fixtureCodes.filter((c) => !isDiagnosticCode(c));
  const codesWithoutFixture = ALL_DIAGNOSTIC_CODES.filter((c) => !fixtureCodes.includes(c));
  expect({ fixturesOfNoCode, codesWithoutFixture }).toEqual({ fixturesOfNoCode: [], codesWithoutFixture: [] });
  const cleanCounterparts = readdirSync(FIXTURES).filter((f) => f.endsWith('.ok.shard'));
  for (const code of fixtureCodes) expect(existsSync(join(FIXTURES, `${code}.ok.shard`)), `${code}.ok.shard`).toBe(true);
  for (const f of cleanCounterparts) expect(fixtureCodes, `${f} has no ${codeOf(f)}.shard`).toContain(codeOf(f));
});

describe.each(fixtureCodes)('%s', (code) => {
  const itMatches = KNOWN_DEVIATIONS[code] ? it.fails : it;
  itMatches(`reports ${code} exactly where the fixture marks it`, () => {
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

  // One block used by both phases of a layout must not repeat its findings (spec §3: the same
  // diagnostic for the same token is reported once). Messages may name the phase, so the phase is
  // not part of what makes two findings different; different findings on one token (a built-in
  // block's, all on the layout's value) differ in what they say about sizes and types.
  it.each(all)('%s: the same diagnostic is not reported twice on one token', (name) => {
    const { analysis } = load(name);
    const keys = analysis.diagnostics.map((d) => `${d.code}@${d.span.start}-${d.span.end}: ${d.message.replace(/ ?\((prefill|decode)\)/g, '')}`);
    expect(keys.length, keys.join('\n')).toBe(new Set(keys).size);
  });
});
