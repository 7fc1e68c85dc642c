// The engine as a service, in the manner of vscode-json-languageservice: createShardService()
// returns one object that owns its caches (the checked prelude, the costs of layouts) and offers
// everything a front end asks of the engine. The language server, the CLI and the search threads
// each create their own; two services share nothing, so nothing in the engine is process-wide.
//
// Every method is a pure function of its arguments and the service's caches: positions are
// UTF-16 offsets into the analysed text, results are plain data for the front end to convert.

import { runAnalysis, loadPrelude, reusableOf, type Analysis, type AnalyzeOptions, type Prelude, type Reusable } from './analysis';
import { CostCache, COST_CACHE_SIZE } from './costCache';
import { normalizeDiagnostics, type Diagnostic } from './diagnostics';
import type { File, SourceFile, Span } from './syntax/ast';
import type { Phase, ResolvedLayout } from './check/resolved';
import type { LayoutCost } from './cost/index';
import { PRELUDE_FILES } from './prelude/index';
import { buildReport, explainLayout, type Explanation, type ReportJson, type ReportOptions } from './report/index';
import { best, calibrate, crossover, sweep, type BestOptions, type BestResult, type CalibrateOptions, type CalibrationResult, type CalibrationRow, type CrossoverOptions, type CrossoverResult, type RunControl, type SweepOptions, type SweepResult } from './search/index';
import { pickLayout, runSearchJob, type SearchJob, type SearchOutcome } from './searchJob';
import { tileMap, type TileMap } from './sharding/tiles';
import { timelineOf, type Timeline } from './sharding/timeline';
import { costFindingsSearch } from './features/costs';
import { hoverAt, type HoverResult } from './features/hover';
import { completionsAt } from './features/completion';
import { signatureAt, type SignatureInfo } from './features/signatureHelp';
import { definitionAt, highlightsAt, prepareRenameAt, referencesAt, renameAt, type RenameCheck, type RenameResult, type SpanIn } from './features/navigation';
import { documentSymbols, workspaceSymbols, type OutlineSymbol, type WorkspaceSymbolEntry } from './features/symbols';
import { foldingRanges, selectionSpans, type FoldSpan } from './features/ranges';
import { formatEdits, type TextEdit } from './features/formatting';
import { semanticTokens } from './features/semanticTokens';
import { inlayHints, layoutLenses, type InlayPlan, type LensPlan } from './features/costHints';
import { codeActions, type CodeActionPlan } from './features/codeActions';
import { replaceWithBestAction, type BestActionPlan } from './features/bestAction';
import { layoutDeclarations, layoutStatusAt, type LayoutDeclaration, type LayoutStatus } from './features/layouts';
import { opSpanOf, shardingAt, type ShardingAt, type ShardingPreference } from './features/shardingAt';
import type { DecodeContext, FeatureSettings } from './features/settings';
import type { CompletionItem } from 'vscode-languageserver-types';

export interface ShardServiceOptions {
  /** How many layout costings the service keeps (least recently used first out). */
  costCacheSize?: number;
}

export interface ShardService {
  // ---- documents ----
  /** Parses, checks and (unless `options.cost` is false) costs one text against the prelude. */
  analyze(source: SourceFile, options?: AnalyzeOptions): Analysis;
  /** A built-in (prelude) file by its `shardlens-prelude:` URI. */
  preludeSource(uri: string): SourceFile | undefined;

  // ---- diagnostics ----
  /**
   * The analysis's diagnostics; with `costFindings` (what the better-layout searches found),
   * those added without repeating a finding the analysis already made.
   */
  diagnostics(analysis: Analysis, costFindings?: readonly Diagnostic[]): Diagnostic[];
  /**
   * The cost findings of one layout with the better-layout search, as a generator that stops after
   * each small piece of work, so an editor can answer requests in between and drop a stale search.
   */
  costFindings(analysis: Analysis, layout: ResolvedLayout): Generator<void, Diagnostic[]>;

