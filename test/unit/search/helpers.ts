// Helpers for the search tests: analyze shard text through the real engine and read the paper's
// golden data from the project's fixture (test/fixtures/paper, with its source note).

import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { analyze, sourceFromText, type Analysis } from '../../../server/src/engine/index';
import type { ResolvedLayout } from '../../../server/src/engine/check/resolved';

const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');

/** The paper's published figures: `test/fixtures/paper/pope2022.json` (source note beside it). */
export function golden(): any {
  return JSON.parse(readFileSync(resolve(REPO_ROOT, 'test/fixtures/paper/pope2022.json'), 'utf8'));
}

export function readRepoFile(path: string): string {
  return readFileSync(resolve(REPO_ROOT, path), 'utf8');
}

/** Analyze text that must have no errors (but the codes in `allow`); returns the analysis and a layout lookup. */
export function analyzed(text: string, uri = 'test.shard', allow: readonly string[] = []): { analysis: Analysis; layout: (name?: string) => ResolvedLayout } {
  const analysis = analyze(sourceFromText(text, uri));
  const errors = analysis.diagnostics.filter((d) => d.severity === 'error' && !allow.includes(d.code));
  if (errors.length) throw new Error(`errors in test source:\n${errors.map((d) => `${d.code}: ${d.message}`).join('\n')}`);
  return {
    analysis,
    layout: (name?: string) => {
      const l = name ? analysis.layouts.find((x) => x.name === name) : analysis.layouts[0];
      if (!l) throw new Error(`layout ${name ?? '(first)'} not costable`);
      return l;
    },
  };
}

/** A small deterministic generator (mulberry32) for seeded choices in tests. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
