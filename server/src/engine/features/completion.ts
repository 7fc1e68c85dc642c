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
import { ATTENTION_SHARDINGS, familyOfMember, NO_ATTENTION } from '../prelude/names';

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
