// Every chart shardlens draws, registered once: which view shows it, its headings, the size its
// SVG is drawn at, and its builder from the view's input to an ECharts option. The editor's
// webviews, the CLI's `--svg`/`--html` output and the tests all go through this table, so adding
// a chart is one entry here plus a test (CONTRIBUTING.md).

import type { EChartsOption } from 'echarts';
import type { CrossoverResult } from '../search/crossover';
import { crossoverChartOption, seriesColors, sweepChart } from '../search/charts';
import type { SweepResult } from '../search/sweep';
import { buildLatencyCostChart, buildLayerTimeChart, buildMemoryChart } from './options';
import { buildMeasuredChart, buildRequestTimeChart } from './compareCharts';
import { compareExtras } from './figures';
import { compareBasisNote, sweepBasisNote } from './basis';
import { buildLayerTimelineChart, buildShardingChart, buildStepTimelineChart } from '../sharding/charts';
import type { TileMap } from '../sharding/tiles';
import type { Timeline } from '../sharding/timeline';
import { LIGHT_THEME } from './theme';
import type { ChartBuildOptions, ChartReport } from './types';

/** What each view draws its charts from. */
export interface ChartInputs {
  /** Compare Layouts (`shardlens compare`): the slice of `report --json` the charts read. */
  compare: ChartReport;
  /** Show Sweep (`shardlens sweep --html`): one sweep per layout. */
  sweep: readonly SweepResult[];
  /** Show FFN Crossover (`shardlens crossover --svg`). */
  crossover: CrossoverResult;
  /** Show Sharding (`shardlens show --svg/--html`): where each chip's tile of one value lives. */
  sharding: TileMap;
  /** Step timeline (`shardlens timeline --svg/--html`): one layout and phase. */
  timeline: Timeline;
}

export type ChartView = keyof ChartInputs;

export interface ChartDefinition<V extends ChartView> {
  view: V;
  /** Heading of the chart: over its figure in `compare --html`, on its card in the editor. */
  title: string;
  /** The editor card's heading when it differs from `title`. */
  cardTitle?: string;
  /** Size the SVG export draws at; the webview sizes to its container instead. */
  width: number;
  height: number;
  build(input: ChartInputs[V], options: ChartBuildOptions): EChartsOption;
  /**
   * Whether the chart has anything to show for this input (default: always). A chart that does
   * not apply is left out everywhere: no card in the webview, no SVG, no section of the page.
   */
  applies?(input: ChartInputs[V]): boolean;
}

/** Ties each entry's builder to its view's input type. */
const chart = <V extends ChartView>(definition: ChartDefinition<V>): ChartDefinition<V> => definition;

