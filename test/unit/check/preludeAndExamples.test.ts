// The built-ins and the shipped examples are the first thing a user reads: they must check clean.

import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { analyze, checkPrelude, sourceFromText } from '../../../server/src/engine/index';

const EXAMPLES = join(__dirname, '../../../examples');

it('the prelude has no diagnostic at all', () => {
  const diagnostics = checkPrelude();
  expect(diagnostics.map((d) => `${d.source.uri} ${d.code}: ${d.message}`)).toEqual([]);
});

describe('examples', () => {
  // Globbed when the tests run: examples are added by others over time.
  const files = readdirSync(EXAMPLES).filter((f) => f.endsWith('.shard'));

  it('there is at least one example', () => {
    expect(files.length).toBeGreaterThan(0);
  });

  it.each(files)('%s has no error-severity diagnostic', (name) => {
    const text = readFileSync(join(EXAMPLES, name), 'utf8');
    const analysis = analyze(sourceFromText(text, `file:///examples/${name}`));
    const errors = analysis.diagnostics.filter((d) => d.severity === 'error');
    expect(errors.map((d) => `${analysis.lineIndex.positionAt(d.span.start).line + 1}: ${d.code}: ${d.message}`)).toEqual([]);
    // Every layout an example declares is meant to be costed.
    expect(analysis.uncostable.map((u) => `${u.name}: ${u.reason}`)).toEqual([]);
  });
});
