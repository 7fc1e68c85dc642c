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
import { DECL_KEYWORDS, lex, type Token, type TokenKind } from './lexer';

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

function describe(t: Token): string {
  if (t.kind === 'newline' || t.kind === 'eof') return TOKEN_DESCRIPTION[t.kind];
  return `\`${t.text}\``;
}

class Parser {
  private pos = 0;
  readonly errors: SyntaxError[] = [];
  /** The end of the last error, so that one bad token yields one error. */
  private lastErrorAt = -1;

  constructor(
    private readonly tokens: Token[],
    private readonly source: SourceFile,
  ) {}

  private get tok(): Token {
    return this.tokens[this.pos];
  }

  private peek(k = 1): Token {
    return this.tokens[Math.min(this.pos + k, this.tokens.length - 1)];
  }

  private next(): Token {
    const t = this.tokens[this.pos];
    if (t.kind !== 'eof') this.pos++;
    return t;
  }

  private at(kind: TokenKind): boolean {
    return this.tok.kind === kind;
  }

  private error(span: Span, message: string): void {
    if (span.start <= this.lastErrorAt) return;
    this.errors.push({ start: span.start, end: Math.max(span.end, span.start), message });
    this.lastErrorAt = span.start;
  }

  private unexpected(expected: string): void {
    const t = this.tok;
    const what = t.kind === 'invalid' ? `unexpected character \`${t.text}\`` : `unexpected ${describe(t)}`;
    this.error(t, `${what}: expected ${expected}`);
  }

  private ident(t: Token): Ident {
    return { text: t.text, start: t.start, end: t.end };
  }

  // ------------------------------------------------------------------------------------------
  // File level

