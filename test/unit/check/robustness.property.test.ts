// Property: whatever the user is in the middle of typing, `analyze` returns, every range it
// reports lies within the text, and a hover where an edit was made either says nothing or
// describes what lies under the cursor. Inputs are the examples and the prelude with random
// edits: characters and tokens deleted, inserted and replaced.

import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { analyze, DEFAULT_SETTINGS, EDITOR_LIMITS, sharedShardService, sourceFromText, type Analysis } from '../../../server/src/engine/index';
import { PRELUDE_FILES } from '../../../server/src/engine/prelude/index';
import type { Diagnostic } from '../../../server/src/engine/diagnostics';

const SEED = 77;
const EXAMPLES = join(__dirname, '../../../examples');

const SOURCES = [
  ...readdirSync(EXAMPLES)
    .filter((f) => f.endsWith('.shard'))
    // Examples have layouts, so each analysis also costs them: fewer runs keep the suite fast.
    .map((f) => ({ name: `examples/${f}`, text: readFileSync(join(EXAMPLES, f), 'utf8'), runs: 12 })),
  ...PRELUDE_FILES.map((s) => ({ name: s.uri, text: s.text, runs: 40 })),
];

/** Fragments that make the parser and checker take unusual paths. */
const FRAGMENTS = [
  '{', '}', '(', ')', '=', ':', ',', ';', '-', '_', '#', '\n', '\r\n', '\r', ' ', '\t', '0', '1e9', '2.5', '%',
  'x', 'yz', 'w', 'B_x', 'LL', 'E_xx', '(partialsum-', '(partialsum-x)', 'in ', 'out ', 'weight ', 'cache ',
  'ffn ', 'attention ', 'unembed ', 'layout ', 'model ', 'mesh ', 'hardware ', 'workload ', 'prefill { ', 'decode {',
  'einsum(', 'all_gather(', 'reduce_scatter(', 'slice(', 'append(', 'KB', 'TB/s', 'GiB', 'é', '🚀', '\u0000', '\uFEFF', '\uD800',
];

interface Edit {
  kind: 'delete' | 'insert' | 'replace-token';
  at: number;
  length: number;
  fragment: string;
}

const editArb: fc.Arbitrary<Edit> = fc.record({
  kind: fc.constantFrom('delete', 'insert', 'replace-token'),
  at: fc.double({ min: 0, max: 1, noNaN: true }),
  length: fc.integer({ min: 1, max: 40 }),
  fragment: fc.oneof(fc.constantFrom(...FRAGMENTS), fc.string({ maxLength: 6 }), fc.string({ unit: 'binary', maxLength: 3 })),
}).map((e) => ({ ...e, at: Math.floor(e.at * 1e6) }));

function applyEdit(text: string, e: Edit): string {
  const at = text.length ? e.at % (text.length + 1) : 0;
  switch (e.kind) {
    case 'delete':
      return text.slice(0, at) + text.slice(at + e.length);
    case 'insert':
      return text.slice(0, at) + e.fragment + text.slice(at);
    case 'replace-token': {
      // Replace the word or punctuation mark that starts at or after `at`.
      const m = /[A-Za-z0-9_.]+|[^\sA-Za-z0-9_.]/.exec(text.slice(at));
      if (!m) return text + e.fragment;
      const start = at + m.index;
      return text.slice(0, start) + e.fragment + text.slice(start + m[0].length);
    }
  }
}

function expectWithin(text: string, d: Diagnostic): void {
  const where = `${d.code} [${d.span.start}, ${d.span.end}) in a text of ${text.length}: ${d.message}`;
  expect(Number.isInteger(d.span.start) && Number.isInteger(d.span.end), where).toBe(true);
  expect(d.span.start, where).toBeGreaterThanOrEqual(0);
  expect(d.span.end, where).toBeGreaterThanOrEqual(d.span.start);
  expect(d.span.end, where).toBeLessThanOrEqual(text.length);
  for (const r of d.related ?? []) {
    expect(r.span.start, where).toBeGreaterThanOrEqual(0);
    expect(r.span.end, where).toBeLessThanOrEqual(r.source.text.length);
  }
  for (const f of d.fixes ?? []) for (const e of f.edits) expect(e.span.end, where).toBeLessThanOrEqual(text.length);
}

/**
 * A hover is null (nothing under the cursor) or Markdown about a span of the text that holds
 * the cursor.
 */
function expectHoverAt(analysis: Analysis, text: string, offset: number): void {
  const hover = sharedShardService().hover(analysis, offset, DEFAULT_SETTINGS);
  if (!hover) return;
  const where = `hover at ${offset} over [${hover.span.start}, ${hover.span.end}) in a text of ${text.length}`;
  expect(hover.markdown.trim(), where).not.toBe('');
  expect(hover.span.start, where).toBeLessThanOrEqual(offset);
  expect(hover.span.end, where).toBeGreaterThanOrEqual(offset);
  expect(hover.span.end, where).toBeLessThanOrEqual(text.length);
}

describe('analyze survives random edits', () => {
  it.each(SOURCES)('$name', ({ text, runs }) => {
    fc.assert(
      fc.property(fc.array(editArb, { minLength: 1, maxLength: 6 }), (edits) => {
        const edited = edits.reduce(applyEdit, text);
        const analysis = analyze(sourceFromText(edited, 'file:///edited.shard'), EDITOR_LIMITS);
        for (const d of analysis.diagnostics) expectWithin(edited, d);
        const starts = analysis.diagnostics.map((d) => d.span.start);
        expect(starts).toEqual([...starts].sort((a, b) => a - b));
        // The editor converts every range to positions: they must be valid too.
        for (const d of analysis.diagnostics) {
          const { start, end } = analysis.lineIndex.rangeOf(d.span);
          expect(start.line).toBeLessThan(analysis.lineIndex.lineCount);
          expect(end.line * 1e6 + end.character).toBeGreaterThanOrEqual(start.line * 1e6 + start.character);
        }
        // Where the edits were made: the likeliest places for a half-typed construct.
        for (const e of edits) expectHoverAt(analysis, edited, e.at % (edited.length + 1));
      }),
      { seed: SEED, numRuns: runs },
    );
  });
});

describe('hovers over the examples', () => {
  const examples = SOURCES.filter((s) => s.name.startsWith('examples/'));

  it.each(examples)('$name: each layout name is described, a comment is not', ({ text }) => {
    const analysis = analyze(sourceFromText(text, 'file:///example.shard'), EDITOR_LIMITS);
    for (const layout of analysis.layouts) {
      const { start, end } = layout.decl.name;
      const hover = sharedShardService().hover(analysis, start + 1, DEFAULT_SETTINGS);
      expect(hover?.span, layout.name).toMatchObject({ start, end });
      expect(hover?.markdown, layout.name).toContain(`**layout** \`${layout.name}\``);
    }
    const comment = text.indexOf('#');
    expect(comment).toBeGreaterThanOrEqual(0);
    expect(sharedShardService().hover(analysis, comment + 1, DEFAULT_SETTINGS)).toBeNull();
  });
});
