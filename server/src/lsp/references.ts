import type { Location, ReferenceParams } from 'vscode-languageserver/node';
import { answer, type ServerContext } from './context';
import { offsetOf, rangeIn } from './convert';

export function registerReferences(ctx: ServerContext): void {
  ctx.connection.onReferences(
    answer(ctx, 'references', (analysis, params: ReferenceParams): Location[] | null => {
      const offset = offsetOf(analysis, params.position);
      const refs = offset === undefined ? undefined : ctx.service.references(analysis, offset, !!params.context?.includeDeclaration);
      return refs ? refs.map((r) => ({ uri: r.source.uri, range: rangeIn(r.source, r.span, analysis) })) : null;
    }),
  );
}
