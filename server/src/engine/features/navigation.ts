// Go to definition, find references, document highlight and rename. All four start from the
// same question — which declaration does the name under the cursor stand for — and then collect
// every span that resolves to it from `analysis.refs`.

import type { Analysis } from '../analysis';
import type { SymbolKind } from '../check/checker';
import type { SourceFile, Span } from '../syntax/ast';
import { isBlockDecl } from '../syntax/ast';
import { locate } from './locate';
import { sameSpan } from './declarations';

/** A declaration (or block value) that a name stands for. */
export interface SymbolTarget {
  source: SourceFile;
  /** The defining name. */
  span: Span;
  kind: SymbolKind;
  name: string;
}

export interface SpanIn {
  source: SourceFile;
  span: Span;
}

export function targetAt(analysis: Analysis, offset: number): SymbolTarget | undefined {
  const at = locate(analysis, offset);
  if (!at) return undefined;
  const text = (source: SourceFile, span: Span) => source.text.slice(span.start, span.end);
  switch (at.kind) {
    case 'ref':
      return { ...at.ref.target, kind: at.ref.kind, name: text(at.ref.source, at.ref.span) };
    case 'declName':
      return { source: at.decl.source, span: at.decl.name, kind: isBlockDecl(at.decl) ? 'block' : at.decl.kind, name: at.decl.name.text };
    case 'valueDef':
      return { source: at.block.source, span: at.name, kind: 'value', name: at.name.text };
    default:
      return undefined;
  }
}

export function definitionAt(analysis: Analysis, offset: number): SpanIn | undefined {
  const t = targetAt(analysis, offset);
  return t ? { source: t.source, span: t.span } : undefined;
}

/** Every use of the target in this file, and its declaration when asked for (and in this file). */
export function referencesTo(analysis: Analysis, target: SymbolTarget, includeDeclaration: boolean): SpanIn[] {
  const out: SpanIn[] = [];
  if (includeDeclaration) out.push({ source: target.source, span: target.span });
  // A layout resolves its blocks once per phase, so one use can be recorded twice.
  const seen = new Set<number>();
  for (const r of analysis.refs) {
    if (r.source !== analysis.source || seen.has(r.span.start)) continue;
    if (r.target.source === target.source && sameSpan(r.target.span, target.span) && !sameSpan(r.span, target.span)) {
      seen.add(r.span.start);
      out.push({ source: r.source, span: r.span });
    }
  }
  return out.sort((a, b) => (a.source === b.source ? a.span.start - b.span.start : a.source.isPrelude ? -1 : 1));
}

export function referencesAt(analysis: Analysis, offset: number, includeDeclaration: boolean): SpanIn[] | undefined {
  const t = targetAt(analysis, offset);
  return t ? referencesTo(analysis, t, includeDeclaration) : undefined;
}

/** The name occurrences of the symbol under the cursor in this file, declaration first. */
export function highlightsAt(analysis: Analysis, offset: number): { span: Span; write: boolean }[] | undefined {
  const t = targetAt(analysis, offset);
  if (!t) return undefined;
  return referencesTo(analysis, t, true)
    .filter((r) => r.source === analysis.source)
    .map((r) => ({ span: r.span, write: sameSpan(r.span, t.span) && r.source === t.source }));
}

const NAME = /^[a-z_][a-z0-9_]*$/;

export type RenameCheck = { ok: true; target: SymbolTarget; span: Span } | { ok: false; reason: string };

/** Whether the name under the cursor can be renamed: not a built-in, and a name at all. */
export function prepareRenameAt(analysis: Analysis, offset: number): RenameCheck | undefined {
  const at = locate(analysis, offset);
  const t = targetAt(analysis, offset);
  if (!at || !t) return undefined;
  if (t.source.isPrelude) return { ok: false, reason: `\`${t.name}\` is a built-in (prelude) name and cannot be renamed; declare your own ${t.kind} instead` };
  if (t.source !== analysis.source) return { ok: false, reason: 'the declaration is not in this file' };
  const span = at.kind === 'ref' ? at.ref.span : t.span;
  return { ok: true, target: t, span };
}

export type RenameResult = { ok: true; edits: { span: Span; newText: string }[] } | { ok: false; reason: string };

export function renameAt(analysis: Analysis, offset: number, newName: string): RenameResult | undefined {
  const check = prepareRenameAt(analysis, offset);
  if (!check) return undefined;
  if (!check.ok) return check;
  if (!NAME.test(newName)) return { ok: false, reason: `\`${newName}\` is not a valid name (lower-case letters, digits and _, starting with a letter or _)` };
  const clash = nameTaken(analysis, check.target, newName);
  if (clash) return { ok: false, reason: clash };
  const edits = referencesTo(analysis, check.target, true)
    .filter((r) => r.source === analysis.source)
    .map((r) => ({ span: r.span, newText: newName }));
  return { ok: true, edits };
}

/** Why `name` cannot be given to the target: another declaration of its namespace has it. */
function nameTaken(analysis: Analysis, target: SymbolTarget, name: string): string | undefined {
  if (name === target.name) return undefined;
  if (target.kind === 'value') {
    const block = analysis.file.decls.find((d) => isBlockDecl(d) && d.start <= target.span.start && target.span.end <= d.end);
    if (!block || !isBlockDecl(block)) return undefined;
    const used = block.stmts.some((s) => (s.kind === 'let' ? s.name.text === name : s.kind !== 'out' && s.names.some((n) => n.text === name)));
    return used ? `\`${name}\` is already a value of ${block.kind} ${block.name.text}` : undefined;
  }
  // A file's own declaration of that name would clash; a built-in of that name would just be shadowed.
  const namespace = target.kind === 'block' ? analysis.scope.block : analysis.scope[target.kind];
  const existing = namespace.get(name);
  return existing && existing.source === analysis.source ? `a ${target.kind} named \`${name}\` is already declared in this file` : undefined;
}
