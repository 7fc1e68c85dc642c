// The tokenizer for `.shard` text (spec/language.md §1).
//
// Newlines are tokens because they separate fields and statements. A number swallows the unit
// that follows it on the same line (`275 TFLOP/s`, `32GiB`, `30%`), unless that word is itself
// followed by `=` (then it is the next field's name and the separator is missing).

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

export interface Token extends Span {
  kind: TokenKind;
  text: string;
  /** number tokens: the unit written after it, if any. */
  unit?: { text: string; start: number; end: number };
  /** number tokens: the numeral text (without unit). */
  numeral?: { text: string; start: number; end: number };
}

const PUNCT: Record<string, TokenKind> = {
  '{': 'lbrace',
  '}': 'rbrace',
  '(': 'lparen',
  ')': 'rparen',
  '=': 'eq',
  ':': 'colon',
  ',': 'comma',
  ';': 'semi',
  '-': 'minus',
};

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

export interface LexResult {
  tokens: Token[];
  comments: Span[];
}

export function lex(text: string): LexResult {
  const tokens: Token[] = [];
  const comments: Span[] = [];
  const n = text.length;
  let i = 0;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (c === 32 || c === 9 || c === 0xfeff) {
      i++;
      continue;
    }
    if (c === 10 || c === 13) {
      const start = i;
      i += c === 13 && text.charCodeAt(i + 1) === 10 ? 2 : 1;
      tokens.push({ kind: 'newline', text: '\n', start, end: i });
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
      tokens.push({ kind: 'name', text: text.slice(start, i), start, end: i });
      continue;
    }
    if (isUpper(c)) {
      const start = i;
      while (i < n && (isLetter(text.charCodeAt(i)) || text.charCodeAt(i) === 95)) i++;
      tokens.push({ kind: 'upper', text: text.slice(start, i), start, end: i });
      continue;
    }
    if (isDigit(c)) {
      i = lexNumber(text, i, tokens);
      continue;
    }
    const kind = PUNCT[text[i]];
    if (kind) {
      tokens.push({ kind, text: text[i], start: i, end: i + 1 });
      i++;
      continue;
    }
    // Anything else is one invalid character (a whole surrogate pair counts as one).
    // A surrogate pair is one character; a lone surrogate is one code unit of its own.
    const next = i + 1 < n ? text.charCodeAt(i + 1) : 0;
    const width = c >= 0xd800 && c <= 0xdbff && next >= 0xdc00 && next <= 0xdfff ? 2 : 1;
    tokens.push({ kind: 'invalid', text: text.slice(i, i + width), start: i, end: i + width });
    i += width;
  }
  tokens.push({ kind: 'eof', text: '', start: n, end: n });
  return { tokens, comments };
}

function lexNumber(text: string, start: number, tokens: Token[]): number {
  const n = text.length;
  let i = start;
  while (i < n && isDigit(text.charCodeAt(i))) i++;
  if (text[i] === '.' && isDigit(text.charCodeAt(i + 1))) {
    i++;
    while (i < n && isDigit(text.charCodeAt(i))) i++;
  }
  if ((text[i] === 'e' || text[i] === 'E') && (isDigit(text.charCodeAt(i + 1)) || ((text[i + 1] === '+' || text[i + 1] === '-') && isDigit(text.charCodeAt(i + 2))))) {
    i += 2;
    while (i < n && isDigit(text.charCodeAt(i))) i++;
  }
  const numeral = { text: text.slice(start, i), start, end: i };
  const tok: Token = { kind: 'number', text: numeral.text, start, end: i, numeral };
  // A unit may follow, on the same line, with or without spaces.
  let j = i;
  while (j < n && (text.charCodeAt(j) === 32 || text.charCodeAt(j) === 9)) j++;
  if (text[j] === '%') {
    tok.unit = { text: '%', start: j, end: j + 1 };
    tok.end = j + 1;
    tok.text = text.slice(start, j + 1);
    tokens.push(tok);
    return j + 1;
  }
  if (j < n && isLetter(text.charCodeAt(j))) {
    let k = j;
    while (k < n && (isLetter(text.charCodeAt(k)) || text[k] === '/')) k++;
    // `E = 1024 F = 4096`: the word is the next field's name, not a unit.
    let m = k;
    while (m < n && (text.charCodeAt(m) === 32 || text.charCodeAt(m) === 9)) m++;
    const nextIsEq = text[m] === '=';
    // `4x` directly followed by name chars like `_` or digits is not a unit either.
    const glued = k < n && (isDigit(text.charCodeAt(k)) || text.charCodeAt(k) === 95);
    if (!nextIsEq && !glued) {
      tok.unit = { text: text.slice(j, k), start: j, end: k };
      tok.end = k;
      tok.text = text.slice(start, k);
      tokens.push(tok);
      return k;
    }
  }
  tokens.push(tok);
  return i;
}

export const DECL_KEYWORDS = new Set(['hardware', 'mesh', 'model', 'workload', 'layout', 'ffn', 'attention', 'unembed']);
