import { reportOf } from '../engine/features/costs';
import type { ReportJson } from '../engine/report/index';
import type { ServerContext } from './context';
import { ReportRequest, type UriParams } from './protocol';

export function registerReport(ctx: ServerContext): void {
  ctx.connection.onRequest(ReportRequest.type, (params: UriParams, token): ReportJson | null => {
    if (token.isCancellationRequested || typeof params?.uri !== 'string') return null;
    try {
      const analysis = ctx.store.analysis(params.uri);
      return analysis ? reportOf(analysis) : null;
    } catch (e) {
      ctx.connection.console.error(`report failed: ${String(e)}`);
      return null;
    }
  });
}
