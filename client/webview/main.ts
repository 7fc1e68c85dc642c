/// <reference types="vscode-webview" />
// The Compare Layouts webview script (bundled by esbuild as a browser IIFE, ECharts included:
// nothing is loaded from elsewhere). It receives reports from the extension host, draws the
// table and the charts of the shared chart builder, follows the VS Code theme, and asks the
// host to reveal layouts and save exported charts.

import './compare.css';
import { CanvasRenderer } from 'echarts/renderers';
import { buildCharts, echarts, type ChartBuildOptions, type ChartTheme } from '../../server/src/engine/index';
import {
  isHostMessage,
  type ChartFormat,
  type CompareViewState,
  type ExportableChartId,
  type ReportMessage,
  type WebviewToHostMessage,
} from '../../server/src/protocol/compareView';
import { DrawnCharts, onThemeChange, readTheme } from './chartHost';
import { markTableOverflow, renderReport, renderStatus, type ChartSlot, type ViewActions } from './render';

// PNG export draws the same option once more on an off-screen canvas.
echarts.use([CanvasRenderer]);

const vscode = acquireVsCodeApi<CompareViewState>();
const root = document.getElementById('app')!;

const post = (message: WebviewToHostMessage) => vscode.postMessage(message);

let lastReport: ReportMessage | undefined;
/** Charts grow in once, when the view first shows data; later redraws (edits, themes) are instant. */
let animateNextDraw = true;
const drawn = new DrawnCharts<ChartSlot>();
let theme: ChartTheme = readTheme();

function chartOptions(report: ReportMessage): ChartBuildOptions {
  return { theme, decodeContext: report.decodeContext };
}

function drawCharts(report: ReportMessage, slots: ChartSlot[]): void {
  drawn.clear();
  // Each chart is laid out for its card's size (the scatter places its labels for it).
  const sizes = Object.fromEntries(slots.map((s) => [s.id, s.container.clientWidth > 0 ? { width: s.container.clientWidth, height: s.container.clientHeight } : undefined]));
  const specs = buildCharts('compare', report.report, { ...chartOptions(report), animation: animateNextDraw, sizes });
  animateNextDraw = false;
  for (const slot of slots) {
    const spec = specs.find((s) => s.id === slot.id);
    if (!spec) continue;
    const chart = drawn.draw(slot, spec.option);
    // Clicking a bar, a point or an axis label shows that layout in the editor; a bar of the
    // layer-time chart (series `PHASE-category`) opens that layout's step timeline in that phase.
    chart.on('click', (params: { name?: string; value?: unknown; seriesId?: string; componentType?: string }) => {
      const name = typeof params.name === 'string' && params.name ? params.name : typeof params.value === 'string' ? params.value : '';
      if (!report.shown.includes(name)) return;
      const phase = slot.id === 'layer-time' && params.componentType === 'series' ? params.seriesId?.split('-')[0] : undefined;
      if (phase === 'prefill' || phase === 'decode') post({ type: 'showTimeline', name, phase });
      else post({ type: 'revealLayout', name });
    });
  }
}

function exportChart(id: ExportableChartId, format: ChartFormat): void {
  const entry = drawn.all.find((d) => d.slot.id === id);
  if (!entry || !lastReport) return;
  let dataUrl: string;
  if (format === 'svg') {
    dataUrl = entry.chart.getDataURL({ type: 'svg' });
  } else {
    const spec = buildCharts('compare', lastReport.report, { ...chartOptions(lastReport), animation: false }).find((s) => s.id === id)!;
    const offscreen = document.createElement('div');
    offscreen.className = 'offscreen';
    document.body.append(offscreen);
    const width = entry.slot.container.clientWidth || spec.width;
    const height = entry.slot.container.clientHeight || spec.height;
    const canvasChart = echarts.init(offscreen, null, { renderer: 'canvas', width, height });
    try {
      canvasChart.setOption(spec.option);
      dataUrl = canvasChart.getDataURL({ type: 'png', pixelRatio: 2, backgroundColor: theme.background });
    } finally {
      canvasChart.dispose();
      offscreen.remove();
    }
  }
  entry.slot.note.textContent = 'Saving…';
  post({ type: 'exportChart', chart: id, format, dataUrl });
}

const actions: ViewActions = {
  reveal: (name) => post({ type: 'revealLayout', name }),
  chooseLayouts: () => post({ type: 'chooseLayouts' }),
  exportChart,
};

function showReport(message: ReportMessage): void {
  lastReport = message;
  vscode.setState({ uri: message.uri, selected: message.selected });
  const slots = renderReport(root, message, actions);
  drawCharts(message, slots);
  markTableOverflow(root);
  root.querySelector('.table-scroller')?.addEventListener('scroll', () => markTableOverflow(root), { passive: true });
}

// A resized panel: the table may now overflow (or not), and the charts' labels are placed again
// for their cards' new size (a moment after the last resize event, not at each one).
let relayoutTimer: ReturnType<typeof setTimeout> | undefined;
window.addEventListener('resize', () => {
  markTableOverflow(root);
  clearTimeout(relayoutTimer);
  relayoutTimer = setTimeout(() => {
    if (lastReport) drawCharts(lastReport, drawn.slots());
  }, 200);
});

window.addEventListener('message', (event: MessageEvent<unknown>) => {
  const message = event.data;
  if (!isHostMessage(message)) return;
  switch (message.type) {
    case 'report':
      showReport(message);
      break;
    case 'status':
      renderStatus(root, message);
      break;
    case 'exportResult': {
      const slot = drawn.all.find((d) => d.slot.id === message.chart)?.slot;
      if (slot) slot.note.textContent = message.text;
      break;
    }
  }
});

// VS Code swaps the body's theme class (vscode-light, vscode-dark, vscode-high-contrast…) when
// the colour theme changes; the charts' colours come from CSS variables and are re-read then.
onThemeChange((next) => {
  theme = next;
  if (lastReport) drawCharts(lastReport, drawn.slots());
});

post({ type: 'ready', state: vscode.getState() ?? null });
