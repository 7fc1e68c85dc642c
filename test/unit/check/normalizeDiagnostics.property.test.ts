// normalizeDiagnostics sorts and drops repeats without building a key per diagnostic; this checks
// it against the plain definition (first of each uri/span/code/message in sorted order) on random
// lists, including large groups of diagnostics on one token.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { normalizeDiagnostics, type Diagnostic } from '../../../server/src/engine/diagnostics';
import type { SourceFile } from '../../../server/src/engine/syntax/ast';

const SOURCES: SourceFile[] = [
  { uri: 'file:///a.shard', text: '', isPrelude: false },
  { uri: 'file:///b.shard', text: '', isPrelude: false },
];
const CODES = ['not-divisible', 'unknown-axis', 'comm-bound'] as const;
const SEVERITIES = ['error', 'warning', 'information', 'hint'] as const;
const ORDER = { error: 0, warning: 1, information: 2, hint: 3 };

function reference(list: Diagnostic[]): Diagnostic[] {
  const sorted = [...list].sort(
    (a, b) =>
      a.span.start - b.span.start ||
      (a.code < b.code ? -1 : a.code > b.code ? 1 : 0) ||
      ORDER[a.severity] - ORDER[b.severity] ||
      a.span.end - b.span.end,
  );
  const seen = new Set<string>();
  return sorted.filter((d) => {
    const key = `${d.source.uri}|${d.span.start}|${d.span.end}|${d.code}|${d.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

const diagnostic = fc
  .record({
    source: fc.constantFrom(...SOURCES),
    start: fc.integer({ min: 0, max: 3 }),
    length: fc.integer({ min: 0, max: 2 }),
    code: fc.constantFrom(...CODES),
    severity: fc.constantFrom(...SEVERITIES),
    message: fc.constantFrom('m1', 'm2', 'm3', 'layout a: x', 'layout b: x'),
  })
  .map(({ source, start, length, code, severity, message }): Diagnostic => ({ source, span: { start, end: start + length }, code, severity, message }));

describe('normalizeDiagnostics', () => {
  it('keeps the first of each uri, span, code and message, in sorted order', () => {
    fc.assert(
      fc.property(fc.array(diagnostic, { maxLength: 120 }), (list) => {
        expect(normalizeDiagnostics(list)).toEqual(reference(list));
      }),
      { seed: 20261128, numRuns: 400 },
    );
  });

  it('drops repeats in a group of many diagnostics on one token', () => {
    const source = SOURCES[0];
    const list: Diagnostic[] = [];
    for (let i = 0; i < 200; i++) list.push({ source, span: { start: 5, end: 6 }, code: 'not-divisible', severity: 'warning', message: `layout l${i % 70}: K = 1` });
    const out = normalizeDiagnostics(list);
    expect(out).toHaveLength(70);
    expect(out).toEqual(reference(list));
  });
});
