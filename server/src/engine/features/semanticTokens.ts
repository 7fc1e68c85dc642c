// Semantic tokens for what a TextMate grammar cannot know: which letters are dimensions and which
// are mesh axes, which calls are collectives and which are einsums, where partial sums and units
// are. Encoded in the LSP's relative five-integer form.

import type { Analysis } from '../analysis';
import type { Span, TypeExpr } from '../syntax/ast';
import { isBlockDecl } from '../syntax/ast';
import { operation } from '../ops/index';
import { fieldLists } from './locate';

/** Token types; the custom ones (dimension, axis, …) fall back to standard types in the client. */
export const TOKEN_TYPES = ['dimension', 'axis', 'subscript', 'partialsum', 'collective', 'einsum', 'function', 'unit', 'number', 'variable', 'property', 'type'] as const;
export const TOKEN_MODIFIERS = ['declaration', 'defaultLibrary'] as const;

type TokenType = (typeof TOKEN_TYPES)[number];
type TokenModifier = (typeof TOKEN_MODIFIERS)[number];

interface RawToken {
  start: number;
  length: number;
  type: TokenType;
  modifiers: number;
}

function bit(m: TokenModifier): number {
  return 1 << TOKEN_MODIFIERS.indexOf(m);
}

export function semanticTokens(analysis: Analysis): number[] {
  const tokens: RawToken[] = [];
  const text = analysis.source.text;
  const add = (span: Span, type: TokenType, modifiers = 0) => {
    if (span.end > span.start) tokens.push({ start: span.start, length: span.end - span.start, type, modifiers });
  };
  const addType = (t: TypeExpr) => {
    for (const g of t.dims) {
      add(g.letterSpan, 'dimension');
      if (g.axes.length && text[g.letterSpan.end] === '_') add({ start: g.letterSpan.end, end: g.letterSpan.end + 1 }, 'subscript');
      for (const a of g.axes) add(a, 'axis');
    }
    if (t.partialsum) {
      const ps = t.partialsum;
      // `(partialsum-` up to the first axis is the keyword part.
      const firstAxis = ps.axes[0]?.start ?? ps.end;
      add({ start: ps.start, end: firstAxis }, 'partialsum');
      for (const a of ps.axes) add(a, 'axis', 0);
      if (text[ps.end - 1] === ')') add({ start: ps.end - 1, end: ps.end }, 'partialsum');
    }
  };
  for (const decl of analysis.file.decls) {
    if (isBlockDecl(decl)) {
      add(decl.name, 'function', bit('declaration'));
      for (const stmt of decl.stmts) {
        if (stmt.kind === 'let') {
          add(stmt.name, 'variable', bit('declaration'));
          const spec = operation(stmt.op.text);
          add(stmt.op, spec?.class ?? 'function', spec ? bit('defaultLibrary') : 0);
          stmt.args.forEach((arg, i) => add(arg, spec?.takesAxes && i >= spec.operands ? 'axis' : 'variable'));
          if (stmt.annotation) addType(stmt.annotation);
        } else if (stmt.kind === 'out') {
          if (stmt.name) add(stmt.name, 'variable');
        } else {
          for (const n of stmt.names) add(n, 'variable', bit('declaration'));
          if (stmt.type) addType(stmt.type);
        }
      }
    } else {
      add(decl.name, 'type', bit('declaration'));
      for (const list of fieldLists(decl)) {
        for (const f of list.fields) {
          add(f.name, 'property');
          if (f.value.kind === 'number') {
            const v = f.value;
            add({ start: v.start, end: v.start + v.text.length }, 'number');
            if (v.unit) add(v.unit, 'unit');
          }
        }
      }
    }
  }
  // Names that refer to declarations (`model = tiny`, `ffn = ws2d`, `mesh pod = tpu_v4`); a
  // built-in one is marked defaultLibrary. Value references were added with their statements.
  for (const ref of analysis.refs) {
    if (ref.source !== analysis.source || ref.kind === 'value') continue;
    add(ref.span, ref.kind === 'block' ? 'function' : 'type', ref.target.source.isPrelude ? bit('defaultLibrary') : 0);
  }
  return encode(analysis, tokens);
}

function encode(analysis: Analysis, tokens: RawToken[]): number[] {
  tokens.sort((a, b) => a.start - b.start);
  const data: number[] = [];
  let prevLine = 0;
  let prevChar = 0;
  let lastEnd = -1;
  for (const t of tokens) {
    if (t.start < lastEnd) continue; // overlapping tokens are not allowed
    const pos = analysis.lineIndex.positionAt(t.start);
    const deltaLine = pos.line - prevLine;
    const deltaChar = deltaLine === 0 ? pos.character - prevChar : pos.character;
    data.push(deltaLine, deltaChar, t.length, TOKEN_TYPES.indexOf(t.type), t.modifiers);
    prevLine = pos.line;
    prevChar = pos.character;
    lastEnd = t.start + t.length;
  }
  return data;
}
