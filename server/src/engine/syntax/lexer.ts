// The tokenizer for `.shard` text (spec/language.md §1).
//
// Newlines are tokens because they separate fields and statements. A number swallows the unit
// that follows it on the same line (`275 TFLOP/s`, `32GiB`, `30%`), unless that word is itself
// followed by `=` (then it is the next field's name and the separator is missing).
//
// Tokens are kept as columns of typed arrays (kind, start, end), not as one object each: a
// 10,000-line file has some 80,000 tokens, and as objects they all stay alive until the parse
// ends, which makes every young-generation collection copy them. The parser reads a token's
// text from the source only where it needs it (names, error messages).

import type { Span } from './ast';

export type TokenKind =
  | 'name' // [a-z_][a-z0-9_]*
  | 'upper' // [A-Z][A-Za-z_]*: a dimension group run (`BLE_xyz`, `E_xF_yz`) or a dim field name
  | 'number'
  | 'lbrace'
  | 'rbrace'
  | 'lparen'
  | 'rparen'
  | 'eq'
  | 'colon'
  | 'comma'
  | 'semi'
  | 'minus'
  | 'newline'
  | 'invalid'
  | 'eof';

/** Token kinds as stored in `Tokens.kinds`; `TOKEN_KINDS[k]` is the kind's name. */
export const TOKEN_KINDS: readonly TokenKind[] = ['name', 'upper', 'number', 'lbrace', 'rbrace', 'lparen', 'rparen', 'eq', 'colon', 'comma', 'semi', 'minus', 'newline', 'invalid', 'eof'];
export const T_NAME = 0;
export const T_UPPER = 1;
export const T_NUMBER = 2;
export const T_LBRACE = 3;
export const T_RBRACE = 4;
export const T_LPAREN = 5;
export const T_RPAREN = 6;
export const T_EQ = 7;
export const T_COLON = 8;
export const T_COMMA = 9;
export const T_SEMI = 10;
export const T_MINUS = 11;
export const T_NEWLINE = 12;
export const T_INVALID = 13;
export const T_EOF = 14;

/** The tokens of a text, one column per property; the last token is always `eof`. */
export interface Tokens {
  count: number;
  kinds: Uint8Array;
  starts: Int32Array;
  ends: Int32Array;
  /** Number tokens: where the numeral ends (a unit, if written, follows it up to `ends`). */
  numeralEnds: Int32Array;
}

export interface LexResult {
  tokens: Tokens;
  comments: Span[];
}

function isLower(c: number): boolean {
  return c >= 97 && c <= 122;
}
function isUpper(c: number): boolean {
  return c >= 65 && c <= 90;
}
function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}
function isNameChar(c: number): boolean {
  return isLower(c) || isDigit(c) || c === 95;
}
function isLetter(c: number): boolean {
  return isLower(c) || isUpper(c);
}

function punctuation(c: number): number {
  switch (c) {
    case 123: // {
      return T_LBRACE;
    case 125: // }
      return T_RBRACE;
    case 40: // (
      return T_LPAREN;
    case 41: // )
      return T_RPAREN;
    case 61: // =
      return T_EQ;
    case 58: // :
      return T_COLON;
    case 44: // ,
      return T_COMMA;
    case 59: // ;
      return T_SEMI;
    case 45: // -
      return T_MINUS;
  }
  return -1;
}

class TokenWriter implements Tokens {
  count = 0;
  kinds: Uint8Array;
  starts: Int32Array;
  ends: Int32Array;
  numeralEnds: Int32Array;

  constructor(capacity: number) {
    this.kinds = new Uint8Array(capacity);
    this.starts = new Int32Array(capacity);
    this.ends = new Int32Array(capacity);
    this.numeralEnds = new Int32Array(capacity);
  }

  push(kind: number, start: number, end: number): number {
    if (this.count === this.kinds.length) this.grow();
    const i = this.count++;
    this.kinds[i] = kind;
    this.starts[i] = start;
    this.ends[i] = end;
    return i;
  }

  /** Room for at least `size` tokens. */
  reserve(size: number): void {
    while (this.kinds.length < size) this.grow();
  }

