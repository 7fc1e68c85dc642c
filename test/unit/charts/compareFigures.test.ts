// The compare view's figures beyond the headline numbers, from real example files through the
// engine: the KV-cache transfer between per-phase meshes (palm62b: Pope Table 3 prefilled on 32
// chips and decoded on 8), all-to-all as its own part of communication (mixtral_8x22b's experts
// across two nodes) and `measured { }` results beside the prediction (palm62b records the paper's
// Table 3 times). Each is checked against the `report --json` figure it shows, and the charts'
// SVG is parsed to see the points where their numbers say.

import { describe, expect, it } from 'vitest';
import { Window } from 'happy-dom';
import { buildReport, type JsonLayout, type ReportJson } from '../../../server/src/engine/report/json';
import { renderCompare } from '../../../server/src/engine/report/text';
import { formatBytes, formatPercent, formatSeconds, sig } from '../../../server/src/engine/report/format';
import {
  buildCharts,
  buildLayerTimeChart,
  chartIdsFor,
  compareColumns,
  compareTableRows,
  layerTimeByCategory,
  measuredPoints,
  renderChartsToSvg,
  renderComparePage,
  type ChartReport,
} from '../../../server/src/engine/charts/index';
import { buildMeasuredChart, buildRequestTimeChart } from '../../../server/src/engine/charts/compareCharts';
import { analyzed, readRepoFile } from '../search/helpers';
import { sampleReport } from './reportFixture';

type AnySeries = { id?: string; type?: string; data?: unknown[] };
const seriesOf = (option: { series?: unknown }) => option.series as AnySeries[];

function reportOf(path: string): ReportJson {
  const { analysis } = analyzed(readRepoFile(path), path);
  return buildReport(analysis);
}
const entry = (r: ReportJson, name: string): JsonLayout => r.layouts.find((l) => l.name === name)!;

const palm = reportOf('examples/palm62b.shard');
const mixtral = reportOf('examples/mixtral_8x22b.shard');

describe('KV-cache transfer between per-phase meshes (palm62b high_throughput)', () => {
  const hp = entry(palm, 'high_throughput');
  const t = hp.kv_transfer!;

  it('is the cache of 512 prompts of 2048 tokens: 2 (K and V) · 64 layers · 1 head · 256 · 2 B a token', () => {
    // PaLM 62B is multiquery (one K/V head of 256) with 64 layers, cache in bf16.
    expect(t.bytes).toBe(2 * 64 * 1 * 256 * 2 * 2048 * 512);
    expect(t.link).toBe('ICI');
  });

  it('has its own column in the terminal table, the webview’s and the HTML page, equal to report’s kv_transfer', () => {
    const cell = `${formatSeconds(t.time_s)} (${formatBytes(t.bytes)}, ICI)`;
    expect(compareColumns(palm).map((c) => c.key)).toContain('kv_transfer');
    const rows = compareTableRows(palm);
    expect(rows.find((r) => r.name === 'high_throughput')!.cells.kv_transfer).toBe(cell);
    // One mesh: no transfer.
    expect(rows.find((r) => r.name === 'low_latency_16')!.cells.kv_transfer).toBe('—');
    const text = renderCompare(palm).split('\n');
    expect(text[0]).toContain('KV transfer');
    expect(text.find((l) => l.startsWith('high_throughput '))).toContain(cell);
    const html = renderComparePage(palm);
    expect(html).toContain('>KV transfer</th>');
    expect(html).toContain(`<td>${cell}</td>`);
  });

  it('is the middle segment of the request-time chart, which adds up to the total latency', () => {
    const option = buildRequestTimeChart(palm);
    const byId = Object.fromEntries(seriesOf(option).map((s) => [s.id, s.data as (number | string)[]]));
    const names = (option.yAxis as { data: string[] }).data;
    const at = names.indexOf('high_throughput');
    expect(byId.kv_transfer[at]).toBe(t.time_s);
    expect(byId.prefill[at]).toBe(hp.prefill!.latency_s);
    expect(byId.decode[at]).toBe(hp.decode!.latency_s);
    expect(byId.total[at]).toBeCloseTo(hp.prefill!.latency_s + t.time_s + hp.decode!.latency_s, 9);
    expect(byId.total[at]).toBeCloseTo(hp.total_latency_s!, 9);
    expect(byId.kv_transfer[names.indexOf('low_latency_16')]).toBe('-');
  });

  it('draws the request-time chart only for a file with per-phase meshes', () => {
    expect(chartIdsFor('compare', palm)).toContain('request-time');
    expect(chartIdsFor('compare', mixtral)).not.toContain('request-time');
    expect(buildCharts('compare', mixtral).map((c) => c.id)).toEqual(['latency-cost', 'layer-time', 'memory']);
  });
});

