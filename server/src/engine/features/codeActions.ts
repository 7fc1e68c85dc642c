// Code actions: the quick fixes the engine carries on its diagnostics, plus fixes that need the
// surrounding program — insert the collective a partial sum or a sharding mismatch is missing,
// add a missing field with its schema example — and the refactor "write the inferred type".

import type { Analysis } from '../analysis';
import type { Diagnostic } from '../diagnostics';
import type { BlockDecl, Ident, LetStmt, RecordDecl, Span } from '../syntax/ast';
import { isBlockDecl } from '../syntax/ast';
import { FIELDS } from '../check/schema';
import { formatAxes, formatType, sortAxes, type ShardType } from '../check/shardType';
import { contains } from './locate';
import type { TextEdit } from './formatting';

export interface CodeActionPlan {
  title: string;
  kind: 'quickfix' | 'refactor.rewrite';
  edits: TextEdit[];
  preferred: boolean;
  /** The diagnostic the action fixes, if any. */
  diagnostic?: Diagnostic;
}

function overlaps(a: Span, b: Span): boolean {
  return a.start <= b.end && b.start <= a.end;
}

/** Actions for the diagnostics that overlap `span` (from the given list) and for the cursor position. */
export function codeActions(analysis: Analysis, span: Span, diagnostics: readonly Diagnostic[]): CodeActionPlan[] {
  const out: CodeActionPlan[] = [];
  for (const d of diagnostics) {
    if (d.source !== analysis.source || !overlaps(d.span, span)) continue;
    for (const fix of d.fixes ?? []) out.push({ title: fix.title, kind: 'quickfix', edits: fix.edits, preferred: !!fix.preferred, diagnostic: d });
    const extra = d.code === 'missing-field' ? addMissingFields(analysis, d) : d.code === 'partialsum' ? insertReduceScatter(analysis, d) : d.code === 'sharding-mismatch' ? insertAllGather(analysis, d) : undefined;
    if (extra) out.push({ ...extra, diagnostic: d });
  }
  const annotate = addInferredAnnotation(analysis, span.start);
  if (annotate) out.push(annotate);
  return out;
}

// ---------------------------------------------------------------------------------------------

function letAt(analysis: Analysis, offset: number): { block: BlockDecl; stmt: LetStmt } | undefined {
  for (const decl of analysis.file.decls) {
    if (!isBlockDecl(decl) || !contains(decl, offset)) continue;
    const stmt = decl.stmts.find((s) => s.kind === 'let' && contains(s, offset));
    if (stmt && stmt.kind === 'let') return { block: decl, stmt };
  }
  return undefined;
}

function typeOf(analysis: Analysis, block: BlockDecl, name: string): ShardType | undefined {
  return analysis.blocks.get(block)?.byName.get(name)?.type;
}

/** A value name not yet used in the block: `b_sum`, `b_sum2`, … */
function freshName(block: BlockDecl, base: string): string {
  const used = new Set(block.stmts.flatMap((s) => (s.kind === 'let' ? [s.name.text] : s.kind === 'out' ? [] : s.names.map((n) => n.text))));
  if (!used.has(base)) return base;
  for (let i = 2; ; i++) if (!used.has(`${base}${i}`)) return `${base}${i}`;
}

/** Insert a statement on its own line above `stmt`, with its indentation. */
function insertAbove(analysis: Analysis, stmt: Span, line: string): TextEdit {
  const text = analysis.source.text;
  const lineStart = text.lastIndexOf('\n', stmt.start - 1) + 1;
  const indent = /^[ \t]*/.exec(text.slice(lineStart))![0];
  return { span: { start: lineStart, end: lineStart }, newText: `${indent}${line}\n` };
}

function meshOrderFor(analysis: Analysis, block: BlockDecl): string[] | undefined {
  for (const l of analysis.layouts) for (const p of [l.prefill, l.decode]) if (p.ffn.decl === block || p.attention?.decl === block) return l.mesh.axes.map((a) => a.name);
  return undefined;
}

/** A non-linearity of a partial sum: reduce-scatter the partial axes onto the dim already sharded (or the last dim) first. */
function insertReduceScatter(analysis: Analysis, d: Diagnostic): Omit<CodeActionPlan, 'diagnostic'> | undefined {
  const at = letAt(analysis, d.span.start);
  if (!at) return undefined;
  const arg = at.stmt.args.find((a) => a.start === d.span.start && a.end === d.span.end);
  if (!arg) return undefined;
  const t = typeOf(analysis, at.block, arg.text);
  if (!t || !t.partialsum.length || !t.dims.length) return undefined;
  const order = meshOrderFor(analysis, at.block);
  const axes = formatAxes(t.partialsum, order);
  const sharded = [...t.dims].reverse().find((x) => x.axes.length) ?? t.dims[t.dims.length - 1];
  const result: ShardType = { dims: t.dims.map((x) => (x === sharded ? { letter: x.letter, axes: sortAxes([...x.axes, ...t.partialsum], order) } : x)), partialsum: [] };
  const name = freshName(at.block, `${arg.text}_sum`);
  return {
    title: `Insert reduce_scatter(${arg.text}, ${axes}) before ${at.stmt.op.text}`,
    kind: 'quickfix',
    preferred: true,
    edits: [insertAbove(analysis, at.stmt, `${name} = reduce_scatter(${arg.text}, ${axes}) : ${formatType(result, order)}`), { span: arg, newText: name }],
  };
}

