// Messages between the extension host and the Step Timeline webview, typed both ways as unions on
// `type`. Imported by the host (client/src/timelinePanel.ts) and bundled into the webview
// (client/webview/timeline.ts). The host validates every message from the webview with
// parseTimelineWebviewMessage; the webview checks what it receives with isTimelineHostMessage.

import type { Phase, Timeline } from '../engine/index';
import { isRecord, LAYOUT_NAME } from './messageChecks';
import { VALUE_REF } from './shardingView';

export const TIMELINE_VIEW_TYPE = 'shardlens.timeline';

/** What the webview persists with setState, and what the panel serializer restores from. */
export interface TimelineViewState {
  uri: string;
  layout: string;
  phase: Phase;
}

export interface TimelineMessage {
  type: 'timeline';
  uri: string;
  /** File name for the heading (the full path stays on the host). */
  fileName: string;
  timeline: Timeline;
}

export interface TimelineStatusMessage {
  type: 'status';
  state: 'loading' | 'error';
  text: string;
}

export type TimelineHostMessage = TimelineMessage | TimelineStatusMessage;

export interface TimelineReadyMessage {
  type: 'ready';
  state: TimelineViewState | null;
}

/** The phase buttons. */
export interface ChoosePhaseMessage {
  type: 'choosePhase';
  phase: Phase;
}

/** The layout button: the host asks which layout (a QuickPick over the file's layouts). */
export interface ChooseTimelineLayoutMessage {
  type: 'chooseLayout';
}

/** A bar of the layer chart clicked: show its statement in the editor. */
export interface RevealOpMessage {
  type: 'revealOp';
  /** The bar's `ROLE.NAME`. */
  key: string;
}

export type TimelineWebviewMessage = TimelineReadyMessage | ChoosePhaseMessage | ChooseTimelineLayoutMessage | RevealOpMessage;

const isPhase = (v: unknown): v is Phase => v === 'prefill' || v === 'decode';

/** Checks a message the webview received: a malformed one leaves the view as it is. */
export function isTimelineHostMessage(data: unknown): data is TimelineHostMessage {
  if (!isRecord(data)) return false;
  switch (data.type) {
    case 'timeline': {
      const t = data.timeline;
      return (
        typeof data.uri === 'string' &&
        typeof data.fileName === 'string' &&
        isRecord(t) &&
        typeof t.layout === 'string' &&
        isPhase(t.phase) &&
        isRecord(t.layer) &&
        Array.isArray(t.layer.bars) &&
        Array.isArray(t.layer.criticalPath) &&
        isRecord(t.step) &&
        Array.isArray(t.step.parts)
      );
    }
    case 'status':
      return (data.state === 'loading' || data.state === 'error') && typeof data.text === 'string';
    default:
      return false;
  }
}

export function parseTimelineViewState(v: unknown): TimelineViewState | undefined {
  if (!isRecord(v)) return undefined;
  if (typeof v.uri !== 'string' || v.uri.length === 0 || v.uri.length > 4096) return undefined;
  if (typeof v.layout !== 'string' || !LAYOUT_NAME.test(v.layout) || !isPhase(v.phase)) return undefined;
  return { uri: v.uri, layout: v.layout, phase: v.phase };
}

/** Validates one message from the webview; undefined for anything that is not exactly a known message. */
export function parseTimelineWebviewMessage(raw: unknown): TimelineWebviewMessage | undefined {
  if (!isRecord(raw) || typeof raw.type !== 'string') return undefined;
  switch (raw.type) {
    case 'ready': {
      if (raw.state === null || raw.state === undefined) return { type: 'ready', state: null };
      const state = parseTimelineViewState(raw.state);
      return state ? { type: 'ready', state } : undefined;
    }
    case 'choosePhase':
      return isPhase(raw.phase) ? { type: 'choosePhase', phase: raw.phase } : undefined;
    case 'chooseLayout':
      return { type: 'chooseLayout' };
    case 'revealOp':
      return typeof raw.key === 'string' && VALUE_REF.test(raw.key) ? { type: 'revealOp', key: raw.key } : undefined;
    default:
      return undefined;
  }
}
