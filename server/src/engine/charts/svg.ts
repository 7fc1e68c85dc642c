// Server-side rendering of the registered charts to SVG strings, for `shardlens compare --svg`,
// `--html`, `sweep --html` and `crossover --svg`. The same option objects the webviews draw go
// through ECharts' SSR mode, which needs no DOM and no canvas.

import type { EChartsOption } from 'echarts';
import { echarts } from './echartsSetup';
import { buildCharts, type ChartIdOf, type ChartInputs, type ChartView } from './registry';
import { LIGHT_THEME } from './theme';
import type { ChartBuildOptions, ChartTheme } from './types';

export interface RenderedChart<Id extends string = string> {
  id: Id;
  title: string;
  /** What the figures are: `figures: calibrated (tpu_v4_pope2022)` (charts/basis.ts). */
  subtitle?: string;
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
export function renderOptionToSvg(option: EChartsOption, width: number, height: number): string {
  const chart = echarts.init(null, null, { renderer: 'svg', ssr: true, width, height });
  try {
    chart.setOption(option);
    return chart.renderToSVGString();
  } finally {
    chart.dispose();
  }
}

/** Every chart of a view drawn to SVG, in display order, in a print-safe light theme unless told otherwise. */
export function renderChartsToSvg<V extends ChartView>(view: V, input: ChartInputs[V], opts: ChartBuildOptions = {}): RenderedChart<ChartIdOf<V>>[] {
  const theme = ssrSafeTheme(opts.theme ?? LIGHT_THEME);
  return buildCharts(view, input, { ...opts, theme, animation: false }).map((spec) => ({
    id: spec.id,
    title: spec.title,
    ...(spec.subtitle ? { subtitle: spec.subtitle } : {}),
    fileName: `${spec.id}.svg`,
    width: spec.width,
    height: spec.height,
    svg: renderOptionToSvg(spec.option, spec.width, spec.height),
  }));
}
