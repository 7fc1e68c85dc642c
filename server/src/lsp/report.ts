import { ReportRequest } from '../protocol/requests';
import { answerCustom, type ServerContext } from './context';

export function registerReport(ctx: ServerContext): void {
  ctx.connection.onRequest(ReportRequest, answerCustom(ctx, 'report', (analysis) => ctx.service.report(analysis)));
}
