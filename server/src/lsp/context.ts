// What every feature handler gets: the connection, the engine's service, the documents with their
// analyses, settings per resource, and `answer`, which turns a handler into one that never
// crashes the server.

import type { CancellationToken, Connection } from 'vscode-languageserver/node';
import type { Analysis, ShardService } from '../engine/index';
import type { DocumentStore } from './documentStore';
import type { SettingsStore } from './settings';

/** What the client said it can do (from `initialize`). */
export interface ClientFlags {
  configuration: boolean;
  /** The client wants the server to register for didChangeConfiguration before it sends any. */
  configurationRegistration: boolean;
  hierarchicalSymbols: boolean;
  codeLensRefresh: boolean;
  inlayHintRefresh: boolean;
  semanticTokensRefresh: boolean;
}

export interface ServerContext {
  connection: Connection;
  /** The engine: every handler asks it, never an engine module directly. */
  service: ShardService;
  store: DocumentStore;
  settings: SettingsStore;
  client: ClientFlags;
}

/**
 * Wraps a handler for a request about one document: unknown documents, cancelled requests and
 * any exception give `null` (logged), so one bad request never takes the server down.
 */
export function answer<P extends { textDocument: { uri: string } }, R>(
  ctx: ServerContext,
  feature: string,
  handler: (analysis: Analysis, params: P) => R | null | undefined | Promise<R | null | undefined>,
): (params: P, token: CancellationToken) => Promise<R | null> {
  return answerAbout(ctx, feature, (params) => params?.textDocument?.uri, handler);
}

/** `answer` for shardlens's own requests (protocol/requests.ts), which name the document `uri`. */
export function answerCustom<P extends { uri: string }, R>(
  ctx: ServerContext,
  feature: string,
  handler: (analysis: Analysis, params: P) => R | null | undefined | Promise<R | null | undefined>,
): (params: P, token: CancellationToken) => Promise<R | null> {
  return answerAbout(ctx, feature, (params) => params?.uri, handler);
}

function answerAbout<P, R>(
  ctx: ServerContext,
  feature: string,
  uriOf: (params: P) => unknown,
  handler: (analysis: Analysis, params: P) => R | null | undefined | Promise<R | null | undefined>,
): (params: P, token: CancellationToken) => Promise<R | null> {
  return async (params, token) => {
    if (token.isCancellationRequested) return null;
    try {
      const uri = uriOf(params);
      const analysis = typeof uri === 'string' ? ctx.store.analysis(uri) : undefined;
      if (!analysis) return null;
      const result = await handler(analysis, params);
      return token.isCancellationRequested ? null : (result ?? null);
    } catch (e) {
      ctx.connection.console.error(`${feature} failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
      return null;
    }
  };
}
