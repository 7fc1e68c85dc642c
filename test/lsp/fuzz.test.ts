// LSP-level fuzzing (issue 7): over a real JSON-RPC connection, random incremental edits (random
// ranges, some outside the document, text that includes line breaks of every kind, non-ASCII and
// lone surrogates) interleaved with position requests at random positions (some out of range).
// The server must answer every request without an error, within a time bound, with ranges that
// are valid in the document as the client holds it, and keep publishing valid diagnostics.
//
// The client's copy of the text applies edits with the same TextDocument the server uses, so both
// agree on how out-of-range edit positions are clamped. After each edit, though, its line table is
// built again from the new text (`applied`): the library's incremental update miscounts lines when
// an edit joins \r and \n into one break (see server/src/lsp/textSync.ts). Fixed seed;
// SHARDLENS_FUZZ_RUNS scales the number of steps, SHARDLENS_FUZZ_SEED replaces the seed.

import { readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TextDocument } from 'vscode-languageserver-textdocument';
import type { CodeLens, CompletionItem, CompletionList, Diagnostic, DocumentHighlight, DocumentSymbol, FoldingRange, Hover, InlayHint, Location, LocationLink, Position, Range, SelectionRange, SemanticTokens, SignatureHelp, TextDocumentContentChangeEvent, TextEdit } from 'vscode-languageserver-protocol';
import { TOKEN_MODIFIERS, TOKEN_TYPES } from '../../server/src/engine/features/semanticTokens';
import { ROOT, startInMemory, type TestClient } from './harness';
import { lineLengths, positionProblem, rangeProblem, rng } from '../unit/fuzz/oracle';
import { NUMBERS } from '../unit/fuzz/arbitraries';

const SEED = Number(process.env.SHARDLENS_FUZZ_SEED ?? 4242);
const SCALE = Math.max(0.01, Number(process.env.SHARDLENS_FUZZ_RUNS ?? 1) || 1);
const STEPS = Math.round(400 * SCALE);
/** A request slower than this counts as a hang (generous: the whole suite shares two cores). */
const REQUEST_BOUND_MS = 5000;

const FRAGMENTS = [
  '', ' ', '\n', '\r\n', '\r', '{', '}', '(', ')', '=', ':', ',', '#', '_', 'x', 'yz', 'B_xyz', 'E_x F_yz', '(partialsum-x)',
  'einsum(a, w_in)', 'all_gather(h, yz)', 'layout l {\n  model = palm_540b\n}', 'ffn f {\n  in h : BLE_xyz\n  out h\n}', 'mesh m = tpu_v4 { x = 4 }',
  'é', '🚀', '\uD800', '\uDC00', '\uFEFF', '\u2028', '\t', ...NUMBERS,
];

const SOURCES = ['examples/palm540b.shard', 'examples/fig2_ffn_layouts.shard', 'test/lsp/fixtures/small.shard'];

interface Ctx {
  uri: string;
  doc: TextDocument;
  next: () => number;
  problems: string[];
}

/**
 * The client's copy after one change, its lines counted afresh from the text as LSP counts them.
 * On its own, the library's incremental update miscounts lines exactly as the server used to. With
 * seed 1638605484 the two then edited the same wrong places, and the failure showed up only as
 * a client line count that did not match the client's own text.
 */
function applied(doc: TextDocument, change: TextDocumentContentChangeEvent): TextDocument {
  const text = TextDocument.update(doc, [change], doc.version + 1).getText();
  return TextDocument.create(doc.uri, doc.languageId, doc.version + 1, text);
}

function randomPosition(c: Ctx, outside = 0.15): Position {
  const lines = c.doc.lineCount;
  if (c.next() < outside) {
    // Past the end, or negative: the protocol says uinteger, but a buggy client may send it.
    const which = Math.floor(c.next() * 4);
    if (which === 0) return { line: lines + Math.floor(c.next() * 5), character: 0 };
    if (which === 1) return { line: Math.floor(c.next() * lines), character: 1000 + Math.floor(c.next() * 1e6) };
    if (which === 2) return { line: -1, character: 3 };
    return { line: 0, character: -2 };
  }
  const line = Math.floor(c.next() * lines);
  const len = lineLengths(c.doc.getText())[line] ?? 0;
  return { line, character: Math.floor(c.next() * (len + 1)) };
}

function randomEdit(c: Ctx, original: string): TextDocumentContentChangeEvent {
  const length = c.doc.getText().length;
  // Mostly short edits, as typing makes; when the text has shrunk to half, paste it all back, so
  // the requests keep meeting a real file rather than the remains of one.
  if (length < original.length / 2) return { text: original };
  if (c.next() < 0.01) return { text: c.doc.getText().slice(0, Math.floor(c.next() * length)) };
  const a = randomPosition(c, 0.1);
  const r = c.next();
  const b = r < 0.4 ? a : r < 0.9 ? { line: a.line + (c.next() < 0.1 ? 1 : 0), character: a.character + Math.floor(c.next() * 12) } : randomPosition(c, 0.1);
  const [start, end] = a.line < b.line || (a.line === b.line && a.character <= b.character) ? [a, b] : [b, a];
  const text = Array.from({ length: 1 + Math.floor(c.next() * 3) }, () => FRAGMENTS[Math.floor(c.next() * FRAGMENTS.length)]).join('');
  return { range: { start, end }, text };
}

