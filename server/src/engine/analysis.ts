// One analysis of a source text: parse it, check it against the prelude, cost its layouts. The
// service (service.ts) runs it with its own prelude and cost cache; every feature reads the
// Analysis it returns.

import type { BlockDecl, Decl, File, RecordDecl, SourceFile } from './syntax/ast';
import { isBlockDecl } from './syntax/ast';
import { parse, parseIncremental, previousDecl } from './syntax/parser';
import { normalizeDiagnostics, type Diagnostic } from './diagnostics';
import { LineIndex } from './syntax/lineIndex';
import type { CheckedBlock, MeshSpec, ResolvedLayout, WorkloadSpec } from './check/resolved';
import { check, type BlockReuse, type CheckResult, type LayoutCheck, type SymbolRef } from './check/checker';
import { moveRefs, StaleReference, VersionMove } from './check/versionMove';
import { checkBlock, type BlockCheckResult } from './check/blocks';
import type { ShardType } from './check/shardType';
import { PRELUDE_FILES } from './prelude/index';
import { costDiagnostics, builtinVariants, type LayoutCost } from './cost/index';
import { CostFindingsMemo } from './cost/diagnostics';
import { configurationKey } from './configuration';
import { costNamed } from './costCache';
import { formatFileSize } from './report/format';

/**
 * What the checker found (the layouts that resolved and the ones that cannot be costed, checked
 * blocks of the file and the prelude, scope, every resolved use of a name, where each layout wrote
 * its fields, the variant builder), plus the file and its costs.
 */
export interface Analysis extends Omit<CheckResult, 'diagnostics'> {
  source: SourceFile;
  file: File;
  lineIndex: LineIndex;
  /** Diagnostics of the user's file, sorted and de-duplicated (spec §3), with the cost findings. */
  diagnostics: Diagnostic[];
  prelude: readonly File[];
  /** Cost of each costed layout, by name (layouts past the limit are not costed). */
  costs: Map<string, LayoutCost>;
  /**
   * The cost of any layout of this analysis (or a variant of one), through the cost cache of the
   * service that made it, so a hover, a hint and the next edit's analysis never cost it twice.
   */
  costOf(layout: ResolvedLayout): LayoutCost;
  /**
   * The cost findings of this analysis's configurations and the alternatives their better-layout
   * searches costed: the analysis, the editor's search (one layout at a time, after it) and the
   * report share them, so a configuration is searched once whichever asks first.
   */
  costFindingsMemo: CostFindingsMemo;
}

export interface AnalyzeOptions {
  /** Cost the layouts (default true). The cost findings need it. */
  cost?: boolean;
  /** At most this many layouts are costed (editors keep edits fast; the CLI costs all). */
  maxCostedLayouts?: number;
  /** At most this many layouts get `better-layout` hints (each costs every built-in pair). */
  maxHintLayouts?: number;
  /** A file longer than this (in UTF-16 code units) is not analysed, only reported as too large. */
  maxFileChars?: number;
}

/** Limits that keep the editor responsive (docs/performance.md). */
export const EDITOR_LIMITS: Required<Omit<AnalyzeOptions, 'cost'>> = { maxCostedLayouts: 200, maxHintLayouts: 40, maxFileChars: 1_000_000 };

export function sourceFromText(text: string, uri = '<stdin>'): SourceFile {
  return { uri, text, isPrelude: false };
}

/** The prelude, parsed and its blocks checked: what every analysis is checked against. */
export interface Prelude {
  files: File[];
  blocks: Map<BlockDecl, CheckedBlock>;
}

export function loadPrelude(): Prelude {
  const files = PRELUDE_FILES.map((s) => parse(s));
  const blocks = new Map<BlockDecl, CheckedBlock>();
  for (const f of files) for (const d of f.decls) if (isBlockDecl(d)) blocks.set(d, checkBlock(d).block);
  return { files, blocks };
}

/** Check the prelude as if it were a user file: every diagnostic it has (tests keep this empty). */
export function checkPrelude(): Diagnostic[] {
  const files = PRELUDE_FILES.map((s) => parse({ ...s }));
  const result = check(files);
  return normalizeDiagnostics(result.diagnostics);
}

/** What an analysis runs with: its service's prelude and cost cache. */
export interface AnalysisContext {
  prelude: Prelude;
  costOf(layout: ResolvedLayout): LayoutCost;
}

/**
 * What the next analysis of the same document may take from this one (the service keeps the
 * latest per URI): the parse, for the declarations a change leaves alone, and each block's check.
 * Reuse is keyed by a declaration's text at its offsets, so any change to it re-does its work.
 */
