// Messages between the extension host and the Compare Layouts webview, both directions typed
// as discriminated unions on `type`. Imported by the host (client/src/comparePanel.ts) and
// bundled into the webview (client/webview/main.ts), so both sides compile against one definition.
//
// The webview is treated as untrusted: everything it sends goes through `parseWebviewMessage`,
// which returns undefined for anything malformed instead of trusting a cast.

import { chartIdsOf, type ChartIdOf, type ChartReport, type DecodeContext } from '../engine/index';
import { isRecord, LAYOUT_NAME } from './messageChecks';

export const COMPARE_VIEW_TYPE = 'shardlens.compare';

export type ChartFormat = 'svg' | 'png';
/** The charts of the view, each of which can be exported. */
export type ExportableChartId = ChartIdOf<'compare'>;

/** What the webview persists with setState, and what the panel serializer restores from. */
export interface CompareViewState {
  /** The `.shard` document the panel compares. */
  uri: string;
  /** Layouts chosen in the quick pick; null means all of them. */
  selected: string[] | null;
}

// ---- host → webview ------------------------------------------------------------------------

export interface ReportMessage {
  type: 'report';
  uri: string;
  /** File name for the heading (the full path stays on the host). */
  fileName: string;
  report: ChartReport;
  /** Names of the layouts drawn, in file order. */
  shown: string[];
  /** How many layouts the file has in all (the rest were left out by the quick pick). */
  total: number;
  selected: string[] | null;
  decodeContext: DecodeContext;
  /** Errors in the file: the numbers may cover only what could be costed. */
  errorCount: number;
  /** A layout to highlight (the code lens it was opened from). */
  focus: string | null;
}

export interface StatusMessage {
  type: 'status';
  /** `loading` while the server works; `error` when there is no report to show. */
  state: 'loading' | 'error';
  text: string;
}

export interface ExportResultMessage {
  type: 'exportResult';
  chart: ExportableChartId;
  ok: boolean;
  text: string;
}

export type HostToWebviewMessage = ReportMessage | StatusMessage | ExportResultMessage;

// ---- webview → host ------------------------------------------------------------------------

export interface ReadyMessage {
  type: 'ready';
  /** The state the webview restored, if any, so a reloaded view asks for the same layouts. */
  state: CompareViewState | null;
}

export interface RevealLayoutMessage {
  type: 'revealLayout';
  name: string;
}

export interface ChooseLayoutsMessage {
  type: 'chooseLayouts';
}

/** A layout's bar of the layer-time chart clicked: open the Step Timeline of that layout and phase. */
export interface ShowTimelineMessage {
  type: 'showTimeline';
  name: string;
  phase: 'prefill' | 'decode';
}

export interface ExportChartMessage {
  type: 'exportChart';
  chart: ExportableChartId;
  format: ChartFormat;
  /** `data:image/svg+xml;…` or `data:image/png;base64,…` from ECharts' getDataURL. */
  dataUrl: string;
}

export type WebviewToHostMessage = ReadyMessage | RevealLayoutMessage | ChooseLayoutsMessage | ExportChartMessage | ShowTimelineMessage;

/**
 * Checks a message the webview received. The host is trusted, but a malformed message should
 * leave the view as it is rather than throw half-way through drawing.
 */
export function isHostMessage(data: unknown): data is HostToWebviewMessage {
  if (!isRecord(data)) return false;
  switch (data.type) {
    case 'report': {
      const report = data.report;
      return (
        typeof data.uri === 'string' &&
        typeof data.fileName === 'string' &&
        isRecord(report) &&
        Array.isArray(report.layouts) &&
        report.layouts.every((l) => isRecord(l) && typeof l.name === 'string') &&
        Array.isArray(data.shown) &&
        typeof data.total === 'number' &&
        (data.decodeContext === 'mean' || data.decodeContext === 'last')
      );
    }
    case 'status':
      return (data.state === 'loading' || data.state === 'error') && typeof data.text === 'string';
    case 'exportResult':
      return typeof data.chart === 'string' && typeof data.text === 'string';
    default:
      return false;
  }
}

/** The largest chart export accepted (a 3× PNG of a wide chart is well under this). */
export const MAX_EXPORT_BYTES = 16 * 1024 * 1024;

function parseState(v: unknown): CompareViewState | null | undefined {
  if (v === null || v === undefined) return null;
  if (!isRecord(v) || typeof v.uri !== 'string' || v.uri.length > 4096) return undefined;
  if (v.selected === null || v.selected === undefined) return { uri: v.uri, selected: null };
  if (!Array.isArray(v.selected) || v.selected.length > 1000) return undefined;
  if (!v.selected.every((n): n is string => typeof n === 'string' && LAYOUT_NAME.test(n))) return undefined;
  return { uri: v.uri, selected: [...v.selected] };
}

export function parseViewState(v: unknown): CompareViewState | undefined {
  return parseState(v) ?? undefined;
}

const DATA_URL_PREFIX: Record<ChartFormat, RegExp> = {
  // ECharts' SVG renderer writes `;charset=UTF-8,` (percent-encoded) or `;base64,`.
  svg: /^data:image\/svg\+xml(;charset=utf-8)?(;base64)?,/i,
  png: /^data:image\/png;base64,/,
};

/** Validates one message from the webview; undefined for anything that is not exactly a known message. */
export function parseWebviewMessage(raw: unknown): WebviewToHostMessage | undefined {
  if (!isRecord(raw) || typeof raw.type !== 'string') return undefined;
  switch (raw.type) {
    case 'ready': {
      const state = parseState(raw.state);
      return state === undefined ? undefined : { type: 'ready', state };
    }
    case 'revealLayout':
      return typeof raw.name === 'string' && LAYOUT_NAME.test(raw.name) ? { type: 'revealLayout', name: raw.name } : undefined;
    case 'chooseLayouts':
      return { type: 'chooseLayouts' };
    case 'showTimeline':
      return typeof raw.name === 'string' && LAYOUT_NAME.test(raw.name) && (raw.phase === 'prefill' || raw.phase === 'decode') ? { type: 'showTimeline', name: raw.name, phase: raw.phase } : undefined;
    case 'exportChart': {
      const { chart, format, dataUrl } = raw;
      if (typeof chart !== 'string' || !(chartIdsOf('compare') as string[]).includes(chart)) return undefined;
      if (format !== 'svg' && format !== 'png') return undefined;
      if (typeof dataUrl !== 'string' || dataUrl.length > MAX_EXPORT_BYTES * 2 || !DATA_URL_PREFIX[format].test(dataUrl)) return undefined;
      return { type: 'exportChart', chart: chart as ExportableChartId, format, dataUrl };
    }
    default:
      return undefined;
  }
}
