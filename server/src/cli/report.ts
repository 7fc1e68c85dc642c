// `shardlens report | compare | explain`: analyze one file, cost its layouts and print what the
// engine's renderers make of them. The figures and their layout come from server/src/engine/report
// and server/src/engine/charts, shared with the editor; this file only picks layouts, writes files
// and decides the exit status (cli.md: 0, 1 when the file has errors, 2 usage).

import * as path from 'node:path';
import { renderChartsToSvg, renderCompare, renderComparePage, renderExplain, renderReport, sourceFromText, writeReportJson, type Analysis, type ReportJson, type ShardService } from '../engine/index';
import { EXIT_FINDINGS, EXIT_OK, usageError } from './errors';
import { readInput, type InputFile } from './input';
import { formatText } from './diagnosticFormats';
import { checkLayoutNames, withLayout } from './layouts';
import { writeOut } from './output';
import type { Io } from './io';

export interface Loaded {
  input: InputFile;
  analysis: Analysis;
}

/** Reads `file` and analyses it; `wanted` layouts (`--layout`) must be among its layouts. */
export async function load(service: ShardService, file: string, wanted: readonly string[], command: string): Promise<Loaded> {
  const input = await readInput(file);
  const analysis = service.analyze(sourceFromText(input.text, input.name));
  checkLayoutNames(analysis, wanted, input.name, command);
  return { input, analysis };
}

/**
 * Errors in the file make the run exit 1; they are listed on stderr, after a line saying what the
 * output still covers (`covered`), so stdout stays the report and every exit 1 says why.
 */
export function statusOf(loaded: Loaded, report: ReportJson | undefined, io: Io, covered = 'the figures cover what could be costed'): number {
  const errorDiags = loaded.analysis.diagnostics.filter((d) => d.severity === 'error');
  const errors = report ? report.diagnostics.filter((d) => d.severity === 'error').length : errorDiags.length;
  if (errors === 0) return EXIT_OK;
  io.error(`'${loaded.input.name}' has ${errors} error${errors === 1 ? '' : 's'}; ${covered}`);
  io.note(formatText([{ name: loaded.input.name, diagnostics: errorDiags, lineIndex: loaded.analysis.lineIndex }]));
  return EXIT_FINDINGS;
}

export async function runReport(service: ShardService, file: string, layouts: readonly string[], json: boolean, io: Io): Promise<number> {
  const loaded = await load(service, file, layouts, 'report');
  const report = service.report(loaded.analysis, { layouts: [...layouts], file: loaded.input.name });
  if (json) writeJson(report, io);
  else io.out(renderReport(report));
  // In JSON mode the diagnostics are in the object; stderr stays quiet for scripts.
  if (json) return report.diagnostics.some((d) => d.severity === 'error') ? EXIT_FINDINGS : EXIT_OK;
  return statusOf(loaded, report, io);
}

/** Encoded pieces of the JSON go out together once they add up to this many bytes. */
const JSON_WRITE_BYTES = 1 << 20;

/** UTF-8 takes at most 3 bytes for one UTF-16 unit of a string. */
const MAX_UTF8_PER_UNIT = 3;

/**
 * The report's JSON on standard output, a megabyte at a time (hundreds of megabytes in small
 * writes cost more than the copying). Each piece is encoded straight into the megabyte's buffer;
 * a piece written again (a configuration's figures, once per layout that has it: most of a sweep
 * file's report) is encoded to UTF-8 once and copied. When the output is a file the buffer is
 * filled again once written, so a report of any size allocates one.
 */
function writeJson(report: ReportJson, io: Io): void {
  const outBytes = io.outBytes;
  if (!outBytes) return writeReportJson(report, (text) => io.out(text));
  const encoded = new Map<string, Uint8Array>();
  let buffer = Buffer.allocUnsafe(JSON_WRITE_BYTES);
  let used = 0;
  const flush = () => {
    if (!used) return;
    const done = outBytes(buffer.subarray(0, used));
    // Bytes still queued (a pipe) must stay as they are: the next megabyte gets a buffer of its own.
    if (done !== true) buffer = Buffer.allocUnsafe(JSON_WRITE_BYTES);
    used = 0;
  };
  writeReportJson(report, (text, again) => {
    if (again) {
      let bytes = encoded.get(text);
      if (!bytes) encoded.set(text, (bytes = Buffer.from(text)));
      if (used + bytes.length > buffer.length) flush();
      if (bytes.length > buffer.length) outBytes(bytes);
      else {
        buffer.set(bytes, used);
        used += bytes.length;
      }
      return;
    }
    if (used + text.length * MAX_UTF8_PER_UNIT > buffer.length) {
      flush();
      if (text.length * MAX_UTF8_PER_UNIT > buffer.length) {
        outBytes(Buffer.from(text));
        return;
      }
    }
    used += buffer.write(text, used);
  });
  flush();
}

export interface CompareOptions {
  layouts: readonly string[];
  /** The report --json object instead of the table (its kv_transfer, all_to_all_s, measured are the extra columns). */
  json?: boolean;
  html?: string;
  svg?: string;
}

export async function runCompare(service: ShardService, file: string, opts: CompareOptions, io: Io): Promise<number> {
  const loaded = await load(service, file, opts.layouts, 'compare');
  const report = service.report(loaded.analysis, { layouts: [...opts.layouts], file: loaded.input.name });
  if (opts.json) writeJson(report, io);
  else io.out(renderCompare(report));
  if (opts.html) {
    writeOut(opts.html, renderComparePage(report));
    io.note(`wrote ${opts.html}\n`);
  }
  if (opts.svg) {
    const charts = renderChartsToSvg('compare', report);
    for (const c of charts) writeOut(path.join(opts.svg, c.fileName), c.svg);
    io.note(`wrote ${charts.length} chart${charts.length === 1 ? '' : 's'} to ${opts.svg}\n`);
  }
  // As `report --json`: the diagnostics are in the object and stderr stays quiet for scripts.
  if (opts.json) return report.diagnostics.some((d) => d.severity === 'error') ? EXIT_FINDINGS : EXIT_OK;
  return statusOf(loaded, report, io);
}

const OP_PATTERN = /^(ffn|attention|unembed|layer)\.[a-z_][a-z0-9_]*$/;

export interface ExplainOptions {
  layout: string;
  phase?: 'prefill' | 'decode';
  op?: string;
}

export async function runExplain(service: ShardService, file: string, opts: ExplainOptions, io: Io): Promise<number> {
  if (opts.op !== undefined && !OP_PATTERN.test(opts.op)) {
    throw usageError(`--op must be ROLE.VALUE with ROLE ffn, attention, unembed or layer (e.g. ffn.a), not '${opts.op}'`, 'explain');
  }
  const loaded = await load(service, file, [opts.layout], 'explain');
  const ex = withLayout(loaded.input.name, 'explain', () => service.explain(loaded.analysis, opts.layout, { phase: opts.phase, op: opts.op }));
  if (ex.notFound) {
    const where = opts.phase ? ` in ${opts.phase}` : '';
    throw usageError(`layout '${opts.layout}' has no op '${ex.notFound.op}'${where}; its ops are ${ex.notFound.available.join(', ')}`, 'explain');
  }
  io.out(renderExplain(ex));
  return statusOf(loaded, undefined, io, `layout '${opts.layout}' is explained all the same`);
}
