// ECharts options for the search views, in the style of ../charts: plain option objects (no
// functions: they render to SVG on the server and the tests compare them as JSON), colours
// passed in. Registered, with the compare charts, in ../charts/registry.ts. Two charts:
//   sweepChartOption      Pope Fig. 1: cost against latency, log–log, one series per layout,
//                         its Pareto frontier drawn as a line, each point labelled C·B.
//   crossoverChartOption  Pope Fig. 3: FFN communication volume against tokens per batch,
//                         log–log, one line per layout, the min-volume envelope dashed, the
//                         switch points marked.

import type { EChartsOption, LegendComponentOption, LineSeriesOption, ScatterSeriesOption } from 'echarts';
import type { ChartTheme } from '../charts/types';
import { BYTE_UNITS, formatBytes, formatPercent, formatSeconds, sig } from '../report/format';
import type { Phase } from '../check/resolved';
import type { CrossoverResult } from './crossover';
import { crossoverFfnText, volumeAt } from './crossover';
import type { SweepPhasePoint, SweepResult } from './sweep';

function baseOption(theme: ChartTheme, title: string): EChartsOption & { legend: LegendComponentOption } {
  return {
    backgroundColor: theme.background,
    textStyle: { color: theme.foreground, fontFamily: theme.fontFamily },
    title: { text: title, left: 'center', textStyle: { color: theme.foreground, fontSize: 14 } },
    legend: { bottom: 4, itemGap: 22, textStyle: { color: theme.foreground }, inactiveColor: theme.mutedForeground },
    grid: { left: 72, right: 24, top: 48, bottom: 72, containLabel: true },
    animation: false,
  };
}

/** A log-scale axis, x or y. */
function logAxis(theme: ChartTheme, name: string, nameGap = 32) {
  return {
    type: 'log' as const,
    logBase: 10,
    name,
    nameLocation: 'middle' as const,
    nameGap,
    nameTextStyle: { color: theme.mutedForeground },
    axisLine: { lineStyle: { color: theme.mutedForeground } },
    axisLabel: { color: theme.foreground },
    splitLine: { lineStyle: { color: theme.gridLine } },
  };
}

/**
 * Line colours for the crossover and a sweep of several layouts: the theme's chart colours first,
 * then two that read on light and dark backgrounds.
 */
export function seriesColors(theme: ChartTheme): string[] {
  return [theme.category.compute, theme.category.memory, theme.category.comm, theme.kvCache, theme.hbmLine, '#8c6d1f', '#1b7c83'];
}

/** The grid of the sweep chart: fixed margins, so label placement knows where the points fall. */
const SWEEP_GRID = { left: 72, right: 28, top: 28, bottom: 84 };
/** The sweep chart's size when the caller does not say (the registry's). */
const SWEEP_SIZE = { width: 760, height: 480 };
/** A frontier label's size per character and per line at 10 px (generous, so boxes never undercount). */
const LABEL_CHAR_PX = 6.2;
const LABEL_LINE_PX = 14;
/** Half a point's symbol and a margin: a label keeps this far from any point's centre. */
const POINT_PX = 5;

/** The decades around `values`: the log axis's bounds, so the decade ticks sit on its ends. */
function decades(values: readonly number[]): { min: number; max: number } {
  const finite = values.filter((v) => v > 0 && Number.isFinite(v));
  if (!finite.length) return { min: 1, max: 10 };
  const min = 10 ** Math.floor(Math.log10(Math.min(...finite)));
  const max = 10 ** Math.ceil(Math.log10(Math.max(...finite)));
  return { min, max: max > min ? max : min * 10 };
}

type Side = 'top' | 'right' | 'bottom' | 'left';
interface Box { left: number; top: number; right: number; bottom: number }
const overlaps = (a: Box, b: Box) => a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom;

/** One point drawn and, if it carries one, the label to place beside it. */
interface Placeable {
  at: { x: number; y: number };
  text?: string;
}

