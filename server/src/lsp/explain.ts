import { explanationOf } from '../engine/features/costs';
import type { ServerContext } from './context';
import { ExplainRequest, type ExplainParams } from './protocol';

export function registerExplain(ctx: ServerContext): void {
  ctx.connection.onRequest(ExplainRequest.type, (params: ExplainParams, token): string | null => {
    if (token.isCancellationRequested || typeof params?.uri !== 'string' || typeof params.layout !== 'string') return null;
    try {
      const analysis = ctx.store.analysis(params.uri);
      const phase = params.phase === 'prefill' || params.phase === 'decode' ? params.phase : undefined;
      return (analysis && explanationOf(analysis, params.layout, phase)) ?? null;
    } catch (e) {
      ctx.connection.console.error(`explain failed: ${String(e)}`);
      return null;
    }
  });
}
