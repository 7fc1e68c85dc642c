// A hand-written recursive-descent parser for `.shard` files, error-tolerant by design: a syntax
// error is reported at the first unexpected token, and parsing resumes at the next field,
// statement or declaration boundary, so one mistake never hides the rest of the file.
// Nesting is bounded (records nest at most MAX_DEPTH deep) so no input can overflow the stack.

import type {
  AxisRef,
  BlockDecl,
  BlockKind,
  Decl,
  DeclStmt,
  DimGroup,
  Field,
  File,
  Ident,
  LetStmt,
  OutStmt,
  PartialsumExpr,
  RecordDecl,
  RecordKind,
  SourceFile,
  Span,
  Stmt,
  SyntaxError,
  TypeExpr,
  Value,
} from './ast';
import {
  lex,
  relex,
  unitStart,
  TOKEN_KINDS,
  T_COLON,
  T_COMMA,
  T_EOF,
  T_EQ,
  T_INVALID,
  T_LBRACE,
  T_LPAREN,
  T_MINUS,
  T_NAME,
  T_NEWLINE,
  T_NUMBER,
  T_RBRACE,
  T_RPAREN,
  T_SEMI,
  T_UPPER,
  type LexResult,
  type TokenKind,
  type Tokens,
} from './lexer';

const MAX_DEPTH = 8;

const TOKEN_DESCRIPTION: Record<TokenKind, string> = {
  name: 'a name',
  upper: 'a tensor type',
  number: 'a number',
  lbrace: '`{`',
  rbrace: '`}`',
  lparen: '`(`',
  rparen: '`)`',
  eq: '`=`',
  colon: '`:`',
  comma: '`,`',
  semi: '`;`',
  minus: '`-`',
  newline: 'end of line',
  invalid: 'a character',
  eof: 'end of file',
};


/**
 * The array with no spare capacity. An array grown by push keeps room for 16 or more elements;
 * the syntax tree has tens of thousands of small arrays (arguments, dims, axes) that live as long
 * as the analysis, so the copy halves the tree's memory and what each collection has to copy.
 */
function compact<T>(items: T[]): T[] {
  return items.length ? items.slice() : items;
}

/**
 * A dimension group. Its letter's span is made when asked for (diagnostics, hovers, semantic
 * tokens), not stored: a large file writes tens of thousands of groups.
 */
class DimGroupNode implements DimGroup {
  axes: AxisRef[] = [];
  end: number;
  constructor(
    readonly letter: string,
    public start: number,
  ) {
    this.end = start + 1;
  }
  get letterSpan(): Span {
    return { start: this.start, end: this.start + 1 };
  }
}

/** The declaration keywords, by length then text, for a test that slices nothing. */
const DECL_WORDS = ['mesh', 'model', 'ffn', 'layout', 'unembed', 'hardware', 'workload', 'attention'];

class Parser {
  /** The current token's index. */
  private pos = 0;
  readonly errors: SyntaxError[] = [];
  /** The end of the last error, so that one bad token yields one error. */
  private lastErrorAt = -1;
  private readonly kinds: Uint8Array;
  private readonly starts: Int32Array;
  private readonly ends: Int32Array;
  private readonly last: number;

  constructor(
    private readonly tokens: Tokens,
    private readonly text: string,
    private readonly source: SourceFile,
  ) {
    this.kinds = tokens.kinds;
    this.starts = tokens.starts;
    this.ends = tokens.ends;
    this.last = tokens.count - 1;
  }

  /** One trace per declaration parsed (or reused): what the next version's parse may reuse. */
  readonly traces: DeclTrace[] = [];
  /** Declarations taken from the previous version at the same offsets: new → previous. */
  readonly sameAs = new Map<Decl, Decl>();