describe('all-to-all as its own part of communication (mixtral_8x22b experts_across_nodes)', () => {
  const l = entry(mixtral, 'experts_across_nodes');
  const option = buildLayerTimeChart(mixtral);
  const byId = Object.fromEntries(seriesOf(option).map((s) => [s.id, s.data as (number | string)[]]));
  const at = (option.yAxis as { data: string[] }[])[0].data.indexOf('experts_across_nodes');
  const allToAllOps = (phase: 'prefill' | 'decode') => l[phase]!.layer.ops.filter((o) => o.op === 'all_to_all').reduce((s, o) => s + o.time_s, 0);

  it('is a segment of the layer-time bars: the layer’s all_to_all time per token, taken out of communication', () => {
    // Prefill: 32 sequences × 2048 tokens per pass; Mixtral 8x22B has 56 layers (config.json
    // num_hidden_layers), all alike, so 56 layers of the segment are report's all_to_all_s but
    // for the unembedding's own all-to-all, once per pass (under 0.01% of it here).
    const prefillTokens = 32 * 2048;
    expect(byId['prefill-all_to_all'][at] as number).toBeCloseTo(allToAllOps('prefill') / prefillTokens, 18);
    const layers = (byId['prefill-all_to_all'][at] as number) * prefillTokens * 56;
    expect(layers).toBeLessThanOrEqual(l.prefill!.all_to_all_s);
    expect(layers / l.prefill!.all_to_all_s).toBeCloseTo(1, 4);
    // Decode: one step generates 32 tokens.
    expect(byId['decode-all_to_all'][at] as number).toBeCloseTo(allToAllOps('decode') / 32, 18);
    // The communication segment keeps the rest: together they are the comm-bound ops' time.
    const comm = layerTimeByCategory(l.prefill!).comm / prefillTokens;
    expect((byId['prefill-comm'][at] as number) + (byId['prefill-all_to_all'][at] as number)).toBeCloseTo(comm, 18);
    // A layout without expert parallelism has no all-to-all segment.
    const dense = (option.yAxis as { data: string[] }[])[0].data.indexOf('one_expert_per_gpu');
    expect(byId['prefill-all_to_all'][dense]).toBe('-');
    expect((option.legend as { data: string[] }).data).toContain('all-to-all');
  });

  it('is a column of compare equal to report’s all_to_all_s (whole prefill / one decode step)', () => {
    const cell = `${formatSeconds(l.prefill!.all_to_all_s)} / ${formatSeconds(l.decode!.all_to_all_s)}`;
    expect(compareTableRows(mixtral).find((r) => r.name === 'experts_across_nodes')!.cells.all_to_all).toBe(cell);
    const text = renderCompare(mixtral).split('\n');
    expect(text[0]).toContain('all-to-all p / d');
    expect(text.find((x) => x.startsWith('experts_across_nodes'))).toContain(cell);
    expect(text.find((x) => x.startsWith('one_expert_per_gpu '))!.trimEnd().endsWith('—')).toBe(true);
  });

  it('leaves the chart’s bars as they were for a file without all-to-all', () => {
    expect(seriesOf(buildLayerTimeChart(sampleReport())).map((s) => s.id)).not.toContain('prefill-all_to_all');
    expect(compareColumns(sampleReport()).map((c) => c.key)).not.toContain('all_to_all');
  });
});

