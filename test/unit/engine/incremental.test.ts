// Incremental analysis (syntax/parser.ts `parseIncremental`, analysis.ts `Reusable`): a service
// that analyses successive versions of one document reuses the parse and the block checks of the
// declarations a change did not touch, and the resolution and cost of each layout when nothing it
// reads changed. Its answers must be those of a from-scratch analysis of the same text, whatever
// the edit: random edits are applied to the benchmarks' large file and to every example, and the
// diagnostics, the syntax tree, the references, the resolved layouts, the costs, hovers' figures
// and the report of the incremental analysis are compared with a fresh one's.

import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createShardService, DEFAULT_SETTINGS, type Analysis, type AnalyzeOptions, type SourceFile } from '../../../server/src/engine/index';
import { loadPrelude, runAnalysis } from '../../../server/src/engine/analysis';
import { CostCache } from '../../../server/src/engine/costCache';
import { parse, parseIncremental, previousDecl } from '../../../server/src/engine/syntax/parser';
import { lex, relex, type LexResult } from '../../../server/src/engine/syntax/lexer';
// The file the language-server benchmarks edit (plain JavaScript, shared with bench/).
import { largeShardFile } from '../../../bench/largeShardFile.mjs';

const ROOT = path.resolve(__dirname, '../../..');
const EXAMPLES = readdirSync(path.join(ROOT, 'examples'))
  .filter((f) => f.endsWith('.shard'))
  .map((f) => ({ name: f, text: readFileSync(path.join(ROOT, 'examples', f), 'utf8') }));
/** A block with findings of its own (a value defined twice, with related information; an unknown operand). */
const BROKEN = 'ffn broken {\n  in h : BLE_xyz\n  weight w_in : E_x F_yz\n  a = all_gather(h, yz) : BLE_x\n  a = gelu(a)\n  b = einsum(a, w_gone) : BLF_yz\n  out b\n}\n\n';
/** The benchmarks' large file with such blocks before, between and after its copies, so that reused blocks carry findings. */
const LARGE = ((text: string) => {
  const middle = text.indexOf('# copy 8\n');
  return `${BROKEN}${text.slice(0, middle)}${BROKEN.replace('broken', 'broken_2')}${text.slice(middle)}${BROKEN.replace('broken', 'broken_3')}`;
})(largeShardFile(200));
const URI = 'file:///incremental.shard';
/** What the editor analyses while typing (documentStore.ts `TYPING`), and the CLI's full analysis. */
const TYPING: AnalyzeOptions = { maxCostedLayouts: 200, maxHintLayouts: 0, maxFileChars: 1_000_000 };

// From-scratch analyses: no previous version, their own cost cache.
const prelude = loadPrelude();
const freshCosts = new CostCache();
const fresh = (text: string, options: AnalyzeOptions): Analysis => runAnalysis({ prelude, costOf: (l) => freshCosts.cost(l) }, { uri: URI, text, isPrelude: false }, options);

/**
 * A comparable copy of engine data: a source becomes its URI and whether it is the analysis's own
 * text (a reused result still pointing at the previous version's text would differ here).
 */
function plain(x: unknown, own: SourceFile, seen = new Map<object, unknown>()): unknown {
  if (typeof x !== 'object' || x === null) return x;
  if (seen.has(x)) return seen.get(x);
  if ('uri' in x && 'text' in x && 'isPrelude' in x) return x === own ? `<own ${own.uri}>` : `<${(x as SourceFile).uri}${(x as SourceFile).uri === own.uri ? ' STALE' : ''}>`;
  if (Array.isArray(x)) {
    const out: unknown[] = [];
    seen.set(x, out);
    for (const v of x) out.push(plain(v, own, seen));
    return out;
  }
  if (x instanceof Map) return plain([...x.entries()], own, seen);
  const out: Record<string, unknown> = {};
  seen.set(x, out);
  // Getters too (a dim group's letter span), and only fields that are set.
  for (const k of Object.keys(x)) if ((x as Record<string, unknown>)[k] !== undefined) out[k] = plain((x as Record<string, unknown>)[k], own, seen);
  if ('letterSpan' in x) out.letterSpan = plain((x as { letterSpan: unknown }).letterSpan, own, seen);
  return out;
}

