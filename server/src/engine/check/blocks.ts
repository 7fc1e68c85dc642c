// Type inference and checking of one block (spec/language.md §2.1). Blocks are checked once,
// independently of any mesh: the typing rules only talk about axis names. What depends on a
// layout (axes the mesh lacks, divisibility) is checked per layout in `layoutChecks.ts`.

import type { AxisRef, BlockDecl, DeclStmt, DimGroup, Ident, LetStmt, SourceFile, Span, TypeExpr } from '../syntax/ast';
import { axesOf } from '../syntax/ast';
import type { Diagnostic, DiagnosticCode, QuickFix, RelatedInfo } from '../diagnostics';
import type { BlockUsage, CheckedBlock, CheckedValue, DimSet } from './resolved';
import { allOperations, operation, takesAxes, type OperandInfo, type Report, type TypingContext } from '../ops/index';
import {
  type ShardType,
  formatAxes,
  formatType,
  isStandardDim,
  typesEqual,
  DIM_MEANING,
} from './shardType';


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

interface ValueInfo extends OperandInfo {
  value: CheckedValue;
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
  /**
   * Set when the refs are an earlier version's, taken over unchanged (analysis.ts): they name that
   * version's source, and the check moves them onto this one only when someone reads them.
   */
  refsSource?: SourceFile;
  /** How many versions in a row the refs were taken over so. */
  refsAge?: number;
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
  const spec = operation(opName);
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
    report('unknown-name', stmt.op, `unknown operation \`${opName}\`; the operations are ${allOperations().map((o) => o.name).join(', ')}`);
    value.type = annotation;
    define(stmt.name, value, 'op');
    return;
  }
  // Arguments: values, then AXES for collectives.
  const expected = spec.operands + (spec.takesAxes ? 1 : 0);
  if (stmt.args.length !== expected) {
    report('bad-call', stmt.args.length > expected ? stmt.args[expected] : stmt.argsSpan, `\`${opName}\` takes ${expected} argument${expected === 1 ? '' : 's'}: ${spec.signature}`);
  }
  // Arrays built by map have exactly their length (one grown by push keeps room for 16): a value's
  // argument names live as long as the analysis.
  const operandIdents = stmt.args.length <= spec.operands ? stmt.args : stmt.args.slice(0, spec.operands);
  const operands = operandIdents.map(lookup);
  const types = operands.map((o) => o?.value.type);
  value.args = operandIdents.map((a) => a.text);
  const typed = operands.length === spec.operands && types.every((t) => t !== undefined);
  let axesIdent: Ident | undefined;
  if (spec.takesAxes && stmt.args.length > spec.operands) {
    axesIdent = stmt.args[spec.operands];
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
  const complete = typed && (!spec.takesAxes || axesIdent !== undefined);
  let inferred: ShardType | undefined;
  if (complete) {
    const ctx: TypingContext = { stmt, source, report, operands: operands as ValueInfo[], types: types as ShardType[], axes: value.axes, axesIdent, annotation };
    inferred = spec.type(ctx, value);
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
      if (takesAxes(s.op.text) && s.args.length >= 2) {
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
      if (takesAxes(s.op.text) && s.args.length >= 2) for (const a of axesOf(s.args[s.args.length - 1])) axes.push(a);
      if (s.annotation) addType(s.annotation);
    } else if (s.kind !== 'out' && s.type) addType(s.type);
  }
  return axes;
}
