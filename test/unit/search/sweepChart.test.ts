// The sweep chart (Pope Fig. 1) as the editor and `sweep --html` draw it, for PaLM 540B's
// low_latency layout of examples/palm540b.shard swept over 32–128 chips: the tooltip is confined
// to the chart, no two labels overlap in the rendered SVG, the layout as declared is marked where
// the sweep's own point for its chips and batch lies, log axes carry a tick at 2…9 of each
// decade, points of a kept batch are drawn once, and the chart has no title of its own.

import { describe, expect, it } from 'vitest';
import * as echarts from 'echarts';
import { LIGHT_THEME } from '../../../server/src/engine/charts/theme';
import { buildCharts } from '../../../server/src/engine/charts/registry';
import { sweepChartOption } from '../../../server/src/engine/search/charts';
import { sweep } from '../../../server/src/engine/search/sweep';
import { renderSweepText } from '../../../server/src/engine/search/sweepRender';
import { renderChartsToSvg } from '../../../server/src/engine/charts/svg';
import { renderSweepPage } from '../../../server/src/cli/search';
import { analyzed, readRepoFile } from './helpers';

const { analysis, layout } = analyzed(readRepoFile('examples/palm540b.shard'));
const result = sweep(analysis, layout('low_latency'), { chips: [32, 64, 128] });
const SIZE = { width: 760, height: 480 };

function svgOf(option: object, size = SIZE): string {
  const chart = echarts.init(null as unknown as HTMLElement, null, { renderer: 'svg', ssr: true, ...size });
  chart.setOption(option as echarts.EChartsOption);
  const svg = chart.renderToSVGString();
  chart.dispose();
  return svg;
}

interface Label { text: string; left: number; right: number; top: number; bottom: number }

/** The labels drawn at 10 px (the sweep's label size), with a box from their anchor and length. */
function labelsOf(svg: string): Label[] {
  const out: Label[] = [];
  for (const m of svg.matchAll(/<text([^>]*)>([^<]*)<\/text>/g)) {
    const attrs = m[1];
    if (!/font-size:10px/.test(attrs)) continue;
    const t = /transform="(?:matrix\([^)]*?([-\d.e]+) ([-\d.e]+)\)|translate\(([-\d.e]+) ([-\d.e]+)\))"/.exec(attrs);
    if (!t) continue;
    const x = Number(t[1] ?? t[3]);
    const y = Number(t[2] ?? t[4]);
    // 10 px DejaVu/Arial digits and capitals are at most 6.2 px wide; a line is 10 px high.
    const width = m[2].length * 5.6;
    const anchor = /text-anchor="(start|middle|end)"/.exec(attrs)?.[1] ?? 'start';
    const left = anchor === 'middle' ? x - width / 2 : anchor === 'end' ? x - width : x;
    const baseline = /dominant-baseline="central"/.test(attrs) ? y - 5 : y - 9;
    out.push({ text: m[2], left, right: left + width, top: baseline, bottom: baseline + 10 });
  }
  return out;
}

