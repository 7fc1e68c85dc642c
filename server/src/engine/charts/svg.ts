// Server-side rendering of the compare charts to SVG strings, for `shardlens compare --svg`
// and `--html`. The same option objects the webview draws go through ECharts' SSR mode, which
// needs no DOM and no canvas.

import { echarts } from './echartsSetup';
import { buildCompareCharts, type ChartBuildOptions, type ChartId } from './options';
import { LIGHT_THEME } from './theme';
import type { ChartTheme } from './types';
import type { ChartReport } from './types';

export interface RenderedChart {
  id: ChartId;
  title: string;
  /** Suggested file name for `--svg DIR`. */
  fileName: string;
  width: number;
  height: number;
  svg: string;
}

/** A theme safe for ECharts' SSR: it writes the font family into a double-quoted `style`
 * attribute without escaping it, so a family name in double quotes would break the SVG. */
export function ssrSafeTheme(theme: ChartTheme = LIGHT_THEME): ChartTheme {
  return { ...theme, fontFamily: theme.fontFamily.replace(/"/g, "'") };
}

/** Any ECharts option drawn to an SVG string by ECharts' server-side renderer (no DOM needed). */
export function renderOptionToSvg(option: object, width: number, height: number): string {
  const chart = echarts.init(null, null, { renderer: 'svg', ssr: true, width, height });
  try {
    chart.setOption(option as Parameters<typeof chart.setOption>[0]);
    return chart.renderToSVGString();
  } finally {
    chart.dispose();
  }
}

export function renderChartsToSvg(report: ChartReport, opts: ChartBuildOptions = {}): RenderedChart[] {
  const theme = ssrSafeTheme(opts.theme ?? LIGHT_THEME);
  return buildCompareCharts(report, { ...opts, theme, animation: false }).map((spec) => ({
    id: spec.id,
    title: spec.title,
    fileName: `${spec.id}.svg`,
    width: spec.width,
    height: spec.height,
    svg: renderOptionToSvg(spec.option, spec.width, spec.height),
  }));
}