/** Offsets worth hovering: each declaration's name and a few points inside every block statement. */
function hoverOffsets(a: Analysis): number[] {
  const out: number[] = [];
  for (const d of a.file.decls) {
    out.push(d.name.start);
    if ('stmts' in d) for (const s of d.stmts.slice(0, 6)) out.push(s.start, Math.max(s.start, s.end - 2));
    if ('fields' in d) for (const f of d.fields.slice(0, 6)) out.push(f.value.start);
  }
  return out.slice(0, 60);
}

function expectSame(incremental: Analysis, scratch: Analysis, withReport: boolean): void {
  const service = createShardService();
  expect(incremental.source.text).toBe(scratch.source.text);
  expect(plain(incremental.file.decls, incremental.source)).toEqual(plain(scratch.file.decls, scratch.source));
  expect(incremental.file.errors).toEqual(scratch.file.errors);
  expect(incremental.file.comments).toEqual(scratch.file.comments);
  expect(plain(incremental.diagnostics, incremental.source)).toEqual(plain(scratch.diagnostics, scratch.source));
  expect(plain(incremental.refs, incremental.source)).toEqual(plain(scratch.refs, scratch.source));
  expect(incremental.layouts.map((l) => l.name)).toEqual(scratch.layouts.map((l) => l.name));
  // Resolved layouts whole (blocks, specs and their origins), including those reused from the previous version.
  expect(plain(incremental.layouts, incremental.source)).toEqual(plain(scratch.layouts, scratch.source));
  expect(plain(incremental.uncostable, incremental.source)).toEqual(plain(scratch.uncostable, scratch.source));
  expect(plain(incremental.layoutSpans, incremental.source)).toEqual(plain(scratch.layoutSpans, scratch.source));
  expect([...incremental.costs.keys()]).toEqual([...scratch.costs.keys()]);
  for (const [name, cost] of scratch.costs) {
    const mine = incremental.costs.get(name)!;
    expect(mine.layout).toBe(name);
    expect(mine.totalLatency.value).toBe(cost.totalLatency.value);
    for (const phase of ['prefill', 'decode'] as const) expect(mine[phase].pass.latency.value).toBe(cost[phase].pass.latency.value);
    expect(mine.memory.total.decode.value).toBe(cost.memory.total.decode.value);
    expect(mine.memory.fits).toBe(cost.memory.fits);
  }
  for (const offset of hoverOffsets(scratch)) {
    expect(service.hover(incremental, offset, DEFAULT_SETTINGS)).toEqual(service.hover(scratch, offset, DEFAULT_SETTINGS));
  }
  if (withReport) expect(service.report(incremental)).toEqual(service.report(scratch));
}

/** Text a user types or deletes: structure (braces, newlines, keywords), names, types, odd characters. */
const SNIPPETS = [
  '\n', '\n\n', '}', '{', ' ', 'x', 'q', 'y', '_x', 'z', '#', '# note\n', '=', ',', ';', '(', ')', ':', '\r\n', '\r', 'é', '🚀',
  'ffn ', 'layout ', 'mesh ', 'ffn f9 {\n', 'out y\n', ' : BLE_x', ' : BLF_yz (partialsum-x)', 'BLE_xyz', '4', '128',
  'a = all_gather(h, yz) : BLE_x\n',
  'layout l9 { model = tiny, mesh = pod, workload = chat, ffn = ws2d, attention = ws2d_batch }\n',
  'layout l9 = layout_1 { attention = batch }\n',
  'mesh pod = tpu_v4 { x = 4, y = 4, z = 8 }\n',
];

const editArb = fc.record({
  at: fc.double({ min: 0, max: 1, noNaN: true }),
  remove: fc.oneof({ weight: 4, arbitrary: fc.integer({ min: 0, max: 6 }) }, { weight: 1, arbitrary: fc.integer({ min: 0, max: 400 }) }),
  insert: fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...SNIPPETS) }, { weight: 1, arbitrary: fc.string({ maxLength: 5 }) }, { weight: 1, arbitrary: fc.constant('') }),
});
type Edit = { at: number; remove: number; insert: string };