export interface Reusable {
  file: File;
  blocks: Map<BlockDecl, BlockCheckResult>;
  types: Map<string, ShardType>;
  /** Each layout's resolution (check/checker.ts `LayoutCheck`). */
  layouts: Map<RecordDecl, LayoutCheck>;
  /** How many hardware, mesh, model and workload declarations the file has. */
  records: number;
  /** Each costed layout's cost and cost findings, by its declaration (`costLayouts`). */
  costs: Map<RecordDecl, CostReuse>;
}

/** A layout's cost as one analysis found it, for the next version while its resolution is reused. */
interface CostReuse {
  cost: LayoutCost;
  diagnostics: Diagnostic[];
  /** Whether the findings include the better-layout search's (`maxHintLayouts`). */
  hinted: boolean;
  /** How many versions in a row it was reused: a reused cost keeps its first layout's text alive (costCache.ts), so it is asked of the cache now and then. */
  age: number;
}

/** A layout's cost is taken from the previous version fewer than this many versions in a row (then from the cost cache). */
const MAX_COST_REUSE_AGE = 16;

/** Hardware, mesh, model and workload declarations: what every layout may read. */
const isRecordOnly = (d: Decl): boolean => !isBlockDecl(d) && d.kind !== 'layout';

/** Written types kept across versions at most (a long session of edits would otherwise grow it). */
const MAX_KEPT_TYPES = 4096;

const reusables = new WeakMap<Analysis, Reusable>();

/** What an analysis leaves for the next version of its document. */
export function reusableOf(analysis: Analysis): Reusable | undefined {
  return reusables.get(analysis);
}

/**
 * Reused references stay on the version that found them (moving thousands of them at every edit
 * would cost more than the rest of the reuse) until they are read, but at most this many versions
 * in a row, so that they keep few old texts alive; each declaration's turn comes at its own version.
 */
const MAX_REFS_AGE = 32;

function refsTakenOver<T extends { refs: R[]; refsSource?: SourceFile; refsAge?: number }, R extends SymbolRef>(r: T, from: SourceFile, to: SourceFile, at: number): Pick<T, 'refs' | 'refsSource' | 'refsAge'> {
  const age = r.refsAge ?? 0;
  const origin = r.refsSource ?? from;
  if ((age + at) % MAX_REFS_AGE === MAX_REFS_AGE - 1) return { refs: moveRefs(r.refs, origin, to) } as Pick<T, 'refs' | 'refsSource' | 'refsAge'>;
  return { refs: r.refs, refsSource: origin, refsAge: age + 1 } as Pick<T, 'refs' | 'refsSource' | 'refsAge'>;
}

/** An earlier version's check of a block, moved onto the new declaration and source (same offsets). */
function movedCheck(r: BlockCheckResult, decl: BlockDecl, mover: VersionMove): BlockCheckResult {
  const refs = refsTakenOver(r, r.block.decl.source, decl.source, decl.start);
  const moved: BlockCheckResult = { block: { ...r.block, decl }, diagnostics: mover.diagnostics(r.diagnostics), refs: refs.refs };
  if (refs.refsSource) {
    moved.refsSource = refs.refsSource;
    moved.refsAge = refs.refsAge;
  }
  return moved;
}

export function runAnalysis(context: AnalysisContext, source: SourceFile, options: AnalyzeOptions = {}, previous?: Reusable): Analysis {
  const p = context.prelude;
  if (options.maxFileChars !== undefined && source.text.length > options.maxFileChars) return tooLarge(context, source, options.maxFileChars);
  const file = parseIncremental(source, previous?.file);
  const types = previous && previous.types.size < MAX_KEPT_TYPES ? previous.types : new Map<string, ShardType>();
  const layouts = previous && layoutReuseOf(file, previous);
  const reuse: BlockReuse = {
    previous(d) {
      const before = previous && previousDecl(file, d);
      const r = before && isBlockDecl(before) ? previous.blocks.get(before) : undefined;
      if (!r) return undefined;
      const moved = movedCheck(r, d, layouts!.mover);
      layouts!.mover.counterpart(r.block, moved.block);
      return moved;
    },
    results: new Map(),
    types,
    layouts: layouts?.reuse ?? { previous: () => undefined, results: new Map() },
  };
  const result: CheckResult = check([...p.files, file], p.blocks, reuse);
  const found = dropShadowedByUnknownAxis(result.diagnostics.filter((d) => d.source === source));
  const costs = new Map<string, LayoutCost>();
  const costFindingsMemo = new CostFindingsMemo();
  const costReuse = new Map<RecordDecl, CostReuse>();
  const costsBefore = layouts && { costs: previous!.costs, reused: layouts.reused, mover: layouts.mover, previousDecl: (d: Decl) => previousDecl(file, d) };
  if (options.cost !== false) found.push(...costLayouts(context, result, costs, costFindingsMemo, options, costReuse, costsBefore));
  const diagnostics = normalizeDiagnostics(found);
  // Line starts are computed when a front end first converts a position, not on every analysis.
  let lineIndex: LineIndex | undefined;
  const analysis: Analysis = {
    source,
    file,
    get lineIndex() {
      return (lineIndex ??= new LineIndex(source.text));
    },
    diagnostics,
    layouts: result.layouts,
    uncostable: result.uncostable,
    blocks: result.blocks,
    scope: result.scope,
    // Read when a feature needs them: reused references are moved onto this version then.
    get refs() {
      return result.refs;
    },
    layoutSpans: result.layoutSpans,
    resolver: result.resolver,
    prelude: p.files,
    costs,
    costOf: context.costOf,
    costFindingsMemo,
  };
  let records = 0;
  for (const d of file.decls) if (isRecordOnly(d)) records++;
  reusables.set(analysis, { file, blocks: reuse.results, types, layouts: reuse.layouts!.results, records, costs: costReuse });
  return analysis;
}

