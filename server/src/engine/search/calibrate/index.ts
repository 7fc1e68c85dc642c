// `calibrate` (cli.md, cost-model.md §5): fit a hardware's efficiency fields to measured times by
// least squares on log error (so a 2× miss on a 10 ms step weighs as much as on a 60 s prefill),
// with Levenberg–Marquardt over bounded parameters. Before fitting, each parameter's influence
// on the rows is measured: one that barely moves any prediction, or moves them the same way as
// a more influential one, is not identifiable from these rows and keeps its value (with a note).

import type { Analysis } from '../../analysis';
import type { HardwareSpec, ResolvedLayout } from '../../check/resolved';
import { costPass } from '../../cost/pass';
import { passSizes } from '../../cost/sizes';
import { isPowerOfTwo, layoutVariant, throwIfCancelled, type RunControl } from '../common';
import { bestFactorization } from '../meshes';
import type { CalibrationRow, CsvProblem } from './csv';
import { jacobian, levenbergMarquardt } from './levenbergMarquardt';
import { ALL_FIT_PARAMETERS, FIT_PARAMETERS, OPTIONAL_FIT_PARAMETERS, PARAMETER_RANGE, isTime, probeValue, startValue, toTheta, toValue, valueOf, withParameters, type FitParameter } from './parameters';

export { parseCalibrationCsv, formatProblem, REQUIRED_COLUMNS } from './csv';
export type { CalibrationRow, CsvProblem } from './csv';
export { FIT_PARAMETERS, OPTIONAL_FIT_PARAMETERS } from './parameters';
export type { FitParameter } from './parameters';
export { PARAMETER_RANGE } from './parameters';

/** A row's layout, ready to cost with any values of the fitted fields. */
export interface PreparedRow {
  row: CalibrationRow;
  layout: ResolvedLayout;
}

export interface CalibrationRowResult {
  line: number;
  layout: string;
  phase: 'prefill' | 'decode';
  batch: number;
  chips: number;
  mesh: string;
  measured_s: number;
  before_s: number;
  after_s: number;
  /** predicted / measured − 1. */
  error_before: number;
  error_after: number;
  /** The same, predicted by the fields fitted to the other rows (at least 3 rows). */
  error_left_out?: number;
}

/** A fitted field with how sure the fit is of it. */
export interface FittedField {
  parameter: FitParameter;
  value: number;
  /** The lowest and highest value over the fits that leave one row out (and the full fit). */
  low: number;
  high: number;
  /** The value sits on a bound of the field's range: the rows only bound it from one side. */
  at_bound?: 'low' | 'high';
  /** Leaving one row out moves it by more than a factor of 2. */
  poorly_determined: boolean;
}

export interface CalibrationResult {
  hardware: string;
  calibratedName: string;
  /** Fitted values, and the values of fields left as they were. */
  values: Record<FitParameter, number>;
  fitted: FitParameter[];
  /** Each fitted field's value and range. */
  fields: FittedField[];
  kept: { parameter: FitParameter; value: number; reason: string }[];
  rows: CalibrationRowResult[];
  /** Root mean square of log(predicted / measured). */
  rms_log_error_before: number;
  rms_log_error_after: number;
  /** Over the left-out predictions (at least 3 rows). */
  rms_log_error_left_out?: number;
  max_abs_error_left_out?: number;
  iterations: number;
  /** Notes on the data (one phase only, few rows). */
  messages: string[];
  /** `hardware NAME_calibrated = NAME { … }`, ready to paste. */
  text: string;
}

/** A problem that stops calibration, with the rows it is about. */
export class CalibrationError extends Error {
  constructor(message: string, readonly problems: CsvProblem[] = []) {
    super(message);
    this.name = 'CalibrationError';
  }
}

export interface CalibrateOptions extends RunControl {
  /** The hardware to calibrate; every row's layout must run on it. */
  hardware: string;
  /**
   * Fields to try (default FIT_PARAMETERS, plus matmul_knee when the cost model reads it); the
   * ones the rows do not identify keep their values.
   */
  parameters?: readonly FitParameter[];
  maxIterations?: number;
  /** Refit once per row without it (default true): the left-out errors and the fields' ranges. */
  leaveOneOut?: boolean;
}

