import { describe, expect, it } from 'vitest';
import {
  buildLatencyCostChart,
  buildLayerTimeChart,
  buildMemoryChart,
  layerTimeByCategory,
} from '../../../server/src/engine/charts/options';
import { buildCharts } from '../../../server/src/engine/charts/registry';
import { compareTableRows } from '../../../server/src/engine/charts/table';
import { themeFromCssVariables, LIGHT_THEME } from '../../../server/src/engine/charts/theme';
import { GIB, sampleReport } from './reportFixture';

type AnySeries = { id?: string; name?: string; type?: string; stack?: string; data?: unknown[]; xAxisIndex?: number; markLine?: { data: { yAxis: number }[] } };
const seriesOf = (option: { series?: unknown }) => option.series as AnySeries[];

describe('layer time chart', () => {
  const option = buildLayerTimeChart(sampleReport());
  const series = seriesOf(option);
  const byId = Object.fromEntries(series.map((s) => [s.id, s.data as (number | string)[]]));
  // Bars run top to bottom in the file's order; a category axis on y counts from the bottom.
  const yAxes = option.yAxis as { data: string[] }[];
  const at = (name: string) => yAxes[0].data.indexOf(name);

  it('has one stacked bar series per category and phase and a total, over the costed layouts only', () => {
    expect(series.map((s) => s.id)).toEqual([
      'prefill-compute', 'prefill-memory', 'prefill-comm', 'prefill-total',
      'decode-compute', 'decode-memory', 'decode-comm', 'decode-total',
    ]);
    expect(new Set(series.map((s) => s.type))).toEqual(new Set(['bar']));
    expect(series.filter((s) => s.stack === 'prefill')).toHaveLength(3);
    expect(series.filter((s) => s.stack === 'decode').every((s) => s.xAxisIndex === 1)).toBe(true);
    expect(yAxes[0].data).toEqual(['high_throughput', 'low_latency']);
    // Named for the ops whose time they are: a memory-bound step computes too.
    expect(series.map((s) => s.name).slice(0, 3)).toEqual(['compute-bound', 'memory-bound', 'communication-bound']);
  });

  it('divides each op time, summed by its bound, by the tokens of one pass: batch × prompt in prefill, batch in decode', () => {
    // low_latency: prefill batch 1 × prompt 2048; decode batch 64.
    expect(byId['prefill-compute'][at('low_latency')]).toBeCloseTo(0.006 / 2048, 15);
    expect(byId['prefill-memory'][at('low_latency')]).toBeCloseTo(0.0005 / 2048, 15);
    expect(byId['prefill-comm'][at('low_latency')]).toBeCloseTo(0.001 / 2048, 15);
    expect(byId['decode-comm'][at('low_latency')]).toBeCloseTo(0.00005 / 64, 15);
    expect(byId['decode-memory'][at('low_latency')]).toBeCloseTo(0.00007 / 64, 15);
    // high_throughput: prefill 512 × 2048; decode 512.
    expect(byId['prefill-compute'][at('high_throughput')]).toBeCloseTo(0.6 / (512 * 2048), 15);
    expect(byId['prefill-comm'][at('high_throughput')]).toBeCloseTo(0.05 / (512 * 2048), 15);
    expect(byId['decode-memory'][at('high_throughput')]).toBeCloseTo(0.0001 / 512, 15);
  });

  it('draws no bar for a category with no time (not a minimum-height sliver)', () => {
    expect(byId['decode-compute'][at('low_latency')]).toBe('-');
    expect(byId['prefill-memory'][at('high_throughput')]).toBe('-');
  });

  it('ends every bar in its total, which adds up the parts', () => {
    for (const phase of ['prefill', 'decode']) {
      for (const name of ['low_latency', 'high_throughput']) {
        const parts = ['compute', 'memory', 'comm'].map((c) => byId[`${phase}-${c}`][at(name)]).map((v) => (typeof v === 'number' ? v : 0));
        expect(byId[`${phase}-total`][at(name)]).toBeCloseTo(parts[0] + parts[1] + parts[2], 15);
      }
    }
  });

  it('adds up to the layer time when nothing is overlapped', () => {
    const report = sampleReport();
    for (const layout of report.layouts.filter((l) => l.costed)) {
      for (const phase of [layout.prefill!, layout.decode!]) {
        const parts = layerTimeByCategory(phase);
        expect(parts.compute + parts.memory + parts.comm).toBeCloseTo(phase.layer.time_s!, 12);
      }
    }
  });
});

