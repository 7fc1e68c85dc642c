// Type inference and checking of one block (spec/language.md §2.1). Blocks are checked once,
// independently of any mesh: the typing rules only talk about axis names. What depends on a
// layout (axes the mesh lacks, divisibility) is checked per layout in `layoutChecks.ts`.

import type { AxisRef, BlockDecl, DeclStmt, DimGroup, Ident, LetStmt, SourceFile, Span, TypeExpr } from '../syntax/ast';
import { axesOf } from '../syntax/ast';
import type { Diagnostic, DiagnosticCode, QuickFix, RelatedInfo } from '../diagnostics';
import type { BlockUsage, CheckedBlock, CheckedValue, DimSet } from './resolved';
import {
  type ShardDim,
  type ShardType,
  dimOf,
  formatAxes,
  formatType,
  hasDim,
  isStandardDim,
  sameAxes,
  shardsOver,
  typesEqual,
  DIM_MEANING,
} from './shardType';

export interface OpSpec {
  /** Operand values (not counting the AXES argument). */
  values: number;
  /** Takes a trailing AXES argument. */
  axes: boolean;
  annotationRequired: boolean;
  signature: string;
  doc: string;
}

export const OPS: Record<string, OpSpec> = {
  einsum: { values: 2, axes: false, annotationRequired: true, signature: 'einsum(a, b) : TYPE', doc: 'matrix multiply; letters absent from the result are contracted and their axes become partialsum axes' },
  all_gather: { values: 1, axes: true, annotationRequired: false, signature: 'all_gather(t, AXES)', doc: 'gather t over AXES: the result is replicated over them' },
  reduce_scatter: { values: 1, axes: true, annotationRequired: true, signature: 'reduce_scatter(t, AXES) : TYPE', doc: 'sum the partialsum axes AXES and scatter the result over them; the annotation says which dim receives AXES' },
  all_reduce: { values: 1, axes: true, annotationRequired: false, signature: 'all_reduce(t, AXES)', doc: 'sum the partialsum axes AXES; the result is replicated over them' },
  all_to_all: { values: 1, axes: true, annotationRequired: true, signature: 'all_to_all(t, AXES) : TYPE', doc: 'move AXES from one dim to another; the annotation says where' },
  slice: { values: 1, axes: true, annotationRequired: true, signature: 'slice(t, AXES) : TYPE', doc: 'keep this chip\'s part of a tensor replicated over AXES (no communication)' },
  append: { values: 2, axes: false, annotationRequired: false, signature: 'append(cache, t)', doc: 'append the new keys or values t (L in place of T) to a KV cache' },
  gelu: { values: 1, axes: false, annotationRequired: false, signature: 'gelu(t)', doc: 'elementwise GeLU' },
  silu: { values: 1, axes: false, annotationRequired: false, signature: 'silu(t)', doc: 'elementwise SiLU' },
  swiglu: { values: 2, axes: false, annotationRequired: false, signature: 'swiglu(gate, up)', doc: 'SiLU(gate) × up, elementwise' },
  add: { values: 2, axes: false, annotationRequired: false, signature: 'add(a, b)', doc: 'elementwise sum' },
  softmax: { values: 1, axes: false, annotationRequired: false, signature: 'softmax(t)', doc: 'softmax over T' },
  layernorm: { values: 1, axes: false, annotationRequired: false, signature: 'layernorm(t)', doc: 'layer normalisation over E' },
};

export const COLLECTIVE_OPS = new Set(['all_gather', 'reduce_scatter', 'all_reduce', 'all_to_all', 'slice']);

/**
 * Written types, shared by their text within one check: a 10,000-line file writes `BLE_xyz` a
 * thousand times, and one immutable ShardType serves them all. Only types without errors are
 * kept (a type's findings depend on nothing but its text, so a kept text has none).
 */
export interface TypeTable {
  text: string;
  types: Map<string, ShardType>;
}

function internedType(expr: TypeExpr, report: Report, table: TypeTable | undefined): ShardType | undefined {
  if (!table) return typeFromExpr(expr, report);
  const key = table.text.slice(expr.start, expr.end);
  let t = table.types.get(key);
  if (t) return t;
  let clean = true;
  t = typeFromExpr(expr, (code, span, message, fixes) => {
    clean = false;
    report(code, span, message, fixes);
  });
  if (t && clean) table.types.set(key, t);
  return t;
}