function checkRange(c: Ctx, where: string, r: Range | undefined): void {
  const bad = rangeProblem(r, lineLengths(c.doc.getText()));
  if (bad) c.problems.push(`${where}: ${bad}`);
}

function checkPosition(c: Ctx, where: string, p: Position | undefined): void {
  const bad = positionProblem(p, lineLengths(c.doc.getText()));
  if (bad) c.problems.push(`${where}: ${bad}`);
}

function checkEdits(c: Ctx, where: string, edits: TextEdit[] | null | undefined): void {
  for (const e of edits ?? []) checkRange(c, where, e.range);
}

function checkSymbols(c: Ctx, symbols: DocumentSymbol[], depth = 0): void {
  for (const s of symbols) {
    checkRange(c, `documentSymbol ${s.name}`, s.range);
    checkRange(c, `documentSymbol ${s.name} selection`, s.selectionRange);
    const inside = (p: Position) => (p.line > s.range.start.line || (p.line === s.range.start.line && p.character >= s.range.start.character)) && (p.line < s.range.end.line || (p.line === s.range.end.line && p.character <= s.range.end.character));
    if (!inside(s.selectionRange.start) || !inside(s.selectionRange.end)) c.problems.push(`documentSymbol ${s.name}: selectionRange not inside range`);
    if (depth < 8) checkSymbols(c, s.children ?? [], depth + 1);
  }
}

function checkTokens(c: Ctx, tokens: SemanticTokens): void {
  const lines = lineLengths(c.doc.getText());
  let line = 0;
  let char = 0;
  for (let i = 0; i + 4 < tokens.data.length; i += 5) {
    const [dl, dc, len, type, mods] = tokens.data.slice(i, i + 5);
    line += dl;
    char = dl === 0 ? char + dc : dc;
    if (line >= lines.length || char + len > lines[line] || len <= 0) {
      c.problems.push(`semantic token ${i / 5} at ${line}:${char} length ${len} outside its line (length ${lines[line]})`);
      return;
    }
    if (type >= TOKEN_TYPES.length || mods >= 1 << TOKEN_MODIFIERS.length) c.problems.push(`semantic token ${i / 5}: type ${type} modifiers ${mods} outside the legend`);
  }
}

function locations(x: Location | Location[] | LocationLink[] | null): Location[] {
  if (!x) return [];
  const list = Array.isArray(x) ? x : [x];
  return list.map((l) => ('targetUri' in l ? { uri: l.targetUri, range: l.targetSelectionRange } : l));
}

