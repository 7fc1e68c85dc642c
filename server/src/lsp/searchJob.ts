// One editor search as plain data in and plain data out, so it can cross to a worker thread:
// the document's text (the worker has no DocumentStore) and the engine's SearchJob; back comes
// the engine's result with everything that cannot be cloned or is too large to send (the
// AST-backed ResolvedLayout and the full LayoutCost of each `best` candidate) left out.
//
// No worker_threads here: searchWorker.ts runs this in a thread, and search.ts runs it on the
// server's own thread when there is no worker bundle to start (the sources under vitest).

import { formatPercent, formatSeconds, relativeChange, REQUEST_COST_UNIT, sig, type BestCandidate, type BestResult, type CrossoverResult, type RunControl, type SearchJob, type ShardService, type SweepResult } from '../engine/index';
import type { BestWireCandidate, BestWireResult } from '../protocol/requests';

/** The searches an editor asks for (a calibration needs measurements, which only the CLI reads). */
export type EditorSearch = Exclude<SearchJob, { kind: 'calibrate' }>;

export interface EditorSearchJob {
  uri: string;
  text: string;
  search: EditorSearch;
}

export type JobResult = { kind: 'sweep'; result: SweepResult } | { kind: 'crossover'; result: CrossoverResult } | { kind: 'best'; result: BestWireResult };

/** The candidate's layout text, renamed from `X_bestN` back to `X` to stand in for the declaration. */
export function replacementText(text: string, original: string): string {
  return text.replace(/^layout [a-z_][a-z0-9_]*( \{)$/m, `layout ${original}$1`);
}

/** One candidate as a picker lists it: the request's figures, then where and how it runs. */
function summary(c: Omit<BestCandidate, 'cost' | 'layout'>, result: BestResult): BestWireCandidate['summary'] {
  const blocks = (p: { ffn: string; attention: string }) => (p.attention === 'none' ? p.ffn : `${p.ffn} + ${p.attention}`);
  const now = result.current;
  // Against the layout as declared, so a row says whether it is worth the change.
  const against = now ? ` (${relativeChange(c.latency_s, now.latency_s)} latency, ${relativeChange(c.cost_chip_s_per_token, now.cost_chip_s_per_token)} cost)` : '';
  const meshes = [c.mesh, ...c.sameAs].join(' or ');
  return {
    label: `#${c.rank}  ${formatSeconds(c.latency_s)} per request · ${sig(c.cost_chip_s_per_token * 1e3)} ${REQUEST_COST_UNIT}${against}`,
    description: `${c.chips} chips (${meshes}) · ${c.weights} weights · batch ${c.workload.decode.batch}`,
    detail: `${c.changes.length ? `changes ${c.changes.join('; ')}` : `as ${result.layout} is`} · prefill ${blocks(c.prefill)} (MFU ${formatPercent(c.mfu.prefill)}); decode ${blocks(c.decode)} (MFU ${formatPercent(c.mfu.decode)}, ${formatSeconds(c.decode_step_s)} per step)${c.fits ? '' : ' · does not fit'}`,
  };
}

export function toWire(result: BestResult, original: string): BestWireResult {
  return {
    ...result,
    candidates: result.candidates.map(({ cost: _cost, layout: _layout, ...c }) => ({ ...c, replacement: replacementText(c.text, original), summary: summary(c, result) })),
  };
}

/**
 * Runs the job on this thread. Throws PickLayoutError (no such layout, or not costable),
 * SearchTooLarge, and SearchCancelled when `control.cancel` is raised.
 */
export function runEditorSearch(service: ShardService, job: EditorSearchJob, control: RunControl): JobResult {
  // No editor limits: a search is asked for explicitly and may take its time (off the main thread).
  const analysis = service.analyze({ uri: job.uri, text: job.text, isPrelude: false });
  const outcome = service.search(analysis, job.search, control);
  switch (outcome.kind) {
    case 'sweep':
      return { kind: 'sweep', result: outcome.result };
    case 'crossover':
      return { kind: 'crossover', result: outcome.result };
    case 'best':
      return { kind: 'best', result: toWire(outcome.result, outcome.layout.name) };
    case 'calibrate':
      throw new Error('a calibration is not an editor search');
  }
}
