// The syntax tree of a `.shard` file (spec/language.md §1–2).
//
// Every node records its span as UTF-16 offsets into its source text (`start` inclusive, `end`
// exclusive). Offsets become LSP line/character positions only at the edges (see `lineIndex.ts`),
// so the parser and checker never pay for position arithmetic they do not need.

export interface Span {
  start: number;
  end: number;
}

/** A source text: the user's file or one of the prelude files shipped with the extension. */
export interface SourceFile {
  /** A URI or path that names the text (`<stdin>`, `file:///…`, `shardlens-prelude:/hardware.shard`). */
  uri: string;
  text: string;
  /** True for the built-in prelude: read-only, declarations behave as if declared everywhere. */
  isPrelude: boolean;
}

/** A lower-case name, a field name, or an upper-case dimension-letter field name (`E = 18432`). */
export interface Ident extends Span {
  text: string;
}

export type DeclKind = 'hardware' | 'mesh' | 'model' | 'workload' | 'layout' | 'ffn' | 'attention' | 'unembed';
export type BlockKind = 'ffn' | 'attention' | 'unembed';
export type RecordKind = 'hardware' | 'mesh' | 'model' | 'workload' | 'layout';

export const BLOCK_KINDS: readonly BlockKind[] = ['ffn', 'attention', 'unembed'];
export const RECORD_KINDS: readonly RecordKind[] = ['hardware', 'mesh', 'model', 'workload', 'layout'];

export interface File {
  source: SourceFile;
  decls: Decl[];
  /** Syntax errors found while parsing; the parser recovers and keeps going. */
  errors: SyntaxError[];
  /** `#` comments, for folding, formatting and hovers (doc comments above a declaration). */
  comments: Span[];
}

export interface SyntaxError extends Span {
  message: string;
}

export type Decl = RecordDecl | BlockDecl;

/** hardware / mesh / model / workload / layout: `KIND NAME [= BASE] [{ fields }]`. */
export interface RecordDecl extends Span {
  kind: RecordKind;
  /** The keyword token. */
  keyword: Span;
  name: Ident;
  base?: Ident;
  fields: Field[];
  /** The `{ … }` span when braces were written; folding and formatting use it. */
  body?: Span;
  source: SourceFile;
}

/** `name = value`, `name { fields }` (a record), or `name = base { fields }`. */
export interface Field extends Span {
  name: Ident;
  value: Value;
}

export type Value = NumberValue | NameValue | RecordValue | MissingValue;

/** A quantity: `275 TFLOP/s`, `32GiB`, `30%`, `1.1e9`. */
export interface NumberValue extends Span {
  kind: 'number';
  /** The number as written, before the unit is applied. */
  value: number;
  /** The numeral's text, e.g. `1.1e9`. */
  text: string;
  unit?: Ident;
}

/** A name: a reference (`= palm_540b`), an enum (`torus`, `int8`, `true`), or axes (`wrap = xy`). */
export interface NameValue extends Span {
  kind: 'name';
  name: Ident;
  /** `= base { overrides }`: a reference with inline overrides. */
  overrides?: Field[];
  body?: Span;
}

/** `{ fields }` with no base: an inline declaration (`workload { batch = 8, … }`, `prefill { … }`). */
export interface RecordValue extends Span {
  kind: 'record';
  fields: Field[];
}

/** The value could not be parsed (a syntax error was reported). */
export interface MissingValue extends Span {
  kind: 'missing';
}

// ---------------------------------------------------------------------------------------------
// Blocks

export interface BlockDecl extends Span {
  kind: BlockKind;
  keyword: Span;
  name: Ident;
  /** A block cannot derive from another; kept so the checker can say so. */
  base?: Ident;
  stmts: Stmt[];
  body?: Span;
  source: SourceFile;
}

export type Stmt = DeclStmt | LetStmt | OutStmt;

/** `in h : T`, `weight w_in : T`, `cache kc, vc : T`. */
export interface DeclStmt extends Span {
  kind: 'in' | 'weight' | 'cache';
  keyword: Span;
  names: Ident[];
  type?: TypeExpr;
}

/** `NAME = OP(ARGS) [: TYPE]`. */
export interface LetStmt extends Span {
  kind: 'let';
  name: Ident;
  /** The `=` token: where `missing-annotation` lands. */
  eq: Span;
  op: Ident;
  args: Ident[];
  /** The parenthesised argument list, for signature help. */
  argsSpan: Span;
  annotation?: TypeExpr;
  /** The argument list did not parse (a syntax error was reported); the checker says no more. */
  incomplete?: boolean;
}

/** `out y`. */
export interface OutStmt extends Span {
  kind: 'out';
  keyword: Span;
  name?: Ident;
}

/** A sharded tensor type: `BLF_yz (partialsum-x)`, `E_x F_yz`. */
export interface TypeExpr extends Span {
  dims: DimGroup[];
  partialsum?: PartialsumExpr;
}

export interface DimGroup extends Span {
  /** One upper-case letter. */
  letter: string;
  letterSpan: Span;
  axes: AxisRef[];
}

export interface AxisRef extends Span {
  /** One lower-case letter. */
  letter: string;
}

export interface PartialsumExpr extends Span {
  axes: AxisRef[];
}

// ---------------------------------------------------------------------------------------------

export function isBlockDecl(d: Decl): d is BlockDecl {
  return d.kind === 'ffn' || d.kind === 'attention' || d.kind === 'unembed';
}

export function isRecordDecl(d: Decl): d is RecordDecl {
  return !isBlockDecl(d);
}

/** The axis letters of an axes token such as `yz`: one `AxisRef` per letter. */
export function axesOf(ident: Ident): AxisRef[] {
  const out: AxisRef[] = [];
  for (let i = 0; i < ident.text.length; i++) {
    out.push({ letter: ident.text[i], start: ident.start + i, end: ident.start + i + 1 });
  }
  return out;
}
