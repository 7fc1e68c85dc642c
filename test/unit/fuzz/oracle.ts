// The fuzz oracle: runs one text through everything the engine offers an editor or the CLI
// (analyze with costing, the report JSON, every pure editor feature) and returns what is wrong
// with the answers: a throw, a case slower than the time bound, a non-finite number, a null
// where the report promises a number, or a span/position outside the document. Shared by the
// fuzz tests and scripts/fuzz-long.mjs, so a failure found by the long run replays in the suite.

import { analyze, EDITOR_LIMITS, renderExplain, sharedShardService, sourceFromText, type Analysis } from '../../../server/src/engine/index';
import { buildReport } from '../../../server/src/engine/report/index';
import { hoverAt } from '../../../server/src/engine/features/hover';
import { completionsAt } from '../../../server/src/engine/features/completion';
import { signatureAt } from '../../../server/src/engine/features/signatureHelp';
import { semanticTokens, TOKEN_MODIFIERS, TOKEN_TYPES } from '../../../server/src/engine/features/semanticTokens';
import { documentSymbols, workspaceSymbols, type OutlineSymbol } from '../../../server/src/engine/features/symbols';
import { foldingRanges, selectionSpans } from '../../../server/src/engine/features/ranges';
import { formatEdits, type TextEdit } from '../../../server/src/engine/features/formatting';
import { codeActions } from '../../../server/src/engine/features/codeActions';
import { inlayHints, layoutLenses } from '../../../server/src/engine/features/costHints';
import { definitionAt, highlightsAt, prepareRenameAt, referencesAt, renameAt } from '../../../server/src/engine/features/navigation';
import { DEFAULT_SETTINGS, type FeatureSettings, type InlayDetail } from '../../../server/src/engine/features/settings';
import type { Span } from '../../../server/src/engine/syntax/ast';

/** A case that takes longer than this counts as a hang (generous: CI machines are loaded). */
export const CASE_TIME_BOUND_MS = Number(process.env.SHARDLENS_FUZZ_CASE_MS ?? 2000);

/**
 * Words that a number turned into text must never become. "Infinity Fabric" is AMD's GPU
 * interconnect, named in the mi300x/mi325x comments that hovers quote: a word, not a number.
 */
const NON_FINITE_TEXT = /\bNaN\b|\bInfinity\b(?! Fabric)|\bundefined\b/;

/**
 * Keys of the report whose value may be null in a costed layout (cli.md: a block that is not
 * there). Anywhere else in a costed layout a null is a number that `sanitize` found non-finite.
 */
const NULLABLE_IN_COSTED = new Set(['attention', 'block', 'cache_conversion', 'kv_transfer']);

/** Deterministic choices from a seed, so the positions probed in a case replay exactly. */
export function rng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    // xorshift32: tiny, fast, good enough to pick offsets.
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s / 0x100000000;
  };
}

export class Problems {
  readonly list: string[] = [];
  add(what: string): void {
    if (this.list.length < 20) this.list.push(what);
  }
}

function spanOk(span: Span | undefined, length: number): boolean {
  return !!span && Number.isInteger(span.start) && Number.isInteger(span.end) && span.start >= 0 && span.start <= span.end && span.end <= length;
}

/** Line lengths without their line break, split as LSP does (\n, \r\n and \r). */
export function lineLengths(text: string): number[] {
  return text.split(/\r\n|\r|\n/).map((l) => l.length);
}

export interface LspPosition {
  line: number;
  character: number;
}

/** A position that an LSP client can use as is: integer, on an existing line, within its text. */
export function positionProblem(p: LspPosition | undefined, lines: number[]): string | undefined {
  if (!p || !Number.isInteger(p.line) || !Number.isInteger(p.character)) return `not an integer position: ${JSON.stringify(p)}`;
  if (p.line < 0 || p.line >= lines.length) return `line ${p.line} outside 0..${lines.length - 1}`;
  if (p.character < 0 || p.character > lines[p.line]) return `character ${p.character} outside line ${p.line} of length ${lines[p.line]}`;
  return undefined;
}

export function rangeProblem(r: { start: LspPosition; end: LspPosition } | undefined, lines: number[]): string | undefined {
  if (!r) return 'missing range';
  const bad = positionProblem(r.start, lines) ?? positionProblem(r.end, lines);
  if (bad) return bad;
  if (r.end.line < r.start.line || (r.end.line === r.start.line && r.end.character < r.start.character)) return `range ends before it starts: ${JSON.stringify(r)}`;
  return undefined;
}

