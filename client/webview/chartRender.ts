// The search chart view's DOM (Show Sweep, Show Crossover), built with createElement and
// textContent only (dom.ts): layout, model and file names are data and never go through innerHTML. Pure
// functions over a root element, so tests run them under happy-dom with hostile strings; the
// charts themselves are drawn by chart.ts into the slots returned here.

import { chartCardTitle, crossoverFfnText, sweepBasisNote, formatBytes, layoutTokensText, formatSeconds, sig, volumeAt, type ChartIdOf, type Phase, type SweepResult } from '../../server/src/engine/index';
import type { ChartStatusMessage, CrossoverMessage, SweepMessage } from '../../server/src/protocol/chartView';
import { button, chartCard, el, statusLine } from './dom';

export interface ChartViewActions {
  rerun(): void;
  reveal(name: string): void;
}

export type ChartSlotId = ChartIdOf<'sweep' | 'crossover'>;

export interface ChartViewSlot {
  id: ChartSlotId;
  /** The element ECharts draws into. */
  container: HTMLElement;
}

/** A loading or error line above whatever is shown (the last chart stays while a search runs). */
export function renderChartStatus(root: HTMLElement, message: ChartStatusMessage, actions: ChartViewActions): void {
  const doc = root.ownerDocument;
  const status = statusLine(root, message.state);
  status.replaceChildren(doc.createTextNode(message.text));
  // An error with nothing on screen still needs a way to try again.
  if (message.state === 'error') status.append(' ', button(doc, 'Run again', 'secondary small', () => actions.rerun(), 'Search again'));
}

function header(doc: Document, title: string, layouts: string[], fileName: string, meta: string[], actions: ChartViewActions): HTMLElement {
  const head = el(doc, 'header', 'head');
  const h1 = el(doc, 'h1', undefined, `${title} `);
  layouts.forEach((layout, i) => {
    if (i > 0) h1.append(doc.createTextNode(', '));
    h1.append(button(doc, layout, 'link', () => actions.reveal(layout), `Show ${layout} in the editor`));
  });
  h1.append(doc.createTextNode(` · ${fileName}`));
  head.append(h1);
  const summary = el(doc, 'div', 'summary');
  for (const line of meta) summary.append(el(doc, 'p', undefined, line));
  head.append(summary);
  head.append(button(doc, 'Run again', 'secondary', () => actions.rerun(), 'Search again with the file as it is now'));
  return head;
}

function card(doc: Document, id: ChartSlotId): { card: HTMLElement; slot: ChartViewSlot } {
  const { card: section, container } = chartCard(doc, id, chartCardTitle(id));
  return { card: section, slot: { id, container } };
}

/**
 * One sweep's frontier in words, by ascending latency: what the chart's labels say, for screen
 * readers too. Neighbours of one chip count with the same figures (a phase that keeps its own
 * batch) are one entry, as the chart draws them once.
 */
export function frontierText(r: SweepResult, phase: Phase): string {
  const runs: { chips: number; batches: number[]; p: NonNullable<SweepResult['points'][number]['decode']> }[] = [];
  for (const i of r.frontier[phase]) {
    const pt = r.points[i];
    const p = pt[phase]!;
    const last = runs[runs.length - 1];
    if (last && last.chips === pt.chips && last.p.latency_s === p.latency_s && last.p.cost_chip_s_per_token === p.cost_chip_s_per_token) last.batches.push(p.batch);
    else runs.push({ chips: pt.chips, batches: [p.batch], p });
  }
  if (runs.length === 0) return 'no point fits in memory';
  const batch = (bs: number[]) => (Math.min(...bs) === Math.max(...bs) ? `B${bs[0]}` : `B${Math.min(...bs)}–${Math.max(...bs)}`);
  return runs.map((g) => `C${g.chips} ${batch(g.batches)} (${formatSeconds(g.p.latency_s)}, ${sig(g.p.cost_chip_s_per_token * 1e3)} chip-ms/token)`).join(', ');
}

/** Why a phase of a point is not on the chart: `—` no mesh splits it, `no fit` over HBM; '' drawn. */
function leftOut(pt: SweepResult['points'][number], phase: Phase): '' | '—' | 'no fit' {
  const p = pt[phase];
  return !p ? '—' : p.fits ? '' : 'no fit';
}

/**
 * The points a sweep leaves out of its charts as one compact grid per layout (chip counts down,
 * batches across; each cell says which phase is out and why, its tooltip the whole reason), not
 * a line per point. Undefined when every point is drawn.
 */
export function leftOutGrid(doc: Document, r: SweepResult, named: boolean): HTMLElement | undefined {
  if (r.points.every((pt) => !leftOut(pt, 'prefill') && !leftOut(pt, 'decode'))) return undefined;
  const table = el(doc, 'table', 'left-out');
  if (named) table.append(el(doc, 'caption', undefined, r.layout));
  const head = el(doc, 'tr');
  head.append(el(doc, 'th', undefined, 'chips \\ batch'));
  for (const b of r.batches) head.append(el(doc, 'th', undefined, String(b)));
  table.append(el(doc, 'thead'));
  table.tHead!.append(head);
  const body = el(doc, 'tbody');
  for (const chips of r.chips) {
    const row = el(doc, 'tr');
    row.append(el(doc, 'th', undefined, String(chips)));
    for (const b of r.batches) {
      const pt = r.points.find((q) => q.chips === chips && q.batch === b);
      const out = pt ? { prefill: leftOut(pt, 'prefill'), decode: leftOut(pt, 'decode') } : { prefill: '—', decode: '—' };
      const text = out.prefill && out.prefill === out.decode ? out.prefill : [out.prefill && `p ${out.prefill}`, out.decode && `d ${out.decode}`].filter(Boolean).join(', ');
      const cell = el(doc, 'td', text ? 'out' : 'in', text || '✓');
      const why = [pt?.reason, out.prefill === 'no fit' ? 'prefill does not fit in memory' : '', out.decode === 'no fit' ? 'decode does not fit in memory' : ''].filter(Boolean).join('; ');
      cell.title = why || 'both phases drawn';
      row.append(cell);
    }
    body.append(row);
  }
  table.append(body);
  return table;
}

