// The better-layout search skips work (whole phases whose alternatives cannot fit, alternatives
// costed once per configuration) and the report builds its op figures from numbers only; neither
// may change a finding or a figure. Here the findings of a varied file are held to a brute force
// written from the rule alone (language.md §3, cost/diagnostics.ts): for each layout and phase,
// every built-in pair resolved and costed in full, the fastest that fits (first of equals), a hint
// when it is at least BETTER_LAYOUT_FACTOR× faster. And every layer op of the report's JSON is
// held to the explained figures that hovers and `explain` show.

import { describe, expect, it } from 'vitest';
import { analyze, sourceFromText, type Analysis } from '../../../server/src/engine/index';
import { buildReport } from '../../../server/src/engine/report/json';
import { costLayout, costPhasePass } from '../../../server/src/engine/cost/layout';
import { costMemory } from '../../../server/src/engine/cost/memory';
import { builtinPairs } from '../../../server/src/engine/cost/variants';
import { BETTER_LAYOUT_FACTOR } from '../../../server/src/engine/cost/diagnostics';
import { layerRowsOf } from '../../../server/src/engine/cost/sequenceFigures';
import { PHASES, type Phase, type ResolvedLayout } from '../../../server/src/engine/check/resolved';
import type { LayoutCost } from '../../../server/src/engine/cost/types';

/**
 * A file like a sweep's, but varied: meshes from 8 to 256 chips (TPU torus, GPU switch, and
 * prefill and decode on meshes of their own), dense models of three sizes (one at int8, one with
 * GQA) and an MoE model, batches from 1 (everything fits) to 65,536 (nothing does, for either
 * phase's alternatives), per-phase blocks, overlap, and a pipeline.
 */
function variedFile(): string {
  const lines = [
    'mesh pod8 = tpu_v4 { x = 2, y = 2, z = 2 }',
    'mesh pod64 = tpu_v4 { x = 4, y = 4, z = 4 }',
    'mesh pod256 = tpu_v4 { x = 4, y = 8, z = 8 }',
    'mesh v4_32 = tpu_v4 { x = 2, y = 4, z = 4 }',
    'mesh dgx = h100 { x = 8 }',
    'mesh nodes = h100 { x = 8, y = 8 }',
  ];
  const meshes = ['pod8', 'pod64', 'pod256', 'dgx', 'nodes'];
  const models = ['palm_62b', 'palm_540b', 'palm_8b', 'palm_540b { weights = int8 }', 'llama3_70b'];
  const blocks = [
    'ffn = ws2d\n  attention = batch',
    'ffn = ws1d\n  attention = heads',
    'ffn = wg_xyz\n  attention = batch',
    'prefill { ffn = wg_xyz, attention = batch }\n  decode { ffn = ws2d, attention = heads }',
    'ffn = ws2d\n  prefill { batch = 1, attention = heads }\n  decode { attention = batch }',
  ];
  const batches = [1, 16, 64, 256, 1024, 4096, 65536];
  let i = 0;
  for (const batch of batches) {
    for (const mesh of meshes) {
      const model = models[i % models.length];
      const block = blocks[Math.floor(i / models.length) % blocks.length];
      // One layout in three overlaps its collectives.
      lines.push(`layout l${i} {\n  model = ${model}\n  mesh = ${mesh}\n  workload { batch = ${batch}, prompt = ${512 * (1 + (i % 4))}, generate = 64 }\n  ${block}${i % 3 === 0 ? '\n  overlap = collective_einsum' : ''}\n}`);
      i++;
    }
  }
  // Prefill and decode on meshes of their own (the KV cache sent between them), an MoE model and
  // a pipeline, at a batch that fits and one that does not.
  for (const batch of [8, 512, 32768]) {
    lines.push(`layout apart${batch} {\n  model = palm_62b\n  workload { batch = ${batch}, prompt = 2048, generate = 64 }\n  prefill { mesh = v4_32, ffn = wg_xyz, attention = batch }\n  decode { mesh = pod8, ffn = ws2d, attention = batch }\n}`);
    lines.push(`layout moe${batch} {\n  model = mixtral_8x22b\n  mesh = nodes\n  workload { batch = ${batch}, prompt = 1024, generate = 64 }\n}`);
    lines.push(`layout piped${batch} {\n  model = llama3_70b\n  mesh = nodes\n  workload { batch = ${batch}, prompt = 2048, generate = 64 }\n  pipeline = y\n  microbatches = 8\n  ffn = ws1d\n  attention = heads\n}`);
  }
  return lines.join('\n') + '\n';
}

interface Expected {
  layout: string;
  phase: Phase;
  ffn: string;
  attention: string;
}

/** The latency a phase is judged by, written out: the whole prefill, or one decode step. */
function judged(cost: LayoutCost, phase: Phase): number {
  return phase === 'prefill' ? cost.prefill.latency.value : cost.decode.pass.latency.value;
}

/**
 * The search done the long way: every built-in pair of the phase resolved, its phase's pass costed
 * and its memory costed with that pass's activations and the layout's other phase's, nothing
 * skipped and nothing shared between layouts.
 */