/** Every number in a report is finite, and a null appears only where cli.md allows one. */
export function checkReportValue(value: unknown, path: string, costed: boolean, problems: Problems): void {
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) problems.add(`report ${path} = ${value}`);
  } else if (value === null) {
    const key = path.slice(path.lastIndexOf('.') + 1);
    if (costed && !NULLABLE_IN_COSTED.has(key)) problems.add(`report ${path} is null in a costed layout (a non-finite number sanitized away)`);
  } else if (Array.isArray(value)) {
    value.forEach((v, i) => checkReportValue(v, `${path}[${i}]`, costed, problems));
  } else if (value && typeof value === 'object') {
    const isLayout = 'costed' in value && typeof (value as { costed: unknown }).costed === 'boolean';
    const c = isLayout ? (value as { costed: boolean }).costed : costed;
    for (const [k, v] of Object.entries(value)) checkReportValue(v, `${path}.${k}`, c, problems);
  } else if (typeof value === 'string' && /\bNaN\b/.test(value)) {
    problems.add(`report ${path} says NaN: ${value.slice(0, 120)}`);
  }
}

/** Strict JSON: what JSON.stringify wrote parses back to the same thing and has no NaN/Infinity. */
function checkStrictJson(json: string, problems: Problems): void {
  if (/\bNaN\b|-?Infinity\b/.test(json.replace(/"(?:[^"\\]|\\.)*"/g, '""'))) problems.add('report JSON has a bare NaN or Infinity');
  try {
    JSON.parse(json);
  } catch (e) {
    problems.add(`report JSON does not parse: ${(e as Error).message}`);
  }
}

function checkText(where: string, text: string | undefined, problems: Problems): void {
  if (text !== undefined && NON_FINITE_TEXT.test(text)) problems.add(`${where} shows a non-finite number: ${text.slice(0, 160).replace(/\s+/g, ' ')}`);
}

function checkEdits(where: string, edits: readonly TextEdit[], length: number, problems: Problems): void {
  const sorted = [...edits].sort((a, b) => a.span.start - b.span.start);
  sorted.forEach((e, i) => {
    if (!spanOk(e.span, length)) problems.add(`${where}: edit span ${JSON.stringify(e.span)} outside a text of ${length}`);
    // LSP: the edits of one change must not overlap.
    if (i > 0 && e.span.start < sorted[i - 1].span.end) problems.add(`${where}: overlapping edits ${JSON.stringify(sorted[i - 1].span)} and ${JSON.stringify(e.span)}`);
  });
}

export function applyEdits(text: string, edits: readonly TextEdit[]): string {
  let out = text;
  for (const e of [...edits].sort((a, b) => b.span.start - a.span.start)) out = out.slice(0, e.span.start) + e.newText + out.slice(e.span.end);
  return out;
}

function checkSymbols(symbols: OutlineSymbol[], length: number, problems: Problems, depth = 0): void {
  for (const s of symbols) {
    if (!spanOk(s.span, length) || !spanOk(s.selection, length)) problems.add(`symbol ${s.name}: span ${JSON.stringify(s.span)} / ${JSON.stringify(s.selection)} outside a text of ${length}`);
    // VS Code rejects the whole outline when a selection range is not inside its range.
    else if (s.selection.start < s.span.start || s.selection.end > s.span.end) problems.add(`symbol ${s.name}: selection ${JSON.stringify(s.selection)} not inside ${JSON.stringify(s.span)}`);
    if (!s.name) problems.add('symbol with an empty name (VS Code rejects it)');
    if (depth < 8) checkSymbols(s.children, length, problems, depth + 1);
  }
}

function checkSemanticTokens(data: number[], text: string, problems: Problems): void {
  if (data.length % 5 !== 0) problems.add(`semantic tokens: ${data.length} numbers is not a multiple of 5`);
  const lines = lineLengths(text);
  let line = 0;
  let char = 0;
  for (let i = 0; i + 4 < data.length; i += 5) {
    const [dl, dc, len, type, mods] = data.slice(i, i + 5);
    if (![dl, dc, len, type, mods].every((n) => Number.isInteger(n) && n >= 0)) {
      problems.add(`semantic token ${i / 5}: not non-negative integers ${[dl, dc, len, type, mods]}`);
      return;
    }
    line += dl;
    char = dl === 0 ? char + dc : dc;
    if (line >= lines.length || char + len > lines[line]) problems.add(`semantic token ${i / 5} at ${line}:${char} length ${len} runs past its line (length ${lines[line]})`);
    if (len === 0) problems.add(`semantic token ${i / 5} has length 0`);
    if (type >= TOKEN_TYPES.length || mods >= 1 << TOKEN_MODIFIERS.length) problems.add(`semantic token ${i / 5}: type ${type} / modifiers ${mods} outside the legend`);
  }
}

/** Offsets worth probing: random ones, token edges, the ends, and a few out of range. */
function probeOffsets(text: string, next: () => number, count: number): number[] {
  const out = new Set<number>([0, text.length]);
  // The end of the longest line: where a cursor sits while typing a long line.
  let longest = { end: 0, length: -1 };
  for (const m of text.matchAll(/[^\r\n]*/g)) if (m[0].length > longest.length) longest = { end: m.index! + m[0].length, length: m[0].length };
  out.add(longest.end);
  for (let i = 0; i < count; i++) out.add(Math.floor(next() * (text.length + 1)));
  const edges = [...text.matchAll(/[A-Za-z0-9_]+|[^\sA-Za-z0-9_]/g)];
  for (let i = 0; i < count && edges.length; i++) {
    const m = edges[Math.floor(next() * edges.length)];
    out.add(m.index!);
    out.add(m.index! + m[0].length);
  }
  return [...out];
}

export interface OracleOptions {
  /** Seed for the positions probed (defaults to a hash of the text). */
  seed?: number;
  /** How many random offsets the position features probe. */
  probes?: number;
  /** Also format, apply, and format again (idempotence, whitespace only). */
  formatTwice?: boolean;
}

function hash(text: string): number {
  let h = 2166136261;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 16777619);
  return h >>> 0;
}

