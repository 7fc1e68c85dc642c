// One editor search as plain data in and plain data out, so it can cross to a worker thread:
// the document's text (the worker has no DocumentStore), the layout's name and the options; back
// comes the engine's result with everything that cannot be cloned or is too large to send (the
// AST-backed ResolvedLayout and the full LayoutCost of each `best` candidate) left out.
//
// No worker_threads here: searchWorker.ts runs this in a thread, and search.ts runs it on the
// server's own thread when there is no worker bundle to start (the sources under vitest).

import { analyze, type Analysis } from '../engine/index';
import type { Dtype, ResolvedLayout } from '../engine/check/resolved';
import { best, crossover, sweep, type BestCandidate, type BestResult, type CrossoverResult, type Objective, type RunControl, type SweepResult } from '../engine/search/index';

export type SearchKind = 'sweep' | 'crossover' | 'best';

interface JobBase {
  uri: string;
  text: string;
  layout: string;
}

export type SearchJob =
  | (JobBase & { kind: 'sweep'; batches?: number[]; chips?: number[]; chipsAround?: number })
  | (JobBase & { kind: 'crossover' })
  | (JobBase & { kind: 'best'; objective?: Objective; maxLatency?: number; top?: number; chips?: number[]; batches?: number[]; dtypes?: Dtype[] });

export type BestWireCandidate = Omit<BestCandidate, 'cost' | 'layout'> & {
  /** The text that replaces the layout's declaration: `text` with the layout renamed back to the original name. */
  replacement: string;
};

/** The engine's BestResult with cloneable candidates. */
export type BestWireResult = Omit<BestResult, 'candidates'> & {
  candidates: BestWireCandidate[];
  /** Filled in by the server from the document it searched: where the layout's declaration is. */
  declaration?: { range: { start: { line: number; character: number }; end: { line: number; character: number } }; version: number };
};

export type JobResult = { kind: 'sweep'; result: SweepResult } | { kind: 'crossover'; result: CrossoverResult } | { kind: 'best'; result: BestWireResult };

/** A search that cannot start: the layout is unknown or cannot be costed. The message is for the user. */
export class SearchJobError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SearchJobError';
  }
}

function pickLayout(analysis: Analysis, name: string): ResolvedLayout {
  const layout = analysis.layouts.find((l) => l.name === name);
  if (layout) return layout;
  const uncostable = analysis.uncostable.find((u) => u.name === name);
  if (uncostable) throw new SearchJobError(`layout '${name}' cannot be costed${uncostable.reason ? `: ${uncostable.reason}` : ''}`);
  throw new SearchJobError(`no layout '${name}' in this file`);
}

/** The candidate's layout text, renamed from `X_bestN` back to `X` to stand in for the declaration. */
export function replacementText(text: string, original: string): string {
  return text.replace(/^layout [a-z_][a-z0-9_]*( \{)$/m, `layout ${original}$1`);
}

export function toWire(result: ReturnType<typeof best>, original: string): BestWireResult {
  return {
    ...result,
    candidates: result.candidates.map(({ cost: _cost, layout: _layout, ...c }) => ({ ...c, replacement: replacementText(c.text, original) })),
  };
}

/** `own` halved and doubled `n` times (whole counts only), ascending. */
export function chipsAround(own: number, n: number): number[] {
  const out: number[] = [];
  for (let k = -n; k <= n; k++) {
    const c = own * 2 ** k;
    if (Number.isInteger(c) && c >= 1) out.push(c);
  }
  return out;
}

/** Runs the job on this thread. Throws SearchJobError, and SearchCancelled when `control.cancel` is raised. */
export function runSearchJob(job: SearchJob, control: RunControl): JobResult {
  // No editor limits: a search is asked for explicitly and may take its time (off the main thread).
  const analysis = analyze({ uri: job.uri, text: job.text, isPrelude: false });
  const layout = pickLayout(analysis, job.layout);
  switch (job.kind) {
    case 'sweep':
      return { kind: 'sweep', result: sweep(analysis, layout, { batches: job.batches, chips: job.chips ?? chipsAround(layout.mesh.chips, job.chipsAround ?? 0), ...control }) };
    case 'crossover':
      return { kind: 'crossover', result: crossover(analysis, layout, control) };
    case 'best': {
      const result = best(analysis, layout, { objective: job.objective, maxLatency: job.maxLatency, top: job.top, chips: job.chips, batches: job.batches, dtypes: job.dtypes, ...control });
      return { kind: 'best', result: toWire(result, layout.name) };
    }
  }
}