  // ---- editor features (offsets are UTF-16 indices into the analysed text) ----
  hover(analysis: Analysis, offset: number, settings: FeatureSettings): HoverResult | null;
  completion(analysis: Analysis, offset: number): CompletionItem[];
  signatureHelp(analysis: Analysis, offset: number): SignatureInfo | undefined;
  definition(analysis: Analysis, offset: number): SpanIn | undefined;
  references(analysis: Analysis, offset: number, includeDeclaration: boolean): SpanIn[] | undefined;
  documentHighlights(analysis: Analysis, offset: number): { span: Span; write: boolean }[] | undefined;
  prepareRename(analysis: Analysis, offset: number): RenameCheck | undefined;
  rename(analysis: Analysis, offset: number, newName: string): RenameResult | undefined;
  documentSymbols(analysis: Analysis): OutlineSymbol[];
  /** Declarations of the given analyses' files and of the prelude whose names match `query`. */
  workspaceSymbols(analyses: readonly Analysis[], query: string): WorkspaceSymbolEntry[];
  foldingRanges(analysis: Analysis): FoldSpan[];
  selectionRanges(analysis: Analysis, offset: number): Span[];
  format(analysis: Analysis): TextEdit[];
  semanticTokens(analysis: Analysis): number[];
  inlayHints(analysis: Analysis, range: Span, settings: FeatureSettings): InlayPlan[];
  codeLenses(analysis: Analysis, settings: FeatureSettings): LensPlan[];
  codeActions(analysis: Analysis, range: Span, diagnostics: readonly Diagnostic[]): CodeActionPlan[];
  /** "Replace with the best layout for this workload" on the layout around `offset`. */
  bestAction(analysis: Analysis, offset: number): BestActionPlan | undefined;
  /** Every `layout` declaration of the file, in file order. */
  layouts(analysis: Analysis): LayoutDeclaration[];
  /** The headline figures of the layout around `offset` (the editor's status bar). */
  layoutStatus(analysis: Analysis, offset: number, decodeContext: DecodeContext): LayoutStatus | undefined;

  // ---- reports ----
  /** The `report --json` object of cli.md. */
  report(analysis: Analysis, options?: ReportOptions): ReportJson;
  /**
   * The formula behind each figure of one layout, with the values put in (render it with
   * renderExplain). Throws PickLayoutError when the layout is missing or cannot be costed.
   */
  explain(analysis: Analysis, layout: string, options?: { phase?: Phase; op?: string }): Explanation;
  /**
   * Where every chip's tile of the value `ROLE.NAME` (`ffn.w_in`) of a layout lives in `phase`.
   * Throws PickLayoutError for the layout, ValueRefError for the value.
   */
  tiles(analysis: Analysis, layout: string, phase: Phase, value: string): TileMap;
  /** One layer's ops and the whole pass on a time axis, from the layout's cost (PickLayoutError as above). */
  timeline(analysis: Analysis, layout: string, phase: Phase): Timeline;
  /** Show Sharding at the cursor: the value at `offset`, the layouts and phases using its block, its tiles in the preferred one. */
  shardingAt(analysis: Analysis, offset: number, preference?: ShardingPreference): ShardingAt;
  /** Where the statement of a timeline bar (`ROLE.NAME`) is written in this file; undefined for a built-in block. */
  opSpan(analysis: Analysis, layout: string, phase: Phase, key: string): Span | undefined;

  // ---- searches (synchronous; long ones run in a worker thread with `control`) ----
  sweep(analysis: Analysis, layout: ResolvedLayout, options?: SweepOptions): SweepResult;
  best(analysis: Analysis, layout: ResolvedLayout, options?: BestOptions): BestResult;
  crossover(analysis: Analysis, layout: ResolvedLayout, options?: CrossoverOptions): CrossoverResult;
  calibrate(analysis: Analysis, rows: readonly CalibrationRow[], options: CalibrateOptions): CalibrationResult;
  /** Runs a search described as data (what the front ends post to their search threads). */
  search(analysis: Analysis, job: SearchJob, control?: RunControl): SearchOutcome;
}