export function renderSweep(root: HTMLElement, message: SweepMessage, actions: ChartViewActions): ChartViewSlot[] {
  const doc = root.ownerDocument;
  const results = message.results;
  root.replaceChildren();
  const blocks = (r: SweepResult, p: Phase) => `${r.blocks[p].ffn} + ${r.blocks[p].attention}`;
  const meta = results.map((r) => `${results.length > 1 ? `${r.layout}: ` : ''}${r.model} (${r.weights} weights) on ${r.hardware} · chips ${r.chips.join(', ')} · batch ${r.batches[0]}–${r.batches[r.batches.length - 1]} · prefill ${blocks(r, 'prefill')}; decode ${blocks(r, 'decode')}`);
  root.append(header(doc, 'Sweep of', results.map((r) => r.layout), message.fileName, meta, actions));
  root.append(el(doc, 'p', 'note', `Each point is one chip count C and batch B, on its fastest mesh that fits; labelled points are on the Pareto frontier (line)${results.length > 1 ? ', one series per layout' : ''}. Points that do not fit in memory are left out. Hover a point for its mesh, MFU and bound.`));
  // What the figures are (roofline or calibrated), as Compare says it over its charts.
  const basis = sweepBasisNote(results);
  if (basis) root.append(el(doc, 'p', 'basis-note', basis));
  const plotted = results.some((r) => r.points.some((p) => (p.decode?.fits ?? false) || (p.prefill?.fits ?? false)));
  if (!plotted) {
    root.append(el(doc, 'p', 'empty', 'No point of this sweep fits in memory: try more chips or a narrower weight dtype.'));
    return [];
  }
  const charts = el(doc, 'div', 'charts');
  const slots: ChartViewSlot[] = [];
  for (const [id, phase] of [['sweep-decode', 'decode'], ['sweep-prefill', 'prefill']] as const) {
    const c = card(doc, id);
    for (const r of results) c.card.append(el(doc, 'p', 'frontier', `Frontier${results.length > 1 ? ` of ${r.layout}` : ''}: ${frontierText(r, phase)}`));
    charts.append(c.card);
    slots.push(c.slot);
  }
  root.append(charts);
  const grids = results.flatMap((r) => leftOutGrid(doc, r, results.length > 1) ?? []);
  if (grids.length) {
    root.append(
      el(doc, 'h2', undefined, 'Points left out'),
      el(doc, 'p', 'note', 'Chip counts down, batches across. p = prefill, d = decode; — no mesh of that many chips splits the batch (a dim is smaller than its shards); no fit = over HBM. Hover a cell for the reason.'),
      ...grids,
    );
  }
  return slots;
}

export function renderCrossover(root: HTMLElement, message: CrossoverMessage, actions: ChartViewActions): ChartViewSlot[] {
  const doc = root.ownerDocument;
  const r = message.result;
  root.replaceChildren();
  root.append(header(doc, 'FFN crossover for', [message.layout], message.fileName, [
    `${r.model} on ${r.hardware} ${r.mesh} · drawn with a ${crossoverFfnText(r)} · tokens ${r.range.min_tokens.toLocaleString('en-US')}–${r.range.max_tokens.toLocaleString('en-US')}`,
    `${message.layout} itself (dotted): ${layoutTokensText(r)}`,
  ], actions));
  root.append(el(doc, 'p', 'note', 'Per-chip communication volume of one FFN layer against tokens per batch (B·L), one line per built-in FFN layout; the dashed line is the smallest volume, its switch points marked.'));
  if (r.lines.length === 0) {
    root.append(el(doc, 'p', 'empty', 'No FFN layout could be costed on this mesh.'));
    return [];
  }
  const c = card(doc, 'crossover');
  const root2 = el(doc, 'div', 'charts');
  root2.append(c.card);
  root.append(root2);
  const byName = new Map(r.lines.map((l) => [l.ffn, l]));
  const list = el(doc, 'ul', 'switches');
  if (r.switchPoints.length === 0) list.append(el(doc, 'li', undefined, `${r.envelope[0]?.ffn ?? 'one layout'} moves the least over the whole range.`));
  for (const s of r.switchPoints) {
    const to = byName.get(s.to);
    list.append(el(doc, 'li', undefined, `${s.from} → ${s.to} at ${s.tokens.toLocaleString('en-US')} tokens${to ? ` (${formatBytes(volumeAt(to, s.tokens))} per chip)` : ''}`));
  }
  c.card.append(el(doc, 'h2', undefined, 'Switch points'), list);
  if (r.skipped.length) {
    const skipped = el(doc, 'ul', 'reasons');
    for (const s of r.skipped) skipped.append(el(doc, 'li', undefined, s.reason));
    root.append(el(doc, 'h2', undefined, 'Layouts left out'), skipped);
  }
  return [c.slot];
}
