import { MarkupKind, type Hover, type HoverParams } from 'vscode-languageserver/node';
import { answer, type ServerContext } from './context';
import { offsetOf, rangeOf } from './convert';

export function registerHover(ctx: ServerContext): void {
  ctx.connection.onHover(
    answer(ctx, 'hover', async (analysis, params: HoverParams): Promise<Hover | null> => {
      const offset = offsetOf(analysis, params.position);
      if (offset === undefined) return null;
      const hover = ctx.service.hover(analysis, offset, await ctx.settings.for(params.textDocument.uri));
      return hover && { contents: { kind: MarkupKind.Markdown, value: hover.markdown }, range: rangeOf(analysis, hover.span) };
    }),
  );
}