/** Convert a written type to a ShardType, reporting unknown and duplicate dims and reused axes. */
export function typeFromExpr(expr: TypeExpr, report: (code: DiagnosticCode, span: Span, message: string, fixes?: QuickFix[]) => void): ShardType | undefined {
  // Bit sets over the 26 letters: this runs for every written type, so it avoids allocating maps.
  let ok = true;
  let dimSeen = 0;
  let axisSeen = 0;
  const dims: ShardType['dims'] = [];
  const owner = (axis: string): string => dims.find((d) => d.axes.includes(axis))?.letter ?? 'partialsum';
  for (const g of expr.dims) {
    if (!isStandardDim(g.letter)) {
      report('unknown-dim', g.letterSpan, `unknown dimension letter \`${g.letter}\`: the dimensions are ${Object.entries(DIM_MEANING).map(([k, v]) => `${k} (${v})`).join(', ')}`);
      ok = false;
      continue;
    }
    const dimBit = 1 << (g.letter.charCodeAt(0) - 65);
    if (dimSeen & dimBit) {
      const hasT = (dimSeen & (1 << ('T'.charCodeAt(0) - 65))) !== 0;
      const fixes: QuickFix[] = g.letter === 'L' && !hasT ? [{ title: 'Use T for the attended length', edits: [{ span: g.letterSpan, newText: 'T' }], preferred: true }] : [];
      const extra = g.letter === 'L' ? ' (for the attended context length, as in the paper\'s `BLLH`, use T)' : '';
      report('duplicate-dim', g.letterSpan, `dimension \`${g.letter}\` appears twice in one type${extra}`, fixes);
      ok = false;
      continue;
    }
    dimSeen |= dimBit;
    const axes: string[] = [];
    const dim = { letter: g.letter, axes };
    dims.push(dim);
    for (const a of g.axes) {
      const axisBit = 1 << (a.letter.charCodeAt(0) - 97);
      if (axisSeen & axisBit) {
        report('axis-reused', a, `axis \`${a.letter}\` already shards \`${owner(a.letter)}\` in this type; one axis can split only one dimension, once`);
        ok = false;
        continue;
      }
      axisSeen |= axisBit;
      axes.push(a.letter);
    }
  }
  const partialsum: string[] = [];
  if (expr.partialsum) {
    for (const a of expr.partialsum.axes) {
      const axisBit = 1 << (a.letter.charCodeAt(0) - 97);
      if (axisSeen & axisBit) {
        const prev = partialsum.includes(a.letter) ? 'partialsum' : owner(a.letter);
        report('axis-reused', a, prev === 'partialsum' ? `axis \`${a.letter}\` appears twice in the partialsum` : `axis \`${a.letter}\` already shards \`${prev}\`; a tensor cannot also be a partial sum over it`);
        ok = false;
        continue;
      }
      axisSeen |= axisBit;
      partialsum.push(a.letter);
    }
  }
  return ok ? { dims, partialsum } : undefined;
}

/** The args and axes of a value that has none: one frozen empty list for all of them. */
const NO_NAMES: string[] = Object.freeze([]) as unknown as string[];

interface ValueInfo {
  value: CheckedValue;
  /** Where the value is defined (its name). */
  def: Ident;
  kind: 'in' | 'weight' | 'cache' | 'op';
  /** The definition as a reference target, made at the first use and shared by all uses. */
  target: ValueRef['target'] | undefined;
}

/** A use of a block value (an argument or `out NAME`), for references and rename. */
export interface ValueRef {
  source: SourceFile;
  span: Span;
  kind: 'value';
  /** Shared by every use of one value (a large file has thousands of uses). */
  target: { source: SourceFile; span: Span };
}

export interface BlockCheckResult {
  block: CheckedBlock;
  diagnostics: Diagnostic[];
  refs: ValueRef[];
}

