// The `report --json` object (cli.md), the text renderers, `explain`, and the cost findings.

import { describe, expect, it } from 'vitest';
import { analyze, sourceFromText } from '../../../server/src/engine/index';
import { costDiagnostics } from '../../../server/src/engine/cost/diagnostics';
import { costLayout } from '../../../server/src/engine/cost/layout';
import { buildReport, explainLayout, renderCompare, renderExplain, renderReport } from '../../../server/src/engine/report/index';
import type { Variant } from '../../../server/src/engine/cost/variants';
import { costShard } from './helpers/shard';

const FILE = `
mesh pod = tpu_v4 { x = 4, y = 4, z = 4 }

layout low_latency {
  model = palm_540b { weights = int8 }
  mesh = pod
  workload { batch = 64, prompt = 1984, generate = 64 }
  prefill { batch = 1, ffn = ws2d, attention = heads }
  decode  { ffn = ws2d, attention = batch }
}

layout baseline_mqa {
  model = palm_540b
  mesh = pod
  workload { batch = 512, prompt = 2048, generate = 64 }
  ffn = ws1d
  attention = heads
}

layout broken {
  model = palm_540b
  mesh = pod
  workload { batch = 3, prompt = 2048, generate = 64 }
  ffn = ws2d
  attention = batch
}
`;

function finite(x: unknown, path = '$'): string[] {
  if (typeof x === 'number') return Number.isFinite(x) ? [] : [path];
  if (Array.isArray(x)) return x.flatMap((v, i) => finite(v, `${path}[${i}]`));
  if (x && typeof x === 'object') return Object.entries(x).flatMap(([k, v]) => finite(v, `${path}.${k}`));
  return [];
}

describe('report --json', () => {
  const analysis = analyze(sourceFromText(FILE, 'examples/test.shard'));
  const report = buildReport(analysis);

  it('has every required field, SI numbers, never NaN or Infinity', () => {
    expect(report.file).toBe('examples/test.shard');
    expect(finite(report)).toEqual([]);
    const json = JSON.parse(JSON.stringify(report));
    const l = json.layouts.find((x: { name: string }) => x.name === 'low_latency');
    expect(l).toMatchObject({ costed: true, model: 'palm_540b', mesh: 'pod', chips: 64, workload: { batch: 64, prompt: 1984, generate: 64 } });
    for (const k of ['weights_bytes', 'kv_bytes', 'kv_bytes_total', 'activation_bytes', 'total_bytes', 'hbm_bytes', 'fits', 'max_context']) expect(l.memory).toHaveProperty(k);
    for (const ph of ['prefill', 'decode']) {
      for (const k of ['latency_s', 'compute_s', 'memory_s', 'comm_s', 'flops', 'comm_bytes', 'mfu', 'cost_chip_s_per_token', 'throughput_tokens_per_s', 'bound', 'activation_bytes']) expect(l[ph]).toHaveProperty(k);
      expect(l[ph].embed).toHaveProperty('time_s');
      expect(l[ph].unembed).toHaveProperty('time_s');
      expect(l[ph].unembed).toHaveProperty('flops');
      expect(l[ph].layer).toHaveProperty('time_s');
      expect(l[ph].layer).toHaveProperty('comm_bytes');
      expect(l[ph].layer.blocks.ffn).toMatchObject({ time_s: expect.any(Number), comm_bytes: expect.any(Number), flops: expect.any(Number) });
      expect(l[ph].layer.blocks.attention).toMatchObject({ time_s: expect.any(Number), comm_bytes: expect.any(Number), flops: expect.any(Number) });
      for (const o of l[ph].layer.ops) {
        for (const k of ['block', 'name', 'op', 'axes', 'type', 'flops', 'bytes', 'comm_bytes', 'time_s', 'bound']) expect(o).toHaveProperty(k);
        expect(['compute', 'memory', 'comm']).toContain(o.bound);
      }
    }
    expect(l.decode.t_mean).toBe(1984 + 64 / 2);
    expect(l.decode.t_last).toBe(1984 + 64);
    expect(l.decode.latency_s).toBeCloseTo(64 * l.decode.step_s, 12);
    expect(l.decode.step_s_last).toBeGreaterThanOrEqual(l.decode.step_s);
    // Prefill runs at its own batch (1), decode at the workload's (64).
    expect(l.prefill.workload.batch).toBe(1);
  });

  it('ops: axes in mesh order, canonical types, fused ops as `layer`', () => {
    const l = report.layouts.find((x) => x.name === 'low_latency')!;
    const ops = l.decode!.layer.ops;
    const a = ops.find((o) => o.block === 'layer' && o.op === 'all_gather')!;
    expect(a).toMatchObject({ axes: 'yz', type: 'BLE_x', fused: ['attention.a', 'ffn.a'] });
    expect(ops.some((o) => o.type.includes('(partialsum-x)'))).toBe(true);
    // layer.comm_bytes is one layer; the phase's is the whole pass.
    const layers = analysis.layouts.find((x) => x.name === 'low_latency')!.model.layers;
    expect(l.decode!.comm_bytes).toBeCloseTo(layers * l.decode!.layer.comm_bytes + l.decode!.unembed.comm_bytes, 0);
  });

  it('an uncostable layout appears with costed:false and null phases', () => {
    const b = report.layouts.find((x) => x.name === 'broken')!;
    expect(b).toMatchObject({ costed: false, prefill: null, decode: null, memory: null });
    expect(report.layouts.map((x) => x.name)).toEqual(['low_latency', 'baseline_mqa', 'broken']);
  });

  it('--layout selects layouts', () => {
    const r = buildReport(analysis, { layouts: ['baseline_mqa'] });
    expect(r.layouts.map((x) => x.name)).toEqual(['baseline_mqa']);
  });

  it('diagnostics carry LSP ranges; the replicated multiquery cache does not fit', () => {
    const oom = report.diagnostics.find((d) => d.code === 'out-of-memory')!;
    expect(oom).toMatchObject({ severity: 'error', layout: 'baseline_mqa' });
    expect(oom.range.start.line).toBe(FILE.split('\n').findIndex((s) => s.startsWith('layout baseline_mqa')));
    expect(oom.message).toMatch(/weights .* \+ (decode )?KV cache .* \+ activations .* > 32 GiB HBM/);
  });

  it('text renderers', () => {
    const text = renderReport(report);
    expect(text).toContain('layout low_latency');
    expect(text).toContain('not costed');
    const cmp = renderCompare(report);
    expect(cmp.split('\n')[0]).toMatch(/^layout/);
    expect(cmp).toContain('*');
    expect(cmp).toContain('does not fit in memory: baseline_mqa');
  });
});

