/// <reference types="vscode-webview" />
// The search chart webview script (dist/webview/chart.js): draws the sweep (Pope Fig. 1) and the
// FFN crossover (Pope Fig. 3) that the host sends, with the engine's chart registry
// (server/src/engine/charts/registry.ts, the same charts `shardlens sweep --html` and
// `crossover --svg` render), in the VS Code theme's colours. Nothing is loaded from elsewhere.

import './chart.css';
import { buildCharts, type ChartSpec, type ChartTheme } from '../../server/src/engine/index';
import { isChartHostMessage, type ChartViewState, type ChartWebviewMessage, type CrossoverMessage, type SweepMessage } from '../../server/src/protocol/chartView';
import { DrawnCharts, onThemeChange, readTheme } from './chartHost';
import { renderChartStatus, renderCrossover, renderSweep, type ChartViewActions, type ChartViewSlot } from './chartRender';

// markPoint (the switch points) and `grid.containLabel` are registered by the shared setup.

const vscode = acquireVsCodeApi<ChartViewState>();
const root = document.getElementById('app')!;
const post = (message: ChartWebviewMessage) => vscode.postMessage(message);

let shown: SweepMessage | CrossoverMessage | undefined;
const drawn = new DrawnCharts<ChartViewSlot>();
let theme: ChartTheme = readTheme();

function chartsOf(message: SweepMessage | CrossoverMessage, slots: ChartViewSlot[]): ChartSpec[] {
  // Each chart is laid out for its card's size (the sweep sides its labels for it).
  const sizes = Object.fromEntries(slots.map((s) => [s.id, s.container.clientWidth > 0 ? { width: s.container.clientWidth, height: s.container.clientHeight } : undefined]));
  return message.type === 'crossover' ? buildCharts('crossover', message.result, { theme, sizes }) : buildCharts('sweep', message.results, { theme, sizes });
}

function draw(message: SweepMessage | CrossoverMessage, slots: ChartViewSlot[]): void {
  drawn.clear();
  const specs = chartsOf(message, slots);
  for (const slot of slots) {
    const spec = specs.find((s) => s.id === slot.id);
    if (spec) drawn.draw(slot, spec.option);
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

onThemeChange((next) => {
  theme = next;
  if (shown) draw(shown, drawn.slots());
});

post({ type: 'ready', state: vscode.getState() ?? null });