/** Resolves each row's layout with its sizes (and `chips` mesh); problems name the row. */
export function prepareRows(analysis: Analysis, rows: readonly CalibrationRow[], hardware: string): { prepared: PreparedRow[]; problems: CsvProblem[] } {
  const prepared: PreparedRow[] = [];
  const problems: CsvProblem[] = [];
  rows.forEach((row, i) => {
    const where = `row ${i + 1} (line ${row.line})`;
    const layout = analysis.layouts.find((l) => l.name === row.layout);
    if (!layout) {
      const uncostable = analysis.uncostable.find((u) => u.name === row.layout);
      problems.push({ line: row.line, column: 'layout', message: `${where}, column \`layout\`: ${uncostable ? `layout \`${row.layout}\` cannot be costed (${uncostable.reason})` : `the file has no layout \`${row.layout}\``}` });
      return;
    }
    if (layout.mesh.hardware.name !== hardware) {
      problems.push({ line: row.line, column: 'layout', message: `${where}, column \`layout\`: layout \`${row.layout}\` runs on \`${layout.mesh.hardware.name}\`, not \`${hardware}\`` });
      return;
    }
    const w = { batch: row.batch, prompt: row.prompt, generate: row.generate };
    const change = { workload: { prefill: w, decode: w }, only: row.phase };
    let resolved: ResolvedLayout | undefined;
    if (row.chips !== undefined && !isPowerOfTwo(row.chips)) {
      problems.push({ line: row.line, column: 'chips', message: `${where}, column \`chips\`: ${row.chips} is not a power of two; meshes are factored into power-of-two axes` });
      return;
    }
    if (row.chips !== undefined) {
      // The shape is chosen as the fastest without overlap: under the nominal full overlap a shape
      // whose collectives only look free because they hide (8×4×2 for 64 chips, not the 4×4×4
      // the paper ran) would win, and the rows' meshes would depend on the field being fitted.
      const trial = bestFactorization(analysis, { ...layout, overlap: 'none' }, row.chips, { change, measure: row.phase })?.layout;
      resolved = trial && { ...trial, overlap: layout.overlap };
      if (!resolved) {
        problems.push({ line: row.line, column: 'chips', message: `${where}, column \`chips\`: no power-of-two mesh of ${row.chips} chips fits layout \`${row.layout}\` at batch ${row.batch}` });
        return;
      }
    } else {
      resolved = layoutVariant(analysis, layout, change);
      if (!resolved) {
        problems.push({ line: row.line, column: 'batch', message: `${where}, column \`batch\`: layout \`${row.layout}\` does not fit batch ${row.batch} on its mesh (a dim is smaller than its shards)` });
        return;
      }
    }
    prepared.push({ row, layout: resolved });
  });
  return { prepared, problems };
}

/** The model's time for a row with the given hardware: the prefill, or one decode step at the mean T. */
export function predictRow(p: PreparedRow, hardware: HardwareSpec): number {
  // The row's phase runs on its own mesh when the layout gives the phases meshes of their own.
  const layout: ResolvedLayout = { ...p.layout, mesh: { ...(p.layout[p.row.phase].mesh ?? p.layout.mesh), hardware } };
  const spec = layout[p.row.phase];
  const sizes = p.row.phase === 'prefill' ? passSizes(layout.model, spec.workload, 'prefill') : passSizes(layout.model, spec.workload, 'decode', 'mean');
  return costPass(layout, spec, sizes).latency.value;
}

/** Whether setting an optional field changes any row's prediction (the cost model reads it). */
function costModelReads(prepared: readonly PreparedRow[], hw: HardwareSpec, p: FitParameter): boolean {
  const probe = withParameters(hw, { [p]: probeValue(p, hw) });
  return prepared.some((row) => Math.abs(predictRow(row, probe) / predictRow(row, hw) - 1) > 1e-9);
}

function rms(xs: readonly number[]): number {
  return Math.sqrt(xs.reduce((s, x) => s + x * x, 0) / Math.max(1, xs.length));
}

function formatTimeField(v: number): string {
  if (v >= 1e-3) return `${Number((v * 1e3).toPrecision(4))} ms`;
  if (v >= 1e-6) return `${Number((v * 1e6).toPrecision(4))} us`;
  return `${Number((v * 1e9).toPrecision(4))} ns`;
}

/** A field's value as the hardware block writes it. */
export function formatField(p: FitParameter, v: number): string {
  return isTime(p) ? formatTimeField(v) : p === 'matmul_knee' ? v.toExponential(3).replace(/\.?0+e/, 'e').replace('e+', 'e') : String(Number(v.toPrecision(4)));
}

