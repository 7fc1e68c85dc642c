// Folding ranges (declarations, nested records, comment runs) and selection ranges (word →
// type or call → statement or field → declaration body → declaration).

import type { Analysis } from '../analysis';
import type { Span } from '../syntax/ast';
import { isBlockDecl } from '../syntax/ast';
import { contains, fieldLists } from './locate';

export interface FoldSpan {
  startLine: number;
  endLine: number;
  comment: boolean;
}

export function foldingRanges(analysis: Analysis): FoldSpan[] {
  const lines = analysis.lineIndex;
  const out: FoldSpan[] = [];
  const add = (span: Span, comment = false) => {
    const startLine = lines.positionAt(span.start).line;
    // Fold up to the line before the closing brace so that `}` stays visible.
    let endLine = lines.positionAt(span.end).line;
    if (!comment && analysis.source.text[span.end - 1] === '}') endLine -= 1;
    if (endLine > startLine) out.push({ startLine, endLine, comment });
  };
  for (const decl of analysis.file.decls) {
    add(decl.body ?? decl);
    if (!isBlockDecl(decl)) for (const list of fieldLists(decl).slice(1)) if (list.body) add(list.body);
  }
  // Runs of two or more whole-line comments.
  let run: Span | undefined;
  let runEndLine = -1;
  for (const c of analysis.file.comments) {
    const line = lines.positionAt(c.start).line;
    const lineStart = lines.lineStart(line);
    const whole = analysis.source.text.slice(lineStart, c.start).trim() === '';
    if (whole && run && line === runEndLine + 1) {
      run = { start: run.start, end: c.end };
      runEndLine = line;
      continue;
    }
    if (run) add(run, true);
    run = whole ? { start: c.start, end: c.end } : undefined;
    runEndLine = whole ? line : -1;
  }
  if (run) add(run, true);
  return out;
}

/** The dim group at an offset: the one starting at or before it, not the one ending there. */
function groupAt<T extends Span>(groups: readonly T[], offset: number): T | undefined {
  return groups.find((g) => g.start <= offset && offset < g.end) ?? groups.find((g) => g.end === offset);
}

/** Nested spans around an offset, innermost first. */
export function selectionSpans(analysis: Analysis, offset: number): Span[] {
  const chain: Span[] = [];
  const push = (s: Span | undefined) => {
    if (s && contains(s, offset) && !chain.some((c) => c.start === s.start && c.end === s.end)) chain.push(s);
  };
  const decl = analysis.file.decls.find((d) => contains(d, offset));
  if (!decl) return [];
  if (isBlockDecl(decl)) {
    const stmt = decl.stmts.find((s) => contains(s, offset));
    if (stmt) {
      if (stmt.kind === 'let') {
        push([stmt.name, stmt.op, ...stmt.args].find((i) => contains(i, offset)));
        const type = stmt.annotation;
        if (type) {
          const dim = groupAt(type.dims, offset);
          push(dim);
          push(type);
        }
        push(stmt.argsSpan);
      } else if (stmt.kind !== 'out') {
        push(stmt.names.find((n) => contains(n, offset)));
        const dim = stmt.type && groupAt(stmt.type.dims, offset);
        push(dim);
        push(stmt.type);
      } else push(stmt.name);
      push(stmt);
    }
  } else {
    const lists = fieldLists(decl).reverse();
    for (const list of lists) {
      const field = list.fields.find((f) => contains(f, offset));
      if (!field) continue;
      push([field.name, field.value].find((s) => contains(s, offset)));
      push(field);
      push(list.body);
    }
  }
  push(decl.name);
  push(decl.body);
  push(decl);
  return chain.filter((s, i) => i === 0 || (s.start <= chain[i - 1].start && s.end >= chain[i - 1].end));
}
