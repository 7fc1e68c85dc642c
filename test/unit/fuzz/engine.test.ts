// Fuzzing the engine (issue 7): grammar-aware random files and mutations of the examples and the
// prelude, each run through analyze (with costing, editor limits), the report JSON and every pure
// editor feature by the oracle. A throw, a case over the time bound, a non-finite number or a
// range outside the document fails the property; fast-check shrinks it and the failure message
// carries the minimized text, which belongs in test/fixtures/fuzz/ (replayed below).
//
// Fixed seed; SHARDLENS_FUZZ_RUNS multiplies the runs, SHARDLENS_FUZZ_SEED replaces the seed
// (scripts/fuzz-long.mjs sets both).

import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PRELUDE_FILES } from '../../../server/src/engine/prelude/index';
import { applyMutation, fileArb, mutationArb, runs, SEED } from './arbitraries';
import { oracle } from './oracle';

const ROOT = join(__dirname, '../../..');
const FIXTURES = join(ROOT, 'test/fixtures/fuzz');

function examples(dir: string): { name: string; text: string }[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? examples(join(dir, e.name)) : e.name.endsWith('.shard') ? [{ name: join(dir, e.name).slice(ROOT.length + 1), text: readFileSync(join(dir, e.name), 'utf8') }] : [],
  );
}

const SOURCES = [...examples(join(ROOT, 'examples')), ...PRELUDE_FILES.map((s) => ({ name: s.uri, text: s.text }))];

/**
 * The problems of one text. A case over the time bound is not thrown at once: timing is noisy
 * and shrinking by it takes minutes, so the slowest such case is kept and reported at the end.
 */
function probe(text: string, slow: { ms: number; text: string; what: string } | undefined, probes?: number): { ms: number; text: string; what: string } | undefined {
  const { problems, ms } = oracle(text, probes ? { probes } : {});
  const hang = problems.filter((p) => p.includes('counts as a hang'));
  const real = problems.filter((p) => !hang.includes(p));
  if (real.length) throw new Error(real.join('\n'));
  return hang.length && (!slow || ms > slow.ms) ? { ms, text, what: hang[0] } : slow;
}

function reportFile(name: string, text: string): string {
  const file = join(tmpdir(), `shardlens-fuzz-${name.replace(/[^a-z0-9]+/gi, '_')}-${SEED}.shard`);
  writeFileSync(file, text);
  return file;
}

/**
 * Runs a property and, on failure, writes the minimized text to a file (it may be megabytes: a
 * test report is no place for it) and fails with the problems, the seed and that file's path.
 */
function check<T>(name: string, arb: fc.Arbitrary<T>, toText: (value: T) => string, numRuns: number): void {
  let slow: { ms: number; text: string; what: string } | undefined;
  const details = fc.check(
    fc.property(arb, (v) => {
      slow = probe(toText(v), slow);
    }),
    { seed: SEED, numRuns: runs(numRuns) },
  );
  if (details.failed) {
    const text = details.counterexample ? toText(details.counterexample[0]) : '';
    const error = details.errorInstance instanceof Error ? details.errorInstance.message : String(details.errorInstance);
    throw new Error(
      `${name}: ${error}\nseed ${SEED}, path ${details.counterexamplePath}, after ${details.numRuns} cases, shrunk ${details.numShrinks} times\n` +
        `minimized input (${text.length} chars) written to ${reportFile(name, text)}; add it to test/fixtures/fuzz/. Start: ${JSON.stringify(text.slice(0, 300))}`,
    );
  }
  if (slow) throw new Error(`${name}: ${slow.what}\nslowest such input (${slow.text.length} chars, not minimized) written to ${reportFile(`${name}-slow`, slow.text)}. Start: ${JSON.stringify(slow.text.slice(0, 300))}`);
}

describe('fuzz: grammar-aware random files', () => {
  it('every feature answers within the document, finitely, in time', () => {
    check('grammar', fileArb, (t) => t, 700);
  });
});

describe('fuzz: mutations of the examples and the prelude', () => {
  it.each(SOURCES)('$name', ({ name, text }) => {
    // Long files cost more per case (each case analyses and probes the whole file).
    const n = text.length > 20_000 ? 40 : 100;
    check(`mutations of ${name}`, fc.array(mutationArb, { minLength: 1, maxLength: 8 }), (mutations) => mutations.reduce(applyMutation, text), n);
  });
});

describe('fuzz: minimized inputs found earlier (test/fixtures/fuzz)', () => {
  // A `.json` fixture holds {"note", "text"}: for texts a UTF-8 file cannot hold (lone surrogates).
  const files = readdirSync(FIXTURES).filter((f) => f.endsWith('.shard') || f.endsWith('.json'));
  const textOf = (name: string) => {
    const raw = readFileSync(join(FIXTURES, name), 'utf8');
    return name.endsWith('.json') ? (JSON.parse(raw) as { text: string }).text : raw;
  };
  it('has fixtures', () => expect(files.length).toBeGreaterThan(0));
  // Few probes: a fixture that shows a slow path would otherwise multiply its time by each one.
  it.each(files)('%s', (name) => {
    const slow = probe(textOf(name), undefined, 4);
    if (slow) throw new Error(slow.what);
  });
});
