// @vitest-environment happy-dom
// The whole webview script under happy-dom with a stand-in for acquireVsCodeApi: the ready
// handshake, a report with hostile names drawn by ECharts (SVG renderer) as text, state kept
// with setState, SVG export, and colours re-read when VS Code switches the theme class.

import { beforeAll, describe, expect, it } from 'vitest';
import { parseWebviewMessage, type ReportMessage, type WebviewToHostMessage, type CompareViewState } from '../../../server/src/protocol/compareView';
import { sampleReport } from '../charts/reportFixture';

const HOSTILE = '<img src=x onerror=alert(1)>"\'&';
const posted: WebviewToHostMessage[] = [];
let state: CompareViewState | undefined;

function report(names: [string, string, string]): ReportMessage {
  const r = sampleReport(names);
  return {
    type: 'report', uri: 'file:///w/a.shard', fileName: 'a.shard', report: r, shown: r.layouts.map((l) => l.name),
    total: 3, selected: ['x'], decodeContext: 'mean', errorCount: 0, focus: null,
  };
}

async function deliver(message: unknown): Promise<void> {
  window.dispatchEvent(new MessageEvent('message', { data: message }));
  await new Promise((r) => setTimeout(r, 0));
}

beforeAll(async () => {
  document.body.className = 'vscode-light';
  document.body.style.setProperty('--vscode-charts-blue', '#123456');
  const app = document.createElement('main');
  app.id = 'app';
  document.body.append(app);
  (globalThis as Record<string, unknown>).acquireVsCodeApi = () => ({
    postMessage: (m: WebviewToHostMessage) => posted.push(m),
    getState: () => state,
    setState: (s: CompareViewState) => (state = s),
  });
  await import('../../../client/webview/main');
});

describe('webview script', () => {
  it('sends ready once loaded', () => {
    expect(posted[0]).toEqual({ type: 'ready', state: null });
  });

  it('draws a report with hostile names as text, in the table and in the charts', async () => {
    await deliver(report([HOSTILE, 'high_throughput', 'broken']));
    const app = document.getElementById('app')!;
    expect(app.querySelectorAll('img')).toHaveLength(0);
    expect(app.querySelector('tbody td.name')?.textContent).toBe(HOSTILE);
    const svgs = app.querySelectorAll('.chart svg');
    expect(svgs.length).toBe(3);
    const labels = Array.from(app.querySelectorAll('.chart svg text')).map((t) => t.textContent);
    expect(labels).toContain(HOSTILE);
    expect(state).toEqual({ uri: 'file:///w/a.shard', selected: ['x'] });
  });

  it('takes chart colours from the theme variables and re-reads them on a theme change', async () => {
    const fills = () => Array.from(document.querySelectorAll('.chart-layer-time svg path')).map((p) => p.getAttribute('fill'));
    expect(fills()).toContain('#123456');
    document.body.style.setProperty('--vscode-charts-blue', '#abcdef');
    document.body.className = 'vscode-dark';
    await new Promise((r) => setTimeout(r, 0));
    expect(fills()).toContain('#abcdef');
    expect(fills()).not.toContain('#123456');
  });

  it('draws in a high-contrast theme with its foreground and border colours', async () => {
    // High contrast themes set their own foreground and widget border; the axis labels and grid
    // lines must take them (the contrast border around each card is CSS, compare.css).
    document.body.style.setProperty('--vscode-editor-foreground', '#fffffe');
    document.body.style.setProperty('--vscode-editorWidget-border', '#6fc3df');
    document.body.className = 'vscode-high-contrast';
    await new Promise((r) => setTimeout(r, 0));
    const svg = document.querySelector('.chart-layer-time svg')!;
    const textFills = Array.from(svg.querySelectorAll('text')).map((t) => t.getAttribute('fill'));
    expect(textFills).toContain('#fffffe');
    const strokes = Array.from(svg.querySelectorAll('path')).map((p) => p.getAttribute('stroke'));
    expect(strokes).toContain('#6fc3df');
  });

  it('exports a chart as SVG through the host', async () => {
    posted.length = 0;
    document.querySelector<HTMLButtonElement>('section[data-chart="memory"] button')!.click();
    const message = posted.find((m) => m.type === 'exportChart');
    expect(message).toMatchObject({ type: 'exportChart', chart: 'memory', format: 'svg' });
    // The host accepts exactly what ECharts produced.
    expect(parseWebviewMessage(message)).toEqual(message);
    const url = (message as { dataUrl: string }).dataUrl;
    expect(url).toMatch(/^data:image\/svg\+xml/);
    const svg = url.includes(';base64,') ? Buffer.from(url.split(',')[1], 'base64').toString() : decodeURIComponent(url.slice(url.indexOf(',') + 1));
    expect(svg).toContain('HBM 32 GiB');
    await deliver({ type: 'exportResult', chart: 'memory', ok: true, text: `Saved ${HOSTILE}` });
    expect(document.querySelector('section[data-chart="memory"] .note')?.textContent).toBe(`Saved ${HOSTILE}`);
  });

  it('ignores messages that are not from the protocol', async () => {
    // The charts animate on their own, so compare the parts a message would replace.
    const snapshot = () => ['header', 'table'].map((s) => document.querySelector(`#app ${s}`)!.outerHTML).join('');
    const before = snapshot();
    await deliver({ type: 'html', html: '<img src=x>' });
    await deliver('report');
    await deliver({ type: 'report' });
    expect(snapshot()).toBe(before);
    expect(document.querySelectorAll('img')).toHaveLength(0);
  });
});
