// `shardlens/sweep`, `shardlens/crossover` and `shardlens/best`: the design-space searches of
// server/src/engine/search for the editor.
//
// A search runs for up to many seconds of synchronous work. On this thread it would block every
// diagnostic, hover and completion until it finished, so each request starts a worker thread
// (dist/searchWorker.js, beside the server bundle) with the document's text, and this thread only
// relays: the worker's progress becomes LSP work-done progress (`$/progress` on the request's
// `workDoneToken`, or on a server-created token when the client gave none but supports them), and
// the request's cancellation raises a SharedArrayBuffer flag that the search reads in its loops.
// A search that does not notice the flag within CANCEL_GRACE_MS is terminated. A cancelled
// request is answered with the RequestCancelled error once the worker has stopped.
//
// A new search of the same kind on the same document supersedes a running one (it is cancelled):
// the user asked again, and the old answer would only be stale.

import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { ErrorCodes, LSPErrorCodes, ResponseError, type CancellationToken, type WorkDoneProgressReporter } from 'vscode-languageserver/node';
import { ALL_DTYPES, PickLayoutError, SearchCancelled, SearchTooLarge, type CrossoverResult, type Dtype, type SweepResult } from '../engine/index';
import { runInSearchThread } from '../shared/searchThread';
import { BestRequest, CrossoverRequest, SweepRequest, type BestParams, type BestWireResult, type SearchParams, type SweepParams } from '../protocol/requests';
import type { ServerContext } from './context';
import { rangeOf } from './convert';
import { runEditorSearch, type EditorSearch, type EditorSearchJob, type JobResult } from './searchJob';
import type { WorkerMessage } from './searchWorker';

type SearchKind = EditorSearch['kind'];

/** How long a search may take to notice cancellation before its thread is stopped anyway. */
export const CANCEL_GRACE_MS = 1500;

// Bounds on what a client may ask for: far above any real use, low enough that a malformed
// request cannot start a search that runs for hours.
const MAX_LIST = 64;
const MAX_COUNT = 2 ** 30;

const TITLES: Record<SearchKind, string> = { sweep: 'Sweep', crossover: 'FFN crossover', best: 'Best layout' };

/** The worker bundle: beside this bundle (dist/server.js), or the repo's dist/ when the sources run under vitest. */
function workerPath(): string | undefined {
  if (process.env.SHARDLENS_NO_WORKER) return undefined;
  const candidates = [path.join(__dirname, 'searchWorker.js'), path.resolve(__dirname, '../../../dist/searchWorker.js')];
  return candidates.find((p) => existsSync(p));
}

/** Searches running now, keyed by `kind uri` (what a new request of the same key supersedes). */
const running = new Map<string, { cancel(): void }>();

/** How many search threads are alive (the protocol tests check that cancellation stops them). */
let liveWorkers = 0;
export function liveSearchWorkers(): number {
  return liveWorkers;
}

function countList(v: unknown, powerOfTwo: boolean): number[] | undefined {
  if (v === undefined || v === null) return undefined;
  if (!Array.isArray(v) || v.length === 0 || v.length > MAX_LIST) throw new ResponseError(ErrorCodes.InvalidParams, `expected a list of 1 to ${MAX_LIST} whole numbers`);
  const out: number[] = [];
  for (const n of v) {
    if (typeof n !== 'number' || !Number.isInteger(n) || n < 1 || n > MAX_COUNT) throw new ResponseError(ErrorCodes.InvalidParams, `${String(n)} is not a positive whole number`);
    if (powerOfTwo && (n & (n - 1)) !== 0) throw new ResponseError(ErrorCodes.InvalidParams, `${n} chips is not a power of two; meshes are factored into power-of-two axes`);
    if (!out.includes(n)) out.push(n);
  }
  return out;
}