/**
 * Which layouts of the new version may take their resolution from the previous one: a layout
 * reads its own fields, the records it names (and their bases), and the blocks its names look up.
 * Reuse needs its declaration unchanged, every record declaration of the file unchanged (a name
 * that did not resolve is reported with the names that do), each block name it looked up naming
 * the same unchanged declaration, and no `= base` between layouts (a base's fields are read, and
 * reported, by whichever layout reads them first).
 */
function layoutReuseOf(file: File, previous: Reusable): { reuse: NonNullable<BlockReuse['layouts']>; mover: VersionMove; reused: Set<RecordDecl> } {
  const counterparts = new Map<object, object>();
  let records = 0;
  let recordsSame = true;
  const baseNames = new Set<string>();
  for (const d of file.decls) {
    const before = previousDecl(file, d);
    if (before) counterparts.set(before, d);
    if (isRecordOnly(d)) {
      records++;
      if (!before) recordsSame = false;
    } else if (d.kind === 'layout' && d.base) baseNames.add(d.base.text);
  }
  const mover = new VersionMove(previous.file.source, file.source, counterparts);
  const reused = new Set<RecordDecl>();
  const usable = recordsSame && records === previous.records;
  return {
    mover,
    reused,
    reuse: {
      previous(d, blockScope) {
        if (!usable || d.base || baseNames.has(d.name.text)) return undefined;
        const before = previousDecl(file, d) as RecordDecl | undefined;
        const old = before && previous.layouts.get(before);
        if (!old || old.blockNames.all) return undefined;
        const names = old.blockNames.names;
        for (const name of names.keys()) {
          const now = blockScope.get(name);
          const was = names.get(name);
          // The same built-in (or still none), or an unchanged block of the file at the same place.
          if (now !== was && (!now || now.start !== was || !previousDecl(file, now))) return undefined;
        }
        try {
          const refs = refsTakenOver(old, previous.file.source, file.source, d.start);
          const moved: LayoutCheck = {
            result: mover.layout(old.result),
            diagnostics: mover.diagnostics(old.diagnostics),
            refs: refs.refs,
            spans: old.spans,
            blockNames: old.blockNames,
          };
          if (refs.refsSource) {
            moved.refsSource = refs.refsSource;
            moved.refsAge = refs.refsAge;
          }
          reused.add(d);
          return moved;
        } catch (e) {
          if (e instanceof StaleReference) return undefined;
          throw e;
        }
      },
      results: new Map(),
    },
  };
}

function limitOn(layout: ResolvedLayout, message: string): Diagnostic {
  return { code: 'limit', severity: 'warning', source: layout.decl.source, span: layout.decl.name, layout: layout.name, message };
}

/**
 * Cost every resolved layout (up to the limits) and collect the cost findings. A configuration
 * that recurs (a sweep file repeats a few configurations thousands of times) is costed and
 * searched once: its cost is kept here by configuration, whatever the service's cache evicts
 * meanwhile, and `searched` keeps what its better-layout search found.
 */