/** Check one block. `sharedTypes` shares written types across the blocks of one check. */
export function checkBlock(decl: BlockDecl, sharedTypes?: Map<string, ShardType>): BlockCheckResult {
  const source = decl.source;
  const table: TypeTable | undefined = sharedTypes ? { text: source.text, types: sharedTypes } : undefined;
  const diagnostics: Diagnostic[] = [];
  const refs: ValueRef[] = [];
  const report = (code: DiagnosticCode, span: Span, message: string, fixes?: QuickFix[], related?: RelatedInfo[]) => {
    diagnostics.push({ code, severity: 'error', message, source, span, fixes: fixes?.length ? fixes : undefined, related: related?.length ? related : undefined });
  };
  const values: CheckedValue[] = [];
  const byName = new Map<string, CheckedValue>();
  const info = new Map<string, ValueInfo>();
  let input: CheckedValue | undefined;
  let output: CheckedValue | undefined;
  let inStmt: DeclStmt | undefined;
  let outSeen: Span | undefined;
  let ok = true;
  const errorsBefore = () => diagnostics.length;

  if (decl.base) report('bad-block', decl.base, `a ${decl.kind} block cannot start from another block; write its statements out`);

  const define = (name: Ident, value: CheckedValue, kind: ValueInfo['kind']) => {
    const prev = info.get(name.text);
    if (prev) {
      report('duplicate-name', name, `\`${name.text}\` is already defined in ${decl.kind} ${decl.name.text}; values are assigned once`, undefined, [
        { source, span: prev.def, message: `\`${name.text}\` is first defined here` },
      ]);
      return;
    }
    info.set(name.text, { value, def: name, kind, target: undefined });
    byName.set(name.text, value);
    values.push(value);
  };

  const lookup = (arg: Ident): ValueInfo | undefined => {
    const v = info.get(arg.text);
    if (!v) {
      const later = decl.stmts.find((s) => (s.kind === 'let' ? s.name.text === arg.text : s.kind !== 'out' && s.names.some((n) => n.text === arg.text)));
      report('unknown-name', arg, later ? `\`${arg.text}\` is used before it is defined (blocks are in dataflow order)` : `no value \`${arg.text}\` in ${decl.kind} ${decl.name.text}`);
      return undefined;
    }
    v.target ??= { source, span: v.def };
    refs.push({ source, span: arg, kind: 'value', target: v.target });
    return v;
  };

  for (const stmt of decl.stmts) {
    const before = errorsBefore();
    if (stmt.kind === 'in' || stmt.kind === 'weight' || stmt.kind === 'cache') {
      const type = stmt.type ? internedType(stmt.type, report, table) : undefined;
      if (type && type.partialsum.length && stmt.type?.partialsum) {
        const what = stmt.kind === 'in' ? 'the block input' : stmt.kind === 'weight' ? 'a stored weight' : 'a stored cache';
        report('partialsum', stmt.names[0], `\`${stmt.names[0].text}\` is ${what} and cannot be a partial sum (${formatType(type)})`);
      }
      if (stmt.kind === 'in') {
        if (inStmt) {
          report('bad-block', stmt.keyword, `${decl.kind} ${decl.name.text} already has an input (\`${inStmt.names[0].text}\`); a block has exactly one \`in\``);
        } else inStmt = stmt;
        if (stmt.names.length > 1) report('bad-block', stmt.names[1], 'a block has exactly one input');
      }
      for (const name of stmt.names) {
        const v: CheckedValue = { name: name.text, op: stmt.kind, args: NO_NAMES, axes: NO_NAMES, type, stmt, groupedHeads: undefined };
        define(name, v, stmt.kind);
        if (stmt.kind === 'in' && !input && stmt === inStmt) input = v;
      }
    } else if (stmt.kind === 'out') {
      if (outSeen) report('bad-block', stmt.keyword, `${decl.kind} ${decl.name.text} already has an output; a block has exactly one \`out\``);
      outSeen = stmt.keyword;
      if (stmt.name) {
        const v = lookup(stmt.name);
        if (v) {
          if (!output) output = v.value;
          const t = v.value.type;
          if (t && t.partialsum.length) {
            report('partialsum', stmt.name, `the block output \`${stmt.name.text}\` is a partial sum (${formatType(t)}): reduce it first, e.g. \`reduce_scatter(${stmt.name.text}, ${formatAxes(t.partialsum)})\``);
          }
        }
      }
    } else {
      checkLet(stmt as LetStmt, decl, define, lookup, report, table);
    }
    if (errorsBefore() > before) ok = false;
  }
  if (!inStmt) report('bad-block', decl.name, `${decl.kind} ${decl.name.text} has no input: add \`in h : TYPE\``);
  if (!outSeen) report('bad-block', decl.name, `${decl.kind} ${decl.name.text} has no output: add \`out NAME\``);
  if (diagnostics.length) ok = false;
  return { block: { name: decl.name.text, kind: decl.kind, decl, values, byName, input, output, ok, isPrelude: source.isPrelude, usage: usageOf(decl) }, diagnostics, refs };
}

type Report = (code: DiagnosticCode, span: Span, message: string, fixes?: QuickFix[], related?: RelatedInfo[]) => void;

function checkLet(
  stmt: LetStmt,
  decl: BlockDecl,
  define: (name: Ident, value: CheckedValue, kind: 'op') => void,
  lookup: (arg: Ident) => ValueInfo | undefined,
  report: Report,
  table: TypeTable | undefined,
): void {
  const source = decl.source;
  const opName = stmt.op.text;
  const spec = OPS[opName];
  const value: CheckedValue = { name: stmt.name.text, op: opName, args: NO_NAMES, axes: NO_NAMES, type: undefined, stmt, groupedHeads: undefined };
  const annotation = stmt.annotation ? internedType(stmt.annotation, report, table) : undefined;
  const annotationBad = stmt.annotation !== undefined && annotation === undefined;
  if (stmt.incomplete) {
    // The syntax error already explains the statement; its value is unknown from here on.
    value.type = annotation;
    define(stmt.name, value, 'op');
    return;
  }
  if (!spec) {
    report('unknown-name', stmt.op, `unknown operation \`${opName}\`; the operations are ${Object.keys(OPS).join(', ')}`);
    value.type = annotation;
    define(stmt.name, value, 'op');
    return;
  }
  // Arguments: values, then AXES for collectives.
  const expected = spec.values + (spec.axes ? 1 : 0);
  if (stmt.args.length !== expected) {
    report('bad-call', stmt.args.length > expected ? stmt.args[expected] : stmt.argsSpan, `\`${opName}\` takes ${expected} argument${expected === 1 ? '' : 's'}: ${spec.signature}`);
  }
  // Arrays built by map have exactly their length (one grown by push keeps room for 16): a value's
  // argument names live as long as the analysis.
  const operandIdents = stmt.args.length <= spec.values ? stmt.args : stmt.args.slice(0, spec.values);
  const operands = operandIdents.map(lookup);
  const types = operands.map((o) => o?.value.type);
  value.args = operandIdents.map((a) => a.text);
  const typed = operands.length === spec.values && types.every((t) => t !== undefined);
  let axesIdent: Ident | undefined;
  if (spec.axes && stmt.args.length > spec.values) {
    axesIdent = stmt.args[spec.values];
    const letters = axesIdent.text;
    const axes = axisList(letters);
    if (axes === 'not-axes') {
      report('bad-collective', axesIdent, `\`${letters}\` is not a list of mesh axes: write the axis letters together, as \`yz\``);
      axesIdent = undefined;
    } else if (axes === 'repeated') {
      report('bad-collective', axesIdent, `axes \`${letters}\` name an axis twice`);
      axesIdent = undefined;
    } else value.axes = axes;
  }
  if (spec.annotationRequired && !stmt.annotation) {
    report('missing-annotation', stmt.eq, `\`${opName}\` needs a type annotation: \`${stmt.name.text} = ${spec.signature.replace(/\(.*\)/, `(${stmt.args.map((a) => a.text).join(', ')})`)}\``);
  }
  const complete = typed && (!spec.axes || axesIdent !== undefined);
  let inferred: ShardType | undefined;
  if (complete) {
    const ctx: OpContext = { stmt, source, report, operands: operands as ValueInfo[], types: types as ShardType[], axes: value.axes, axesIdent, annotation };
    inferred = inferOp(opName, ctx, value);
  }
  if (inferred && annotation) {
    if (!typesEqual(inferred, annotation)) {
      const fix: QuickFix = { title: `Set the annotation to ${formatType(inferred)}`, edits: [{ span: stmt.annotation!, newText: formatType(inferred) }], preferred: true };
      report('type-mismatch', stmt.annotation!, `\`${stmt.name.text}\` is annotated ${formatType(annotation)} but ${opName} gives ${formatType(inferred)}`, [fix]);
    }
  }
  value.type = annotation ?? (annotationBad ? undefined : inferred);
  define(stmt.name, value, 'op');
}

