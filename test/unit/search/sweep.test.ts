// sweep: each point's mesh is the brute-force best factorization for its phase, the frontier
// flags are exactly the non-dominated fitting points, and the renderers agree with the data.

import { describe, expect, it } from 'vitest';
import { costLayout } from '../../../server/src/engine/cost/index';
import { resolveLayoutVariant } from '../../../server/src/engine/index';
import { meshFactorizations, meshOfShape } from '../../../server/src/engine/search/meshes';
import { sweep } from '../../../server/src/engine/search/sweep';
import { renderSweepCsv, renderSweepJson, renderSweepText } from '../../../server/src/engine/search/sweepRender';
import { sweepChartOption } from '../../../server/src/engine/search/charts';
import { LIGHT_THEME } from '../../../server/src/engine/charts/theme';
import { SearchCancelled } from '../../../server/src/engine/search/common';
import { analyzed, readRepoFile } from './helpers';

const { analysis, layout } = analyzed(readRepoFile('examples/palm62b.shard'));
const base = layout('low_latency_16');
const BATCHES = [1, 8, 32];
const CHIPS = [8, 16];
const result = sweep(analysis, base, { batches: BATCHES, chips: CHIPS });

describe('sweep', () => {
  it('has one point per chip count and batch', () => {
    expect(result.points.map((p) => `${p.chips}/${p.batch}`)).toEqual(CHIPS.flatMap((c) => BATCHES.map((b) => `${c}/${b}`)));
  });

  it('each phase takes the lowest latency over every factorization (brute force)', () => {
    for (const pt of result.points) {
      for (const phase of ['prefill', 'decode'] as const) {
        let bestLatency = Infinity;
        let anyFits = false;
        const all: { latency: number; fits: boolean }[] = [];
        // The layout's `prefill { batch = 1 }` is kept at every point; decode takes the point's batch.
        const batchOf = (p: 'prefill' | 'decode') => (p === 'prefill' ? 1 : pt.batch);
        for (const shape of meshFactorizations(pt.chips)) {
          const mesh = meshOfShape(base.mesh.hardware, shape);
          const v = resolveLayoutVariant(analysis, base, { [phase]: { ffn: base[phase].ffn.name, attention: base[phase].attention!.name } }, { mesh, workload: { prefill: { ...base.prefill.workload, batch: batchOf('prefill') }, decode: { ...base.decode.workload, batch: batchOf('decode') } } });
          if (!v) continue;
          const c = costLayout(v);
          // A phase fits when its own peak fits in HBM.
          const fits = c.memory.total[phase].value <= c.memory.hbm;
          all.push({ latency: phase === 'prefill' ? c.prefill.latency.value : c.decode.pass.latency.value, fits });
          anyFits ||= fits;
        }
        for (const t of all) if (t.fits || !anyFits) bestLatency = Math.min(bestLatency, t.latency);
        const p = pt[phase];
        if (!all.length) expect(p).toBeNull();
        else {
          expect(p!.latency_s).toBeCloseTo(bestLatency, 12);
          expect(p!.batch).toBe(batchOf(phase));
          expect(p!.fits).toBe(anyFits);
        }
      }
    }
  });

  it('marks exactly the non-dominated fitting points of each phase', () => {
    for (const phase of ['prefill', 'decode'] as const) {
      const pts = result.points.map((p, i) => ({ i, p: p[phase] })).filter((x) => x.p && x.p.fits);
      const expected = pts.filter((a) => !pts.some((b) => b.p!.cost_chip_s_per_token <= a.p!.cost_chip_s_per_token && b.p!.latency_s <= a.p!.latency_s && (b.p!.cost_chip_s_per_token < a.p!.cost_chip_s_per_token || b.p!.latency_s < a.p!.latency_s))).map((x) => x.i);
      expect([...result.frontier[phase]].sort((a, b) => a - b)).toEqual(expected);
      for (const [i, pt] of result.points.entries()) expect(pt[phase]?.onFrontier ?? false).toBe(expected.includes(i));
    }
  });

  it('renders text, JSON and CSV from the same data', () => {
    const text = renderSweepText(result);
    expect(text).toContain('frontier, prefill:');
    const json = JSON.parse(renderSweepJson(result));
    expect(json.points.length).toBe(result.points.length);
    const csv = renderSweepCsv(result).trim().split('\n');
    const costed = result.points.reduce((s, p) => s + (p.prefill ? 1 : 0) + (p.decode ? 1 : 0), 0);
    expect(csv.length).toBe(1 + costed);
    expect(csv.filter((l) => l.endsWith(',true')).length).toBe(result.frontier.prefill.length + result.frontier.decode.length);
  });

  it('builds a Fig. 1 chart: log–log, a series and a frontier line per layout', () => {
    const option = sweepChartOption([result], 'decode', LIGHT_THEME, ['#123456']) as any;
    expect(option.xAxis.type).toBe('log');
    expect(option.series.map((s: any) => s.name)).toEqual([result.layout, `${result.layout} frontier`, `${result.layout} as declared`]);
    expect(option.series[1].data.length).toBe(result.frontier.decode.length);
    expect(JSON.parse(JSON.stringify(option))).toEqual(option);
  });

  it('reports progress and stops when cancelled', () => {
    const seen: [number, number][] = [];
    const cancel = { cancelled: false };
    expect(() => sweep(analysis, base, { batches: BATCHES, chips: CHIPS, cancel, onProgress: (d, t) => { seen.push([d, t]); if (d >= 3) cancel.cancelled = true; } })).toThrow(SearchCancelled);
    expect(seen.length).toBeGreaterThanOrEqual(3);
    const full: [number, number][] = [];
    sweep(analysis, base, { batches: [8], chips: [8], onProgress: (d, t) => full.push([d, t]) });
    expect(full.at(-1)).toEqual([meshFactorizations(8).length, meshFactorizations(8).length]);
  });
});
