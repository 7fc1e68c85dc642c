import type { DocumentFormattingParams, TextEdit } from 'vscode-languageserver/node';
import { answer, type ServerContext } from './context';
import { rangeOf } from './convert';

export function registerFormatting(ctx: ServerContext): void {
  ctx.connection.onDocumentFormatting(
    answer(ctx, 'formatting', (analysis, _params: DocumentFormattingParams): TextEdit[] =>
      ctx.service.format(analysis).map((e) => ({ range: rangeOf(analysis, e.span), newText: e.newText })),
    ),
  );
}
