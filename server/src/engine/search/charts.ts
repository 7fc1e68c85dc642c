// ECharts options for the search views, in the style of ../charts: plain option objects (no
// functions, so they serialise to the webview and render to SVG on the server), colours passed
// in. Registered, with the compare charts, in ../charts/registry.ts. Two charts:
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
import { volumeAt } from './crossover';
import type { SweepResult } from './sweep';

function baseOption(theme: ChartTheme, title: string): EChartsOption & { legend: LegendComponentOption } {
  return {
    backgroundColor: theme.background,
    textStyle: { color: theme.foreground, fontFamily: theme.fontFamily },
    title: { text: title, left: 'center', textStyle: { color: theme.foreground, fontSize: 14 } },
    legend: { bottom: 4, textStyle: { color: theme.foreground }, inactiveColor: theme.mutedForeground },
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

/**
 * Pope Fig. 1 for one phase. x: latency (decode: ms per generated token; prefill: s), y: cost
 * in chip-ms per token. Points that do not fit in memory are left out.
 */
export function sweepChartOption(results: readonly SweepResult[], phase: Phase, theme: ChartTheme, colors: readonly string[]): EChartsOption & { legend: LegendComponentOption } {
  const series: (ScatterSeriesOption | LineSeriesOption)[] = [];
  const decode = phase === 'decode';
  const xOf = (latency: number) => (decode ? latency * 1e3 : latency);
  results.forEach((r, k) => {
    const color = colors[k % Math.max(1, colors.length)] ?? theme.foreground;
    const data = r.points.flatMap((pt) => {
      const p = pt[phase];
      if (!p || !p.fits) return [];
      const label = `C${pt.chips} B${pt.batch}`;
      const tooltip = `${label} · ${p.mesh} · ${decode ? `${formatSeconds(p.latency_s)} per token` : formatSeconds(p.latency_s)} · ${sig(p.cost_chip_s_per_token * 1e3)} chip-ms/token · MFU ${formatPercent(p.mfu)} · ${p.bound}-bound${p.onFrontier ? ' · on the frontier' : ''}`;
      return [{
        name: tooltip,
        value: [xOf(p.latency_s), p.cost_chip_s_per_token * 1e3],
        label: { show: p.onFrontier, formatter: label, position: 'top' as const, color: theme.foreground, fontSize: 10 },
        itemStyle: { opacity: p.onFrontier ? 1 : 0.45 },
      }];
    });
    series.push({ name: r.layout, type: 'scatter', symbolSize: 7, itemStyle: { color }, data, tooltip: { formatter: '{a}<br/>{b}' } });
    const front = r.frontier[phase].map((i) => {
      const p = r.points[i][phase]!;
      return [xOf(p.latency_s), p.cost_chip_s_per_token * 1e3];
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
  });
  return {
    ...baseOption(theme, decode ? 'Decode: cost vs latency per generated token' : 'Prefill: cost vs latency'),
    tooltip: { trigger: 'item', backgroundColor: theme.background, borderColor: theme.gridLine, textStyle: { color: theme.foreground } },
    xAxis: logAxis(theme, decode ? 'latency per generated token (ms)' : 'prefill latency (s)'),
    yAxis: logAxis(theme, 'cost (chip-ms per token)', 48),
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
  const smallest = Math.min(...result.lines.flatMap((l) => [volumeAt(l, lo), volumeAt(l, hi)]).filter((v) => v > 0), 1e9);
  const [unit, scale] = BYTE_UNITS.find(([, k]) => k <= 1e9 && smallest / k >= 0.01) ?? ['B', 1];
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
  series.push({
    name: 'min volume',
    type: 'line',
    symbol: 'none',
    lineStyle: { color: theme.foreground, width: 2, type: 'dashed' },
    itemStyle: { color: theme.foreground },
    data: envelopeData,
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
  return {
    ...baseOption(theme, `FFN communication volume per chip, ${result.model} (${result.ffnKind}) on ${result.mesh}`),
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
export function sweepChart(results: readonly SweepResult[], phase: Phase, theme: ChartTheme): EChartsOption {
  const colors = results.length === 1 ? [theme.phase[phase]] : seriesColors(theme);
  const option = sweepChartOption(results, phase, theme, colors);
  // Two legend entries per layout wrap onto rows that cover the x-axis name; one scrolling row does not.
  return results.length > 1 ? { ...option, legend: { ...option.legend, type: 'scroll' } } : option;
}
