// The engine's front door: one call turns a source text into everything the front ends show.
// The LSP server, the CLI and the webview all go through `analyze`.

import type { BlockDecl, File, SourceFile } from './syntax/ast';
import { isBlockDecl } from './syntax/ast';
import { parse } from './syntax/parser';
import { normalizeDiagnostics, type Diagnostic } from './diagnostics';
import { LineIndex } from './syntax/lineIndex';
import type { CheckedBlock, ResolvedLayout, UncostableLayout } from './check/resolved';
import { check, type CheckResult, type LayoutFieldSpans, type Scope, type SymbolRef, type LayoutResolver } from './check/checker';
import { checkBlock } from './check/blocks';
import { PRELUDE_FILES } from './prelude/index';
import { costLayout, costDiagnostics, builtinVariants } from './cost/index';
import type { LayoutCost } from './cost/index';

export interface Analysis {
  source: SourceFile;
  file: File;
  lineIndex: LineIndex;
  /** Diagnostics of the user's file, sorted and de-duplicated (spec §3). */
  diagnostics: Diagnostic[];
  /** Layouts that resolved and can be costed. */
  layouts: ResolvedLayout[];
  uncostable: UncostableLayout[];
  /** Checked blocks of this file and of the prelude, by declaration. */
  blocks: Map<BlockDecl, CheckedBlock>;
  scope: Scope;
  /** Every resolved use of a name (go to definition, references, rename). */
  refs: SymbolRef[];
  /** Where each layout wrote its ffn/attention fields. */
  layoutSpans: Map<string, LayoutFieldSpans>;
  /** Resolves variants of a layout (other built-in blocks, meshes or workloads). */
  resolver: LayoutResolver;
  prelude: readonly File[];
  /** Cost of each costed layout, by name (layouts past the limit are not costed). */
  costs: Map<string, LayoutCost>;
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

interface Prelude {
  files: File[];
  blocks: Map<BlockDecl, CheckedBlock>;
}

let preludeCache: Prelude | undefined;

/** The prelude, parsed and its blocks checked once per process. */
export function prelude(): Prelude {
  if (!preludeCache) {
    const files = PRELUDE_FILES.map((s) => parse(s));
    const blocks = new Map<BlockDecl, CheckedBlock>();
    for (const f of files) for (const d of f.decls) if (isBlockDecl(d)) blocks.set(d, checkBlock(d).block);
    preludeCache = { files, blocks };
  }
  return preludeCache;
}

/** Check the prelude as if it were a user file: every diagnostic it has (tests keep this empty). */
export function checkPrelude(): Diagnostic[] {
  const files = PRELUDE_FILES.map((s) => parse({ ...s }));
  const result = check(files);
  return normalizeDiagnostics(result.diagnostics);
}

export function analyze(source: SourceFile, options: AnalyzeOptions = {}): Analysis {
  const p = prelude();
  if (options.maxFileChars !== undefined && source.text.length > options.maxFileChars) return tooLarge(source, options.maxFileChars, p.files);
  const file = parse(source);
  const result: CheckResult = check([...p.files, file], p.blocks);
  const found = dropShadowedByUnknownAxis(result.diagnostics.filter((d) => d.source === source));
  const costs = new Map<string, LayoutCost>();
  if (options.cost !== false) found.push(...costLayouts(result, costs, options));
  const diagnostics = normalizeDiagnostics(found);
  // Line starts are computed when a front end first converts a position, not on every analysis.
  let lineIndex: LineIndex | undefined;
  return {
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
  };
}

/**
 * Costs keyed by everything a layout's figures depend on, so that re-analysing a file after an
 * edit, and the `better-layout` variants (all built-in blocks), cost each configuration once.
 * A LayoutCost computes some figures lazily from its layout, so it keeps that layout's source
 * text alive: the cache therefore holds entries of at most MAX_CACHED_SOURCES texts (the least
 * recently used text's entries go first), which bounds its memory to a few versions of a file.
 */
interface CostEntry {
  cost: LayoutCost;
  source: SourceFile;
}
const costCache = new Map<string, CostEntry>();
const COST_CACHE_SIZE = 1000;
const MAX_CACHED_SOURCES = 4;
const sourceLastUse = new Map<SourceFile, number>();
let useTick = 0;

function touchSource(source: SourceFile): void {
  sourceLastUse.set(source, ++useTick);
  if (sourceLastUse.size <= MAX_CACHED_SOURCES) return;
  let oldest: SourceFile | undefined;
  let oldestTick = Infinity;
  for (const [s, t] of sourceLastUse) if (t < oldestTick) [oldest, oldestTick] = [s, t];
  sourceLastUse.delete(oldest!);
  for (const [k, e] of costCache) if (e.source === oldest) costCache.delete(k);
}

function blockKey(b: CheckedBlock | null): string {
  if (!b) return '-';
  return b.isPrelude ? `prelude:${b.name}` : `${b.name}:${b.decl.source.text.slice(b.decl.start, b.decl.end)}`;
}

function layoutKey(l: ResolvedLayout): string {
  const { origin: _m, ...model } = l.model;
  const { origin: _h, ...hardware } = l.mesh.hardware;
  const phase = (p: ResolvedLayout['prefill']) => [p.workload, blockKey(p.ffn), blockKey(p.attention), blockKey(p.unembed)];
  return JSON.stringify([l.name, model, hardware, l.mesh.name, l.mesh.axes, phase(l.prefill), phase(l.decode), l.overlap, l.kvBudget ?? null]);
}

/** costLayout through the cache. */
export function cachedCost(layout: ResolvedLayout): LayoutCost {
  const key = layoutKey(layout);
  const hit = costCache.get(key);
  if (hit) {
    // Refresh its place in the LRU order, and its text's.
    costCache.delete(key);
    costCache.set(key, hit);
    touchSource(hit.source);
    return hit.cost;
  }
  const cost = costLayout(layout);
  const source = layout.decl.source;
  costCache.set(key, { cost, source });
  touchSource(source);
  if (costCache.size > COST_CACHE_SIZE) costCache.delete(costCache.keys().next().value as string);
  return cost;
}

function limitOn(layout: ResolvedLayout, message: string): Diagnostic {
  return { code: 'limit', severity: 'warning', source: layout.decl.source, span: layout.decl.name, layout: layout.name, message };
}

/** Cost every resolved layout (up to the limits) and collect the cost findings. */
function costLayouts(result: CheckResult, costs: Map<string, LayoutCost>, options: AnalyzeOptions): Diagnostic[] {
  const out: Diagnostic[] = [];
  const maxCosted = options.maxCostedLayouts ?? Infinity;
  const maxHints = options.maxHintLayouts ?? Infinity;
  const resolve = (l: ResolvedLayout, blocks: { prefill?: { ffn: string; attention: string }; decode?: { ffn: string; attention: string } }) => result.resolver.variant(l, blocks);
  result.layouts.forEach((layout, i) => {
    if (i >= maxCosted) {
      if (i === maxCosted) {
        out.push(limitOn(layout, `only the first ${maxCosted} layouts are costed while editing; '${layout.name}' and the ${result.layouts.length - maxCosted - 1} after it are checked but not costed (\`shardlens report\` costs them all)`));
      }
      return;
    }
    try {
      const cost = cachedCost(layout);
      costs.set(layout.name, cost);
      out.push(...costDiagnostics(layout, cost, i < maxHints ? builtinVariants(layout, resolve) : () => [], cachedCost));
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
  options: { mesh?: import('./check/resolved').MeshSpec; workload?: Partial<Record<'prefill' | 'decode', import('./check/resolved').WorkloadSpec>> } = {},
): ResolvedLayout | undefined {
  return analysis.resolver.variant(layout, choice, options.mesh, options.workload);
}

/** The analysis of a file past the size limit: nothing but one diagnostic that says so. */
function tooLarge(source: SourceFile, limit: number, preludeFiles: File[]): Analysis {
  const p = prelude();
  const file: File = { source, decls: [], errors: [], comments: [] };
  const empty = check([...preludeFiles, file], p.blocks);
  const mb = (n: number) => `${(n / 1e6).toFixed(1)} MB`;
  const diagnostics: Diagnostic[] = [
    {
      code: 'limit',
      severity: 'warning',
      source,
      span: { start: 0, end: Math.min(source.text.length, source.text.indexOf('\n') >= 0 ? source.text.indexOf('\n') : source.text.length) },
      message: `this file is ${mb(source.text.length)}; the editor checks files up to ${mb(limit)}, so it is not checked here (run \`shardlens check\` on it)`,
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
    prelude: preludeFiles,
    costs: new Map(),
  };
}
