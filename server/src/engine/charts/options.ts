// The Compare Layouts charts: pure functions from a report object to ECharts option objects,
// registered in ./registry.ts. The webview hands these options to ECharts in the browser;
// `renderChartsToSvg` hands the same options to ECharts' server-side SVG renderer for
// `shardlens compare --html/--svg`, so the editor and the CLI can never draw different charts
// from one report.
//
// Values stay in SI units (seconds, bytes, chip-seconds) and only the axis labels and tooltips
// are formatted, so a chart's data can be checked against the report number for number.

import type { EChartsOption, SeriesOption } from 'echarts';
import { formatBytes, formatSeconds, sig } from '../report/format';
import { LIGHT_THEME } from './theme';
import {
  isCostedLayout,
  type ChartBuildOptions,
  type ChartPhase,
  type ChartReport,
  type ChartTheme,
  type CostedChartLayout,
  type PhaseName,
  type DecodeContext,
  type TimeCategory,
} from './types';

export const PHASES: readonly PhaseName[] = ['prefill', 'decode'];
export const TIME_CATEGORIES: readonly TimeCategory[] = ['compute', 'memory', 'comm'];
export const TIME_CATEGORY_LABEL: Record<TimeCategory, string> = {
  compute: 'compute',
  memory: 'memory',
  comm: 'communication',
};

const num = (x: number | null | undefined): number => (typeof x === 'number' && Number.isFinite(x) ? x : 0);

export function costedLayouts(report: ChartReport): CostedChartLayout[] {
  return report.layouts.filter(isCostedLayout);
}

/**
 * One layer's time split by what bounds each operation. An op's time is counted once, under
 * its `bound` (the cost model's own attribution), so the three parts add up to the layer time
 * when no collective is overlapped with an einsum; with `overlap = collective_einsum` they add
 * up to the un-overlapped time, which is what shows how much there was to hide.
 */
export function layerTimeByCategory(phase: ChartPhase): Record<TimeCategory, number> {
  const sums: Record<TimeCategory, number> = { compute: 0, memory: 0, comm: 0 };
  for (const op of phase.layer.ops) {
    const category = op.bound === 'compute' || op.bound === 'memory' || op.bound === 'comm' ? op.bound : 'compute';
    sums[category] += num(op.time_s);
  }
  return sums;
}

/** The decode time per generated token that the table, the status bar and the scatter show. */
export function decodeSecondsPerToken(decode: ChartPhase, context: DecodeContext = 'mean'): number {
  return num(context === 'last' ? decode.step_s_last ?? decode.step_s : decode.step_s);
}

function textStyle(theme: ChartTheme) {
  return { color: theme.foreground, fontFamily: theme.fontFamily, fontSize: 12 };
}

function valueAxis(theme: ChartTheme, name: string, format: (v: number) => string, extra: Record<string, unknown> = {}) {
  return {
    type: 'value' as const,
    name,
    nameTextStyle: { color: theme.mutedForeground },
    axisLabel: { color: theme.foreground, formatter: (v: number) => format(v) },
    axisLine: { lineStyle: { color: theme.gridLine } },
    splitLine: { lineStyle: { color: theme.gridLine, opacity: 0.6 } },
    ...extra,
  };
}

function categoryAxis(theme: ChartTheme, names: string[], extra: Record<string, unknown> = {}) {
  // Every layout keeps its label: slanted once the names would run into each other, since a
  // bar without a name cannot be read.
  const longest = names.reduce((m, n) => Math.max(m, n.length), 0);
  const crowded = names.length > 1 && names.length * longest > 60;
  return {
    type: 'category' as const,
    data: names,
    axisLabel: { color: theme.foreground, interval: 0, rotate: crowded ? 20 : 0 },
    axisLine: { lineStyle: { color: theme.gridLine } },
    axisTick: { alignWithLabel: true },
    ...extra,
  };
}

// Tooltips are drawn inside the chart (`richText`) rather than as an HTML overlay: ECharts'
// HTML tooltip writes markup with inline `style` attributes, which the webview's CSP forbids.
function tooltip(theme: ChartTheme, trigger: 'axis' | 'item', format: (v: number) => string) {
  return {
    trigger,
    renderMode: 'richText' as const,
    backgroundColor: theme.background,
    borderColor: theme.gridLine,
    textStyle: { color: theme.foreground },
    axisPointer: { type: 'shadow' as const },
    valueFormatter: (v: unknown) => (typeof v === 'number' ? format(v) : String(v ?? '')),
  };
}