function applyEdit(text: string, e: Edit): string {
  const at = Math.min(text.length, Math.floor(e.at * (text.length + 1)));
  return text.slice(0, at) + e.insert + text.slice(Math.min(text.length, at + e.remove));
}

/** Applies the edits one at a time, analysing each version incrementally and from scratch. */
function checkEdits(base: string, edits: Edit[], options: AnalyzeOptions, withReport: boolean): void {
  const service = createShardService();
  let text = base;
  service.analyze({ uri: URI, text, isPrelude: false }, options);
  for (const e of edits) {
    text = applyEdit(text, e);
    expectSame(service.analyze({ uri: URI, text, isPrelude: false }, options), fresh(text, options), withReport);
  }
}

describe('incremental analysis equals analysis from scratch', () => {
  it('on random edits of the large benchmark file (the editor’s options)', () => {
    fc.assert(fc.property(fc.array(editArb, { minLength: 1, maxLength: 4 }), (edits) => checkEdits(LARGE, edits, TYPING, false)), { numRuns: 15 });
  });

  it.each(EXAMPLES)('on random edits of examples/$name, with the report', ({ text }) => {
    fc.assert(fc.property(fc.array(editArb, { minLength: 1, maxLength: 3 }), (edits) => checkEdits(text, edits, {}, true)), { numRuns: 6 });
  });

  it('after undoing an edit, and on an identical text', () => {
    const edit = { at: 0.5, remove: 3, insert: 'q' };
    checkEdits(LARGE, [edit, { at: 0.5, remove: 1, insert: LARGE.slice(Math.floor(0.5 * (LARGE.length + 1)), Math.floor(0.5 * (LARGE.length + 1)) + 3) }, { at: 0, remove: 0, insert: '' }], TYPING, false);
  });
});

/**
 * Edits that keep the text's length, so that every other declaration is reused at its offsets
 * (layout resolutions and costs included, analysis.ts `layoutReuseOf`): each turns the `n`th
 * occurrence of one text into another of the same length, or back. They change what reused
 * layouts depend on: a block's body, which block a name finds (a block renamed to another's
 * name, which then finds the first of the two), a layout's own fields, and the records.
 */
const SAME_LENGTH: [string, string][] = [
  ['reduce_scatter(b, x)', 'reduce_scatter(b, q)'],
  ['reduce_scatter(b, x)', 'reduce_scatter(b, y)'],
  ['ffn ffn_3 {', 'ffn ffn_4 {'],
  ['ffn ffn_1 {', 'ffn ffn_x {'],
  ['ffn = ffn_5,', 'ffn = ffn_6,'],
  ['attention = ws2d_batch', 'attention = ws2d_heads'],
  ['tiny, mesh = pod,', 'tiny, mesh = pad,'],
  ['mesh pod = tpu_v4 { x = 4, y = 4, z = 4 }', 'mesh pod = tpu_v4 { x = 4, y = 4, z = 8 }'],
  ['H = 8,', 'H = 4,'],
  ['batch = 64', 'batch = 32'],
  ['weight w_in  : E_x F_yz', 'weight w_in  : E_x F_xz'],
  ['layout layout_2 {', 'layout layout_3 {'],
];

const sameLengthArb = fc.record({ pair: fc.integer({ min: 0, max: SAME_LENGTH.length - 1 }), n: fc.integer({ min: 0, max: 12 }), back: fc.boolean() });

function applySameLength(text: string, e: { pair: number; n: number; back: boolean }): string {
  const [a, b] = e.back ? [...SAME_LENGTH[e.pair]].reverse() : SAME_LENGTH[e.pair];
  const at: number[] = [];
  for (let i = text.indexOf(a); i >= 0; i = text.indexOf(a, i + 1)) at.push(i);
  if (!at.length) return text;
  const i = at[e.n % at.length];
  return text.slice(0, i) + b + text.slice(i + a.length);
}

