// sweep and best on a layout whose phases run on two meshes (two pools, disaggregated serving):
// each pool is re-factored from its own mesh and chip count, the sweep's figures at the layout's
// own configuration agree with `report`, best agrees with a brute force over both pools' shapes,
// a request's cost counts each pool's chips for its own phase, and the pasted text keeps two pools.

import { describe, expect, it } from 'vitest';
import { costLayout } from '../../../server/src/engine/cost/index';
import { best } from '../../../server/src/engine/search/best';
import { renderBestText } from '../../../server/src/engine/search/bestRender';
import { sweep } from '../../../server/src/engine/search/sweep';
import { layoutVariant } from '../../../server/src/engine/search/common';
import { meshFactorizations, refactoredMesh } from '../../../server/src/engine/search/meshes';
import type { BlockPair } from '../../../server/src/engine/search/common';
import type { ResolvedLayout } from '../../../server/src/engine/check/resolved';
import { analyzed, readRepoFile } from './helpers';

const POOLED = `
mesh pre8 = tpu_v4 { x = 2, y = 2, z = 2 }
mesh dec4 = tpu_v4 { x = 2, y = 2 }
layout split {
  model = palm_8b
  workload { batch = 16, prompt = 512, generate = 32 }
  prefill { mesh = pre8, ffn = ws2d, attention = heads }
  decode  { mesh = dec4, ffn = ws2d, attention = batch }
}
`;

const close = (a: number, b: number, rel = 1e-9) => expect(Math.abs(a - b) / Math.abs(b)).toBeLessThan(rel);

describe('sweep on two pools', () => {
  const { analysis, layout } = analyzed(readRepoFile('examples/palm62b.shard'));
  const ht = layout('high_throughput');
  const r = sweep(analysis, ht, { batches: [512] });
  const report = costLayout(ht);

  it('sweeps both pools\' own chip counts by default', () => {
    expect(ht.prefill.mesh.chips).toBe(32);
    expect(ht.decode.mesh.chips).toBe(8);
    expect(r.chips).toEqual([8, 32]);
  });

  it('agrees with report at each pool\'s own chips, batch and shape', () => {
    const at = (chips: number) => r.points.find((p) => p.chips === chips && p.batch === 512)!;
    // The prefill pool is 2x4x4 (32 chips); the fastest 32-chip shape is at most the declared one.
    expect(at(32).prefill!.latency_s).toBeLessThanOrEqual(report.prefill.latency.value * (1 + 1e-3));
    expect(at(8).decode!.latency_s).toBeLessThanOrEqual(report.decode.pass.latency.value * (1 + 1e-3));
    // The pool's fit is its own: 512 prompts of 2048 tokens fit on 32 chips, not on 8.
    expect(at(32).prefill!.fits).toBe(true);
    expect(at(8).prefill!.fits).toBe(false);
    // The marked current point is each pool as declared.
    expect(r.current.prefill.chips).toBe(32);
    expect(r.current.decode.chips).toBe(8);
    close(r.current.prefill.latency_s, report.prefill.latency.value);
    close(r.current.decode.latency_s, report.decode.pass.latency.value);
  });

  it('costs a pool\'s shape with the other pool as declared', () => {
    // The declared shapes of both pools are among the factorizations: the figures there are report's.
    const mesh32 = refactoredMesh(ht.prefill.mesh, [2, 4, 4]);
    const v = layoutVariant(analysis, ht, { mesh: mesh32 });
    expect(v).toBeDefined();
    const point = r.points.find((p) => p.chips === 32)!;
    expect(point.prefill!.latency_s).toBeLessThanOrEqual(report.prefill.latency.value * (1 + 1e-9));
  });
});

