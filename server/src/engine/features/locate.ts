// What the cursor is on. Hover, definition, rename and semantic features all start from "which
// syntax node is at this offset, and what does it mean here", answered once in this file.

import type { Analysis } from '../analysis';
import type { SymbolRef } from '../check/checker';
import { isBuiltinMark } from '../prelude/builtins';
import type {
  AxisRef,
  BlockDecl,
  Decl,
  DimGroup,
  Field,
  Ident,
  LetStmt,
  NumberValue,
  RecordDecl,
  RecordKind,
  Span,
  Stmt,
  TypeExpr,
} from '../syntax/ast';
import { isBlockDecl } from '../syntax/ast';

/** Whose fields a field list holds: a declaration kind, or a layout's `prefill { }` / `decode { }`. */
export type FieldOwner = RecordKind | 'phase';

export type Located =
  | { kind: 'declName'; decl: Decl }
  | { kind: 'ref'; ref: SymbolRef }
  | { kind: 'field'; owner: FieldOwner; field: Field; decl: RecordDecl }
  | { kind: 'quantity'; owner: FieldOwner; field: Field; value: NumberValue; decl: RecordDecl }
  /** A word value that is not a reference: an enum (`torus`), or `heads` / `batch` / `none`. */
  | { kind: 'word'; owner: FieldOwner; field: Field; value: Ident; decl: RecordDecl }
  | { kind: 'op'; block: BlockDecl; stmt: LetStmt }
  | { kind: 'valueDef'; block: BlockDecl; stmt: Stmt; name: Ident }
  | { kind: 'axesArg'; block: BlockDecl; stmt: LetStmt; arg: Ident }
  | { kind: 'type'; block: BlockDecl; stmt: Stmt; type: TypeExpr; dim?: DimGroup; axis?: AxisRef };

export function contains(span: Span, offset: number): boolean {
  return span.start <= offset && offset <= span.end;
}

/** The top-level declaration around an offset (braces included), if any. */
export function declAt(analysis: Analysis, offset: number): Decl | undefined {
  return analysis.file.decls.find((d) => contains(d, offset));
}

/** A field list with the kind of record it belongs to, found by walking into nested records. */
export interface FieldList {
  owner: FieldOwner;
  fields: Field[];
  /** The braces around the list (undefined for a declaration written without braces). */
  body?: Span;
}

/** The field lists of a record declaration, outermost first (inline overrides, phase records, …). */
export function fieldLists(decl: RecordDecl): FieldList[] {
  const out: FieldList[] = [{ owner: decl.kind, fields: decl.fields, body: decl.body }];
  const visit = (owner: FieldOwner, fields: Field[]) => {
    for (const f of fields) {
      const v = f.value;
      const inner = innerOwner(owner, f.name.text);
      if (!inner) continue;
      if (v.kind === 'record') {
        out.push({ owner: inner, fields: v.fields, body: v });
        visit(inner, v.fields);
      } else if (v.kind === 'name' && v.overrides) {
        out.push({ owner: inner, fields: v.overrides, body: v.body });
        visit(inner, v.overrides);
      }
    }
  };
  visit(decl.kind, decl.fields);
  return out;
}

/** The kind of a nested record: a layout's `model { }` holds model fields, `prefill { }` phase fields. */
function innerOwner(owner: FieldOwner, field: string): FieldOwner | undefined {
  if (owner !== 'layout') return undefined;
  if (field === 'model' || field === 'mesh' || field === 'workload') return field;
  if (field === 'prefill' || field === 'decode') return 'phase';
  return undefined;
}

/** The innermost field list whose braces contain the offset. */
export function fieldListAt(decl: RecordDecl, offset: number): FieldList | undefined {
  let best: FieldList | undefined;
  for (const list of fieldLists(decl)) {
    if (list.body && offset > list.body.start && offset < list.body.end) {
      if (!best || !best.body || list.body.start >= best.body.start) best = list;
    }
  }
  return best;
}

