import type { CompletionItem, CompletionParams } from 'vscode-languageserver/node';
import { answer, type ServerContext } from './context';
import { offsetOf } from './convert';

/** Characters after which the client should ask without being prompted: `_` (axes), `:` (types), `(` and `,` (arguments). */
export const COMPLETION_TRIGGERS = ['_', ':', '(', ',', '=', ' ', '-'];

export function registerCompletion(ctx: ServerContext): void {
  ctx.connection.onCompletion(
    answer(ctx, 'completion', (analysis, params: CompletionParams): CompletionItem[] | null => {
      const offset = offsetOf(analysis, params.position);
      return offset === undefined ? null : ctx.service.completion(analysis, offset);
    }),
  );
}
