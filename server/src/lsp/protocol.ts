// The custom messages of the shardlens server, as typed request types. The VS Code client
// imports these names (and nothing else) from here.

import { RequestType } from 'vscode-languageserver/node';
import type { ReportJson } from '../engine/report/index';

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
