import { ResponseError, ErrorCodes, type PrepareRenameParams, type Range, type RenameParams, type WorkspaceEdit } from 'vscode-languageserver/node';
import { answer, type ServerContext } from './context';
import { offsetOf, rangeOf } from './convert';

/** Built-in names are refused with an error the client shows ("cannot rename a built-in"). */
export function registerRename(ctx: ServerContext): void {
  ctx.connection.onPrepareRename(
    answer(ctx, 'prepareRename', (analysis, params: PrepareRenameParams): Range | ResponseError<void> | null => {
      const offset = offsetOf(analysis, params.position);
      const check = offset === undefined ? undefined : ctx.service.prepareRename(analysis, offset);
      if (!check) return null;
      if (!check.ok) return new ResponseError(ErrorCodes.InvalidRequest, check.reason);
      return rangeOf(analysis, check.span);
    }),
  );
  ctx.connection.onRenameRequest(
    answer(ctx, 'rename', (analysis, params: RenameParams): WorkspaceEdit | ResponseError<void> | null => {
      const offset = offsetOf(analysis, params.position);
      const result = offset === undefined ? undefined : ctx.service.rename(analysis, offset, params.newName);
      if (!result) return null;
      if (!result.ok) return new ResponseError(ErrorCodes.InvalidRequest, result.reason);
      return { changes: { [params.textDocument.uri]: result.edits.map((e) => ({ range: rangeOf(analysis, e.span), newText: e.newText })) } };
    }),
  );
}
