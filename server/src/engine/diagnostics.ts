// Diagnostics as the engine reports them: offset spans into one source, a stable code, and
// optional related locations and quick-fix data. Front ends (LSP, CLI) convert spans to positions.

import type { SourceFile, Span } from './syntax/ast';
import type { DiagnosticCode } from './diagnosticCodes';

export type Severity = 'error' | 'warning' | 'information' | 'hint';

/** The stable codes of spec/language.md §3 plus this project's extras: one table, diagnosticCodes.ts. */
export type { DiagnosticCode } from './diagnosticCodes';

export interface RelatedInfo {
  source: SourceFile;
  span: Span;
  message: string;
}

/** A machine-readable edit suggestion carried on a diagnostic; the LSP turns it into a code action. */
export interface QuickFix {
  title: string;
  edits: { span: Span; newText: string }[];
  /** The preferred fix for the diagnostic (shown first, applied by "auto fix"). */
  preferred?: boolean;
}

export interface Diagnostic {
  code: DiagnosticCode;
  severity: Severity;
  message: string;
  source: SourceFile;
  span: Span;
  related?: RelatedInfo[];
  fixes?: QuickFix[];
  /** Layout-dependent diagnostics name the layout and, where it matters, the phase. */
  layout?: string;
  phase?: 'prefill' | 'decode';
  /** Tags: an unnecessary (faded) span or a deprecated construct. */
  tags?: ('unnecessary' | 'deprecated')[];
}

const SEVERITY_ORDER: Record<Severity, number> = { error: 0, warning: 1, information: 2, hint: 3 };

/** Sort by position then code, and drop repeats of the same code on the same token (spec §3). */
export function normalizeDiagnostics(list: Diagnostic[]): Diagnostic[] {
  const out: Diagnostic[] = [];
  const sorted = [...list].sort(
    (a, b) =>
      a.span.start - b.span.start ||
      (a.code < b.code ? -1 : a.code > b.code ? 1 : 0) ||
      SEVERITY_ORDER[a.severity] - SEVERITY_ORDER[b.severity] ||
      a.span.end - b.span.end,
  );
  // Sorted by start, so a repeat of a kept diagnostic is among the last kept ones with the same
  // start: compare with those instead of building a key string per diagnostic (a large file
  // has thousands).
  let groupStart = 0;
  // A large group (many layouts reporting on one token) switches to keys, to stay linear.
  let groupKeys: Set<string> | undefined;
  const keyOf = (d: Diagnostic) => `${d.source.uri}|${d.span.end}|${d.code}|${d.message}`;
  for (const d of sorted) {
    if (out.length && out[out.length - 1].span.start !== d.span.start) {
      groupStart = out.length;
      groupKeys = undefined;
    }
    let repeat = false;
    if (groupKeys) repeat = groupKeys.has(keyOf(d));
    else {
      for (let i = groupStart; i < out.length && !repeat; i++) {
        const k = out[i];
        repeat = k.span.end === d.span.end && k.code === d.code && k.message === d.message && k.source.uri === d.source.uri;
      }
      if (out.length - groupStart > 16) groupKeys = new Set(out.slice(groupStart).map(keyOf));
    }
    if (repeat) continue;
    out.push(d);
    groupKeys?.add(keyOf(d));
  }
  return out;
}