/**
 * The axis letters of an AXES argument such as `yz`, or why it is not one. The lists are shared
 * (nothing changes a value's axes), as a file writes the same few hundreds of times.
 */
const axisLists = new Map<string, string[]>();
function axisList(letters: string): string[] | 'not-axes' | 'repeated' {
  const known = axisLists.get(letters);
  if (known) return known;
  let seen = 0;
  for (let i = 0; i < letters.length; i++) {
    const c = letters.charCodeAt(i);
    if (c < 97 || c > 122) return 'not-axes';
    const bit = 1 << (c - 97);
    if (seen & bit) return 'repeated';
    seen |= bit;
  }
  if (!letters.length) return 'not-axes';
  const list = [...letters];
  // At most 26! lists exist in principle; keep the table small all the same.
  if (axisLists.size > 4096) axisLists.clear();
  axisLists.set(letters, list);
  return list;
}

interface OpContext {
  stmt: LetStmt;
  source: SourceFile;
  report: Report;
  operands: ValueInfo[];
  types: ShardType[];
  axes: string[];
  axesIdent?: Ident;
  annotation?: ShardType;
}

function related(ctx: OpContext, i: number, message: string): RelatedInfo[] {
  const v = ctx.operands[i];
  return [{ source: ctx.source, span: v.def, message }];
}

function noPartial(ctx: OpContext, i: number, what: string): boolean {
  const t = ctx.types[i];
  if (!t.partialsum.length) return true;
  const arg = ctx.stmt.args[i];
  const fix: QuickFix | undefined = undefined;
  ctx.report(
    'partialsum',
    arg,
    `${what} of \`${arg.text}\`, a partial sum over ${formatAxes(t.partialsum)} (${formatType(t)}): sum it first with \`reduce_scatter(${arg.text}, ${formatAxes(t.partialsum)})\` or \`all_reduce\``,
    fix ? [fix] : undefined,
    related(ctx, i, `\`${arg.text}\` becomes a partial sum here`),
  );
  return false;
}

function inferOp(op: string, ctx: OpContext, value: CheckedValue): ShardType | undefined {
  switch (op) {
    case 'einsum':
      return inferEinsum(ctx, value);
    case 'all_gather':
      return inferAllGather(ctx);
    case 'reduce_scatter':
      return inferReduceScatter(ctx);
    case 'all_reduce':
      return inferAllReduce(ctx);
    case 'all_to_all':
      return inferAllToAll(ctx);
    case 'slice':
      return inferSlice(ctx);
    case 'append':
      return inferAppend(ctx);
    case 'gelu':
    case 'silu':
      return noPartial(ctx, 0, `\`${op}\` is a non-linearity`) ? ctx.types[0] : undefined;
    case 'swiglu':
    case 'add':
      return inferElementwise2(op, ctx);
    case 'softmax':
    case 'layernorm':
      return inferNormalise(op, ctx);
  }
  return undefined;
}

/** A dim's letter with K read as H when an einsum matches grouped KV heads to query heads. */
function canonLetter(letter: string, grouped: boolean): string {
  return grouped && letter === 'K' ? 'H' : letter;
}

/** The first dim of `t` whose canonical letter is `letter`. */
function canonDim(t: ShardType, letter: string, grouped: boolean): ShardDim | undefined {
  for (const d of t.dims) if (canonLetter(d.letter, grouped) === letter) return d;
  return undefined;
}

