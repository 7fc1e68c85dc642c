// `shardlens compare --html OUT`: one self-contained page (table and charts as inline SVG), with
// no scripts and nothing loaded from elsewhere, so it can be mailed, attached to a CI run or
// opened from disk. Its own CSP says so to the browser as well.

import { escapeHtml } from './escape';
import { renderChartsToSvg } from './svg';
import { compareColumns, compareTableRows } from './table';
import type { ChartBuildOptions, ChartReport } from './types';

/** A diagnostic as `report --json` has it; the page counts every one and lists the errors. */
export interface PageDiagnostic {
  severity: string;
  code?: string;
  message?: string;
  range?: { start: { line: number; character: number } };
}

export interface ComparePageReport extends ChartReport {
  diagnostics?: PageDiagnostic[];
}

/** The stylesheet of the self-contained pages the CLI writes (`compare --html`, `sweep --html`). */
export const PAGE_CSS = `
body { font-family: system-ui, -apple-system, "Segoe UI", sans-serif; color: #1f2328; background: #fff; margin: 24px; }
h1 { font-size: 20px; margin: 0 0 4px; }
h2 { font-size: 15px; margin: 24px 0 8px; }
p.meta { color: #59636e; margin: 0 0 16px; }
.table-scroller { overflow-x: auto; }
table { border-collapse: collapse; font-variant-numeric: tabular-nums; }
th, td { padding: 4px 10px; border-bottom: 1px solid #d1d9e0; text-align: right; white-space: nowrap; }
th:first-child, td:first-child, td.setup { text-align: left; }
th { font-weight: 600; color: #59636e; }
td.warn, ul.errors { color: #cf222e; }
td.warn { font-weight: 600; }
tr.uncosted td { color: #59636e; font-style: italic; }
figure { margin: 0; }
svg { max-width: 100%; height: auto; }
`;

/**
 * A page the CLI writes (`compare --html`, `sweep --html`): no scripts and nothing loaded from
 * elsewhere, which its CSP says to the browser as well. `title` is escaped here; `body` is HTML
 * whose data the caller has escaped.
 */
export function selfContainedPage(title: string, css: string, body: string): string {
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>${css}</style>
</head>
<body>
${body}
</body>
</html>
`;
}

function tableHtml(report: ChartReport, opts: ChartBuildOptions): string {
  const columns = compareColumns(report);
  const head = `<tr><th>layout</th>${columns.map((c) => `<th title="${escapeHtml(c.title)}">${escapeHtml(c.label)}</th>`).join('')}</tr>`;
  const rows = compareTableRows(report, { decodeContext: opts.decodeContext }).map((row) => {
    const cells = columns.map((c) => {
      const classes = [c.key === 'setup' ? 'setup' : '', c.key === 'memory' && !row.fits ? 'warn' : ''].filter(Boolean).join(' ');
      return `<td${classes ? ` class="${classes}"` : ''}>${escapeHtml(row.cells[c.key])}</td>`;
    });
    return `<tr${row.costed ? '' : ' class="uncosted"'}><td>${escapeHtml(row.name)}</td>${cells.join('')}</tr>`;
  });
  return `<div class="table-scroller"><table>\n<thead>${head}</thead>\n<tbody>\n${rows.join('\n')}\n</tbody>\n</table></div>`;
}

function diagnosticSummary(report: ComparePageReport): string {
  const counts = new Map<string, number>();
  for (const d of report.diagnostics ?? []) counts.set(d.severity, (counts.get(d.severity) ?? 0) + 1);
  if (counts.size === 0) return '';
  // "information" has no plural.
  const parts = [...counts].map(([severity, n]) => `${n} ${severity}${n === 1 || severity === 'information' ? '' : 's'}`);
  return ` · diagnostics: ${parts.join(', ')}`;
}

/**
 * The errors the summary counts, each with its line and column (1-based, as `shardlens check`
 * prints them), so that a page saying "2 errors" also says which.
 */
function errorList(report: ComparePageReport): string {
  const errors = (report.diagnostics ?? []).filter((d) => d.severity === 'error');
  if (errors.length === 0) return '';
  const items = errors.map((d) => {
    const where = d.range ? `${d.range.start.line + 1}:${d.range.start.character + 1}: ` : '';
    const code = d.code ? `${d.code}: ` : '';
    return `<li>${escapeHtml(`${where}${code}${d.message ?? ''}`)}</li>`;
  });
  return `<section id="errors">\n<h2>Errors</h2>\n<ul class="errors">\n${items.join('\n')}\n</ul>\n</section>\n`;
}

export function renderComparePage(report: ComparePageReport, opts: ChartBuildOptions = {}): string {
  const charts = renderChartsToSvg('compare', report, opts);
  const costed = report.layouts.filter((l) => l.costed).length;
  const title = `shardlens: compare layouts of ${report.file}`;
  const figures = charts
    .map((c) => `<section id="${escapeHtml(c.id)}">\n<h2>${escapeHtml(c.title)}</h2>\n${c.subtitle ? `<p class="meta">${escapeHtml(c.subtitle)}</p>\n` : ''}<figure>${c.svg}</figure>\n</section>`)
    .join('\n');
  return selfContainedPage(
    title,
    PAGE_CSS,
    `<h1>Compare layouts</h1>
<p class="meta">${escapeHtml(report.file)} · ${report.layouts.length} layout${report.layouts.length === 1 ? '' : 's'}, ${costed} costed${escapeHtml(diagnosticSummary(report))}</p>
${errorList(report)}${tableHtml(report, opts)}
${figures}`,
  );
}
