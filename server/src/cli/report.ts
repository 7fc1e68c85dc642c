// `shardlens report | compare | explain`: analyze one file, cost its layouts and print what the
// engine's renderers make of them. The figures and their layout come from server/src/engine/report
// and server/src/engine/charts, shared with the editor; this file only picks layouts, writes files
// and decides the exit status (cli.md: 0, 1 when the file has errors, 2 usage).

import { mkdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { analyze, sourceFromText, type Analysis } from '../engine/index';
import { buildReport, costAnalysis, explainLayout, renderCompare, renderExplain, renderReport, type ReportJson } from '../engine/report/index';
import { renderChartsToSvg, renderComparePage } from '../engine/charts/index';
import { CliError, EXIT_FINDINGS, EXIT_OK, EXIT_USAGE, usageError } from './errors';
import { readInput, type InputFile } from './input';
import { formatText } from './diagnosticFormats';
import { listChoices } from './args';
import type { Io } from './io';

interface Loaded {
  input: InputFile;
  analysis: Analysis;
}

async function load(file: string): Promise<Loaded> {
  const input = await readInput(file);
  return { input, analysis: analyze(sourceFromText(input.text, input.name)) };
}

function layoutNames(a: Analysis): string[] {
  return [...a.layouts.map((l) => l.name), ...a.uncostable.map((u) => u.name)];
}

/** A `--layout` that names nothing is a usage mistake; say which layouts there are. */
function checkLayouts(loaded: Loaded, wanted: readonly string[], command: string): void {
  const known = new Set(layoutNames(loaded.analysis));
  for (const name of wanted) {
    if (known.has(name)) continue;
    const list = [...known];
    const have = list.length ? `its layouts are ${listChoices(list.map((n) => `'${n}'`))}` : 'it has no layouts';
    throw usageError(`no layout '${name}' in '${loaded.input.name}'; ${have}`, command);
  }
}

/** Errors in the file make the run exit 1; they are listed on stderr so stdout stays the report. */
function statusOf(loaded: Loaded, report: ReportJson, io: Io): number {
  const errors = report.diagnostics.filter((d) => d.severity === 'error').length;
  if (errors === 0) return EXIT_OK;
  const errorDiags = loaded.analysis.diagnostics.filter((d) => d.severity === 'error');
  io.error(`'${loaded.input.name}' has ${errors} error${errors === 1 ? '' : 's'}; the figures cover what could be costed`);
  io.note(formatText([{ name: loaded.input.name, diagnostics: errorDiags, lineIndex: loaded.analysis.lineIndex }]));
  return EXIT_FINDINGS;
}

export async function runReport(file: string, layouts: readonly string[], json: boolean, io: Io): Promise<number> {
  const loaded = await load(file);
  checkLayouts(loaded, layouts, 'report');
  const report = buildReport(loaded.analysis, { layouts: [...layouts], file: loaded.input.name });
  io.out(json ? JSON.stringify(report, null, 2) + '\n' : renderReport(report));
  // In JSON mode the diagnostics are in the object; stderr stays quiet for scripts.
  if (json) return report.diagnostics.some((d) => d.severity === 'error') ? EXIT_FINDINGS : EXIT_OK;
  return statusOf(loaded, report, io);
}

function writeOut(target: string, text: string): void {
  try {
    mkdirSync(path.dirname(path.resolve(target)), { recursive: true });
    writeFileSync(target, text);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const reason = code === 'EACCES' || code === 'EPERM' ? 'permission denied' : code === 'EISDIR' ? 'is a directory' : code === 'ENOTDIR' ? 'a parent is not a directory' : (code ?? (e as Error).message).toString().toLowerCase();
    throw new CliError(`cannot write '${target}': ${reason}`, EXIT_USAGE);
  }
}

export interface CompareOptions {
  layouts: readonly string[];
  html?: string;
  svg?: string;
}

export async function runCompare(file: string, opts: CompareOptions, io: Io): Promise<number> {
  const loaded = await load(file);
  checkLayouts(loaded, opts.layouts, 'compare');
  const report = buildReport(loaded.analysis, { layouts: [...opts.layouts], file: loaded.input.name });
  io.out(renderCompare(report));
  if (opts.html) {
    writeOut(opts.html, renderComparePage(report));
    io.note(`wrote ${opts.html}\n`);
  }
  if (opts.svg) {
    const charts = renderChartsToSvg(report);
    for (const c of charts) writeOut(path.join(opts.svg, c.fileName), c.svg);
    io.note(`wrote ${charts.length} chart${charts.length === 1 ? '' : 's'} to ${opts.svg}\n`);
  }
  return statusOf(loaded, report, io);
}

const OP_PATTERN = /^(ffn|attention|unembed|layer)\.[a-z_][a-z0-9_]*$/;

export interface ExplainOptions {
  layout: string;
  phase?: 'prefill' | 'decode';
  op?: string;
}

export async function runExplain(file: string, opts: ExplainOptions, io: Io): Promise<number> {
  if (opts.op !== undefined && !OP_PATTERN.test(opts.op)) {
    throw usageError(`--op must be ROLE.VALUE with ROLE ffn, attention, unembed or layer (e.g. ffn.a), not '${opts.op}'`, 'explain');
  }
  const loaded = await load(file);
  checkLayouts(loaded, [opts.layout], 'explain');
  const { costed, uncostable } = costAnalysis(loaded.analysis, [opts.layout]);
  if (costed.length === 0) {
    const reason = uncostable[0]?.reason;
    throw new CliError(`layout '${opts.layout}' cannot be costed${reason ? `: ${reason}` : ''}`, EXIT_FINDINGS);
  }
  const ex = explainLayout(costed[0].cost, { phase: opts.phase, op: opts.op });
  if (ex.notFound) {
    const where = opts.phase ? ` in ${opts.phase}` : '';
    throw usageError(`layout '${opts.layout}' has no op '${ex.notFound.op}'${where}; its ops are ${ex.notFound.available.join(', ')}`, 'explain');
  }
  io.out(renderExplain(ex));
  return loaded.analysis.diagnostics.some((d) => d.severity === 'error') ? EXIT_FINDINGS : EXIT_OK;
}
