import { InlayHintKind, type InlayHint, type InlayHintParams } from 'vscode-languageserver/node';
import { answer, type ServerContext } from './context';
import { offsetOf } from './convert';

/** Inferred types and per-op cost at line end, as `shardlens.inlayHints.detail` asks. */
export function registerInlayHints(ctx: ServerContext): void {
  ctx.connection.languages.inlayHint.on(
    answer(ctx, 'inlayHint', async (analysis, params: InlayHintParams): Promise<InlayHint[] | null> => {
      const start = offsetOf(analysis, params.range?.start) ?? 0;
      const end = offsetOf(analysis, params.range?.end) ?? analysis.source.text.length;
      const settings = await ctx.settings.for(params.textDocument.uri);
      return ctx.service.inlayHints(analysis, { start, end }, settings).map((h) => ({
        position: analysis.lineIndex.positionAt(h.offset),
        label: h.label,
        kind: h.kind === 'type' ? InlayHintKind.Type : InlayHintKind.Parameter,
        paddingLeft: true,
        ...(h.tooltip ? { tooltip: h.tooltip } : {}),
      }));
    }),
  );
}
