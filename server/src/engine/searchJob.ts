// One design-space search as plain data, the same for every front end: the CLI's commands and
// the editor's requests describe a search with a SearchJob, and a worker thread runs it with
// runSearchJob. Plain data so it can be posted to that thread; which layout it starts from is
// picked here, once, with one wording of why a name does not do.

import type { Analysis } from './analysis';
import type { Dtype, ResolvedLayout } from './check/resolved';
import { best, calibrate, crossover, sweep, type BestResult, type CalibrationResult, type CalibrationRow, type CrossoverResult, type Objective, type RunControl, type SweepResult } from './search/index';

export type SearchJob =
  | {
      kind: 'sweep';
      layout: string;
      batches?: number[];
      /** Chip counts (powers of two); default the layout's own, or the ones `chipsAround` gives. */
      chips?: number[];
      /** Without `chips`: the layout's own chip count halved and doubled this many times. */
      chipsAround?: number;
    }
  | { kind: 'crossover'; layout: string }
  | { kind: 'best'; layout: string; objective?: Objective; maxLatency?: number; top?: number; chips?: number[]; batches?: number[]; dtypes?: Dtype[] }
  | { kind: 'calibrate'; hardware: string; rows: CalibrationRow[] };

export type SearchKind = SearchJob['kind'];

/** What a job found, with the layout it started from (a calibration fits the file's layouts). */
export type SearchOutcome =
  | { kind: 'sweep'; layout: ResolvedLayout; result: SweepResult }
  | { kind: 'crossover'; layout: ResolvedLayout; result: CrossoverResult }
  | { kind: 'best'; layout: ResolvedLayout; result: BestResult }
  | { kind: 'calibrate'; result: CalibrationResult };

/**
 * A layout name that names no layout a search can start from. The message speaks of "this file";
 * `names` lets a front end that knows the file's name say which layouts there are.
 */
export class PickLayoutError extends Error {
  constructor(
    message: string,
    /** `missing`: the file declares no such layout; `uncostable`: it does, but it cannot be costed. */
    readonly problem: 'missing' | 'uncostable',
    readonly layout: string,
    /** Every layout the file declares, costable or not, in file order. */
    readonly names: string[],
  ) {
    super(message);
    this.name = 'PickLayoutError';
  }
}

/** The resolved layout named `name`; throws PickLayoutError when there is none to cost. */
export function pickLayout(analysis: Analysis, name: string): ResolvedLayout {
  const layout = analysis.layouts.find((l) => l.name === name);
  if (layout) return layout;
  const names = [...analysis.layouts.map((l) => l.name), ...analysis.uncostable.map((u) => u.name)];
  const uncostable = analysis.uncostable.find((u) => u.name === name);
  if (uncostable) throw new PickLayoutError(`layout '${name}' cannot be costed${uncostable.reason ? `: ${uncostable.reason}` : ''}`, 'uncostable', name, names);
  throw new PickLayoutError(`no layout '${name}' in this file`, 'missing', name, names);
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

/** chipsAround of each phase's own mesh (one mesh, or the two pools of a disaggregated layout), ascending. */
function ownChipsAround(layout: ResolvedLayout, n: number): number[] {
  return [...new Set([layout.prefill.mesh.chips, layout.decode.mesh.chips].flatMap((own) => chipsAround(own, n)))].sort((a, b) => a - b);
}

/**
 * Runs the job on this thread. Throws PickLayoutError, the searches' own errors (SearchTooLarge,
 * CalibrationError) and SearchCancelled when `control.cancel` is raised.
 */
export function runSearchJob(analysis: Analysis, job: SearchJob, control: RunControl): SearchOutcome {
  if (job.kind === 'calibrate') return { kind: 'calibrate', result: calibrate(analysis, job.rows, { hardware: job.hardware, ...control }) };
  const layout = pickLayout(analysis, job.layout);
  switch (job.kind) {
    case 'sweep':
      return { kind: 'sweep', layout, result: sweep(analysis, layout, { batches: job.batches, chips: job.chips ?? ownChipsAround(layout, job.chipsAround ?? 0), ...control }) };
    case 'crossover':
      return { kind: 'crossover', layout, result: crossover(analysis, layout, control) };
    case 'best':
      return { kind: 'best', layout, result: best(analysis, layout, { objective: job.objective, maxLatency: job.maxLatency, top: job.top, chips: job.chips, batches: job.batches, dtypes: job.dtypes, ...control }) };
  }
}
