// Test helpers: cost `.shard` text through the real engine (parser, checker, cost model), and
// read the paper's golden data from the project's fixture (test/fixtures/paper, with its source note).

import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { analyze, sourceFromText, type Analysis } from '../../../../server/src/engine/index';
import type { ResolvedLayout } from '../../../../server/src/engine/check/resolved';
import { costLayout } from '../../../../server/src/engine/cost/layout';
import type { LayoutCost, OpCost } from '../../../../server/src/engine/cost/types';

const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../../..');

/** The paper's published figures: `test/fixtures/paper/pope2022.json` (source note beside it). */
export function golden(): any {
  return JSON.parse(readFileSync(resolve(REPO_ROOT, 'test/fixtures/paper/pope2022.json'), 'utf8'));
}

export interface Costed {
  analysis: Analysis;
  layout: ResolvedLayout;
  cost: LayoutCost;
}

/**
 * Analyze `text` and cost layout `name` (the first layout when omitted); fails on any error,
 * or, with `allowErrors`, only on errors of that layout.
 */
export function costShard(text: string, name?: string, opts: { allowErrors?: boolean } = {}): Costed {
  const analysis = analyze(sourceFromText(text, 'test.shard'));
  // out-of-memory is a cost finding, not a mistake in the test's text: tests read the figures.
  const errors = analysis.diagnostics.filter((d) => d.severity === 'error' && d.code !== 'out-of-memory' && (!opts.allowErrors || d.layout === name));
  if (errors.length) throw new Error(`errors in test source:\n${errors.map((d) => `${d.code}: ${d.message}`).join('\n')}`);
  const layout = name ? analysis.layouts.find((l) => l.name === name) : analysis.layouts[0];
  if (!layout) throw new Error(`layout ${name ?? '(first)'} not costable: ${JSON.stringify(analysis.uncostable.map((u) => [u.name, u.reason]))}`);
  return { analysis, layout, cost: costLayout(layout) };
}

export const COLLECTIVE_OPS = new Set(['all_gather', 'reduce_scatter', 'all_reduce', 'all_to_all']);

/** Pope Fig. 3's per-chip volume of one layer: the comm_bytes of its collective ops. */
export function collectiveVolume(ops: readonly OpCost[]): number {
  return ops.filter((o) => COLLECTIVE_OPS.has(o.op)).reduce((s, o) => s + o.commBytes.value, 0);
}

export function op(ops: readonly OpCost[], key: string): OpCost {
  const found = ops.find((o) => `${o.role}.${o.name}` === key);
  if (!found) throw new Error(`no op ${key}; have ${ops.map((o) => `${o.role}.${o.name}`).join(', ')}`);
  return found;
}

/** Relative difference. */
export function rel(actual: number, expected: number): number {
  return Math.abs(actual - expected) / Math.abs(expected);
}
