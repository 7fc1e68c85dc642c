// The cost findings of language.md §3: out-of-memory (error), comm-bound and memory-bound
// (information), better-layout (hint). Each fires at most once per (layout, phase) and lands on
// the layout's name.

import type { Phase, ResolvedLayout } from '../check/resolved';
import { PHASES } from '../check/resolved';
import type { Diagnostic, QuickFix, Severity } from '../diagnostics';
import type { Field, RecordValue } from '../syntax/ast';
import { formatBytes, formatPercent, formatSeconds, sig } from '../report/format';
import { costPhasePass } from './layout';
import { costMemory } from './memory';
import { isDisaggregated } from './transfer';
import { configurationKey, phasePassKey } from '../configuration';
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
 * A cost finding of a configuration, before it is put on a layout: everything but the layout's
 * name (which its message takes), where it lands and its quick fix.
 */
interface Finding {
  code: 'out-of-memory' | 'comm-bound' | 'memory-bound' | 'better-layout';
  severity: Severity;
  phase: Phase;
  message: (layoutName: string) => string;
  /** `better-layout`: the pair its quick fix switches the phase to. */
  pair?: BlockPair;
}

/** What the search found for a phase: the fastest built-in pair that fits, and by how much it wins. */
interface Better extends BlockPair {
  latency: number;
  factor: number;
}

/** An alternative in one phase: its latency there, and whether it fits (asked only of a contender). */
interface Alternative {
  latency: number;
  fits(): boolean;
}

/**
 * The cost findings of configurations, and the alternatives their better-layout searches costed.
 * A configuration's findings depend only on the configuration (configuration.ts: its cost, and
 * the alternatives, which keep everything but one phase's blocks) and on the resolver that builds
 * the alternatives, so one memo serves one analysis: a file of many identical layouts (a sweep)
 * is costed, searched and its messages formatted once per distinct configuration, and each
 * layout still gets its own findings, on its own name, with its own quick fix.
 */
export class CostFindingsMemo {
  /** Findings with the better-layout search, by configuration. */
  private readonly findings = new Map<string, Finding[]>();
  /** The latency and activations of alternatives' passes, by phase and what the pass depends on. */
  private readonly passes: Record<Phase, Map<string, { latency: number; activationBytes: number }>> = { prefill: new Map(), decode: new Map() };
  /** Whether alternatives fit, by configuration. */
  private readonly fitting = new Map<string, boolean>();

  /**
   * True when no alternative in `phase` can fit, known without resolving or costing any: an
   * alternative keeps the other phase, whose activations (and, changing the prefill, the decode
   * KV cache) it holds whatever the phase's blocks, and memory only adds non-negative terms to
   * them (`weights + kv + activations`, cost/memory.ts). A file whose workloads are past HBM (a
   * sweep of batch sizes) is searched this way in microseconds a layout.
   */
  noneCanFit(layout: ResolvedLayout, phase: Phase, base: LayoutCost): boolean {
    // Per-phase meshes (each pool on its own hardware and HBM) and pipelines (memory per stage)
    // hold their memory their own way: searched in full, never ruled out here.
    if (isDisaggregated(layout) || layout.prefill.pipeline || layout.decode.pipeline) return false;
    const hbm = layout.mesh.hardware.hbm;
    if (phase === 'decode') return base.prefill.pass.activationBytes > hbm;
    // The decode cache as `alternative`'s costMemory finds it: the base's, whose decode block,
    // workload and mesh the prefill alternatives keep.
    return base.memory.kv.value + base.decode.pass.activationBytes > hbm;
  }

  /** The findings of the layout's configuration, worked out the first time it is asked for. */
  findingsOf(layout: ResolvedLayout, find: () => Finding[]): Finding[] {
    const key = configurationKey(layout);
    let found = this.findings.get(key);
    if (!found) this.findings.set(key, (found = find()));
    return found;
  }

  /**
   * Records the layout's own passes, costed already: the alternative with its own pair in a phase
   * (what the pass depends on the same, phasePassKey) is not costed again.
   */
  ownPasses(layout: ResolvedLayout, cost: LayoutCost): void {
    for (const phase of PHASES) {
      const key = phasePassKey(layout, phase);
      if (!this.passes[phase].has(key)) this.passes[phase].set(key, { latency: phaseLatency(cost[phase]), activationBytes: cost[phase].pass.activationBytes });
    }
  }

  /**
   * `variant`, a layout costing `base` with other blocks in `phase` only, as the search compares
   * it. Only that phase's pass is costed (and only once for every alternative that shares it): the
   * other phase has the base's blocks, workload, model and mesh, so its activations are the
   * base's, and memory is what costLayout would find. Memory is costed only when asked (`fits`):
   * the search asks it of contenders alone, fastest first.
   */
  alternative(variant: ResolvedLayout, phase: Phase, base: LayoutCost): Alternative {
    const other: Phase = phase === 'prefill' ? 'decode' : 'prefill';
    const otherActivations = base[other].pass.activationBytes;
    const passKey = phasePassKey(variant, phase);
    let pass = this.passes[phase].get(passKey);
    if (!pass) {
      const p = costPhasePass(variant, phase);
      // The latency the phase is judged by (phaseLatency): the prefill's, or one decode step's.
      pass = { latency: p.latency.value, activationBytes: p.activationBytes };
      this.passes[phase].set(passKey, pass);
    }
    const activations = phase === 'prefill' ? { prefill: pass.activationBytes, decode: otherActivations } : { prefill: otherActivations, decode: pass.activationBytes };
    return {
      latency: pass.latency,
      fits: () => {
        const configuration = configurationKey(variant);
        let fits = this.fitting.get(configuration);
        if (fits === undefined) this.fitting.set(configuration, (fits = costMemory(variant, activations).fits));
        return fits;
      },
    };
  }
}

