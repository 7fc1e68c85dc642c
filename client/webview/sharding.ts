/// <reference types="vscode-webview" />
// The Show Sharding webview script (dist/webview/sharding.js): draws the tiles of the value under
// the editor's cursor that the host sends, with the engine's registered `sharding` chart (the
// one `shardlens show --svg/--html` renders), in the VS Code theme's colours. Nothing is loaded
// from elsewhere; the choosers are buttons that ask the host (it shows a QuickPick).

import './sharding.css';
import { buildCharts, type ChartTheme } from '../../server/src/engine/index';
import { isShardingHostMessage, type ShardingMessage, type ShardingViewState, type ShardingWebviewMessage } from '../../server/src/protocol/shardingView';
import { DrawnCharts, onThemeChange, readTheme } from './chartHost';
import { renderSharding, renderShardingStatus, type ShardingViewActions, type ShardingViewSlot } from './shardingRender';

const vscode = acquireVsCodeApi<ShardingViewState>();
const root = document.getElementById('app')!;
const post = (message: ShardingWebviewMessage) => vscode.postMessage(message);

let shown: ShardingMessage | undefined;
const drawn = new DrawnCharts<ShardingViewSlot>();
let theme: ChartTheme = readTheme();

function draw(message: ShardingMessage, slot: ShardingViewSlot): void {
  drawn.clear();
  const spec = buildCharts('sharding', message.result.tiles, { theme }).find((s) => s.id === 'sharding');
  if (spec) drawn.draw(slot, spec.option);
}

const actions: ShardingViewActions = {
  chooseLayout: () => post({ type: 'chooseLayout' }),
  chooseValue: () => post({ type: 'chooseValue' }),
};

window.addEventListener('message', (event: MessageEvent<unknown>) => {
  const message = event.data;
  if (!isShardingHostMessage(message)) return;
  if (message.type === 'status') {
    drawn.clear();
    shown = undefined;
    renderShardingStatus(root, message);
    return;
  }
  shown = message;
  const { chosen, value } = message.result;
  vscode.setState({ uri: message.uri, layout: chosen.layout, phase: chosen.phase, value });
  draw(message, renderSharding(root, message, actions));
});

onThemeChange((next) => {
  theme = next;
  const slot = drawn.slots()[0];
  if (shown && slot) draw(shown, slot);
});

post({ type: 'ready', state: vscode.getState() ?? null });
