/// <reference types="vscode-webview" />
// The Step Timeline webview script (dist/webview/timeline.js): draws one layer op by op and the
// whole pass with the engine's registered `timeline` charts (the ones `shardlens timeline
// --svg/--html` renders), in the VS Code theme's colours. Nothing is loaded from elsewhere.

import './timeline.css';
import { buildCharts, type ChartTheme } from '../../server/src/engine/index';
import { isTimelineHostMessage, type TimelineMessage, type TimelineViewState, type TimelineWebviewMessage } from '../../server/src/protocol/timelineView';
import { DrawnCharts, onThemeChange, readTheme } from './chartHost';
import { renderTimeline, renderTimelineStatus, type TimelineViewActions, type TimelineViewSlot } from './timelineRender';

const vscode = acquireVsCodeApi<TimelineViewState>();
const root = document.getElementById('app')!;
const post = (message: TimelineWebviewMessage) => vscode.postMessage(message);

let shown: TimelineMessage | undefined;
const drawn = new DrawnCharts<TimelineViewSlot>();
let theme: ChartTheme = readTheme();

function draw(message: TimelineMessage, slots: TimelineViewSlot[]): void {
  drawn.clear();
  const specs = buildCharts('timeline', message.timeline, { theme });
  for (const slot of slots) {
    const spec = specs.find((s) => s.id === slot.id);
    if (!spec) continue;
    const chart = drawn.draw(slot, spec.option);
    // A bar of the layer chart is one op (its rows are the timeline's bars, in order): show its statement.
    if (slot.id === 'timeline') {
      chart.on('click', (params) => {
        const bar = message.timeline.layer.bars[params.dataIndex];
        if (bar) post({ type: 'revealOp', key: bar.key });
      });
    }
  }
}

const actions: TimelineViewActions = {
  chooseLayout: () => post({ type: 'chooseLayout' }),
  choosePhase: (phase) => post({ type: 'choosePhase', phase }),
};

window.addEventListener('message', (event: MessageEvent<unknown>) => {
  const message = event.data;
  if (!isTimelineHostMessage(message)) return;
  if (message.type === 'status') {
    renderTimelineStatus(root, message);
    return;
  }
  shown = message;
  vscode.setState({ uri: message.uri, layout: message.timeline.layout, phase: message.timeline.phase });
  draw(message, renderTimeline(root, message, actions));
});

onThemeChange((next) => {
  theme = next;
  if (shown) draw(shown, drawn.slots());
});

post({ type: 'ready', state: vscode.getState() ?? null });