function legend(theme: ChartTheme) {
  return { top: 0, textStyle: { color: theme.foreground }, inactiveColor: theme.mutedForeground };
}

function base(theme: ChartTheme, opts: ChartBuildOptions): EChartsOption {
  return {
    animation: opts.animation ?? true,
    backgroundColor: theme.background,
    textStyle: textStyle(theme),
    // Colours are set on every series; the palette only matters for anything ECharts adds itself.
    color: [theme.category.compute, theme.category.memory, theme.category.comm, theme.kvCache],
  };
}

/**
 * Per-layer time of every costed layout, split into compute, memory and communication, as
 * stacked bars: prefill above, decode (one step at the mean context) below, each with its own
 * time axis because the two differ by orders of magnitude.
 */
export function buildLayerTimeChart(report: ChartReport, opts: ChartBuildOptions = {}): EChartsOption {
  const theme = opts.theme ?? LIGHT_THEME;
  const layouts = costedLayouts(report);
  const names = layouts.map((l) => l.name);
  const series: SeriesOption[] = [];
  PHASES.forEach((phase, axis) => {
    const split = layouts.map((l) => layerTimeByCategory(l[phase]));
    for (const category of TIME_CATEGORIES) {
      series.push({
        type: 'bar',
        id: `${phase}-${category}`,
        name: TIME_CATEGORY_LABEL[category],
        stack: phase,
        xAxisIndex: axis,
        yAxisIndex: axis,
        barMaxWidth: 48,
        itemStyle: { color: theme.category[category] },
        emphasis: { focus: 'series' },
        data: split.map((s) => s[category]),
      });
    }
  });
  return {
    ...base(theme, opts),
    title: [
      { text: 'prefill: time per layer', left: 8, top: 28, textStyle: { color: theme.foreground, fontSize: 13 } },
      { text: 'decode: time per layer, one step', left: 8, top: '52%', textStyle: { color: theme.foreground, fontSize: 13 } },
    ],
    legend: { ...legend(theme), data: TIME_CATEGORIES.map((c) => TIME_CATEGORY_LABEL[c]) },
    tooltip: tooltip(theme, 'axis', formatSeconds),
    grid: [
      { left: 72, right: 24, top: 56, height: '30%' },
      { left: 72, right: 24, top: '60%', bottom: 32 },
    ],
    xAxis: [categoryAxis(theme, names, { gridIndex: 0 }), categoryAxis(theme, names, { gridIndex: 1 })],
    yAxis: [
      valueAxis(theme, '', formatSeconds, { gridIndex: 0 }),
      valueAxis(theme, '', formatSeconds, { gridIndex: 1 }),
    ],
    series,
  };
}

/**
 * A tick step of 1, 2 or 5 times a power of ten GB (1 GB at least) giving at most eight ticks up
 * to `maxBytes`: round numbers in the decimal units every figure is written in (report/format.ts).
 */
export function memoryTickStep(maxBytes: number): number {
  for (let decade = 1e9; ; decade *= 10) {
    for (const m of [1, 2, 5]) if (maxBytes / (m * decade) <= 8) return m * decade;
  }
}

/**
 * Memory per chip of every costed layout (weights, KV cache and activations stacked, for the
 * phase that uses more) against the chip's HBM capacity, drawn as a dashed line.
 */
export function buildMemoryChart(report: ChartReport, opts: ChartBuildOptions = {}): EChartsOption {
  const theme = opts.theme ?? LIGHT_THEME;
  const layouts = costedLayouts(report);
  const names = layouts.map((l) => l.name);
  const hbm = layouts.map((l) => num(l.memory.hbm_bytes));
  const parts: { id: string; label: string; color: string; value: (l: CostedChartLayout) => number }[] = [
    { id: 'weights', label: 'weights', color: theme.weights, value: (l) => num(l.memory.weights_bytes) },
    { id: 'kv', label: 'KV cache', color: theme.kvCache, value: (l) => num(l.memory.kv_bytes) },
    { id: 'activations', label: 'activations', color: theme.activations, value: (l) => num(l.memory.activation_bytes) },
  ];
  const series: SeriesOption[] = parts.map((p) => ({
    type: 'bar',
    id: p.id,
    name: p.label,
    stack: 'memory',
    barMaxWidth: 48,
    itemStyle: { color: p.color },
    emphasis: { focus: 'series' },
    data: layouts.map(p.value),
  }));
  const uniformHbm = hbm.length > 0 && hbm.every((h) => h === hbm[0]);
  series.push({
    type: 'line',
    id: 'hbm',
    name: 'HBM capacity',
    // A step line reads as a capacity per bar; with one hardware for all layouts the mark line
    // below carries it across the whole chart instead.
    step: 'middle',
    symbol: 'rect',
    symbolSize: 8,
    lineStyle: { color: theme.hbmLine, type: 'dashed', width: 2 },
    itemStyle: { color: theme.hbmLine },
    data: hbm,
    ...(uniformHbm
      ? {
          markLine: {
            silent: true,
            symbol: 'none',
            lineStyle: { color: theme.hbmLine, type: 'dashed', width: 2 },
            label: { color: theme.hbmLine, formatter: `HBM ${formatBytes(hbm[0])}`, position: 'insideEndTop' as const },
            data: [{ yAxis: hbm[0] }],
          },
        }
      : {}),
  });
  return {
    ...base(theme, opts),
    legend: legend(theme),
    tooltip: tooltip(theme, 'axis', (v) => formatBytes(v)),
    grid: { left: 72, right: 24, top: 40, bottom: 32 },
    xAxis: categoryAxis(theme, names),
    yAxis: valueAxis(theme, 'per chip', (v) => (v === 0 ? '0' : formatBytes(v)), {
      interval: memoryTickStep(Math.max(0, ...hbm, ...layouts.map((l) => num(l.memory.total_bytes)))),
    }),
    series,
  };
}

