// One analysis of a source text: parse it, check it against the prelude, cost its layouts. The
// service (service.ts) runs it with its own prelude and cost cache; every feature reads the
// Analysis it returns.

import type { BlockDecl, File, SourceFile, Span } from './syntax/ast';
import { isBlockDecl } from './syntax/ast';
import { parse, parseIncremental, previousDecl } from './syntax/parser';
import { normalizeDiagnostics, type Diagnostic } from './diagnostics';
import { LineIndex } from './syntax/lineIndex';
import type { CheckedBlock, MeshSpec, ResolvedLayout, WorkloadSpec } from './check/resolved';
import { check, type BlockReuse, type CheckResult } from './check/checker';
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
}

/** Written types kept across versions at most (a long session of edits would otherwise grow it). */
const MAX_KEPT_TYPES = 4096;

const reusables = new WeakMap<Analysis, Reusable>();

/** What an analysis leaves for the next version of its document. */
export function reusableOf(analysis: Analysis): Reusable | undefined {
  return reusables.get(analysis);
}

/** An earlier version's check of a block, moved onto the new declaration and source (same offsets). */
function movedCheck(r: BlockCheckResult, decl: BlockDecl): BlockCheckResult {
  const from = r.block.decl.source;
  const to = decl.source;
  const move = <T extends { source: SourceFile }>(x: T): T => (x.source === from ? { ...x, source: to } : x);
  const targets = new Map<object, { source: SourceFile; span: Span }>();
  return {
    block: { ...r.block, decl },
    diagnostics: r.diagnostics.map((d) => (d.related ? { ...move(d), related: d.related.map(move) } : move(d))),
    refs: r.refs.map((ref) => {
      let target = targets.get(ref.target);
      if (!target) targets.set(ref.target, (target = move(ref.target)));
      return ref.source === from ? { ...ref, source: to, target } : { ...ref, target };
    }),
  };
}

export function runAnalysis(context: AnalysisContext, source: SourceFile, options: AnalyzeOptions = {}, previous?: Reusable): Analysis {
  const p = context.prelude;
  if (options.maxFileChars !== undefined && source.text.length > options.maxFileChars) return tooLarge(context, source, options.maxFileChars);
  const file = parseIncremental(source, previous?.file);
  const types = previous && previous.types.size < MAX_KEPT_TYPES ? previous.types : new Map<string, ShardType>();
  const reuse: BlockReuse = {
    previous(d) {
      const before = previous && previousDecl(file, d);
      const r = before && isBlockDecl(before) ? previous.blocks.get(before) : undefined;
      return r && movedCheck(r, d);
    },
    results: new Map(),
    types,
  };
  const result: CheckResult = check([...p.files, file], p.blocks, reuse);
  const found = dropShadowedByUnknownAxis(result.diagnostics.filter((d) => d.source === source));
  const costs = new Map<string, LayoutCost>();
  const costFindingsMemo = new CostFindingsMemo();
  if (options.cost !== false) found.push(...costLayouts(context, result, costs, costFindingsMemo, options));
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
    refs: result.refs,
    layoutSpans: result.layoutSpans,
    resolver: result.resolver,
    prelude: p.files,
    costs,
    costOf: context.costOf,
    costFindingsMemo,
  };
  reusables.set(analysis, { file, blocks: reuse.results, types });
  return analysis;
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
function costLayouts(context: AnalysisContext, result: CheckResult, costs: Map<string, LayoutCost>, searched: CostFindingsMemo, options: AnalyzeOptions): Diagnostic[] {
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
    try {
      const configuration = configurationKey(layout);
      const same = costedConfigurations.get(configuration);
      const cost = same ? costNamed(same, layout.name) : context.costOf(layout);
      if (!same) costedConfigurations.set(configuration, cost);
      costs.set(layout.name, cost);
      if (i < maxHints) out.push(...costDiagnostics(layout, cost, builtinVariants(layout, resolve), searched));
      else out.push(...costDiagnostics(layout, cost));
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