/** Bit of an axis letter `a`–`z` (typeFromExpr and the AXES argument admit no others). */
function axisBit(axis: string): number {
  return 1 << (axis.charCodeAt(0) - 97);
}

// Einsum is the most frequent statement: this works on the operand types in place and
// allocates only the result.
function inferEinsum(ctx: OpContext, value: CheckedValue): ShardType | undefined {
  const [a, b] = ctx.types;
  const [argA, argB] = ctx.stmt.args;
  const ann = ctx.annotation;
  if (!ann) return undefined;
  // Grouped heads: one operand has H, the other K (and neither has both): K is matched to H.
  const grouped = (hasDim(a, 'H') && !hasDim(a, 'K') && hasDim(b, 'K') && !hasDim(b, 'H')) || (hasDim(b, 'H') && !hasDim(b, 'K') && hasDim(a, 'K') && !hasDim(a, 'H'));
  if (grouped) value.groupedHeads = true;
  let ok = true;
  for (const d of b.dims) {
    const letter = canonLetter(d.letter, grouped);
    const e = canonDim(a, letter, grouped);
    if (!e) continue;
    if (grouped && letter === 'H') {
      const dWasK = d.letter === 'K';
      const kDim = dWasK ? d : e;
      const hDim = dWasK ? e : d;
      if (kDim.axes.length && !sameSet(kDim.axes, hDim.axes)) {
        ctx.report(
          'sharding-mismatch',
          argB,
          `grouped heads: K is matched to H, so K must be sharded like H (over ${formatAxes(hDim.axes) || 'nothing'}) or not at all, but K is sharded over ${formatAxes(kDim.axes)}`,
          undefined,
          related(ctx, dWasK ? 0 : 1, `H is sharded over ${formatAxes(hDim.axes) || 'nothing'} here`),
        );
        ok = false;
      }
      continue;
    }
    if (!sameSet(d.axes, e.axes)) {
      const contracted = !ann.dims.some((x) => x.letter === letter);
      ctx.report(
        'sharding-mismatch',
        argB,
        `einsum ${contracted ? 'contracts' : 'keeps'} ${letter}, sharded over ${formatAxes(e.axes) || 'nothing'} in ${argA.text} but over ${formatAxes(d.axes) || 'nothing'} in ${argB.text}: both operands must shard ${letter} alike (all_gather or slice one of them first)`,
        undefined,
        related(ctx, 0, `${argA.text} : ${formatType(a)}`),
      );
      ok = false;
    }
  }
  // Partialsum operands: allowed only when the partner is replicated over those axes.
  for (let i = 0; i < 2; i++) {
    const t = i === 0 ? a : b;
    const other = i === 0 ? b : a;
    for (const p of t.partialsum) {
      const partnerCarries = other.dims.some((d) => d.axes.includes(p)) || other.partialsum.includes(p);
      if (partnerCarries) {
        const arg = ctx.stmt.args[i];
        ctx.report(
          'partialsum',
          arg,
          `\`${arg.text}\` is a partial sum over ${p} but its partner ${ctx.stmt.args[1 - i].text} is not replicated over ${p}: reduce \`${arg.text}\` first`,
          undefined,
          related(ctx, i, `\`${arg.text}\` : ${formatType(t)}`),
        );
        ok = false;
      }
    }
  }
  if (!ok) return undefined;
  // Output dims come from the annotation; each keeps its operand's axes.
  let absent: string | undefined;
  const dims: ShardType['dims'] = ann.dims.map((g) => {
    const src = canonDim(a, g.letter, grouped) ?? canonDim(b, g.letter, grouped);
    if (!src) {
      absent ??= g.letter;
      return g;
    }
    // With grouped heads prefer H's axes (K may be replicated).
    const axes = grouped && g.letter === 'H' ? (dimOf(a, 'H') ?? dimOf(b, 'H') ?? src).axes : src.axes;
    return { letter: g.letter, axes: axes.slice() };
  });
  if (absent) {
    ctx.report('type-mismatch', ctx.stmt.annotation!, `the einsum result has ${absent}, which neither ${argA.text} (${formatType(a)}) nor ${argB.text} (${formatType(b)}) has`);
    return undefined;
  }
  // Contracted dims (absent from the result) turn their axes into partialsum axes. Plain loops
  // (no callbacks) keep this from allocating more than the result.
  const partialsum: string[] = [];
  for (const ax of a.partialsum) if (!partialsum.includes(ax)) partialsum.push(ax);
  for (const ax of b.partialsum) if (!partialsum.includes(ax)) partialsum.push(ax);
  for (let i = 0; i < 2; i++) {
    const t = i === 0 ? a : b;
    for (const d of t.dims) {
      const letter = canonLetter(d.letter, grouped);
      if (dimOf(ann, letter)) continue;
      // The first operand's dim of a letter decides, as both must agree anyway.
      if (i === 1 && canonDim(a, letter, grouped)) continue;
      if (canonDim(t, letter, grouped) !== d) continue;
      for (const ax of d.axes) if (!partialsum.includes(ax)) partialsum.push(ax);
    }
  }
  const result: ShardType = { dims, partialsum };
  // No axis may appear twice in the result, counting partialsum axes.
  let seen = 0;
  let twice = 0;
  for (const d of dims) {
    for (const ax of d.axes) {
      const bit = axisBit(ax);
      if (seen & bit) twice |= bit;
      seen |= bit;
    }
  }
  for (const ax of partialsum) {
    const bit = axisBit(ax);
    if (seen & bit) twice |= bit;
    seen |= bit;
  }
  if (!twice) return result;
  // Named in order of first use.
  const reused: string[] = [];
  for (const ax of [...dims.flatMap((d) => d.axes), ...partialsum]) {
    const bit = axisBit(ax);
    if (twice & bit) {
      twice &= ~bit;
      reused.push(ax);
    }
  }
  ctx.report('axis-reused', argB, `the einsum result would use axis ${reused.join(', ')} twice (${describeAxisUse(result, reused)}); gather or reduce one side first`);
  return undefined;
}