  /**
   * At a declaration keyword at `start`: when the previous version parsed a declaration there
   * from the same text, in the same state (no error at or after it yet), take its result instead
   * of parsing it again. The text that must be unchanged runs from the keyword to LOOKAHEAD
   * tokens past where that parse stopped (the parser peeks that far), plus one character (a
   * token there could otherwise have grown). Returns false, having changed nothing, otherwise.
   */
  private reuseDecl(reuse: ParseReuse, start: number, decls: Decl[]): boolean {
    if (this.lastErrorAt >= start) return false;
    // Declarations are met in the order of their offsets, as the previous parse traced them.
    const traces = reuse.traces;
    while (reuse.cursor < traces.length && traces[reuse.cursor].start < start) reuse.cursor++;
    const trace = reuse.cursor < traces.length && traces[reuse.cursor].start === start ? traces[reuse.cursor] : undefined;
    // Before the change, or after a change that kept the length (spans are absolute offsets).
    const unchanged = trace && (trace.horizon < reuse.prefix || reuse.identical || (reuse.delta === 0 && trace.start >= reuse.suffixStart));
    if (!trace || !unchanged || !trace.cleanBefore) return false;
    // The token where the previous parse stopped, in this text.
    const stop = trace.stop;
    let lo = this.pos;
    let hi = this.last;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.starts[mid] < stop) lo = mid + 1;
      else hi = mid;
    }
    if (this.starts[lo] !== stop) return false;
    // The same nodes on the new source: only the declaration itself names its source.
    const decl = { ...trace.decl, source: this.source };
    const errors = trace.errors;
    for (const e of errors) this.errors.push(e);
    if (errors.length) this.lastErrorAt = errors[errors.length - 1].start;
    this.pos = lo;
    decls.push(decl);
    this.sameAs.set(decl, trace.decl);
    this.traces.push({ decl, start, stop, horizon: trace.horizon, errors, cleanBefore: true });
    return true;
  }

  // ------------------------------------------------------------------------------------------
  // Tokens

  /** The kind of the token `k` places ahead (the `eof` token repeats at the end). */
  private kind(k = 0): number {
    return this.kinds[Math.min(this.pos + k, this.last)];
  }

  private at(kind: number): boolean {
    return this.kinds[this.pos] === kind;
  }

  /** Move past the current token (never past `eof`); returns its index. */
  private next(): number {
    const t = this.pos;
    if (this.kinds[t] !== T_EOF) this.pos++;
    return t;
  }

  private tokenText(t: number): string {
    return this.text.slice(this.starts[t], this.ends[t]);
  }

  /** True when token `t` is exactly `word`. */
  private isWord(t: number, word: string): boolean {
    return this.ends[t] - this.starts[t] === word.length && this.text.startsWith(word, this.starts[t]);
  }

  private isDeclKeyword(t: number): boolean {
    if (this.kinds[t] !== T_NAME) return false;
    for (const w of DECL_WORDS) if (this.isWord(t, w)) return true;
    return false;
  }

  private spanOf(t: number): Span {
    return { start: this.starts[t], end: this.ends[t] };
  }

  private ident(t: number): Ident {
    return { text: this.tokenText(t), start: this.starts[t], end: this.ends[t] };
  }

  private describe(t: number): string {
    const k = this.kinds[t];
    if (k === T_NEWLINE || k === T_EOF) return TOKEN_DESCRIPTION[TOKEN_KINDS[k]];
    return `\`${this.tokenText(t)}\``;
  }

  private error(span: Span, message: string): void {
    if (span.start <= this.lastErrorAt) return;
    this.errors.push({ start: span.start, end: Math.max(span.end, span.start), message });
    this.lastErrorAt = span.start;
  }

  private errorAt(t: number, message: string): void {
    this.error(this.spanOf(t), message);
  }

  private unexpected(expected: string): void {
    const t = this.pos;
    // The message is built only when it will be kept.
    if (this.starts[t] <= this.lastErrorAt) return;
    const what = this.kinds[t] === T_INVALID ? `unexpected character \`${this.tokenText(t)}\`` : `unexpected ${this.describe(t)}`;
    this.errorAt(t, `${what}: expected ${expected}`);
  }

  // ------------------------------------------------------------------------------------------
  // File level

  parseFile(reuse?: ParseReuse): Decl[] {
    const decls: Decl[] = [];
    for (;;) {
      while (this.at(T_NEWLINE) || this.at(T_SEMI) || this.at(T_COMMA)) this.next();
      if (this.at(T_EOF)) break;
      if (this.isDeclKeyword(this.pos)) {
        const start = this.starts[this.pos];
        if (reuse && this.reuseDecl(reuse, start, decls)) continue;
        const cleanBefore = this.lastErrorAt < start;
        const errorsBefore = this.errors.length;
        const d = this.parseDecl();
        if (d) {
          decls.push(d);
          this.traces.push({ decl: d, start, stop: this.starts[this.pos], horizon: this.ends[Math.min(this.pos + LOOKAHEAD, this.last)], errors: this.errors.slice(errorsBefore), cleanBefore });
        }
        continue;
      }
      this.unexpected('a declaration (hardware, mesh, model, workload, ffn, attention, unembed or layout)');
      this.recoverToDecl();
    }
    return decls;
  }

  /** Skip to the next token that can start a declaration at the top level. */
  private recoverToDecl(): void {
    let depth = 0;
    let lineStart = false;
    for (;;) {
      const k = this.kind();
      if (k === T_EOF) return;
      if (depth === 0 && lineStart && this.isDeclKeyword(this.pos)) return;
      if (k === T_LBRACE) depth++;
      if (k === T_RBRACE) depth = Math.max(0, depth - 1);
      lineStart = k === T_NEWLINE || (k === T_RBRACE && depth === 0);
      this.next();
    }
  }

  private parseDecl(): Decl | undefined {
    const kw = this.next();
    const kind = this.tokenText(kw) as RecordKind | BlockKind;
    if (!this.at(T_NAME)) {
      this.unexpected(`the name of the ${kind}`);
      this.recoverToDecl();
      return undefined;
    }
    const name = this.ident(this.next());
    let base: Ident | undefined;
    if (this.at(T_EQ)) {
      this.next();
      if (this.at(T_NAME)) base = this.ident(this.next());
      else this.unexpected(`the name of a ${kind} to start from`);
    }
    const isBlock = kind === 'ffn' || kind === 'attention' || kind === 'unembed';
    if (isBlock) {
      const decl: BlockDecl = { kind, keyword: this.spanOf(kw), name, base, stmts: [], body: undefined, start: this.starts[kw], end: name.end, source: this.source };
      if (!this.at(T_LBRACE)) {
        this.unexpected(`\`{\` to open the ${kind} block`);
        this.recoverToDecl();
        return decl;
      }
      const open = this.next();
      const close = this.parseStatements(decl.stmts, kind, name.text);
      decl.stmts = compact(decl.stmts);
      decl.body = { start: this.starts[open], end: close };
      decl.end = close;
      return decl;
    }
    const decl: RecordDecl = { kind: kind as RecordKind, keyword: this.spanOf(kw), name, base, fields: [], body: undefined, start: this.starts[kw], end: (base ?? name).end, source: this.source };
    if (this.at(T_LBRACE)) {
      const open = this.next();
      const close = this.parseFields(decl.fields, 0, `${kind} ${name.text}`);
      decl.fields = compact(decl.fields);
      decl.body = { start: this.starts[open], end: close };
      decl.end = close;
    } else if (!this.atDeclEnd()) {
      this.unexpected(base ? `\`{\` or end of line` : `\`=\` or \`{\``);
      this.recoverToDecl();
    }
    return decl;
  }

  private atDeclEnd(): boolean {
    const k = this.kind();
    return k === T_NEWLINE || k === T_EOF || k === T_SEMI;
  }

  /** True when the current token looks like the start of a new top-level declaration. */
  private atNewDecl(): boolean {
    if (!this.isDeclKeyword(this.pos)) return false;
    if (this.kind(1) !== T_NAME) return false;
    const k2 = this.kind(2);
    return k2 === T_LBRACE || k2 === T_EQ;
  }

  // ------------------------------------------------------------------------------------------
  // Records

  /** Parses fields up to the closing `}`; returns the end offset of the body. */
  private parseFields(out: Field[], depth: number, owner: string): number {
    for (;;) {
      while (this.at(T_NEWLINE) || this.at(T_COMMA) || this.at(T_SEMI)) this.next();
      const t = this.pos;
      const k = this.kinds[t];
      if (k === T_RBRACE) {
        this.next();
        return this.ends[t];
      }
      if (k === T_EOF) {
        this.errorAt(t, `expected \`}\` to close ${owner}`);
        return this.starts[t];
      }
      if (depth === 0 && this.atNewDecl()) {
        this.errorAt(t, `expected \`}\` to close ${owner} before this declaration`);
        return this.starts[t];
      }
      if (k !== T_NAME && k !== T_UPPER) {
        this.unexpected('a field name');
        this.recoverToField();
        continue;
      }
      const field = this.parseField(depth, owner);
      if (field) out.push(field);
      // A field must be followed by a separator or the closing brace.
      const after = this.kind();
      if (after !== T_NEWLINE && after !== T_COMMA && after !== T_SEMI && after !== T_RBRACE && after !== T_EOF) {
        this.unexpected('`,`, `;`, a new line or `}` after the field');
        this.recoverToField();
      }
    }
  }

  /** Skip to the next field separator or the closing brace of the current record. */
  private recoverToField(): void {
    let depth = 0;
    for (;;) {
      const k = this.kind();
      if (k === T_EOF) return;
      if (depth === 0 && (k === T_NEWLINE || k === T_COMMA || k === T_SEMI || k === T_RBRACE)) return;
      if (k === T_LBRACE) depth++;
      if (k === T_RBRACE) depth--;
      this.next();
    }
  }

  private parseField(depth: number, owner: string): Field | undefined {
    const name = this.ident(this.next());
    if (this.at(T_LBRACE)) {
      // `prefill { … }`, `workload { … }`: a record-valued field.
      const open = this.next();
      if (depth + 1 >= MAX_DEPTH) {
        this.errorAt(open, `records nest too deeply (more than ${MAX_DEPTH} levels)`);
        this.skipBraces();
        return undefined;
      }
      const fields: Field[] = [];
      const close = this.parseFields(fields, depth + 1, `\`${name.text}\` in ${owner}`);
      return { name, value: { kind: 'record', fields: compact(fields), start: this.starts[open], end: close }, start: name.start, end: close };
    }
    if (!this.at(T_EQ)) {
      this.unexpected(`\`=\` after the field \`${name.text}\``);
      this.recoverToField();
      return undefined;
    }
    this.next();
    const value = this.parseValue(depth, owner, name.text);
    return { name, value, start: name.start, end: value.end };
  }

  private skipBraces(): void {
    let depth = 1;
    while (depth > 0 && !this.at(T_EOF)) {
      const k = this.kinds[this.next()];
      if (k === T_LBRACE) depth++;
      if (k === T_RBRACE) depth--;
    }
  }

  private parseValue(depth: number, owner: string, fieldName: string): Value {
    const t = this.pos;
    const k = this.kinds[t];
    const start = this.starts[t];
    const end = this.ends[t];
    if (k === T_NUMBER) {
      this.next();
      const numeralEnd = this.tokens.numeralEnds[t];
      const numeral = this.text.slice(start, numeralEnd);
      let unit: Ident | undefined;
      if (end > numeralEnd) {
        const from = unitStart(this.text, numeralEnd);
        unit = { text: this.text.slice(from, end), start: from, end };
      }
      return { kind: 'number', value: Number(numeral), text: numeral, unit, start, end };
    }
    if (k === T_NAME) {
      this.next();
      const v: Value = { kind: 'name', name: this.ident(t), overrides: undefined, body: undefined, start, end };
      if (this.at(T_LBRACE)) {
        const open = this.next();
        if (depth + 1 >= MAX_DEPTH) {
          this.errorAt(open, `records nest too deeply (more than ${MAX_DEPTH} levels)`);
          this.skipBraces();
          return v;
        }
        const fields: Field[] = [];
        const close = this.parseFields(fields, depth + 1, `\`${fieldName}\` in ${owner}`);
        v.overrides = compact(fields);
        v.body = { start: this.starts[open], end: close };
        v.end = close;
      }
      return v;
    }
    if (k === T_LBRACE) {
      const open = this.next();
      if (depth + 1 >= MAX_DEPTH) {
        this.errorAt(open, `records nest too deeply (more than ${MAX_DEPTH} levels)`);
        this.skipBraces();
        return { kind: 'missing', start, end };
      }
      const fields: Field[] = [];
      const close = this.parseFields(fields, depth + 1, `\`${fieldName}\` in ${owner}`);
      return { kind: 'record', fields: compact(fields), start, end: close };
    }
    this.unexpected(`a value for \`${fieldName}\``);
    return { kind: 'missing', start, end: start };
  }

  // ------------------------------------------------------------------------------------------
  // Blocks

  private parseStatements(out: Stmt[], kind: BlockKind, blockName: string): number {
    for (;;) {
      while (this.at(T_NEWLINE) || this.at(T_SEMI)) this.next();
      const t = this.pos;
      const k = this.kinds[t];
      if (k === T_RBRACE) {
        this.next();
        return this.ends[t];
      }
      if (k === T_EOF) {
        this.errorAt(t, `expected \`}\` to close ${kind} ${blockName}`);
        return this.starts[t];
      }
      if (this.atNewDecl()) {
        this.errorAt(t, `expected \`}\` to close ${kind} ${blockName} before this declaration`);
        return this.starts[t];
      }
      const stmt = this.parseStatement();
      if (stmt) out.push(stmt);
      const after = this.kind();
      const separated = after === T_NEWLINE || after === T_SEMI || after === T_RBRACE || after === T_EOF;
      if (stmt && !separated) this.unexpected('a new line or `;` after the statement');
      if (!stmt || !separated) this.recoverToStatement();
    }
  }

  private recoverToStatement(): void {
    let depth = 0;
    for (;;) {
      const k = this.kind();
      if (k === T_EOF) return;
      if (depth === 0 && (k === T_NEWLINE || k === T_SEMI || k === T_RBRACE)) return;
      if (k === T_LBRACE) depth++;
      if (k === T_RBRACE) depth--;
      this.next();
    }
  }

  private parseStatement(): Stmt | undefined {
    const t = this.pos;
    if (this.kinds[t] !== T_NAME) {
      this.unexpected('a statement (`in`, `weight`, `cache`, `NAME = OP(…)` or `out`)');
      return undefined;
    }
    const isKeyword = this.kind(1) !== T_EQ;
    if (isKeyword && (this.isWord(t, 'in') || this.isWord(t, 'weight') || this.isWord(t, 'cache'))) return this.parseDeclStmt();
    if (isKeyword && this.isWord(t, 'out')) {
      const kw = this.next();
      const stmt: OutStmt = { kind: 'out', keyword: this.spanOf(kw), name: undefined, start: this.starts[kw], end: this.ends[kw] };
      if (this.at(T_NAME)) {
        stmt.name = this.ident(this.next());
        stmt.end = stmt.name.end;
      } else this.unexpected('the name of the value the block outputs');
      return stmt;
    }
    if (!isKeyword) return this.parseLet();
    this.next();
    const word = this.tokenText(t);
    this.errorAt(this.pos, `unexpected ${this.describe(this.pos)}: expected \`=\` after \`${word}\` (a statement is \`${word} = OP(ARGS) : TYPE\`)`);
    return undefined;
  }

  private parseDeclStmt(): DeclStmt | undefined {
    const kw = this.next();
    const kind = this.tokenText(kw) as 'in' | 'weight' | 'cache';
    const stmt: DeclStmt = { kind, keyword: this.spanOf(kw), names: [], type: undefined, start: this.starts[kw], end: this.ends[kw] };
    for (;;) {
      if (!this.at(T_NAME)) {
        this.unexpected(`the name of the ${kind === 'in' ? 'input' : kind}`);
        stmt.names = compact(stmt.names);
        return stmt.names.length ? stmt : undefined;
      }
      const nm = this.ident(this.next());
      stmt.names.push(nm);
      stmt.end = nm.end;
      if (!this.at(T_COMMA)) break;
      this.next();
    }
    stmt.names = compact(stmt.names);
    if (!this.at(T_COLON)) {
      this.unexpected(`\`:\` and the type of \`${stmt.names[stmt.names.length - 1].text}\``);
      return stmt;
    }
    this.next();
    const type = this.parseType();
    if (type) {
      stmt.type = type;
      stmt.end = type.end;
    }
    return stmt;
  }

  private parseLet(): LetStmt | undefined {
    const name = this.ident(this.next());
    const eq = this.spanOf(this.next());
    if (!this.at(T_NAME)) {
      this.unexpected('an operation such as `einsum(a, b)`');
      return undefined;
    }
    const op = this.ident(this.next());
    if (!this.at(T_LPAREN)) {
      this.unexpected(`\`(\` after \`${op.text}\``);
      return undefined;
    }
    const open = this.starts[this.next()];
    const args: Ident[] = [];
    let close: number;
    for (;;) {
      if (this.at(T_RPAREN)) {
        close = this.ends[this.next()];
        break;
      }
      if (!this.at(T_NAME)) {
        this.unexpected(args.length ? 'an argument or `)`' : 'an argument');
        const at = this.starts[this.pos];
        return { kind: 'let', name, eq, op, args: compact(args), argsSpan: { start: open, end: at }, annotation: undefined, incomplete: true, start: name.start, end: at };
      }
      args.push(this.ident(this.next()));
      if (this.at(T_COMMA)) {
        this.next();
        if (this.at(T_RPAREN)) {
          this.unexpected('an argument after `,`');
          const at = this.ends[this.pos];
          return { kind: 'let', name, eq, op, args: compact(args), argsSpan: { start: open, end: at }, annotation: undefined, incomplete: true, start: name.start, end: at };
        }
        continue;
      }
      if (this.at(T_RPAREN)) continue;
      this.unexpected('`,` or `)`');
      const at = this.starts[this.pos];
      return { kind: 'let', name, eq, op, args: compact(args), argsSpan: { start: open, end: at }, annotation: undefined, incomplete: true, start: name.start, end: at };
    }
    const stmt: LetStmt = { kind: 'let', name, eq, op, args: compact(args), argsSpan: { start: open, end: close }, annotation: undefined, incomplete: undefined, start: name.start, end: close };
    if (this.at(T_COLON)) {
      this.next();
      const type = this.parseType();
      if (type) {
        stmt.annotation = type;
        stmt.end = type.end;
      }
    }
    return stmt;
  }

  // ------------------------------------------------------------------------------------------
  // Types

  /** Dimension groups (`BLE_xyz`, `E_x F_yz`) then an optional `(partialsum-AXES)`. */
  parseType(): TypeExpr | undefined {
    if (!this.at(T_UPPER)) {
      this.unexpected('a tensor type such as `BLE_xyz`');
      return undefined;
    }
    const dims: DimGroup[] = [];
    const start = this.starts[this.pos];
    let end = start;
    while (this.at(T_UPPER)) {
      const t = this.next();
      if (!this.splitGroups(t, dims)) return undefined;
      end = this.ends[t];
    }
    const type: TypeExpr = { dims: compact(dims), partialsum: undefined, start, end };
    if (this.at(T_LPAREN)) {
      const open = this.next();
      if (!this.at(T_NAME) || !this.isWord(this.pos, 'partialsum')) {
        this.unexpected('`partialsum-AXES`');
        return type;
      }
      this.next();
      if (!this.at(T_MINUS)) {
        this.unexpected('`-` and the axes, as in `(partialsum-x)`');
        return type;
      }
      this.next();
      if (!this.at(T_NAME) || !this.allLower(this.pos)) {
        this.unexpected('the axes that are still to be summed, as in `(partialsum-x)`');
        return type;
      }
      const axesTok = this.next();
      const axes: AxisRef[] = [];
      for (let i = this.starts[axesTok]; i < this.ends[axesTok]; i++) axes.push({ letter: this.text[i], start: i, end: i + 1 });
      if (!this.at(T_RPAREN)) {
        this.unexpected('`)`');
        return type;
      }
      const close = this.next();
      const ps: PartialsumExpr = { axes: compact(axes), start: this.starts[open], end: this.ends[close] };
      type.partialsum = ps;
      type.end = this.ends[close];
    }
    return type;
  }

  /** True when token `t` is letters `a`–`z` only. */
  private allLower(t: number): boolean {
    for (let i = this.starts[t]; i < this.ends[t]; i++) {
      const c = this.text.charCodeAt(i);
      if (c < 97 || c > 122) return false;
    }
    return true;
  }

  /** Split one `upper` token such as `E_xF_yz` into dimension groups with exact spans. */
  private splitGroups(t: number, out: DimGroup[]): boolean {
    const text = this.text;
    const end = this.ends[t];
    let i = this.starts[t];
    while (i < end) {
      const c = text.charCodeAt(i);
      if (!(c >= 65 && c <= 90)) {
        const ch = text[i];
        const at = { start: i, end: i + 1 };
        if (c >= 97 && c <= 122) this.error(at, `unexpected \`${ch}\` in a tensor type: axis letters follow \`_\` (as in \`E_${ch}\`)`);
        else this.error(at, `unexpected \`${ch}\` in a tensor type: expected a dimension letter`);
        return false;
      }
      const letter = text[i];
      const group: DimGroup = new DimGroupNode(letter, i);
      i++;
      if (i < end && text.charCodeAt(i) === 95 /* _ */) {
        i++;
        const a = i < end ? text.charCodeAt(i) : 0;
        if (!(a >= 97 && a <= 122)) {
          this.error({ start: i - 1, end: i }, `expected axis letters after \`_\` in \`${letter}_\``);
          return false;
        }
        while (i < end) {
          const x = text.charCodeAt(i);
          if (x < 97 || x > 122) break;
          group.axes.push({ letter: text[i], start: i, end: i + 1 });
          i++;
        }
        group.axes = compact(group.axes);
        group.end = i;
      }
      out.push(group);
    }
    return true;
  }
}

