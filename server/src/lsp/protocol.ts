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
