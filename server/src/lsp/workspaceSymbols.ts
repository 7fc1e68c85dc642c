import type { SymbolInformation, WorkspaceSymbolParams } from 'vscode-languageserver/node';
import type { ServerContext } from './context';
import { rangeIn } from './convert';

/** Declarations of every open document and of the prelude. */
export function registerWorkspaceSymbols(ctx: ServerContext): void {
  ctx.connection.onWorkspaceSymbol((params: WorkspaceSymbolParams, token): SymbolInformation[] | null => {
    if (token.isCancellationRequested) return null;
    try {
      const analyses = ctx.store.openUris().flatMap((uri) => ctx.store.analysis(uri) ?? []);
      return ctx.service.workspaceSymbols(analyses, params.query ?? '').map((s) => ({
        name: s.name,
        kind: s.kind,
        containerName: s.container,
        location: { uri: s.uri, range: rangeIn(s.file.source, s.span) },
      }));
    } catch (e) {
      ctx.connection.console.error(`workspaceSymbol failed: ${String(e)}`);
      return null;
    }
  });
}