describe('memory chart', () => {
  const option = buildMemoryChart(sampleReport());
  const series = seriesOf(option);

  it('stacks weights, KV cache and activations per chip in bytes', () => {
    const byId = Object.fromEntries(series.map((s) => [s.id, s]));
    expect(byId.weights.data).toEqual([9 * GIB, 18 * GIB]);
    expect(byId.kv.data).toEqual([1 * GIB, 2 * GIB]);
    expect(byId.activations.data).toEqual([0.5 * GIB, 12 * GIB]);
    expect(['weights', 'kv', 'activations'].every((id) => byId[id].stack === 'memory')).toBe(true);
  });

  it('draws the HBM line at hbm_bytes', () => {
    const hbm = series.find((s) => s.id === 'hbm')!;
    expect(hbm.type).toBe('line');
    expect(hbm.data).toEqual([32 * GIB, 32 * GIB]);
    // One hardware for every layout: a mark line carries the capacity across the chart.
    expect(hbm.markLine!.data).toEqual([{ yAxis: 32 * GIB }]);
  });

  it('ticks the memory axis in round GiB (1, 2 or 5 times a power of ten), at most eight of them', async () => {
    const { memoryTickStep } = await import('../../../server/src/engine/charts/options');
    // 32 GiB / 5 GiB = 6.4 ticks (2 GiB would give 16); 80e9 B = 74.5 GiB: 10 GiB steps (7.5).
    expect(memoryTickStep(32 * GIB)).toBe(5 * GIB);
    expect(memoryTickStep(80e9)).toBe(10 * GIB);
    expect(memoryTickStep(3 * GIB)).toBe(GIB);
    // 141e9 B = 131 GiB: 20 GiB steps (6.6 of them).
    expect(memoryTickStep(141e9)).toBe(20 * GIB);
    const yAxis = buildMemoryChart(sampleReport()).yAxis as { interval: number; max: number; axisLabel: { formatter: (v: number) => string } };
    // The fixture's largest figure is 34 GiB (a layout that does not fit): 5 GiB ticks, labelled
    // in the units of every other memory figure, and the axis ends on the tick above it (35 GiB),
    // not on the figure itself.
    expect(yAxis.interval).toBe(5 * GIB);
    expect(yAxis.max).toBe(35 * GIB);
    expect(yAxis.axisLabel.formatter(35 * GIB)).toBe('35 GiB');
  });

  it('ends the memory axis on the tick above the largest figure, leaving room for the HBM line\'s label', async () => {
    const { memoryAxisRange } = await import('../../../server/src/engine/charts/options');
    // 32 GiB HBM on top: 5 GiB ticks, 32 / 5 = 6.4 → the 7th tick, 35 GiB.
    expect(memoryAxisRange(32 * GIB)).toEqual({ interval: 5 * GIB, max: 35 * GIB });
    // Exactly on a tick (40 GiB with 5 GiB steps, 8 of them): one more tick, so the line is not the frame.
    expect(memoryAxisRange(40 * GIB)).toEqual({ interval: 5 * GIB, max: 45 * GIB });
    // 80e9 B = 74.5 GiB: 10 GiB ticks up to 80 GiB.
    expect(memoryAxisRange(80e9)).toEqual({ interval: 10 * GIB, max: 80 * GIB });
  });

  it('drops the mark line when the layouts run on chips with different HBM', () => {
    const report = sampleReport();
    report.layouts[1].memory!.hbm_bytes = 80e9;
    const hbm = seriesOf(buildMemoryChart(report)).find((s) => s.id === 'hbm')!;
    expect(hbm.data).toEqual([32 * GIB, 80e9]);
    expect(hbm.markLine).toBeUndefined();
  });
});

