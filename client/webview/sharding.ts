/// <reference types="vscode-webview" />
// The Show Sharding webview script (dist/webview/sharding.js): draws the tiles of the value under
// the editor's cursor that the host sends, with the engine's registered `sharding` chart (the
// one `shardlens show --svg/--html` renders), in the VS Code theme's colours. Nothing is loaded
// from elsewhere; the choosers are buttons that ask the host (it shows a QuickPick). The chip
// grid is keyboard navigable (shardingRender.ts): the selected chip is outlined in the theme's
// focus colour and kept with setState, so it survives a reload.

import './sharding.css';
import { buildCharts, type ChartTheme } from '../../server/src/engine/index';
import { isShardingHostMessage, type ShardingMessage, type ShardingViewState, type ShardingWebviewMessage } from '../../server/src/protocol/shardingView';
import { DrawnCharts, onThemeChange, readTheme } from './chartHost';
import { renderSharding, renderShardingStatus, type ShardingViewActions, type ShardingViewSlot } from './shardingRender';

const vscode = acquireVsCodeApi<ShardingViewState>();
const root = document.getElementById('app')!;
const post = (message: ShardingWebviewMessage) => vscode.postMessage(message);

let shown: ShardingMessage | undefined;
let slot: ShardingViewSlot | undefined;
const drawn = new DrawnCharts<ShardingViewSlot>();
let theme: ChartTheme = readTheme();
/** The chip selected with the keyboard, restored after a reload. */
let selectedChip = vscode.getState()?.chip ?? 0;

/** The colour of VS Code's focus outlines, for the selected chip. */
function focusColor(): string {
  return getComputedStyle(document.body).getPropertyValue('--vscode-focusBorder').trim();
}

function option(message: ShardingMessage, animation = true) {
  return buildCharts('sharding', message.result.tiles, { theme, animation, selectedChip: { chip: selectedChip, color: focusColor() } }).find((s) => s.id === 'sharding')?.option;
}

function draw(message: ShardingMessage, target: ShardingViewSlot): void {
  drawn.clear();
  const o = option(message);
  if (!o) return;
  const chart = drawn.draw(target, o);
  // A click on a chip selects it, as the keyboard does.
  chart.on('click', (p) => {
    if (typeof p.dataIndex === 'number') target.select(p.dataIndex);
  });
}

function saveState(): void {
  if (!shown) return;
  const { chosen, value } = shown.result;
  vscode.setState({ uri: shown.uri, layout: chosen.layout, phase: chosen.phase, value, chip: selectedChip });
}

const actions: ShardingViewActions = {
  chooseLayout: () => post({ type: 'chooseLayout' }),
  chooseValue: () => post({ type: 'chooseValue' }),
  selectChip: (chip) => {
    selectedChip = chip;
    saveState();
    // Only the outline changes: redraw the same chart without animation.
    const o = shown && option(shown, false);
    if (o) drawn.all[0]?.chart.setOption(o, { notMerge: true });
  },
};

window.addEventListener('message', (event: MessageEvent<unknown>) => {
  const message = event.data;
  if (!isShardingHostMessage(message)) return;
  if (message.type === 'status') {
    drawn.clear();
    shown = undefined;
    slot = undefined;
    renderShardingStatus(root, message);
    return;
  }
  shown = message;
  // Keep the grid's focus when the cursor moves and the view is drawn again.
  const hadFocus = slot?.container === document.activeElement;
  slot = renderSharding(root, message, actions, selectedChip);
  selectedChip = slot.selected;
  saveState();
  draw(message, slot);
  if (hadFocus) slot.container.focus();
});

onThemeChange((next) => {
  theme = next;
  if (shown && slot) draw(shown, slot);
});

post({ type: 'ready', state: vscode.getState() ?? null });
