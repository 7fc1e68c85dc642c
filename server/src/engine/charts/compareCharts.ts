// The Compare Layouts charts of figures only some files have (registered in ./registry.ts with
// `applies`): where a request's time goes when prefill and decode run on meshes of their own (the
// KV-cache transfer between them as its own segment), and each recorded `measured { }` time
// against its prediction. Values stay in SI units, as in ./options.ts.

import type { EChartsOption, SeriesOption } from 'echarts';
import { formatSeconds } from '../report/format';
import { formatRatio, kvTransferOf, measuredPoints, type MeasuredPoint } from './figures';
import {
  base,
  categoryAxis,
  costedLayouts,
  LABEL_LINE_PIXELS,
  legend,
  MIN_BAR_PIXELS,
  placeLabels,
  type Box,
  scatterAxis,
  scatterTooltip,
  tooltip,
  valueAxis,
  type ScatterPoint,
} from './options';
import { LIGHT_THEME } from './theme';
import type { ChartBuildOptions, ChartReport, PhaseName } from './types';

const num = (x: number | null | undefined): number => (typeof x === 'number' && Number.isFinite(x) ? x : 0);

/** The parts of a request's time, in the order they happen. */
export const REQUEST_PARTS = ['prefill', 'kv_transfer', 'decode'] as const;
export type RequestPart = (typeof REQUEST_PARTS)[number];
export const REQUEST_PART_LABEL: Record<RequestPart, string> = { prefill: 'prefill', kv_transfer: 'KV-cache transfer', decode: 'decode (all tokens)' };

/**
 * One bar per costed layout: its prefill, the KV-cache transfer from the prefill chips to the
 * decode chips (per-phase meshes; no segment with one mesh) and its whole decode, stacked to the
 * total latency `report` prints. The transfer is usually a small part of the bar, so its segment
 * is never drawn thinner than a few pixels and carries its time as a label.
 */
export function buildRequestTimeChart(report: ChartReport, opts: ChartBuildOptions = {}): EChartsOption {
  const theme = opts.theme ?? LIGHT_THEME;
  // Top to bottom in the file's order: a category axis on y counts from the bottom.
  const layouts = costedLayouts(report).reverse();
  const value: Record<RequestPart, (l: (typeof layouts)[number]) => number | null> = {
    prefill: (l) => num(l.prefill.latency_s),
    kv_transfer: (l) => kvTransferOf(l)?.time_s ?? null,
    decode: (l) => num(l.decode.latency_s),
  };
  const colour: Record<RequestPart, string> = { prefill: theme.phase.prefill, kv_transfer: theme.kvCache, decode: theme.phase.decode };
  const series: SeriesOption[] = REQUEST_PARTS.map((part) => ({
    type: 'bar',
    id: part,
    name: REQUEST_PART_LABEL[part],
    stack: 'request',
    barMaxWidth: 28,
    barMinHeight: MIN_BAR_PIXELS,
    itemStyle: { color: colour[part] },
    emphasis: { focus: 'series' },
    // The transfer's time over its segment: the segment alone is too thin to read.
    ...(part === 'kv_transfer'
      ? { label: { show: true, position: 'top' as const, color: theme.foreground, formatter: (p: { value?: unknown }) => (typeof p.value === 'number' ? `transfer ${formatSeconds(p.value)}` : '') } }
      : {}),
    data: layouts.map((l) => {
      const v = value[part](l);
      return v !== null && v > 0 ? v : '-';
    }),
  }));
  series.push({
    type: 'bar',
    id: 'total',
    name: 'total',
    barMaxWidth: 28,
    barGap: '-100%',
    silent: true,
    itemStyle: { color: 'transparent' },
    label: { show: true, position: 'right', color: theme.foreground, formatter: (p: { value?: unknown }) => (typeof p.value === 'number' ? formatSeconds(p.value) : '') },
    data: layouts.map((l) => num(l.total_latency_s) || num(l.prefill.latency_s) + num(kvTransferOf(l)?.time_s) + num(l.decode.latency_s)),
  });
  return {
    ...base(theme, opts),
    legend: { ...legend(theme), data: REQUEST_PARTS.map((p) => REQUEST_PART_LABEL[p]) },
    tooltip: tooltip(theme, 'axis', formatSeconds),
    grid: { left: 24, right: 72, top: 40, bottom: 24, containLabel: true },
    xAxis: valueAxis(theme, '', formatSeconds),
    yAxis: categoryAxis(theme, layouts.map((l) => l.name), {}, false),
    series,
  };
}

