// The chart registry is the one list of charts: every entry builds a typed option from its view's
// input and draws to SVG at its registered size, and the front ends' chart lists come from it.
// A new chart is one registry entry; this test then covers it (its view's input is below).

import { describe, expect, it } from 'vitest';
import {
  buildCharts,
  chartCardTitle,
  chartIdsFor,
  chartIdsOf,
  CHARTS,
  renderChartsToSvg,
  renderComparePage,
  type ChartId,
  type ChartInputs,
  type ChartView,
} from '../../../server/src/engine/charts/index';
import { crossover } from '../../../server/src/engine/search/crossover';
import { sweep } from '../../../server/src/engine/search/sweep';
import { tileMap, timelineOf } from '../../../server/src/engine/sharding/index';
import { analyzed, readRepoFile } from '../search/helpers';
import { sampleReport, sampleReportWithExtras } from './reportFixture';

type ViewInputs = { [V in ChartView]: ChartInputs[V] };

/** One input per view: the compiler asks for a new one when a view is added. */
function inputs(): ViewInputs {
  const { analysis, layout } = analyzed(readRepoFile('examples/palm62b.shard'));
  return {
    // With a KV transfer and measured times, so that every compare chart applies.
    compare: sampleReportWithExtras(),
    sweep: [
      sweep(analysis, layout('low_latency_16'), { batches: [1, 16, 64], chips: [8, 16] }),
      sweep(analysis, layout('high_throughput_decode_8'), { batches: [64, 256], chips: [8] }),
    ],
    crossover: crossover(analysis, layout('low_latency_16')),
    sharding: tileMap(layout('low_latency_16'), 'decode', 'ffn.w_in'),
    timeline: timelineOf(layout('low_latency_16'), analysis.costOf(layout('low_latency_16')), 'decode'),
  };
}

const VIEWS = [...new Set(Object.values(CHARTS).map((c) => c.view))];
const IDS = Object.keys(CHARTS) as ChartId[];

const specsOf = <V extends ChartView>(view: V, input: ViewInputs) => buildCharts(view, input[view]);
const svgsOf = <V extends ChartView>(view: V, input: ViewInputs) => renderChartsToSvg(view, input[view]);

describe('chart registry', () => {
  const input = inputs();

  it('lists each view’s charts in display order', () => {
    expect(chartIdsOf('compare')).toEqual(['latency-cost', 'layer-time', 'memory', 'request-time', 'measured']);
    expect(chartIdsOf('sweep')).toEqual(['sweep-decode', 'sweep-prefill']);
    expect(chartIdsOf('crossover')).toEqual(['crossover']);
    expect(chartIdsOf('sharding')).toEqual(['sharding']);
    expect(chartIdsOf('timeline')).toEqual(['timeline', 'timeline-step']);
    expect(VIEWS.flatMap((v) => chartIdsOf(v))).toEqual(IDS);
  });

  it('builds every chart of every view with series from the input', () => {
    for (const view of VIEWS) {
      const specs = specsOf(view, input);
      expect(specs.map((s) => s.id)).toEqual(chartIdsOf(view));
      for (const spec of specs) {
        expect(spec.title, spec.id).toBe(CHARTS[spec.id].title);
        const series = spec.option.series as unknown[];
        expect(series.length, spec.id).toBeGreaterThan(0);
      }
    }
  });

  it('draws every chart to a standalone SVG at its registered size', () => {
    for (const view of VIEWS) {
      for (const chart of svgsOf(view, input)) {
        const { width, height } = CHARTS[chart.id];
        expect(chart.fileName).toBe(`${chart.id}.svg`);
        expect(chart.svg.startsWith('<svg'), chart.id).toBe(true);
        expect(chart.svg).toContain(`width="${width}" height="${height}"`);
      }
    }
  });

  it('gives every chart a heading for its card and page', () => {
    for (const id of IDS) expect(chartCardTitle(id).length, id).toBeGreaterThan(0);
    expect(chartCardTitle('memory')).toBe(CHARTS.memory.title);
    const html = renderComparePage(sampleReport());
    const headings = [...html.matchAll(/<h2>([^<]*)<\/h2>/g)].map((m) => m[1]);
    // The transfer and measured charts apply only to files with those figures.
    expect(headings).toEqual(chartIdsFor('compare', sampleReport()).map((id) => CHARTS[id].title));
    expect(chartIdsFor('compare', sampleReport())).toEqual(['latency-cost', 'layer-time', 'memory']);
    const full = renderComparePage(sampleReportWithExtras());
    expect([...full.matchAll(/<h2>([^<]*)<\/h2>/g)].map((m) => m[1])).toEqual(chartIdsOf('compare').map((id) => CHARTS[id].title));
  });

  it('draws one sweep in its phase colour and several on one scrolling legend', () => {
    const [one] = buildCharts('sweep', input.sweep.slice(0, 1));
    expect(one.option.legend).not.toHaveProperty('type');
    const [several] = buildCharts('sweep', input.sweep);
    expect(several.option.legend).toHaveProperty('type', 'scroll');
  });
});