export function hardwareBlock(base: string, name: string, values: Partial<Record<FitParameter, number>>, fitted: readonly FitParameter[], comment?: string): string {
  const lines = comment ? comment.split('\n').map((l) => `# ${l}`) : [];
  lines.push(`hardware ${name} = ${base} {`);
  for (const p of fitted) {
    const v = values[p]!;
    lines.push(`  ${p} = ${formatField(p, v)}`);
  }
  lines.push('}');
  return `${lines.join('\n')}\n`;
}

/**
 * Which parameters the rows identify, most influential first: a column of the log-residual
 * Jacobian that is tiny, or nearly a combination of the columns kept before it, is dropped.
 * At most one parameter per row is kept.
 */
function identifiable(columns: number[][], names: FitParameter[], rows: number): { keep: number[]; dropped: { index: number; reason: string }[] } {
  const norms = columns.map((c) => Math.sqrt(c.reduce((s, v) => s + v * v, 0)));
  const order = names.map((_, i) => i).sort((a, b) => norms[b] - norms[a]);
  const basis: number[][] = [];
  const keep: number[] = [];
  const dropped: { index: number; reason: string }[] = [];
  const scale = Math.max(...norms, 1e-300);
  for (const j of order) {
    if (norms[j] < 1e-4 * Math.sqrt(rows) || norms[j] < 1e-6 * scale) {
      dropped.push({ index: j, reason: 'changing it barely moves any prediction (no row is limited by it)' });
      continue;
    }
    let v = [...columns[j]];
    for (const b of basis) {
      const d = v.reduce((s, x, k) => s + x * b[k], 0);
      v = v.map((x, k) => x - d * b[k]);
    }
    const rest = Math.sqrt(v.reduce((s, x) => s + x * x, 0));
    if (rest < 1e-3 * norms[j]) {
      dropped.push({ index: j, reason: `it moves the predictions the same way as ${keep.map((k) => names[k]).join(' and ')} on these rows` });
      continue;
    }
    if (keep.length >= rows) {
      dropped.push({ index: j, reason: `${rows} rows cannot fix more than ${rows} fields; add rows` });
      continue;
    }
    basis.push(v.map((x) => x / rest));
    keep.push(j);
  }
  return { keep, dropped };
}

/** Where fits of `overlap_fraction` start (each kept field else starts at its `startValue`). */
const OVERLAP_STARTS = [0.1, 0.5, 0.9];

/** One least-squares fit of `names` (those the rows identify) to prepared rows. */
interface Fit {
  /** Values of the fitted fields only. */
  fittedValues: Partial<Record<FitParameter, number>>;
  fitted: FitParameter[];
  dropped: { parameter: FitParameter; reason: string }[];
  iterations: number;
}

function fitPrepared(prepared: readonly PreparedRow[], hw: HardwareSpec, names: readonly FitParameter[], options: CalibrateOptions, progress: boolean, startFrom: Partial<Record<FitParameter, number>> = {}): Fit {
  const measured = prepared.map((p) => p.row.seconds);
  const start = names.map((n) => toTheta(n, startFrom[n] ?? startValue(n, hw)));
  const valuesOf = (theta: readonly number[], which: number[]) => {
    const v: Partial<Record<FitParameter, number>> = {};
    which.forEach((j, k) => { v[names[j]] = toValue(names[j], theta[k]); });
    return v;
  };
  // Fields left out of a fit keep the hardware's own values (not the start point's).
  const residualsFor = (which: number[], base: HardwareSpec = hw) => (theta: number[]) => {
    throwIfCancelled(options.cancel);
    const h = withParameters(base, valuesOf(theta, which));
    return prepared.map((p, i) => Math.log(predictRow(p, h) / measured[i]));
  };
  // Identifiability at the starting point.
  const all = names.map((_, j) => j);
  const f0 = residualsFor(all);
  const r0 = f0(start);
  const { keep, dropped } = identifiable(jacobian(f0, start, r0, 1e-4), [...names], prepared.length);
  const maxIterations = options.maxIterations ?? 100;
  const lmOptions = {
    maxIterations,
    onIteration: progress ? (it: number) => options.onProgress?.(it, maxIterations) : () => throwIfCancelled(options.cancel),
  };
  // The overlap fraction trades against link_eff and α (more hidden, slower links), so the fit
  // can have more than one valley, and a field driven to a bound stays there (the logistic map is
  // flat). So the other fields are first fitted with the fraction held at a low, a middle and a
  // high value, each fit is then freed, and the best is kept.
  const overlapAt = keep.findIndex((j) => names[j] === 'overlap_fraction');
  const others = keep.filter((_, k) => k !== overlapAt);
  const fromOverlap = (v: number) => {
    const held = levenbergMarquardt(residualsFor(others, withParameters(hw, { overlap_fraction: v })), others.map((j) => start[j]), lmOptions);
    return levenbergMarquardt(residualsFor(keep), keep.map((j, k) => (k === overlapAt ? toTheta('overlap_fraction', v) : held.params[others.indexOf(j)])), lmOptions);
  };
  const fit = overlapAt < 0
    ? levenbergMarquardt(residualsFor(keep), keep.map((j) => start[j]), lmOptions)
    : OVERLAP_STARTS.map(fromOverlap).reduce((a, b) => (b.sumSquares < a.sumSquares ? b : a));
  return {
    fittedValues: valuesOf(fit.params, keep),
    fitted: keep.map((j) => names[j]).sort((a, b) => ALL_FIT_PARAMETERS.indexOf(a) - ALL_FIT_PARAMETERS.indexOf(b)),
    dropped: dropped.map((d) => ({ parameter: names[d.index], reason: d.reason })),
    iterations: fit.iterations,
  };
}

