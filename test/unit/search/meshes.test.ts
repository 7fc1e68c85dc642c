// Mesh factorization: every power-of-two x·y·z of the chip count, and the kept one is the
// lowest latency, ties to the most cubic shape, then the larger x (cli.md "Sweep meshes").

import { describe, expect, it } from 'vitest';
import { costLayout } from '../../../server/src/engine/cost/index';
import { bestFactorization, bestTrial, costFactorizations, meshFactorizations, type FactorizationTrial, type MeshShape } from '../../../server/src/engine/search/meshes';
import { analyzed, readRepoFile } from './helpers';

describe('meshFactorizations', () => {
  it('lists every power-of-two triple whose product is the chip count, once', () => {
    for (const chips of [1, 2, 8, 64, 256]) {
      const expected: string[] = [];
      for (let x = 1; x <= chips; x++) for (let y = 1; y <= chips; y++) for (let z = 1; z <= chips; z++) {
        const pow2 = (n: number) => (n & (n - 1)) === 0;
        if (x * y * z === chips && pow2(x) && pow2(y) && pow2(z)) expected.push(`${x},${y},${z}`);
      }
      expect(meshFactorizations(chips).map((s) => s.join(',')).sort()).toEqual(expected.sort());
    }
    expect(meshFactorizations(48)).toEqual([]);
  });

  it('applies the axis rule to axes longer than 1', () => {
    const shapes = meshFactorizations(64, { minAxis: 4, maxAxis: 16 });
    expect(shapes.length).toBeGreaterThan(0);
    for (const s of shapes) for (const a of s) expect(a === 1 || (a >= 4 && a <= 16)).toBe(true);
    expect(shapes.map((s) => s.join('x'))).toContain('4x4x4');
    expect(shapes.map((s) => s.join('x'))).not.toContain('2x4x8');
  });
});

describe('bestTrial ties', () => {
  const fake = (shape: MeshShape, latency: number): FactorizationTrial => ({ shape, layout: undefined as never, cost: { totalLatency: { value: latency } } as never });
  it('prefers the most cubic shape, then the larger x', () => {
    expect(bestTrial([fake([1, 1, 64], 1), fake([4, 4, 4], 1), fake([2, 4, 8], 1)])!.shape).toEqual([4, 4, 4]);
    expect(bestTrial([fake([2, 4, 4], 1), fake([4, 2, 4], 1), fake([4, 4, 2], 1)])!.shape).toEqual([4, 4, 2]);
    expect(bestTrial([fake([4, 4, 4], 2), fake([1, 8, 8], 1)])!.shape).toEqual([1, 8, 8]);
  });
});

describe('bestFactorization', () => {
  it('keeps the lowest total latency among all factorizations (brute force with costLayout)', () => {
    const { analysis, layout } = analyzed(readRepoFile('examples/palm62b.shard'));
    const l = layout('low_latency_16');
    const result = costFactorizations(analysis, l, 16);
    expect(result.trials.length + result.rejected.length).toBe(meshFactorizations(16).length);
    const min = Math.min(...result.trials.map((t) => costLayout(t.layout).totalLatency.value));
    const chosen = bestFactorization(analysis, l, 16)!;
    expect(chosen.cost.totalLatency.value).toBe(min);
    expect(chosen.layout.mesh.chips).toBe(16);
  });
});
