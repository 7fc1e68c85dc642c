// `report --json` is written in pieces (report/jsonText.ts), each object that layouts share made
// once: joined, the pieces must be exactly JSON.stringify(report, null, 2) and a line break.

import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createShardService, sourceFromText, writeReportJson } from '../../../server/src/engine/index';
import { writeJsonText } from '../../../server/src/engine/report/jsonText';

const ROOT = path.resolve(__dirname, '../../..');

function pieces(value: unknown): { text: string; again: boolean }[] {
  const out: { text: string; again: boolean }[] = [];
  writeJsonText(value, (text, again) => out.push({ text, again }));
  return out;
}

function written(value: unknown): string {
  return pieces(value).map((p) => p.text).join('');
}

describe('writeJsonText', () => {
  it('writes what JSON.stringify writes, for every kind of value', () => {
    const shared = { figure: 1.5, list: [1, 2, 3], nested: { deep: [{ a: 'x' }] } };
    const large = { rows: Array.from({ length: 400 }, (_, i) => ({ i, label: `row ${i}`, value: i / 7 })) };
    const values: unknown[] = [
      null,
      'text',
      -0,
      [],
      {},
      { empty: [], none: {}, gone: undefined, fn: () => 1, when: new Date(0) },
      [undefined, () => 1, null, 'a\nb "quoted" \u2192 \u00b5s'],
      { layouts: [{ name: 'a', figures: shared, big: large }, { name: 'b', figures: shared, big: large }], list: [[[1]], [[]]] },
      { a: { b: { c: { d: { e: shared } } } }, many: Array.from({ length: 12 }, (_, i) => ({ i, shared })) },
    ];
    for (const v of values) expect(written(v)).toBe(`${JSON.stringify(v, null, 2)}\n`);
  });

  it('marks a large object written again, and writes it as one piece', () => {
    // Like a configuration's figures: many fields, some of them long lists.
    const large = Object.fromEntries(Array.from({ length: 12 }, (_, k) => [`field${k}`, Array.from({ length: 40 }, (_, i) => ({ i, label: `row ${i}` }))]));
    const value = { layouts: Array.from({ length: 12 }, (_, i) => ({ name: `l${i}`, a: 1, b: 2, c: 3, d: 4, e: 5, f: 6, g: 7, h: 8, figures: large })) };
    const list = pieces(value);
    const figures = JSON.stringify(large, null, 2).split('\n').join('\n      ');
    expect(list.filter((p) => p.text === figures).map((p) => p.again)).toEqual([false, ...Array(11).fill(true)]);
    expect(list.map((p) => p.text).join('')).toBe(`${JSON.stringify(value, null, 2)}\n`);
  });
});

describe('writeReportJson', () => {
  it('writes the report of a file whose layouts share configurations as JSON.stringify does', () => {
    const service = createShardService();
    const palm = readFileSync(path.join(ROOT, 'examples/palm540b.shard'), 'utf8');
    // The examples' layouts, each three times under other names (as a sweep repeats them).
    const repeated = [1, 2].map((n) => palm.replace(/^layout (\w+)/gm, `layout $1_${n}`).replace(/^(mesh|model|workload) .*$/gm, '')).join('\n');
    const report = service.report(service.analyze(sourceFromText(`${palm}\n${repeated}`, 'sweep.shard')));
    expect(report.layouts.length).toBeGreaterThan(6);
    // The repeats share their configuration's figures (one object, written once).
    expect(report.layouts.find((l) => l.name === 'low_latency_1')?.prefill).toBe(report.layouts.find((l) => l.name === 'low_latency')?.prefill);
    let text = '';
    const again: boolean[] = [];
    writeReportJson(report, (piece, isAgain) => {
      text += piece;
      again.push(isAgain);
    });
    expect(text).toBe(`${JSON.stringify(report, null, 2)}\n`);
    expect(again).toContain(true);
  });
});
