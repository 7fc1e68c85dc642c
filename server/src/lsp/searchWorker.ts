// The worker thread behind `shardlens/sweep`, `/crossover` and `/best` (bundled on its own as
// dist/searchWorker.js). A search is synchronous and can run for seconds; on the server's thread
// it would hold up every diagnostic and hover meanwhile. Here it runs alone: the server posts one
// job in workerData, this thread reads a shared Int32 cancel flag inside the search's loops, and
// posts progress and then exactly one final message.

import { parentPort, workerData } from 'node:worker_threads';
import { SearchCancelled, SearchTooLarge, type Cancellation } from '../engine/search/index';
import { runSearchJob, SearchJobError, type JobResult, type SearchJob } from './searchJob';

export interface WorkerInput {
  job: SearchJob;
  /** One Int32: 1 once the server asks the search to stop. */
  flag: Int32Array;
}

export type WorkerMessage =
  | { t: 'progress'; done: number; total: number }
  | { t: 'done'; result: JobResult }
  | { t: 'cancelled' }
  | { t: 'failed'; message: string }
  | { t: 'internal'; message: string; stack?: string };

function main(): void {
  const port = parentPort;
  if (!port) return;
  const { job, flag } = workerData as WorkerInput;
  const post = (m: WorkerMessage) => port.postMessage(m);
  // Read through Atomics: the server writes the flag while this thread is busy.
  const cancel: Cancellation = {
    get cancelled() {
      return Atomics.load(flag, 0) === 1;
    },
    set cancelled(v: boolean) {
      Atomics.store(flag, 0, v ? 1 : 0);
    },
  };
  let lastPercent = -1;
  const onProgress = (done: number, total: number) => {
    // One message per visible step: the searches report thousands of units.
    const percent = total > 0 ? Math.floor((100 * done) / total) : 0;
    if (percent === lastPercent) return;
    lastPercent = percent;
    post({ t: 'progress', done, total });
  };
  try {
    post({ t: 'done', result: runSearchJob(job, { cancel, onProgress }) });
  } catch (e) {
    if (e instanceof SearchCancelled) post({ t: 'cancelled' });
    else if (e instanceof SearchJobError || e instanceof SearchTooLarge) post({ t: 'failed', message: e.message });
    else post({ t: 'internal', message: e instanceof Error ? e.message : String(e), stack: e instanceof Error ? e.stack : undefined });
  }
}

main();