/**
 * Sides each label so that no two labels overlap and none covers a point, as Compare's
 * `placeLabels` (charts/options.ts) does for its scatter: each label, in order (the layout as
 * declared first, then each frontier by ascending latency), takes the first side of its point
 * (above, right, below, left) that stays in the grid and meets no label placed before and no
 * point. A label with no free side is not drawn; the tooltip and the frontier line under the
 * chart still name it. Computed here because ECharts' own overlap handling does not run in its
 * server-side renderer (`sweep --html`).
 */
export function placeSweepLabels(items: readonly Placeable[], grid: { width: number; height: number }): (Side | null)[] {
  const pointBoxes: Box[] = items.map(({ at }) => ({ left: at.x - POINT_PX, right: at.x + POINT_PX, top: at.y - POINT_PX, bottom: at.y + POINT_PX }));
  const placed: Box[] = [];
  return items.map((item, i) => {
    if (!item.text) return null;
    const lines = item.text.split('\n');
    const w = Math.max(...lines.map((l) => l.length)) * LABEL_CHAR_PX;
    const h = lines.length * LABEL_LINE_PX;
    const { x, y } = item.at;
    const gap = POINT_PX + 1;
    const boxes: Record<Side, Box> = {
      top: { left: x - w / 2, right: x + w / 2, top: y - gap - h, bottom: y - gap },
      right: { left: x + gap, right: x + gap + w, top: y - h / 2, bottom: y + h / 2 },
      bottom: { left: x - w / 2, right: x + w / 2, top: y + gap, bottom: y + gap + h },
      left: { left: x - gap - w, right: x - gap, top: y - h / 2, bottom: y + h / 2 },
    };
    const free = (b: Box) =>
      b.left >= 0 && b.right <= grid.width && b.top >= 0 && b.bottom <= grid.height &&
      !placed.some((p) => overlaps(p, b)) && !pointBoxes.some((p, k) => k !== i && overlaps(p, b));
    const side = (['top', 'right', 'bottom', 'left'] as const).find((s) => free(boxes[s])) ?? null;
    if (side) placed.push(boxes[side]);
    return side;
  });
}

/** `B64`, or `B1–1024` for a run of batches that land on the same figures. */
function batchLabel(batches: readonly number[]): string {
  const lo = Math.min(...batches);
  const hi = Math.max(...batches);
  return lo === hi ? `B${lo}` : `B${lo}–${hi}`;
}

/**
 * Pope Fig. 1 for one phase. x: latency (decode: ms per generated token; prefill: s), y: cost
 * in chip-ms per token, both log with a tick at every 2…9 between decades. Points that do not
 * fit in memory are left out; points of one chip count with the same figures (a phase that keeps
 * its own batch) are drawn once. Frontier points are labelled C·B, without overlaps at `size`;
 * the layout as declared is a diamond, labelled. No title: the view's card or the page's heading
 * names the chart (registry.ts), so it is said once.
 */
