// The calibration CSV (cli.md): a header, then `layout,phase,batch,prompt,generate,seconds` and
// optionally `chips`, in any order; extra columns are ignored. Every problem names its row (the
// data row number and the file line) and column, so a bad measurement is easy to find.

import type { Phase } from '../../check/resolved';

export interface CalibrationRow {
  /** 1-based line in the file. */
  line: number;
  layout: string;
  phase: Phase;
  batch: number;
  prompt: number;
  generate: number;
  /** Measured prefill time, or decode step time. */
  seconds: number;
  /** Re-factor the layout's mesh to this many chips (as sweep does). */
  chips?: number;
}

export interface CsvProblem {
  line: number;
  column?: string;
  message: string;
}

export const REQUIRED_COLUMNS = ['layout', 'phase', 'batch', 'prompt', 'generate', 'seconds'] as const;

/** Splits one CSV line into fields (RFC 4180 quotes; no line breaks inside fields). */
export function splitCsvLine(line: string): string[] {
  const out: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i];
    if (quoted) {
      if (ch === '"' && line[i + 1] === '"') { field += '"'; i++; }
      else if (ch === '"') quoted = false;
      else field += ch;
    } else if (ch === '"' && field.trim() === '') { quoted = true; field = ''; }
    else if (ch === ',') { out.push(field.trim()); field = ''; }
    else field += ch;
  }
  out.push(field.trim());
  return out;
}

export function parseCalibrationCsv(text: string): { rows: CalibrationRow[]; problems: CsvProblem[] } {
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  const problems: CsvProblem[] = [];
  const rows: CalibrationRow[] = [];
  const headerIndex = lines.findIndex((l) => l.trim() !== '' && !l.trim().startsWith('#'));
  if (headerIndex < 0) return { rows, problems: [{ line: 1, message: `the file is empty; it needs a header (${REQUIRED_COLUMNS.join(',')}) and one row per measurement` }] };
  const header = splitCsvLine(lines[headerIndex]).map((h) => h.toLowerCase());
  const missing = REQUIRED_COLUMNS.filter((c) => !header.includes(c));
  if (missing.length) {
    return { rows, problems: [{ line: headerIndex + 1, message: `the header lacks ${missing.map((m) => `\`${m}\``).join(', ')}; it needs ${REQUIRED_COLUMNS.join(',')} (and optionally chips)` }] };
  }
  const col = (name: string) => header.indexOf(name);
  let dataRow = 0;
  for (let i = headerIndex + 1; i < lines.length; i++) {
    const raw = lines[i];
    if (raw.trim() === '' || raw.trim().startsWith('#')) continue;
    dataRow++;
    const line = i + 1;
    const fields = splitCsvLine(raw);
    const where = (c: string) => `row ${dataRow} (line ${line}), column \`${c}\``;
    const rowProblems: CsvProblem[] = [];
    const get = (c: string) => (col(c) >= 0 ? fields[col(c)] ?? '' : '');
    const count = (c: string, optional = false): number | undefined => {
      const s = get(c);
      if (s === '' && optional) return undefined;
      const v = Number(s);
      if (s === '' || !Number.isInteger(v) || v < 1) {
        const what = s === '' ? 'is empty; it needs a positive whole number' : `\`${s}\` is not a positive whole number`;
        rowProblems.push({ line, column: c, message: `${where(c)}: ${what}` });
        return undefined;
      }
      return v;
    };
    const layout = get('layout');
    if (!layout) rowProblems.push({ line, column: 'layout', message: `${where('layout')}: is empty; it names a layout of the file` });
    const phase = get('phase').toLowerCase();
    if (phase !== 'prefill' && phase !== 'decode') rowProblems.push({ line, column: 'phase', message: `${where('phase')}: \`${get('phase')}\` is not \`prefill\` or \`decode\`` });
    const batch = count('batch');
    const prompt = count('prompt');
    const generate = count('generate');
    const chips = col('chips') >= 0 ? count('chips', true) : undefined;
    const secondsText = get('seconds');
    const seconds = Number(secondsText);
    if (secondsText === '' || !Number.isFinite(seconds) || seconds <= 0) {
      const what = secondsText === '' ? 'is empty; it needs a positive time in seconds' : `\`${secondsText}\` is not a positive time in seconds`;
      rowProblems.push({ line, column: 'seconds', message: `${where('seconds')}: ${what}` });
    }
    if (rowProblems.length) {
      problems.push(...rowProblems);
      continue;
    }
    const row: CalibrationRow = { line, layout, phase: phase as Phase, batch: batch!, prompt: prompt!, generate: generate!, seconds };
    if (chips !== undefined) row.chips = chips;
    rows.push(row);
  }
  return { rows, problems };
}

export function formatProblem(p: CsvProblem, file = 'measurements'): string {
  return `${file}:${p.line}: ${p.message}`;
}
