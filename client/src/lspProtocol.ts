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