function refAt(analysis: Analysis, offset: number): SymbolRef | undefined {
  return analysis.refs.find((r) => r.source === analysis.source && contains(r.span, offset));
}

export function locate(analysis: Analysis, offset: number): Located | undefined {
  const decl = declAt(analysis, offset);
  if (!decl) return undefined;
  if (contains(decl.name, offset)) return { kind: 'declName', decl };
  const ref = refAt(analysis, offset);
  if (ref) return { kind: 'ref', ref };
  return isBlockDecl(decl) ? locateInBlock(decl, offset) : locateInRecord(decl, offset);
}

function locateInRecord(decl: RecordDecl, offset: number): Located | undefined {
  for (const list of fieldLists(decl)) {
    for (const field of list.fields) {
      if (contains(field.name, offset)) return { kind: 'field', owner: list.owner, field, decl };
      const v = field.value;
      if (v.kind === 'number' && contains(v, offset)) return { kind: 'quantity', owner: list.owner, field, value: v, decl };
      if (v.kind === 'name' && contains(v.name, offset)) return { kind: 'word', owner: list.owner, field, value: v.name, decl };
    }
  }
  return undefined;
}

function locateInType(block: BlockDecl, stmt: Stmt, type: TypeExpr, offset: number): Located | undefined {
  if (!contains(type, offset)) return undefined;
  // Letters are one character wide and written together (`BLF_yz`): the character after the
  // cursor decides, so the end of one group is not mistaken for it.
  for (const dim of type.dims) {
    const axis = dim.axes.find((a) => a.start <= offset && offset < a.end);
    if (axis) return { kind: 'type', block, stmt, type, dim, axis };
    if (dim.start <= offset && offset < dim.end) return { kind: 'type', block, stmt, type, dim };
  }
  const axis = type.partialsum?.axes.find((a) => contains(a, offset));
  return { kind: 'type', block, stmt, type, axis };
}

function locateInBlock(block: BlockDecl, offset: number): Located | undefined {
  for (const stmt of block.stmts) {
    if (!contains(stmt, offset)) continue;
    if (stmt.kind === 'let') {
      if (contains(stmt.name, offset)) return { kind: 'valueDef', block, stmt, name: stmt.name };
      if (contains(stmt.op, offset)) return { kind: 'op', block, stmt };
      const arg = stmt.args.find((a) => contains(a, offset));
      if (arg) return { kind: 'axesArg', block, stmt, arg };
      if (stmt.annotation) return locateInType(block, stmt, stmt.annotation, offset);
    } else if (stmt.kind !== 'out') {
      const name = stmt.names.find((n) => contains(n, offset));
      if (name) return { kind: 'valueDef', block, stmt, name };
      if (stmt.type) return locateInType(block, stmt, stmt.type, offset);
    }
  }
  return undefined;
}

/** Consecutive `#` comment lines right above a declaration: its documentation. */
export function docComment(decl: Decl, comments: readonly Span[]): string {
  const text = decl.source.text;
  const lines: string[] = [];
  let cursor = decl.start;
  for (let i = comments.length - 1; i >= 0; i--) {
    const c = comments[i];
    if (c.end > cursor) continue;
    const between = text.slice(c.end, cursor);
    // Only whitespace with at most one line break in it: the comment belongs to what follows.
    if (!/^[ \t]*\r?\n[ \t]*$/.test(between)) break;
    const lineStart = text.lastIndexOf('\n', c.start - 1) + 1;
    if (text.slice(lineStart, c.start).trim() !== '') break; // a trailing comment of the previous line
    const line = text.slice(c.start, c.end).replace(/^#\s?/, '');
    cursor = c.start;
    // A separator line of dashes ends the documentation block.
    if (/^-{5,}$/.test(line.trim())) break;
    // A built-in mark (`# @builtin "Title"`) is data for the engine, not documentation.
    if (!isBuiltinMark(line)) lines.unshift(line);
  }
  return lines.join('\n').trim();
}
