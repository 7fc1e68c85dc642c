// @vitest-environment happy-dom
// The search chart view's DOM (client/webview/chartRender.ts) under happy-dom, from real engine
// results: hostile file names and model names come out as text only, the frontier and switch
// points are listed as the engine found them, and the buttons call the actions.

import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { analyze, sourceFromText } from '../../../server/src/engine/index';
import { crossover, sweep, type CrossoverResult, type SweepResult } from '../../../server/src/engine/search/index';
import { frontierText, renderChartStatus, renderCrossover, renderSweep, type ChartViewActions } from '../../../client/webview/chartRender';
import type { CrossoverMessage, SweepMessage } from '../../../server/src/protocol/chartView';

const HOSTILE = '<img src=x onerror=alert(1)>';
const SMALL = readFileSync(path.join(__dirname, '../../lsp/fixtures/small.shard'), 'utf8');

let sweepResult: SweepResult;
let crossoverResult: CrossoverResult;
beforeAll(() => {
  const analysis = analyze(sourceFromText(SMALL, 'file:///w/small.shard'));
  const layout = analysis.layouts.find((l) => l.name === 'fast')!;
  sweepResult = sweep(analysis, layout, { batches: [1, 8, 64], chips: [16, 64] });
  crossoverResult = crossover(analysis, layout);
});

function actions(): ChartViewActions & { calls: string[][] } {
  const calls: string[][] = [];
  return { calls, rerun: () => calls.push(['rerun']), reveal: (name) => calls.push(['reveal', name]) };
}

let root: HTMLElement;
beforeEach(() => {
  document.body.replaceChildren();
  root = document.createElement('main');
  document.body.append(root);
});