const IDENTITY = 'y = x (measured = predicted)';

/** The size of the measured chart's grid (margins as in its `grid`) in a chart of `size`. */
function measuredGridSize(size: { width: number; height: number } = { width: 720, height: 520 }): { width: number; height: number } {
  return { width: Math.max(80, size.width - 72 - 40), height: Math.max(80, size.height - 56 - 64) };
}

/**
 * Each recorded time against its prediction, one point per layout and phase measured (prefill:
 * the whole prefill; decode: all generated tokens, as `report` compares them), on one scale for
 * both axes with the line y = x: a point above the line ran slower than the model says. Layouts
 * without `measured { }` are not drawn. Labels name the layout and measured ÷ predicted.
 */
export function buildMeasuredChart(report: ChartReport, opts: ChartBuildOptions = {}): EChartsOption {
  const theme = opts.theme ?? LIGHT_THEME;
  const measured = costedLayouts(report).flatMap(measuredPoints);
  // One scale for both axes, so that y = x is the diagonal of the grid.
  const axis = scatterAxis(measured.flatMap((p) => [p.predicted_s, p.measured_s]));
  const points: (ScatterPoint & { source: MeasuredPoint })[] = measured.map((p) => ({ name: `${p.layout} ${formatRatio(p.ratio)}`, value: [p.predicted_s, p.measured_s], source: p }));
  // Labels are placed over both phases at once; a placed point keeps its first point's value
  // array, which says which phase's series it belongs to.
  const phaseOf = new Map(points.map((p) => [p.value, p.source.phase]));
  // Labels keep off the line y = x, which runs corner to corner of the grid (one scale for both
  // axes): a box crosses it when its corners lie on both sides.
  const grid = measuredGridSize(opts.size);
  const side = (x: number, y: number) => Math.sign(grid.height - y - (x * grid.height) / grid.width);
  const crossesDiagonal = (b: Box) => new Set([side(b.left, b.top), side(b.right, b.top), side(b.left, b.bottom), side(b.right, b.bottom)]).size > 1;
  const placed = placeLabels(points, axis, axis, grid, crossesDiagonal);
  const phases: PhaseName[] = ['prefill', 'decode'];
  const series: SeriesOption[] = phases
    .filter((phase) => placed.some((p) => phaseOf.get(p.value) === phase))
    .map((phase) => ({
      type: 'scatter',
      id: `${phase}-measured`,
      name: phase,
      symbolSize: 12,
      itemStyle: { color: theme.phase[phase] },
      label: { show: true, position: 'top', color: theme.foreground, lineHeight: LABEL_LINE_PIXELS, formatter: (p: { name?: string }) => p.name ?? '' },
      labelLayout: { moveOverlap: 'shiftY' },
      data: placed.filter((p) => phaseOf.get(p.value) === phase),
    }));
  series.push({
    type: 'line',
    id: 'identity',
    name: IDENTITY,
    silent: true,
    symbol: 'none',
    lineStyle: { color: theme.mutedForeground, type: 'dashed', width: 1.5 },
    itemStyle: { color: theme.mutedForeground },
    data: [
      [axis.min, axis.min],
      [axis.max, axis.max],
    ],
  });
  const seconds = (name: string, extra: Record<string, unknown>) =>
    valueAxis(theme, name, formatSeconds, { ...axis, nameLocation: 'middle', ...extra, axisLabel: { color: theme.foreground, formatter: (v: number) => formatSeconds(v), hideOverlap: true } });
  const drawnPhases = series.filter((x) => x.type === 'scatter').map((x) => String(x.name));
  return {
    ...base(theme, opts),
    // The line's legend icon a dash, not the point ECharts draws on a line series' icon.
    legend: { ...legend(theme), data: [...drawnPhases, { name: IDENTITY, icon: 'path://M0 0h5v1H0zM8 0h5v1H8zM16 0h5v1h-5z' }] },
    tooltip: scatterTooltip(theme, (predicted, got) => `predicted ${formatSeconds(predicted)}\nmeasured ${formatSeconds(got)}`),
    grid: { left: 72, right: 40, top: 56, bottom: 64 },
    xAxis: seconds('predicted', { nameGap: 30 }),
    yAxis: seconds('measured', { nameGap: 56 }),
    series,
  };
}