  parseFile(): Decl[] {
    const decls: Decl[] = [];
    for (;;) {
      while (this.at('newline') || this.at('semi') || this.at('comma')) this.next();
      if (this.at('eof')) break;
      const t = this.tok;
      if (t.kind === 'name' && DECL_KEYWORDS.has(t.text)) {
        const d = this.parseDecl();
        if (d) decls.push(d);
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
      const t = this.tok;
      if (t.kind === 'eof') return;
      if (depth === 0 && lineStart && t.kind === 'name' && DECL_KEYWORDS.has(t.text)) return;
      if (t.kind === 'lbrace') depth++;
      if (t.kind === 'rbrace') depth = Math.max(0, depth - 1);
      lineStart = t.kind === 'newline' || (t.kind === 'rbrace' && depth === 0);
      this.next();
    }
  }

  private parseDecl(): Decl | undefined {
    const kw = this.next();
    const kind = kw.text as RecordKind | BlockKind;
    if (!this.at('name')) {
      this.unexpected(`the name of the ${kind}`);
      this.recoverToDecl();
      return undefined;
    }
    const name = this.ident(this.next());
    let base: Ident | undefined;
    if (this.at('eq')) {
      this.next();
      if (this.at('name')) base = this.ident(this.next());
      else this.unexpected(`the name of a ${kind} to start from`);
    }
    const isBlock = kind === 'ffn' || kind === 'attention' || kind === 'unembed';
    if (isBlock) {
      const decl: BlockDecl = { kind, keyword: span(kw), name, base, stmts: [], start: kw.start, end: name.end, source: this.source };
      if (!this.at('lbrace')) {
        this.unexpected(`\`{\` to open the ${kind} block`);
        this.recoverToDecl();
        return decl;
      }
      const open = this.next();
      const close = this.parseStatements(decl.stmts, kind, name.text);
      decl.body = { start: open.start, end: close };
      decl.end = close;
      return decl;
    }
    const decl: RecordDecl = { kind: kind as RecordKind, keyword: span(kw), name, base, fields: [], start: kw.start, end: (base ?? name).end, source: this.source };
    if (this.at('lbrace')) {
      const open = this.next();
      const close = this.parseFields(decl.fields, 0, `${kind} ${name.text}`);
      decl.body = { start: open.start, end: close };
      decl.end = close;
    } else if (!this.atDeclEnd()) {
      this.unexpected(base ? `\`{\` or end of line` : `\`=\` or \`{\``);
      this.recoverToDecl();
    }
    return decl;
  }

  private atDeclEnd(): boolean {
    const k = this.tok.kind;
    return k === 'newline' || k === 'eof' || k === 'semi';
  }

  /** True when the current token looks like the start of a new top-level declaration. */
  private atNewDecl(): boolean {
    const t = this.tok;
    if (t.kind !== 'name' || !DECL_KEYWORDS.has(t.text)) return false;
    const n1 = this.peek(1);
    if (n1.kind !== 'name') return false;
    const n2 = this.peek(2);
    return n2.kind === 'lbrace' || n2.kind === 'eq';
  }

  // ------------------------------------------------------------------------------------------
  // Records

  /** Parses fields up to the closing `}`; returns the end offset of the body. */
  private parseFields(out: Field[], depth: number, owner: string): number {
    for (;;) {
      while (this.at('newline') || this.at('comma') || this.at('semi')) this.next();
      const t = this.tok;
      if (t.kind === 'rbrace') {
        this.next();
        return t.end;
      }
      if (t.kind === 'eof') {
        this.error(t, `expected \`}\` to close ${owner}`);
        return t.start;
      }
      if (depth === 0 && this.atNewDecl()) {
        this.error(t, `expected \`}\` to close ${owner} before this declaration`);
        return t.start;
      }
      if (t.kind !== 'name' && t.kind !== 'upper') {
        this.unexpected('a field name');
        this.recoverToField();
        continue;
      }
      const field = this.parseField(depth, owner);
      if (field) out.push(field);
      // A field must be followed by a separator or the closing brace.
      const k = this.tok.kind;
      if (k !== 'newline' && k !== 'comma' && k !== 'semi' && k !== 'rbrace' && k !== 'eof') {
        this.unexpected('`,`, `;`, a new line or `}` after the field');
        this.recoverToField();
      }
    }
  }

  /** Skip to the next field separator or the closing brace of the current record. */
  private recoverToField(): void {
    let depth = 0;
    for (;;) {
      const t = this.tok;
      if (t.kind === 'eof') return;
      if (depth === 0 && (t.kind === 'newline' || t.kind === 'comma' || t.kind === 'semi' || t.kind === 'rbrace')) return;
      if (t.kind === 'lbrace') depth++;
      if (t.kind === 'rbrace') depth--;
      this.next();
    }
  }

  private parseField(depth: number, owner: string): Field | undefined {
    const nameTok = this.next();
    const name = this.ident(nameTok);
    if (this.at('lbrace')) {
      // `prefill { … }`, `workload { … }`: a record-valued field.
      const open = this.next();
      if (depth + 1 >= MAX_DEPTH) {
        this.error(open, `records nest too deeply (more than ${MAX_DEPTH} levels)`);
        this.skipBraces();
        return undefined;
      }
      const fields: Field[] = [];
      const close = this.parseFields(fields, depth + 1, `\`${name.text}\` in ${owner}`);
      return { name, value: { kind: 'record', fields, start: open.start, end: close }, start: name.start, end: close };
    }
    if (!this.at('eq')) {
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
    while (depth > 0 && !this.at('eof')) {
      const t = this.next();
      if (t.kind === 'lbrace') depth++;
      if (t.kind === 'rbrace') depth--;
    }
  }

  private parseValue(depth: number, owner: string, fieldName: string): Value {
    const t = this.tok;
    if (t.kind === 'number') {
      this.next();
      const numeral = t.numeral!;
      return {
        kind: 'number',
        value: Number(numeral.text),
        text: numeral.text,
        unit: t.unit ? { text: t.unit.text, start: t.unit.start, end: t.unit.end } : undefined,
        start: t.start,
        end: t.end,
      };
    }
    if (t.kind === 'name') {
      this.next();
      const v: Value = { kind: 'name', name: this.ident(t), start: t.start, end: t.end };
      if (this.at('lbrace')) {
        const open = this.next();
        if (depth + 1 >= MAX_DEPTH) {
          this.error(open, `records nest too deeply (more than ${MAX_DEPTH} levels)`);
          this.skipBraces();
          return v;
        }
        const fields: Field[] = [];
        const close = this.parseFields(fields, depth + 1, `\`${fieldName}\` in ${owner}`);
        v.overrides = fields;
        v.body = { start: open.start, end: close };
        v.end = close;
      }
      return v;
    }
    if (t.kind === 'lbrace') {
      const open = this.next();
      if (depth + 1 >= MAX_DEPTH) {
        this.error(open, `records nest too deeply (more than ${MAX_DEPTH} levels)`);
        this.skipBraces();
        return { kind: 'missing', start: open.start, end: open.end };
      }
      const fields: Field[] = [];
      const close = this.parseFields(fields, depth + 1, `\`${fieldName}\` in ${owner}`);
      return { kind: 'record', fields, start: open.start, end: close };
    }
    this.unexpected(`a value for \`${fieldName}\``);
    return { kind: 'missing', start: t.start, end: t.start };
  }

  // ------------------------------------------------------------------------------------------
  // Blocks

  private parseStatements(out: Stmt[], kind: BlockKind, blockName: string): number {
    for (;;) {
      while (this.at('newline') || this.at('semi')) this.next();
      const t = this.tok;
      if (t.kind === 'rbrace') {
        this.next();
        return t.end;
      }
      if (t.kind === 'eof') {
        this.error(t, `expected \`}\` to close ${kind} ${blockName}`);
        return t.start;
      }
      if (this.atNewDecl()) {
        this.error(t, `expected \`}\` to close ${kind} ${blockName} before this declaration`);
        return t.start;
      }
      const stmt = this.parseStatement();
      if (stmt) out.push(stmt);
      const k = this.tok.kind;
      if (stmt && k !== 'newline' && k !== 'semi' && k !== 'rbrace' && k !== 'eof') {
        this.unexpected('a new line or `;` after the statement');
      }
      if (!stmt || (k !== 'newline' && k !== 'semi' && k !== 'rbrace' && k !== 'eof')) this.recoverToStatement();
    }
  }

  private recoverToStatement(): void {
    let depth = 0;
    for (;;) {
      const t = this.tok;
      if (t.kind === 'eof') return;
      if (depth === 0 && (t.kind === 'newline' || t.kind === 'semi' || t.kind === 'rbrace')) return;
      if (t.kind === 'lbrace') depth++;
      if (t.kind === 'rbrace') depth--;
      this.next();
    }
  }

  private parseStatement(): Stmt | undefined {
    const t = this.tok;
    if (t.kind !== 'name') {
      this.unexpected('a statement (`in`, `weight`, `cache`, `NAME = OP(…)` or `out`)');
      return undefined;
    }
    const isKeyword = this.peek().kind !== 'eq';
    if (isKeyword && (t.text === 'in' || t.text === 'weight' || t.text === 'cache')) return this.parseDeclStmt();
    if (isKeyword && t.text === 'out') {
      const kw = this.next();
      const stmt: OutStmt = { kind: 'out', keyword: span(kw), start: kw.start, end: kw.end };
      if (this.at('name')) {
        stmt.name = this.ident(this.next());
        stmt.end = stmt.name.end;
      } else this.unexpected('the name of the value the block outputs');
      return stmt;
    }
    if (this.peek().kind === 'eq') return this.parseLet();
    this.next();
    this.error(this.tok, `unexpected ${describe(this.tok)}: expected \`=\` after \`${t.text}\` (a statement is \`${t.text} = OP(ARGS) : TYPE\`)`);
    return undefined;
  }

  private parseDeclStmt(): DeclStmt | undefined {
    const kw = this.next();
    const kind = kw.text as 'in' | 'weight' | 'cache';
    const stmt: DeclStmt = { kind, keyword: span(kw), names: [], start: kw.start, end: kw.end };
    for (;;) {
      if (!this.at('name')) {
        this.unexpected(`the name of the ${kind === 'in' ? 'input' : kind}`);
        return stmt.names.length ? stmt : undefined;
      }
      const nm = this.ident(this.next());
      stmt.names.push(nm);
      stmt.end = nm.end;
      if (!this.at('comma')) break;
      this.next();
    }
    if (!this.at('colon')) {
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
    const eqTok = this.next();
    if (!this.at('name')) {
      this.unexpected('an operation such as `einsum(a, b)`');
      return undefined;
    }
    const op = this.ident(this.next());
    if (!this.at('lparen')) {
      this.unexpected(`\`(\` after \`${op.text}\``);
      return undefined;
    }
    const open = this.next();
    const args: Ident[] = [];
    let close = open.end;
    for (;;) {
      if (this.at('rparen')) {
        close = this.next().end;
        break;
      }
      if (!this.at('name')) {
        this.unexpected(args.length ? 'an argument or `)`' : 'an argument');
        return { kind: 'let', name, eq: span(eqTok), op, args, argsSpan: { start: open.start, end: this.tok.start }, start: name.start, end: this.tok.start, incomplete: true };
      }
      args.push(this.ident(this.next()));
      if (this.at('comma')) {
        this.next();
        if (this.at('rparen')) {
          this.unexpected('an argument after `,`');
          return { kind: 'let', name, eq: span(eqTok), op, args, argsSpan: { start: open.start, end: this.tok.end }, start: name.start, end: this.tok.end, incomplete: true };
        }
        continue;
      }
      if (this.at('rparen')) continue;
      this.unexpected('`,` or `)`');
      return { kind: 'let', name, eq: span(eqTok), op, args, argsSpan: { start: open.start, end: this.tok.start }, start: name.start, end: this.tok.start, incomplete: true };
    }
    const stmt: LetStmt = { kind: 'let', name, eq: span(eqTok), op, args, argsSpan: { start: open.start, end: close }, start: name.start, end: close };
    if (this.at('colon')) {
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
    if (!this.at('upper')) {
      this.unexpected('a tensor type such as `BLE_xyz`');
      return undefined;
    }
    const dims: DimGroup[] = [];
    const start = this.tok.start;
    let end = start;
    while (this.at('upper')) {
      const t = this.next();
      if (!this.splitGroups(t, dims)) return undefined;
      end = t.end;
    }
    const type: TypeExpr = { dims, start, end };
    if (this.at('lparen')) {
      const open = this.next();
      const word = this.tok;
      if (word.kind !== 'name' || word.text !== 'partialsum') {
        this.unexpected('`partialsum-AXES`');
        return type;
      }
      this.next();
      if (!this.at('minus')) {
        this.unexpected('`-` and the axes, as in `(partialsum-x)`');
        return type;
      }
      this.next();
      if (!this.at('name') || !/^[a-z]+$/.test(this.tok.text)) {
        this.unexpected('the axes that are still to be summed, as in `(partialsum-x)`');
        return type;
      }
      const axesTok = this.next();
      const axes: AxisRef[] = [];
      for (let i = 0; i < axesTok.text.length; i++) axes.push({ letter: axesTok.text[i], start: axesTok.start + i, end: axesTok.start + i + 1 });
      if (!this.at('rparen')) {
        this.unexpected('`)`');
        return type;
      }
      const close = this.next();
      const ps: PartialsumExpr = { axes, start: open.start, end: close.end };
      type.partialsum = ps;
      type.end = close.end;
    }
    return type;
  }

  /** Split one `upper` token such as `E_xF_yz` into dimension groups with exact spans. */
  private splitGroups(t: Token, out: DimGroup[]): boolean {
    const s = t.text;
    let i = 0;
    while (i < s.length) {
      const c = s[i];
      if (!(c >= 'A' && c <= 'Z')) {
        const at = { start: t.start + i, end: t.start + i + 1 };
        if (c >= 'a' && c <= 'z') this.error(at, `unexpected \`${c}\` in a tensor type: axis letters follow \`_\` (as in \`E_${c}\`)`);
        else this.error(at, `unexpected \`${c}\` in a tensor type: expected a dimension letter`);
        return false;
      }
      const group: DimGroup = { letter: c, letterSpan: { start: t.start + i, end: t.start + i + 1 }, axes: [], start: t.start + i, end: t.start + i + 1 };
      i++;
      if (s[i] === '_') {
        i++;
        if (!(s[i] >= 'a' && s[i] <= 'z')) {
          const at = { start: t.start + i - 1, end: t.start + i };
          this.error(at, `expected axis letters after \`_\` in \`${c}_\``);
          return false;
        }
        while (i < s.length && s[i] >= 'a' && s[i] <= 'z') {
          group.axes.push({ letter: s[i], start: t.start + i, end: t.start + i + 1 });
          i++;
        }
        group.end = t.start + i;
      }
      out.push(group);
    }
    return true;
  }
}

function span(t: Token): Span {
  return { start: t.start, end: t.end };
}

export function parse(source: SourceFile): File {
  const { tokens, comments } = lex(source.text);
  const parser = new Parser(tokens, source);
  const decls = parser.parseFile();
  return { source, decls, errors: parser.errors, comments };
}

/** Parse a standalone type such as `BLF_yz (partialsum-x)` (tests, quick fixes, the search). */
export function parseTypeText(text: string): { type?: TypeExpr; errors: SyntaxError[] } {
  const { tokens } = lex(text);
  const parser = new Parser(tokens, { uri: '<type>', text, isPrelude: false });
  const type = parser.parseType();
  return { type, errors: parser.errors };
}