export function sweepChartOption(
  results: readonly SweepResult[],
  phase: Phase,
  theme: ChartTheme,
  colors: readonly string[],
  size: { width: number; height: number } = SWEEP_SIZE,
): EChartsOption & { legend: LegendComponentOption } {
  const decode = phase === 'decode';
  const xOf = (latency: number) => (decode ? latency * 1e3 : latency);
  const yOf = (cost: number) => cost * 1e3;
  const latencyText = (s: number) => (decode ? `${formatSeconds(s)} per token` : formatSeconds(s));

  // The plotted points of each layout: one per chip count and figures.
  const groups = results.map((r) => {
    const byKey = new Map<string, { chips: number; batches: number[]; p: SweepPhasePoint }>();
    for (const pt of r.points) {
      const p = pt[phase];
      if (!p || !p.fits) continue;
      const key = `${pt.chips}|${p.latency_s}|${p.cost_chip_s_per_token}|${p.mesh}`;
      const g = byKey.get(key);
      if (g) g.batches.push(p.batch);
      else byKey.set(key, { chips: pt.chips, batches: [p.batch], p });
    }
    return [...byKey.values()];
  });
  const current = results.map((r) => r.current?.[phase]);
  const xs = [...groups.flat().map((g) => xOf(g.p.latency_s)), ...current.flatMap((c) => (c ? [xOf(c.latency_s)] : []))];
  const ys = [...groups.flat().map((g) => yOf(g.p.cost_chip_s_per_token)), ...current.flatMap((c) => (c ? [yOf(c.cost_chip_s_per_token)] : []))];
  const xRange = decades(xs);
  const yRange = decades(ys);
  const grid = { width: Math.max(80, size.width - SWEEP_GRID.left - SWEEP_GRID.right), height: Math.max(80, size.height - SWEEP_GRID.top - SWEEP_GRID.bottom) };
  const frac = (v: number, r: { min: number; max: number }) => (Math.log10(v) - Math.log10(r.min)) / (Math.log10(r.max) - Math.log10(r.min));
  const pixel = (x: number, y: number) => ({ x: frac(x, xRange) * grid.width, y: (1 - frac(y, yRange)) * grid.height });

  // Labels, in the order they claim space: the layouts as declared, then the frontiers.
  const items: (Placeable & { series: number; index: number })[] = [];
  current.forEach((c, k) => {
    if (c) items.push({ at: pixel(xOf(c.latency_s), yOf(c.cost_chip_s_per_token)), text: `${results.length > 1 ? `${results[k].layout} ` : ''}as declared`, series: k, index: -1 });
  });
  groups.forEach((gs, k) => gs.forEach((g, index) => {
    items.push({ at: pixel(xOf(g.p.latency_s), yOf(g.p.cost_chip_s_per_token)), text: g.p.onFrontier ? `C${g.chips} ${batchLabel(g.batches)}` : undefined, series: k, index });
  }));
  // The frontier labels go in order of latency so that neighbours alternate sides predictably.
  const order = [...items.keys()].sort((a, b) => (items[a].index < 0 ? -1 : 0) - (items[b].index < 0 ? -1 : 0) || items[a].at.x - items[b].at.x);
  const sides = new Map<number, Side | null>();
  placeSweepLabels(order.map((i) => items[i]), grid).forEach((side, k) => sides.set(order[k], side));
  const sideOf = (series: number, index: number) => sides.get(items.findIndex((it) => it.series === series && it.index === index)) ?? null;

  const series: (ScatterSeriesOption | LineSeriesOption)[] = [];
  results.forEach((r, k) => {
    const color = colors[k % Math.max(1, colors.length)] ?? theme.foreground;
    const data = groups[k].map((g, index) => {
      const side = sideOf(k, index);
      const label = `C${g.chips} ${batchLabel(g.batches)}`;
      const tooltip = [
        `${label} on ${g.p.mesh}`,
        `latency ${latencyText(g.p.latency_s)}`,
        `cost ${sig(g.p.cost_chip_s_per_token * 1e3)} chip-ms per token`,
        `MFU ${formatPercent(g.p.mfu)}, ${g.p.bound}-bound${g.p.onFrontier ? ', on the frontier' : ''}`,
      ].join('\n');
      return {
        name: tooltip,
        value: [xOf(g.p.latency_s), yOf(g.p.cost_chip_s_per_token)],
        label: side ? { show: true, formatter: label, position: side, color: theme.foreground, fontSize: 10 } : { show: false },
        itemStyle: { opacity: g.p.onFrontier ? 1 : 0.45 },
      };
    });
    series.push({ name: r.layout, type: 'scatter', symbolSize: 7, itemStyle: { color }, data, labelLayout: { hideOverlap: true }, tooltip: { formatter: '{a}\n{b}' } });
    const front = r.frontier[phase].map((i) => {
      const p = r.points[i][phase]!;
      return [xOf(p.latency_s), yOf(p.cost_chip_s_per_token)];
    });
    series.push({
      name: `${r.layout} frontier`,
      type: 'line',
      data: front,
      symbol: 'none',
      lineStyle: { color, width: 2 },
      itemStyle: { color },
      silent: true,
      tooltip: { show: false },
    });
    const c = current[k];
    if (c) {
      const side = sideOf(k, -1);
      const text = `${results.length > 1 ? `${r.layout} ` : ''}as declared`;
      series.push({
        name: `${r.layout} as declared`,
        type: 'scatter',
        symbol: 'diamond',
        symbolSize: 13,
        itemStyle: { color, borderColor: theme.foreground, borderWidth: 1.5 },
        z: 5,
        tooltip: { formatter: '{a}\n{b}' },
        data: [{
          name: [`C${c.chips} B${c.batch} on ${c.mesh} (the layout's own mesh)`, `latency ${latencyText(c.latency_s)}`, `cost ${sig(c.cost_chip_s_per_token * 1e3)} chip-ms per token`, ...(c.fits ? [] : ['does not fit in memory'])].join('\n'),
          value: [xOf(c.latency_s), yOf(c.cost_chip_s_per_token)],
          label: side ? { show: true, formatter: text, position: side, color: theme.foreground, fontSize: 10, fontWeight: 'bold' } : { show: false },
        }],
      });
    }
  });
  const logAxisOf = (name: string, nameGap: number, range: { min: number; max: number }) => ({
    ...logAxis(theme, name, nameGap),
    ...range,
    // Log paper: a tick at 2, 3, … 9 of each decade (ECharts splits a log axis's minor ticks
    // over the raw values), so values between decades can be read.
    minorTick: { show: true, splitNumber: 9, lineStyle: { color: theme.mutedForeground } },
    minorSplitLine: { show: true, lineStyle: { color: theme.gridLine, opacity: 0.35 } },
  });
  const base = baseOption(theme, '');
  return {
    ...base,
    title: { show: false },
    grid: { ...SWEEP_GRID, containLabel: false },
    // Confined to the chart: a point near the left edge once opened its tooltip at x = -365 px.
    tooltip: { trigger: 'item', confine: true, renderMode: 'richText', backgroundColor: theme.background, borderColor: theme.gridLine, textStyle: { color: theme.foreground } },
    xAxis: logAxisOf(decode ? 'latency per generated token (ms)' : 'prefill latency (s)', 28, xRange),
    yAxis: logAxisOf('cost (chip-ms per token)', 52, yRange),
    series,
  };
}