/**
 * The cost findings of one layout. With `variants` (the built-in alternatives of each phase) they
 * include the better-layout search's, through `memo`: the layouts of one analysis share one, so
 * that each configuration is searched once (its alternatives are not even resolved again).
 */
export function costDiagnostics(layout: ResolvedLayout, cost: LayoutCost, variants?: (phase: Phase) => Variant[], memo = new CostFindingsMemo()): Diagnostic[] {
  const findings = variants
    ? memo.findingsOf(layout, () => {
      memo.ownPasses(layout, cost);
      return configurationFindings(cost, (phase) => (memo.noneCanFit(layout, phase, cost) ? undefined : bestVariant(cost[phase], variants(phase), (v) => memo.alternative(v, phase, cost))));
    })
    : configurationFindings(cost, () => undefined);
  const out: Diagnostic[] = [];
  for (const f of findings) {
    const d: Diagnostic = { source: layout.decl.source, span: { start: layout.decl.name.start, end: layout.decl.name.end }, layout: layout.name, phase: f.phase, code: f.code, severity: f.severity, message: f.message(layout.name) };
    const fix = f.pair && quickFix(layout, f.phase, f.pair);
    if (fix) d.fixes = [fix];
    out.push(d);
  }
  return out;
}

/** The findings of a configuration costing `cost`; `better` is its better-layout search. */
function configurationFindings(cost: LayoutCost, better: (phase: Phase) => Better | undefined): Finding[] {
  const out: Finding[] = [];
  const mem = cost.memory;
  if (!mem.fits) {
    const phase: Phase = mem.total.decode.value >= mem.total.prefill.value ? 'decode' : 'prefill';
    const act = mem.activations[phase];
    // The KV cache counted in both phases is decode's, at its longest (cost/memory.ts): in
    // prefill the message says so, or the figure reads as the prompt's cache.
    const kv = phase === 'prefill' ? 'decode KV cache (at T = prompt + generate, held from the prefill on)' : 'KV cache';
    const rest = `' does not fit in memory (${phase}): weights ${formatBytes(mem.weights.value)} + ${kv} ${formatBytes(mem.kv.value)} + activations ${formatBytes(act)} = ${formatBytes(mem.total[phase].value)} > ${formatBytes(mem.hbm)} HBM per chip`;
    out.push({ phase, code: 'out-of-memory', severity: 'error', message: (name) => `layout '${name}${rest}` });
  }
  for (const phase of PHASES) {
    const p = cost[phase];
    const latency = p.pass.latency.value;
    if (latency <= 0) continue;
    const comm = p.pass.totals.byBound.comm;
    if (comm / latency > COMM_BOUND_SHARE) {
      const rest = `' is communication-bound in ${phase}: collectives take ${formatPercent(comm / latency)} of ${what(p)} (${formatSeconds(comm)} of ${formatSeconds(latency)})`;
      out.push({ phase, code: 'comm-bound', severity: 'information', message: (name) => `'${name}${rest}` });
    }
    if (p.pass.bound === 'memory') {
      const rest = `' is memory-bound in ${phase}: HBM traffic (weights, KV cache, activations) sets ${formatPercent(p.pass.totals.byBound.memory / latency)} of ${what(p)} (${formatSeconds(p.pass.totals.byBound.memory)} of ${formatSeconds(latency)})`;
      out.push({ phase, code: 'memory-bound', severity: 'information', message: (name) => `'${name}${rest}` });
    }
    const b = better(phase);
    if (b) {
      const title = builtinFfnTitle(b.ffn) ?? b.ffn;
      const unit = phase === 'prefill' ? '' : ' per step';
      const message = `${title} (${b.ffn} + ${b.attention}) would cut ${phase} latency ${sig(b.factor, 2)}× (${formatSeconds(phaseLatency(p))} → ${formatSeconds(b.latency)}${unit})`;
      out.push({ phase, code: 'better-layout', severity: 'hint', message: () => message, pair: { ffn: b.ffn, attention: b.attention } });
    }
  }
  return out;
}

function bestVariant(current: PhaseCost, variants: Variant[], alternativeOf: (l: ResolvedLayout) => Alternative): Better | undefined {
  const now = phaseLatency(current);
  // The fastest alternative that fits (the first of equals, in the variants' order). Fastest
  // first, so that memory is costed only until one fits. An alternative not BETTER_LAYOUT_FACTOR×
  // faster is no contender: were it the fastest that fits there would be no hint, and any faster
  // one that fits wins over it; so its memory is never costed.
  const candidates: { variant: Variant; alternative: Alternative }[] = [];
  for (const variant of variants) {
    const alternative = alternativeOf(variant.layout);
    if (alternative.latency > 0 && now / alternative.latency >= BETTER_LAYOUT_FACTOR) candidates.push({ variant, alternative });
  }
  candidates.sort((a, b) => a.alternative.latency - b.alternative.latency); // stable: equals keep their order
  // An alternative that does not fit is no alternative.
  const found = candidates.find((c) => c.alternative.fits());
  if (!found) return undefined;
  // Every candidate is BETTER_LAYOUT_FACTOR× faster already (above).
  const t = found.alternative.latency;
  return { ffn: found.variant.ffn, attention: found.variant.attention, latency: t, factor: now / t };
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
