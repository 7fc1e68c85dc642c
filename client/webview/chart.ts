/// <reference types="vscode-webview" />
// The search chart webview script (dist/webview/chart.js): draws the sweep (Pope Fig. 1) and the
// FFN crossover (Pope Fig. 3) that the host sends, with the engine's own option builders
// (server/src/engine/search/charts.ts, the same ones `shardlens sweep --html` and
// `crossover --svg` render), in the VS Code theme's colours. Nothing is loaded from elsewhere.

import './chart.css';
import type { EChartsType } from 'echarts/core';
import type { ChartTheme } from '../../server/src/engine/charts/types';
import { crossoverChartOption, seriesColors, sweepChartOption } from '../../server/src/engine/search/charts';
import { isChartHostMessage, type ChartViewState, type ChartWebviewMessage, type CrossoverMessage, type SweepMessage } from '../src/chartProtocol';
import { DrawnCharts, onThemeChange, readTheme } from './chartHost';
import { renderChartStatus, renderCrossover, renderSweep, type ChartViewActions, type ChartViewSlot } from './chartRender';

// markPoint (the switch points) and `grid.containLabel` are registered by the shared setup.

const vscode = acquireVsCodeApi<ChartViewState>();
const root = document.getElementById('app')!;
const post = (message: ChartWebviewMessage) => vscode.postMessage(message);

let shown: SweepMessage | CrossoverMessage | undefined;
const drawn = new DrawnCharts<ChartViewSlot>();
let theme: ChartTheme = readTheme();

function optionFor(message: SweepMessage | CrossoverMessage, slot: ChartViewSlot): object {
  if (message.type === 'crossover') return crossoverChartOption(message.result, theme, seriesColors(theme));
  const phase = slot.id === 'sweep-prefill' ? 'prefill' : 'decode';
  // One layout in its phase's colour, as `sweep --html` draws it; several in distinct colours.
  const colors = message.results.length === 1 ? [theme.phase[phase]] : seriesColors(theme);
  const option = sweepChartOption(message.results, phase, theme, colors) as { legend?: object };
  // Two legend entries per layout wrap onto rows that cover the x-axis name; one scrolling row does not.
  return message.results.length > 1 ? { ...option, legend: { ...option.legend, type: 'scroll' } } : option;
}

function draw(message: SweepMessage | CrossoverMessage, slots: ChartViewSlot[]): void {
  drawn.clear();
  for (const slot of slots) drawn.draw(slot, optionFor(message, slot) as Parameters<EChartsType['setOption']>[0]);
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

onThemeChange((next) => {
  theme = next;
  if (shown) draw(shown, drawn.slots());
});

post({ type: 'ready', state: vscode.getState() ?? null });
