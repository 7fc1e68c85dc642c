// Searches keep what the user declared and build only meshes that exist (issue 12):
// `sweep`, `best` and the factorizations re-factor a chip count into other axis sizes but keep
// the mesh's hardware, axis order and per-axis settings; on hardware with network tiers every
// mesh they build puts at most one scale-up domain's chips on NVLink.

import { describe, expect, it } from 'vitest';
import { costLayout } from '../../../server/src/engine/cost/index';
import { axisOrder, costFactorizations, refactoredMesh } from '../../../server/src/engine/search/meshes';
import { sweep } from '../../../server/src/engine/search/sweep';
import { best } from '../../../server/src/engine/search/best';
import { renderSweepCsv, renderSweepText } from '../../../server/src/engine/search/sweepRender';
import type { MeshSpec } from '../../../server/src/engine/check/resolved';
import { analyzed, readRepoFile } from './helpers';

const GB = 1e9;

function axis(mesh: MeshSpec, name: string) {
  return mesh.axes.find((a) => a.name === name)!;
}

const rel = (a: number, b: number) => Math.abs(a - b) / Math.abs(b);

describe('refactoredMesh keeps the declared settings', () => {
  const { layout } = analyzed(`
model tiny { layers = 1, E = 1024, F = 4096, H = 16, K = 16, Q = 64, V = 1024 }
mesh wrapped = tpu_v4 { x = 4, y = 4, z = 4, link_bw_z = 20 GB/s, topology_y = switch, wrap = xz }
mesh plain = tpu_v4 { z = 4, x = 4, y = 4 }
layout a { model = tiny, mesh = wrapped, workload { batch = 64, prompt = 64, generate = 4 }, ffn = ws1d, attention = heads }
layout b { model = tiny, mesh = plain, workload { batch = 64, prompt = 64, generate = 4 }, ffn = ws1d, attention = heads }
`);

  it('per-axis link and topology, and a declared wrap, survive a new shape', () => {
    const m = refactoredMesh(layout('a').mesh, [2, 8, 4]);
    expect(m.axes.map((a) => `${a.name}${a.size}`)).toEqual(['x2', 'y8', 'z4']);
    expect(axis(m, 'z').link_bw).toBe(20 * GB);
    expect(axis(m, 'x').link_bw).toBe(45 * GB);
    expect(axis(m, 'y').topology).toBe('switch');
    // `wrap = xz` is what the user wrote: kept although 2 is not a multiple of 4.
    expect([axis(m, 'x').wrap, axis(m, 'z').wrap]).toEqual([true, true]);
  });

  it('defaults that depend on the sizes are derived again; the axis order is kept', () => {
    const m = refactoredMesh(layout('b').mesh, [2, 8, 4]);
    expect(axisOrder(m)).toEqual(['z', 'x', 'y']);
    // No `wrap` declared: wraparound only when every axis is a multiple of 4, which 2 is not.
    expect(m.axes.every((a) => !a.wrap)).toBe(true);
    expect(refactoredMesh(layout('b').mesh, [4, 4, 4]).axes.every((a) => a.wrap)).toBe(true);
  });
});

describe('report, compare and sweep agree at the layout\'s own chips, batch and shape', () => {
  const { analysis, layout } = analyzed(readRepoFile('examples/llama405b_h100_nodes.shard'), 'test.shard', ['not-divisible']);

  for (const name of ['ws2d_nodes8', 'ws2d_nodes8_by_hand']) {
    it(`${name}: 64 H100s as 8 nodes of 8`, () => {
      const l = layout(name);
      const report = costLayout(l);
      // The factorization at the layout's own shape is the layout itself.
      const own = costFactorizations(analysis, l, 64).trials.find((t) => t.shape.join('x') === '8x8x1')!;
      expect(rel(own.cost.decode.pass.latency.value, report.decode.pass.latency.value)).toBeLessThan(1e-3);
      expect(rel(own.cost.prefill.latency.value, report.prefill.latency.value)).toBeLessThan(1e-3);
      // sweep at the layout's batch: each phase keeps its fastest shape; the layout's own is
      // among those costed, so the sweep is never slower than it and, here, picks it.
      const pt = sweep(analysis, l, { batches: [64] }).points[0];
      expect(pt.decode!.mesh).toBe('8x8x1');
      expect(rel(pt.decode!.latency_s, report.decode.pass.latency.value)).toBeLessThan(1e-3);
      expect(pt.prefill!.batch).toBe(1);
      expect(rel(pt.prefill!.latency_s, report.prefill.latency.value)).toBeLessThan(1e-3);
    });
  }

  it('a mesh declared with tiers by hand and one derived from the preset cost the same', () => {
    expect(costLayout(layout('ws2d_nodes8')).totalLatency.value).toBe(costLayout(layout('ws2d_nodes8_by_hand')).totalLatency.value);
  });
});

