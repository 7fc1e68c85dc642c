import { PRELUDE_FILES } from '../engine/prelude/index';
import type { ServerContext } from './context';
import { PreludeTextRequest, type UriParams } from './protocol';

export function registerPreludeText(ctx: ServerContext): void {
  ctx.connection.onRequest(PreludeTextRequest.type, (params: UriParams) => PRELUDE_FILES.find((f) => f.uri === params?.uri)?.text ?? null);
}
