// Runs before every test file (vitest.config setupFiles).
//
// Why: vitest awaits each test, but a synchronous test resolves as a microtask, so a file of
// long synchronous tests (fast-check properties, whole-file analyses) never returns to the event
// loop. The worker's calls to the main process (`onTaskUpdate`) then wait unanswered: the reply
// sits unread until the file ends, and once a file runs longer than the RPC timeout (60 s, easy
// on a loaded 2-core machine) vitest reports "Timeout calling onTaskUpdate" and fails the run
// though every test passed. One macrotask turn before each test reads the replies.

import { beforeEach } from 'vitest';

beforeEach(() => new Promise<void>((resolve) => setTimeout(resolve, 0)));
