// `shardlens sweep | best | calibrate | crossover`: the design-space searches of
// server/src/engine/search behind the command line. This file validates the arguments (lists,
// durations, dtypes), reads the inputs, runs the search and decides the exit status (cli.md:
// 0, 1 when the file has errors, 2 usage or unreadable input; 130 when cancelled).
//
// The searches are synchronous and can run for many seconds. A SIGINT handler on the thread that
// runs them would only fire after they finish, so Ctrl-C could not print `shardlens: cancelled`.
// The search therefore runs in a worker thread (the same bundle, started with a hidden argument):
// the main thread keeps its event loop free for the signal, raises a shared flag that the
// search's `cancel` object reads, and draws the progress bar from the worker's messages.

import { mkdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { analyze, sourceFromText, type Analysis } from '../engine/index';
import type { Dtype, ResolvedLayout } from '../engine/check/resolved';
import {
  ALL_DTYPES,
  best,
  CalibrationError,
  calibrate,
  crossover,
  crossoverChartOption,
  formatProblem,
  parseCalibrationCsv,
  renderBestJson,
  renderBestText,
  renderCalibrationJson,
  renderCalibrationText,
  renderCrossoverText,
  renderSweepCsv,
  renderSweepJson,
  renderSweepText,
  SearchTooLarge,
  seriesColors,
  sweep,
  sweepChartOption,
  type CrossoverResult,
  type Objective,
  type RunControl,
  type SweepPhasePoint,
  type SweepResult,
} from '../engine/search/index';
import { readDuration } from '../engine/search/duration';
import { escapeHtml } from '../engine/charts/escape';
import { PAGE_CSS as CHART_PAGE_CSS, selfContainedPage } from '../engine/charts/page';
import { renderOptionToSvg, ssrSafeTheme } from '../engine/charts/svg';
import { formatPercent, formatSeconds, sig } from '../engine/report/format';
import { runInSearchThread, serveSearchJob, type SearchThreadMessage, type SearchThreadRun } from '../shared/searchThread';
import { listChoices } from './args';
import { formatText } from './diagnosticFormats';
import { CliError, EXIT_FINDINGS, EXIT_OK, EXIT_USAGE, usageError } from './errors';
import type { InputFile } from './input';
import type { Io } from './io';
import { ProgressBar } from './progress';

// The search charts use two things the shared ECharts setup (made for the compare charts) does not
// register: markPoint (the crossover's switch points) and `grid.containLabel` (ECharts 6 moved it
// to a feature and warns on stderr without it). Registering twice is harmless.

/** Exit status of a search stopped by Ctrl-C: 128 + SIGINT, as shells report it. */
export const EXIT_CANCELLED = 130;

/** The hidden first argument that makes the bundle run one search job as a worker thread. */
export const WORKER_ARG = '__shardlens_search_worker__';

// ---------------------------------------------------------------------------------------------
// Argument values

// Far above any real batch or chip count, and small enough that products stay exact in doubles.
const MAX_COUNT = 2 ** 30;

/**
 * A comma-separated list of positive whole numbers (`1,4,16`). A mistake names the bad item and
 * shows the whole list, so the user sees which of several numbers to fix. Duplicates are dropped.
 */
export function parseCountList(text: string, option: string, command: string, opts: { powerOfTwo?: boolean } = {}): number[] {
  const out: number[] = [];
  for (const raw of text.split(',')) {
    const item = raw.trim();
    const where = text.includes(',') ? ` (in '${text}')` : '';
    if (item === '') throw usageError(`--${option}: empty item${where}; give comma-separated whole numbers such as 1,4,16`, command);
    if (!/^\d+$/.test(item) || Number(item) < 1) throw usageError(`--${option}: '${item}' is not a positive whole number${where}`, command);
    const n = Number(item);
    if (n > MAX_COUNT) throw usageError(`--${option}: '${item}' is too large${where}; the limit is ${MAX_COUNT}`, command);
    // Meshes are factored into power-of-two axes (cli.md); another count has no mesh at all.
    if (opts.powerOfTwo && (n & (n - 1)) !== 0) throw usageError(`--${option}: ${n} is not a power of two${where}; meshes are factored into power-of-two axes`, command);
    if (!out.includes(n)) out.push(n);
  }
  return out;
}

/** A duration with a unit (`50ms`, `2s`, `800us`); a bare number is seconds. Returns seconds. */
export function parseDuration(text: string, option: string, command: string): number {
  const read = readDuration(text);
  if ('seconds' in read) return read.seconds;
  if (read.problem === 'not-a-duration') throw usageError(`--${option}: '${text}' is not a duration; write e.g. 50ms, 2s or 800us (a bare number is seconds)`, command);
  throw usageError(`--${option}: '${text}' must be a positive duration`, command);
}

export function parseDtypes(text: string, command: string): Dtype[] {
  const out: Dtype[] = [];
  for (const raw of text.split(',')) {
    const item = raw.trim();
    if (!(ALL_DTYPES as readonly string[]).includes(item)) {
      const where = text.includes(',') ? ` (in '${text}')` : '';
      throw usageError(`--dtypes: '${item}' is not a weight dtype${where}; the dtypes are ${listChoices([...ALL_DTYPES])}`, command);
    }
    if (!out.includes(item as Dtype)) out.push(item as Dtype);
  }
  return out;
}

export function parseTop(text: string, command: string): number {
  if (!/^\d+$/.test(text.trim()) || Number(text) < 1 || Number(text) > 1000) throw usageError(`--top: '${text}' is not a whole number from 1 to 1000`, command);
  return Number(text);
}

// ---------------------------------------------------------------------------------------------
// Jobs: everything a search needs, as plain data, so it can be sent to the worker thread.

export type SearchJob =
  | { command: 'sweep'; file: InputFile; layout: string; batches?: number[]; chips?: number[]; format: 'text' | 'json' | 'csv'; html?: string }
  | {
      command: 'best';
      file: InputFile;
      layout: string;
      objective: Objective;
      maxLatency?: number;
      chips?: number[];
      batches?: number[];
      dtypes?: Dtype[];
      top?: number;
      json: boolean;
    }
  | { command: 'calibrate'; file: InputFile; measurements: InputFile; hardware: string; json: boolean }
  | { command: 'crossover'; file: InputFile; layout: string; svg?: string; json: boolean };

function pickLayout(analysis: Analysis, file: string, name: string, command: string): ResolvedLayout {
  const layout = analysis.layouts.find((l) => l.name === name);
  if (layout) return layout;
  const uncostable = analysis.uncostable.find((u) => u.name === name);
  if (uncostable) throw new CliError(`layout '${name}' cannot be costed${uncostable.reason ? `: ${uncostable.reason}` : ''}`, EXIT_FINDINGS);
  const names = [...analysis.layouts.map((l) => l.name), ...analysis.uncostable.map((u) => u.name)];
  const have = names.length ? `its layouts are ${listChoices(names.map((n) => `'${n}'`))}` : 'it has no layouts';
  throw usageError(`no layout '${name}' in '${file}'; ${have}`, command);
}

/** Errors in the file make the run exit 1; they go to stderr so stdout stays the result. */
function fileStatus(analysis: Analysis, file: string, io: Io): number {
  const errors = analysis.diagnostics.filter((d) => d.severity === 'error');
  if (errors.length === 0) return EXIT_OK;
  io.error(`'${file}' has ${errors.length} error${errors.length === 1 ? '' : 's'}; the search used the layouts that resolve`);
  io.note(formatText([{ name: file, diagnostics: errors, lineIndex: analysis.lineIndex }]));
  return EXIT_FINDINGS;
}

function writeOut(target: string, text: string): void {
  try {
    mkdirSync(path.dirname(path.resolve(target)), { recursive: true });
    writeFileSync(target, text);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const reason = code === 'EACCES' || code === 'EPERM' ? 'permission denied' : code === 'EISDIR' ? 'is a directory' : code === 'ENOTDIR' || code === 'EEXIST' ? 'a parent is not a directory' : String(code ?? (e as Error).message).toLowerCase();
    throw new CliError(`cannot write '${target}': ${reason}`, EXIT_USAGE);
  }
}

// ---------------------------------------------------------------------------------------------
// Charts: the engine's shared SVG renderer (server/src/engine/charts/svg.ts) draws the options.

const CHART_WIDTH = 760;
const CHART_HEIGHT = 480;

/** The chart pages' stylesheet plus the sweep table's own cells. */
const PAGE_CSS = `${CHART_PAGE_CSS}
td.text { text-align: left; }
td.front { font-weight: 600; }
td.none { color: #59636e; font-style: italic; text-align: left; }
`;

function phaseCellsHtml(p: SweepPhasePoint | null, reason: string | undefined): string {
  if (!p) return `<td class="none" colspan="5">${escapeHtml(reason ?? 'no point')}</td>`;
  return [
    `<td${p.onFrontier ? ' class="front"' : ''}>${escapeHtml(formatSeconds(p.latency_s))}${p.onFrontier ? ' *' : ''}</td>`,
    `<td>${escapeHtml(sig(p.cost_chip_s_per_token * 1e3))}</td>`,
    `<td>${escapeHtml(formatPercent(p.mfu))}</td>`,
    `<td class="text">${escapeHtml(p.mesh)}</td>`,
    `<td class="text${p.fits ? '' : ' warn'}">${escapeHtml(p.bound + (p.fits ? '' : ', no fit'))}</td>`,
  ].join('');
}

/** `sweep --html`: both Pope-Fig.-1 charts and the table, as one page with no scripts. */
export function renderSweepPage(result: SweepResult, file: string): string {
  const theme = ssrSafeTheme();
  const figure = (phase: 'prefill' | 'decode') =>
    renderOptionToSvg(sweepChartOption([result], phase, theme, [theme.phase[phase]]), CHART_WIDTH, CHART_HEIGHT);
  const head = ['chips', 'batch', 'prefill', 'chip-ms/tok', 'MFU', 'mesh', 'bound', 'decode step', 'chip-ms/tok', 'MFU', 'mesh', 'bound'];
  const rows = result.points.map((pt) => `<tr><td>${pt.chips}</td><td>${pt.batch}</td>${phaseCellsHtml(pt.prefill, pt.reason)}${phaseCellsHtml(pt.decode, pt.reason)}</tr>`);
  const title = `shardlens: sweep of ${result.layout} in ${file}`;
  return selfContainedPage(
    title,
    PAGE_CSS,
    `<h1>Sweep of ${escapeHtml(result.layout)}</h1>
<p class="meta">${escapeHtml(file)} · ${escapeHtml(result.model)} (${escapeHtml(result.weights)} weights) on ${escapeHtml(result.hardware)} · prompt ${result.prompt}, generate ${result.generate} · prefill ${escapeHtml(`${result.blocks.prefill.ffn} + ${result.blocks.prefill.attention}`)}; decode ${escapeHtml(`${result.blocks.decode.ffn} + ${result.blocks.decode.attention}`)}</p>
<p class="meta">Prefill latency is the whole prefill; decode latency is one step (per generated token). Cost in chip-ms per token. Points that do not fit in memory are left out of the charts; * marks the Pareto frontier.</p>
<section id="decode">
<figure>${figure('decode')}</figure>
</section>
<section id="prefill">
<figure>${figure('prefill')}</figure>
</section>
<section id="table">
<h2>Points</h2>
<div class="table-scroller"><table>
<thead><tr>${head.map((h) => `<th>${escapeHtml(h)}</th>`).join('')}</tr></thead>
<tbody>
${rows.join('\n')}
</tbody>
</table></div>
</section>`,
  );
}

export function renderCrossoverSvg(result: CrossoverResult): string {
  const theme = ssrSafeTheme();
  return renderOptionToSvg(crossoverChartOption(result, theme, seriesColors(theme)), CHART_WIDTH, CHART_HEIGHT);
}

// ---------------------------------------------------------------------------------------------
// Running one job (in the worker, or in this thread when there is no bundle to start one from).

function analyzeFile(file: InputFile): Analysis {
  return analyze(sourceFromText(file.text, file.name));
}

function runSweepJob(job: Extract<SearchJob, { command: 'sweep' }>, io: Io, control: RunControl): number {
  const analysis = analyzeFile(job.file);
  const layout = pickLayout(analysis, job.file.name, job.layout, 'sweep');
  const result = sweep(analysis, layout, { batches: job.batches, chips: job.chips, ...control });
  io.out(job.format === 'json' ? renderSweepJson(result) : job.format === 'csv' ? renderSweepCsv(result) : renderSweepText(result));
  if (job.html) {
    writeOut(job.html, renderSweepPage(result, job.file.name));
    io.note(`wrote ${job.html}\n`);
  }
  return fileStatus(analysis, job.file.name, io);
}

function runBestJob(job: Extract<SearchJob, { command: 'best' }>, io: Io, control: RunControl): number {
  const analysis = analyzeFile(job.file);
  const layout = pickLayout(analysis, job.file.name, job.layout, 'best');
  const result = best(analysis, layout, {
    objective: job.objective,
    maxLatency: job.maxLatency,
    top: job.top,
    chips: job.chips,
    batches: job.batches,
    dtypes: job.dtypes,
    ...control,
  });
  io.out(job.json ? renderBestJson(result) : renderBestText(result));
  return fileStatus(analysis, job.file.name, io);
}

function runCalibrateJob(job: Extract<SearchJob, { command: 'calibrate' }>, io: Io, control: RunControl): number {
  const csvName = job.measurements.name;
  const { rows, problems } = parseCalibrationCsv(job.measurements.text);
  // Every bad row is reported, one line each, so one run shows everything to fix.
  if (problems.length) {
    for (const p of problems) io.error(formatProblem(p, csvName));
    return EXIT_USAGE;
  }
  const analysis = analyzeFile(job.file);
  if (!analysis.scope.hardware.has(job.hardware)) {
    const used = [...new Set(analysis.layouts.map((l) => l.mesh.hardware.name))];
    const hint = used.length ? `; the file's layouts run on ${listChoices(used.map((n) => `'${n}'`))}` : '';
    throw usageError(`no hardware '${job.hardware}' in '${job.file.name}' or the built-in hardware${hint}`, 'calibrate');
  }
  // Said once here rather than once per CSV row, which is what the rows' check would do.
  if (!analysis.layouts.some((l) => l.mesh.hardware.name === job.hardware)) {
    const used = [...new Set(analysis.layouts.map((l) => l.mesh.hardware.name))];
    const hint = used.length ? `; they run on ${listChoices(used.map((n) => `'${n}'`))}` : '';
    throw usageError(`no layout in '${job.file.name}' runs on '${job.hardware}'${hint}`, 'calibrate');
  }
  let result;
  try {
    result = calibrate(analysis, rows, { hardware: job.hardware, ...control });
  } catch (e) {
    if (!(e instanceof CalibrationError)) throw e;
    if (e.problems.length) {
      for (const p of e.problems) io.error(formatProblem(p, csvName));
    } else {
      io.error(`${csvName}: ${e.message}`);
    }
    return EXIT_USAGE;
  }
  io.out(job.json ? renderCalibrationJson(result) : renderCalibrationText(result));
  return fileStatus(analysis, job.file.name, io);
}

function runCrossoverJob(job: Extract<SearchJob, { command: 'crossover' }>, io: Io, control: RunControl): number {
  const analysis = analyzeFile(job.file);
  const layout = pickLayout(analysis, job.file.name, job.layout, 'crossover');
  const result = crossover(analysis, layout, control);
  io.out(job.json ? `${JSON.stringify({ version: 1, layout: layout.name, ...result }, null, 2)}\n` : renderCrossoverText(result));
  if (job.svg) {
    if (result.lines.length === 0) {
      io.error(`no chart written: no FFN layout could be costed on the mesh of '${layout.name}'`);
    } else {
      const target = path.join(job.svg, 'crossover.svg');
      writeOut(target, renderCrossoverSvg(result));
      io.note(`wrote ${target}\n`);
    }
  }
  return fileStatus(analysis, job.file.name, io);
}

/** Runs a job to completion on this thread. Throws CliError and SearchCancelled. */
export function executeJob(job: SearchJob, io: Io, control: RunControl): number {
  try {
    switch (job.command) {
      case 'sweep':
        return runSweepJob(job, io, control);
      case 'best':
        return runBestJob(job, io, control);
      case 'calibrate':
        return runCalibrateJob(job, io, control);
      case 'crossover':
        return runCrossoverJob(job, io, control);
    }
  } catch (e) {
    // A search past its size limit is a usage problem: one line that says what to change.
    if (e instanceof SearchTooLarge) throw new CliError(e.message, EXIT_USAGE);
    throw e;
  }
}

// ---------------------------------------------------------------------------------------------
// The worker thread and its protocol.

// What the CLI's search thread posts besides progress, `cancelled` and `internal`: the job's
// output lines as they come, then its exit status or an expected failure.
type WorkerMessage =
  | SearchThreadMessage
  | { t: 'out' | 'note'; text: string }
  | { t: 'error'; message: string }
  | { t: 'done'; exitCode: number }
  | { t: 'fail'; message: string; exitCode: number; hint?: string };

/**
 * The bundle to start the worker from, when this code runs from one (the sources run in-process
 * under vitest have none). SHARDLENS_NO_WORKER=1 runs searches on the main thread, to rule the
 * worker out when debugging.
 */
function bundlePath(): string | undefined {
  return typeof __filename === 'string' && /\.c?js$/.test(__filename) && !process.env.SHARDLENS_NO_WORKER ? __filename : undefined;
}

/** The body of the worker thread: run the job it was given and report back. */
export function runSearchWorker(): void {
  serveSearchJob<SearchJob, WorkerMessage>(
    (job, control, post) => {
      const io: Io = {
        out: (text) => post({ t: 'out', text }),
        error: (message) => post({ t: 'error', message }),
        note: (text) => post({ t: 'note', text }),
        cwd: process.cwd(),
        version: '',
      };
      return { t: 'done', exitCode: executeJob(job, io, control) };
    },
    (e) => (e instanceof CliError ? { t: 'fail', message: e.message, exitCode: e.exitCode, hint: e.hint } : undefined),
  );
}

/** How long a search may take to notice Ctrl-C before its thread is stopped anyway. */
const CANCEL_GRACE_MS = 1500;

/**
 * Runs a job with a progress bar on a terminal's stderr and Ctrl-C cancelling it. Resolves to the
 * exit status; rejects with CliError (expected failures) or Error (bugs), as run() expects.
 */
export function runSearchJob(job: SearchJob, io: Io): Promise<number> {
  const bar = new ProgressBar(job.command, process.stderr);
  const clearing = (f: (text: string) => void) => (text: string) => {
    bar.clear();
    f(text);
  };
  const shown: Io = { ...io, out: clearing(io.out), error: clearing(io.error), note: clearing(io.note) };
  const bundle = bundlePath();
  if (!bundle) {
    // No bundle to start a thread from (the sources run in-process, as in unit tests): run here;
    // Ctrl-C then stops the process the default way.
    try {
      return Promise.resolve(executeJob(job, shown, { onProgress: (d, t) => bar.update(d, t) }));
    } catch (e) {
      return Promise.reject(e);
    } finally {
      bar.clear();
    }
  }

  const cancelled = (run: SearchThreadRun<number>) => {
    if (run.settled) return;
    // Settling clears the bar first; the line goes out before anything awaiting the run resumes.
    run.resolve(EXIT_CANCELLED);
    io.error('cancelled');
  };
  let onSigint: (() => void) | undefined;
  return runInSearchThread<SearchJob, WorkerMessage, number>(bundle, job, {
    argv: [WORKER_ARG],
    graceMs: CANCEL_GRACE_MS,
    started: (run) => {
      onSigint = () => {
        if (run.cancelRequested) {
          // A second Ctrl-C: the user does not want to wait for the search to notice.
          run.terminate();
          cancelled(run);
          return;
        }
        run.requestCancel();
      };
      process.on('SIGINT', onSigint);
    },
    graceExpired: cancelled,
    onSettle: () => {
      bar.clear();
      if (onSigint) process.removeListener('SIGINT', onSigint);
    },
    message: (m, run) => {
      switch (m.t) {
        case 'out':
          shown.out(m.text);
          break;
        case 'note':
          shown.note(m.text);
          break;
        case 'error':
          shown.error(m.message);
          break;
        case 'progress':
          bar.update(m.done, m.total);
          break;
        case 'done':
          // Finished before it noticed a Ctrl-C: the output is complete, so its status stands.
          run.resolve(m.exitCode);
          break;
        case 'cancelled':
          cancelled(run);
          break;
        case 'fail':
          run.reject(new CliError(m.message, m.exitCode, m.hint));
          break;
        case 'internal': {
          const err = new Error(m.message);
          if (m.stack) err.stack = m.stack;
          run.reject(err);
          break;
        }
      }
    },
    error: (e, run) => run.reject(e),
    exit: (code, run) => {
      if (run.cancelRequested) cancelled(run);
      else run.reject(new Error(`the search thread stopped unexpectedly (exit ${code})`));
    },
  });
}