/** Pope Fig. 3: volume per chip of one FFN layer against tokens per batch, log–log. */
export function crossoverChartOption(result: CrossoverResult, theme: ChartTheme, colors: readonly string[], options: { points?: number } = {}): EChartsOption {
  const { min_tokens: lo, max_tokens: hi } = result.range;
  const n = options.points ?? 64;
  // Log-spaced samples plus every switch point, so the envelope's corners are drawn exactly.
  const ts = new Set<number>();
  for (let i = 0; i < n; i++) ts.add(Math.round(lo * (hi / lo) ** (i / (n - 1))));
  for (const s of result.switchPoints) ts.add(s.tokens);
  const tokens = [...ts].sort((a, b) => a - b);
  // The unit keeps every plotted value at 0.01 or more, so log-axis labels stay short.
  const smallest = Math.min(...result.lines.flatMap((l) => [volumeAt(l, lo), volumeAt(l, hi)]).filter((v) => v > 0), 2 ** 30);
  const [unit, scale] = BYTE_UNITS.find(([, k]) => k <= 2 ** 30 && smallest / k >= 0.01) ?? ['B', 1];
  const gb = (bytes: number) => bytes / scale;
  const series: LineSeriesOption[] = result.lines.map((line, k): LineSeriesOption => ({
    name: line.ffn,
    type: 'line',
    symbol: 'none',
    lineStyle: { color: colors[k % Math.max(1, colors.length)] ?? theme.foreground, width: 1.5 },
    itemStyle: { color: colors[k % Math.max(1, colors.length)] ?? theme.foreground },
    data: tokens.map((t) => [t, gb(Math.max(volumeAt(line, t), scale / 100))]),
  }));
  const byName = new Map(result.lines.map((l) => [l.ffn, l]));
  const envelopeData = tokens.map((t) => {
    const seg = result.envelope.find((s) => t >= s.from_tokens && (s.to_tokens === null || t <= s.to_tokens));
    const line = seg ? byName.get(seg.ffn) : undefined;
    return [t, line ? gb(Math.max(volumeAt(line, t), scale / 100)) : null];
  });
  // The layout's own token counts (prefill B·L, a decode step's B).
  const own = new Map<number, string[]>();
  for (const phase of ['prefill', 'decode'] as const) {
    const t = result.layoutTokens[phase];
    if (t >= lo && t <= hi) own.set(t, [...(own.get(t) ?? []), phase]);
  }
  series.push({
    name: 'min volume',
    type: 'line',
    symbol: 'none',
    lineStyle: { color: theme.foreground, width: 2, type: 'dashed' },
    itemStyle: { color: theme.foreground },
    data: envelopeData,
    // The layout's own token counts, as dotted vertical lines: where it stands among the lines.
    markLine: {
      symbol: 'none',
      silent: true,
      lineStyle: { color: theme.mutedForeground, type: 'dotted', width: 1.5 },
      label: { show: true, position: 'insideEndTop', color: theme.foreground, fontSize: 10 },
      data: [...own].map(([t, phases]) => ({ xAxis: t, name: phases.join(', '), label: { formatter: `${phases.join(', ')}: ${t.toLocaleString('en-US')}` } })),
    },
    markPoint: {
      symbol: 'circle',
      symbolSize: 8,
      itemStyle: { color: theme.foreground },
      label: { show: true, position: 'top', color: theme.foreground, fontSize: 10 },
      data: result.switchPoints.map((s) => ({
        name: `${s.from} → ${s.to}`,
        coord: [s.tokens, gb(volumeAt(byName.get(s.to)!, s.tokens))],
        value: `${s.from} → ${s.to} at ${s.tokens.toLocaleString('en-US')} tokens (${formatBytes(volumeAt(byName.get(s.to)!, s.tokens))})`,
        label: { formatter: `${s.tokens.toLocaleString('en-US')}` },
      })),
    },
  });
  // The title names what the card's heading does not: the model, the FFN drawn and the mesh.
  return {
    ...baseOption(theme, `${result.model} on ${result.hardware} ${result.mesh} · ${crossoverFfnText(result)}`),
    tooltip: { trigger: 'axis', backgroundColor: theme.background, borderColor: theme.gridLine, textStyle: { color: theme.foreground } },
    xAxis: { ...logAxis(theme, 'tokens per batch (B·L)'), min: lo, max: hi },
    yAxis: logAxis(theme, `volume per chip, one layer (${unit})`, 72),
    series,
  };
}

/**
 * Pope Fig. 1 as the editor and `sweep --html` draw it: one layout in its phase's colour, several
 * in distinct colours.
 */
export function sweepChart(results: readonly SweepResult[], phase: Phase, theme: ChartTheme, size?: { width: number; height: number }): EChartsOption {
  const colors = results.length === 1 ? [theme.phase[phase]] : seriesColors(theme);
  const option = sweepChartOption(results, phase, theme, colors, size);
  // Two legend entries per layout wrap onto rows that cover the x-axis name; one scrolling row does not.
  return results.length > 1 ? { ...option, legend: { ...option.legend, type: 'scroll' } } : option;
}
