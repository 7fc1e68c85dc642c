import type { CodeLens, CodeLensParams } from 'vscode-languageserver/node';
import { answer, type ServerContext } from './context';
import { rangeOf } from './convert';

/** Above each layout: its headline figures, then Compare and Explain (commands the client implements). */
export function registerCodeLens(ctx: ServerContext): void {
  ctx.connection.onCodeLens(
    answer(ctx, 'codeLens', async (analysis, params: CodeLensParams): Promise<CodeLens[]> => {
      const settings = await ctx.settings.for(params.textDocument.uri);
      return ctx.service.codeLenses(analysis, settings).map((l) => ({ range: rangeOf(analysis, l.span), command: { title: l.title, command: l.command, arguments: l.args } }));
    }),
  );
}
