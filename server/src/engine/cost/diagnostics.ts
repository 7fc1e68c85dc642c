// The cost findings of language.md §3: out-of-memory (error), comm-bound and memory-bound
// (information), better-layout (hint). Each fires at most once per (layout, phase) and lands on
// the layout's name.

import type { Phase, ResolvedLayout } from '../check/resolved';
import { PHASES } from '../check/resolved';
import type { Diagnostic, QuickFix } from '../diagnostics';
import type { Field, RecordValue } from '../syntax/ast';
import { formatBytes, formatPercent, formatSeconds, sig } from '../report/format';
import { costLayout } from './layout';
import type { Variant } from './variants';
import { builtinFfnTitle } from '../prelude/builtins';
import type { LayoutCost, PhaseCost } from './types';

/** A `better-layout` hint needs the alternative to be at least this much faster. */
export const BETTER_LAYOUT_FACTOR = 1.2;
/** `comm-bound` fires when collectives set more than this share of a phase's latency. */
export const COMM_BOUND_SHARE = 0.5;

/** The latency a phase is judged by: the whole prefill, or one decode step. */
export function phaseLatency(p: PhaseCost): number {
  return p.phase === 'prefill' ? p.latency.value : p.pass.latency.value;
}

function what(p: PhaseCost): string {
  return p.phase === 'prefill' ? 'the prefill' : 'each decode step';
}

export function costDiagnostics(layout: ResolvedLayout, cost: LayoutCost, variants: (phase: Phase) => Variant[] = () => [], costOf: (l: ResolvedLayout) => LayoutCost = costLayout): Diagnostic[] {
  const out: Diagnostic[] = [];
  const at = { source: layout.decl.source, span: { start: layout.decl.name.start, end: layout.decl.name.end }, layout: layout.name };
  const mem = cost.memory;
  if (!mem.fits) {
    const phase: Phase = mem.total.decode.value >= mem.total.prefill.value ? 'decode' : 'prefill';
    const act = mem.activations[phase];
    out.push({
      ...at, phase, code: 'out-of-memory', severity: 'error',
      message: `layout '${layout.name}' does not fit in memory (${phase}): weights ${formatBytes(mem.weights.value)} + KV ${formatBytes(mem.kv.value)} + activations ${formatBytes(act)} = ${formatBytes(mem.total[phase].value)} > ${formatBytes(mem.hbm)} HBM per chip`,
    });
  }
  for (const phase of PHASES) {
    const p = cost[phase];
    const latency = p.pass.latency.value;
    if (latency <= 0) continue;
    const comm = p.pass.totals.byBound.comm;
    if (comm / latency > COMM_BOUND_SHARE) {
      out.push({
        ...at, phase, code: 'comm-bound', severity: 'information',
        message: `'${layout.name}' is communication-bound in ${phase}: collectives take ${formatPercent(comm / latency)} of ${what(p)} (${formatSeconds(comm)} of ${formatSeconds(latency)})`,
      });
    }
    if (p.pass.bound === 'memory') {
      out.push({
        ...at, phase, code: 'memory-bound', severity: 'information',
        message: `'${layout.name}' is memory-bound in ${phase}: HBM traffic (weights, KV cache, activations) sets ${formatPercent(p.pass.totals.byBound.memory / latency)} of ${what(p)} (${formatSeconds(p.pass.totals.byBound.memory)} of ${formatSeconds(latency)})`,
      });
    }
    const better = bestVariant(phase, p, variants(phase), costOf);
    if (better) out.push(betterLayoutHint(layout, phase, p, better, at));
  }
  return out;
}

interface Better {
  variant: Variant;
  latency: number;
  factor: number;
}

function bestVariant(phase: Phase, current: PhaseCost, variants: Variant[], costOf: (l: ResolvedLayout) => LayoutCost): Better | undefined {
  const now = phaseLatency(current);
  let best: Better | undefined;
  for (const v of variants) {
    const c = costOf(v.layout);
    // An alternative that does not fit is no alternative.
    if (!c.memory.fits) continue;
    const t = phaseLatency(c[phase]);
    if (!(t > 0)) continue;
    if (!best || t < best.latency) best = { variant: v, latency: t, factor: now / t };
  }
  return best && best.factor >= BETTER_LAYOUT_FACTOR ? best : undefined;
}

function betterLayoutHint(layout: ResolvedLayout, phase: Phase, p: PhaseCost, b: Better, at: Omit<Diagnostic, 'code' | 'severity' | 'message'>): Diagnostic {
  const title = builtinFfnTitle(b.variant.ffn) ?? b.variant.ffn;
  const unit = phase === 'prefill' ? '' : ' per step';
  const d: Diagnostic = {
    ...at, phase, code: 'better-layout', severity: 'hint',
    message: `${title} (${b.variant.ffn} + ${b.variant.attention}) would cut ${phase} latency ${sig(b.factor, 2)}× (${formatSeconds(phaseLatency(p))} → ${formatSeconds(b.latency)}${unit})`,
  };
  const fix = quickFix(layout, phase, b.variant);
  if (fix) d.fixes = [fix];
  return d;
}

function fieldNamed(fields: readonly Field[], name: string): Field | undefined {
  return fields.find((f) => f.name.text === name);
}

/**
 * The edit that switches the phase to the better pair: rewrite the phase's own `ffn`/`attention`
 * when it has them; otherwise add a `prefill { … }` / `decode { … }` override, so the other
 * phase keeps its blocks.
 */
function quickFix(layout: ResolvedLayout, phase: Phase, v: Variant): QuickFix | undefined {
  const decl = layout.decl;
  if (!decl?.fields || decl.source?.isPrelude) return undefined;
  const title = `Use ${v.ffn} + ${v.attention} for ${phase}`;
  const phaseField = fieldNamed(decl.fields, phase);
  if (phaseField && phaseField.value.kind === 'record') {
    const rec = phaseField.value as RecordValue;
    const edits: QuickFix['edits'] = [];
    const missing: string[] = [];
    for (const [name, text] of [['ffn', v.ffn], ['attention', v.attention]] as const) {
      const f = fieldNamed(rec.fields, name);
      if (f) edits.push({ span: { start: f.value.start, end: f.value.end }, newText: text });
      else missing.push(`${name} = ${text}`);
    }
    if (missing.length) {
      const close = rec.end - 1;
      edits.push({ span: { start: close, end: close }, newText: `${rec.fields.length ? ', ' : ' '}${missing.join(', ')} ` });
    }
    return { title, edits, preferred: true };
  }
  if (!decl.body) return undefined;
  const close = decl.body.end - 1;
  const text = decl.source.text;
  // Put the override on its own line, indented like the layout's first field.
  const first = decl.fields[0];
  let indent = '  ';
  if (first) {
    const lineStart = text.lastIndexOf('\n', first.start - 1) + 1;
    const lead = text.slice(lineStart, first.start);
    if (/^[ \t]*$/.test(lead)) indent = lead;
  }
  const before = text.slice(0, close);
  const needsNewline = !/\n[ \t]*$/.test(before);
  const newText = `${needsNewline ? '\n' : ''}${indent}${phase} { ffn = ${v.ffn}, attention = ${v.attention} }\n`;
  const lineStart = before.lastIndexOf('\n') + 1;
  const insertAt = needsNewline ? close : lineStart;
  return { title, edits: [{ span: { start: insertAt, end: insertAt }, newText }], preferred: true };
}
