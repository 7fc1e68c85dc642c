// Pope Fig. 3 crossovers: the switch points of the min-volume envelope equal the golden data,
// the fitted lines equal volumes costed directly, and the envelope is the pointwise minimum.

import { describe, expect, it } from 'vitest';
import { costLayout, isCollective } from '../../../server/src/engine/cost/index';
import { crossover, minVolumeEnvelope, volumeAt } from '../../../server/src/engine/search/crossover';
import { crossoverChartOption } from '../../../server/src/engine/search/charts';
import { LIGHT_THEME } from '../../../server/src/engine/charts/theme';
import { analyzed, golden, seededRandom } from './helpers';
import fc from 'fast-check';

const FIG3 = golden().fig3_ffn_comm_volume;

/** The figure's setup as a file: a swiglu model, so the gelu override of Fig. 3 is exercised. */
function fig3File(ffnKind: 'gelu' | 'swiglu'): string {
  const { X, Y, Z, E, F } = FIG3.setup;
  return `
model fig3 { layers = 2, E = ${E}, F = ${F}, H = 128, Q = 128, V = 32768, ffn = ${ffnKind}, weights = bf16 }
mesh m = tpu_v4 { x = ${X}, y = ${Y}, z = ${Z} }
layout l {
  model = fig3
  mesh = m
  workload { batch = 64, prompt = 16, generate = 4 }
  ffn = ws2d
  attention = heads
  attention_kernel = unfused
}`;
}

describe('crossover (Pope Fig. 3)', () => {
  for (const kind of ['gelu', 'swiglu'] as const) {
    it(`switch points equal the golden data (file model ${kind}, costed as gelu)`, () => {
      const { analysis, layout } = analyzed(fig3File(kind));
      const result = crossover(analysis, layout());
      expect(result.ffnKind).toBe('gelu');
      const points = FIG3.min_volume_switch_points_tokens;
      expect(result.switchPoints).toEqual([
        { from: 'ws2d', to: 'wg_x', tokens: points.ws2d_to_wg_x },
        { from: 'wg_x', to: 'wg_xy', tokens: points.wg_x_to_wg_xy },
        { from: 'wg_xy', to: 'wg_xyz', tokens: points.wg_xy_to_wg_xyz },
      ]);
    });
  }

  it('each line equals the volume costed directly at other token counts, and the golden rows', () => {
    const { analysis, layout } = analyzed(fig3File('gelu'));
    const result = crossover(analysis, layout());
    const rand = seededRandom(3);
    for (const line of result.lines) {
      for (let k = 0; k < 3; k++) {
        const batch = 64 * (1 + Math.floor(rand() * 4));
        const prompt = 1 + Math.floor(rand() * 300);
        const text = fig3File('gelu').replace('workload { batch = 64, prompt = 16, generate = 4 }', `workload { batch = ${batch}, prompt = ${prompt}, generate = 1 }`)
          .replace('ffn = ws2d', `ffn = ${line.ffn}`).replace('attention = heads', 'attention = none');
        const a = analyzed(text);
        const ops = costLayout(a.layout()).prefill.pass.layer.blocks.ffn.ops;
        const direct = ops.filter((o) => isCollective(o.op)).reduce((s, o) => s + o.commBytes.value, 0);
        expect(volumeAt(line, batch * prompt)).toBe(direct);
      }
    }
    for (const row of FIG3.rows) {
      for (const ffn of ['ws2d', 'wg_x', 'wg_xy', 'wg_xyz']) {
        const line = result.lines.find((l) => l.ffn === ffn)!;
        const expected = row[ffn] * golden().conventions.GB;
        expect(Math.abs(volumeAt(line, row.tokens) - expected) / expected).toBeLessThanOrEqual(FIG3.tolerance_rel);
      }
    }
  });

  it('the envelope is the pointwise minimum at every switch point and its neighbours (random lines)', () => {
    const lineArb = fc.record({ slope: fc.integer({ min: 0, max: 1000 }), intercept: fc.integer({ min: 0, max: 1_000_000 }) });
    fc.assert(fc.property(fc.array(lineArb, { minLength: 1, maxLength: 6 }), (raw) => {
      const lines = raw.map((r, i) => ({ ffn: `l${i}`, slope_bytes_per_token: r.slope, intercept_bytes: r.intercept }));
      const { envelope } = minVolumeEnvelope(lines, 1, 100_000);
      const minAt = (t: number) => Math.min(...lines.map((l) => volumeAt(l, t)));
      const checks = new Set<number>([1, 100_000]);
      for (const s of envelope) { checks.add(s.from_tokens); if (s.from_tokens > 1) checks.add(s.from_tokens - 1); if (s.to_tokens) checks.add(s.to_tokens); }
      for (let k = 0; k < 20; k++) checks.add(1 + Math.floor((k * 99_999) / 19));
      for (const t of checks) {
        const seg = envelope.find((s) => t >= s.from_tokens && (s.to_tokens === null || t <= s.to_tokens))!;
        expect(volumeAt(lines.find((l) => l.ffn === seg.ffn)!, t)).toBe(minAt(t));
      }
      // At a switch the new line is no higher; one token before it, it is higher.
      for (let i = 1; i < envelope.length; i++) {
        const t = envelope[i].from_tokens;
        const prev = lines.find((l) => l.ffn === envelope[i - 1].ffn)!;
        const next = lines.find((l) => l.ffn === envelope[i].ffn)!;
        expect(volumeAt(next, t)).toBeLessThanOrEqual(volumeAt(prev, t));
        expect(volumeAt(next, t - 1)).toBeGreaterThan(volumeAt(prev, t - 1));
      }
    }), { seed: 42, numRuns: 300 });
  });

  it('builds a log–log chart with one line per layout, the envelope and the switch points', () => {
    const { analysis, layout } = analyzed(fig3File('gelu'));
    const result = crossover(analysis, layout());
    const option = crossoverChartOption(result, LIGHT_THEME, ['#111', '#222', '#333', '#444', '#555']) as any;
    expect(option.xAxis.type).toBe('log');
    expect(option.yAxis.type).toBe('log');
    expect(option.series.map((s: any) => s.name)).toEqual([...result.lines.map((l) => l.ffn), 'min volume']);
    expect(option.series.at(-1).markPoint.data.map((d: any) => d.coord[0])).toEqual(result.switchPoints.map((s) => s.tokens));
    expect(JSON.parse(JSON.stringify(option))).toEqual(option);
  });
});

