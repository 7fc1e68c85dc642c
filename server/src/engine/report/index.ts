// Reports over the cost model: the `report --json` object, text tables, explanations and the
// human-unit formatting they share. Pure functions; the CLI and LSP print what they return.

export { buildReport, layoutJson, diagnosticJson, sanitize, writeReportJson } from './json';
export type { ReportJson, ReportOptions, JsonLayout, JsonPhase, JsonOp, JsonMemory, JsonDiagnostic } from './json';
export { renderReport, renderCompare } from './text';
export { explainLayout, explainFigure, renderExplain } from './explain';
export type { Explanation, ExplainLine, ExplainInput } from './explain';
export { figureText, figureEquation, figureInputNotes } from './figure';
export type { FigureText } from './figure';
export * from './format';