describe('renderSweep', () => {
  const message = (): SweepMessage => ({ type: 'sweep', uri: 'file:///w/small.shard', fileName: `${HOSTILE}.shard`, results: [{ ...sweepResult, model: HOSTILE }] });

  it('draws a header, both phase charts and the frontier in words, hostile names as text', () => {
    const slots = renderSweep(root, message(), actions());
    expect(slots.map((s) => s.id)).toEqual(['sweep-decode', 'sweep-prefill']);
    for (const s of slots) expect(root.contains(s.container)).toBe(true);
    expect(root.querySelectorAll('img')).toHaveLength(0);
    expect(root.querySelector('[onerror]')).toBeNull();
    expect(root.querySelector('h1')?.textContent).toBe(`Sweep of fast · ${HOSTILE}.shard`);
    expect(root.querySelector('.summary')?.textContent).toContain(`${HOSTILE} (`);
    expect(root.querySelector('.summary')?.textContent).toContain('chips 16, 64');
    // The frontier listed is the engine's, in its order.
    const decodeFront = sweepResult.frontier.decode.map((i) => `C${sweepResult.points[i].chips} B${sweepResult.points[i].batch}`);
    const text = root.querySelector('[data-chart="sweep-decode"] .frontier')?.textContent ?? '';
    expect(decodeFront.length).toBeGreaterThan(0);
    let at = 0;
    for (const label of decodeFront) {
      const k = text.indexOf(label, at);
      expect(k).toBeGreaterThanOrEqual(at);
      at = k + label.length;
    }
  });

  it('says over the charts what the figures are: roofline on the nominal chip, calibrated on a fitted one', () => {
    // small.shard's mesh is on tpu_v4 as shipped (no efficiency set): a roofline.
    renderSweep(root, message(), actions());
    expect(root.querySelector('.basis-note')?.textContent).toBe('figures: roofline (nominal tpu_v4)');
    // The same sweep on the TPU v4 fitted to the paper's tables (the prelude's tpu_v4_pope2022).
    const analysis = analyze(sourceFromText(SMALL.replace('mesh pod = tpu_v4 {', 'mesh pod = tpu_v4_pope2022 {'), 'file:///w/small.shard'));
    const calibrated = sweep(analysis, analysis.layouts.find((l) => l.name === 'fast')!, { batches: [8], chips: [64] });
    renderSweep(root, { ...message(), results: [calibrated] }, actions());
    expect(root.querySelector('.basis-note')?.textContent).toBe('figures: calibrated (tpu_v4_pope2022)');
  });

  it('runs again and reveals the layout from its buttons', () => {
    const a = actions();
    renderSweep(root, message(), a);
    const buttons = Array.from(root.querySelectorAll('header button')) as HTMLButtonElement[];
    buttons.find((b) => b.textContent === 'fast')!.click();
    buttons.find((b) => b.textContent === 'Run again')!.click();
    expect(a.calls).toEqual([['reveal', 'fast'], ['rerun']]);
  });

  it('says so, and draws nothing, when no point fits', () => {
    const none: SweepResult = { ...sweepResult, points: sweepResult.points.map((p) => ({ ...p, prefill: p.prefill && { ...p.prefill, fits: false }, decode: p.decode && { ...p.decode, fits: false } })), frontier: { prefill: [], decode: [] } };
    expect(renderSweep(root, { ...message(), results: [none] }, actions())).toEqual([]);
    expect(root.querySelector('.empty')?.textContent).toMatch(/No point of this sweep fits/);
    expect(frontierText(none, 'decode')).toBe('no point fits in memory');
  });

  it('draws several layouts as one chart per phase, naming each one\'s frontier and each in the header', () => {
    const a = actions();
    const other: SweepResult = { ...sweepResult, layout: 'other' };
    const slots = renderSweep(root, { ...message(), results: [sweepResult, other] }, a);
    expect(slots.map((s) => s.id)).toEqual(['sweep-decode', 'sweep-prefill']);
    expect(root.querySelector('h1')?.textContent).toBe(`Sweep of fast, other · ${HOSTILE}.shard`);
    const fronts = Array.from(root.querySelectorAll('[data-chart="sweep-decode"] .frontier')).map((p) => p.textContent);
    expect(fronts).toHaveLength(2);
    expect(fronts[0]).toMatch(/^Frontier of fast: C/);
    expect(fronts[1]).toMatch(/^Frontier of other: C/);
    expect(Array.from(root.querySelectorAll('.summary p')).map((p) => p.textContent?.split(':')[0])).toEqual(['fast', 'other']);
    (Array.from(root.querySelectorAll('h1 button')) as HTMLButtonElement[])[1].click();
    expect(a.calls).toEqual([['reveal', 'other']]);
  });
});

describe('points left out of a sweep', () => {
  it('are one grid, chips down and batches across, each cell naming the phase and why', () => {
    // Every point drawn, then three left out by hand: (16, 1) without a decode, (64, 8) whose
    // prefill does not fit, (64, 64) with neither phase.
    const template = sweepResult.points.flatMap((p) => [p.prefill, p.decode]).find((p) => p !== null)!;
    const drawn = (p: typeof template | null) => ({ ...(p ?? template), fits: true });
    const points = sweepResult.points.map((p) => {
      const q = { ...p, prefill: drawn(p.prefill), decode: drawn(p.decode), reason: undefined as string | undefined };
      if (p.chips === 16 && p.batch === 1) return { ...q, decode: null, reason: 'no factorization of 16 chips fits batch 1 in the decode blocks' };
      if (p.chips === 64 && p.batch === 8) return { ...q, prefill: { ...q.prefill, fits: false } };
      if (p.chips === 64 && p.batch === 64) return { ...q, prefill: null, decode: null, reason: 'no factorization of 64 chips fits batch 64 in either phase' };
      return q;
    });
    renderSweep(root, { type: 'sweep', uri: 'u', fileName: 'f', results: [{ ...sweepResult, points, frontier: { prefill: [], decode: [] } }] }, actions());
    expect(root.querySelectorAll('ul.reasons li')).toHaveLength(0);
    const rows = Array.from(root.querySelectorAll('table.left-out tr')).map((tr) => Array.from(tr.children).map((c) => c.textContent));
    expect(rows).toEqual([
      ['chips \\ batch', '1', '8', '64'],
      ['16', 'd —', '✓', '✓'],
      ['64', '✓', 'p no fit', '—'],
    ]);
    const cell = root.querySelectorAll('table.left-out tbody tr')[0].children[1] as HTMLElement;
    expect(cell.title).toBe('no factorization of 16 chips fits batch 1 in the decode blocks');
  });

  it('are not shown when every point is drawn', () => {
    const template = sweepResult.points.flatMap((p) => [p.prefill, p.decode]).find((p) => p !== null)!;
    const points = sweepResult.points.map((p) => ({ ...p, prefill: { ...(p.prefill ?? template), fits: true }, decode: { ...(p.decode ?? template), fits: true }, reason: undefined }));
    renderSweep(root, { type: 'sweep', uri: 'u', fileName: 'f', results: [{ ...sweepResult, points }] }, actions());
    expect(root.querySelector('table.left-out')).toBeNull();
    expect(Array.from(root.querySelectorAll('h2')).map((h) => h.textContent)).not.toContain('Points left out');
  });
});