describe('what the crossover is drawn for', () => {
  // The fig3 file's layout: workload batch 64, prompt 16, so prefill B·L = 64·16 = 1024 tokens
  // and a decode step B·1 = 64.
  it('names the gelu FFN it draws beside a swiglu model\'s own, and the layout\'s token counts', () => {
    const { analysis, layout } = analyzed(fig3File('swiglu'));
    const r = crossover(analysis, layout('l'));
    expect(r.ffnKind).toBe('gelu');
    expect(r.modelFfnKind).toBe('swiglu');
    expect(r.layoutTokens).toEqual({ prefill: 1024, decode: 64 });
    const option = crossoverChartOption(r, LIGHT_THEME, ['#111', '#222', '#333', '#444', '#555']) as any;
    expect(option.title.text).toContain("gelu FFN as Pope Fig. 3 (fig3's own is swiglu)");
    const marks = option.series.find((s: any) => s.name === 'min volume').markLine.data;
    expect(marks.map((m: any) => [m.xAxis, m.label.formatter])).toEqual([[1024, 'prefill: 1,024'], [64, 'decode: 64']]);
  });

  it('says the model has the FFN drawn when it does', () => {
    const { analysis, layout } = analyzed(fig3File('gelu'));
    const r = crossover(analysis, layout('l'));
    expect(r.modelFfnKind).toBe('gelu');
    expect((crossoverChartOption(r, LIGHT_THEME, ['#111']) as any).title.text).toContain('gelu FFN, as fig3 has');
  });
});
