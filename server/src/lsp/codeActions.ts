import { CodeActionKind, type CodeAction, type CodeActionParams, type Diagnostic as LspDiagnostic } from 'vscode-languageserver/node';
import type { Analysis, Diagnostic } from '../engine/index';
import { answer, type ServerContext } from './context';
import { offsetOf, rangeOf } from './convert';

/** The published diagnostic that an engine diagnostic became (same code and range), so the action can name it. */
function published(analysis: Analysis, d: Diagnostic, fromClient: readonly LspDiagnostic[]): LspDiagnostic | undefined {
  const r = rangeOf(analysis, d.span);
  return fromClient.find((c) => c.code === d.code && c.range.start.line === r.start.line && c.range.start.character === r.start.character && c.range.end.line === r.end.line && c.range.end.character === r.end.character);
}

export const CODE_ACTION_KINDS = [CodeActionKind.QuickFix, CodeActionKind.RefactorRewrite];

export function registerCodeActions(ctx: ServerContext): void {
  ctx.connection.onCodeAction(
    answer(ctx, 'codeAction', (analysis, params: CodeActionParams): CodeAction[] | null => {
      const start = offsetOf(analysis, params.range?.start);
      const end = offsetOf(analysis, params.range?.end);
      if (start === undefined || end === undefined) return null;
      const uri = params.textDocument.uri;
      const only = params.context?.only;
      const wanted = (kind: string) => !only?.length || only.some((k) => kind === k || kind.startsWith(`${k}.`));
      const actions = ctx.service.codeActions(analysis, { start, end }, ctx.store.diagnostics(uri))
        .filter((a) => wanted(a.kind))
        .map((a) => {
          const action: CodeAction = {
            title: a.title,
            kind: a.kind,
            edit: { changes: { [uri]: a.edits.map((e) => ({ range: rangeOf(analysis, e.span), newText: e.newText })) } },
          };
          if (a.preferred) action.isPreferred = true;
          const diagnostic = a.diagnostic && published(analysis, a.diagnostic, params.context?.diagnostics ?? []);
          if (diagnostic) action.diagnostics = [diagnostic];
          return action;
        });
      // A command, not an edit: the search runs in the server's search thread when chosen (engine/features/bestAction.ts).
      const best = ctx.service.bestAction(analysis, start);
      if (best && wanted(best.kind)) actions.push({ title: best.title, kind: best.kind, command: { title: best.title, command: best.command, arguments: [{ uri, layout: best.layout, replace: true }] } });
      return actions;
    }),
  );
}
