/// <reference types="vscode-webview" />
// The search chart webview script (dist/webview/chart.js): draws the sweep (Pope Fig. 1) and the
// FFN crossover (Pope Fig. 3) that the host sends, with the engine's own option builders
// (server/src/engine/search/charts.ts, the same ones `shardlens sweep --html` and
// `crossover --svg` render), in the VS Code theme's colours. Nothing is loaded from elsewhere.

import './chart.css';
import type { EChartsType } from 'echarts/core';
import { echarts } from '../../server/src/engine/charts/echartsSetup';
import { themeFromCssVariables } from '../../server/src/engine/charts/theme';
import type { ChartTheme } from '../../server/src/engine/charts/types';
import { crossoverChartOption, sweepChartOption } from '../../server/src/engine/search/charts';
import { isChartHostMessage, type ChartViewState, type ChartWebviewMessage, type CrossoverMessage, type SweepMessage } from '../src/chartProtocol';
import { renderChartStatus, renderCrossover, renderSweep, type ChartViewActions, type ChartViewSlot } from './chartRender';

// markPoint (the switch points) and `grid.containLabel` are registered by the shared setup.

const vscode = acquireVsCodeApi<ChartViewState>();
const root = document.getElementById('app')!;
const post = (message: ChartWebviewMessage) => vscode.postMessage(message);

let shown: SweepMessage | CrossoverMessage | undefined;
let drawn: { slot: ChartViewSlot; chart: EChartsType }[] = [];
let theme: ChartTheme = readTheme();

function readTheme(): ChartTheme {
  const style = getComputedStyle(document.body);
  return themeFromCssVariables((name) => style.getPropertyValue(name));
}

/** Line colours for the crossover and a sweep of several layouts: the theme's chart colours first, then two that read on light and dark. */
function palette(t: ChartTheme): string[] {
  return [t.category.compute, t.category.memory, t.category.comm, t.kvCache, t.hbmLine, '#8c6d1f', '#1b7c83'];
}

const resizeObserver = new ResizeObserver((entries) => {
  for (const entry of entries) drawn.find((d) => d.slot.container === entry.target)?.chart.resize();
});

function optionFor(message: SweepMessage | CrossoverMessage, slot: ChartViewSlot): object {
  if (message.type === 'crossover') return crossoverChartOption(message.result, theme, palette(theme));
  const phase = slot.id === 'sweep-prefill' ? 'prefill' : 'decode';
  // One layout in its phase's colour, as `sweep --html` draws it; several in distinct colours.
  const colors = message.results.length === 1 ? [theme.phase[phase]] : palette(theme);
  const option = sweepChartOption(message.results, phase, theme, colors) as { legend?: object };
  // Two legend entries per layout wrap onto rows that cover the x-axis name; one scrolling row does not.
  return message.results.length > 1 ? { ...option, legend: { ...option.legend, type: 'scroll' } } : option;
}

function draw(message: SweepMessage | CrossoverMessage, slots: ChartViewSlot[]): void {
  for (const d of drawn) d.chart.dispose();
  drawn = [];
  for (const slot of slots) {
    // SVG: crisp at any zoom, and no canvas sizing through inline styles.
    const chart = echarts.init(slot.container, null, { renderer: 'svg' });
    chart.setOption(optionFor(message, slot) as Parameters<typeof chart.setOption>[0]);
    resizeObserver.observe(slot.container);
    drawn.push({ slot, chart });
  }
}

const actions: ChartViewActions = {
  rerun: () => post({ type: 'rerun' }),
  reveal: (name) => post({ type: 'revealLayout', name }),
};

function show(message: SweepMessage | CrossoverMessage): void {
  shown = message;
  vscode.setState({ kind: message.type, uri: message.uri, layouts: message.type === 'sweep' ? message.results.map((r) => r.layout) : [message.layout] });
  const slots = message.type === 'sweep' ? renderSweep(root, message, actions) : renderCrossover(root, message, actions);
  draw(message, slots);
}

window.addEventListener('message', (event: MessageEvent<unknown>) => {
  const message = event.data;
  if (!isChartHostMessage(message)) return;
  if (message.type === 'status') renderChartStatus(root, message, actions);
  else show(message);
});

// VS Code swaps the body's theme class when the colour theme changes; re-read the colours then.
new MutationObserver(() => {
  theme = readTheme();
  if (shown) draw(shown, drawn.map((d) => d.slot));
}).observe(document.body, { attributes: true, attributeFilter: ['class'] });

post({ type: 'ready', state: vscode.getState() ?? null });
