import { PickLayoutError, renderExplain } from '../engine/index';
import { ExplainRequest, type ExplainParams } from '../protocol/requests';
import { answerCustom, type ServerContext } from './context';

export function registerExplain(ctx: ServerContext): void {
  ctx.connection.onRequest(
    ExplainRequest,
    answerCustom(ctx, 'explain', (analysis, params: ExplainParams): string | null => {
      if (typeof params.layout !== 'string') return null;
      const phase = params.phase === 'prefill' || params.phase === 'decode' ? params.phase : undefined;
      try {
        return renderExplain(ctx.service.explain(analysis, params.layout, { phase }));
      } catch (e) {
        // A layout the file does not have, or one that cannot be costed: nothing to explain.
        if (e instanceof PickLayoutError) return null;
        throw e;
      }
    }),
  );
}