describe('latency against cost chart', () => {
  it('plots each layout once per phase, decode at the chosen context', () => {
    const mean = seriesOf(buildLatencyCostChart(sampleReport()));
    expect(mean.map((s) => s.id)).toEqual(['prefill-points', 'decode-points']);
    const plotted = (s: AnySeries) => (s.data as { name: string; value: number[] }[]).map((p) => ({ name: p.name, value: p.value }));
    expect(plotted(mean[0])).toEqual([
      { name: 'low_latency', value: [0.29, 0.0072] },
      { name: 'high_throughput', value: [85.2, 0.0072] },
    ]);
    expect(plotted(mean[1])).toEqual([
      { name: 'low_latency', value: [0.0284, 0.0284] },
      { name: 'high_throughput', value: [0.0938, 0.0117] },
    ]);
    const last = seriesOf(buildLatencyCostChart(sampleReport(), { decodeContext: 'last' }));
    expect((last[1].data as { value: number[] }[]).map((p) => p.value[0])).toEqual([0.0301, 0.1]);
  });

  it('uses a log axis for prefill latencies that span orders of magnitude', () => {
    const option = buildLatencyCostChart(sampleReport());
    const xAxes = option.xAxis as { type: string }[];
    expect(xAxes[0].type).toBe('log');
    expect(xAxes[1].type).toBe('value');
  });
});

describe('all charts', () => {
  it('are built in display order and take their colours from the theme', () => {
    const theme = themeFromCssVariables((name) => (name === '--vscode-charts-blue' ? '#0000ff' : name === '--vscode-editor-foreground' ? '#eeeeee' : ''));
    expect(theme.category.compute).toBe('#0000ff');
    expect(theme.foreground).toBe('#eeeeee');
    expect(theme.hbmLine).toBe(LIGHT_THEME.hbmLine);
    const specs = buildCharts('compare', sampleReport(), { theme });
    expect(specs.map((s) => s.id)).toEqual(['latency-cost', 'layer-time', 'memory']);
    const compute = seriesOf(specs[1].option).find((s) => s.id === 'prefill-compute') as { itemStyle: { color: string } };
    expect(compute.itemStyle.color).toBe('#0000ff');
  });

  it('build empty charts from a report with nothing costed', () => {
    const report = { file: 'x.shard', layouts: [sampleReport().layouts[2]] };
    for (const spec of buildCharts('compare', report)) {
      for (const s of seriesOf(spec.option)) expect(s.data).toEqual([]);
    }
  });
});

describe('compare table rows', () => {
  it('formats every column and flags a layout that does not fit', () => {
    const rows = compareTableRows(sampleReport());
    expect(rows.map((r) => r.name)).toEqual(['low_latency', 'high_throughput', 'broken']);
    expect(rows[0].cells).toEqual({
      setup: 'palm540b · pod64',
      chips: '64',
      batch: '1 / 64',
      prefill: '290 ms',
      decode: '28.4 ms',
      mfu: '43% / 14%',
      cost: '7.2 / 28.4 chip-ms',
      memory: '10.5 GiB of 32 GiB',
      bound: 'compute / compute',
      // The figures this report has none of: their columns are not shown (compareColumns).
      kv_transfer: '—',
      all_to_all: '—',
      measured_prefill: '—',
      measured_decode: '—',
    });
    expect(rows[1].fits).toBe(false);
    expect(rows[1].cells.memory).toBe('34 GiB of 32 GiB (does not fit)');
    expect(rows[1].cells.bound).toBe('compute / memory');
    expect(rows[1].cells.batch).toBe('512 / 512');
    expect(rows[2].costed).toBe(false);
    expect(rows[2].cells.prefill).toBe('not costed: unknown mesh');
  });

  it('shows the last decode step when asked', () => {
    expect(compareTableRows(sampleReport(), { decodeContext: 'last' })[0].cells.decode).toBe('30.1 ms');
  });
});