describe('explain', () => {
  const { cost } = costShard(FILE, 'low_latency', { allowErrors: true });
  it('an op: every figure with formula, values put in, and inputs', () => {
    const ex = explainLayout(cost, { phase: 'decode', op: 'layer.a' });
    expect(ex.notFound).toBeUndefined();
    const lines = ex.sections[0].lines;
    const t = lines.find((l) => l.label === 't_comm')!;
    expect(t.formula).toBe('α·hops + D·(P−1)/P / BW');
    // A collective streams over every torus link of the chip (cost-model.md §4, "Which links"):
    // TPU v4 on 4×4×4 has 3 wrapped axes × 2 directions × 45 GB/s = 270 GB/s.
    expect(t.substituted).toContain('270 GB/s');
    expect(t.inputs.map((i) => i.name)).toEqual(['α', 'hops', 'D', 'P', 'BW']);
    const text = renderExplain(ex);
    expect(text).toContain('all_gather over y,z');
    // A member name finds the fused op too.
    expect(explainLayout(cost, { phase: 'decode', op: 'ffn.a' }).sections.length).toBe(1);
  });
  it('an unknown op lists those that exist', () => {
    const ex = explainLayout(cost, { op: 'ffn.nope' });
    expect(ex.notFound?.available).toContain('ffn.b');
  });
  it('the whole layout', () => {
    const text = renderExplain(explainLayout(cost));
    expect(text).toContain('MFU: 2·N·tokens / (chips·flops_peak·time)');
    expect(text).toContain('memory per chip');
  });
});

describe('cost diagnostics', () => {
  it('comm-bound, memory-bound and better-layout fire once per (layout, phase)', () => {
    const src = `
mesh pod = tpu_v4 { x = 4, y = 4, z = 4 }
model m { layers = 8, E = 4096, F = 16384, H = 64, K = 1, Q = 128, V = 32768, ffn = gelu }
layout slow {
  model = m
  mesh = pod
  workload { batch = 64, prompt = 128, generate = 16 }
  ffn = ws1d
  attention = batch
}`;
    const { layout, cost, analysis } = costShard(src);
    // Variants through the checker's resolver, as analyze and the CLI do it.
    const variants = (phase: 'prefill' | 'decode'): Variant[] => {
      const out: Variant[] = [];
      for (const ffn of ['ws1d', 'ws2d', 'wg_x', 'wg_xy', 'wg_xyz']) {
        const v = analysis.resolver.variant(layout, { [phase]: { ffn, attention: 'batch' } });
        if (v) out.push({ ffn, attention: 'batch', layout: v });
      }
      return out;
    };
    const diags = costDiagnostics(layout, cost, variants);
    const keys = diags.map((d) => `${d.code}/${d.phase}`);
    expect(new Set(keys).size).toBe(keys.length);
    for (const d of diags) expect(d.span).toEqual({ start: layout.decl.name.start, end: layout.decl.name.end });
    const decode = cost.decode.pass;
    const commShare = decode.totals.byBound.comm / decode.latency.value;
    expect(keys.includes('comm-bound/decode')).toBe(commShare > 0.5);
    expect(keys.includes('memory-bound/decode')).toBe(decode.bound === 'memory');
    // This layout is picked to trigger the findings: 1D on 64 chips is comm-bound in prefill and
    // 2D beats it in decode.
    expect(keys).toContain('comm-bound/prefill');
    const better = diags.find((d) => d.code === 'better-layout' && d.phase === 'decode');
    expect(better).toBeDefined();
    // The best variant must be ≥ 1.2× faster per decode step for the hint.
    const best = Math.min(...variants('decode').map((v) => costLayout(v.layout)).filter((c) => c.memory.fits).map((c) => c.decode.pass.latency.value));
    expect(!!better).toBe(decode.latency.value / best >= 1.2);
    if (better) {
      expect(better.severity).toBe('hint');
      expect(better.message).toMatch(/would cut decode latency [0-9.]+×/);
      const fix = better.fixes![0];
      const edited = src.slice(0, fix.edits[0].span.start) + fix.edits[0].newText + src.slice(fix.edits[0].span.end);
      expect(edited).toMatch(/decode \{ ffn = \w+, attention = batch \}/);
      // The edited text still analyses without errors.
      expect(analyze(sourceFromText(edited)).diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    }
  });
});