  private grow(): void {
    const size = this.kinds.length * 2;
    const kinds = new Uint8Array(size);
    kinds.set(this.kinds);
    const starts = new Int32Array(size);
    starts.set(this.starts);
    const ends = new Int32Array(size);
    ends.set(this.ends);
    const numeralEnds = new Int32Array(size);
    numeralEnds.set(this.numeralEnds);
    this.kinds = kinds;
    this.starts = starts;
    this.ends = ends;
    this.numeralEnds = numeralEnds;
  }
}

export function lex(text: string): LexResult {
  const n = text.length;
  // About one token per four characters in real files; the columns grow when that is short.
  const out = new TokenWriter(Math.max(16, n >> 2));
  const comments: Span[] = [];
  lexFrom(text, 0, out, comments, n + 1);
  out.push(T_EOF, n, n);
  return { tokens: out, comments };
}

/**
 * Lexes `text` from `i` (a token boundary) into `out` and `comments`, up to its end, or up to a
 * line start past `stopAfter`: the first end of a newline token that ends with `\n` at or after
 * `stopAfter`, where it returns. No token spans a line break and the lexer carries no state from
 * one line to the next, so what follows such a point lexes the same whatever came before it.
 * Returns where it stopped (the text's length when it reached the end; no `eof` is pushed).
 */
function lexFrom(text: string, i: number, out: TokenWriter, comments: Span[], stopAfter: number): number {
  const n = text.length;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (c === 32 || c === 9 || c === 0xfeff) {
      i++;
      continue;
    }
    if (c === 10 || c === 13) {
      const start = i;
      i += c === 13 && text.charCodeAt(i + 1) === 10 ? 2 : 1;
      out.push(T_NEWLINE, start, i);
      if (i - 1 >= stopAfter && text.charCodeAt(i - 1) === 10) return i;
      continue;
    }
    if (c === 35 /* # */) {
      const start = i;
      while (i < n && text.charCodeAt(i) !== 10 && text.charCodeAt(i) !== 13) i++;
      comments.push({ start, end: i });
      continue;
    }
    if (isLower(c) || c === 95) {
      const start = i;
      while (i < n && isNameChar(text.charCodeAt(i))) i++;
      out.push(T_NAME, start, i);
      continue;
    }
    if (isUpper(c)) {
      const start = i;
      while (i < n && (isLetter(text.charCodeAt(i)) || text.charCodeAt(i) === 95)) i++;
      out.push(T_UPPER, start, i);
      continue;
    }
    if (isDigit(c)) {
      i = lexNumber(text, i, out);
      continue;
    }
    const kind = punctuation(c);
    if (kind >= 0) {
      out.push(kind, i, i + 1);
      i++;
      continue;
    }
    // Anything else is one invalid character (a whole surrogate pair counts as one).
    // A surrogate pair is one character; a lone surrogate is one code unit of its own.
    const next = i + 1 < n ? text.charCodeAt(i + 1) : 0;
    const width = c >= 0xd800 && c <= 0xdbff && next >= 0xdc00 && next <= 0xdfff ? 2 : 1;
    out.push(T_INVALID, i, i + width);
    i += width;
  }
  return n;
}

