// The custom requests this client sends to the shardlens language server, with the shapes the
// client relies on. The report is the `report --json` object of cli.md; the client reads only
// the fields declared in ChartReport (plus the diagnostics' severities), so it keeps working
// as the report grows.

import { RequestType } from 'vscode-languageclient/node';
import type { ChartReport } from '../../server/src/engine/charts/types';

export interface ClientReport extends ChartReport {
  diagnostics?: { severity: string }[];
}

export interface UriParams {
  uri: string;
}

/** The cost report of one open document. Sent for the Compare view and the status bar. */
export const ReportRequest = new RequestType<UriParams, ClientReport | null, void>('shardlens/report');

/** The text of a read-only prelude file (`shardlens-prelude:` URIs that go-to-definition returns). */
export const PreludeTextRequest = new RequestType<UriParams, string | { text: string } | null, void>('shardlens/preludeText');

export interface ExplainParams extends UriParams {
  layout: string;
  phase?: 'prefill' | 'decode';
}

/** The formula behind each number of one layout (`shardlens explain`), as Markdown or plain text. */
export const ExplainRequest = new RequestType<ExplainParams, string | { text: string } | { markdown: string } | null, void>('shardlens/explain');

export const PRELUDE_SCHEME = 'shardlens-prelude';
export const EXPLAIN_SCHEME = 'shardlens-explain';

// ---- searches: run in the server's search thread; progress on `workDoneToken`, cancel by token ----

import type { BestParams, BestWireCandidate, BestWireResult, CrossoverResult, SearchParams, SweepParams, SweepResult } from '../../server/src/lsp/protocol';
export type { BestParams, BestWireCandidate, BestWireResult, CrossoverResult, SearchParams, SweepParams, SweepResult };

/** A sweep over batch sizes and chip counts (Pope Fig. 1); the error RequestCancelled when cancelled. */
export const SweepRequest = new RequestType<SweepParams, SweepResult | null, void>('shardlens/sweep');
/** FFN communication volume against tokens for every built-in FFN layout (Pope Fig. 3). */
export const CrossoverRequest = new RequestType<SearchParams, CrossoverResult | null, void>('shardlens/crossover');
/** The best configurations for the layout's workload, with the text to insert or to replace the declaration with. */
export const BestRequest = new RequestType<BestParams, BestWireResult | null, void>('shardlens/best');
