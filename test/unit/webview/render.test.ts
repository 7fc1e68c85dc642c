// @vitest-environment happy-dom
// The webview's render functions under happy-dom: names and messages with markup and quotes
// must come out as text, never as elements or attributes.

import { beforeEach, describe, expect, it, vi } from 'vitest';
import { renderReport, renderStatus, type ViewActions } from '../../../client/webview/render';
import { sig } from '../../../server/src/engine/report/format';
import type { ReportMessage } from '../../../server/src/protocol/compareView';
import { sampleReport, sampleReportWithExtras } from '../charts/reportFixture';

const HOSTILE = '<img src=x onerror=alert(1)>';
const QUOTES = `"'&`;

function message(names: [string, string, string], extra: Partial<ReportMessage> = {}): ReportMessage {
  const report = sampleReport(names);
  return {
    type: 'report',
    uri: 'file:///w/a.shard',
    fileName: `${HOSTILE}${QUOTES}.shard`,
    report,
    shown: report.layouts.map((l) => l.name),
    total: 3,
    selected: null,
    decodeContext: 'mean',
    errorCount: 0,
    focus: null,
    ...extra,
  };
}

function actions(): ViewActions & { calls: unknown[][] } {
  const calls: unknown[][] = [];
  return {
    calls,
    reveal: (name) => calls.push(['reveal', name]),
    chooseLayouts: () => calls.push(['choose']),
    exportChart: (chart, format) => calls.push(['export', chart, format]),
  };
}

let root: HTMLElement;
beforeEach(() => {
  document.body.replaceChildren();
  root = document.createElement('main');
  document.body.append(root);
});

