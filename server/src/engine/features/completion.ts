// Completion that knows where the cursor is: a declaration keyword at the top level, a field of
// the record being written, a value of that field, an operation or operand in a block, a dim or
// axis letter in a type, a unit after a number. The context is read from the text before the
// cursor (so it works while the line is still unparseable) plus the declaration around it.

import { CompletionItemKind, InsertTextFormat, type CompletionItem } from 'vscode-languageserver-types';
import type { Analysis } from '../analysis';
import type { BlockDecl, Decl, RecordDecl, RecordKind } from '../syntax/ast';
import { isBlockDecl } from '../syntax/ast';
import { allOperations, operation } from '../ops/index';
import { DIM_MEANING, formatType } from '../check/shardType';
import { FIELDS, PHASE_FIELDS, DTYPES, type FieldSpec } from '../check/schema';
import type { QuantityKind } from '../check/units';
import { declAt, fieldListAt, type FieldOwner } from './locate';
import { usesOfBlock } from './costs';
import { origin } from './declarations';
import { preludeBuiltins } from '../prelude/builtins';
import { ATTENTION_SHARDINGS, familyMemberName, familyOfMember, kClassOf, NO_ATTENTION, swigluVariantName } from '../prelude/names';
import { PHASES, type CheckedBlock, type Phase, type ResolvedLayout } from '../check/resolved';
import type { VariantBuilder } from '../check/variantBuilder';
import type { BlockPair } from '../cost/index';
import { check } from '../check/checker';
import { parse } from '../syntax/parser';
import { formatSeconds } from '../report/format';

const DECLARATION_SNIPPETS: Record<string, string> = {
  hardware: 'hardware ${1:name} {\n  flops = ${2:275 TFLOP/s}\n  hbm = ${3:32 GiB}\n  hbm_bw = ${4:1.2 TB/s}\n  link_bw = ${5:45 GB/s}\n}',
  mesh: 'mesh ${1:name} = ${2:tpu_v4} { x = ${3:4}, y = ${4:4}, z = ${5:4} }',
  model: 'model ${1:name} = ${2:palm_540b} { $0 }',
  workload: 'workload ${1:name} { batch = ${2:64}, prompt = ${3:2048}, generate = ${4:64} }',
  layout: 'layout ${1:name} {\n  model = ${2:palm_540b}\n  mesh = ${3:pod}\n  workload = ${4:chat}\n  ffn = ${5:ws2d}\n  attention = ${6:batch}\n}',
  ffn: 'ffn ${1:name} {\n  in h : ${2:BLE_xyz}\n  $0\n  out y\n}',
  attention: 'attention ${1:name} {\n  in h : ${2:BLE_xyz}\n  $0\n  out y\n}',
  unembed: 'unembed ${1:name} {\n  in h : ${2:BLE_xyz}\n  $0\n  out y\n}',
};

const STATEMENT_SNIPPETS: Record<string, string> = {
  in: 'in ${1:h} : ${2:BLE_xyz}',
  weight: 'weight ${1:w} : ${2:E_x F_yz}',
  cache: 'cache ${1:kc}, ${2:vc} : ${3:B_xyzTKQ}',
  out: 'out ${1:y}',
};

const UNITS: Record<QuantityKind, string[]> = {
  flops: ['TFLOP/s', 'PFLOP/s', 'GFLOP/s'],
  bytes: ['GiB', 'GB', 'MiB', 'MB', 'TiB', 'TB', 'kB', 'KiB', 'B'],
  bandwidth: ['TB/s', 'GB/s', 'MB/s'],
  time: ['us', 'ms', 'ns', 's'],
  fraction: ['%'],
  count: [],
  number: [],
};

