// Server-side rendering of the compare charts to SVG strings, for `shardlens compare --svg`
// and `--html`. The same option objects the webview draws go through ECharts' SSR mode, which
// needs no DOM and no canvas.

import { echarts } from './echartsSetup';
import { buildCompareCharts, type ChartBuildOptions, type ChartId } from './options';
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
  return buildCompareCharts(report, { ...opts, animation: false }).map((spec) => {
    const chart = echarts.init(null, null, { renderer: 'svg', ssr: true, width: spec.width, height: spec.height });
    try {
      chart.setOption(spec.option);
      return { id: spec.id, title: spec.title, fileName: `${spec.id}.svg`, width: spec.width, height: spec.height, svg: chart.renderToSVGString() };
    } finally {
      chart.dispose();
    }
  });
}