function describeAxisUse(t: ShardType, axes: string[]): string {
  const uses: string[] = [];
  for (const ax of axes) {
    const where = t.dims.filter((d) => d.axes.includes(ax)).map((d) => d.letter);
    if (t.partialsum.includes(ax)) where.push('partialsum');
    uses.push(`${ax} on ${where.join(' and ')}`);
  }
  return uses.join('; ');
}

function sameSet(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((x) => b.includes(x));
}

function inferAllGather(ctx: OpContext): ShardType | undefined {
  const t = ctx.types[0];
  const missing = ctx.axes.filter((a) => !shardsOver(t, a));
  if (missing.length) {
    const partialOnes = missing.filter((a) => t.partialsum.includes(a));
    const why = partialOnes.length
      ? `${partialOnes.join('')} is a partialsum axis of ${ctx.stmt.args[0].text}: sum it with reduce_scatter or all_reduce`
      : `${ctx.stmt.args[0].text} (${formatType(t)}) is not sharded over ${missing.join('')}`;
    ctx.report('bad-collective', ctx.axesIdent!, `all_gather over ${ctx.axes.join('')}: ${why}`, undefined, related(ctx, 0, `${ctx.stmt.args[0].text} : ${formatType(t)}`));
    return undefined;
  }
  return { dims: withoutAxes(t.dims, ctx.axes), partialsum: t.partialsum };
}

/** The dims with `axes` taken out; a dim that has none of them is shared, not copied. */
function withoutAxes(dims: ShardDim[], axes: readonly string[]): ShardDim[] {
  return dims.map((d) => (d.axes.some((a) => axes.includes(a)) ? { letter: d.letter, axes: d.axes.filter((a) => !axes.includes(a)) } : d));
}

function notPartialOver(ctx: OpContext, op: string): boolean {
  const t = ctx.types[0];
  const missing = ctx.axes.filter((a) => !t.partialsum.includes(a));
  if (!missing.length) return true;
  ctx.report(
    'partialsum',
    ctx.axesIdent!,
    `${op} over ${ctx.axes.join('')}, but ${ctx.stmt.args[0].text} is not a partial sum over ${missing.join('')} (its type is ${formatType(t)})${t.partialsum.length ? `; it is partial over ${formatAxes(t.partialsum)}` : ''}`,
    undefined,
    related(ctx, 0, `${ctx.stmt.args[0].text} : ${formatType(t)}`),
  );
  return false;
}

/** True when `base` with `extra` appended to the axes of its dim `at` equals `ann` (typesEqual). */
function equalWithAdded(base: ShardType, at: number, extra: readonly string[], ann: ShardType): boolean {
  if (base.dims.length !== ann.dims.length) return false;
  for (let j = 0; j < base.dims.length; j++) {
    const d = base.dims[j];
    const e = dimOf(ann, d.letter);
    if (!e) return false;
    if (j !== at) {
      if (!sameAxes(d.axes, e.axes)) return false;
      continue;
    }
    if (d.axes.length + extra.length !== e.axes.length) return false;
    for (const ax of e.axes) if (!d.axes.includes(ax) && !extra.includes(ax)) return false;
  }
  return sameAxes(base.partialsum, ann.partialsum);
}

/** `base` with `extra` added to the axes of its dim `at`. */
function withAdded(base: ShardType, at: number, extra: readonly string[]): ShardType {
  return { dims: base.dims.map((e, j) => ({ letter: e.letter, axes: j === at ? [...e.axes, ...extra] : [...e.axes] })), partialsum: base.partialsum };
}

/**
 * `t` with `axes` added to the dim that the annotation shows receiving them. When one dim fits,
 * the result equals the annotation, which is returned as it is (nothing is built).
 */
