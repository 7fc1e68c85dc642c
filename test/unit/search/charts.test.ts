// The search charts are plain option objects that ECharts renders: drawn to SVG on the server
// (as `--html`/`--svg` do), with the frontier points labelled C·B and the switch points marked.

import { describe, expect, it } from 'vitest';
import * as echarts from 'echarts';
import { LIGHT_THEME } from '../../../server/src/engine/charts/theme';
import { crossoverChartOption, sweepChartOption } from '../../../server/src/engine/search/charts';
import { crossover } from '../../../server/src/engine/search/crossover';
import { sweep } from '../../../server/src/engine/search/sweep';
import { analyzed, readRepoFile } from './helpers';

function svgOf(option: object): string {
  const chart = echarts.init(null as unknown as HTMLElement, null, { renderer: 'svg', ssr: true, width: 800, height: 500 });
  chart.setOption(option as echarts.EChartsOption);
  const svg = chart.renderToSVGString();
  chart.dispose();
  return svg;
}

describe('search charts render', () => {
  const { analysis, layout } = analyzed(readRepoFile('examples/palm62b.shard'));
  const COLORS = ['#3a78c2', '#d9822b'];

  it('Fig. 1: two layouts, decode and prefill, labels on frontier points', () => {
    const results = [
      sweep(analysis, layout('low_latency_16'), { batches: [1, 16, 64], chips: [8, 16] }),
      sweep(analysis, layout('high_throughput_decode_8'), { batches: [64, 256], chips: [8] }),
    ];
    for (const phase of ['decode', 'prefill'] as const) {
      const option = sweepChartOption(results, phase, LIGHT_THEME, COLORS);
      const svg = svgOf(option);
      expect(svg).toContain('<svg');
      // Each label drawn names a frontier point's chips and batch (points of one chip count
      // with the same figures share one, `B1–64`); a label with no free place is left out.
      const first = results[0];
      const frontier = first.frontier[phase].map((i) => ({ chips: first.points[i].chips, batch: first.points[i][phase]!.batch }));
      const drawn = ((option as any).series[0]).data.filter((d: any) => d.label.show).map((d: any) => d.label.formatter as string);
      expect(drawn.length).toBeGreaterThan(0);
      for (const l of drawn) {
        expect(svg).toContain(l);
        const [, chips, lo, hi] = /^C(\d+) B(\d+)(?:–(\d+))?$/.exec(l)!;
        expect(frontier.some((f) => f.chips === Number(chips) && f.batch >= Number(lo) && f.batch <= Number(hi ?? lo))).toBe(true);
      }
    }
  });

  it('Fig. 3: the switch points are labelled', () => {
    const result = crossover(analysis, layout('low_latency_16'));
    const svg = svgOf(crossoverChartOption(result, LIGHT_THEME, COLORS));
    expect(result.switchPoints.length).toBeGreaterThan(0);
    for (const s of result.switchPoints) expect(svg).toContain(s.tokens.toLocaleString('en-US'));
  });
});