function runFeatures(analysis: Analysis, text: string, options: OracleOptions, problems: Problems): void {
  const length = text.length;
  const next = rng(options.seed ?? hash(text));
  const lines = lineLengths(text);
  const settingsFor = (detail: InlayDetail): FeatureSettings => ({ ...DEFAULT_SETTINGS, inlayHints: { detail }, decodeContext: next() < 0.5 ? 'mean' : 'last' });

  // Diagnostics: spans, related spans, quick-fix edits, and their positions.
  for (const d of analysis.diagnostics) {
    if (!spanOk(d.span, length)) problems.add(`diagnostic ${d.code} span ${JSON.stringify(d.span)} outside a text of ${length}`);
    const bad = rangeProblem(analysis.lineIndex.rangeOf(d.span), lines);
    if (bad) problems.add(`diagnostic ${d.code}: ${bad}`);
    checkText(`diagnostic ${d.code} message`, d.message, problems);
    for (const r of d.related ?? []) if (!spanOk(r.span, r.source.text.length)) problems.add(`diagnostic ${d.code}: related span outside ${r.source.uri}`);
    for (const f of d.fixes ?? []) checkEdits(`quick fix '${f.title}' of ${d.code}`, f.edits, length, problems);
  }

  const offsets = probeOffsets(text, next, options.probes ?? 12);
  for (const offset of offsets) {
    const settings = settingsFor('type');
    const hover = hoverAt(analysis, offset, settings);
    if (hover) {
      if (!spanOk(hover.span, length)) problems.add(`hover at ${offset}: span ${JSON.stringify(hover.span)} outside a text of ${length}`);
      checkText(`hover at ${offset}`, hover.markdown, problems);
    }
    for (const item of completionsAt(analysis, offset)) {
      if (!item.label) problems.add(`completion at ${offset}: empty label`);
      const te = item.textEdit;
      if (te && 'range' in te) {
        const bad = rangeProblem(te.range, lines);
        if (bad) problems.add(`completion '${item.label}' at ${offset}: ${bad}`);
      }
    }
    const sig = signatureAt(analysis, offset);
    if (sig && (sig.activeParameter < 0 || !Number.isInteger(sig.activeParameter))) problems.add(`signature at ${offset}: active parameter ${sig.activeParameter}`);
    const def = definitionAt(analysis, offset);
    if (def && !spanOk(def.span, def.source.text.length)) problems.add(`definition at ${offset}: span outside ${def.source.uri}`);
    for (const r of referencesAt(analysis, offset, true) ?? []) if (!spanOk(r.span, r.source.text.length)) problems.add(`reference at ${offset}: span outside ${r.source.uri}`);
    for (const h of highlightsAt(analysis, offset) ?? []) if (!spanOk(h.span, length)) problems.add(`highlight at ${offset}: span ${JSON.stringify(h.span)} outside`);
    const pr = prepareRenameAt(analysis, offset);
    if (pr?.ok && !spanOk(pr.span, length)) problems.add(`prepareRename at ${offset}: span outside`);
    const rn = renameAt(analysis, offset, 'renamed_zz');
    if (rn?.ok) checkEdits(`rename at ${offset}`, rn.edits, length, problems);
    const sel = selectionSpans(analysis, offset);
    sel.forEach((s, i) => {
      if (!spanOk(s, length)) problems.add(`selection range at ${offset}: ${JSON.stringify(s)} outside`);
      // LSP: each parent must contain its child.
      if (i > 0 && (s.start > sel[i - 1].start || s.end < sel[i - 1].end)) problems.add(`selection range at ${offset}: parent ${JSON.stringify(s)} does not contain ${JSON.stringify(sel[i - 1])}`);
    });
    const span = { start: offset, end: Math.min(length, offset + Math.floor(next() * 40)) };
    for (const a of codeActions(analysis, span, analysis.diagnostics.filter((d) => d.span.start <= span.end && span.start <= d.span.end))) checkEdits(`code action '${a.title}' at ${offset}`, a.edits, length, problems);
  }
  for (const d of analysis.diagnostics.slice(0, 30)) for (const a of codeActions(analysis, d.span, [d])) checkEdits(`code action '${a.title}' for ${d.code}`, a.edits, length, problems);

  checkSemanticTokens(semanticTokens(analysis), text, problems);
  checkSymbols(documentSymbols(analysis), length, problems);
  for (const s of workspaceSymbols([analysis.file], '')) if (!spanOk(s.span, s.file.source.text.length)) problems.add(`workspace symbol ${s.name}: span outside`);
  for (const f of foldingRanges(analysis)) {
    if (!Number.isInteger(f.startLine) || f.startLine < 0 || f.endLine < f.startLine || f.endLine >= lines.length) problems.add(`folding range ${f.startLine}-${f.endLine} in ${lines.length} lines`);
  }
  for (const detail of ['type', 'time', 'volume'] as const) {
    const a = Math.floor(next() * (length + 1));
    const b = Math.floor(next() * (length + 1));
    for (const range of [{ start: 0, end: length }, { start: Math.min(a, b), end: Math.max(a, b) }]) {
      for (const h of inlayHints(analysis, range, settingsFor(detail))) {
        if (!Number.isInteger(h.offset) || h.offset < 0 || h.offset > length) problems.add(`inlay hint '${h.label}' at offset ${h.offset} outside a text of ${length}`);
        checkText(`inlay hint (${detail})`, h.label, problems);
      }
    }
  }
  for (const l of layoutLenses(analysis, settingsFor('type'))) {
    if (!spanOk(l.span, length)) problems.add(`code lens '${l.title}': span outside`);
    checkText('code lens', l.title, problems);
  }
  for (const layout of analysis.layouts.slice(0, 3)) checkText(`explanation of ${layout.name}`, explanation(analysis, layout.name)?.replace(/\binf(inity)?\b/gi, ''), problems);

  const edits = formatEdits(analysis);
  checkEdits('formatting', edits, length, problems);
  if (options.formatTwice !== false && edits.length) {
    const formatted = applyEdits(text, edits);
    // Formatting moves whitespace only.
    if (formatted.replace(/\s+/g, '') !== text.replace(/\s+/g, '')) problems.add('formatting changed more than whitespace');
    const again = formatEdits(analyze(sourceFromText(formatted, analysis.source.uri), { cost: false }));
    if (again.length) problems.add(`formatting is not idempotent: a second pass makes ${again.length} more edits, first at ${JSON.stringify(again[0].span)} → ${JSON.stringify(again[0].newText)}`);
  }
}