describe('incremental analysis reuses layouts and costs, and still equals analysis from scratch', () => {
  it('on random same-length edits of the large benchmark file, with random edits between', () => {
    const step = fc.oneof({ weight: 5, arbitrary: sameLengthArb.map((same) => ({ same })) }, { weight: 1, arbitrary: editArb.map((edit) => ({ edit })) });
    fc.assert(
      fc.property(fc.array(step, { minLength: 1, maxLength: 6 }), (steps) => {
        const service = createShardService();
        let text = LARGE;
        service.analyze({ uri: URI, text, isPrelude: false }, TYPING);
        for (const s of steps) {
          text = 'same' in s ? applySameLength(text, s.same) : applyEdit(text, s.edit);
          expectSame(service.analyze({ uri: URI, text, isPrelude: false }, TYPING), fresh(text, TYPING), false);
        }
      }),
      { numRuns: 20 },
    );
  });

  it('on same-length edits of every example, with the report', () => {
    for (const { text } of EXAMPLES) {
      const service = createShardService();
      service.analyze({ uri: URI, text, isPrelude: false }, {});
      // A digit of the file changed and changed back, a letter, in turn at a few places.
      let now = text;
      for (const at of [0.2, 0.5, 0.8]) {
        const i = now.slice(Math.floor(at * now.length)).search(/[0-9a-z]/) + Math.floor(at * now.length);
        if (i < Math.floor(at * now.length)) continue;
        const c = now[i];
        for (const next of [/[0-9]/.test(c) ? (c === '1' ? '2' : '1') : c === 'x' ? 'y' : 'x', c]) {
          now = now.slice(0, i) + next + now.slice(i + 1);
          expectSame(service.analyze({ uri: URI, text: now, isPrelude: false }, {}), fresh(now, {}), true);
        }
      }
    }
  });

  it('over a long run of edits (reused references and costs are renewed in turn)', () => {
    const service = createShardService();
    let text = LARGE;
    service.analyze({ uri: URI, text, isPrelude: false }, TYPING);
    // Forty versions: more than a reused reference or cost is kept before it is taken anew
    // (analysis.ts MAX_REFS_AGE, MAX_COST_REUSE_AGE); compared every seventh version and at the end.
    for (let i = 0; i < 40; i++) {
      text = applySameLength(text, { pair: i % 2, n: i % 5, back: i % 4 >= 2 });
      const a = service.analyze({ uri: URI, text, isPrelude: false }, TYPING);
      if (i % 7 === 6 || i === 39) expectSame(a, fresh(text, TYPING), false);
    }
  });

  it('takes unchanged layouts and their costs from the previous version, and resolves the edited one again', () => {
    const service = createShardService();
    const before = service.analyze({ uri: URI, text: LARGE, isPrelude: false }, TYPING);
    const text = applySameLength(LARGE, { pair: 5, n: 4, back: false });
    const after = service.analyze({ uri: URI, text, isPrelude: false }, TYPING);
    // The fifth copy's layout changed its attention: only layout_4 is resolved and costed again.
    const edited = after.layouts.findIndex((l) => l.name === 'layout_4');
    expect(edited).toBeGreaterThan(0);
    after.layouts.forEach((l, i) => {
      const was = before.layouts.find((b) => b.name === l.name)!;
      // A workload is built anew by each resolution and kept as it is by a reuse.
      expect(l.workload === was.workload, l.name).toBe(i !== edited);
      expect(after.costs.get(l.name) === before.costs.get(l.name), l.name).toBe(i !== edited);
      expect(l.decl.source).toBe(after.source);
    });
    expectSame(after, fresh(text, TYPING), false);
  });
});