export function parse(source: SourceFile): File {
  return parseIncremental(source);
}

// ---------------------------------------------------------------------------------------------
// Incremental parsing: an editor re-parses its file at every change, and most declarations are
// untouched. A parse keeps, per declaration, where it started and stopped; the next version's
// parse takes a declaration whose text (and the few tokens after it the parser looked at) is
// unchanged at the same offsets instead of parsing it again: every declaration before the change,
// and after it too when the change kept the text's length (a character typed over another).
// Declarations that moved are parsed again: spans are absolute offsets, and a copy with moved
// spans measured no faster than parsing (its objects lose the parser's shapes).

/** The parser looks at most this many tokens past the one it stops at (`atNewDecl`). */
const LOOKAHEAD = 2;

interface DeclTrace {
  decl: Decl;
  /** The keyword's offset. */
  start: number;
  /** The offset of the token the parse stopped at. */
  stop: number;
  /** The end of the last token the parse may have looked at. */
  horizon: number;
  /** The syntax errors reported while parsing it. */
  errors: SyntaxError[];
  /** No error had been reported at or after `start` when its parse began. */
  cleanBefore: boolean;
}

interface ParseReuse {
  /** The previous parse's traces, by ascending start, and the first one not yet passed. */
  traces: readonly DeclTrace[];
  cursor: number;
  /** Length of the text both versions start with, where the text they end with starts in the previous one, and the change in length. */
  prefix: number;
  suffixStart: number;
  delta: number;
  identical: boolean;
}

