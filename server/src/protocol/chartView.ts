// Messages between the extension host and the search chart webview (Show Sweep, Show Crossover),
// typed both ways as unions on `type`. Imported by the host (client/src/chartPanel.ts) and bundled
// into the webview (client/webview/chart.ts). Everything the webview sends is validated by
// parseChartWebviewMessage; a message that is not exactly a known one is dropped.

import type { CrossoverResult, SweepResult } from '../engine/index';
import { isRecord, LAYOUT_NAME } from './messageChecks';

export const CHART_VIEW_TYPE = 'shardlens.chart';

export type ChartKind = 'sweep' | 'crossover';

/** At most this many layouts in one sweep chart: more series than this stop being readable. */
export const MAX_SWEEP_LAYOUTS = 8;

/** What the webview persists with setState, and what the panel serializer restores from. */
export interface ChartViewState {
  kind: ChartKind;
  /** The `.shard` document searched. */
  uri: string;
  /** The layouts searched: one series each in a sweep; a crossover has one. */
  layouts: string[];
}

// ---- host → webview ------------------------------------------------------------------------

interface ResultBase {
  uri: string;
  /** File name for the heading (the full path stays on the host). */
  fileName: string;
}

/** One sweep per layout, drawn as one series each (Pope Fig. 1 draws one per model). */
export interface SweepMessage extends ResultBase {
  type: 'sweep';
  results: SweepResult[];
}

export interface CrossoverMessage extends ResultBase {
  type: 'crossover';
  layout: string;
  result: CrossoverResult;
}

export interface ChartStatusMessage {
  type: 'status';
  /** `loading` while the search runs; `error` when it failed or was cancelled. */
  state: 'loading' | 'error';
  text: string;
}

export type ChartHostMessage = SweepMessage | CrossoverMessage | ChartStatusMessage;

// ---- webview → host ------------------------------------------------------------------------

export interface ChartReadyMessage {
  type: 'ready';
  /** The state the webview restored, if any. */
  state: ChartViewState | null;
}

/** The Run again button: search again (the file may have changed). */
export interface RerunMessage {
  type: 'rerun';
}

export interface RevealMessage {
  type: 'revealLayout';
  name: string;
}

export type ChartWebviewMessage = ChartReadyMessage | RerunMessage | RevealMessage;

/** Checks a message the webview received: a malformed one leaves the view as it is. */
export function isChartHostMessage(data: unknown): data is ChartHostMessage {
  if (!isRecord(data)) return false;
  switch (data.type) {
    case 'sweep':
      return (
        typeof data.uri === 'string' &&
        typeof data.fileName === 'string' &&
        Array.isArray(data.results) &&
        data.results.length > 0 &&
        data.results.every((r) => isRecord(r) && typeof r.layout === 'string' && Array.isArray(r.points) && isRecord(r.frontier))
      );
    case 'crossover': {
      const r = data.result;
      return typeof data.uri === 'string' && typeof data.fileName === 'string' && typeof data.layout === 'string' && isRecord(r) && Array.isArray(r.lines) && Array.isArray(r.switchPoints) && isRecord(r.range);
    }
    case 'status':
      return (data.state === 'loading' || data.state === 'error') && typeof data.text === 'string';
    default:
      return false;
  }
}

export function parseChartViewState(v: unknown): ChartViewState | undefined {
  if (!isRecord(v)) return undefined;
  if (v.kind !== 'sweep' && v.kind !== 'crossover') return undefined;
  if (typeof v.uri !== 'string' || v.uri.length === 0 || v.uri.length > 4096) return undefined;
  const max = v.kind === 'sweep' ? MAX_SWEEP_LAYOUTS : 1;
  if (!Array.isArray(v.layouts) || v.layouts.length === 0 || v.layouts.length > max) return undefined;
  if (!v.layouts.every((n): n is string => typeof n === 'string' && LAYOUT_NAME.test(n))) return undefined;
  return { kind: v.kind, uri: v.uri, layouts: [...new Set(v.layouts)] };
}

/** Validates one message from the webview; undefined for anything that is not exactly a known message. */
export function parseChartWebviewMessage(raw: unknown): ChartWebviewMessage | undefined {
  if (!isRecord(raw) || typeof raw.type !== 'string') return undefined;
  switch (raw.type) {
    case 'ready': {
      if (raw.state === null || raw.state === undefined) return { type: 'ready', state: null };
      const state = parseChartViewState(raw.state);
      return state ? { type: 'ready', state } : undefined;
    }
    case 'rerun':
      return { type: 'rerun' };
    case 'revealLayout':
      return typeof raw.name === 'string' && LAYOUT_NAME.test(raw.name) ? { type: 'revealLayout', name: raw.name } : undefined;
    default:
      return undefined;
  }
}