describe('sweep --batch keeps a phase\'s own batch and reports fits per phase', () => {
  const { analysis, layout } = analyzed(readRepoFile('examples/palm62b.shard'));
  const l = layout('low_latency_16'); // prefill { batch = 1 }, decode at the workload's 32
  const result = sweep(analysis, l, { batches: [16, 64] });

  it('prefill stays at batch 1 at every point and the text says so', () => {
    expect(result.keptBatch).toEqual({ prefill: 1 });
    for (const pt of result.points) expect([pt.prefill!.batch, pt.decode!.batch]).toEqual([1, pt.batch]);
    expect(renderSweepText(result)).toContain('prefill keeps its own batch = 1');
    const prefillRows = renderSweepCsv(result).split('\n').filter((r) => r.includes(',prefill,'));
    for (const r of prefillRows) expect(r.split(',')[3]).toBe('1');
  });

  it('a phase is "no fit" only when its own memory does not fit', () => {
    // Prefill 1024 prompts of 2048 tokens at once on 8 chips: its activations overflow HBM,
    // while decoding 64 sequences fits. Before, both phases were marked "no fit".
    const { analysis: a2, layout: l2 } = analyzed(`
mesh v4_8 = tpu_v4 { x = 2, y = 2, z = 2 }
layout bulk {
  model = palm_8b
  mesh = v4_8
  workload { batch = 64, prompt = 2048, generate = 8 }
  ffn = ws2d
  attention = heads
  prefill { batch = 1024 }
}`, 'test.shard', ['out-of-memory']);
    const pt = sweep(a2, l2('bulk'), { batches: [64] }).points[0];
    const c = costLayout(l2('bulk'));
    // The premise, from the layout's own memory figures: weights + KV + each phase's activations.
    expect(c.memory.total.prefill.value).toBeGreaterThan(c.memory.hbm);
    expect(c.memory.total.decode.value).toBeLessThanOrEqual(c.memory.hbm);
    expect(pt.prefill!.fits).toBe(false);
    expect(pt.decode!.fits).toBe(true);
    expect(pt.decode!.onFrontier).toBe(true);
  });
});

/** The chips of a mesh that talk over NVLink (the preset's scale-up link), and over the network. */
function nvlinkChips(mesh: MeshSpec, nvlink: number): number {
  let n = 1;
  for (const a of mesh.axes) n *= a.link_bw === nvlink ? a.size : a.scaleUp?.size ?? 1;
  return n;
}

describe('best builds only meshes that exist', () => {
  it('best --chips 64 on H100: at most 8 GPUs on NVLink, the rest on the 50 GB/s network', () => {
    const { analysis, layout } = analyzed(readRepoFile('examples/llama405b_h100_nodes.shard'), 'test.shard', ['not-divisible']);
    const r = best(analysis, layout('ws2d_nodes8'), { chips: [64], dtypes: ['bf16'], top: 8 });
    expect(r.candidates.length).toBeGreaterThan(0);
    for (const c of r.candidates) {
      const nv = nvlinkChips(c.layout.mesh, 450 * GB);
      expect(nv, c.mesh).toBeLessThanOrEqual(8);
      for (const a of c.layout.mesh.axes) if (a.size > 1 && a.link_bw !== 450 * GB) expect(a.link_bw).toBe(50 * GB);
      // The text to paste says which axes are on which tier, or names the file's own mesh,
      // whose declaration says so.
      expect(c.text).toMatch(/^# tiers of h100 \(8 chips per scale-up domain\): |^ {2}mesh = nodes8$/m);
    }
  });

  it('best --chips 128 on GB200 NVL72: at most 72 GPUs on NVLink', () => {
    const { analysis, layout } = analyzed(`
mesh rack = gb200_nvl72 { x = 8, y = 8 }
layout l { model = llama3_70b, mesh = rack, workload { batch = 64, prompt = 2048, generate = 64 }, ffn = ws2d, attention = heads }`, 'test.shard', ['not-divisible']);
    const r = best(analysis, layout('l'), { chips: [128], dtypes: ['bf16'], top: 8 });
    expect(r.candidates.length).toBeGreaterThan(0);
    for (const c of r.candidates) {
      expect(nvlinkChips(c.layout.mesh, 900 * GB), c.mesh).toBeLessThanOrEqual(72);
      expect(c.layout.mesh.axes.some((a) => a.size > 1 && a.tier !== 'scale-up')).toBe(true);
    }
  });
});