function bruteForce(analysis: Analysis): Expected[] {
  const out: Expected[] = [];
  for (const layout of analysis.layouts) {
    const cost = costLayout(layout);
    for (const phase of PHASES) {
      if (layout[phase].attention === null) continue;
      const other: Phase = phase === 'prefill' ? 'decode' : 'prefill';
      let best: { pair: { ffn: string; attention: string }; t: number } | undefined;
      for (const pair of builtinPairs(layout.model)) {
        const v: ResolvedLayout | undefined = analysis.resolver.variant(layout, { [phase]: pair });
        if (!v) continue;
        const pass = costPhasePass(v, phase);
        const t = pass.latency.value;
        if (!(t > 0)) continue;
        const activations = { [phase]: pass.activationBytes, [other]: cost[other].pass.activationBytes } as { prefill: number; decode: number };
        if (!costMemory(v, activations).fits) continue;
        if (!best || t < best.t) best = { pair, t };
      }
      if (best && judged(cost, phase) / best.t >= BETTER_LAYOUT_FACTOR) out.push({ layout: layout.name, phase, ...best.pair });
    }
  }
  return out;
}

const key = (e: { layout?: string; phase?: string }) => `${e.layout} ${e.phase}`;

describe('the better-layout search', () => {
  const text = variedFile();
  // As `shardlens report` runs it (the report costs and searches), and as the editor does (the
  // analysis does); both against the brute force.
  const forReport = analyze(sourceFromText(text, 'file:///varied.shard'), { cost: false });
  const analysed = analyze(sourceFromText(text, 'file:///varied.shard'));
  const expected = bruteForce(forReport);

  it('covers what it should: hints, layouts that fit and layouts past HBM in either phase', () => {
    expect(forReport.layouts.length).toBeGreaterThan(30);
    expect(expected.length).toBeGreaterThan(5);
    expect(new Set(expected.map((e) => e.phase))).toEqual(new Set(['prefill', 'decode']));
    const costs = forReport.layouts.map((l) => ({ l, c: costLayout(l) }));
    expect(costs.some(({ c }) => c.memory.fits)).toBe(true);
    // Layouts whose prefill activations alone, or decode cache and activations, exceed HBM: the
    // phases the search skips without resolving an alternative.
    expect(costs.some(({ l, c }) => c.prefill.pass.activationBytes > l.mesh.hardware.hbm)).toBe(true);
    expect(costs.some(({ l, c }) => c.memory.kv.value + c.decode.pass.activationBytes > l.mesh.hardware.hbm)).toBe(true);
  });

  it('finds in a report exactly what the brute force finds, layout by layout and phase by phase', () => {
    const report = buildReport(forReport);
    const found = report.diagnostics.filter((d) => d.code === 'better-layout');
    expect(found.map(key).sort()).toEqual(expected.map(key).sort());
    for (const e of expected) {
      const d = found.find((f) => key(f) === key(e))!;
      expect(d.message).toContain(`(${e.ffn} + ${e.attention})`);
    }
  });

  it('finds while analysing exactly the same, with a quick fix to the same pair', () => {
    const found = analysed.diagnostics.filter((d) => d.code === 'better-layout');
    expect(found.map((d) => key({ layout: d.layout!, phase: d.phase! })).sort()).toEqual(expected.map(key).sort());
    for (const e of expected) {
      const d = found.find((f) => f.layout === e.layout && f.phase === e.phase)!;
      expect(d.fixes?.[0]?.title).toBe(`Use ${e.ffn} + ${e.attention} for ${e.phase}`);
    }
  });

  it('reports the same findings of every kind either way', () => {
    const report = buildReport(forReport);
    const viaAnalysis = buildReport(analysed);
    const strip = (r: typeof report) => r.diagnostics.map((d) => `${d.code} ${d.layout ?? ''} ${d.phase ?? ''} ${d.message}`);
    expect(strip(report)).toEqual(strip(viaAnalysis));
  });
});

describe('the report’s layer figures', () => {
  const analysis = analyze(sourceFromText(variedFile(), 'file:///varied.shard'), { cost: false });

  it('are the values of the explained figures, op by op', () => {
    let ops = 0;
    for (const layout of analysis.layouts) {
      const cost = costLayout(layout);
      for (const phase of PHASES) {
        for (const pass of phase === 'decode' ? [cost.decode.pass, cost.decode.lastStep!] : [cost.prefill.pass]) {
          const rows = layerRowsOf(pass);
          const l = pass.layer;
          expect({ time: rows.time, commBytes: rows.commBytes, flops: rows.flops }).toEqual({ time: l.time, commBytes: l.commBytes, flops: l.flops });
          expect(rows.blocks.ffn).toEqual({ block: l.blocks.ffn.block, time: l.blocks.ffn.time, commBytes: l.blocks.ffn.commBytes, flops: l.blocks.ffn.flops });
          expect(rows.blocks.attention).toEqual(l.blocks.attention ? { block: l.blocks.attention.block, time: l.blocks.attention.time, commBytes: l.blocks.attention.commBytes, flops: l.blocks.attention.flops } : null);
          expect(rows.ops.length).toBe(l.ops.length);
          rows.ops.forEach((r, i) => {
            const o = l.ops[i];
            expect(r).toEqual({
              block: o.role, name: o.name, op: o.op, axes: o.axes, type: o.type, fused: o.fused,
              flops: o.flops.value, bytes: o.bytes.value, comm_bytes: o.commBytes.value, t_compute_s: o.computeTime.value,
              t_memory_s: o.memoryTime.value, t_comm_s: o.commTime.value, time_s: o.time.value, bound: o.bound,
            });
            ops++;
          });
        }
      }
    }
    expect(ops).toBeGreaterThan(1000);
  });
});
