// The documentation's examples are checked by the engine users run: every ```shard block in
// docs/*.md and README.md checks clean, or shows exactly the diagnostics its marker says
// (shardBlocks.ts describes the markers). The pages also keep up with the code: every operation,
// record field and command option is documented, and no page sends a reader to files they do
// not have.

import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ALL_DIAGNOSTIC_CODES, analyze, sourceFromText } from '../../../server/src/engine/index';
import { OPERATIONS } from '../../../server/src/engine/ops/index';
import { FIELDS, MEASURED_FIELDS } from '../../../server/src/engine/check/schema';
import { PRELUDE_FILES } from '../../../server/src/engine/prelude/index';
import { parse } from '../../../server/src/engine/syntax/parser';
import { COMMANDS } from '../../../server/src/cli/commands';
import { mismatches, shardBlocks, type Finding, type ShardBlock } from './shardBlocks';
import { brokenLinks } from './links';

const ROOT = join(__dirname, '../../..');

/** Every user-facing page, repository-relative, README first. */
const PAGES = ['README.md', ...readdirSync(join(ROOT, 'docs')).filter((f) => f.endsWith('.md')).sort().map((f) => `docs/${f}`)];

function read(relative: string): string {
  return readFileSync(join(ROOT, relative), 'utf8');
}

/** The engine's findings on a text (the one place that knows how the engine is called). */
function findingsOf(text: string, uri: string): Finding[] {
  const analysis = analyze(sourceFromText(text, uri));
  return analysis.diagnostics.map((d) => ({
    code: d.code,
    severity: d.severity,
    line: analysis.lineIndex.positionAt(d.span.start).line + 1,
    message: d.message,
  }));
}

interface Case {
  page: string;
  block: ShardBlock;
  /** The text analysed: the block, after the parts of its file shown before it or after its file. */
  text: string;
}

/** Every block of every page, with the parts of each `part-of` file in page order. */
function collect(): { cases: Case[]; parts: Map<string, { page: string; texts: string[] }> } {
  const cases: Case[] = [];
  const parts = new Map<string, { page: string; texts: string[] }>();
  for (const page of PAGES) {
    for (const block of shardBlocks(read(page))) {
      const { partOf, after } = block.markers;
      let before: string[] = [];
      if (partOf) {
        const known = parts.get(partOf);
        if (known && known.page !== page) throw new Error(`${page}:${block.line}: the parts of ${partOf} are shown in ${known.page}; keep them on one page`);
        before = known?.texts ?? [];
        parts.set(partOf, { page, texts: [...before, block.text] });
      }
      if (after) before = [read(after)];
      cases.push({ page, block, text: [...before, block.text].join('\n') });
    }
  }
  return { cases, parts };
}

const { cases, parts } = collect();

describe('the shard blocks of the documentation', () => {
  it('there are examples to check, and few are left unchecked', () => {
    expect(cases.length).toBeGreaterThan(20);
    const fragments = cases.filter((c) => c.block.markers.fragment !== undefined);
    expect(fragments.length).toBeLessThanOrEqual(3);
  });

  it('every expected code is a diagnostic code', () => {
    const unknown = cases.flatMap((c) => c.block.markers.expect.filter((code) => !(ALL_DIAGNOSTIC_CODES as readonly string[]).includes(code)).map((code) => `${c.page}:${c.block.line}: ${code}`));
    expect(unknown).toEqual([]);
  });

  const checked = cases.filter((c) => c.block.markers.fragment === undefined);
  it.each(checked.map((c) => [`${c.page}:${c.block.line}`, c] as const))('%s is as the page says', (_, c) => {
    const findings = findingsOf(c.text, `file:///${c.page}`);
    expect(mismatches(findings, c.block.markers.expect)).toEqual([]);
  });

  it.each([...parts].map(([file, p]) => [file, p] as const))('the parts of %s shown in the docs are that file', (file, p) => {
    expect(p.texts.join('\n')).toBe(read(file));
  });
});

describe('the block checker itself', () => {
  // A page with one broken block and no marker must fail, or the test above proves nothing.
  const page = [
    'Text.',
    '',
    '```shard',
    'mesh m = tpu_v4 { x = 4, hbm = 12 TB/s }',
    '```',
    '',
    '<!-- expect: unknown-field -->',
    '```shard',
    'mesh m = tpu_v4 { x = 4, hbm = 12 TB/s }',
    '```',
    '',
  ].join('\n');

  it('reads blocks and markers', () => {
    const blocks = shardBlocks(page);
    expect(blocks.map((b) => [b.line, b.markers.expect])).toEqual([[3, []], [8, ['unknown-field']]]);
  });

  it('reports an unmarked broken block, and accepts it with the right marker only', () => {
    const [plain, marked] = shardBlocks(page);
    expect(mismatches(findingsOf(plain.text, 'file:///page.md'), plain.markers.expect)).toHaveLength(1);
    expect(mismatches(findingsOf(marked.text, 'file:///page.md'), marked.markers.expect)).toEqual([]);
    expect(mismatches(findingsOf(marked.text, 'file:///page.md'), ['unit'])).toHaveLength(2);
  });

  it('refuses a comment above a shard block that is not a marker', () => {
    expect(() => shardBlocks('<!-- expects: unit -->\n```shard\nmesh m = tpu_v4\n```\n')).toThrow(/not a marker/);
  });
});

describe('the reference pages cover the language and the command line', () => {
  const language = read('docs/language.md');
  const cli = read('docs/cli.md');

  it.each([...OPERATIONS.keys()])('docs/language.md documents the operation %s', (op) => {
    expect(language).toContain(`\`${op}(`);
  });

  const fields = [
    ...Object.entries(FIELDS).flatMap(([kind, list]) => list.map((f) => [kind, f.name] as const)),
    ...MEASURED_FIELDS.map((f) => ['measured', f.name] as const),
  ];
  it.each(fields)('docs/language.md documents the %s field %s', (_, name) => {
    expect(language).toContain(`\`${name}\``);
  });

  it.each(COMMANDS.map((c) => [c.name, c] as const))('docs/cli.md documents `shardlens %s` and its options', (name, c) => {
    expect(cli).toContain(`shardlens ${name}`);
    for (const o of c.options) expect(cli, `--${o.name}`).toContain(`--${o.name}`);
  });

  // Built-in hardware, models, FFN layouts and unembeddings by name (attention blocks are
  // documented as families of the FFN layouts).
  const builtins = PRELUDE_FILES.flatMap((f) => parse(f).decls)
    .filter((d) => d.kind === 'hardware' || d.kind === 'model' || d.kind === 'unembed' || (d.kind === 'ffn' && !d.name.text.endsWith('_swiglu')))
    .map((d) => [d.kind, d.name.text] as const);
  it.each(builtins)('docs/language.md lists the built-in %s %s', (_, name) => {
    expect(language).toContain(`\`${name}\``);
  });

  it.each(PAGES)('%s sends readers only to files they have', (page) => {
    const text = read(page);
    expect(text).not.toMatch(/\bspec\/[\w-]+\.md|\.\.\/shared\b|project spec/);
    expect(brokenLinks(page, text, read)).toEqual([]);
  });
});