/** Einsum operands that shard a shared dim differently: gather the operand with the extra axes. */
function insertAllGather(analysis: Analysis, d: Diagnostic): Omit<CodeActionPlan, 'diagnostic'> | undefined {
  const at = letAt(analysis, d.span.start);
  if (!at || at.stmt.op.text !== 'einsum' || at.stmt.args.length !== 2) return undefined;
  const [a, b] = at.stmt.args;
  const ta = typeOf(analysis, at.block, a.text);
  const tb = typeOf(analysis, at.block, b.text);
  if (!ta || !tb) return undefined;
  const extraB: string[] = [];
  const extraA: string[] = [];
  for (const db of tb.dims) {
    const da = ta.dims.find((x) => x.letter === db.letter);
    if (!da) continue;
    const onlyB = db.axes.filter((x) => !da.axes.includes(x));
    const onlyA = da.axes.filter((x) => !db.axes.includes(x));
    if (onlyB.length && !onlyA.length) extraB.push(...onlyB);
    else if (onlyA.length && !onlyB.length) extraA.push(...onlyA);
    else if (onlyA.length || onlyB.length) return undefined; // sharded over different axes: no single gather fixes it
  }
  if (extraA.length && extraB.length) return undefined;
  const [operand, type, extra]: [Ident, ShardType, string[]] = extraB.length ? [b, tb, extraB] : [a, ta, extraA];
  if (!extra.length) return undefined;
  const order = meshOrderFor(analysis, at.block);
  const axes = formatAxes(extra, order);
  const result: ShardType = { dims: type.dims.map((x) => ({ letter: x.letter, axes: x.axes.filter((y) => !extra.includes(y)) })), partialsum: [...type.partialsum] };
  const name = freshName(at.block, `${operand.text}_g`);
  return {
    title: `Insert all_gather(${operand.text}, ${axes}) before the einsum`,
    kind: 'quickfix',
    preferred: true,
    edits: [insertAbove(analysis, at.stmt, `${name} = all_gather(${operand.text}, ${axes}) : ${formatType(result, order)}`), { span: operand, newText: name }],
  };
}

/** `missing-field` on a declaration's name: add each missing field with its schema example. */
function addMissingFields(analysis: Analysis, d: Diagnostic): Omit<CodeActionPlan, 'diagnostic'> | undefined {
  const decl = analysis.file.decls.find((x) => !isBlockDecl(x) && x.name.start === d.span.start && x.name.end === d.span.end) as RecordDecl | undefined;
  if (!decl) return undefined;
  const head = d.message.split('(e.g.')[0];
  const present = new Set(decl.fields.map((f) => f.name.text));
  const missing = FIELDS[decl.kind].filter((f) => f.required && !present.has(f.name) && head.includes(`\`${f.name}\``));
  if (!missing.length) return undefined;
  const text = analysis.source.text;
  const lines = missing.map((f) => `${f.name} = ${f.example}`);
  let edit: TextEdit;
  if (decl.body && text[decl.body.end - 1] !== '}') {
    // The body is not closed (the parser stopped at the end of the file or at the next
    // declaration): add the fields and the missing `}`.
    const at = decl.body.end;
    const lead = at > 0 && text[at - 1] !== '\n' ? '\n' : '';
    edit = { span: { start: at, end: at }, newText: `${lead}${lines.map((l) => `  ${l}\n`).join('')}}\n` };
  } else if (decl.body) {
    const close = decl.body.end - 1;
    const multiline = text.slice(decl.body.start, decl.body.end).includes('\n');
    if (multiline) {
      const first = decl.fields[0];
      const firstLineStart = first ? text.lastIndexOf('\n', first.start - 1) + 1 : -1;
      const indent = first && text.slice(firstLineStart, first.start).trim() === '' ? text.slice(firstLineStart, first.start) : '  ';
      const lineStart = text.lastIndexOf('\n', close - 1) + 1;
      edit = { span: { start: lineStart, end: lineStart }, newText: lines.map((l) => `${indent}${l}\n`).join('') };
    } else {
      // `{ a = 1 }` gets `, b = 2` after its last field; `{ }` gets the fields inside.
      const inner = text.slice(decl.body.start + 1, close);
      const end = decl.body.start + 1 + inner.trimEnd().length;
      edit = inner.trim() ? { span: { start: end, end }, newText: `, ${lines.join(', ')}` } : { span: { start: decl.body.start + 1, end: close }, newText: ` ${lines.join(', ')} ` };
    }
  } else {
    const after = decl.base ?? decl.name;
    edit = { span: { start: after.end, end: after.end }, newText: ` { ${lines.join(', ')} }` };
  }
  return { title: `Add ${missing.map((f) => `\`${f.name}\``).join(', ')}`, kind: 'quickfix', preferred: true, edits: [edit] };
}

/** A statement without an annotation whose type was inferred: write the type down. */
function addInferredAnnotation(analysis: Analysis, offset: number): CodeActionPlan | undefined {
  const at = letAt(analysis, offset);
  if (!at || at.stmt.annotation) return undefined;
  const t = typeOf(analysis, at.block, at.stmt.name.text);
  if (!t) return undefined;
  const type = formatType(t, meshOrderFor(analysis, at.block));
  return { title: `Annotate \`${at.stmt.name.text}\` with its inferred type ${type}`, kind: 'refactor.rewrite', preferred: false, edits: [{ span: { start: at.stmt.end, end: at.stmt.end }, newText: ` : ${type}` }] };
}