export function completionsAt(analysis: Analysis, offset: number): CompletionItem[] {
  const text = analysis.source.text;
  const lineStart = text.lastIndexOf('\n', offset - 1) + 1;
  // Only the end of a very long line matters for the context; the patterns below would be
  // quadratic on the whole of it.
  const before = text.slice(Math.max(lineStart, offset - MAX_CONTEXT_CHARS), offset).replace(/#.*$/, '');
  // `mesh m = |`: the declaration may not parse yet, so the header is read from the text.
  const header = /^\s*(hardware|mesh|model|workload)\s+(\w+)\s*=\s*\w*$/.exec(before);
  // A declaration cannot start from itself: `mesh probe = |` does not offer `probe` (but
  // `hardware tpu_v4 = |` may start from the built-in it shadows).
  if (header) return baseCompletions(analysis, header[1]).filter((item) => item.label !== header[2] || isBuiltinRecord(analysis, header[2]));
  const decl = declAt(analysis, offset);
  const insideBody = decl?.body ? offset > decl.body.start && offset < decl.body.end : !!decl;
  if (!decl || !insideBody) return /^\s*\w*$/.test(before) ? declarationKeywords() : [];
  if (isBlockDecl(decl)) return blockCompletions(analysis, decl, before, offset);
  return recordCompletions(analysis, decl, before, offset);
}

function declarationKeywords(): CompletionItem[] {
  return Object.entries(DECLARATION_SNIPPETS).map(([keyword, snippet]) => ({
    label: keyword,
    kind: CompletionItemKind.Keyword,
    detail: `${keyword} declaration`,
    insertText: snippet,
    insertTextFormat: InsertTextFormat.Snippet,
  }));
}

/** Whether the prelude declares a hardware, mesh, model or workload of this name. */
function isBuiltinRecord(analysis: Analysis, name: string): boolean {
  return analysis.prelude.some((f) => f.decls.some((d) => !isBlockDecl(d) && d.name.text === name));
}

/** `mesh m = |`: a mesh derives from a hardware or a mesh; other records from their own kind. */
function baseCompletions(analysis: Analysis, kind: string): CompletionItem[] {
  if (kind === 'mesh') return [...namesOf(analysis, 'hardware'), ...namesOf(analysis, 'mesh')];
  if (kind === 'hardware' || kind === 'model' || kind === 'workload') return namesOf(analysis, kind);
  return [];
}

const KIND_ICON: Record<RecordKind | 'block', CompletionItemKind> = {
  hardware: CompletionItemKind.Constant,
  mesh: CompletionItemKind.Struct,
  model: CompletionItemKind.Class,
  workload: CompletionItemKind.Event,
  layout: CompletionItemKind.Module,
  block: CompletionItemKind.Function,
};

/**
 * Names in scope of one namespace: the file's own first, then the built-in ffn layouts with their
 * titles in the prelude's order (ws1d, ws2d, …), then the other built-ins.
 */
function namesOf(analysis: Analysis, kind: RecordKind | 'block', blockKind?: string): CompletionItem[] {
  const map: ReadonlyMap<string, Decl> = kind === 'block' ? analysis.scope.block : analysis.scope[kind];
  const layouts = kind === 'block' ? preludeBuiltins().ffns : [];
  const out: CompletionItem[] = [];
  for (const [name, decl] of map) {
    if (blockKind && decl.kind !== blockKind) continue;
    const layout = decl.source.isPrelude && decl.kind === 'ffn' ? layouts.findIndex((f) => f.name === name) : -1;
    const title = layout >= 0 ? `${layouts[layout].title}, ` : '';
    const sortText = !decl.source.isPrelude ? `0${name}` : layout >= 0 ? `1${layout}` : `2${name}`;
    out.push({ label: name, kind: KIND_ICON[kind], detail: `${decl.kind} — ${title}${origin(analysis, decl)}`, sortText });
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Records

/** How much of the line before the cursor completion reads (a context is never longer). */
const MAX_CONTEXT_CHARS = 400;

function fieldsOf(owner: FieldOwner): FieldSpec[] {
  return owner === 'phase' ? PHASE_FIELDS : FIELDS[owner];
}

function recordCompletions(analysis: Analysis, decl: RecordDecl, before: string, offset: number): CompletionItem[] {
  const list = fieldListAt(decl, offset);
  const owner: FieldOwner = list?.owner ?? decl.kind;
  const specs = fieldsOf(owner);
  // After a number: the units of the field's kind.
  const numberMatch = /(\w+)\s*=\s*[0-9][0-9.eE+-]*\s*[A-Za-z%/]*$/.exec(before);
  if (numberMatch) {
    const spec = specs.find((f) => f.name === numberMatch[1]);
    if (spec?.type.type !== 'quantity') return [];
    return UNITS[spec.type.kind].map((u) => ({ label: u, kind: CompletionItemKind.Unit, detail: spec.type.type === 'quantity' ? `unit of ${spec.name}` : undefined }));
  }
  const valueMatch = /(\w+)\s*=\s*\w*$/.exec(before);
  if (valueMatch) {
    const spec = specs.find((f) => f.name === valueMatch[1]);
    if (spec?.name === 'attention' && decl.kind === 'layout') return attentionChoices(analysis, decl, offset, owner === 'phase');
    return spec ? valueCompletions(analysis, spec, decl) : [];
  }
  // At a field-name position: the start of a line, or after `{`, `,` or `;`.
  if (/(^|[{,;])\s*\w*$/.test(before)) {
    const present = new Set((list?.fields ?? decl.fields).map((f) => f.name.text));
    return specs
      .filter((f) => !present.has(f.name))
      .map((f, i) => ({
        label: f.name,
        kind: CompletionItemKind.Field,
        detail: f.required ? `${f.doc} (required)` : f.doc,
        insertText: f.type.type === 'phase' ? `${f.name} { $0 }` : `${f.name} = \${1:${f.example.replace(/[$}\\]/g, '\\$&')}}`,
        insertTextFormat: InsertTextFormat.Snippet,
        sortText: `${f.required ? '0' : '1'}${String(i).padStart(2, '0')}`,
      }));
  }
  return [];
}

function valueCompletions(analysis: Analysis, spec: FieldSpec, decl: RecordDecl): CompletionItem[] {
  const t = spec.type;
  switch (t.type) {
    case 'enum':
      return t.values.map((v) => ({ label: v, kind: CompletionItemKind.EnumMember, detail: t.values === DTYPES ? 'dtype' : spec.name }));
    case 'ref':
      return namesOf(analysis, t.kind);
    case 'block': {
      const builtins = t.kind === 'attention' ? [...ATTENTION_SHARDINGS, NO_ATTENTION].map((v) => ({ label: v, kind: CompletionItemKind.Keyword, detail: 'built-in attention matching the ffn' })) : [];
      const blocks = namesOf(analysis, 'block', t.kind);
      // `ws2d_batch` names the family whose member (`_mqa`, `_gqa`, `_mha`) the model's K picks.
      const families = [...new Set(blocks.map((b) => familyOfMember(b.label)).filter((f): f is string => !!f))];
      const familyItems = families.map((f) => ({ label: f, kind: CompletionItemKind.Function, detail: `${t.kind} family: the member matching the model's K`, sortText: `1${f}` }));
      return [...builtins, ...familyItems, ...blocks];
    }
    case 'axes':
      return axisLetters(decl.kind === 'mesh' ? meshAxes(decl) : ['x', 'y', 'z']);
    case 'quantity':
      return [{ label: spec.example, kind: CompletionItemKind.Value, detail: `example ${spec.name}` }];
    case 'phase':
      return [];
  }
}

/**
 * `attention = |` in a layout: the sharding families `batch` and `heads` first (the member that
 * matches the model's K and the layout's ffn), then the blocks and families that could serve
 * this model (a member for another K is left out), the fastest first, each with the layout's
 * predicted decode time per token when it uses that choice.
 */
function attentionChoices(analysis: Analysis, decl: RecordDecl, offset: number, inPhase: boolean): CompletionItem[] {
  const base = valueCompletions(analysis, fieldsOf('layout').find((f) => f.name === 'attention')!, decl);
  const context = layoutForChoice(analysis, decl, offset);
  if (!context) return base;
  const { layout, resolver } = context;
  const k = kClassOf(layout.model.dims);
  const memberFits = (name: string) => {
    const family = familyOfMember(name);
    return !family || name === familyMemberName(family, k);
  };
  // The phases the field sets: both, or the one whose `prefill { … }` / `decode { … }` holds the cursor.
  const phases = inPhase ? PHASES.filter((ph) => decl.fields.some((f) => f.name.text === ph && f.value.kind === 'record' && offset > f.value.start && offset < f.value.end)) : PHASES;
  // The figure the choice changes: the decode step, or the whole prefill inside `prefill { … }`.
  const shown: Phase = phases.length === 1 && phases[0] === 'prefill' ? 'prefill' : 'decode';
  const predicted = (attention: string): number | undefined => {
    const choice: Partial<Record<Phase, BlockPair>> = {};
    for (const ph of phases) choice[ph] = { ffn: writtenFfn(layout[ph].ffn), attention };
    try {
      const variant = resolver.variant(layout, choice);
      if (!variant) return undefined;
      const cost = analysis.costOf(variant);
      return shown === 'prefill' ? cost.prefill.latency.value : cost.decode.pass.latency.value;
    } catch {
      return undefined;
    }
  };
  const kept: { item: CompletionItem; time?: number }[] = [];
  for (const item of base) {
    const name = item.label;
    const first = (ATTENTION_SHARDINGS as readonly string[]).includes(name);
    // A block must be the member for this K; a family name (not a block) stands for its member
    // for this K, so it is offered only when that member exists.
    const isBlock = analysis.scope.block.has(name);
    if (isBlock ? !memberFits(name) : !first && name !== NO_ATTENTION && !analysis.scope.block.has(familyMemberName(name, k))) continue;
    kept.push({ item, time: predicted(name) });
  }
  // `batch` and `heads` first, then the others fastest first, `none` and those that do not fit the ffn last.
  const ranked = kept.filter((c) => c.time !== undefined).sort((a, b) => a.time! - b.time!);
  return kept.map(({ item, time }) => {
    const name = item.label;
    const text = time === undefined ? 'not for this layout’s ffn' : shown === 'prefill' ? `prefill ${formatSeconds(time)}` : `decode ${formatSeconds(time)}/token`;
    const first = (ATTENTION_SHARDINGS as readonly string[]).indexOf(name);
    const sortText = first >= 0 ? `0${name === 'batch' ? 0 : 1}` : name === NO_ATTENTION ? '2' : time === undefined ? `3${name}` : `1${String(ranked.findIndex((c) => c.item === item)).padStart(4, '0')}`;
    return { ...item, detail: `${item.detail ?? ''} · ${text}`, labelDetails: { description: text }, sortText };
  });
}

/** The name a layout writes for its ffn (`ws2d` for the `ws2d_swiglu` a swiglu model resolved it to). */
function writtenFfn(block: CheckedBlock): string {
  const suffix = swigluVariantName('');
  return block.decl.source.isPrelude && block.name.endsWith(suffix) ? block.name.slice(0, -suffix.length) : block.name;
}

/**
 * The layout around the cursor, resolved, and the resolver of its check. While `attention = |`
 * is being written the layout does not resolve: its text is checked again with the value under
 * the cursor read as `none` (the choice every layout can take), so the model, mesh and ffn are known.
 */
function layoutForChoice(analysis: Analysis, decl: RecordDecl, offset: number): { layout: ResolvedLayout; resolver: VariantBuilder } | undefined {
  const resolved = analysis.layouts.find((l) => l.decl === decl);
  if (resolved) return { layout: resolved, resolver: analysis.resolver };
  const text = analysis.source.text;
  const start = offset - (/\w*$/.exec(text.slice(Math.max(0, offset - MAX_CONTEXT_CHARS), offset))?.[0].length ?? 0);
  const end = offset + (/^\w*/.exec(text.slice(offset, offset + MAX_CONTEXT_CHARS))?.[0].length ?? 0);
  try {
    const file = parse({ ...analysis.source, text: `${text.slice(0, start)}${NO_ATTENTION}${text.slice(end)}` });
    const result = check([...analysis.prelude, file], analysis.blocks);
    const layout = result.layouts.find((l) => l.name === decl.name.text);
    return layout && { layout, resolver: result.resolver };
  } catch {
    return undefined;
  }
}

function meshAxes(decl: RecordDecl): string[] {
  const axes = decl.fields.map((f) => f.name.text).filter((n) => /^[a-z]$/.test(n));
  return axes.length ? axes : ['x', 'y', 'z'];
}

function axisLetters(axes: string[], detail?: Map<string, string>): CompletionItem[] {
  return axes.map((a) => ({ label: a, kind: CompletionItemKind.EnumMember, detail: detail?.get(a) ?? `mesh axis ${a}` }));
}

// ---------------------------------------------------------------------------------------------
// Blocks

/**
 * Axis letters of the meshes of the layouts using this block, with their sizes. While the block
 * does not check (mid-edit), no layout resolves to it: the meshes this file declares stand in.
 */
function blockAxes(analysis: Analysis, block: BlockDecl): { axes: string[]; detail: Map<string, string> } {
  const detail = new Map<string, string>();
  const axes: string[] = [];
  const note = (axis: string, mesh: string, size: string) => {
    if (!axes.includes(axis)) axes.push(axis);
    const prev = detail.get(axis);
    const here = `${mesh}: ${size}`;
    if (!prev?.includes(here)) detail.set(axis, prev ? `${prev}, ${here}` : `axis ${axis} — ${here}`);
  };
  for (const use of usesOfBlock(analysis, block)) for (const a of use.layout.mesh.axes) note(a.name, use.layout.mesh.name, String(a.size));
  if (!axes.length) {
    for (const decl of analysis.file.decls) {
      if (decl.kind !== 'mesh') continue;
      for (const f of decl.fields) if (/^[a-z]$/.test(f.name.text) && f.value.kind === 'number') note(f.name.text, decl.name.text, f.value.text);
    }
  }
  return axes.length ? { axes, detail } : { axes: ['x', 'y', 'z'], detail };
}

function blockCompletions(analysis: Analysis, block: BlockDecl, before: string, offset: number): CompletionItem[] {
  // In a type (after `:`): dim letters; right after `_` or an axis letter: axis letters.
  const typeMatch = /:\s*([A-Za-z_ ]*(\(\s*partialsum-[a-z]*)?)$/.exec(before);
  if (typeMatch) {
    const { axes, detail } = blockAxes(analysis, block);
    if (/(_[a-z]*|partialsum-[a-z]*)$/.test(typeMatch[1])) return axisLetters(axes, detail);
    const items: CompletionItem[] = Object.entries(DIM_MEANING).map(([letter, meaning]) => ({ label: letter, kind: CompletionItemKind.TypeParameter, detail: meaning }));
    items.push({ label: '(partialsum-…)', kind: CompletionItemKind.Snippet, insertText: '(partialsum-${1:x})', insertTextFormat: InsertTextFormat.Snippet, detail: 'summed locally but not yet across these axes' });
    return items;
  }
  // Inside an operation's parentheses: earlier values, or axes for a collective's last argument.
  const callMatch = /=\s*(\w+)\s*\(([^)]*)$/.exec(before);
  if (callMatch) {
    const spec = operation(callMatch[1]);
    const argIndex = callMatch[2].split(',').length - 1;
    if (spec && spec.takesAxes && argIndex >= spec.operands) {
      const { axes, detail } = blockAxes(analysis, block);
      return axisLetters(axes, detail);
    }
    return valuesBefore(analysis, block, offset);
  }
  if (/^\s*\w+\s*=\s*\w*$/.test(before)) return operations();
  if (/^\s*out\s+\w*$/.test(before)) return valuesBefore(analysis, block, offset);
  if (/^\s*\w*$/.test(before)) {
    return Object.entries(STATEMENT_SNIPPETS).map(([keyword, snippet]) => ({
      label: keyword,
      kind: CompletionItemKind.Keyword,
      insertText: snippet,
      insertTextFormat: InsertTextFormat.Snippet,
    }));
  }
  return [];
}

function operations(): CompletionItem[] {
  return allOperations().map((spec) => {
    const name = spec.name;
    const params = spec.signature.replace(/^[^(]*\(|\).*$/g, '').split(',').map((p) => p.trim());
    const args = params.map((p, i) => `\${${i + 1}:${p}}`).join(', ');
    const annotation = spec.annotationRequired ? ` : \${${params.length + 1}:TYPE}` : '';
    return {
      label: name,
      kind: spec.class === 'collective' ? CompletionItemKind.Event : CompletionItemKind.Function,
      detail: spec.signature,
      documentation: spec.doc,
      insertText: `${name}(${args})${annotation}`,
      insertTextFormat: InsertTextFormat.Snippet,
    };
  });
}

/** The block's values defined before the cursor (blocks are in dataflow order). */
function valuesBefore(analysis: Analysis, block: BlockDecl, offset: number): CompletionItem[] {
  const checked = analysis.blocks.get(block);
  const out: CompletionItem[] = [];
  for (const stmt of block.stmts) {
    if (stmt.start >= offset) break;
    const names = stmt.kind === 'let' ? [stmt.name] : stmt.kind === 'out' ? [] : stmt.names;
    for (const n of names) {
      if (stmt.end >= offset && stmt.kind === 'let') continue; // the statement being written
      const type = checked?.byName.get(n.text)?.type;
      out.push({ label: n.text, kind: CompletionItemKind.Variable, detail: type ? `${stmt.kind === 'let' ? stmt.op.text : stmt.kind} : ${formatType(type)}` : undefined });
    }
  }
  return out;
}
