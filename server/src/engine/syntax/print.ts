// The printer: a syntax tree back to canonical `.shard` text (spec/language.md §1–2).
//
// Canonical means one text per tree, so the formatter can rewrite a file into it and the property
// tests can check that parsing the printed text gives the tree back:
//   - declarations are separated by one blank line; fields and statements go one per line,
//     indented two spaces, with the `=` of a record's scalar fields and the `:` of a block's
//     annotations lined up in a column, as the prelude and the examples write them;
//   - a nested record with only scalar fields is written on one line (`prefill { batch = 1 }`),
//     anything deeper over several lines; meshes, workloads and declarations that start from a
//     base are one line too when their fields are scalar and the line fits
//     (`model m = palm_540b { weights = int8 }`), as the spec writes them;
//   - types are in the canonical written form of spec §1: dimension groups in the written order,
//     concatenated, each group's axes in mesh order, and ` (partialsum-AXES)` last;
//   - quantities keep the numeral and the unit as written (`275 TFLOP/s`, `30%`, `1.1e9`).
//
// Comments are not part of the tree; a formatter that keeps them must weave them back in. A
// value that did not parse (`MissingValue`) prints as nothing, so the printer never throws, but
// printing a tree with syntax errors does not give back an equivalent text.

import type { BlockDecl, Decl, DeclStmt, Field, File, LetStmt, RecordDecl, Stmt, TypeExpr, Value } from './ast';
import { isBlockDecl } from './ast';

export interface PrintOptions {
  /**
   * Mesh axis order for the canonical form of types. Without a mesh the order is x, y, z and
   * then the other letters alphabetically, which is the order of every built-in mesh.
   */
  axisOrder?: readonly string[];
  /** Spaces per indentation level (default 2). */
  indent?: number;
}

const DEFAULT_AXIS_ORDER: readonly string[] = ['x', 'y', 'z'];

/** A nested `{ … }` with at most this many characters stays on the field's line. */
const INLINE_RECORD_WIDTH = 80;
/** A one-line mesh, workload or derived declaration is at most this wide. */
const INLINE_DECL_WIDTH = 100;

export function printFile(file: File, options: PrintOptions = {}): string {
  return printDecls(file.decls, options);
}

export function printDecls(decls: readonly Decl[], options: PrintOptions = {}): string {
  if (!decls.length) return '';
  return decls.map((d) => printDecl(d, options)).join('\n\n') + '\n';
}

export function printDecl(decl: Decl, options: PrintOptions = {}): string {
  return isBlockDecl(decl) ? printBlock(decl, options) : printRecord(decl, options);
}

// ---------------------------------------------------------------------------------------------
// Records

function printRecord(decl: RecordDecl, options: PrintOptions): string {
  const head = `${decl.kind} ${decl.name.text}${decl.base ? ` = ${decl.base.text}` : ''}`;
  // `mesh m = pod64` with no braces is a declaration of its own; keep it brace-less.
  if (!decl.body) return head;
  if (!decl.fields.length) return `${head} {}`;
  // Meshes, workloads and declarations that override a base are short shapes, written on one line
  // as the spec writes them (`mesh pod64 = tpu_v4 { x = 4, y = 4, z = 4 }`) when they fit.
  const shape = decl.kind === 'mesh' || decl.kind === 'workload' || decl.base !== undefined;
  if (shape && isFlat(decl.fields)) {
    const line = `${head} ${inlineBody(decl.fields, options)}`;
    if (line.length <= INLINE_DECL_WIDTH) return line;
  }
  return `${head} {\n${printFieldLines(decl.fields, 1, options)}\n}`;
}

function isFlat(fields: readonly Field[]): boolean {
  return fields.every((f) => f.value.kind !== 'record' && !(f.value.kind === 'name' && f.value.overrides));
}

function inlineBody(fields: readonly Field[], options: PrintOptions): string {
  return `{ ${fields.map((f) => `${f.name.text} = ${printValue(f.value, 0, options)}`).join(', ')} }`;
}

/** Fields one per line at `level`, scalar fields' `=` aligned. */
function printFieldLines(fields: readonly Field[], level: number, options: PrintOptions): string {
  const pad = ' '.repeat((options.indent ?? 2) * level);
  const width = Math.max(0, ...fields.filter((f) => f.value.kind !== 'record').map((f) => f.name.text.length));
  return fields
    .map((f) => {
      if (f.value.kind === 'record') return `${pad}${f.name.text} ${printRecordBody(f.value.fields, level, options)}`;
      return `${pad}${f.name.text.padEnd(width)} = ${printValue(f.value, level, options)}`;
    })
    .join('\n');
}

