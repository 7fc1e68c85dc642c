// Conversions between the engine's offset spans and LSP positions, ranges and diagnostics.

import { DiagnosticSeverity, DiagnosticTag, type Diagnostic as LspDiagnostic, type Position, type Range } from 'vscode-languageserver/node';
import { LineIndex, type Analysis, type Diagnostic, type FeatureSettings, type Severity, type SourceFile, type Span } from '../engine/index';

/** The offset of an LSP position, or undefined for a position that is not in the document. */
export function offsetOf(analysis: Analysis, position: Position | undefined): number | undefined {
  if (!position || !Number.isInteger(position.line) || !Number.isInteger(position.character)) return undefined;
  if (position.line < 0 || position.character < 0 || position.line >= analysis.lineIndex.lineCount) return undefined;
  // Past the end of a line is clamped to it, as the protocol asks.
  return analysis.lineIndex.offsetAt(position);
}

export function rangeOf(analysis: Analysis, span: Span): Range {
  return analysis.lineIndex.rangeOf(span);
}

// Line indexes of other sources (the prelude, other open files), built once per source text.
const lineIndexes = new WeakMap<SourceFile, LineIndex>();

/** The range of a span in any source; the analysis, when it is that source's, lends its index. */
export function rangeIn(source: SourceFile, span: Span, analysis?: Analysis): Range {
  if (analysis && source === analysis.source) return analysis.lineIndex.rangeOf(span);
  let index = lineIndexes.get(source);
  if (!index) {
    index = new LineIndex(source.text);
    lineIndexes.set(source, index);
  }
  return index.rangeOf(span);
}

const SEVERITY: Record<Severity, DiagnosticSeverity> = {
  error: DiagnosticSeverity.Error,
  warning: DiagnosticSeverity.Warning,
  information: DiagnosticSeverity.Information,
  hint: DiagnosticSeverity.Hint,
};

/** Data carried on each published diagnostic, so code actions can find the engine's one again. */
export interface DiagnosticData {
  layout?: string;
  phase?: string;
}

/** The notes `shardlens.diagnostics.boundNotes` publishes; the layout's hover and lens carry them otherwise. */
const BOUND_NOTES: readonly string[] = ['memory-bound', 'comm-bound'];

/**
 * The LSP diagnostics of an engine list. `hintSeverity` re-grades the engine's hints (the
 * `better-layout` suggestions): some users want them louder, some not at all. The bound notes
 * are left out unless `boundNotes` asks for them, so Problems leads with what a user can act on.
 */
export function toLspDiagnostics(analysis: Analysis, list: readonly Diagnostic[], settings: Pick<FeatureSettings, 'hintSeverity' | 'boundNotes'>): LspDiagnostic[] {
  const { hintSeverity, boundNotes } = settings;
  const out: LspDiagnostic[] = [];
  for (const d of list) {
    if (!boundNotes && BOUND_NOTES.includes(d.code)) continue;
    let severity = SEVERITY[d.severity];
    if (d.severity === 'hint') {
      if (hintSeverity === 'off') continue;
      severity = SEVERITY[hintSeverity];
    }
    const lsp: LspDiagnostic = { range: rangeOf(analysis, d.span), severity, code: d.code, source: 'shardlens', message: d.message };
    if (d.related?.length) {
      lsp.relatedInformation = d.related.map((r) => ({ location: { uri: r.source.uri, range: rangeIn(r.source, r.span, analysis) }, message: r.message }));
    }
    if (d.tags?.length) lsp.tags = d.tags.map((t) => (t === 'unnecessary' ? DiagnosticTag.Unnecessary : DiagnosticTag.Deprecated));
    if (d.layout || d.phase) lsp.data = { layout: d.layout, phase: d.phase } satisfies DiagnosticData;
    out.push(lsp);
  }
  return out;
}
