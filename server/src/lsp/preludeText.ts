import { PreludeTextRequest, type UriParams } from '../protocol/requests';
import type { ServerContext } from './context';

export function registerPreludeText(ctx: ServerContext): void {
  ctx.connection.onRequest(PreludeTextRequest, (params: UriParams) => (typeof params?.uri === 'string' ? ctx.service.preludeSource(params.uri)?.text : undefined) ?? null);
}
