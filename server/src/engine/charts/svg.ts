// Server-side rendering of the compare charts to SVG strings, for `shardlens compare --svg`
// and `--html`. The same option objects the webview draws go through ECharts' SSR mode, which
// needs no DOM and no canvas.

import { echarts } from './echartsSetup';
import { buildCompareCharts, type ChartBuildOptions, type ChartId } from './options';
import { LIGHT_THEME } from './theme';
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

export function renderChartsToSvg(report: ChartReport, opts: ChartBuildOptions = {}): RenderedChart[] {
  const theme = opts.theme ?? LIGHT_THEME;
  // ECharts' SSR writes the font family into a double-quoted `style` attribute without escaping
  // it, so a family name in double quotes would end the attribute and break the SVG.
  const ssrTheme = { ...theme, fontFamily: theme.fontFamily.replace(/"/g, "'") };
  return buildCompareCharts(report, { ...opts, theme: ssrTheme, animation: false }).map((spec) => {
    const chart = echarts.init(null, null, { renderer: 'svg', ssr: true, width: spec.width, height: spec.height });
    try {
      chart.setOption(spec.option);
      return { id: spec.id, title: spec.title, fileName: `${spec.id}.svg`, width: spec.width, height: spec.height, svg: chart.renderToSVGString() };
    } finally {
      chart.dispose();
    }
  });
}
