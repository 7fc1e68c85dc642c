// Finding declarations and block values by the spans that refs point at. Shared by hover,
// navigation and rename.

import type { Analysis } from '../analysis';
import type { BlockDecl, Decl, File, Ident, SourceFile, Span, Stmt } from '../syntax/ast';
import { isBlockDecl } from '../syntax/ast';

/** The user's file, then the prelude files. */
export function allFiles(analysis: Analysis): readonly File[] {
  return [analysis.file, ...analysis.prelude];
}

export function fileOf(analysis: Analysis, source: SourceFile): File | undefined {
  return allFiles(analysis).find((f) => f.source === source);
}

/** The declaration whose name is at `span` in `source`. */
export function declNamedAt(analysis: Analysis, source: SourceFile, span: Span): Decl | undefined {
  return fileOf(analysis, source)?.decls.find((d) => d.name.start === span.start && d.name.end === span.end);
}

/** A block value's definition: the block, the statement and the defining name. */
export interface ValueDef {
  block: BlockDecl;
  stmt: Stmt;
  name: Ident;
}

export function valueDefAt(analysis: Analysis, source: SourceFile, span: Span): ValueDef | undefined {
  const file = fileOf(analysis, source);
  if (!file) return undefined;
  for (const d of file.decls) {
    if (!isBlockDecl(d) || span.start < d.start || span.end > d.end) continue;
    for (const stmt of d.stmts) {
      const names = stmt.kind === 'let' ? [stmt.name] : stmt.kind === 'out' ? [] : stmt.names;
      const name = names.find((n) => n.start === span.start && n.end === span.end);
      if (name) return { block: d, stmt, name };
    }
  }
  return undefined;
}

export function sameSpan(a: Span, b: Span): boolean {
  return a.start === b.start && a.end === b.end;
}

/** A short "where from" for a declaration: the prelude file, or the line in this file. */
export function origin(analysis: Analysis, decl: Decl): string {
  const line = analysis.file.source === decl.source ? analysis.lineIndex.positionAt(decl.start).line + 1 : lineOf(decl.source.text, decl.start);
  if (decl.source.isPrelude) return `built-in, ${decl.source.uri.replace(/^.*\//, '')} line ${line}`;
  return `this file, line ${line}`;
}

function lineOf(text: string, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset && i < text.length; i++) if (text.charCodeAt(i) === 10) line++;
  return line;
}
