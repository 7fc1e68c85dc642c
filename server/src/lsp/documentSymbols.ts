import type { DocumentSymbol, DocumentSymbolParams, SymbolInformation } from 'vscode-languageserver/node';
import type { Analysis, OutlineSymbol } from '../engine/index';
import { answer, type ServerContext } from './context';
import { rangeOf } from './convert';

function toDocumentSymbol(analysis: Analysis, s: OutlineSymbol): DocumentSymbol {
  return { name: s.name, detail: s.detail, kind: s.kind, range: rangeOf(analysis, s.span), selectionRange: rangeOf(analysis, s.selection), children: s.children.map((c) => toDocumentSymbol(analysis, c)) };
}

/** The outline; flat SymbolInformation for clients without hierarchical symbol support. */
export function registerDocumentSymbols(ctx: ServerContext): void {
  ctx.connection.onDocumentSymbol(
    answer(ctx, 'documentSymbol', (analysis, params: DocumentSymbolParams): DocumentSymbol[] | SymbolInformation[] => {
      const outline = ctx.service.documentSymbols(analysis);
      if (ctx.client.hierarchicalSymbols) return outline.map((s) => toDocumentSymbol(analysis, s));
      return outline.map((s) => ({ name: s.name, kind: s.kind, location: { uri: params.textDocument.uri, range: rangeOf(analysis, s.span) } }));
    }),
  );
}