/** One random request at a random position; its answer checked against the client's text. */
async function randomRequest(client: TestClient, c: Ctx): Promise<string> {
  const textDocument = { uri: c.uri };
  const position = randomPosition(c);
  const methods = ['hover', 'completion', 'definition', 'semanticTokens/full', 'codeLens', 'inlayHint', 'documentSymbol', 'foldingRange', 'documentHighlight', 'signatureHelp', 'references', 'selectionRange', 'codeAction', 'formatting'];
  const method = methods[Math.floor(c.next() * methods.length)];
  const range = { start: randomPosition(c), end: randomPosition(c) };
  const params: Record<string, unknown> = { textDocument, position };
  if (method === 'inlayHint') params.range = range;
  if (method === 'references') params.context = { includeDeclaration: true };
  if (method === 'selectionRange') params.positions = [position, randomPosition(c)];
  if (method === 'codeAction') Object.assign(params, { range, context: { diagnostics: [] } });
  if (method === 'formatting') params.options = { tabSize: 2, insertSpaces: true };
  const started = Date.now();
  let result: unknown;
  try {
    result = await client.request(`textDocument/${method}`, params);
  } catch (e) {
    c.problems.push(`${method} at ${JSON.stringify(position)} failed: ${(e as Error).message}`);
    return method;
  }
  const ms = Date.now() - started;
  if (ms > REQUEST_BOUND_MS) c.problems.push(`${method} took ${ms} ms: counts as a hang`);
  const where = `${method} at ${JSON.stringify(position)}`;
  switch (method) {
    case 'hover': {
      const h = result as Hover | null;
      if (h?.range) checkRange(c, where, h.range);
      if (h && /\bNaN\b|\bInfinity\b/.test(JSON.stringify(h.contents))) c.problems.push(`${where}: shows NaN/Infinity`);
      break;
    }
    case 'completion': {
      const r = result as CompletionItem[] | CompletionList | null;
      for (const item of Array.isArray(r) ? r : (r?.items ?? [])) {
        const te = item.textEdit;
        if (te && 'range' in te) checkRange(c, `${where} '${item.label}'`, te.range);
        checkEdits(c, `${where} '${item.label}' additional edit`, item.additionalTextEdits);
      }
      break;
    }
    case 'definition':
    case 'references':
      for (const l of locations(result as Location[] | null)) if (l.uri === c.uri) checkRange(c, where, l.range);
      break;
    case 'semanticTokens/full':
      checkTokens(c, result as SemanticTokens);
      break;
    case 'codeLens':
      for (const l of (result as CodeLens[] | null) ?? []) {
        checkRange(c, where, l.range);
        if (/\bNaN\b|\bInfinity\b/.test(l.command?.title ?? '')) c.problems.push(`${where}: lens '${l.command?.title}'`);
      }
      break;
    case 'inlayHint':
      for (const h of (result as InlayHint[] | null) ?? []) {
        checkPosition(c, `${where} '${h.label}'`, h.position);
        if (/\bNaN\b|\bInfinity\b/.test(JSON.stringify(h.label))) c.problems.push(`${where}: hint ${JSON.stringify(h.label)}`);
      }
      break;
    case 'documentSymbol':
      checkSymbols(c, (result as DocumentSymbol[] | null) ?? []);
      break;
    case 'foldingRange':
      for (const f of (result as FoldingRange[] | null) ?? []) if (f.startLine < 0 || f.endLine < f.startLine || f.endLine >= c.doc.lineCount) c.problems.push(`${where}: fold ${f.startLine}-${f.endLine} in ${c.doc.lineCount} lines`);
      break;
    case 'documentHighlight':
      for (const h of (result as DocumentHighlight[] | null) ?? []) checkRange(c, where, h.range);
      break;
    case 'signatureHelp': {
      const s = result as SignatureHelp | null;
      if (s && s.signatures.length && (s.activeSignature ?? 0) >= s.signatures.length) c.problems.push(`${where}: activeSignature out of range`);
      break;
    }
    case 'selectionRange':
      for (let s = (result as SelectionRange[] | null)?.[0]; s; s = s.parent) checkRange(c, where, s.range);
      break;
    case 'codeAction':
      for (const a of (result as { edit?: { changes?: Record<string, TextEdit[]> } }[] | null) ?? []) checkEdits(c, where, a.edit?.changes?.[c.uri]);
      break;
    case 'formatting':
      checkEdits(c, where, result as TextEdit[] | null);
      break;
  }
  const empty = result === null || (Array.isArray(result) && !result.length) || (method === 'semanticTokens/full' && !(result as SemanticTokens).data.length);
  return empty ? '' : method;
}

describe('LSP fuzz: random edits and requests over a real connection', () => {
  let client: TestClient;
  beforeAll(async () => {
    client = await startInMemory({ settings: { inlayHints: { detail: 'time' } } });
  });
  afterAll(() => client.close());

  it.each(SOURCES)('%s', async (source) => {
    const uri = `file:///fuzz/${source.replace(/\W+/g, '_')}.shard`;
    const text = readFileSync(join(ROOT, source), 'utf8');
    const c: Ctx = { uri, doc: TextDocument.create(uri, 'shard', 1, text), next: rng(SEED ^ source.length), problems: [] };
    await client.open(uri, text);
    const seen = new Set<string>();
    let version = 1;
    for (let step = 0; step < STEPS && !c.problems.length; step++) {
      // A burst of edits (as fast typing sends them), then a few requests.
      const changes = Array.from({ length: 1 + Math.floor(c.next() * 3) }, () => randomEdit(c, text));
      for (const change of changes) c.doc = applied(c.doc, change);
      version = await client.change(uri, changes);
      for (let r = 0; r < 3; r++) seen.add(await randomRequest(client, c));
      if (c.problems.length) {
        const file = join(tmpdir(), `shardlens-lsp-fuzz-${SEED}-${step}.shard`);
        writeFileSync(file, c.doc.getText());
        c.problems.push(`seed ${SEED}, step ${step}; the document at that step is in ${file}; the last edits: ${JSON.stringify(changes)}`);
      }
    }
    expect(c.problems).toEqual([]);
    // The published diagnostics of the final version are valid in the final text too.
    const diagnostics: Diagnostic[] = await client.diagnosticsOfVersion(uri, version);
    for (const d of diagnostics) checkRange(c, `diagnostic ${d.code}`, d.range);
    expect(c.problems).toEqual([]);
    // Sanity: several request kinds gave a non-empty answer at some point (how many depends on
    // the file and on how soon the edits wreck it), and the server still answers.
    seen.delete('');
    console.log(`${source}: ${STEPS} steps of edits and 3 requests each, final text ${c.doc.getText().length} chars; kinds with a non-empty answer: ${[...seen].sort().join(', ')}`);
    if (STEPS >= 100) expect(seen.size).toBeGreaterThan(4);
    expect(await client.request('textDocument/documentSymbol', { textDocument: { uri } })).not.toBeNull();
  });
});
