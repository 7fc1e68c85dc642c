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
/**
 * The segments are the time of the ops each bound limits (an op's time counted once, under its
 * bound), so they are named for those ops: a memory-bound step still computes, but its compute
 * hides under its HBM traffic, and "compute 0 s" would misread it.
 */
export const TIME_CATEGORY_LABEL: Record<TimeCategory, string> = {
  compute: 'compute-bound',
  memory: 'memory-bound',
  comm: 'communication-bound',
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

/** A part of the layer-time bars: a bound, or all-to-all drawn apart from the rest of communication. */
export type LayerPart = TimeCategory | 'all_to_all';

export const LAYER_PART_LABEL: Record<LayerPart, string> = { ...TIME_CATEGORY_LABEL, all_to_all: 'all-to-all' };

const isAllToAll = (op: ChartPhase['layer']['ops'][number]) => op.op === 'all_to_all' && op.bound === 'comm';

/**
 * One layer's time by bound, with the all_to_all collectives' time (a mixture of experts'
 * dispatch and combine, a heads↔batch re-layout) as a part of its own, taken out of
 * communication: the same op times, split one step further.
 */
export function layerTimeParts(phase: ChartPhase): Record<LayerPart, number> {
  const sums = layerTimeByCategory(phase);
  let allToAll = 0;
  for (const op of phase.layer.ops) if (isAllToAll(op)) allToAll += num(op.time_s);
  return { ...sums, comm: sums.comm - allToAll, all_to_all: allToAll };
}

/** Whether any layer of these layouts has all-to-all time, so the chart draws its part. */
function layersHaveAllToAll(layouts: CostedChartLayout[]): boolean {
  return layouts.some((l) => PHASES.some((phase) => l[phase].layer.ops.some((op) => isAllToAll(op) && num(op.time_s) > 0)));
}

/** The decode time per generated token that the table, the status bar and the scatter show. */
export function decodeSecondsPerToken(decode: ChartPhase, context: DecodeContext = 'mean'): number {
  return num(context === 'last' ? decode.step_s_last ?? decode.step_s : decode.step_s);
}

function textStyle(theme: ChartTheme) {
  return { color: theme.foreground, fontFamily: theme.fontFamily, fontSize: 12 };
}

export function valueAxis(theme: ChartTheme, name: string, format: (v: number) => string, extra: Record<string, unknown> = {}) {
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

export function categoryAxis(theme: ChartTheme, names: string[], extra: Record<string, unknown> = {}, horizontalLabels = true) {
  // Every layout keeps its label: slanted once the names would run into each other, since a
  // bar without a name cannot be read (names on a vertical axis are stacked and never run into
  // each other).
  const longest = names.reduce((m, n) => Math.max(m, n.length), 0);
  const crowded = horizontalLabels && names.length > 1 && names.length * longest > 60;
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
export function tooltip(theme: ChartTheme, trigger: 'axis' | 'item', format: (v: number) => string) {
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

/** A scatter point's tooltip: its name and series, then `describe` of its two values. */
export function scatterTooltip(theme: ChartTheme, describe: (x: number, y: number) => string) {
  return {
    ...tooltip(theme, 'item', formatSeconds),
    formatter: (p: unknown) => {
      const item = p as { name?: string; seriesName?: string; value?: number[] };
      const [x = 0, y = 0] = item.value ?? [];
      return `${item.name ?? ''} (${item.seriesName ?? ''})\n${describe(x, y)}`;
    },
  };
}

export function legend(theme: ChartTheme) {
  return { top: 0, itemGap: 24, textStyle: { color: theme.foreground }, inactiveColor: theme.mutedForeground };
}

export function base(theme: ChartTheme, opts: ChartBuildOptions): EChartsOption {
  return {
    animation: opts.animation ?? true,
    backgroundColor: theme.background,
    textStyle: textStyle(theme),
    // Colours are set on every series; the palette only matters for anything ECharts adds itself.
    color: [theme.category.compute, theme.category.memory, theme.category.comm, theme.kvCache],
  };
}

/**
 * The tokens a phase's layer time is divided by, so that layouts of different batches compare:
 * a prefill processes batch × prompt tokens; a decode step generates one token per sequence.
 */
export function tokensPerLayerPass(phase: PhaseName, p: ChartPhase): number {
  const batch = num(p.workload?.batch);
  const tokens = phase === 'prefill' ? batch * num(p.workload?.prompt) : batch;
  return tokens > 0 ? tokens : 1;
}

/** The smallest bar drawn, in pixels: a layout many times faster than another keeps a visible bar. */
export const MIN_BAR_PIXELS = 3;

/**
 * Per-layer time per token of every costed layout, split by what bounds each operation, as
 * stacked horizontal bars (layout names on the left, where they never need slanting): prefill
 * above, decode (one step at the mean context) below, each on its own axis. Time per token, not
 * per layer pass, because a batch-512 prefill takes hundreds of times longer than a batch-1 one
 * and would flatten it to nothing; every bar ends in its total, and none is drawn shorter than a
 * few pixels, so no layout hides another.
 */
export function buildLayerTimeChart(report: ChartReport, opts: ChartBuildOptions = {}): EChartsOption {
  const theme = opts.theme ?? LIGHT_THEME;
  const layouts = costedLayouts(report);
  // Top to bottom in the file's order: a category axis on y counts from the bottom.
  const names = layouts.map((l) => l.name).reverse();
  const series: SeriesOption[] = [];
  // All-to-all is a part of its own only where some layer has any (MoE layouts, re-layouts).
  const parts: LayerPart[] = layersHaveAllToAll(layouts) ? [...TIME_CATEGORIES, 'all_to_all'] : [...TIME_CATEGORIES];
  const colour = (part: LayerPart) => (part === 'all_to_all' ? theme.allToAll : theme.category[part]);
  PHASES.forEach((phase, axis) => {
    const perToken = [...layouts].reverse().map((l) => {
      const split = layerTimeParts(l[phase]);
      const tokens = tokensPerLayerPass(phase, l[phase]);
      return { compute: split.compute / tokens, memory: split.memory / tokens, comm: split.comm / tokens, all_to_all: split.all_to_all / tokens };
    });
    for (const category of parts) {
      series.push({
        type: 'bar',
        id: `${phase}-${category}`,
        name: LAYER_PART_LABEL[category],
        stack: phase,
        xAxisIndex: axis,
        yAxisIndex: axis,
        barMaxWidth: 28,
        barMinHeight: MIN_BAR_PIXELS,
        itemStyle: { color: colour(category) },
        emphasis: { focus: 'series' },
        // No time in a category is no bar ('-'), not a minimum-height sliver.
        data: perToken.map((t) => (t[category] > 0 ? t[category] : '-')),
      });
    }
    // The total at the end of each bar: an unfilled bar over the stack, whose label reads the
    // figure even where the stack is only a few pixels long.
    series.push({
      type: 'bar',
      id: `${phase}-total`,
      name: 'total',
      xAxisIndex: axis,
      yAxisIndex: axis,
      barMaxWidth: 28,
      barGap: '-100%',
      silent: true,
      itemStyle: { color: 'transparent' },
      label: { show: true, position: 'right', color: theme.foreground, formatter: (p: { value?: unknown }) => (typeof p.value === 'number' ? formatSeconds(p.value) : '') },
      data: perToken.map((t) => t.compute + t.memory + t.comm + t.all_to_all),
    });
  });
  return {
    ...base(theme, opts),
    title: [
      { text: 'prefill: time per layer per prompt token', left: 8, top: 4, textStyle: { color: theme.foreground, fontSize: 13 } },
      { text: 'decode: time per layer per generated token (one step ÷ batch)', left: 8, top: '48%', textStyle: { color: theme.foreground, fontSize: 13 } },
    ],
    // At the foot: in a narrow card the three long names wrap, and at the top they would run
    // into the first title.
    legend: { ...legend(theme), top: undefined, bottom: 0, data: parts.map((c) => LAYER_PART_LABEL[c]) },
    tooltip: tooltip(theme, 'axis', formatSeconds),
    grid: [
      { left: 24, right: 72, top: 32, height: '34%', containLabel: true },
      { left: 24, right: 72, top: '56%', bottom: 48, containLabel: true },
    ],
    xAxis: [valueAxis(theme, '', formatSeconds, { gridIndex: 0 }), valueAxis(theme, '', formatSeconds, { gridIndex: 1 })],
    yAxis: [categoryAxis(theme, names, { gridIndex: 0 }, false), categoryAxis(theme, names, { gridIndex: 1 }, false)],
    series,
  };
}

/**
 * A tick step of 1, 2 or 5 times a power of ten GiB (1 GiB at least) giving at most eight ticks
 * up to `maxBytes`: round numbers in the binary units every memory figure is written in
 * (report/format.ts), so the HBM line of a 32 GiB chip falls on a tick.
 */
export function memoryTickStep(maxBytes: number): number {
  for (let decade = 2 ** 30; ; decade *= 10) {
    for (const m of [1, 2, 5]) if (maxBytes / (m * decade) <= 8) return m * decade;
  }
}

/**
 * The memory axis's ticks and its top: the first tick above the largest figure. Left to
 * ECharts, the top was the largest figure itself (a "32.6 GiB" label crowding the "30 GiB" tick
 * under it), and a top on the HBM line left no room for the line's label.
 */
export function memoryAxisRange(maxBytes: number): { interval: number; max: number } {
  const interval = memoryTickStep(maxBytes);
  return { interval, max: (Math.floor(maxBytes / interval) + 1) * interval };
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
    yAxis: valueAxis(theme, 'per chip', (v) => (v === 0 ? '0' : formatBytes(v)), memoryAxisRange(Math.max(0, ...hbm, ...layouts.map((l) => num(l.memory.total_bytes))))),
    series,
  };
}

/** Whether a positive range is wide enough that a log axis reads better than a linear one. */
function wantsLogAxis(values: number[]): boolean {
  const positive = values.filter((v) => v > 0);
  if (positive.length < 2) return false;
  return Math.max(...positive) / Math.min(...positive) > 20;
}

/** 1, 2 or 5 times a power of ten, at least `rough`. */
function niceStep(rough: number): number {
  const decade = 10 ** Math.floor(Math.log10(rough));
  for (const m of [1, 2, 5]) if (m * decade >= rough) return m * decade;
  return 10 * decade;
}

/**
 * A scatter axis over `values`, with its bounds fixed here (not left to ECharts) so that the
 * labels can be placed against them: a log axis from decade to decade over a wide range; a linear
 * one in round steps otherwise, at least ±15% around values that lie close together, so that its
 * ticks never differ only past the labels' three significant digits ("7.18 7.18 7.18").
 */
export function scatterAxis(values: number[]): { type: 'log' | 'value'; min: number; max: number } {
  const finite = values.filter((v) => Number.isFinite(v));
  if (!finite.length) return { type: 'value', min: 0, max: 1 };
  const lo = Math.min(...finite);
  const hi = Math.max(...finite);
  if (wantsLogAxis(finite)) return { type: 'log', min: 10 ** Math.floor(Math.log10(lo)), max: 10 ** Math.ceil(Math.log10(hi)) };
  const mid = (lo + hi) / 2 || 1;
  const from = Math.min(lo, mid * 0.85);
  const to = Math.max(hi, mid * 1.15);
  const step = niceStep((to - from) / 5);
  // Rounded to 12 digits: a bound like 0.009000000000000001 trips ECharts' interval checks.
  const round = (v: number) => Number(v.toPrecision(12));
  return { type: 'value', min: round(Math.max(lo >= 0 ? 0 : -Infinity, Math.floor(from / step) * step)), max: round(Math.ceil(to / step) * step) };
}

/** Where a value falls on an axis, from 0 (its start) to 1 (its end). */
function axisFraction(v: number, axis: { type: 'log' | 'value'; min: number; max: number }): number {
  if (axis.type === 'log') return (Math.log10(v) - Math.log10(axis.min)) / (Math.log10(axis.max) - Math.log10(axis.min) || 1);
  return (v - axis.min) / (axis.max - axis.min || 1);
}

/** A scatter point: one or more layouts drawn as one (labelled with all their names). */
export interface ScatterPoint {
  name: string;
  value: [latency: number, cost: number];
  /** The side of the point its label takes; `offset` moves it further (pixels, y down). */
  label?: { position: LabelPosition; offset?: [number, number] };
}

type LabelPosition = 'top' | 'bottom' | 'right' | 'left';
/** Where a label may go: a side of its point, or a corner (a side shifted along the other axis). */
type LabelPlace = LabelPosition | 'top-left' | 'bottom-right';

/** The size of one of the scatter's two grids (side by side, 64 and 48 px margins) in a chart of `size`. */
function scatterGridSize(size: { width: number; height: number } = { width: 960, height: 420 }): { width: number; height: number } {
  return { width: Math.max(80, size.width * 0.46 - 64), height: Math.max(80, size.height - 96) };
}
/** Points closer than this many pixels are one point to the eye: they share a label. */
const SAME_POINT_PIXELS = 10;
/** A label's size per character and per line at the charts' 12 px font (generous, so boxes never undercount). */
const LABEL_CHAR_PIXELS = 7;
export const LABEL_LINE_PIXELS = 16;
/**
 * How far a label may reach left of its grid: over the y axis's line, short of its tick labels
 * (which end further left), so that a point near the axis can still be labelled above or below.
 */
const LEFT_SPILL_PIXELS = 8;

export interface Box { left: number; top: number; right: number; bottom: number }

const overlaps = (a: Box, b: Box) => a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom;

/**
 * Labels every layout of one scatter grid without collisions, wherever the chart is drawn (ECharts'
 * own label mover does not run in its server-side renderer): layouts whose points coincide to the
 * eye become one point whose label lists them all, one name a line; then each label takes the
 * first side of its point (above, below, right, left) where it overlaps no label placed before and
 * no other point, and stays inside the grid. `crosses` (a box in grid pixels, y down) marks what
 * else a label should keep off, such as a reference line: a side that crosses it is taken only
 * when no other side is free.
 */
export function placeLabels(
  points: ScatterPoint[],
  xAxis: ReturnType<typeof scatterAxis>,
  yAxis: ReturnType<typeof scatterAxis>,
  grid: { width: number; height: number },
  crosses: (box: Box) => boolean = () => false,
): ScatterPoint[] {
  const pixel = (p: ScatterPoint) => ({
    x: axisFraction(p.value[0], xAxis) * grid.width,
    y: (1 - axisFraction(p.value[1], yAxis)) * grid.height,
  });
  const merged: (ScatterPoint & { at: { x: number; y: number }; names: string[] })[] = [];
  for (const p of points) {
    const at = pixel(p);
    const same = merged.find((m) => Math.hypot(m.at.x - at.x, m.at.y - at.y) <= SAME_POINT_PIXELS);
    if (same) same.names.push(p.name);
    else merged.push({ ...p, at, names: [p.name] });
  }
  const symbol = 7;
  const placed: Box[] = merged.map((m) => ({ left: m.at.x - symbol, right: m.at.x + symbol, top: m.at.y - symbol, bottom: m.at.y + symbol }));
  return merged.map((m) => {
    const width = Math.max(...m.names.map((n) => n.length)) * LABEL_CHAR_PIXELS;
    const height = m.names.length * LABEL_LINE_PIXELS;
    const { x, y } = m.at;
    // A corner is the side shifted by half the label's height (and the symbol), clear of the point.
    const shift = height / 2 + symbol;
    const boxes: Record<LabelPlace, Box> = {
      top: { left: x - width / 2, right: x + width / 2, top: y - symbol - height, bottom: y - symbol },
      bottom: { left: x - width / 2, right: x + width / 2, top: y + symbol, bottom: y + symbol + height },
      right: { left: x + symbol, right: x + symbol + width, top: y - height / 2, bottom: y + height / 2 },
      left: { left: x - symbol - width, right: x - symbol, top: y - height / 2, bottom: y + height / 2 },
      'top-left': { left: x - symbol - width, right: x - symbol, top: y - height / 2 - shift, bottom: y + height / 2 - shift },
      'bottom-right': { left: x + symbol, right: x + symbol + width, top: y - height / 2 + shift, bottom: y + height / 2 + shift },
    };
    // Inside the grid (the axes' tick labels lie outside it), or a little above it, below the legend.
    const inside = (b: Box) => b.top >= -24 && b.bottom <= grid.height && b.left >= -LEFT_SPILL_PIXELS && b.right <= grid.width;
    const free = (place: LabelPlace) => inside(boxes[place]) && !placed.some((b) => overlaps(b, boxes[place]));
    // The corners only where every side crosses what the labels keep off (a point on a line).
    const sides: LabelPlace[] = ['top', 'bottom', 'right', 'left'];
    const place = sides.find((p) => free(p) && !crosses(boxes[p])) ?? (['top-left', 'bottom-right'] as const).find((p) => free(p) && !crosses(boxes[p])) ?? sides.find(free) ?? 'top';
    placed.push(boxes[place]);
    const label: NonNullable<ScatterPoint['label']> =
      place === 'top-left' ? { position: 'left', offset: [0, -shift] } : place === 'bottom-right' ? { position: 'right', offset: [0, shift] } : { position: place };
    return { name: m.names.join('\n'), value: m.value, label };
  });
}

/**
 * Latency against cost, as Pope et al. Fig. 1 plots them: one point per layout, prefill (whole
 * prompt) on the left and decode (time per generated token) on the right, both against the
 * chip-seconds spent per token. Lower-left is better on both. Every layout is labelled: labels
 * that would collide are moved apart, and layouts with the same figures share one point whose
 * label names them all.
 */
export function buildLatencyCostChart(report: ChartReport, opts: ChartBuildOptions = {}): EChartsOption {
  const theme = opts.theme ?? LIGHT_THEME;
  const layouts = costedLayouts(report);
  const raw = (phase: PhaseName): ScatterPoint[] =>
    layouts.map((l) => ({
      name: l.name,
      value: [phase === 'decode' ? decodeSecondsPerToken(l.decode, opts.decodeContext) : num(l.prefill.latency_s), num(l[phase].cost_chip_s_per_token)],
    }));
  const points = { prefill: raw('prefill'), decode: raw('decode') };
  // One cost axis for both grids, so that the two phases' costs read against each other.
  const costRange = scatterAxis([...points.prefill, ...points.decode].map((p) => p.value[1]));
  const latencyRange = { prefill: scatterAxis(points.prefill.map((p) => p.value[0])), decode: scatterAxis(points.decode.map((p) => p.value[0])) };
  const costAxis = (gridIndex: number) => valueAxis(theme, gridIndex === 0 ? 'chip-ms per token' : '', (v) => sig(v * 1e3), { gridIndex, ...costRange });
  const latencyAxis = (phase: PhaseName, gridIndex: number) =>
    valueAxis(theme, phase === 'prefill' ? 'prefill latency' : 'decode time per token', formatSeconds, {
      gridIndex,
      nameLocation: 'middle',
      nameGap: 26,
      ...latencyRange[phase],
      axisLabel: { color: theme.foreground, formatter: (v: number) => formatSeconds(v), hideOverlap: true },
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
      lineHeight: LABEL_LINE_PIXELS,
      formatter: (p: { name?: string }) => p.name ?? '',
    },
    // placeLabels sides the labels for the registry's size; in a narrower view, the browser's
    // ECharts moves any that still collide (its server-side renderer does not run this).
    labelLayout: { moveOverlap: 'shiftY' },
    data: placeLabels(points[phase], latencyRange[phase], costRange, scatterGridSize(opts.size)),
  }));
  return {
    ...base(theme, opts),
    legend: legend(theme),
    tooltip: scatterTooltip(theme, (latency, cost) => `latency ${formatSeconds(latency)}\ncost ${sig(cost * 1e3)} chip-ms per token`),
    grid: [
      { left: 64, right: '54%', top: 48, bottom: 48 },
      { left: '54%', right: 48, top: 48, bottom: 48 },
    ],
    xAxis: [latencyAxis('prefill', 0), latencyAxis('decode', 1)],
    yAxis: [costAxis(0), costAxis(1)],
    series,
  };
}
