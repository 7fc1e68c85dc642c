// The step timeline places the cost model's per-op figures on a time axis. Its totals must be the
// report's: one layer's critical path is the layer time, and embedding + layers × layer +
// unembedding (+ cache conversion) is the report's step time (decode) or latency (prefill).

import { describe, expect, it } from 'vitest';
import { timelineOf, type Timeline } from '../../../server/src/engine/sharding/index';
import { sharedShardService } from '../../../server/src/engine/index';
import { analyzed, readRepoFile } from '../search/helpers';

const palm = analyzed(readRepoFile('examples/palm540b.shard'));

const overlapped = analyzed(`mesh m = tpu_v4 { x = 4, y = 4, z = 4 }
layout o {
  model = palm_62b
  mesh = m
  workload { batch = 64, prompt = 2048, generate = 64 }
  prefill { ffn = ws2d, attention = heads }
  decode  { ffn = ws2d, attention = batch }
  overlap = collective_einsum
}
`, 'o.shard', ['out-of-memory']);

function timeline(a: typeof palm, name: string, phase: 'prefill' | 'decode'): Timeline {
  const layout = a.layout(name);
  return timelineOf(layout, a.analysis.costOf(layout), phase);
}

function reportStep(a: typeof palm, name: string, phase: 'prefill' | 'decode'): number {
  const report = sharedShardService().report(a.analysis, { layouts: [name] });
  const p = report.layouts[0][phase]!;
  return phase === 'decode' ? p.step_s! : p.latency_s;
}

const sum = (xs: number[]) => xs.reduce((s, x) => s + x, 0);

describe('step timeline', () => {
  for (const [a, name] of [[palm, 'low_latency'], [palm, 'high_throughput'], [overlapped, 'o']] as const) {
    for (const phase of ['prefill', 'decode'] as const) {
      it(`${name} ${phase}: the step adds up to the report's step time`, () => {
        const t = timeline(a, name, phase);
        const step = reportStep(a, name, phase);
        expect(t.step.time_s).toBeCloseTo(step, 12);
        expect(sum(t.step.parts.map((p) => p.count * p.each_s))).toBeCloseTo(step, 10);
        const last = t.step.parts[t.step.parts.length - 1];
        expect(last.end_s).toBeCloseTo(step, 10);
        // The layers part is `layers` times the layer, which its critical path adds up to.
        const layers = t.step.parts.find((p) => p.name === 'layers')!;
        expect(layers.count).toBe(a.layout(name).model.layers);
        const critical = t.layer.bars.filter((b) => b.critical);
        expect(critical.map((b) => b.id)).toEqual(t.layer.criticalPath);
        expect(sum(critical.map((b) => b.time_s))).toBeCloseTo(layers.each_s, 12);
        expect(t.layer.time_s).toBe(layers.each_s);
      });
    }
  }

  it('without overlap, the ops run back to back, all on the critical path', () => {
    const t = timeline(palm, 'low_latency', 'decode');
    expect(t.overlap).toBe('none');
    const bars = t.layer.bars;
    expect(bars[0].start_s).toBe(0);
    for (let i = 1; i < bars.length; i++) expect(bars[i].start_s).toBeCloseTo(bars[i - 1].end_s, 15);
    expect(bars.every((b) => b.critical && b.overlapsWith.length === 0)).toBe(true);
    // Every op of the layer once, in the cost model's order.
    const cost = palm.analysis.costOf(palm.layout('low_latency'));
    expect(bars.map((b) => b.id)).toEqual(cost.decode.pass.layer.ops.map((o) => o.id));
  });

  it('with overlap = collective_einsum, a collective starts with the einsum it runs under', () => {
    const t = timeline(overlapped, 'o', 'decode');
    const byId = new Map(t.layer.bars.map((b) => [b.id, b]));
    const einsums = t.layer.bars.filter((b) => b.op === 'einsum' && b.overlapsWith.length);
    expect(einsums.length).toBeGreaterThan(0);
    for (const e of einsums) {
      const members = e.overlapsWith.map((id) => byId.get(id)!);
      expect(members[0].start_s).toBe(e.start_s);
      // Collectives back to back; the longer side is critical.
      for (let i = 1; i < members.length; i++) expect(members[i].start_s).toBeCloseTo(members[i - 1].end_s, 15);
      const comm = sum(members.map((m) => m.time_s));
      expect(e.critical).toBe(comm < e.time_s);
      for (const m of members) expect(m.critical).toBe(comm >= e.time_s);
    }
    // The layer is shorter than its ops one after another.
    expect(t.layer.time_s).toBeLessThan(sum(t.layer.bars.map((b) => b.time_s)));
  });
});
