// The webview's DOM, built with createElement and textContent only (dom.ts): layout names, file
// names and messages are data and never go through innerHTML. Pure functions over a root element
// so that tests can run them under happy-dom with hostile strings.

import { chartCardTitle, chartIdsFor, compareBasisNote, compareColumns, compareTableRows } from '../../server/src/engine/index';
import type { ExportableChartId, ChartFormat, ReportMessage, StatusMessage } from '../../server/src/protocol/compareView';
import { button, chartCard, el, statusLine } from './dom';

export interface ViewActions {
  reveal(name: string): void;
  chooseLayouts(): void;
  exportChart(chart: ExportableChartId, format: ChartFormat): void;
}

export interface ChartSlot {
  id: ExportableChartId;
  title: string;
  /** The element ECharts draws into. */
  container: HTMLElement;
  /** Where export results are shown. */
  note: HTMLElement;
}

/** A loading or error line in place of the report. */
export function renderStatus(root: HTMLElement, message: StatusMessage): void {
  statusLine(root, message.state).textContent = message.text;
  // Keep the last report visible while a new one loads; replace nothing on error either, so a
  // syntax error mid-edit does not blank the view.
}

function header(doc: Document, message: ReportMessage, actions: ViewActions): HTMLElement {
  const head = el(doc, 'header', 'head');
  head.append(el(doc, 'h1', undefined, `Compare layouts · ${message.fileName}`));
  const summary = [`${message.shown.length} of ${message.total} layout${message.total === 1 ? '' : 's'}`];
  if (message.errorCount > 0) summary.push(`${message.errorCount} error${message.errorCount === 1 ? '' : 's'} in the file: figures cover what could be costed`);
  summary.push(message.decodeContext === 'last' ? 'decode at the last step' : 'decode at the mean context');
  head.append(el(doc, 'p', message.errorCount > 0 ? 'summary has-errors' : 'summary', summary.join(' · ')));
  head.append(button(doc, 'Choose layouts…', 'secondary', () => actions.chooseLayouts(), 'Pick which layouts to compare'));
  return head;
}

function table(doc: Document, message: ReportMessage, actions: ViewActions): HTMLTableElement {
  const t = el(doc, 'table', 'compare');
  const headRow = el(doc, 'tr');
  headRow.append(el(doc, 'th', undefined, 'layout'));
  const columns = compareColumns(message.report);
  for (const c of columns) {
    const th = el(doc, 'th', undefined, c.label);
    th.title = c.title;
    headRow.append(th);
  }
  t.append(el(doc, 'thead'));
  t.tHead!.append(headRow);
  const body = el(doc, 'tbody');
  for (const row of compareTableRows(message.report, { decodeContext: message.decodeContext })) {
    const tr = el(doc, 'tr', row.costed ? undefined : 'uncosted');
    if (row.name === message.focus) tr.classList.add('focus');
    tr.dataset.layout = row.name;
    const nameCell = el(doc, 'td', 'name');
    nameCell.append(button(doc, row.name, 'link', () => actions.reveal(row.name), `Show ${row.name} in the editor`));
    tr.append(nameCell);
    for (const c of columns) {
      const td = el(doc, 'td', c.key, row.cells[c.key]);
      if (c.key === 'memory' && !row.fits) td.classList.add('warn');
      tr.append(td);
    }
    body.append(tr);
  }
  t.append(body);
  return t;
}

/** A chart's card with its export buttons and the note where export results show. */
function exportableChartCard(doc: Document, id: ExportableChartId, actions: ViewActions): { card: HTMLElement; slot: ChartSlot } {
  const title = chartCardTitle(id);
  const { card, bar, container } = chartCard(doc, id, title);
  const note = el(doc, 'span', 'note');
  bar.append(note);
  bar.append(button(doc, 'SVG', 'secondary small', () => actions.exportChart(id, 'svg'), 'Save this chart as SVG'));
  bar.append(button(doc, 'PNG', 'secondary small', () => actions.exportChart(id, 'png'), 'Save this chart as PNG'));
  return { card, slot: { id, title, container, note } };
}

/**
 * Replaces the view with the report: header, table and one card per chart. Returns the chart
 * slots for the caller to draw into (ECharts in the webview, nothing in DOM tests).
 */
export function renderReport(root: HTMLElement, message: ReportMessage, actions: ViewActions): ChartSlot[] {
  const doc = root.ownerDocument;
  root.replaceChildren();
  root.append(header(doc, message, actions));
  const costed = message.report.layouts.some((l) => l.costed);
  // The table scrolls sideways on its own in a narrow panel instead of widening the page.
  const tableScroller = el(doc, 'div', 'table-scroller');
  tableScroller.append(table(doc, message, actions));
  root.append(tableScroller);
  root.append(el(doc, 'p', 'scroll-hint', 'Scroll the table sideways for more columns →'));
  if (!costed) {
    root.append(el(doc, 'p', 'empty', message.shown.length === 0 ? 'This file declares no layout yet.' : 'No layout could be costed: see the Problems panel.'));
    return [];
  }
  // What the charts' figures are (roofline from nominal hardware, or calibrated), as compare --html says under each heading.
  const basis = compareBasisNote(message.report);
  if (basis) root.append(el(doc, 'p', 'basis-note', basis));
  const slots: ChartSlot[] = [];
  const charts = el(doc, 'div', 'charts');
  // Charts that apply to this report: the transfer and measured charts only where a layout has those figures.
  for (const id of chartIdsFor('compare', message.report)) {
    const { card, slot } = exportableChartCard(doc, id, actions);
    charts.append(card);
    slots.push(slot);
  }
  root.append(charts);
  return slots;
}

/**
 * Marks the table's scroller when its columns run past the panel (a narrow panel beside the
 * editor): the CSS then shows the hint under it and a shadow at the edge that has more. Called
 * after each render and when the panel resizes.
 */
export function markTableOverflow(root: HTMLElement): void {
  const scroller = root.querySelector<HTMLElement>('.table-scroller');
  if (!scroller) return;
  const more = scroller.scrollWidth > scroller.clientWidth + 1;
  scroller.classList.toggle('overflowing', more);
  scroller.classList.toggle('at-end', scroller.scrollLeft + scroller.clientWidth >= scroller.scrollWidth - 1);
}
