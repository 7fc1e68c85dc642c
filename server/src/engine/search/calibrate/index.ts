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
import { ALL_FIT_PARAMETERS, FIT_PARAMETERS, OPTIONAL_FIT_PARAMETERS, isTime, startValue, toTheta, toValue, valueOf, withParameters, type FitParameter } from './parameters';

export { parseCalibrationCsv, formatProblem, REQUIRED_COLUMNS } from './csv';
export type { CalibrationRow, CsvProblem } from './csv';
export { FIT_PARAMETERS, OPTIONAL_FIT_PARAMETERS } from './parameters';
export type { FitParameter } from './parameters';

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
}

export interface CalibrationResult {
  hardware: string;
  calibratedName: string;
  /** Fitted values, and the values of fields left as they were. */
  values: Record<FitParameter, number>;
  fitted: FitParameter[];
  kept: { parameter: FitParameter; value: number; reason: string }[];
  rows: CalibrationRowResult[];
  /** Root mean square of log(predicted / measured). */
  rms_log_error_before: number;
  rms_log_error_after: number;
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
      resolved = bestFactorization(analysis, layout, row.chips, { change, measure: row.phase })?.layout;
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
  const layout: ResolvedLayout = { ...p.layout, mesh: { ...p.layout.mesh, hardware } };
  const spec = layout[p.row.phase];
  const sizes = p.row.phase === 'prefill' ? passSizes(layout.model, spec.workload, 'prefill') : passSizes(layout.model, spec.workload, 'decode', 'mean');
  return costPass(layout, spec, sizes).latency.value;
}

/** Whether setting an optional field changes any row's prediction (the cost model reads it). */
function costModelReads(prepared: readonly PreparedRow[], hw: HardwareSpec, p: FitParameter): boolean {
  const probe = withParameters(hw, { [p]: startValue(p, hw) * 10 });
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

export function hardwareBlock(base: string, name: string, values: Partial<Record<FitParameter, number>>, fitted: readonly FitParameter[], comment?: string): string {
  const lines = comment ? comment.split('\n').map((l) => `# ${l}`) : [];
  lines.push(`hardware ${name} = ${base} {`);
  for (const p of fitted) {
    const v = values[p]!;
    lines.push(`  ${p} = ${isTime(p) ? formatTimeField(v) : p === 'matmul_knee' ? v.toExponential(3).replace(/\.?0+e/, 'e').replace('e+', 'e') : Number(v.toPrecision(4))}`);
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

  const start = names.map((n) => toTheta(n, startValue(n, hw)));
  const valuesOf = (theta: readonly number[], which: number[]) => {
    const v: Partial<Record<FitParameter, number>> = {};
    which.forEach((j, k) => { v[names[j]] = toValue(names[j], theta[k]); });
    return v;
  };
  const residualsFor = (which: number[], fixedStart: number[]) => (theta: number[]) => {
    throwIfCancelled(options.cancel);
    const others = names.map((_, j) => j).filter((j) => !which.includes(j));
    const fixed = valuesOf(others.map((j) => fixedStart[j]), others);
    const h = withParameters(hw, { ...fixed, ...valuesOf(theta, which) });
    return prepared.map((p, i) => Math.log(predictRow(p, h) / measured[i]));
  };

  // Identifiability at the starting point.
  const all = names.map((_, j) => j);
  const f0 = residualsFor(all, start);
  const r0 = f0(start);
  const { keep, dropped } = identifiable(jacobian(f0, start, r0, 1e-4), names, prepared.length);
  const kept = dropped.map((d) => ({ parameter: names[d.index], value: valueOf(hw, names[d.index]), reason: d.reason }));
  for (const k of kept) messages.push(`${k.parameter} is not identifiable from these rows (${k.reason}); it keeps its value ${k.value}`);

  const maxIterations = options.maxIterations ?? 100;
  const fit = levenbergMarquardt(residualsFor(keep, start), keep.map((j) => start[j]), {
    maxIterations,
    onIteration: (it) => options.onProgress?.(it, maxIterations),
  });
  options.onProgress?.(maxIterations, maxIterations);
  const fittedValues = valuesOf(fit.params, keep);
  const values = Object.fromEntries(names.map((n) => [n, fittedValues[n] ?? valueOf(hw, n)])) as Record<FitParameter, number>;
  for (const p of ALL_FIT_PARAMETERS) if (values[p] === undefined) values[p] = valueOf(hw, p);
  const after = prepared.map((p) => predictRow(p, withParameters(hw, fittedValues)));
  const fitted = keep.map((j) => names[j]).sort((a, b) => FIT_PARAMETERS.indexOf(a) - FIT_PARAMETERS.indexOf(b));
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
  }));
  const rmsBefore = rms(before.map((b, i) => Math.log(b / measured[i])));
  const rmsAfter = rms(after.map((a, i) => Math.log(a / measured[i])));
  const calibratedName = `${hwName}_calibrated`;
  const comment = `fitted by shardlens calibrate to ${prepared.length} measurements: rms log error ${rmsBefore.toPrecision(3)} → ${rmsAfter.toPrecision(3)}`;
  return {
    hardware: hwName,
    calibratedName,
    values,
    fitted,
    kept,
    rows: resultRows,
    rms_log_error_before: rmsBefore,
    rms_log_error_after: rmsAfter,
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
