// Overlap as a quantity (issue 14, cost-model.md §5): under `overlap = collective_einsum` an
// einsum (time te) and the collectives paired with it (their times summed, tc) take
//   te + tc − f·min(te, tc)
// with f the hardware's `overlap_fraction`: f = 1 hides the whole shorter side (max(te, tc), the
// rule before the field existed), f → 0 hides nothing (the plain sum). And what the figures are:
// a roofline on nominal hardware, or calibrated when the hardware sets a calibration field.

import { describe, expect, it } from 'vitest';
import { costShard, op } from './helpers/shard';
import { timelineOf } from '../../../server/src/engine/sharding/timeline';
import { layoutJson } from '../../../server/src/engine/report/json';
import { renderReport } from '../../../server/src/engine/report/text';
import { buildCharts } from '../../../server/src/engine/charts/registry';

const MODEL = 'model small { layers = 1, E = 1024, F = 4096, H = 16, K = 1, Q = 64, V = 1024, ffn = gelu }';

/** ws2d on a 4×4×4 cube (collectives a, c around einsum b; e, y around f), on hardware `hw`. */
function body(hw: string, overlap: string): string {
  return `
${MODEL}
${hw}
mesh pod = h { x = 4, y = 4, z = 4 }
layout l { model = small, mesh = pod, workload { batch = 64, prompt = 128, generate = 8 }, ffn = ws2d, attention = none, overlap = ${overlap} }`;
}

/** The rule, written out here from the docs, not read from the engine. */
const group = (te: number, tc: number, f: number) => te + tc - f * Math.min(te, tc);

describe('overlap_fraction', () => {
  const off = costShard(body('hardware h = tpu_v4 { collective_latency = 2 us }', 'none')).cost.prefill.pass.layer;
  const t = (k: string) => op(off.ops, k).time.value;
  const [n, a, b, c, d, e, f, y] = ['ffn.n', 'ffn.a', 'ffn.b', 'ffn.c', 'ffn.d', 'ffn.e', 'ffn.f', 'ffn.y'].map(t);

  it('a group takes te + tc − f·min(te, tc): the shorter side is hidden by the fraction f', () => {
    for (const frac of [0.01, 0.25, 0.5, 1]) {
      const on = costShard(body(`hardware h = tpu_v4 { collective_latency = 2 us, overlap_fraction = ${frac} }`, 'collective_einsum')).cost.prefill.pass.layer;
      // a feeds b and c reduces b's output; e feeds f and y reduces f's output (handmade.test.ts).
      expect(on.overlapGroups.map((g) => [g.einsum, g.collectives])).toEqual([['ffn.b', ['ffn.a', 'ffn.c']], ['ffn.f', ['ffn.e', 'ffn.y']]]);
      expect(on.time, `f = ${frac}`).toBeCloseTo(n + group(b, a + c, frac) + d + group(f, e + y, frac), 15);
      // Op times themselves do not change with the fraction: only how they combine.
      expect(op(on.ops, 'ffn.a').time.value).toBe(a);
    }
  });

  it('f = 1 is full overlap (the default), and a small f is nearly the sum of the ops', () => {
    const full = costShard(body('hardware h = tpu_v4 { collective_latency = 2 us }', 'collective_einsum')).cost.prefill.pass.layer;
    expect(full.time).toBeCloseTo(n + Math.max(b, a + c) + d + Math.max(f, e + y), 15);
    const little = costShard(body('hardware h = tpu_v4 { collective_latency = 2 us, overlap_fraction = 0.01 }', 'collective_einsum')).cost.prefill.pass.layer;
    expect(little.time).toBeCloseTo(off.time - 0.01 * (Math.min(b, a + c) + Math.min(f, e + y)), 15);
  });

  it('the timeline starts the longer side once the exposed part of the shorter has run', () => {
    const frac = 0.5;
    const { layout, cost } = costShard(body(`hardware h = tpu_v4 { collective_latency = 2 us, overlap_fraction = ${frac} }`, 'collective_einsum'));
    const bars = new Map(timelineOf(layout, cost, 'prefill').layer.bars.map((x) => [x.id, x]));
    // The first group starts after the layernorm n; its end is n + the group's time.
    const start = n;
    const end = n + group(b, a + c, frac);
    const longer = b >= a + c ? ['ffn.b'] : ['ffn.a', 'ffn.c'];
    const last = bars.get(longer[longer.length - 1])!;
    expect(last.end_s).toBeCloseTo(end, 15);
    const shorter = b >= a + c ? bars.get('ffn.a')! : bars.get('ffn.b')!;
    expect(shorter.start_s).toBeCloseTo(start, 15);
  });
});