interface ParseRecord {
  traces: DeclTrace[];
  sameAs: Map<Decl, Decl>;
  /** The tokens and comments of the text, for the next version's `relex`. */
  lexed: LexResult;
}

const records = new WeakMap<File, ParseRecord>();

/**
 * Parse `source`, reusing what the parse of `previous` (an earlier version of the same text,
 * parsed by this function) found for the declarations the change did not touch. The result is
 * the same as `parse(source)`.
 */
export function parseIncremental(source: SourceFile, previous?: File): File {
  const before = previous && records.get(previous);
  const reuse = before ? reuseFrom(previous.source.text, source.text, before) : undefined;
  // The lines the change left alone keep their tokens (lexer.ts `relex`).
  const lexed = before && reuse ? relex(source.text, before.lexed, previous.source.text.length, reuse.prefix, reuse.suffixStart) : lex(source.text);
  const { tokens, comments } = lexed;
  const parser = new Parser(tokens, source.text, source);
  const decls = parser.parseFile(reuse);
  const file: File = { source, decls, errors: parser.errors, comments };
  records.set(file, { traces: parser.traces, sameAs: parser.sameAs, lexed });
  return file;
}

/** The previous version's declaration that `decl` was taken from unchanged (same text, same offsets). */
export function previousDecl(file: File, decl: Decl): Decl | undefined {
  return records.get(file)?.sameAs.get(decl);
}

