// The worker-thread plumbing shared by the two front ends that run a design-space search off
// their main thread: the CLI (server/src/cli/search.ts, Ctrl-C and a progress bar) and the
// language server (server/src/lsp/search.ts, request cancellation and work-done progress).
//
// A search is synchronous and can run for seconds. The starting thread hands the job and a shared
// one-Int32 cancel flag to a worker thread; the search reads the flag inside its loops (through
// the `cancel` object below), and the worker posts throttled progress and then exactly one final
// message. What the job is, how its result and expected failures travel, and what cancellation
// means to the user differ per front end, so each one adds its own messages and decides how the
// run settles; this module owns only what is the same for both.

import { parentPort, Worker, workerData } from 'node:worker_threads';
import { SearchCancelled, type Cancellation, type RunControl } from '../engine/index';

/** What the starting thread hands the search thread in `workerData`. */
export interface SearchThreadInput<Job> {
  job: Job;
  /** One Int32: 1 once the starting thread asks the search to stop. */
  flag: Int32Array;
}

/** The messages every search thread posts; each front end adds its result and failure messages. */
export type SearchThreadMessage =
  | { t: 'progress'; done: number; total: number }
  | { t: 'cancelled' }
  | { t: 'internal'; message: string; stack?: string };

// ---------------------------------------------------------------------------------------------
// In the search thread.

/** A Cancellation over the shared flag, read through Atomics: the other thread writes it while this one is busy. */
export function flagCancellation(flag: Int32Array): Cancellation {
  return {
    get cancelled() {
      return Atomics.load(flag, 0) === 1;
    },
    set cancelled(v: boolean) {
      Atomics.store(flag, 0, v ? 1 : 0);
    },
  };
}

/** Progress that posts one message per visible percent: the searches report thousands of units. */
export function throttledProgress(post: (m: SearchThreadMessage) => void): (done: number, total: number) => void {
  let lastPercent = -1;
  return (done, total) => {
    const percent = total > 0 ? Math.floor((100 * done) / total) : 0;
    if (percent === lastPercent) return;
    lastPercent = percent;
    post({ t: 'progress', done, total });
  };
}

/**
 * The body of a search thread: runs the job from `workerData` and posts `run`'s final message,
 * `cancelled` when the search noticed the flag, `failure(e)` for the errors the front end
 * expects (a message for the user), and `internal` (a bug, with its stack) for anything else.
 * `run` may post messages of its own (the CLI's output lines) before it returns.
 */
export function serveSearchJob<Job, M extends { t: string }>(
  run: (job: Job, control: RunControl, post: (m: M | SearchThreadMessage) => void) => M,
  failure: (e: unknown) => M | undefined,
): void {
  const port = parentPort;
  if (!port) throw new Error('the search worker must run in a worker thread');
  const { job, flag } = workerData as SearchThreadInput<Job>;
  const post = (m: M | SearchThreadMessage) => port.postMessage(m);
  try {
    post(run(job, { cancel: flagCancellation(flag), onProgress: throttledProgress(post) }, post));
  } catch (e) {
    if (e instanceof SearchCancelled) post({ t: 'cancelled' });
    else post(failure(e) ?? { t: 'internal', message: e instanceof Error ? e.message : String(e), stack: e instanceof Error ? e.stack : undefined });
  }
}

// ---------------------------------------------------------------------------------------------
// On the starting thread.

/** One run of a search thread, as its front end's handlers see it. */
export interface SearchThreadRun<R> {
  /** True once the run has settled; later messages are dropped. */
  readonly settled: boolean;
  /** True once requestCancel() has raised the flag. */
  readonly cancelRequested: boolean;
  /** Settles the run (the first call wins): stops the grace timer, runs `onSettle`, then resolves. */
  resolve(value: R): void;
  /** As resolve(), rejecting. */
  reject(error: unknown): void;
  /**
   * Raises the flag the search reads and, if the thread has not stopped CANCEL_GRACE_MS later,
   * terminates it and calls `onGraceExpired`. Does nothing once settled or already requested;
   * says whether it did something.
   */
  requestCancel(): boolean;
  /** Stops the thread now. */
  terminate(): void;
}

export interface SearchThreadHandlers<M, R> {
  /** Arguments the thread sees in `process.argv` (the CLI starts its own bundle with a hidden one). */
  argv?: string[];
  /** How long a search may take to notice cancellation before its thread is stopped anyway. */
  graceMs: number;
  /** Called once the thread exists, to wire cancellation (a signal handler, a cancellation token). */
  started?(run: SearchThreadRun<R>): void;
  /** Every message of a run that has not settled yet. */
  message(m: M | SearchThreadMessage, run: SearchThreadRun<R>): void;
  /** The thread threw outside the job (it could not load, say). */
  error(e: Error, run: SearchThreadRun<R>): void;
  /** The thread stopped: after its final message, terminated after the grace period, or died. */
  exit(code: number, run: SearchThreadRun<R>): void;
  /** The grace period passed and the thread was terminated. */
  graceExpired?(run: SearchThreadRun<R>): void;
  /** Runs once when the run settles, before its promise does. */
  onSettle?(): void;
}

/** Starts `bundle` as a search thread on `job`; the handlers decide how the returned promise settles. */
export function runInSearchThread<Job, M extends { t: string }, R>(bundle: string, job: Job, handlers: SearchThreadHandlers<M, R>): Promise<R> {
  return new Promise<R>((resolve, reject) => {
    const flag = new Int32Array(new SharedArrayBuffer(4));
    const workerInput: SearchThreadInput<Job> = { job, flag };
    const worker = new Worker(bundle, handlers.argv ? { argv: handlers.argv, workerData: workerInput } : { workerData: workerInput });
    let settled = false;
    let cancelRequested = false;
    let grace: ReturnType<typeof setTimeout> | undefined;
    const settle = (f: () => void) => {
      if (settled) return;
      settled = true;
      if (grace) clearTimeout(grace);
      handlers.onSettle?.();
      f();
    };
    const run: SearchThreadRun<R> = {
      get settled() {
        return settled;
      },
      get cancelRequested() {
        return cancelRequested;
      },
      resolve: (value) => settle(() => resolve(value)),
      reject: (error) => settle(() => reject(error)),
      requestCancel() {
        if (settled || cancelRequested) return false;
        cancelRequested = true;
        Atomics.store(flag, 0, 1);
        grace = setTimeout(() => {
          void worker.terminate();
          handlers.graceExpired?.(run);
        }, handlers.graceMs);
        return true;
      },
      terminate: () => void worker.terminate(),
    };
    handlers.started?.(run);
    worker.on('message', (m: M | SearchThreadMessage) => {
      if (!settled) handlers.message(m, run);
    });
    worker.on('error', (e) => handlers.error(e, run));
    worker.on('exit', (code) => handlers.exit(code, run));
  });
}
