// The engine's one entry. The language server, the CLI, the search threads and the webview
// bundles import the engine from here and from nowhere else: createShardService() and the types
// of what it returns, the pure renderers of its results (text, JSON, HTML, SVG), the chart
// builders the webviews draw with, and the vocabulary front ends validate input against. Modules
// inside the engine import each other directly, never this file.
//
// Everything here is free of `vscode`, Node and DOM APIs. Bundlers keep only what a front end
// uses (esbuild.mjs marks the engine free of import-time side effects), so the webview bundles
// carry the chart builders and not the checker.

// ---- the service ----
export { createShardService, sharedShardService, analyze } from './service';
export type { ShardService, ShardServiceOptions } from './service';
export { EDITOR_LIMITS, sourceFromText, checkPrelude, resolveLayoutVariant } from './analysis';
export type { Analysis, AnalyzeOptions } from './analysis';

// ---- sources, positions, diagnostics ----
export type { File, SourceFile, Span } from './syntax/ast';
export { LineIndex } from './syntax/lineIndex';
export type { Position, PositionRange } from './syntax/lineIndex';
export { normalizeDiagnostics } from './diagnostics';
export type { Diagnostic, DiagnosticCode, QuickFix, RelatedInfo, Severity } from './diagnostics';
export { ALL_DIAGNOSTIC_CODES, DIAGNOSTIC_CODES } from './diagnosticCodes';
export { PRELUDE_SCHEME } from './prelude/scheme';
export type { Dtype, Phase, ResolvedLayout, UncostableLayout } from './check/resolved';
export type { LayoutCost } from './cost/index';

// ---- editor features: settings and results ----
export { DEFAULT_SETTINGS, settingsFromConfiguration } from './features/settings';
export type { DecodeContext, FeatureSettings, HintSeverity, InlayDetail } from './features/settings';
export { TOKEN_MODIFIERS, TOKEN_TYPES } from './features/semanticTokens';
export type { InlayPlan, LensPlan } from './features/costHints';
export type { HoverResult } from './features/hover';
export type { SignatureInfo } from './features/signatureHelp';
export type { RenameCheck, RenameResult, SpanIn } from './features/navigation';
export type { OutlineSymbol, WorkspaceSymbolEntry } from './features/symbols';
export type { FoldSpan } from './features/ranges';
export type { TextEdit } from './features/formatting';
export type { CodeActionPlan } from './features/codeActions';
export type { BestActionPlan } from './features/bestAction';
export type { LayoutDeclaration, LayoutStatus, PhaseStatus } from './features/layouts';

// ---- reports and explanations ----
export { renderCompare, renderExplain, renderReport, writeReportJson } from './report/index';
export { formatBytes, formatPercent, formatSeconds, sig } from './report/format';
export type { Explanation, JsonDiagnostic, JsonLayout, JsonPhase, ReportJson, ReportOptions } from './report/index';

// ---- sharding pictures: tiles per chip, step timelines ----
export { chipLabel, formatRange, stepText, ValueRefError, VALUE_ROLES } from './sharding/tiles';
export type { ChipTile, CollectiveExchange, ExchangeStep, MeshTiers, TileDim, TileGroup, TileMap, TileRange, ValueRole } from './sharding/tiles';
export type { StepPart, Timeline, TimelineBar } from './sharding/timeline';
export { chipAnnouncement, exchangePartners, moveChip } from './sharding/navigate';
export type { ChipMove } from './sharding/navigate';
export { NOTHING_DRAWABLE } from './features/shardingAt';
export type { ShardingAt, ShardingChoice, ShardingPreference } from './features/shardingAt';
export { renderShowPage, renderTileTable, renderTimelinePage, renderTimelineText } from './sharding/render';

// ---- searches ----
export { pickLayout, PickLayoutError } from './searchJob';
export type { SearchJob, SearchKind, SearchOutcome } from './searchJob';
export {
  ALL_DTYPES,
  CalibrationError,
  crossoverFfnText,
  formatProblem,
  layoutTokensText,
  parseCalibrationCsv,
  powersOfTwoUpTo,
  renderBestJson,
  renderBestText,
  renderCalibrationJson,
  renderCalibrationText,
  renderCrossoverText,
  renderSweepCsv,
  renderSweepJson,
  renderSweepText,
  relativeChange,
  REQUEST_COST_UNIT,
  SearchCancelled,
  SearchTooLarge,
  volumeAt,
} from './search/index';
export type {
  BestCandidate,
  BestResult,
  CalibrationResult,
  CalibrationRow,
  Cancellation,
  CrossoverResult,
  CsvProblem,
  Objective,
  RunControl,
  SweepPhasePoint,
  SweepResult,
} from './search/index';

// ---- charts: the builders both webviews draw with, and the CLI's SVG and HTML renderers ----
export * from './charts/index';