/** Every pair of prefill shape × decode shape × the given block pairs, costed in full. */
function bruteForce(layout: ResolvedLayout, analysisText: string, pairs: { prefill: BlockPair[]; decode: BlockPair[] }, objective: 'latency' | 'cost'): number[] {
  const { analysis } = analyzed(analysisText);
  // best shows permutations of both pools' shapes with the same blocks and figures as one
  // candidate: one entry per (figure, blocks, each pool's sizes in any order).
  const out = new Map<string, number>();
  const tokens = layout.prefill.workload.batch * layout.prefill.workload.prompt + layout.decode.workload.batch * layout.decode.workload.generate;
  for (const ps of meshFactorizations(layout.prefill.mesh.chips)) for (const ds of meshFactorizations(layout.decode.mesh.chips)) {
    for (const p of pairs.prefill) for (const d of pairs.decode) {
      // Each phase on its own mesh: the variant of each phase, joined.
      const pre = layoutVariant(analysis, layout, { mesh: refactoredMesh(layout.prefill.mesh, ps), blocks: { prefill: p, decode: d } });
      const dec = layoutVariant(analysis, layout, { mesh: refactoredMesh(layout.decode.mesh, ds), blocks: { prefill: p, decode: d } });
      if (!pre || !dec) continue;
      const joined: ResolvedLayout = { ...dec, prefill: pre.prefill, decode: dec.decode, mesh: dec.decode.mesh, unembed: dec.decode.unembed };
      const c = costLayout(joined);
      if (!c.memory.fits) continue;
      // Each pool's chips for its own phase's time; the KV transfer is charged to the link.
      const chipSeconds = layout.prefill.mesh.chips * c.prefill.latency.value + layout.decode.mesh.chips * c.decode.latency.value;
      const value = objective === 'latency' ? c.totalLatency.value : chipSeconds / tokens;
      out.set([value.toPrecision(12), p.ffn, d.ffn, [...ps].sort().join(), [...ds].sort().join()].join(' '), value);
    }
  }
  return [...out.values()].sort((a, b) => a - b);
}

describe('best on two pools', () => {
  const { analysis, layout } = analyzed(POOLED);
  const split = layout('split');
  const pairs = {
    prefill: [{ ffn: 'ws2d', attention: 'heads' }, { ffn: 'ws1d', attention: 'heads' }],
    decode: [{ ffn: 'ws2d', attention: 'batch' }, { ffn: 'ws1d', attention: 'batch' }],
  };

  for (const objective of ['latency', 'cost'] as const) {
    it(`agrees with a brute force over both pools' shapes (${objective})`, () => {
      const brute = bruteForce(split, POOLED, pairs, objective);
      expect(brute.length).toBeGreaterThan(5);
      const r = best(analysis, split, { objective, top: 5, pairs });
      const got = r.candidates.map((c) => (objective === 'latency' ? c.latency_s : c.cost_chip_s_per_token));
      expect(got.length).toBe(5);
      got.forEach((v, i) => close(v, brute[i]));
    });
  }

  it('keeps each pool on its own chip count and says so', () => {
    const r = best(analysis, split, { top: 3 });
    expect(r.pooled).toBe(true);
    for (const c of r.candidates) {
      expect(c.pools?.prefill.chips).toBe(8);
      expect(c.pools?.decode.chips).toBe(4);
      expect(c.chips).toBe(12);
      // Cost: 8 chips for the prefill's time and 4 for the decode's, per request token.
      const tokens = 16 * 512 + 16 * 32;
      close(c.cost_chip_s_per_token, (8 * c.prefill_latency_s + 4 * c.decode_latency_s) / tokens);
    }
    expect(renderBestText(r)).toMatch(/each pool's chips × its phase's time/);
  });

  it('pastes text with two pools that reproduces the figures, even when both pools have one shape', () => {
    const r = best(analysis, split, { top: 4, chips: [4, 8] });
    expect(r.candidates.length).toBeGreaterThan(0);
    const combined = `${POOLED}\n${r.candidates.map((c) => c.text).join('\n')}`;
    const after = analyzed(combined, 'combined.shard');
    for (const c of r.candidates) {
      const name = /layout (\w+) \{/.exec(c.text)![1];
      const l = after.layout(name);
      const cost = costLayout(l);
      close(cost.totalLatency.value, c.latency_s, 1e-12);
      if (c.pools) {
        expect(l.prefill.mesh.chips).toBe(c.pools.prefill.chips);
        expect(l.decode.mesh.chips).toBe(c.pools.decode.chips);
        expect(cost.kvTransfer).toBeDefined();
      } else {
        expect(l.mesh.chips).toBe(c.chips);
      }
    }
  });
});
