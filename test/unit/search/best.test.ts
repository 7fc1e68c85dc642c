// best: agrees with brute force (every pair of blocks per phase that best searches: search/pairs.ts, every factorization,
// batch and dtype, each costed in full with costLayout) on small spaces, with and without the
// lower-bound pruning; the pasted text is valid shard text that reproduces the figures.

import { describe, expect, it } from 'vitest';
import { costLayout } from '../../../server/src/engine/cost/index';
import type { Dtype } from '../../../server/src/engine/check/resolved';
import { best, type BestOptions } from '../../../server/src/engine/search/best';
import { sameAsFullBatch, searchPairs } from '../../../server/src/engine/search/pairs';
import { renderBestJson, renderBestText } from '../../../server/src/engine/search/bestRender';
import { layoutVariant, SearchCancelled } from '../../../server/src/engine/search/common';
import { meshFactorizations, meshOfShape } from '../../../server/src/engine/search/meshes';
import { analyzed, readRepoFile } from './helpers';

const SMALL = `
mesh m8 = tpu_v4 { x = 2, y = 2, z = 2 }
layout small {
  model = palm_8b
  mesh = m8
  workload { batch = 8, prompt = 256, generate = 16 }
  prefill { ffn = ws2d, attention = heads }
  decode { ffn = ws2d, attention = batch }
}
`;

interface Brute { objective: number; latency: number }

function bruteForce(text: string, name: string, options: { chips: number[]; batches: number[]; dtypes: Dtype[]; objective: 'latency' | 'cost'; maxLatency?: number; requireFit?: boolean }): Brute[] {
  const { analysis, layout } = analyzed(text);
  const base = layout(name);
  const out: Brute[] = [];
  for (const chips of options.chips) for (const shape of meshFactorizations(chips)) for (const batch of options.batches) for (const weights of options.dtypes) {
    const mesh = meshOfShape(base.mesh.hardware, shape);
    // A partial-axis batch family whose other axes have size 1 is `batch` itself: best tries it once.
    const pairs = (phase: 'prefill' | 'decode') => searchPairs(analysis, base, phase).filter((p) => !sameAsFullBatch(p, mesh));
    for (const p of pairs('prefill')) for (const d of pairs('decode')) {
      const v = layoutVariant(analysis, base, { mesh, batch, weights, blocks: { prefill: p, decode: d } });
      if (!v) continue;
      const c = costLayout(v);
      const latency = c.totalLatency.value;
      if (options.maxLatency !== undefined && latency > options.maxLatency) continue;
      if ((options.requireFit ?? true) && !c.memory.fits) continue;
      const tokens = batch * base.prefill.workload.prompt + batch * base.decode.workload.generate;
      out.push({ latency, objective: options.objective === 'latency' ? latency : (chips * latency) / tokens });
    }
  }
  return out.sort((a, b) => a.objective - b.objective);
}

function expectSameObjectives(actual: number[], expected: number[]): void {
  expect(actual.length).toBe(expected.length);
  actual.forEach((a, i) => expect(Math.abs(a - expected[i]) / expected[i]).toBeLessThan(1e-9));
}

