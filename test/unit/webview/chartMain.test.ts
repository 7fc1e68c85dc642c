// @vitest-environment happy-dom
// The search chart webview script (client/webview/chart.ts) under happy-dom with a stand-in for
// acquireVsCodeApi: the ready handshake, a sweep and a crossover from the real engine drawn by
// ECharts (SVG renderer) with the frontier labelled C·B and the switch points marked, the state
// kept with setState for the panel serializer, and messages outside the protocol ignored.

import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { analyze, sourceFromText } from '../../../server/src/engine/index';
import { crossover, sweep } from '../../../server/src/engine/search/index';
import { parseChartWebviewMessage, type ChartViewState, type ChartWebviewMessage, type CrossoverMessage, type SweepMessage } from '../../../server/src/protocol/chartView';

const posted: ChartWebviewMessage[] = [];
let state: ChartViewState | undefined;
let sweepMessage: SweepMessage;
let crossoverMessage: CrossoverMessage;

async function deliver(message: unknown): Promise<void> {
  window.dispatchEvent(new MessageEvent('message', { data: message }));
  await new Promise((r) => setTimeout(r, 0));
}

beforeAll(async () => {
  const text = readFileSync(path.join(__dirname, '../../lsp/fixtures/small.shard'), 'utf8');
  const analysis = analyze(sourceFromText(text, 'file:///w/small.shard'));
  const layout = analysis.layouts.find((l) => l.name === 'fast')!;
  const base = { uri: 'file:///w/small.shard', fileName: 'small.shard' };
  sweepMessage = { type: 'sweep', ...base, results: [sweep(analysis, layout, { batches: [1, 8, 64], chips: [16, 64] })] };
  crossoverMessage = { type: 'crossover', ...base, layout: 'fast', result: crossover(analysis, layout) };
  document.body.className = 'vscode-dark';
  document.body.style.setProperty('--vscode-charts-orange', '#fe9a00');
  const app = document.createElement('main');
  app.id = 'app';
  document.body.append(app);
  (globalThis as Record<string, unknown>).acquireVsCodeApi = () => ({
    postMessage: (m: ChartWebviewMessage) => posted.push(m),
    getState: () => state,
    setState: (s: ChartViewState) => (state = s),
  });
  await import('../../../client/webview/chart');
});

describe('search chart webview script', () => {
  it('sends ready once loaded, and the host accepts it', () => {
    expect(posted[0]).toEqual({ type: 'ready', state: null });
    expect(parseChartWebviewMessage(posted[0])).toEqual(posted[0]);
  });

  it('draws both sweep charts, the frontier points labelled with chips and batch', async () => {
    await deliver(sweepMessage);
    const app = document.getElementById('app')!;
    expect(app.querySelectorAll('.chart svg')).toHaveLength(2);
    const decodeLabels = Array.from(app.querySelectorAll('.chart-sweep-decode svg text')).map((t) => t.textContent);
    const r = sweepMessage.results[0];
    for (const i of r.frontier.decode) expect(decodeLabels).toContain(`C${r.points[i].chips} B${r.points[i].batch}`);
    expect(decodeLabels).toContain('latency per generated token (ms)');
    // Decode points in the theme's orange.
    const fills = Array.from(app.querySelectorAll('.chart-sweep-decode svg path')).map((p) => p.getAttribute('fill'));
    expect(fills).toContain('#fe9a00');
    expect(state).toEqual({ kind: 'sweep', uri: 'file:///w/small.shard', layouts: ['fast'] });
  });

  it('draws the crossover with its switch points', async () => {
    await deliver(crossoverMessage);
    const app = document.getElementById('app')!;
    expect(app.querySelectorAll('.chart svg')).toHaveLength(1);
    const labels = Array.from(app.querySelectorAll('.chart-crossover svg text')).map((t) => t.textContent);
    for (const s of crossoverMessage.result.switchPoints) expect(labels).toContain(s.tokens.toLocaleString('en-US'));
    for (const l of crossoverMessage.result.lines) expect(labels).toContain(l.ffn);
    expect(state).toEqual({ kind: 'crossover', uri: 'file:///w/small.shard', layouts: ['fast'] });
  });

  it('draws several layouts as series of one chart, each frontier labelled', async () => {
    const first = sweepMessage.results[0];
    await deliver({ ...sweepMessage, results: [first, { ...first, layout: 'other' }] });
    const legend = Array.from(document.querySelectorAll('.chart-sweep-decode svg text')).map((t) => t.textContent);
    for (const name of ['fast', 'fast frontier', 'other', 'other frontier']) expect(legend).toContain(name);
    expect(state).toEqual({ kind: 'sweep', uri: 'file:///w/small.shard', layouts: ['fast', 'other'] });
  });

  it('asks the host to run again and ignores messages outside the protocol', async () => {
    posted.length = 0;
    document.querySelector<HTMLButtonElement>('header button.secondary')!.click();
    expect(posted).toEqual([{ type: 'rerun' }]);
    const before = document.querySelector('#app header')!.outerHTML;
    await deliver({ type: 'html', html: '<img src=x>' });
    await deliver({ type: 'sweep', result: {} });
    expect(document.querySelector('#app header')!.outerHTML).toBe(before);
    expect(document.querySelectorAll('img')).toHaveLength(0);
  });
});
