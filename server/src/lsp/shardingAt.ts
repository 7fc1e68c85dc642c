// `shardlens/shardingAt`: Show Sharding following the cursor. The client sends a position and its
// last choice of layout, phase and value; the engine says what is there and draws nothing itself.

import type { Phase } from '../engine/index';
import { OpLocationRequest, ShardingAtRequest, type OpLocationParams, type ShardingAtParams } from '../protocol/requests';
import { answerCustom, type ServerContext } from './context';
import { offsetOf, rangeOf } from './convert';

const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

export function registerShardingAt(ctx: ServerContext): void {
  ctx.connection.onRequest(
    ShardingAtRequest,
    answerCustom(ctx, 'shardingAt', (analysis, params: ShardingAtParams) => {
      const offset = offsetOf(analysis, params.position);
      if (offset === undefined) return null;
      const phase: Phase | undefined = params.phase === 'prefill' || params.phase === 'decode' ? params.phase : undefined;
      return ctx.service.shardingAt(analysis, offset, { layout: str(params.layout), phase, value: str(params.value) });
    }),
  );
  // A timeline bar clicked: where its statement is, for the client to reveal.
  ctx.connection.onRequest(
    OpLocationRequest,
    answerCustom(ctx, 'opLocation', (analysis, params: OpLocationParams) => {
      if (typeof params.layout !== 'string' || typeof params.key !== 'string') return null;
      const span = ctx.service.opSpan(analysis, params.layout, params.phase === 'prefill' ? 'prefill' : 'decode', params.key);
      return span ? rangeOf(analysis, span) : null;
    }),
  );
}
