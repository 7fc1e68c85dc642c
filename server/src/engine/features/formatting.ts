// Formatting: align the `=` and `:` columns of block statements, as the paper's figures are
// written. Only statement spans are rewritten, from their tokens, so comments after a statement
// stay where they are (shifted with it) and formatting twice gives what formatting once gave.
// A block with a syntax error inside, or with two statements on one line, is left alone; record
// declarations are left as their authors wrote them.

import type { Analysis } from '../analysis';
import type { BlockDecl, DeclStmt, LetStmt, Span } from '../syntax/ast';
import { isBlockDecl } from '../syntax/ast';

export interface TextEdit {
  span: Span;
  newText: string;
}

export function formatEdits(analysis: Analysis): TextEdit[] {
  const edits: TextEdit[] = [];
  for (const decl of analysis.file.decls) {
    // A syntax error inside or at the edge of the block (an unclosed block ends where the error is),
    // or a statement whose arguments did not parse, leaves the block as written.
    if (!isBlockDecl(decl) || analysis.file.errors.some((e) => e.start <= decl.end && e.end >= decl.start)) continue;
    if (decl.stmts.some((s) => s.kind === 'let' && s.incomplete)) continue;
    for (const e of formatBlock(analysis, decl)) if (analysis.source.text.slice(e.span.start, e.span.end) !== e.newText) edits.push(e);
  }
  return edits;
}

function lineOf(analysis: Analysis, offset: number): number {
  return analysis.lineIndex.positionAt(offset).line;
}

/** Whether each span is alone on its line (and on one line). */
function onePerLine(analysis: Analysis, spans: readonly Span[]): boolean {
  const lines = new Set<number>();
  for (const s of spans) {
    const line = lineOf(analysis, s.start);
    if (lines.has(line) || lineOf(analysis, s.end) !== line) return false;
    lines.add(line);
  }
  return true;
}

function slice(analysis: Analysis, span: Span): string {
  return analysis.source.text.slice(span.start, span.end);
}

function formatBlock(analysis: Analysis, block: BlockDecl): TextEdit[] {
  if (!onePerLine(analysis, block.stmts)) return [];
  return [...formatDeclarations(analysis, block), ...formatOperations(analysis, block)];
}

/**
 * `in` / `weight` / `cache`: the `:` of consecutive declarations of one keyword line up
 * (`weight w_in  : …` over `weight w_out : …`), one space after the longest name list.
 */
function formatDeclarations(analysis: Analysis, block: BlockDecl): TextEdit[] {
  const runs: DeclStmt[][] = [];
  let previous: string | undefined;
  for (const s of block.stmts) {
    if (s.kind === 'let' || s.kind === 'out') {
      previous = undefined;
      continue;
    }
    if (s.kind === previous) runs[runs.length - 1].push(s);
    else runs.push([s]);
    previous = s.kind;
  }
  const head = (s: DeclStmt) => `${s.kind} ${s.names.map((n) => n.text).join(', ')}`;
  return runs.flatMap((run) => {
    const width = Math.max(...run.map((s) => head(s).length));
    return run.flatMap((s) => (s.type ? [{ span: s, newText: `${head(s).padEnd(width)} : ${slice(analysis, s.type)}` }] : []));
  });
}

/**
 * `name = op(args) : TYPE`: `=` one space after the longest name; `:` at one column, at least one
 * space after the longest call, or further right if the first annotated statement already puts
 * it there (authors leave room for longer statements; that choice is kept).
 */
function formatOperations(analysis: Analysis, block: BlockDecl): TextEdit[] {
  const lets = block.stmts.filter((s): s is LetStmt => s.kind === 'let');
  if (!lets.length) return [];
  const nameWidth = Math.max(...lets.map((s) => s.name.text.length));
  const head = (s: LetStmt) => `${s.name.text.padEnd(nameWidth)} = ${s.op.text}(${s.args.map((a) => a.text).join(', ')})`;
  const annotated = lets.filter((s) => s.annotation);
  const firstColon = annotated.length ? analysis.source.text.lastIndexOf(':', annotated[0].annotation!.start) - annotated[0].start : 0;
  const colon = Math.max(firstColon, ...annotated.map((s) => head(s).length + 1));
  return lets.map((s) => ({ span: s, newText: s.annotation ? `${head(s).padEnd(colon)}: ${slice(analysis, s.annotation)}` : head(s) }));
}