/** The search a request describes, validated (the client is another process; trust nothing). */
function searchOf(kind: SearchKind, params: SweepParams & BestParams): EditorSearch {
  const layout = params.layout;
  if (kind === 'crossover') return { kind, layout };
  const batches = countList(params.batches, false);
  const chips = countList(params.chips, true);
  if (kind === 'sweep') {
    const around = params.chipsAround;
    if (around !== undefined && !(typeof around === 'number' && Number.isInteger(around) && around >= 0 && around <= 4)) throw new ResponseError(ErrorCodes.InvalidParams, 'chipsAround must be a whole number from 0 to 4');
    return { kind, layout, batches, chips, chipsAround: around };
  }
  const objective = params.objective === undefined ? undefined : params.objective === 'latency' || params.objective === 'cost' ? params.objective : undefined;
  if (params.objective !== undefined && objective === undefined) throw new ResponseError(ErrorCodes.InvalidParams, `objective must be 'latency' or 'cost'`);
  const maxLatency = params.maxLatency;
  if (maxLatency !== undefined && !(typeof maxLatency === 'number' && maxLatency > 0 && Number.isFinite(maxLatency))) throw new ResponseError(ErrorCodes.InvalidParams, 'maxLatency must be a positive number of seconds');
  const top = params.top;
  if (top !== undefined && !(typeof top === 'number' && Number.isInteger(top) && top >= 1 && top <= 1000)) throw new ResponseError(ErrorCodes.InvalidParams, 'top must be a whole number from 1 to 1000');
  let dtypes: Dtype[] | undefined;
  if (params.dtypes !== undefined) {
    if (!Array.isArray(params.dtypes) || !params.dtypes.every((d) => (ALL_DTYPES as readonly unknown[]).includes(d))) throw new ResponseError(ErrorCodes.InvalidParams, `dtypes must be among ${ALL_DTYPES.join(', ')}`);
    dtypes = [...new Set(params.dtypes)];
  }
  return { kind, layout, objective, maxLatency, top, chips, batches, dtypes };
}

const cancelledError = () => new ResponseError(LSPErrorCodes.RequestCancelled, 'search cancelled');

/** Runs a job in a worker thread; progress goes to `onProgress`. Rejects with ResponseError. */
function runInWorker(bundle: string, job: EditorSearchJob, cancelSignal: { onCancel(f: () => void): void }, onProgress: (done: number, total: number) => void): Promise<JobResult> {
  return runInSearchThread<EditorSearchJob, WorkerMessage, JobResult>(bundle, job, {
    graceMs: CANCEL_GRACE_MS,
    started: (run) => {
      liveWorkers++;
      cancelSignal.onCancel(() => run.requestCancel());
    },
    message: (m, run) => {
      switch (m.t) {
        case 'progress':
          if (!run.cancelRequested) onProgress(m.done, m.total);
          break;
        case 'done':
          // Finished before it noticed a cancellation: the client no longer wants it either way.
          if (run.cancelRequested) run.reject(cancelledError());
          else run.resolve(m.result);
          break;
        case 'cancelled':
          run.reject(cancelledError());
          break;
        case 'failed':
          run.reject(new ResponseError(LSPErrorCodes.RequestFailed, m.message));
          break;
        case 'internal':
          run.reject(new ResponseError(ErrorCodes.InternalError, `search failed: ${m.message}`, m.stack));
          break;
      }
    },
    error: (e, run) => run.reject(new ResponseError(ErrorCodes.InternalError, `search thread failed: ${e.message}`)),
    exit: (code, run) => {
      liveWorkers--;
      // Terminated after the grace period, or died: either way, answer now.
      run.reject(run.cancelRequested ? cancelledError() : new ResponseError(ErrorCodes.InternalError, `the search thread stopped unexpectedly (exit ${code})`));
    },
  });
}