/** The registry, each view's charts in display order. */
export const CHARTS = {
  // First: the one chart that answers "which layout", with the width of the view.
  'latency-cost': chart({
    view: 'compare',
    title: 'Latency against cost',
    cardTitle: 'Latency against cost (lower left is better)',
    width: 960,
    height: 420,
    build: buildLatencyCostChart,
  }),
  'layer-time': chart({
    view: 'compare',
    title: 'Time per layer per token, by what bounds each op',
    cardTitle: 'Time per layer per token, by what bounds each op',
    width: 860,
    height: 480,
    build: buildLayerTimeChart,
  }),
  memory: chart({ view: 'compare', title: 'Memory per chip against HBM', width: 860, height: 360, build: buildMemoryChart }),
  // Per-phase meshes: where a request's time goes, the KV-cache transfer between the pools its own segment.
  'request-time': chart({
    view: 'compare',
    title: 'Time per request: prefill, KV-cache transfer, decode',
    width: 860,
    height: 360,
    build: buildRequestTimeChart,
    applies: (report) => compareExtras(report).kvTransfer,
  }),
  // Layouts with `measured { }` results: each recorded time against its prediction.
  measured: chart({
    view: 'compare',
    title: 'Measured against predicted',
    cardTitle: 'Measured against predicted (on the line: the model is exact)',
    width: 720,
    height: 520,
    build: buildMeasuredChart,
    applies: (report) => compareExtras(report).measured,
  }),
  'sweep-decode': chart({
    view: 'sweep',
    title: 'Decode: cost against latency per generated token',
    width: 760,
    height: 480,
    build: (results, o) => sweepChart(results, 'decode', o.theme ?? LIGHT_THEME, o.size),
  }),
  'sweep-prefill': chart({
    view: 'sweep',
    title: 'Prefill: cost against latency',
    width: 760,
    height: 480,
    build: (results, o) => sweepChart(results, 'prefill', o.theme ?? LIGHT_THEME, o.size),
  }),
  crossover: chart({
    view: 'crossover',
    title: 'Communication volume per chip against tokens per batch',
    width: 760,
    height: 480,
    build: (result, o) => crossoverChartOption(result, o.theme ?? LIGHT_THEME, seriesColors(o.theme ?? LIGHT_THEME)),
  }),
  sharding: chart({ view: 'sharding', title: 'Tiles of one value on the mesh', width: 1040, height: 680, build: buildShardingChart }),
  timeline: chart({ view: 'timeline', title: 'One layer, op by op', width: 980, height: 640, build: buildLayerTimelineChart }),
  'timeline-step': chart({ view: 'timeline', title: 'The whole pass', width: 980, height: 300, build: buildStepTimelineChart }),
};

export type ChartId = keyof typeof CHARTS;

/** The ids of one view's charts. */
export type ChartIdOf<V extends ChartView> = { [Id in ChartId]: (typeof CHARTS)[Id]['view'] extends V ? Id : never }[ChartId];

/** A chart built for drawing: the registry entry's id, heading and size with its option. */
export interface ChartSpec<Id extends ChartId = ChartId> {
  id: Id;
  title: string;
  width: number;
  height: number;
  /** What the figures are (charts/basis.ts), for the heading's subtitle; absent where no time is drawn. */
  subtitle?: string;
  option: EChartsOption;
}

/** One view's chart ids, in display order. */
export function chartIdsOf<V extends ChartView>(view: V): ChartIdOf<V>[] {
  return (Object.keys(CHARTS) as ChartId[]).filter((id): id is ChartIdOf<V> => CHARTS[id].view === view);
}

/** The ids of the charts of a view that apply to this input, in display order. */
export function chartIdsFor<V extends ChartView>(view: V, input: ChartInputs[V]): ChartIdOf<V>[] {
  return chartIdsOf(view).filter((id) => {
    const definition = CHARTS[id] as ChartDefinition<ChartView> as ChartDefinition<V>;
    return definition.applies?.(input) ?? true;
  });
}

/** The heading of a chart's card in the editor. */
export function chartCardTitle(id: ChartId): string {
  const definition: ChartDefinition<ChartView> = CHARTS[id];
  return definition.cardTitle ?? definition.title;
}

/** Every chart of a view, built from the view's input, in display order. */
export function buildCharts<V extends ChartView>(view: V, input: ChartInputs[V], options: ChartBuildOptions = {}): ChartSpec<ChartIdOf<V>>[] {
  return chartIdsFor(view, input).map((id) => {
    // The filter above picked the entries of `view`, whose builders take `ChartInputs[V]`.
    const definition = CHARTS[id] as ChartDefinition<ChartView> as ChartDefinition<V>;
    const size = options.sizes?.[id] ?? { width: definition.width, height: definition.height };
    const subtitle = view === 'compare' ? compareBasisNote(input as ChartInputs['compare'])
      : view === 'sweep' ? sweepBasisNote(input as ChartInputs['sweep'])
      : view === 'timeline' ? `figures: ${(input as ChartInputs['timeline']).basis}` : undefined;
    return { id, title: definition.title, width: definition.width, height: definition.height, ...(subtitle ? { subtitle } : {}), option: definition.build(input, { ...options, size }) };
  });
}