/** `{ a = 1, b = 2 }` when short and flat, else one field per line closing at `level`. */
function printRecordBody(fields: readonly Field[], level: number, options: PrintOptions): string {
  if (!fields.length) return '{}';
  if (isFlat(fields)) {
    const inline = inlineBody(fields, options);
    if (inline.length <= INLINE_RECORD_WIDTH) return inline;
  }
  const pad = ' '.repeat((options.indent ?? 2) * level);
  return `{\n${printFieldLines(fields, level + 1, options)}\n${pad}}`;
}

export function printValue(value: Value, level = 0, options: PrintOptions = {}): string {
  switch (value.kind) {
    case 'number':
      return printQuantity(value.text, value.unit?.text);
    case 'name':
      return value.overrides ? `${value.name.text} ${printRecordBody(value.overrides, level, options)}` : value.name.text;
    case 'record':
      return printRecordBody(value.fields, level, options);
    case 'missing':
      return '';
  }
}

/** `275 TFLOP/s`, `30%`: a space before a unit word, none before `%` (as the spec writes them). */
export function printQuantity(numeral: string, unit: string | undefined): string {
  if (unit === undefined) return numeral;
  return unit === '%' ? `${numeral}%` : `${numeral} ${unit}`;
}

// ---------------------------------------------------------------------------------------------
// Blocks

function printBlock(decl: BlockDecl, options: PrintOptions): string {
  const head = `${decl.kind} ${decl.name.text}${decl.base ? ` = ${decl.base.text}` : ''}`;
  if (!decl.stmts.length) return `${head} {}`;
  const pad = ' '.repeat(options.indent ?? 2);
  // Column widths: `weight w_in  : …` pads the names of one keyword's statements; the `:` of every
  // let statement lines up after the longest `name = op(args)`, and the `=` after the longest name.
  const declWidth = new Map<string, number>();
  for (const s of decl.stmts) {
    if (s.kind === 'in' || s.kind === 'weight' || s.kind === 'cache') declWidth.set(s.kind, Math.max(declWidth.get(s.kind) ?? 0, declHead(s).length));
  }
  const lets = decl.stmts.filter((s): s is LetStmt => s.kind === 'let');
  const nameWidth = Math.max(0, ...lets.map((s) => s.name.text.length));
  const callWidth = Math.max(0, ...lets.map((s) => letCall(s, nameWidth).length));
  const lines = decl.stmts.map((s) => pad + printStmt(s, options, { declWidth, nameWidth, callWidth }));
  return `${head} {\n${lines.join('\n')}\n}`;
}

interface StmtWidths {
  declWidth: Map<string, number>;
  nameWidth: number;
  callWidth: number;
}

function declHead(s: DeclStmt): string {
  return `${s.kind} ${s.names.map((n) => n.text).join(', ')}`;
}

function letCall(s: LetStmt, nameWidth: number): string {
  return `${s.name.text.padEnd(nameWidth)} = ${s.op.text}(${s.args.map((a) => a.text).join(', ')})`;
}

export function printStmt(stmt: Stmt, options: PrintOptions = {}, widths?: StmtWidths): string {
  const order = options.axisOrder;
  switch (stmt.kind) {
    case 'in':
    case 'weight':
    case 'cache': {
      const head = declHead(stmt);
      if (!stmt.type) return head;
      return `${head.padEnd(widths?.declWidth.get(stmt.kind) ?? 0)} : ${printType(stmt.type, order)}`;
    }
    case 'let': {
      const call = letCall(stmt, widths?.nameWidth ?? 0);
      if (!stmt.annotation) return call;
      return `${call.padEnd(widths?.callWidth ?? 0)} : ${printType(stmt.annotation, order)}`;
    }
    case 'out':
      return stmt.name ? `out ${stmt.name.text}` : 'out';
  }
}

// ---------------------------------------------------------------------------------------------
// Types

/**
 * The canonical written form of a type (spec §1): `BLF_yz (partialsum-x)`. Axes are ordered by
 * `axisOrder`; dimension groups keep their written order because that order is the tensor's
 * logical shape (w_in is EF, w_out is FE).
 */
export function printType(type: TypeExpr, axisOrder: readonly string[] = DEFAULT_AXIS_ORDER): string {
  let text = type.dims.map((g) => (g.axes.length ? `${g.letter}_${orderAxes(g.axes.map((a) => a.letter), axisOrder)}` : g.letter)).join('');
  if (type.partialsum) text += ` (partialsum-${orderAxes(type.partialsum.axes.map((a) => a.letter), axisOrder)})`;
  return text;
}

function orderAxes(letters: readonly string[], axisOrder: readonly string[]): string {
  const rank = (a: string) => {
    const i = axisOrder.indexOf(a);
    return i >= 0 ? i : axisOrder.length + a.charCodeAt(0);
  };
  return [...letters].sort((a, b) => rank(a) - rank(b)).join('');
}