describe('sweep chart', () => {
  it('confines its tooltip to the chart and draws no title of its own', () => {
    for (const phase of ['decode', 'prefill'] as const) {
      const option = sweepChartOption([result], phase, LIGHT_THEME, ['#3a78c2']) as any;
      expect(option.tooltip.confine).toBe(true);
      expect(option.title.show).toBe(false);
      expect(JSON.parse(JSON.stringify(option))).toEqual(option);
    }
    // The page and the card take the heading from the registry, once.
    const specs = buildCharts('sweep', [result]);
    expect(specs.map((s) => s.title)).toEqual(['Decode: cost against latency per generated token', 'Prefill: cost against latency']);
  });

  it('labels frontier points and the layout as declared without two labels overlapping', () => {
    for (const phase of ['decode', 'prefill'] as const) {
      const labels = labelsOf(svgOf(sweepChartOption([result], phase, LIGHT_THEME, ['#3a78c2'], SIZE)));
      expect(labels.some((l) => l.text === 'as declared')).toBe(true);
      expect(labels.filter((l) => /^C\d+ B/.test(l.text)).length).toBeGreaterThan(0);
      for (let i = 0; i < labels.length; i++) {
        for (let j = i + 1; j < labels.length; j++) {
          const a = labels[i];
          const b = labels[j];
          const apart = a.right <= b.left || b.right <= a.left || a.bottom <= b.top || b.bottom <= a.top;
          expect(apart, `${a.text} overlaps ${b.text}`).toBe(true);
        }
      }
    }
  });

  it('marks the layout as declared where the sweep has its chips, batch and mesh', () => {
    // low_latency: 64 chips as 4x4x4 (pod64), decode batch 64, prefill batch 1 (its own).
    expect(result.current.decode).toMatchObject({ chips: 64, batch: 64, mesh: '4x4x4' });
    expect(result.current.prefill).toMatchObject({ chips: 64, batch: 1, mesh: '4x4x4' });
    const own = result.points.find((p) => p.chips === 64 && p.batch === 64)!;
    expect(own.decode!.mesh).toBe('4x4x4');
    expect(result.current.decode.latency_s).toBeCloseTo(own.decode!.latency_s, 12);
    expect(result.current.decode.cost_chip_s_per_token).toBeCloseTo(own.decode!.cost_chip_s_per_token, 12);
    const option = sweepChartOption([result], 'decode', LIGHT_THEME, ['#3a78c2']) as any;
    const mark = option.series.find((s: any) => s.name === 'low_latency as declared');
    expect(mark.symbol).toBe('diamond');
    expect(mark.data[0].value).toEqual([own.decode!.latency_s * 1e3, own.decode!.cost_chip_s_per_token * 1e3]);
  });

  it('puts a tick at 2…9 of each decade on both log axes, the axes running decade to decade', () => {
    const option = sweepChartOption([result], 'decode', LIGHT_THEME, ['#3a78c2']) as any;
    const xs = result.points.flatMap((p) => (p.decode?.fits ? [p.decode.latency_s * 1e3] : []));
    for (const axis of [option.xAxis, option.yAxis]) {
      expect(axis.type).toBe('log');
      expect(axis.minorTick).toMatchObject({ show: true, splitNumber: 9 });
      expect(Number.isInteger(Math.log10(axis.min))).toBe(true);
      expect(Number.isInteger(Math.log10(axis.max))).toBe(true);
    }
    expect(option.xAxis.min).toBeLessThanOrEqual(Math.min(...xs));
    expect(option.xAxis.max).toBeGreaterThanOrEqual(Math.max(...xs));
    // ECharts draws those minor ticks: between 10 and 100 ms there are lines at 20, 30, … 90.
    expect(svgOf(option).match(/<path d="M[^"]*"[^>]*>/g)!.length).toBeGreaterThan(40);
  });

  it('draws a kept prefill batch once per chip count, labelled with that batch', () => {
    // prefill { batch = 1 }: every swept batch gives the same prefill point.
    const option = sweepChartOption([result], 'prefill', LIGHT_THEME, ['#3a78c2']) as any;
    const points = option.series.find((s: any) => s.name === 'low_latency').data;
    const fittingChips = new Set(result.points.filter((p) => p.prefill?.fits).map((p) => p.chips));
    expect(points).toHaveLength(fittingChips.size);
    const shown = points.filter((d: any) => d.label.show).map((d: any) => d.label.formatter);
    for (const s of shown) expect(s).toMatch(/^C(32|64|128) B1$/);
  });
});

// What a sweep's figures are, as compare says it of a layout (charts/basis.ts): the chart
// subtitle, the text heading and the `--html` page all name the basis. palm540b.shard runs on
// the nominal `tpu_v4`; the same file on `tpu_v4_pope2022` (which sets calibration fields, so
// cost/basis.ts calls it calibrated) must say calibrated instead.
describe('sweep basis label', () => {
  const calibratedText = readRepoFile('examples/palm540b.shard').replace('mesh pod64 = tpu_v4 {', 'mesh pod64 = tpu_v4_pope2022 {');
  const calibrated = analyzed(calibratedText);
  const calResult = sweep(calibrated.analysis, calibrated.layout('low_latency'), { chips: [64], batches: [64] });

  it('carries the basis in the result and in every chart subtitle', () => {
    expect(calibratedText).not.toBe(readRepoFile('examples/palm540b.shard'));
    expect([result.basis, result.basis_hardware]).toEqual(['roofline', 'tpu_v4']);
    expect([calResult.basis, calResult.basis_hardware]).toEqual(['calibrated', 'tpu_v4_pope2022']);
    expect(buildCharts('sweep', [result]).map((s) => s.subtitle)).toEqual(['figures: roofline (nominal tpu_v4)', 'figures: roofline (nominal tpu_v4)']);
    expect(renderChartsToSvg('sweep', [calResult]).map((c) => c.subtitle)).toEqual(['figures: calibrated (tpu_v4_pope2022)', 'figures: calibrated (tpu_v4_pope2022)']);
    // Two layouts on different bases: each label once, as compare's charts.
    expect(buildCharts('sweep', [result, calResult])[0].subtitle).toBe('figures: roofline (nominal tpu_v4), calibrated (tpu_v4_pope2022)');
  });

  it('names the basis under the text heading and under each chart heading of the page', () => {
    expect(renderSweepText(result)).toContain('\n  figures: roofline (nominal tpu_v4)\n');
    expect(renderSweepText(calResult)).toContain('\n  figures: calibrated (tpu_v4_pope2022)\n');
    const page = renderSweepPage(calResult, 'palm540b.shard');
    const under = [...page.matchAll(/<\/h2>\n<p class="meta basis">([^<]*)<\/p>\n<figure>/g)].map((m) => m[1]);
    expect(under).toEqual(['figures: calibrated (tpu_v4_pope2022)', 'figures: calibrated (tpu_v4_pope2022)']);
  });
});