describe('what the figures are: roofline or calibrated', () => {
  it('a hardware that sets no calibration field gives a roofline, labelled with its name', () => {
    const { layout, cost } = costShard(body('hardware h = tpu_v4 { }', 'none'));
    expect(cost.basis).toEqual({ kind: 'roofline', hardware: 'h', fields: [] });
    const json = layoutJson(layout, cost);
    expect(json.basis).toBe('roofline');
    expect(json.basis_hardware).toBe('h');
    expect(json.calibrated_fields).toBeUndefined();
  });

  it('a hardware block with efficiency fields (as calibrate prints them) is calibrated, in JSON and text', () => {
    const { analysis, layout, cost } = costShard(body('hardware h = tpu_v4 { link_eff = 0.5, overlap_fraction = 0.3 }', 'none'));
    expect(cost.basis).toEqual({ kind: 'calibrated', hardware: 'h', fields: ['link_eff', 'overlap_fraction'] });
    const json = layoutJson(layout, cost);
    expect(json).toMatchObject({ basis: 'calibrated', basis_hardware: 'h', calibrated_fields: ['link_eff', 'overlap_fraction'] });
    const text = renderReport({ version: 1, file: 'test.shard', diagnostics: [], layouts: [json] });
    expect(text).toContain('figures: calibrated (h)');
    expect(analysis.layouts.length).toBe(1);
  });

  it('the built-in tpu_v4_pope2022 is calibrated and tpu_v4 is nominal; the report text says so', () => {
    const text = `${MODEL}
mesh nominal = tpu_v4 { x = 4, y = 4, z = 4 }
mesh fitted = tpu_v4_pope2022 { x = 4, y = 4, z = 4 }
layout a { model = small, mesh = nominal, workload { batch = 64, prompt = 128, generate = 8 }, ffn = ws2d, attention = none }
layout b = a { mesh = fitted }`;
    const a = costShard(text, 'a');
    const b = costShard(text, 'b');
    expect(a.cost.basis.kind).toBe('roofline');
    expect(b.cost.basis).toMatchObject({ kind: 'calibrated', hardware: 'tpu_v4_pope2022' });
    const report = renderReport({ version: 1, file: 'test.shard', diagnostics: [], layouts: [layoutJson(a.layout, a.cost), layoutJson(b.layout, b.cost)] });
    expect(report).toContain('figures: roofline (nominal tpu_v4), a lower bound until calibrated');
    expect(report).toContain('figures: calibrated (tpu_v4_pope2022)');
  });

  it('chart headings carry the label: compare charts from the report, the timeline from its own', () => {
    const { layout, cost } = costShard(body('hardware h = tpu_v4 { flops_eff = 0.8 }', 'none'));
    const specs = buildCharts('compare', { file: 'test.shard', layouts: [layoutJson(layout, cost)] } as never);
    expect(specs.length).toBeGreaterThan(0);
    for (const spec of specs) expect(spec.subtitle, spec.id).toBe('figures: calibrated (h)');
    const timeline = buildCharts('timeline', timelineOf(layout, cost, 'decode'));
    for (const spec of timeline) expect(spec.subtitle, spec.id).toBe('figures: calibrated (h)');
  });
});