/** The first index in `starts[0, count)` (ascending) whose value is at least `offset`. */
function firstAtOrAfter(starts: ArrayLike<number>, count: number, offset: number): number {
  let lo = 0;
  let hi = count;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (starts[mid] < offset) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function firstCommentAtOrAfter(comments: readonly Span[], offset: number): number {
  let lo = 0;
  let hi = comments.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (comments[mid].start < offset) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * The tokens of `text`, an edit of the text `previous` lexed: the two agree on their first
 * `prefix` characters and on everything from `suffixStart` (an offset in the earlier text) to
 * their ends. Equal to `lex(text)`. Only the lines the edit touched are lexed again: the tokens
 * before the line where the change starts are copied, and once lexing is past the change at a
 * line start, the earlier tokens from the same line on are copied, shifted by the change in
 * length (an editor re-lexes a 14,000-line file at every keystroke otherwise).
 */
export function relex(text: string, previous: LexResult, previousLength: number, prefix: number, suffixStart: number): LexResult {
  const n = text.length;
  const delta = n - previousLength;
  const old = previous.tokens;
  // The start of the line the change begins on (a token boundary after a `\n`, in both texts).
  let from = Math.min(prefix, n);
  while (from > 0 && text.charCodeAt(from - 1) !== 10) from--;
  const kept = firstAtOrAfter(old.starts, old.count, from);
  const out = new TokenWriter(Math.max(16, old.count + (delta > 0 ? delta >> 2 : 0) + 16));
  out.kinds.set(old.kinds.subarray(0, kept));
  out.starts.set(old.starts.subarray(0, kept));
  out.ends.set(old.ends.subarray(0, kept));
  out.numeralEnds.set(old.numeralEnds.subarray(0, kept));
  out.count = kept;
  const comments = previous.comments.slice(0, firstCommentAtOrAfter(previous.comments, from));
  // Lexing may stop at a line start whose `\n` lies in the unchanged end of the text.
  const stop = lexFrom(text, from, out, comments, suffixStart + delta);
  if (stop >= n) {
    out.push(T_EOF, n, n);
    return { tokens: out, comments };
  }
  const at = stop - delta;
  const first = firstAtOrAfter(old.starts, old.count, at);
  const base = out.count;
  out.reserve(base + old.count - first);
  out.kinds.set(old.kinds.subarray(first, old.count), base);
  out.starts.set(old.starts.subarray(first, old.count), base);
  out.ends.set(old.ends.subarray(first, old.count), base);
  out.numeralEnds.set(old.numeralEnds.subarray(first, old.count), base);
  out.count = base + old.count - first;
  // Only a number token has a numeral end (the others keep 0, as `lex` leaves them).
  if (delta !== 0) {
    for (let t = base; t < out.count; t++) {
      out.starts[t] += delta;
      out.ends[t] += delta;
      if (out.kinds[t] === T_NUMBER) out.numeralEnds[t] += delta;
    }
  }
  const rest = previous.comments;
  for (let c = firstCommentAtOrAfter(rest, at); c < rest.length; c++) comments.push(delta === 0 ? rest[c] : { start: rest[c].start + delta, end: rest[c].end + delta });
  return { tokens: out, comments };
}

function lexNumber(text: string, start: number, out: TokenWriter): number {
  const n = text.length;
  let i = start;
  while (i < n && isDigit(text.charCodeAt(i))) i++;
  if (text.charCodeAt(i) === 46 /* . */ && isDigit(text.charCodeAt(i + 1))) {
    i++;
    while (i < n && isDigit(text.charCodeAt(i))) i++;
  }
  const e = text.charCodeAt(i);
  if (e === 101 || e === 69 /* e E */) {
    const sign = text.charCodeAt(i + 1);
    if (isDigit(sign) || ((sign === 43 || sign === 45) /* + - */ && isDigit(text.charCodeAt(i + 2)))) {
      i += 2;
      while (i < n && isDigit(text.charCodeAt(i))) i++;
    }
  }
  const numeralEnd = i;
  let end = i;
  // A unit may follow, on the same line, with or without spaces.
  let j = i;
  while (j < n && (text.charCodeAt(j) === 32 || text.charCodeAt(j) === 9)) j++;
  if (text.charCodeAt(j) === 37 /* % */) {
    end = j + 1;
  } else if (j < n && isLetter(text.charCodeAt(j))) {
    let k = j;
    while (k < n && (isLetter(text.charCodeAt(k)) || text.charCodeAt(k) === 47 /* / */)) k++;
    // `E = 1024 F = 4096`: the word is the next field's name, not a unit.
    let m = k;
    while (m < n && (text.charCodeAt(m) === 32 || text.charCodeAt(m) === 9)) m++;
    const nextIsEq = text.charCodeAt(m) === 61;
    // `4x` directly followed by name chars like `_` or digits is not a unit either.
    const glued = k < n && (isDigit(text.charCodeAt(k)) || text.charCodeAt(k) === 95);
    if (!nextIsEq && !glued) end = k;
  }
  const t = out.push(T_NUMBER, start, end);
  out.numeralEnds[t] = numeralEnd;
  return end;
}

/** Where the unit of a number token starts: the first character after its numeral's spaces. */
export function unitStart(text: string, numeralEnd: number): number {
  let j = numeralEnd;
  while (text.charCodeAt(j) === 32 || text.charCodeAt(j) === 9) j++;
  return j;
}