function reuseFrom(oldText: string, newText: string, record: ParseRecord): ParseReuse {
  const max = Math.min(oldText.length, newText.length);
  // Whole chunks first (a substring comparison runs natively), then character by character.
  const CHUNK = 512;
  let prefix = 0;
  while (prefix + CHUNK <= max && oldText.slice(prefix, prefix + CHUNK) === newText.slice(prefix, prefix + CHUNK)) prefix += CHUNK;
  while (prefix < max && oldText.charCodeAt(prefix) === newText.charCodeAt(prefix)) prefix++;
  let suffix = 0;
  const o = oldText.length;
  const n = newText.length;
  while (suffix + CHUNK <= max - prefix && oldText.slice(o - suffix - CHUNK, o - suffix) === newText.slice(n - suffix - CHUNK, n - suffix)) suffix += CHUNK;
  while (suffix < max - prefix && oldText.charCodeAt(o - 1 - suffix) === newText.charCodeAt(n - 1 - suffix)) suffix++;
  const identical = oldText.length === newText.length && prefix === oldText.length;
  return { traces: record.traces, cursor: 0, prefix, suffixStart: oldText.length - suffix, delta: newText.length - oldText.length, identical };
}

/** Parse a standalone type such as `BLF_yz (partialsum-x)` (tests, quick fixes, the search). */
export function parseTypeText(text: string): { type?: TypeExpr; errors: SyntaxError[] } {
  const { tokens } = lex(text);
  const parser = new Parser(tokens, text, { uri: '<type>', text, isPrelude: false });
  const type = parser.parseType();
  return { type, errors: parser.errors };
}
