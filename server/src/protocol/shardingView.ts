// Messages between the extension host and the Show Sharding webview, typed both ways as unions on
// `type`. Imported by the host (client/src/shardingPanel.ts) and bundled into the webview
// (client/webview/sharding.ts). The host validates every message from the webview with
// parseShardingWebviewMessage; the webview checks what it receives with isShardingHostMessage.

import type { Phase, ShardingAt } from '../engine/index';
import { isRecord, LAYOUT_NAME } from './messageChecks';

export const SHARDING_VIEW_TYPE = 'shardlens.sharding';

/** `ROLE.NAME`: a block role and a value name as the language spells names. */
export const VALUE_REF = /^(ffn|attention|unembed)\.[A-Za-z_][A-Za-z0-9_]*$/;

/** What the webview persists with setState, and what the panel serializer restores from. */
export interface ShardingViewState {
  /** The `.shard` document followed. */
  uri: string;
  layout?: string;
  phase?: Phase;
  value?: string;
  /** The chip selected with the keyboard (webview only: the host does not use it). */
  chip?: number;
}

// ---- host → webview ------------------------------------------------------------------------

export interface ShardingMessage {
  type: 'sharding';
  uri: string;
  /** File name for the heading (the full path stays on the host). */
  fileName: string;
  result: Extract<ShardingAt, { kind: 'tiles' }>;
}

export interface ShardingStatusMessage {
  type: 'status';
  /** `empty`: the cursor is on nothing drawable (the text says why); `error`: no answer. */
  state: 'empty' | 'error';
  text: string;
}

export type ShardingHostMessage = ShardingMessage | ShardingStatusMessage;

// ---- webview → host ------------------------------------------------------------------------

export interface ShardingReadyMessage {
  type: 'ready';
  state: ShardingViewState | null;
}

/** The layout button: the host asks which layout and phase (a QuickPick). */
export interface ChooseLayoutMessage {
  type: 'chooseLayout';
}

/** The value button: the host asks which value of the layout to draw. */
export interface ChooseValueMessage {
  type: 'chooseValue';
}

export type ShardingWebviewMessage = ShardingReadyMessage | ChooseLayoutMessage | ChooseValueMessage;

/** Checks a message the webview received: a malformed one leaves the view as it is. */
export function isShardingHostMessage(data: unknown): data is ShardingHostMessage {
  if (!isRecord(data)) return false;
  switch (data.type) {
    case 'sharding': {
      const r = data.result;
      if (typeof data.uri !== 'string' || typeof data.fileName !== 'string' || !isRecord(r) || r.kind !== 'tiles') return false;
      const t = r.tiles;
      return (
        typeof r.value === 'string' &&
        Array.isArray(r.choices) &&
        Array.isArray(r.values) &&
        isRecord(r.chosen) &&
        isRecord(t) &&
        Array.isArray(t.chips) &&
        Array.isArray(t.dims) &&
        Array.isArray(t.tiles) &&
        isRecord(t.mesh) &&
        Array.isArray(t.mesh.axes)
      );
    }
    case 'status':
      return (data.state === 'empty' || data.state === 'error') && typeof data.text === 'string';
    default:
      return false;
  }
}

export function parseShardingViewState(v: unknown): ShardingViewState | undefined {
  if (!isRecord(v)) return undefined;
  if (typeof v.uri !== 'string' || v.uri.length === 0 || v.uri.length > 4096) return undefined;
  const state: ShardingViewState = { uri: v.uri };
  // Optional parts are kept only when well formed; a bad one is dropped, not the whole state.
  if (typeof v.layout === 'string' && LAYOUT_NAME.test(v.layout)) state.layout = v.layout;
  if (v.phase === 'prefill' || v.phase === 'decode') state.phase = v.phase;
  if (typeof v.value === 'string' && VALUE_REF.test(v.value)) state.value = v.value;
  if (typeof v.chip === 'number' && Number.isSafeInteger(v.chip) && v.chip >= 0) state.chip = v.chip;
  return state;
}

/** Validates one message from the webview; undefined for anything that is not exactly a known message. */
export function parseShardingWebviewMessage(raw: unknown): ShardingWebviewMessage | undefined {
  if (!isRecord(raw) || typeof raw.type !== 'string') return undefined;
  switch (raw.type) {
    case 'ready': {
      if (raw.state === null || raw.state === undefined) return { type: 'ready', state: null };
      const state = parseShardingViewState(raw.state);
      return state ? { type: 'ready', state } : undefined;
    }
    case 'chooseLayout':
      return { type: 'chooseLayout' };
    case 'chooseValue':
      return { type: 'chooseValue' };
    default:
      return undefined;
  }
}
