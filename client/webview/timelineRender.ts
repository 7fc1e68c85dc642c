// The Step Timeline view's DOM, built with createElement and textContent only (dom.ts): layout
// and op names are data and never go through innerHTML. Pure functions over a root element, so
// tests run them under happy-dom; the charts are drawn by timeline.ts into the slots returned.
// The critical path is also listed in words, with each op's time (the chart's colours say it too).

import { chartCardTitle, formatSeconds, type Phase } from '../../server/src/engine/index';
import type { TimelineMessage, TimelineStatusMessage } from '../../server/src/protocol/timelineView';
import { button, chartCard, el, statusLine } from './dom';

export interface TimelineViewActions {
  chooseLayout(): void;
  choosePhase(phase: Phase): void;
}

export interface TimelineViewSlot {
  id: 'timeline' | 'timeline-step';
  container: HTMLElement;
}

export function renderTimelineStatus(root: HTMLElement, message: TimelineStatusMessage): void {
  const status = statusLine(root, message.state);
  status.textContent = message.text;
}

export function renderTimeline(root: HTMLElement, message: TimelineMessage, actions: TimelineViewActions): TimelineViewSlot[] {
  const doc = root.ownerDocument;
  const t = message.timeline;
  root.replaceChildren();
  const head = el(doc, 'header', 'head');
  const h1 = el(doc, 'h1', undefined, 'Step timeline of ');
  h1.append(button(doc, t.layout, 'link chooser layout-chooser', () => actions.chooseLayout(), 'Choose another layout of this file'), doc.createTextNode(` · ${message.fileName}`));
  head.append(h1);
  const phases = el(doc, 'div', 'phases');
  phases.setAttribute('role', 'group');
  phases.setAttribute('aria-label', 'Phase');
  for (const phase of ['prefill', 'decode'] as const) {
    const b = button(doc, phase, phase === t.phase ? 'phase' : 'phase secondary', () => actions.choosePhase(phase), `The ${phase} phase`);
    b.setAttribute('aria-pressed', String(phase === t.phase));
    phases.append(b);
  }
  head.append(phases);
  const summary = el(doc, 'div', 'summary');
  summary.append(
    el(doc, 'p', undefined, `${t.passNote} · ffn ${t.ffn}${t.attention ? ` + attention ${t.attention}` : ''} · overlap ${t.overlap}`),
    el(doc, 'p', 'totals', `one layer ${formatSeconds(t.layer.time_s)} · whole ${t.phase === 'decode' ? 'step' : 'pass'} ${formatSeconds(t.step.time_s)} (${t.step.layers} layers)`),
  );
  head.append(summary);
  root.append(head);

  const charts = el(doc, 'div', 'charts');
  const slots: TimelineViewSlot[] = [];
  for (const id of ['timeline', 'timeline-step'] as const) {
    const { card, container } = chartCard(doc, id, chartCardTitle(id));
    charts.append(card);
    slots.push({ id, container });
  }
  root.append(charts);

  const byId = new Map(t.layer.bars.map((b) => [b.id, b]));
  const list = el(doc, 'ol', 'critical-path');
  for (const id of t.layer.criticalPath) {
    const bar = byId.get(id);
    if (bar) list.append(el(doc, 'li', undefined, `${bar.key} (${bar.op}${bar.axes ? ` over ${bar.axes}` : ''}): ${formatSeconds(bar.time_s)}, ${bar.bound}`));
  }
  root.append(el(doc, 'h2', undefined, 'Critical path of one layer'), list);
  return slots;
}