function placeAxes(ctx: OpContext, base: ShardType, op: string): ShardType | undefined {
  const ann = ctx.annotation;
  if (!ann) return undefined;
  for (let i = 0; i < base.dims.length; i++) if (equalWithAdded(base, i, ctx.axes, ann)) return ann;
  if (!base.dims.length) return undefined;
  // Pick the dim the annotation gives the most of the moved axes, to name a sensible expectation.
  let bestAt = base.dims.length - 1;
  let bestScore = -1;
  base.dims.forEach((d, i) => {
    const annAxes = dimOf(ann, d.letter)?.axes ?? [];
    const score = ctx.axes.filter((a) => annAxes.includes(a)).length;
    if (score > bestScore) {
      bestAt = i;
      bestScore = score;
    }
  });
  const best = withAdded(base, bestAt, ctx.axes);
  const fix: QuickFix = { title: `Set the annotation to ${formatType(best)}`, edits: [{ span: ctx.stmt.annotation!, newText: formatType(best) }], preferred: true };
  ctx.report(
    'type-mismatch',
    ctx.stmt.annotation!,
    `\`${ctx.stmt.name.text}\` is annotated ${formatType(ann)}, but ${op}(${ctx.stmt.args[0].text}, ${ctx.axes.join('')}) gives ${formatType(base)} with ${ctx.axes.join('')} added to one dim, e.g. ${formatType(best)}`,
    [fix],
  );
  return undefined;
}

function inferReduceScatter(ctx: OpContext): ShardType | undefined {
  if (!notPartialOver(ctx, 'reduce_scatter')) return undefined;
  const t = ctx.types[0];
  // Types are never changed once made, so the new one shares the dims it keeps.
  const base: ShardType = { dims: t.dims, partialsum: t.partialsum.filter((a) => !ctx.axes.includes(a)) };
  return placeAxes(ctx, base, 'reduce_scatter') ?? markReported(ctx);
}

/** placeAxes already reported the mismatch; keep the annotation as the value's type. */
function markReported(ctx: OpContext): ShardType | undefined {
  return ctx.annotation;
}

function inferAllReduce(ctx: OpContext): ShardType | undefined {
  if (!notPartialOver(ctx, 'all_reduce')) return undefined;
  const t = ctx.types[0];
  return { dims: t.dims, partialsum: t.partialsum.filter((a) => !ctx.axes.includes(a)) };
}

function inferAllToAll(ctx: OpContext): ShardType | undefined {
  const t = ctx.types[0];
  const missing = ctx.axes.filter((a) => !shardsOver(t, a));
  if (missing.length) {
    ctx.report('bad-collective', ctx.axesIdent!, `all_to_all moves axes from one dim to another, but ${ctx.stmt.args[0].text} (${formatType(t)}) is not sharded over ${missing.join('')}`);
    return undefined;
  }
  const base: ShardType = { dims: withoutAxes(t.dims, ctx.axes), partialsum: t.partialsum };
  return placeAxes(ctx, base, 'all_to_all') ?? markReported(ctx);
}

function inferSlice(ctx: OpContext): ShardType | undefined {
  const t = ctx.types[0];
  const carried = ctx.axes.filter((a) => shardsOver(t, a) || t.partialsum.includes(a));
  if (carried.length) {
    ctx.report('bad-collective', ctx.axesIdent!, `slice needs a tensor replicated over ${ctx.axes.join('')}, but ${ctx.stmt.args[0].text} (${formatType(t)}) already carries ${carried.join('')}`);
    return undefined;
  }
  return placeAxes(ctx, t, 'slice') ?? markReported(ctx);
}

function inferAppend(ctx: OpContext): ShardType | undefined {
  const [cache, t] = ctx.types;
  if (ctx.operands[0].kind !== 'cache') {
    ctx.report('type-mismatch', ctx.stmt.args[0], `append's first argument must be a \`cache\` value, but \`${ctx.stmt.args[0].text}\` is ${ctx.operands[0].kind === 'op' ? 'computed' : `a ${ctx.operands[0].kind}`}`);
    return undefined;
  }
  if (!hasDim(cache, 'T')) {
    ctx.report('type-mismatch', ctx.stmt.args[0], `the cache \`${ctx.stmt.args[0].text}\` (${formatType(cache)}) has no T (attended length) to append to`);
    return undefined;
  }
  const expected: ShardType = { dims: cache.dims.map((d) => ({ letter: d.letter === 'T' ? 'L' : d.letter, axes: [...d.axes] })), partialsum: [] };
  if (!typesEqual(expected, t)) {
    ctx.report(
      'type-mismatch',
      ctx.stmt.args[1],
      `append(${ctx.stmt.args[0].text}, ${ctx.stmt.args[1].text}) needs ${ctx.stmt.args[1].text} to have the cache's type with L in place of T, ${formatType(expected)}, but it is ${formatType(t)}`,
      undefined,
      related(ctx, 0, `the cache is ${formatType(cache)}`),
    );
    return undefined;
  }
  return { dims: cache.dims.map((d) => ({ letter: d.letter, axes: [...d.axes] })), partialsum: [] };
}

