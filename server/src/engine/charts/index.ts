// The charts' one public surface: the registry of every chart shardlens draws (./registry.ts),
// the Compare Layouts builders and table, themes, and the SVG and HTML renderers the CLI writes
// with. The webviews draw the same options with the same ECharts set-up (`echarts`).

export * from './types';
export * from './options';
export { CHARTS, buildCharts, chartIdsFor, chartIdsOf, chartCardTitle } from './registry';
export type { ChartDefinition, ChartId, ChartIdOf, ChartInputs, ChartSpec, ChartView } from './registry';
export { LIGHT_THEME, themeFromCssVariables } from './theme';
export { COMPARE_COLUMNS, compareColumns, compareTableRows } from './table';
export { allToAllSeconds, compareExtras, EXTRA_COLUMNS, extraColumnsOf, formatRatio, kvTransferOf, measuredPoints } from './figures';
export type { CompareExtras, ExtraColumn, MeasuredPoint } from './figures';
export type { CompareColumn, CompareCellKey, CompareRow } from './table';
export { escapeHtml } from './escape';
export { compareBasisNote, sweepBasisNote } from './basis';
export { renderChartsToSvg, renderOptionToSvg, ssrSafeTheme } from './svg';
export type { RenderedChart } from './svg';
export { renderComparePage, selfContainedPage, PAGE_CSS } from './page';
export type { ComparePageReport } from './page';
export { echarts } from './echartsSetup';
