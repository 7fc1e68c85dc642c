// The custom messages of the shardlens server, as typed request types. The VS Code client
// imports these names (and nothing else) from here.

import { RequestType } from 'vscode-languageserver/node';
import type { ReportJson } from '../engine/report/index';
import type { CrossoverResult, SweepResult } from '../engine/search/index';
import type { BestWireCandidate, BestWireResult } from './searchJob';

export interface UriParams {
  uri: string;
}

/**
 * Sent by the client to show a built-in (prelude) file that go-to-definition led to: the text of
 * a `shardlens-prelude:` URI, or null when there is no such file.
 */
export namespace PreludeTextRequest {
  export const method = 'shardlens/preludeText' as const;
  export const type = new RequestType<UriParams, string | null, void>(method);
}

/**
 * Sent by the client for the report webview and the status bar: the `report --json` object of
 * cli.md for an open document, or null when the document is unknown.
 */
export namespace ReportRequest {
  export const method = 'shardlens/report' as const;
  export const type = new RequestType<UriParams, ReportJson | null, void>(method);
}

export interface ExplainParams extends UriParams {
  layout: string;
  phase?: 'prefill' | 'decode';
}

/**
 * Sent by the client for the Explain command (the code lens above a layout): the formula behind
 * each of the layout's figures with the values put in, as `shardlens explain` prints it; null when
 * the document or layout is unknown or the layout could not be costed.
 */
export namespace ExplainRequest {
  export const method = 'shardlens/explain' as const;
  export const type = new RequestType<ExplainParams, string | null, void>(method);
}

// ---- searches (issue 6): run in a worker thread, with work-done progress and cancellation ----

export type { SweepResult, CrossoverResult, BestWireResult, BestWireCandidate };

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
 * or layout is unknown; the error `RequestCancelled` when cancelled.
 */
export namespace SweepRequest {
  export const method = 'shardlens/sweep' as const;
  export const type = new RequestType<SweepParams, SweepResult | null, void>(method);
}

/** Every built-in FFN layout's communication volume against tokens on the layout's model and mesh (Pope Fig. 3). */
export namespace CrossoverRequest {
  export const method = 'shardlens/crossover' as const;
  export const type = new RequestType<SearchParams, CrossoverResult | null, void>(method);
}

export interface BestParams extends SearchParams {
  objective?: 'latency' | 'cost';
  /** Seconds for the whole request. */
  maxLatency?: number;
  top?: number;
  chips?: number[];
  batches?: number[];
  dtypes?: ('bf16' | 'int8' | 'fp8' | 'int4')[];
}

/**
 * The best configurations for the layout's workload, each with the text to insert and the text
 * that replaces the layout's declaration (same name), plus the declaration's range and the
 * document version searched, so a client can refuse to edit a text that has changed since.
 */
export namespace BestRequest {
  export const method = 'shardlens/best' as const;
  export const type = new RequestType<BestParams, BestWireResult | null, void>(method);
}
