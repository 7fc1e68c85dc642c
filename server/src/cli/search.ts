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

import * as path from 'node:path';
import {
  ALL_DTYPES,
  CalibrationError,
  escapeHtml,
  formatPercent,
  formatProblem,
  formatSeconds,
  PAGE_CSS as CHART_PAGE_CSS,
  parseCalibrationCsv,
  renderBestJson,
  renderBestText,
  renderCalibrationJson,
  renderCalibrationText,
  renderChartsToSvg,
  renderCrossoverText,
  renderSweepCsv,
  renderSweepJson,
  renderSweepText,
  SearchTooLarge,
  createShardService,
  selfContainedPage,
  sig,
  sourceFromText,
  type Analysis,
  type CalibrationRow,
  type CrossoverResult,
  type Dtype,
  type RunControl,
  type SearchJob,
  type SearchOutcome,
  type ShardService,
  type SweepPhasePoint,
  type SweepResult,
} from '../engine/index';
import { readDuration } from '../protocol/durations';
import { runInSearchThread, serveSearchJob, type SearchThreadMessage, type SearchThreadRun } from '../shared/searchThread';
import { listChoices } from './args';
import { formatText } from './diagnosticFormats';
import { CliError, EXIT_FINDINGS, EXIT_OK, EXIT_USAGE, usageError } from './errors';
import type { InputFile } from './input';
import type { Io } from './io';
import { withLayout } from './layouts';
import { writeOut } from './output';
import { ProgressBar } from './progress';

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
// Jobs: a search command as plain data, so it can be sent to the worker thread.

/**
 * What a search command runs: the engine's search job (the one the editor's requests build too),
 * the file it searches and what to print and write.
 */
export interface CliSearchJob {
  file: InputFile;
  search: SearchJob;
  /** text, json, or csv (`sweep` only). */
  format: 'text' | 'json' | 'csv';
  /** `sweep --html`: also write the page here. */
  html?: string;
  /** `crossover --svg`: write the chart into this folder. */
  svg?: string;
  /** `calibrate`: the name of the measurements file, for the messages about its rows. */
  measurements?: string;
}

/**
 * The rows of `calibrate --measurements`, or undefined after reporting every bad row (one line
 * each, so one run shows everything to fix): read before the search starts.
 */
export function readMeasurements(csv: InputFile, io: Io): CalibrationRow[] | undefined {
  const { rows, problems } = parseCalibrationCsv(csv.text);
  for (const p of problems) io.error(formatProblem(p, csv.name));
  return problems.length ? undefined : rows;
}

/** Errors in the file make the run exit 1; they go to stderr so stdout stays the result. */
function fileStatus(analysis: Analysis, file: string, io: Io): number {
  const errors = analysis.diagnostics.filter((d) => d.severity === 'error');
  if (errors.length === 0) return EXIT_OK;
  io.error(`'${file}' has ${errors.length} error${errors.length === 1 ? '' : 's'}; the search used the layouts that resolve`);
  io.note(formatText([{ name: file, diagnostics: errors, lineIndex: analysis.lineIndex }]));
  return EXIT_FINDINGS;
}

// ---------------------------------------------------------------------------------------------
// Charts: the engine's chart registry and SVG renderer (server/src/engine/charts) draw them.

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
  const charts = renderChartsToSvg('sweep', [result]);
  // The charts carry no title of their own: the registry's heading is said once, over each.
  const figure = (phase: 'prefill' | 'decode') => {
    const chart = charts.find((c) => c.id === `sweep-${phase}`)!;
    // Under the heading, as compare's page: what the figures are (roofline or calibrated).
    return `<h2>${escapeHtml(chart.title)}</h2>\n${chart.subtitle ? `<p class="meta basis">${escapeHtml(chart.subtitle)}</p>\n` : ''}<figure>${chart.svg}</figure>`;
  };
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
${figure('decode')}
</section>
<section id="prefill">
${figure('prefill')}
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
  const [chart] = renderChartsToSvg('crossover', result);
  return chart.svg;
}

// ---------------------------------------------------------------------------------------------
// Running one job (in the worker, or in this thread when there is no bundle to start one from).

