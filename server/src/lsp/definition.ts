import type { DefinitionParams, Location } from 'vscode-languageserver/node';
import { answer, type ServerContext } from './context';
import { offsetOf, rangeIn } from './convert';

/** Built-ins resolve into the prelude: the location has a `shardlens-prelude:` URI that the client shows read-only. */
export function registerDefinition(ctx: ServerContext): void {
  ctx.connection.onDefinition(
    answer(ctx, 'definition', (analysis, params: DefinitionParams): Location | null => {
      const offset = offsetOf(analysis, params.position);
      const def = offset === undefined ? undefined : ctx.service.definition(analysis, offset);
      return def ? { uri: def.source.uri, range: rangeIn(def.source, def.span, analysis) } : null;
    }),
  );
}
