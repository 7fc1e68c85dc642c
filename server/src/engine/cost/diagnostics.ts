// The cost findings of language.md §3: out-of-memory (error), comm-bound and memory-bound
// (information), better-layout (hint). Each fires at most once per (layout, phase) and lands on
// the layout's name.

import type { Phase, ResolvedLayout } from '../check/resolved';
import { PHASES } from '../check/resolved';
import type { Diagnostic, QuickFix } from '../diagnostics';
import type { Field, RecordValue } from '../syntax/ast';
import { formatBytes, formatPercent, formatSeconds, sig } from '../report/format';
import { costLayout } from './layout';
import type { BlockPair, Variant } from './variants';
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

/**
 * The better-layout search's answers by configuration. What the search finds for a phase depends
 * only on the layout's configuration (the variants keep everything but that phase's blocks) and on
 * the analysis whose resolver builds the variants, so one memo serves one analysis: a file of many
 * identical layouts (a sweep) is searched once per distinct configuration, and each layout still
 * gets its own hint, on its own name, with its own quick fix.
 */
export class BetterLayoutMemo {
  private readonly found = new Map<string, Better | null>();

  /** `configurationOf` names everything a layout's cost depends on (costCache.ts `configurationKey`). */
  constructor(private readonly configurationOf: (layout: ResolvedLayout) => string) {}

  /** The answer for the layout's configuration in `phase`, searching only the first time it is asked. */
  better(layout: ResolvedLayout, phase: Phase, search: () => Better | undefined): Better | undefined {
    const key = `${phase} ${this.configurationOf(layout)}`;
    let answer = this.found.get(key);
    if (answer === undefined) {
      answer = search() ?? null;
      this.found.set(key, answer);
    }
    return answer ?? undefined;
  }
}

/**
 * The cost findings of one layout. `variants` are the built-in alternatives of each phase for the
 * better-layout search (none: no search); with a `memo`, a configuration searched before is not
 * searched again (its variants are not even resolved).
 */
export function costDiagnostics(
  layout: ResolvedLayout,
  cost: LayoutCost,
  variants: (phase: Phase) => Variant[] = () => [],
  costOf: (l: ResolvedLayout) => LayoutCost = costLayout,
  memo?: BetterLayoutMemo,
): Diagnostic[] {
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
    const search = () => bestVariant(phase, p, variants(phase), costOf);
    const better = memo ? memo.better(layout, phase, search) : search();
    if (better) out.push(betterLayoutHint(layout, phase, p, better, at));
  }
  return out;
}

/** What the search found for a phase: the fastest built-in pair that fits, and by how much it wins. */
export interface Better extends BlockPair {
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
    if (!best || t < best.latency) best = { ffn: v.ffn, attention: v.attention, latency: t, factor: now / t };
  }
  return best && best.factor >= BETTER_LAYOUT_FACTOR ? best : undefined;
}

function betterLayoutHint(layout: ResolvedLayout, phase: Phase, p: PhaseCost, b: Better, at: Omit<Diagnostic, 'code' | 'severity' | 'message'>): Diagnostic {
  const title = builtinFfnTitle(b.ffn) ?? b.ffn;
  const unit = phase === 'prefill' ? '' : ' per step';
  const d: Diagnostic = {
    ...at, phase, code: 'better-layout', severity: 'hint',
    message: `${title} (${b.ffn} + ${b.attention}) would cut ${phase} latency ${sig(b.factor, 2)}× (${formatSeconds(phaseLatency(p))} → ${formatSeconds(b.latency)}${unit})`,
  };
  const fix = quickFix(layout, phase, b);
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
function quickFix(layout: ResolvedLayout, phase: Phase, v: BlockPair): QuickFix | undefined {
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
  // The closing brace's line: only blanks before it on that line, or more of the layout. (Read
  // backwards from the brace: a test of the whole text before it would make a file of many
  // layouts quadratic.)
  const lineStart = text.lastIndexOf('\n', close - 1) + 1;
  const needsNewline = lineStart === 0 || !/^[ \t]*$/.test(text.slice(lineStart, close));
  const newText = `${needsNewline ? '\n' : ''}${indent}${phase} { ffn = ${v.ffn}, attention = ${v.attention} }\n`;
  const insertAt = needsNewline ? close : lineStart;
  return { title, edits: [{ span: { start: insertAt, end: insertAt }, newText }], preferred: true };
}