/** The hardware `calibrate` fits must exist and run some layout: said once, not once per CSV row. */
function checkCalibrationHardware(analysis: Analysis, file: string, hardware: string): void {
  const used = [...new Set(analysis.layouts.map((l) => l.mesh.hardware.name))];
  if (!analysis.scope.hardware.has(hardware)) {
    const hint = used.length ? `; the file's layouts run on ${listChoices(used.map((n) => `'${n}'`))}` : '';
    throw usageError(`no hardware '${hardware}' in '${file}' or the built-in hardware${hint}`, 'calibrate');
  }
  if (!analysis.layouts.some((l) => l.mesh.hardware.name === hardware)) {
    const hint = used.length ? `; they run on ${listChoices(used.map((n) => `'${n}'`))}` : '';
    throw usageError(`no layout in '${file}' runs on '${hardware}'${hint}`, 'calibrate');
  }
}

/** Prints what the search found, and writes the page or chart the command was asked for. */
function printOutcome(outcome: SearchOutcome, job: CliSearchJob, io: Io): void {
  const json = job.format === 'json';
  switch (outcome.kind) {
    case 'sweep': {
      const result = outcome.result;
      io.out(json ? renderSweepJson(result) : job.format === 'csv' ? renderSweepCsv(result) : renderSweepText(result));
      if (job.html) {
        writeOut(job.html, renderSweepPage(result, job.file.name));
        io.note(`wrote ${job.html}\n`);
      }
      return;
    }
    case 'best':
      io.out(json ? renderBestJson(outcome.result) : renderBestText(outcome.result));
      return;
    case 'calibrate':
      io.out(json ? renderCalibrationJson(outcome.result) : renderCalibrationText(outcome.result));
      return;
    case 'crossover': {
      const { layout, result } = outcome;
      io.out(json ? `${JSON.stringify({ version: 1, layout: layout.name, ...result }, null, 2)}\n` : renderCrossoverText(result));
      if (!job.svg) return;
      if (result.lines.length === 0) {
        io.error(`no chart written: no FFN layout could be costed on the mesh of '${layout.name}'`);
      } else {
        const target = path.join(job.svg, 'crossover.svg');
        writeOut(target, renderCrossoverSvg(result));
        io.note(`wrote ${target}\n`);
      }
      return;
    }
  }
}

/** Runs a job to completion on this thread. Throws CliError and SearchCancelled. */
export function executeJob(service: ShardService, job: CliSearchJob, io: Io, control: RunControl): number {
  const { file, search } = job;
  const analysis = service.analyze(sourceFromText(file.text, file.name));
  if (search.kind === 'calibrate') checkCalibrationHardware(analysis, file.name, search.hardware);
  let outcome: SearchOutcome;
  try {
    outcome = withLayout(file.name, search.kind, () => service.search(analysis, search, control));
  } catch (e) {
    // A search past its size limit is a usage problem: one line that says what to change.
    if (e instanceof SearchTooLarge) throw new CliError(e.message, EXIT_USAGE);
    if (!(e instanceof CalibrationError)) throw e;
    const csvName = job.measurements ?? 'measurements';
    if (e.problems.length) {
      for (const p of e.problems) io.error(formatProblem(p, csvName));
    } else {
      io.error(`${csvName}: ${e.message}`);
    }
    return EXIT_USAGE;
  }
  printOutcome(outcome, job, io);
  return fileStatus(analysis, file.name, io);
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
  // The thread runs one job and ends: its service lives as long as that search.
  const service = createShardService();
  serveSearchJob<CliSearchJob, WorkerMessage>(
    (job, control, post) => {
      const io: Io = {
        out: (text) => post({ t: 'out', text }),
        error: (message) => post({ t: 'error', message }),
        note: (text) => post({ t: 'note', text }),
        cwd: process.cwd(),
        version: '',
      };
      return { t: 'done', exitCode: executeJob(service, job, io, control) };
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
export function runSearchCommand(service: ShardService, job: CliSearchJob, io: Io): Promise<number> {
  const bar = new ProgressBar(job.search.kind, process.stderr);
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
      return Promise.resolve(executeJob(service, job, shown, { onProgress: (d, t) => bar.update(d, t) }));
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
  return runInSearchThread<CliSearchJob, WorkerMessage, number>(bundle, job, {
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
