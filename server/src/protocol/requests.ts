// The custom requests of the shardlens language server, one definition each (method, parameters,
// result), imported by the server's handlers (server/src/lsp) and by the VS Code client
// (client/src) alike. Results are the engine's own types, sent as JSON: `shardlens/report` is the
// `report --json` object of cli.md, the searches return what the engine's searches return.

import { RequestType, type Position, type Range } from 'vscode-languageserver-protocol';
import type { BestCandidate, BestResult, CrossoverResult, DecodeContext, Dtype, LayoutStatus, Objective, Phase, ReportJson, ShardingAt, SweepResult, TileMap, Timeline } from '../engine/index';

// The engine's types and names that the requests carry, for a client that imports only the protocol.
export type { CrossoverResult, DecodeContext, Dtype, JsonLayout, LayoutStatus, Objective, PhaseStatus, ReportJson, SweepResult } from '../engine/index';
export type { ShardingAt, ShardingChoice, TileMap, Timeline } from '../engine/index';
/** The URI scheme of the built-in (prelude) files that go-to-definition leads to. */
export { PRELUDE_SCHEME } from '../engine/index';
/** The weight dtypes a search may be allowed (`best --dtypes`, Find Best Layout's question). */
export { ALL_DTYPES } from '../engine/index';

export interface UriParams {
  uri: string;
}

/**
 * The text of a built-in (prelude) file that go-to-definition led to (a `shardlens-prelude:`
 * URI, shown read-only), or null when there is no such file.
 */
export const PreludeTextRequest = new RequestType<UriParams, string | null, void>('shardlens/preludeText');

/** The cost report of an open document (Compare Layouts), or null when the document is unknown. */
export const ReportRequest = new RequestType<UriParams, ReportJson | null, void>('shardlens/report');

export interface ExplainParams extends UriParams {
  layout: string;
  phase?: Phase;
}

/**
 * The formula behind each of a layout's figures with the values put in, as `shardlens explain`
 * prints it (the Explain command); null when the document or layout is unknown or the layout
 * could not be costed.
 */
export const ExplainRequest = new RequestType<ExplainParams, string | null, void>('shardlens/explain');

// ---- Show Sharding and the step timeline: the data their charts draw (the webview builds the
// charts with the engine's registered builders, `buildCharts('sharding' | 'timeline', …)`) ----

export interface ShardingParams extends UriParams {
  layout: string;
  /** `ROLE.NAME`: an input, weight, cache or statement of the block in ROLE (`ffn.w_in`). */
  value: string;
  /** Default decode. */
  phase?: Phase;
}

/** The tiles every chip holds, or why the value names nothing (with the names there are). */
export type ShardingResult = { tiles: TileMap } | { error: string; available: string[] };

/** Where each chip's tile of one value lives; null when the document or layout is unknown or uncostable. */
export const ShardingRequest = new RequestType<ShardingParams, ShardingResult | null, void>('shardlens/sharding');

export interface ShardingAtParams extends UriParams {
  position: Position;
  /** The view's last choice: kept when the position's block is used by that layout and phase. */
  layout?: string;
  phase?: Phase;
  /** `ROLE.NAME` to draw when the position is in a layout declaration rather than on a value. */
  value?: string;
}

/**
 * Show Sharding at the cursor: the value at `position`, the layouts and phases whose blocks hold
 * it, and its tiles in the chosen one (or why there is nothing to draw); null when the document
 * is unknown.
 */
export const ShardingAtRequest = new RequestType<ShardingAtParams, ShardingAt | null, void>('shardlens/shardingAt');

export interface TimelineParams extends UriParams {
  layout: string;
  /** Default decode. */
  phase?: Phase;
}

/** One layer's ops and the whole pass on a time axis; null when the document or layout is unknown or uncostable. */
export const TimelineRequest = new RequestType<TimelineParams, Timeline | null, void>('shardlens/timeline');

export interface OpLocationParams extends UriParams {
  layout: string;
  phase: Phase;
  /** A timeline bar's `ROLE.NAME`. */
  key: string;
}

/** Where the statement of a timeline bar is written in the document; null for a built-in block or an unknown name. */
export const OpLocationRequest = new RequestType<OpLocationParams, Range | null, void>('shardlens/opLocation');

// ---- the file's layouts, as the parser sees them (the client never scans the text itself) ----

export interface LayoutLocation {
  name: string;
  /** The declaration, from the `layout` keyword through its closing brace. */
  range: Range;
  nameRange: Range;
}

/** Every `layout` declaration of an open document, in file order; null when the document is unknown. */
export const LayoutsRequest = new RequestType<UriParams, LayoutLocation[] | null, void>('shardlens/layouts');

export interface LayoutStatusParams extends UriParams {
  position: Position;
  /** Which decode step the figures describe (the client's `shardlens.decode.context`). */
  decodeContext: DecodeContext;
}

/**
 * The headline figures, in human units, of the layout declared around `position` (the status
 * bar); null outside layouts and for a layout that did not resolve.
 */
export const LayoutStatusRequest = new RequestType<LayoutStatusParams, LayoutStatus | null, void>('shardlens/layoutStatus');

// ---- searches: run in the server's search thread, with work-done progress and cancellation ----

/** `workDoneToken`: give one to receive `$/progress` reports (begin, report with a percentage, end). */
export interface SearchParams extends UriParams {
  layout: string;
  workDoneToken?: string | number;
}

export interface SweepParams extends SearchParams {
  batches?: number[];
  /** Chip counts (powers of two); default the layout's own, or the ones `chipsAround` gives. */
  chips?: number[];
  /** Without `chips`: the layout's own chip count halved and doubled this many times (0 to 4), as Pope Fig. 1 spans chip counts. */
  chipsAround?: number;
}

/**
 * A sweep of one layout over batch sizes and chip counts (Pope Fig. 1). Null when the document
 * is unknown; the error `RequestCancelled` when cancelled, `RequestFailed` when the layout is
 * unknown or cannot be costed.
 */
export const SweepRequest = new RequestType<SweepParams, SweepResult | null, void>('shardlens/sweep');

/** Every built-in FFN layout's communication volume against tokens on the layout's model and mesh (Pope Fig. 3). */
export const CrossoverRequest = new RequestType<SearchParams, CrossoverResult | null, void>('shardlens/crossover');

export interface BestParams extends SearchParams {
  objective?: Objective;
  /** Seconds for the whole request. */
  maxLatency?: number;
  top?: number;
  chips?: number[];
  batches?: number[];
  /** Weight dtypes to try; absent: the layout's own only. */
  dtypes?: Dtype[];
}

/** One `best` configuration as sent: without the engine's costing and resolved layout (too large, not cloneable). */
export type BestWireCandidate = Omit<BestCandidate, 'cost' | 'layout'> & {
  /** The text that replaces the layout's declaration: `text` with the layout renamed back to the original name. */
  replacement: string;
  /** The candidate in one line of figures and two of detail, in human units, for a picker. */
  summary: { label: string; description: string; detail: string };
};

export type BestWireResult = Omit<BestResult, 'candidates'> & {
  candidates: BestWireCandidate[];
  /** Where the layout's declaration is, in the document version searched: a client edits only that version. */
  declaration?: { range: Range; version: number };
};

/**
 * The best configurations for the layout's workload, each with the text to insert and the text
 * that replaces the layout's declaration (same name), plus the declaration's range and the
 * document version searched, so a client can refuse to edit a text that has changed since.
 */
export const BestRequest = new RequestType<BestParams, BestWireResult | null, void>('shardlens/best');