function costLayouts(
  context: AnalysisContext,
  result: CheckResult,
  costs: Map<string, LayoutCost>,
  searched: CostFindingsMemo,
  options: AnalyzeOptions,
  kept: Map<RecordDecl, CostReuse>,
  before?: { costs: Map<RecordDecl, CostReuse>; reused: Set<RecordDecl>; mover: VersionMove; previousDecl: (d: Decl) => Decl | undefined },
): Diagnostic[] {
  const out: Diagnostic[] = [];
  const maxCosted = options.maxCostedLayouts ?? Infinity;
  const maxHints = options.maxHintLayouts ?? Infinity;
  const resolve = (l: ResolvedLayout, blocks: { prefill?: { ffn: string; attention: string }; decode?: { ffn: string; attention: string } }) => result.resolver.variant(l, blocks);
  const costedConfigurations = new Map<string, LayoutCost>();
  result.layouts.forEach((layout, i) => {
    if (i >= maxCosted) {
      if (i === maxCosted) {
        out.push(limitOn(layout, `only the first ${maxCosted} layouts are costed while editing; '${layout.name}' and the ${result.layouts.length - maxCosted - 1} after it are checked but not costed (\`shardlens report\` costs them all)`));
      }
      return;
    }
    const hinted = i < maxHints;
    // A layout whose resolution was reused has the same configuration, so the same cost and
    // findings (the better-layout search's excepted: it shares a memo with the analysis).
    const earlier = !hinted && before?.reused.has(layout.decl) ? before.costs.get(before.previousDecl(layout.decl) as RecordDecl) : undefined;
    // Each layout's turn to be costed anew comes once in MAX_COST_REUSE_AGE versions, a few layouts at a time.
    if (earlier && !earlier.hinted && (earlier.age + i) % MAX_COST_REUSE_AGE !== MAX_COST_REUSE_AGE - 1) {
      const diagnostics = before!.mover.diagnostics(earlier.diagnostics);
      costs.set(layout.name, earlier.cost);
      kept.set(layout.decl, { ...earlier, diagnostics, age: earlier.age + 1 });
      for (const d of diagnostics) out.push(d);
      return;
    }
    try {
      const configuration = configurationKey(layout);
      const same = costedConfigurations.get(configuration);
      const cost = same ? costNamed(same, layout.name) : context.costOf(layout);
      if (!same) costedConfigurations.set(configuration, cost);
      costs.set(layout.name, cost);
      const diagnostics = hinted ? costDiagnostics(layout, cost, builtinVariants(layout, resolve), searched) : costDiagnostics(layout, cost);
      kept.set(layout.decl, { cost, diagnostics, hinted, age: 0 });
      for (const d of diagnostics) out.push(d);
    } catch (e) {
      // A cost-model failure must never take the editor down: report it on the layout instead.
      out.push(limitOn(layout, `layout '${layout.name}' could not be costed: ${(e as Error).message}`));
    }
  });
  return out;
}

/**
 * Spec §3: an axis letter reported as `unknown-axis` gets no other diagnostic. Block-level checks
 * run before any mesh is known, so their findings on such a letter's token are dropped here.
 */
function dropShadowedByUnknownAxis(list: Diagnostic[]): Diagnostic[] {
  const unknown = list.filter((d) => d.code === 'unknown-axis');
  if (!unknown.length) return list;
  const text = (d: Diagnostic) => d.source.text.slice(d.span.start, d.span.end);
  return list.filter((d) => {
    if (d.code === 'unknown-axis') return true;
    return !unknown.some((u) => u.source === d.source && d.span.start <= u.span.start && u.span.end <= d.span.end && !/\s/.test(text(d)));
  });
}

/**
 * The layout with other built-in (or file) blocks for some phases, optionally on another mesh or
 * workload: the better-layout hint and the search use it. `undefined` when the choice does not
 * resolve or does not fit the sizes (e.g. batch 1 split 64 ways).
 */
export function resolveLayoutVariant(
  analysis: Analysis,
  layout: ResolvedLayout,
  choice: Partial<Record<'prefill' | 'decode', { ffn: string; attention: string }>>,
  options: { mesh?: MeshSpec; workload?: Partial<Record<'prefill' | 'decode', WorkloadSpec>> } = {},
): ResolvedLayout | undefined {
  return analysis.resolver.variant(layout, choice, options.mesh, options.workload);
}

/** The analysis of a file past the size limit: nothing but one diagnostic that says so. */
function tooLarge(context: AnalysisContext, source: SourceFile, limit: number): Analysis {
  const p = context.prelude;
  const file: File = { source, decls: [], errors: [], comments: [] };
  const empty = check([...p.files, file], p.blocks);
  const diagnostics: Diagnostic[] = [
    {
      code: 'limit',
      severity: 'warning',
      source,
      span: { start: 0, end: Math.min(source.text.length, source.text.indexOf('\n') >= 0 ? source.text.indexOf('\n') : source.text.length) },
      message: `this file is ${formatFileSize(source.text.length)}; the editor checks files up to ${formatFileSize(limit)}, so it is not checked here (run \`shardlens check\` on it)`,
    },
  ];
  return {
    source,
    file,
    lineIndex: new LineIndex(source.text),
    diagnostics,
    layouts: [],
    uncostable: [],
    blocks: empty.blocks,
    scope: empty.scope,
    refs: [],
    layoutSpans: empty.layoutSpans,
    resolver: empty.resolver,
    prelude: p.files,
    costs: new Map(),
    costOf: context.costOf,
    costFindingsMemo: new CostFindingsMemo(),
  };
}