/** Where a fitted value sits against its range: a value pinned at a bound is a one-sided answer. */
function atBound(p: FitParameter, v: number): 'low' | 'high' | undefined {
  const [lo, hi] = PARAMETER_RANGE[p];
  if (v <= lo * 1.02) return 'low';
  if (v >= hi * 0.98) return 'high';
  return undefined;
}

/** Fits the calibration fields to the rows. Throws CalibrationError for bad rows or too few. */
export function calibrate(analysis: Analysis, rows: readonly CalibrationRow[], options: CalibrateOptions): CalibrationResult {
  const hwName = options.hardware;
  const { prepared, problems } = prepareRows(analysis, rows, hwName);
  if (problems.length) throw new CalibrationError(problems.map((p) => p.message).join('\n'), problems);
  if (prepared.length < 2) throw new CalibrationError(`calibration needs at least 2 measured rows, and more rows than fields to fit (${FIT_PARAMETERS.length}) to fit them all; got ${prepared.length}`);
  const hw = prepared[0].layout.mesh.hardware;
  const messages: string[] = [];
  const phases = new Set(prepared.map((p) => p.row.phase));
  if (phases.size === 1) {
    const only = [...phases][0];
    messages.push(`every row is a ${only} measurement: the fit describes ${only} only; add ${only === 'prefill' ? 'decode' : 'prefill'} rows before trusting it for the other phase`);
  }
  const names = [...(options.parameters ?? [...FIT_PARAMETERS, ...OPTIONAL_FIT_PARAMETERS.filter((p) => costModelReads(prepared, hw, p))])];
  const measured = prepared.map((p) => p.row.seconds);
  const before = prepared.map((p) => predictRow(p, hw));

  const fit = fitPrepared(prepared, hw, names, options, true);
  const maxIterations = options.maxIterations ?? 100;
  options.onProgress?.(maxIterations, maxIterations);
  const kept = fit.dropped.map((d) => ({ parameter: d.parameter, value: valueOf(hw, d.parameter), reason: d.reason }));
  for (const k of kept) messages.push(`${k.parameter} is not identifiable from these rows (${k.reason}); it keeps its value ${k.value}`);
  const fittedValues = fit.fittedValues;
  const fitted = fit.fitted;
  const values = Object.fromEntries(names.map((n) => [n, fittedValues[n] ?? valueOf(hw, n)])) as Record<FitParameter, number>;
  for (const p of ALL_FIT_PARAMETERS) if (values[p] === undefined) values[p] = valueOf(hw, p);
  const after = prepared.map((p) => predictRow(p, withParameters(hw, fittedValues)));

  // Leave one out: each row predicted by the same fields fitted to the other rows. With as many
  // fields as rows the fit passes through every row, and this is the only honest error.
  const looErrors: (number | undefined)[] = prepared.map(() => undefined);
  const ranges: Partial<Record<FitParameter, { low: number; high: number }>> = {};
  for (const p of fitted) ranges[p] = { low: fittedValues[p]!, high: fittedValues[p]! };
  if (prepared.length >= 3 && (options.leaveOneOut ?? true)) {
    for (let i = 0; i < prepared.length; i++) {
      const rest = prepared.filter((_, j) => j !== i);
      // From the same start as a fit of those rows alone would take, so the two agree.
      const f = fitPrepared(rest, hw, fitted, options, false);
      const h = withParameters(hw, f.fittedValues);
      looErrors[i] = predictRow(prepared[i], h) / measured[i] - 1;
      // A field the rest cannot pin down keeps the hardware's value there: the range includes it.
      for (const p of fitted) {
        const v = f.fittedValues[p] ?? valueOf(hw, p);
        const r = ranges[p]!;
        r.low = Math.min(r.low, v);
        r.high = Math.max(r.high, v);
      }
    }
  }
  const fittedInfo: FittedField[] = fitted.map((p) => {
    const v = fittedValues[p]!;
    const r = ranges[p]!;
    const bound = atBound(p, v);
    const spread = r.low > 0 ? r.high / r.low : Infinity;
    return { parameter: p, value: v, low: r.low, high: r.high, ...(bound ? { at_bound: bound } : {}), poorly_determined: spread > 2 };
  });
  if (fitted.length >= prepared.length) {
    messages.push(`${prepared.length} rows fix ${fitted.length} fields: the fit can pass through every row, so its error after fitting says nothing; read the leave-one-out errors`);
  }
  for (const f of fittedInfo) {
    if (f.at_bound) messages.push(`${f.parameter} ends at the ${f.at_bound} end of its range (${PARAMETER_RANGE[f.parameter].map((x) => formatField(f.parameter, x)).join('–')}): the rows only say it is no ${f.at_bound === 'low' ? 'more' : 'less'} than that`);
    else if (f.poorly_determined) messages.push(`${f.parameter} is poorly determined: leaving one row out moves it from ${formatField(f.parameter, f.low)} to ${formatField(f.parameter, f.high)}`);
  }
  const resultRows: CalibrationRowResult[] = prepared.map((p, i) => ({
    line: p.row.line,
    layout: p.row.layout,
    phase: p.row.phase,
    batch: p.row.batch,
    chips: p.layout.mesh.chips,
    mesh: p.layout.mesh.axes.filter((a) => ['x', 'y', 'z'].includes(a.name)).map((a) => a.size).join('x'),
    measured_s: measured[i],
    before_s: before[i],
    after_s: after[i],
    error_before: before[i] / measured[i] - 1,
    error_after: after[i] / measured[i] - 1,
    ...(looErrors[i] !== undefined ? { error_left_out: looErrors[i] } : {}),
  }));
  const rmsBefore = rms(before.map((b, i) => Math.log(b / measured[i])));
  const rmsAfter = rms(after.map((a, i) => Math.log(a / measured[i])));
  const loo = looErrors.filter((e): e is number => e !== undefined);
  const calibratedName = `${hwName}_calibrated`;
  const looNote = loo.length ? `, leave-one-out errors within ±${(Math.max(...loo.map(Math.abs)) * 100).toFixed(1)}%` : '';
  const comment = `fitted by shardlens calibrate to ${prepared.length} measurements: rms log error ${rmsBefore.toPrecision(3)} → ${rmsAfter.toPrecision(3)}${looNote}`;
  return {
    hardware: hwName,
    calibratedName,
    values,
    fitted,
    fields: fittedInfo,
    kept,
    rows: resultRows,
    rms_log_error_before: rmsBefore,
    rms_log_error_after: rmsAfter,
    ...(loo.length ? { rms_log_error_left_out: rms(loo.map((e) => Math.log(1 + e))), max_abs_error_left_out: Math.max(...loo.map(Math.abs)) } : {}),
    iterations: fit.iterations,
    messages,
    text: hardwareBlock(hwName, calibratedName, values, fitted, comment),
  };
}

/** Predicts rows with a hardware's fields replaced (a calibration applied to other rows). */
export function predictRows(analysis: Analysis, rows: readonly CalibrationRow[], hardware: string, values: Partial<Record<FitParameter, number>> = {}): number[] {
  const { prepared, problems } = prepareRows(analysis, rows, hardware);
  if (problems.length) throw new CalibrationError(problems.map((p) => p.message).join('\n'), problems);
  return prepared.map((p) => predictRow(p, withParameters(p.layout.mesh.hardware, values)));
}