describe('best vs brute force', () => {
  const { analysis, layout } = analyzed(SMALL);
  const cases: { title: string; options: BestOptions & { objective: 'latency' | 'cost' } }[] = [
    { title: 'latency', options: { objective: 'latency', top: 6 } },
    { title: 'cost under a latency limit', options: { objective: 'cost', top: 6, maxLatency: 1.0 } },
  ];
  const space = { chips: [8], batches: [8, 32], dtypes: ['bf16', 'int8'] as Dtype[] };
  for (const c of cases) {
    const brute = bruteForce(SMALL, 'small', { ...space, objective: c.options.objective, maxLatency: c.options.maxLatency });
    it(`${c.title}: the brute-force space is not trivial`, () => expect(brute.length).toBeGreaterThan(c.options.top ?? 5));
    for (const prune of [true, false]) {
      it(`${c.title}, ${prune ? 'pruned' : 'exhaustive'}`, () => {
        const r = best(analysis, layout('small'), { ...space, ...c.options, prune });
        const objective = (x: (typeof r.candidates)[number]) => (c.options.objective === 'latency' ? x.latency_s : x.cost_chip_s_per_token);
        expectSameObjectives(r.candidates.map(objective), brute.slice(0, c.options.top).map((b) => b.objective));
        for (const cand of r.candidates) {
          expect(cand.fits).toBe(true);
          if (c.options.maxLatency !== undefined) expect(cand.latency_s).toBeLessThanOrEqual(c.options.maxLatency);
        }
        if (prune) expect(r.stats.passes).toBeGreaterThan(0);
      });
    }
  }

  it('memory rules configurations out: PaLM 540B in bf16 on 64 chips (two stored copies do not fit)', () => {
    const text = readRepoFile('examples/palm540b.shard');
    const opts = { chips: [64], batches: [64], dtypes: ['bf16'] as Dtype[], objective: 'latency' as const };
    const brute = bruteForce(text, 'low_latency_bf16', opts);
    const all = bruteForce(text, 'low_latency_bf16', { ...opts, requireFit: false });
    expect(all.length).toBeGreaterThan(brute.length);
    const a = analyzed(text);
    const r = best(a.analysis, a.layout('low_latency_bf16'), { ...opts, top: 5 });
    expectSameObjectives(r.candidates.map((c) => c.latency_s), brute.slice(0, 5).map((b) => b.objective));
    const loose = best(a.analysis, a.layout('low_latency_bf16'), { ...opts, top: 5, requireFit: false });
    expectSameObjectives(loose.candidates.map((c) => c.latency_s), all.slice(0, 5).map((b) => b.objective));
  });

  it('reports progress per cell and stops when cancelled', () => {
    const seen: number[] = [];
    const cancel = { cancelled: false };
    expect(() => best(analysis, layout('small'), { batches: [8, 32], cancel, onProgress: (done) => { seen.push(done); if (done === 2) cancel.cancelled = true; } })).toThrow(SearchCancelled);
    expect(seen).toEqual([0, 1, 2]);
  });

  it('an impossible latency limit gives no candidates and a message', () => {
    const r = best(analysis, layout('small'), { maxLatency: 1e-6, dtypes: ['bf16'] });
    expect(r.candidates).toEqual([]);
    expect(r.message).toMatch(/latency limit/);
  });
});

describe('best: the text to paste', () => {
  for (const [file, name] of [['examples/palm540b.shard', 'low_latency'], ['examples/palm62b.shard', 'high_throughput_decode_8']] as const) {
    it(`is valid shard text that reproduces the figures (${file} ${name})`, () => {
      const original = readRepoFile(file);
      const { analysis, layout } = analyzed(original);
      const r = best(analysis, layout(name), { top: 3, dtypes: ['bf16', 'int8'], chips: [layout(name).mesh.chips] });
      expect(r.candidates.length).toBeGreaterThan(0);
      const combined = `${original}\n${r.candidates.map((c) => c.text).join('\n')}`;
      const after = analyzed(combined, 'combined.shard');
      const newLayouts = after.analysis.layouts.filter((l) => !analysis.layouts.some((o) => o.name === l.name));
      expect(newLayouts.length).toBe(r.candidates.length);
      r.candidates.forEach((c, i) => {
        const cost = costLayout(newLayouts[i]);
        expect(cost.totalLatency.value).toBeCloseTo(c.latency_s, 12);
        expect(newLayouts[i].mesh.chips).toBe(c.chips);
        expect(newLayouts[i].model.weights).toBe(c.weights);
      });
      expect(renderBestText(r)).toContain(r.candidates[0].text.trim());
      expect(JSON.parse(renderBestJson(r)).candidates.length).toBe(r.candidates.length);
    });
  }
});