/** Documents whose latest analysis a service keeps for reuse (least recently analysed first out). */
const MAX_REUSED_DOCUMENTS = 8;

export function createShardService(options: ShardServiceOptions = {}): ShardService {
  const costs = new CostCache(options.costCacheSize ?? COST_CACHE_SIZE);
  const costOf = (layout: ResolvedLayout): LayoutCost => costs.cost(layout);
  // Parsed and checked on first use: a service that only renders never pays for it.
  let prelude: Prelude | undefined;
  const preludeOnce = (): Prelude => (prelude ??= loadPrelude());
  const preludeFiles = (): readonly File[] => preludeOnce().files;

  // The latest analysis's reusable parts per document, so that the next version of a document
  // re-does only the work its change touched (analysis.ts `Reusable`); a few documents at most.
  const latest = new Map<string, Reusable>();
  const analyze = (source: SourceFile, analyzeOptions?: AnalyzeOptions): Analysis => {
    const previous = latest.get(source.uri);
    const analysis = runAnalysis({ prelude: preludeOnce(), costOf }, source, analyzeOptions, previous);
    const next = reusableOf(analysis);
    latest.delete(source.uri);
    if (next) latest.set(source.uri, next);
    if (latest.size > MAX_REUSED_DOCUMENTS) latest.delete(latest.keys().next().value as string);
    return analysis;
  };

  return {
    analyze,
    preludeSource: (uri) => PRELUDE_FILES.find((f) => f.uri === uri),

    diagnostics(analysis, costFindings) {
      // No findings to add (the usual case while typing): the analysis's list is normalized already.
      if (!costFindings?.length) return analysis.diagnostics;
      const key = (d: Diagnostic) => `${d.code}|${d.layout ?? ''}|${d.phase ?? ''}`;
      const have = new Set(analysis.diagnostics.filter((d) => d.layout).map(key));
      return normalizeDiagnostics([...analysis.diagnostics, ...costFindings.filter((d) => !have.has(key(d)))]);
    },
    costFindings: costFindingsSearch,

    hover: hoverAt,
    completion: completionsAt,
    signatureHelp: signatureAt,
    definition: definitionAt,
    references: referencesAt,
    documentHighlights: highlightsAt,
    prepareRename: prepareRenameAt,
    rename: renameAt,
    documentSymbols,
    workspaceSymbols: (analyses, query) => workspaceSymbols([...analyses.map((a) => a.file), ...preludeFiles()], query),
    foldingRanges,
    selectionRanges: selectionSpans,
    format: formatEdits,
    semanticTokens,
    inlayHints,
    codeLenses: layoutLenses,
    codeActions,
    bestAction: replaceWithBestAction,
    layouts: layoutDeclarations,
    layoutStatus: layoutStatusAt,

    report: buildReport,
    explain(analysis, layout, explainOptions = {}) {
      return explainLayout(analysis.costOf(pickLayout(analysis, layout)), explainOptions);
    },
    tiles: (analysis, layout, phase, value) => tileMap(pickLayout(analysis, layout), phase, value),
    shardingAt,
    opSpan: opSpanOf,
    timeline(analysis, layout, phase) {
      const resolved = pickLayout(analysis, layout);
      return timelineOf(resolved, analysis.costOf(resolved), phase);
    },

    sweep,
    best,
    crossover,
    calibrate,
    search: (analysis, job, control = {}) => runSearchJob(analysis, job, control),
  };
}

let shared: ShardService | undefined;

/**
 * One service shared by whoever asks: for scripts, benchmarks and tests that analyse a text or
 * two. Front ends (the language server, the CLI, the search threads) create their own.
 */
export function sharedShardService(): ShardService {
  return (shared ??= createShardService());
}

/** `sharedShardService().analyze`. */
export function analyze(source: SourceFile, options?: AnalyzeOptions): Analysis {
  return sharedShardService().analyze(source, options);
}