describe('parseIncremental', () => {
  it('reuses the declarations before a change as they were and moves those after it', () => {
    const previous = parse({ uri: URI, text: LARGE, isPrelude: false });
    // An edit in the middle that changes the length: `reduce_scatter(b, x)` → `reduce_scatter(b, xy)` in copy 5.
    const at = LARGE.indexOf('reduce_scatter(b, x)', LARGE.indexOf('# copy 5\n')) + 'reduce_scatter(b, x'.length;
    const text = `${LARGE.slice(0, at)}y${LARGE.slice(at)}`;
    const file = parseIncremental({ uri: URI, text, isPrelude: false }, previous);
    const scratch = parse({ uri: URI, text, isPrelude: false });
    expect(plain(file.decls, file.source)).toEqual(plain(scratch.decls, scratch.source));
    const edited = file.decls.findIndex((d) => d.name.text === 'ffn_5');
    expect(edited).toBeGreaterThan(3);
    // Before the edited block: the same nodes, on the new source.
    for (const d of file.decls.slice(0, edited)) {
      const before = previousDecl(file, d);
      expect(before).toBeDefined();
      expect(before!.start).toBe(d.start);
      expect(d.source).toBe(file.source);
      if ('stmts' in d && 'stmts' in before!) expect(d.stmts).toBe(before.stmts);
    }
    // The edited block is parsed again; the ones after it are copies moved by one character.
    expect(previousDecl(file, file.decls[edited])).toBeUndefined();
    const next = file.decls[edited + 1];
    expect(previousDecl(file, next)).toBeUndefined();
    expect(next.start).toBe(previous.decls[edited + 1].start + 1);
  });
});

/** A lex result as plain columns (the token arrays have spare capacity past `count`). */
function columns(r: LexResult): unknown {
  const t = r.tokens;
  const numbers: number[] = [];
  for (let i = 0; i < t.count; i++) numbers.push(t.kinds[i] === 2 ? t.numeralEnds[i] : 0);
  return { kinds: [...t.kinds.subarray(0, t.count)], starts: [...t.starts.subarray(0, t.count)], ends: [...t.ends.subarray(0, t.count)], numbers, comments: r.comments };
}

/** The common prefix's length and where the common suffix starts in `a`, as parseIncremental works them out. */
function common(a: string, b: string): { prefix: number; suffixStart: number } {
  const max = Math.min(a.length, b.length);
  let prefix = 0;
  while (prefix < max && a[prefix] === b[prefix]) prefix++;
  let suffix = 0;
  while (suffix < max - prefix && a[a.length - 1 - suffix] === b[b.length - 1 - suffix]) suffix++;
  return { prefix, suffixStart: a.length - suffix };
}

describe('relex', () => {
  /** Text whose tokens depend on what follows them on the line: numbers with units, comments, line breaks of every kind. */
  const TRICKY = 'mesh m = tpu_v4 { x = 4, y = 2 }\r\nhardware h { flops = 275 TFLOP/s, hbm = 32GiB\rlink_bw = 4x }\n# note\n\nmodel q { E = 1024 F = 4096, eff = 30% }\n';
  const bases = [LARGE.slice(0, 3000), TRICKY, TRICKY.repeat(3), ''];
  it('lexes an edited text as lex does, for any edit', () => {
    fc.assert(
      fc.property(fc.constantFrom(...bases), fc.array(editArb, { minLength: 1, maxLength: 4 }), (base, edits) => {
        let text = base;
        let lexed = lex(text);
        for (const e of edits) {
          const next = applyEdit(text, e);
          const { prefix, suffixStart } = common(text, next);
          lexed = relex(next, lexed, text.length, prefix, suffixStart);
          expect(columns(lexed)).toEqual(columns(lex(next)));
          text = next;
        }
      }),
      { numRuns: 300 },
    );
  });

  it('lexes only the lines around the change, whatever the file’s length', () => {
    const text = largeShardFile(14000);
    const edited = text.replace('reduce_scatter(b, x)', 'reduce_scatter(b, q)');
    const before = lex(text);
    const { prefix, suffixStart } = common(text, edited);
    const after = relex(edited, before, text.length, prefix, suffixStart);
    expect(columns(after)).toEqual(columns(lex(edited)));
    // The comments after the change are the earlier version's spans (same offsets), not new ones.
    const last = before.comments[before.comments.length - 1];
    expect(after.comments[after.comments.length - 1]).toBe(last);
  });
});