describe('renderReport', () => {
  it('shows hostile layout and file names as text only', () => {
    const alertSpy = vi.fn();
    (window as unknown as { alert: unknown }).alert = alertSpy;
    renderReport(root, message([HOSTILE, QUOTES, `x${HOSTILE}"`]), actions());
    expect(root.querySelectorAll('img')).toHaveLength(0);
    expect(root.querySelector('[onerror]')).toBeNull();
    const names = Array.from(root.querySelectorAll('tbody td.name')).map((td) => td.textContent);
    expect(names).toEqual([HOSTILE, QUOTES, `x${HOSTILE}"`]);
    expect(root.querySelector('h1')?.textContent).toBe(`Compare layouts · ${HOSTILE}${QUOTES}.shard`);
    // The markup is in text nodes, escaped when serialised.
    expect(root.innerHTML).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(root.querySelector('tbody tr')?.getAttribute('data-layout')).toBe(HOSTILE);
    expect(alertSpy).not.toHaveBeenCalled();
  });

  it('fills every column from the report and flags a layout that does not fit', () => {
    renderReport(root, message(['low_latency', 'high_throughput', 'broken']), actions());
    const headers = Array.from(root.querySelectorAll('thead th')).map((th) => th.textContent);
    expect(headers).toEqual(['layout', 'model · mesh', 'chips', 'batch p / d', 'prefill', 'decode / token', 'MFU prefill / decode', 'cost / token', 'memory / chip', 'bound']);
    const first = Array.from(root.querySelectorAll('tbody tr')[0].querySelectorAll('td')).map((td) => td.textContent);
    expect(first).toEqual(['low_latency', 'palm540b · pod64', '64', '1 / 64', '290 ms', '28.4 ms', '43% / 14%', '7.2 / 28.4 chip-ms', '10.5 GiB of 32 GiB', 'compute / compute']);
    expect(root.querySelector('tbody tr:nth-child(2) td.memory')?.classList.contains('warn')).toBe(true);
    expect(root.querySelector('tbody tr:nth-child(3)')?.classList.contains('uncosted')).toBe(true);
    // The hint under the table shows only when its columns run past the panel (CSS reads the class).
    expect(root.querySelector('.table-scroller + .scroll-hint')?.textContent).toMatch(/scroll/i);
  });

  it('returns one chart slot per chart, each with export buttons', () => {
    const a = actions();
    const slots = renderReport(root, message(['a', 'b', 'c']), a);
    expect(slots.map((s) => s.id)).toEqual(['latency-cost', 'layer-time', 'memory']);
    for (const s of slots) expect(root.contains(s.container)).toBe(true);
    const memoryButtons = root.querySelectorAll<HTMLButtonElement>('section[data-chart="memory"] button');
    expect(Array.from(memoryButtons).map((b) => b.textContent)).toEqual(['SVG', 'PNG']);
    memoryButtons[1].click();
    expect(a.calls).toEqual([['export', 'memory', 'png']]);
  });

  it('adds the KV transfer, all-to-all and measured columns and charts for a report that has them', () => {
    const report = sampleReportWithExtras();
    const slots = renderReport(root, { ...message(['low_latency', 'high_throughput', 'broken']), report }, actions());
    const headers = Array.from(root.querySelectorAll('thead th')).map((th) => th.textContent);
    expect(headers.slice(-4)).toEqual(['KV transfer', 'all-to-all p / d', 'measured prefill', 'measured decode']);
    const cells = (row: number) => Array.from(root.querySelectorAll('tbody tr')[row].querySelectorAll('td')).map((td) => td.textContent).slice(-4);
    // high_throughput: 0.25 s for 2 GiB; measured 100 s against 85.2 s predicted, 9 s against 6 s.
    expect(cells(1)).toEqual(['250 ms (2 GiB, scale-out network)', '—', `100 s (${sig(100 / 85.2, 2)}×)`, `9 s (${sig(9 / 6, 2)}×)`]);
    // low_latency: one mesh, an all-to-all of 10 µs × 118 in its decode step, nothing measured.
    expect(cells(0)).toEqual(['—', '0 s / 1.18 ms', '—', '—']);
    expect(slots.map((s) => s.id)).toEqual(['latency-cost', 'layer-time', 'memory', 'request-time', 'measured']);
    expect(root.querySelector('section[data-chart="measured"]')?.textContent).toContain('Measured against predicted');
  });

  it('asks the host to reveal the exact name that was clicked', () => {
    const a = actions();
    renderReport(root, message([HOSTILE, 'b', 'c']), a);
    root.querySelector<HTMLButtonElement>('tbody td.name button')!.click();
    root.querySelector<HTMLButtonElement>('header button')!.click();
    expect(a.calls).toEqual([['reveal', HOSTILE], ['choose']]);
  });

  it('highlights the focused layout and reports errors in the file', () => {
    renderReport(root, message(['a', 'b', 'c'], { focus: 'b', errorCount: 2 }), actions());
    expect(root.querySelector('tr.focus')?.getAttribute('data-layout')).toBe('b');
    expect(root.querySelector('.summary')?.textContent).toContain('2 errors in the file');
  });

  it('says above the charts what their figures are, once per kind of hardware', () => {
    const m = message(['a', 'b', 'c']);
    // The fixture's first two layouts are costed: one on nominal hardware, one calibrated.
    const [first, second, third] = m.report.layouts;
    m.report = { ...m.report, layouts: [{ ...first, basis: 'roofline', basis_hardware: 'tpu_v4' }, { ...second, basis: 'calibrated', basis_hardware: 'tpu_v4_pope2022' }, third] };
    renderReport(root, m, actions());
    expect(root.querySelector('.basis-note')?.textContent).toBe('figures: roofline (nominal tpu_v4), calibrated (tpu_v4_pope2022)');
    // Without the fields (an older report) there is no note rather than a wrong one.
    renderReport(root, message(['a', 'b', 'c']), actions());
    expect(root.querySelector('.basis-note')).toBeNull();
  });

  it('draws no chart when nothing is costed', () => {
    const m = message(['a', 'b', 'c']);
    m.report = { ...m.report, layouts: [m.report.layouts[2]] };
    m.shown = ['c'];
    expect(renderReport(root, m, actions())).toEqual([]);
    expect(root.querySelector('.empty')?.textContent).toMatch(/No layout could be costed/);
  });
});

describe('renderStatus', () => {
  it('shows a status message with markup as text', () => {
    renderStatus(root, { type: 'status', state: 'error', text: `No report: ${HOSTILE}${QUOTES}` });
    const status = root.querySelector('.status')!;
    expect(status.textContent).toBe(`No report: ${HOSTILE}${QUOTES}`);
    expect(status.getAttribute('data-state')).toBe('error');
    expect(root.querySelectorAll('img')).toHaveLength(0);
  });
});