describe('renderCrossover', () => {
  const message = (): CrossoverMessage => ({ type: 'crossover', uri: 'file:///w/small.shard', fileName: `${HOSTILE}.shard`, layout: 'fast', result: crossoverResult });

  it('draws one chart and lists every switch point the engine found', () => {
    const slots = renderCrossover(root, message(), actions());
    expect(slots.map((s) => s.id)).toEqual(['crossover']);
    expect(root.querySelectorAll('img')).toHaveLength(0);
    // The FFN drawn and the layout's own token counts (small.shard's fast layout) are said.
    const summary = root.querySelector('.summary')?.textContent ?? '';
    expect(summary).toContain(`drawn with a ${crossoverResult.ffnKind} FFN`);
    expect(summary).toContain(`prefill ${crossoverResult.layoutTokens.prefill.toLocaleString('en-US')}, decode ${crossoverResult.layoutTokens.decode.toLocaleString('en-US')} tokens per batch`);
    const items = Array.from(root.querySelectorAll('ul.switches li')).map((li) => li.textContent);
    if (crossoverResult.switchPoints.length === 0) expect(items).toHaveLength(1);
    else expect(items).toEqual(crossoverResult.switchPoints.map((s) => expect.stringContaining(`${s.from} → ${s.to} at ${s.tokens.toLocaleString('en-US')} tokens`)));
  });

  it('says so when no FFN layout could be costed', () => {
    expect(renderCrossover(root, { ...message(), result: { ...crossoverResult, lines: [], switchPoints: [], envelope: [] } }, actions())).toEqual([]);
    expect(root.querySelector('.empty')?.textContent).toBe('No FFN layout could be costed on this mesh.');
  });
});

describe('renderChartStatus', () => {
  it('keeps the chart on screen while loading, and offers Run again after an error', () => {
    const a = actions();
    renderSweep(root, { type: 'sweep', uri: 'u', fileName: 'f', results: [sweepResult] }, a);
    renderChartStatus(root, { type: 'status', state: 'loading', text: `Sweeping ${HOSTILE}…` }, a);
    expect(root.querySelectorAll('.chart-card')).toHaveLength(2);
    expect(root.querySelector('.status')?.textContent).toBe(`Sweeping ${HOSTILE}…`);
    expect(root.querySelector('.status button')).toBeNull();
    renderChartStatus(root, { type: 'status', state: 'error', text: 'Cancelled.' }, a);
    expect(root.querySelectorAll('.status')).toHaveLength(1);
    (root.querySelector('.status button') as HTMLButtonElement).click();
    expect(a.calls).toEqual([['rerun']]);
    expect(root.querySelectorAll('img')).toHaveLength(0);
  });
});
