// Diagnostics are pushed (textDocument/publishDiagnostics) by the document store, which follows
// the open documents; see documentStore.ts for the debounce and the two publishing steps.

import type { ServerContext } from './context';

export function registerDiagnostics(ctx: ServerContext): void {
  ctx.store.listen();
}