/** What the editor's Explain shows for a layout; undefined when it cannot be costed (the server answers null). */
function explanation(analysis: Analysis, layout: string): string | undefined {
  try {
    return renderExplain(sharedShardService().explain(analysis, layout));
  } catch {
    return undefined;
  }
}

export interface OracleResult {
  problems: string[];
  ms: number;
}

/** Everything wrong with the engine's answers for one text (empty when all is well). */
export function oracle(text: string, options: OracleOptions = {}): OracleResult {
  const problems = new Problems();
  const t0 = performance.now();
  try {
    const analysis = analyze(sourceFromText(text, 'file:///fuzz.shard'), EDITOR_LIMITS);
    const report = buildReport(analysis);
    checkReportValue(report, 'report', false, problems);
    checkStrictJson(JSON.stringify(report), problems);
    runFeatures(analysis, text, options, problems);
  } catch (e) {
    const err = e as Error;
    problems.add(`threw ${err?.name}: ${err?.message}\n${String(err?.stack ?? '').split('\n').slice(1, 6).join('\n')}`);
  }
  const ms = performance.now() - t0;
  if (ms > CASE_TIME_BOUND_MS) problems.add(`took ${ms.toFixed(0)} ms (bound ${CASE_TIME_BOUND_MS} ms): counts as a hang`);
  return { problems: problems.list, ms };
}
