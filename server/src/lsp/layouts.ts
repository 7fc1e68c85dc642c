// `shardlens/layouts` and `shardlens/layoutStatus`: where a document's layouts are, and the
// figures of the one under the cursor. The client lists, picks, reveals and inserts after layouts
// with the first, and fills its status bar with the second; it never scans the text itself.

import { LayoutsRequest, LayoutStatusRequest, type LayoutStatusParams } from '../protocol/requests';
import { answerCustom, type ServerContext } from './context';
import { offsetOf, rangeOf } from './convert';

export function registerLayouts(ctx: ServerContext): void {
  ctx.connection.onRequest(
    LayoutsRequest,
    answerCustom(ctx, 'layouts', (analysis) =>
      ctx.service.layouts(analysis).map((l) => ({ name: l.name, range: rangeOf(analysis, l.span), nameRange: rangeOf(analysis, l.nameSpan) })),
    ),
  );
  ctx.connection.onRequest(
    LayoutStatusRequest,
    answerCustom(ctx, 'layoutStatus', (analysis, params: LayoutStatusParams) => {
      const offset = offsetOf(analysis, params.position);
      const decodeContext = params.decodeContext === 'last' ? 'last' : 'mean';
      return offset === undefined ? null : ctx.service.layoutStatus(analysis, offset, decodeContext);
    }),
  );
}
