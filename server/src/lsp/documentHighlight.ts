import { DocumentHighlightKind, type DocumentHighlight, type DocumentHighlightParams } from 'vscode-languageserver/node';
import { answer, type ServerContext } from './context';
import { offsetOf, rangeOf } from './convert';

export function registerDocumentHighlight(ctx: ServerContext): void {
  ctx.connection.onDocumentHighlight(
    answer(ctx, 'documentHighlight', (analysis, params: DocumentHighlightParams): DocumentHighlight[] | null => {
      const offset = offsetOf(analysis, params.position);
      const found = offset === undefined ? undefined : ctx.service.documentHighlights(analysis, offset);
      return found ? found.map((h) => ({ range: rangeOf(analysis, h.span), kind: h.write ? DocumentHighlightKind.Write : DocumentHighlightKind.Read })) : null;
    }),
  );
}