/** No worker bundle (sources under vitest with SHARDLENS_NO_WORKER): run here, cancellable only before it starts. */
function runHere(ctx: ServerContext, job: EditorSearchJob, cancelled: () => boolean, onProgress: (done: number, total: number) => void): JobResult {
  try {
    return runEditorSearch(ctx.service, job, { cancel: { get cancelled() { return cancelled(); } }, onProgress });
  } catch (e) {
    if (e instanceof SearchCancelled) throw cancelledError();
    if (e instanceof PickLayoutError || e instanceof SearchTooLarge) throw new ResponseError(LSPErrorCodes.RequestFailed, e.message);
    throw e;
  }
}

async function progressReporter(ctx: ServerContext, params: SearchParams): Promise<{ reporter: WorkDoneProgressReporter; token?: CancellationToken }> {
  if (params.workDoneToken !== undefined) return { reporter: ctx.connection.window.attachWorkDoneProgress(params.workDoneToken) };
  // No token: ask the client for one (a null reporter when it does not support progress).
  try {
    const created = await ctx.connection.window.createWorkDoneProgress();
    return { reporter: created, token: created.token };
  } catch {
    return { reporter: ctx.connection.window.attachWorkDoneProgress(undefined) };
  }
}

async function handle(ctx: ServerContext, kind: SearchKind, params: SweepParams | BestParams | SearchParams, token: CancellationToken): Promise<JobResult['result'] | null> {
  if (typeof params?.uri !== 'string' || typeof params.layout !== 'string') throw new ResponseError(ErrorCodes.InvalidParams, 'uri and layout are required');
  const doc = ctx.store.documents.get(params.uri);
  if (!doc) return null;
  const job: EditorSearchJob = { uri: params.uri, text: doc.getText(), search: searchOf(kind, params as SweepParams & BestParams) };
  const version = doc.version;
  if (token.isCancellationRequested) throw cancelledError();

  const key = `${kind} ${params.uri}`;
  running.get(key)?.cancel();
  const listeners: (() => void)[] = [];
  let cancelled = false;
  const cancel = () => {
    if (cancelled) return;
    cancelled = true;
    for (const f of listeners.splice(0)) f();
  };
  const entry = { cancel };
  running.set(key, entry);
  const subscription = token.onCancellationRequested(cancel);

  const { reporter, token: progressToken } = await progressReporter(ctx, params);
  const progressSubscription = progressToken?.onCancellationRequested(cancel);
  reporter.begin(`${TITLES[kind]} of ${params.layout}`, 0, 'starting', true);
  const onProgress = (done: number, total: number) => {
    const percent = total > 0 ? Math.min(100, Math.floor((100 * done) / total)) : 0;
    reporter.report(percent, `${done} of ${total}`);
  };
  try {
    const bundle = workerPath();
    const outcome = bundle
      ? await runInWorker(bundle, job, { onCancel: (f) => (cancelled ? f() : listeners.push(f)) }, onProgress)
      : runHere(ctx, job, () => cancelled, onProgress);
    if (outcome.kind === 'best') {
      // Where the searched layout is, in the version searched: the client edits only that version.
      const analysis = ctx.store.analysis(params.uri);
      const decl = analysis && ctx.service.layouts(analysis).find((l) => l.name === params.layout);
      if (analysis && decl && ctx.store.documents.get(params.uri)?.version === version) outcome.result.declaration = { range: rangeOf(analysis, decl.span), version };
    }
    return outcome.result;
  } finally {
    reporter.done();
    subscription.dispose();
    progressSubscription?.dispose();
    if (running.get(key) === entry) running.delete(key);
  }
}

export function registerSearch(ctx: ServerContext): void {
  // Each handler's result is the member of JobResult for its kind (runSearchJob switches on it).
  ctx.connection.onRequest(SweepRequest, async (params, token) => (await handle(ctx, 'sweep', params, token)) as SweepResult | null);
  ctx.connection.onRequest(CrossoverRequest, async (params, token) => (await handle(ctx, 'crossover', params, token)) as CrossoverResult | null);
  ctx.connection.onRequest(BestRequest, async (params, token) => (await handle(ctx, 'best', params, token)) as BestWireResult | null);
}
