import type { SelectionRange, SelectionRangeParams } from 'vscode-languageserver/node';
import { answer, type ServerContext } from './context';
import { offsetOf, rangeOf } from './convert';

/** One chain per requested position; a position outside any declaration gets an empty range at itself. */
export function registerSelectionRanges(ctx: ServerContext): void {
  ctx.connection.onSelectionRanges(
    answer(ctx, 'selectionRange', (analysis, params: SelectionRangeParams): SelectionRange[] | null => {
      const out: SelectionRange[] = [];
      for (const position of params.positions ?? []) {
        const offset = offsetOf(analysis, position);
        if (offset === undefined) return null;
        const spans = ctx.service.selectionRanges(analysis, offset);
        let chain: SelectionRange | undefined;
        for (const span of [...spans].reverse()) chain = { range: rangeOf(analysis, span), parent: chain };
        out.push(chain ?? { range: rangeOf(analysis, { start: offset, end: offset }) });
      }
      return out;
    }),
  );
}
