// Show Sharding and the step timeline over LSP: the tile map and the timeline as data, for the
// webviews to draw with the registered chart builders.

import { PickLayoutError, ValueRefError, type Phase } from '../engine/index';
import { ShardingRequest, TimelineRequest, type ShardingParams, type ShardingResult, type TimelineParams, type Timeline } from '../protocol/requests';
import { answerCustom, type ServerContext } from './context';

const phaseOf = (p: unknown): Phase => (p === 'prefill' ? 'prefill' : 'decode');

export function registerSharding(ctx: ServerContext): void {
  ctx.connection.onRequest(
    ShardingRequest,
    answerCustom(ctx, 'sharding', (analysis, params: ShardingParams): ShardingResult | null => {
      if (typeof params.layout !== 'string' || typeof params.value !== 'string') return null;
      try {
        return { tiles: ctx.service.tiles(analysis, params.layout, phaseOf(params.phase), params.value) };
      } catch (e) {
        // A layout the file does not have or cannot cost: nothing to draw. A value it does not have: say which there are.
        if (e instanceof PickLayoutError) return null;
        if (e instanceof ValueRefError) return { error: e.message, available: e.available };
        throw e;
      }
    }),
  );
  ctx.connection.onRequest(
    TimelineRequest,
    answerCustom(ctx, 'timeline', (analysis, params: TimelineParams): Timeline | null => {
      if (typeof params.layout !== 'string') return null;
      try {
        return ctx.service.timeline(analysis, params.layout, phaseOf(params.phase));
      } catch (e) {
        if (e instanceof PickLayoutError) return null;
        throw e;
      }
    }),
  );
}
