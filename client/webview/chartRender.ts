// The search chart view's DOM (Show Sweep, Show Crossover), built with createElement and
// textContent only (dom.ts): layout, model and file names are data and never go through innerHTML. Pure
// functions over a root element, so tests run them under happy-dom with hostile strings; the
// charts themselves are drawn by chart.ts into the slots returned here.

import { chartCardTitle, formatBytes, formatSeconds, sig, volumeAt, type ChartIdOf, type Phase, type SweepResult } from '../../server/src/engine/index';
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

/** One sweep's frontier in words, by ascending latency: what the chart's labels say, for screen readers too. */
export function frontierText(r: SweepResult, phase: Phase): string {
  const pts = r.frontier[phase].map((i) => r.points[i]);
  if (pts.length === 0) return 'no point fits in memory';
  return pts.map((pt) => `C${pt.chips} B${pt.batch} (${formatSeconds(pt[phase]!.latency_s)}, ${sig(pt[phase]!.cost_chip_s_per_token * 1e3)} chip-ms/token)`).join(', ');
}

export function renderSweep(root: HTMLElement, message: SweepMessage, actions: ChartViewActions): ChartViewSlot[] {
  const doc = root.ownerDocument;
  const results = message.results;
  root.replaceChildren();
  const blocks = (r: SweepResult, p: Phase) => `${r.blocks[p].ffn} + ${r.blocks[p].attention}`;
  const meta = results.map((r) => `${results.length > 1 ? `${r.layout}: ` : ''}${r.model} (${r.weights} weights) on ${r.hardware} · chips ${r.chips.join(', ')} · batch ${r.batches[0]}–${r.batches[r.batches.length - 1]} · prefill ${blocks(r, 'prefill')}; decode ${blocks(r, 'decode')}`);
  root.append(header(doc, 'Sweep of', results.map((r) => r.layout), message.fileName, meta, actions));
  root.append(el(doc, 'p', 'note', `Each point is one chip count C and batch B, on its fastest mesh that fits; labelled points are on the Pareto frontier (line)${results.length > 1 ? ', one series per layout' : ''}. Points that do not fit in memory are left out. Hover a point for its mesh, MFU and bound.`));
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
  const reasons = [...new Set(results.flatMap((r) => r.points.flatMap((p) => (p.reason ? [`${results.length > 1 ? `${r.layout}: ` : ''}${p.reason}`] : []))))];
  if (reasons.length) {
    const list = el(doc, 'ul', 'reasons');
    for (const reason of reasons) list.append(el(doc, 'li', undefined, reason));
    root.append(el(doc, 'h2', undefined, 'Points left out'), list);
  }
  return slots;
}

export function renderCrossover(root: HTMLElement, message: CrossoverMessage, actions: ChartViewActions): ChartViewSlot[] {
  const doc = root.ownerDocument;
  const r = message.result;
  root.replaceChildren();
  root.append(header(doc, 'FFN crossover for', [message.layout], message.fileName, [
    `${r.model} (${r.ffnKind} FFN) on ${r.hardware} ${r.mesh} · tokens ${r.range.min_tokens.toLocaleString('en-US')}–${r.range.max_tokens.toLocaleString('en-US')}`,
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