function inferElementwise2(op: string, ctx: OpContext): ShardType | undefined {
  const [a, b] = ctx.types;
  // `add` of two partial sums is allowed when their types are equal (the sum stays partial).
  const bothPartial = op === 'add' && a.partialsum.length > 0 && b.partialsum.length > 0;
  if (!bothPartial) {
    if (!noPartial(ctx, 0, `\`${op}\` needs complete values, not a partial sum`)) return undefined;
    if (!noPartial(ctx, 1, `\`${op}\` needs complete values, not a partial sum`)) return undefined;
  }
  if (!typesEqual(a, b)) {
    ctx.report('type-mismatch', ctx.stmt.args[1], `${op}(${ctx.stmt.args[0].text}, ${ctx.stmt.args[1].text}) needs operands of one type, but they are ${formatType(a)} and ${formatType(b)}`, undefined, related(ctx, 0, `${ctx.stmt.args[0].text} : ${formatType(a)}`));
    return undefined;
  }
  return a;
}

function inferNormalise(op: string, ctx: OpContext): ShardType | undefined {
  const t = ctx.types[0];
  const need = op === 'softmax' ? 'T' : 'E';
  if (!hasDim(t, need)) {
    ctx.report('bad-reduction', ctx.stmt.args[0], `${op} normalises over ${need} (${DIM_MEANING[need]}), but ${ctx.stmt.args[0].text} (${formatType(t)}) has no ${need}`);
    return undefined;
  }
  if (!noPartial(ctx, 0, `\`${op}\` needs a complete value`)) return undefined;
  return t;
}

/**
 * Every axis letter and every sharded dim written in a block, for the per-layout checks (unknown
 * axes, divisibility). Taken while checkBlock has the statements at hand; the AST's own nodes are
 * kept (an AxisRef is its span, a DimGroup has its letter's span), not copied.
 */
/**
 * The mask bit of an axis name: its own bit for `a`–`z`, and one bit no mesh axis has for
 * anything else (an AXES argument such as `x9` is still a name token), so it never passes for one.
 */
export function axisLetterBit(name: string): number {
  return name.length === 1 ? axisCodeBit(name.charCodeAt(0)) : NOT_AN_AXIS_BIT;
}
export const NOT_AN_AXIS_BIT = 1 << 30;

function axisCodeBit(c: number): number {
  return c >= 97 && c <= 122 ? 1 << (c - 97) : NOT_AN_AXIS_BIT;
}

/**
 * What the per-layout checks (unknown axes, divisibility) need of a block: the axis letters it
 * writes, as a bit set, and its sharded dims grouped by letter and axes as written. Taken once,
 * while checkBlock has the statements at hand; the groups keep the AST's own nodes.
 */
export function usageOf(decl: BlockDecl): BlockUsage {
  let axisMask = 0;
  const dimSets: DimSet[] = [];
  const addType = (t: TypeExpr) => {
    for (const g of t.dims) {
      if (!g.axes.length) continue;
      for (const a of g.axes) axisMask |= axisLetterBit(a.letter);
      // A block writes a dozen distinct sharded dims at most: a scan beats building keys (and
      // plain loops allocate nothing, where callbacks would, per comparison).
      let set: DimSet | undefined;
      for (let k = 0; k < dimSets.length && !set; k++) if (writtenAs(dimSets[k], g)) set = dimSets[k];
      if (set) set.groups.push(g);
      else dimSets.push({ letter: g.letter, axes: g.axes.map((x) => x.letter), groups: [g] });
    }
    if (t.partialsum) for (const a of t.partialsum.axes) axisMask |= axisLetterBit(a.letter);
  };
  for (const s of decl.stmts) {
    if (s.kind === 'let') {
      if (COLLECTIVE_OPS.has(s.op.text) && s.args.length >= 2) {
        const axes = s.args[s.args.length - 1].text;
        for (let i = 0; i < axes.length; i++) axisMask |= axisCodeBit(axes.charCodeAt(i));
      }
      if (s.annotation) addType(s.annotation);
    } else if (s.kind !== 'out' && s.type) addType(s.type);
  }
  // Kept with the block for the analysis' lifetime: without the spare room of push-grown arrays.
  for (const set of dimSets) set.groups = set.groups.slice();
  return { axisMask, dimSets: dimSets.slice() };
}

/** True when `g` is the dim of `set`: the same letter, and the same axes in the same order. */
function writtenAs(set: DimSet, g: DimGroup): boolean {
  if (set.letter !== g.letter || set.axes.length !== g.axes.length) return false;
  for (let i = 0; i < set.axes.length; i++) if (set.axes[i] !== g.axes[i].letter) return false;
  return true;
}

/** Every axis letter written in a block, in order, as nodes with spans (for `unknown-axis`). */
export function axisRefsOf(decl: BlockDecl): AxisRef[] {
  const axes: AxisRef[] = [];
  const addType = (t: TypeExpr) => {
    for (const g of t.dims) for (const a of g.axes) axes.push(a);
    if (t.partialsum) for (const a of t.partialsum.axes) axes.push(a);
  };
  for (const s of decl.stmts) {
    if (s.kind === 'let') {
      if (COLLECTIVE_OPS.has(s.op.text) && s.args.length >= 2) for (const a of axesOf(s.args[s.args.length - 1])) axes.push(a);
      if (s.annotation) addType(s.annotation);
    } else if (s.kind !== 'out' && s.type) addType(s.type);
  }
  return axes;
}