describe('measured beside predicted (palm62b, the paper’s Table 3 times)', () => {
  const hp = entry(palm, 'high_throughput');

  it('shows each measured time with measured ÷ predicted and the measured MFU in compare', () => {
    const prefillRatio = 20.2 / hp.prefill!.latency_s;
    const decodeRatio = 5.1 / hp.decode!.latency_s;
    const row = compareTableRows(palm).find((r) => r.name === 'high_throughput')!;
    expect(row.cells.measured_prefill).toBe(`${formatSeconds(20.2)} (${sig(prefillRatio, 2)}×) MFU ${formatPercent(0.73)}`);
    expect(row.cells.measured_decode).toBe(`${formatSeconds(5.1)} (${sig(decodeRatio, 2)}×) MFU ${formatPercent(0.37)}`);
    // A layout that records only its decode has no prefill cell.
    expect(compareTableRows(palm).find((r) => r.name === 'high_throughput_decode_8')!.cells.measured_prefill).toBe('—');
    const text = renderCompare(palm);
    expect(text.split('\n')[0]).toContain('measured prefill');
    expect(text.split('\n').find((x) => x.startsWith('high_throughput '))).toContain(`${formatSeconds(5.1)} (${sig(decodeRatio, 2)}×)`);
  });

  it('compares decode_step × generated tokens with the whole decode', () => {
    const report: ChartReport = sampleReport();
    const low = report.layouts[0];
    low.decode!.workload = { batch: 64, prompt: 2048, generate: 64 };
    low.measured = { decode_step_s: 0.05 };
    const [point] = measuredPoints(low);
    expect(point.phase).toBe('decode');
    expect(point.measured_s).toBeCloseTo(0.05 * 64, 12);
    expect(point.ratio).toBeCloseTo((0.05 * 64) / 1.82, 12);
  });

  it('plots one point per measured layout and phase against the line y = x (SVG parsed)', () => {
    const expected = palm.layouts.flatMap((l) => {
      const m = l.measured;
      if (!m) return [];
      const out: { phase: string; predicted: number; measured: number }[] = [];
      if (m.prefill_s !== undefined) out.push({ phase: 'prefill', predicted: l.prefill!.latency_s, measured: m.prefill_s });
      if (m.decode_s !== undefined) out.push({ phase: 'decode', predicted: l.decode!.latency_s, measured: m.decode_s });
      return out;
    });
    expect(expected).toHaveLength(6);
    // Layouts with the same figures (high_throughput_prefill_32 and high_throughput prefill) are one point.
    const distinct = new Map(expected.map((e) => [`${e.phase}|${e.predicted}|${e.measured}`, e]));
    const svg = renderChartsToSvg('compare', palm).find((c) => c.id === 'measured')!.svg;
    const window = new Window();
    const doc = new window.DOMParser().parseFromString(svg.replace(/<!\[CDATA\[[\s\S]*?\]\]>/g, ''), 'image/svg+xml');
    const paths = [...doc.getElementsByTagName('path')];
    const symbols = paths.filter((p) => p.getAttribute('ecmeta_ssr_type') === 'chart' && p.getAttribute('d')!.startsWith('M1 0A1 1'));
    expect(symbols).toHaveLength(distinct.size);
    // The dashed line runs corner to corner of the plot: from (min, min) to (max, max) of one scale.
    const line = paths.find((p) => p.getAttribute('stroke-dasharray') && p.getAttribute('ecmeta_ssr_type') !== 'legend' && /^M[\d.]+ [\d.]+L[\d.]+ [\d.]+$/.test(p.getAttribute('d')!))!;
    const [x0, y0, x1, y1] = line.getAttribute('d')!.match(/[\d.]+/g)!.map(Number);
    expect(x1).toBeGreaterThan(x0);
    expect(y1).toBeLessThan(y0);
    // The axes' decades: the ticks at the ends are the line's ends.
    const all = expected.flatMap((e) => [e.predicted, e.measured]);
    const lo = Math.log10(10 ** Math.floor(Math.log10(Math.min(...all))));
    const hi = Math.log10(10 ** Math.ceil(Math.log10(Math.max(...all))));
    const px = (v: number) => x0 + ((Math.log10(v) - lo) / (hi - lo)) * (x1 - x0);
    const py = (v: number) => y0 - ((Math.log10(v) - lo) / (hi - lo)) * (y0 - y1);
    const drawn = symbols.map((s) => s.getAttribute('transform')!.match(/[-\d.]+/g)!.map(Number).slice(4, 6));
    for (const e of distinct.values()) {
      expect(drawn.some(([x, y]) => Math.abs(x - px(e.predicted)) < 1 && Math.abs(y - py(e.measured)) < 1), `${e.phase} ${e.predicted}`).toBe(true);
      // Slower than predicted: above the line.
      expect(py(e.measured)).toBeLessThan(py(e.predicted));
    }
    // Every measured layout is named, with its ratio.
    const texts = [...doc.getElementsByTagName('text')].map((t) => t.textContent);
    for (const name of ['low_latency_16', 'high_throughput_prefill_32', 'high_throughput_decode_8', 'high_throughput']) expect(texts.some((t) => t?.startsWith(`${name} `))).toBe(true);
    expect(texts).toContain('y = x (measured = predicted)');
  });

  it('leaves out layouts without measurements, and the chart from a file with none', () => {
    // Of the sample's two costed layouts only high_throughput records a time.
    const report = sampleReport();
    report.layouts[1].measured = { prefill_s: 100, ratio: { prefill: 100 / 85.2 } };
    const points = seriesOf(buildMeasuredChart(report)).filter((s) => s.type === 'scatter').flatMap((s) => s.data as { name: string; value: number[] }[]);
    expect(points).toEqual([expect.objectContaining({ name: `high_throughput ${sig(100 / 85.2, 2)}×`, value: [85.2, 100] })]);
    expect(chartIdsFor('compare', report)).toContain('measured');
    expect(chartIdsFor('compare', sampleReport())).not.toContain('measured');
    expect(chartIdsFor('compare', mixtral)).not.toContain('measured');
    expect(compareColumns(mixtral).map((c) => c.key)).not.toContain('measured_prefill');
    expect(renderComparePage(mixtral)).not.toContain('Measured against predicted');
    expect(renderComparePage(palm)).toContain('<h2>Measured against predicted</h2>');
  });
});
