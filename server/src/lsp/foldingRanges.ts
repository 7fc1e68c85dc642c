import { FoldingRangeKind, type FoldingRange, type FoldingRangeParams } from 'vscode-languageserver/node';
import { answer, type ServerContext } from './context';

export function registerFoldingRanges(ctx: ServerContext): void {
  ctx.connection.onFoldingRanges(
    answer(ctx, 'foldingRange', (analysis, _params: FoldingRangeParams): FoldingRange[] =>
      ctx.service.foldingRanges(analysis).map((f) => ({ startLine: f.startLine, endLine: f.endLine, ...(f.comment ? { kind: FoldingRangeKind.Comment } : {}) })),
    ),
  );
}
