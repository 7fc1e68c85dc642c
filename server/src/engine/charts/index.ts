// The chart builder shared by the Compare Layouts webview and `shardlens compare`.
// Importing this module pulls in ECharts for SVG rendering; the webview imports the pure
// builders from './options' and './table' directly.

export * from './types';
export * from './options';
export { LIGHT_THEME, themeFromCssVariables } from './theme';
export { COMPARE_COLUMNS, compareTableRows } from './table';
export type { CompareColumn, CompareCellKey, CompareRow } from './table';
export { escapeHtml } from './escape';
export { renderChartsToSvg } from './svg';
export type { RenderedChart } from './svg';
export { renderComparePage } from './page';
export type { ComparePageReport } from './page';
