// Plain-text tables and CSV fields for the search renderers: columns padded to their widest
// cell, numbers right-aligned, so the CLI output lines up in a terminal and diffs cleanly.

export interface Column {
  header: string;
  align?: 'left' | 'right';
}

export function textTable(columns: readonly Column[], rows: readonly string[][]): string {
  const widths = columns.map((c, i) => Math.max(c.header.length, ...rows.map((r) => (r[i] ?? '').length)));
  const cell = (s: string, i: number) => (columns[i].align === 'left' ? s.padEnd(widths[i]) : s.padStart(widths[i]));
  const lines = [columns.map((c, i) => cell(c.header, i)).join('  '), widths.map((w) => '-'.repeat(w)).join('  ')];
  for (const r of rows) lines.push(columns.map((_, i) => cell(r[i] ?? '', i)).join('  '));
  return lines.map((l) => l.trimEnd()).join('\n');
}

/** One CSV field (RFC 4180): quoted when it holds a comma, quote or line break. */
export function csvField(v: string | number | boolean | null | undefined): string {
  if (v === null || v === undefined) return '';
  const s = typeof v === 'number' ? (Number.isFinite(v) ? String(v) : '') : String(v);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function csvLine(values: readonly (string | number | boolean | null | undefined)[]): string {
  return values.map(csvField).join(',');
}