/** Whether a positive range is wide enough that a log axis reads better than a linear one. */
function wantsLogAxis(values: number[]): boolean {
  const positive = values.filter((v) => v > 0);
  if (positive.length < 2) return false;
  return Math.max(...positive) / Math.min(...positive) > 20;
}

/**
 * Latency against cost, as Pope et al. Fig. 1 plots them: one point per layout, prefill (whole
 * prompt) on the left and decode (time per generated token) on the right, both against the
 * chip-seconds spent per token. Lower-left is better on both.
 */
export function buildLatencyCostChart(report: ChartReport, opts: ChartBuildOptions = {}): EChartsOption {
  const theme = opts.theme ?? LIGHT_THEME;
  const layouts = costedLayouts(report);
  const points = (phase: PhaseName) =>
    layouts.map((l) => ({
      name: l.name,
      value: [phase === 'decode' ? decodeSecondsPerToken(l.decode, opts.decodeContext) : num(l.prefill.latency_s), num(l[phase].cost_chip_s_per_token)],
    }));
  const data = { prefill: points('prefill'), decode: points('decode') };
  const allCosts = [...data.prefill, ...data.decode].map((p) => p.value[1]);
  const costAxis = (gridIndex: number) =>
    valueAxis(theme, gridIndex === 0 ? 'chip-ms per token' : '', (v) => sig(v * 1e3), {
      gridIndex,
      type: wantsLogAxis(allCosts) ? 'log' : 'value',
      scale: true,
    });
  const latencyAxis = (phase: PhaseName, gridIndex: number) =>
    valueAxis(theme, phase === 'prefill' ? 'prefill latency' : 'decode time per token', formatSeconds, {
      gridIndex,
      type: wantsLogAxis(data[phase].map((p) => p.value[0])) ? 'log' : 'value',
      scale: true,
      nameLocation: 'middle',
      nameGap: 26,
    });
  const series: SeriesOption[] = PHASES.map((phase, i) => ({
    type: 'scatter',
    id: `${phase}-points`,
    name: phase,
    xAxisIndex: i,
    yAxisIndex: i,
    symbolSize: 12,
    itemStyle: { color: theme.phase[phase] },
    label: {
      show: true,
      position: 'top',
      color: theme.foreground,
      formatter: (p: { name?: string }) => p.name ?? '',
    },
    labelLayout: { hideOverlap: true },
    data: data[phase],
  }));
  return {
    ...base(theme, opts),
    legend: legend(theme),
    tooltip: {
      ...tooltip(theme, 'item', formatSeconds),
      formatter: (p: unknown) => {
        const item = p as { name?: string; seriesName?: string; value?: number[] };
        const [latency = 0, cost = 0] = item.value ?? [];
        return `${item.name ?? ''} (${item.seriesName ?? ''})\nlatency ${formatSeconds(latency)}\ncost ${sig(cost * 1e3)} chip-ms per token`;
      },
    },
    grid: [
      { left: 64, right: '54%', top: 48, bottom: 48 },
      { left: '54%', right: 48, top: 48, bottom: 48 },
    ],
    xAxis: [latencyAxis('prefill', 0), latencyAxis('decode', 1)],
    yAxis: [costAxis(0), costAxis(1)],
    series,
  };
}
