// The worker thread behind `shardlens/sweep`, `/crossover` and `/best` (bundled on its own as
// dist/searchWorker.js). A search is synchronous and can run for seconds; on the server's thread
// it would hold up every diagnostic and hover meanwhile. Here it runs alone: the server posts one
// job in workerData, this thread reads a shared Int32 cancel flag inside the search's loops, and
// posts progress and then exactly one final message (the plumbing is ../shared/searchThread.ts,
// shared with the CLI).

import { parentPort } from 'node:worker_threads';
import { createShardService, PickLayoutError, SearchTooLarge } from '../engine/index';
import { serveSearchJob, type SearchThreadMessage } from '../shared/searchThread';
import { runEditorSearch, type EditorSearchJob, type JobResult } from './searchJob';

export type WorkerMessage = SearchThreadMessage | { t: 'done'; result: JobResult } | { t: 'failed'; message: string };

if (parentPort) {
  // The thread runs one job and ends: its service lives as long as that search.
  const service = createShardService();
  serveSearchJob<EditorSearchJob, WorkerMessage>(
    (job, control) => ({ t: 'done', result: runEditorSearch(service, job, control) }),
    (e) => (e instanceof PickLayoutError || e instanceof SearchTooLarge ? { t: 'failed', message: e.message } : undefined),
  );
}
