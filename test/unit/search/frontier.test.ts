// The Pareto frontier is exactly the non-dominated set: checked against the O(n²) definition on
// random point sets with many ties (small integer coordinates).

import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { dominates, paretoFrontier } from '../../../server/src/engine/search/frontier';

function bruteForce(points: { cost: number; latency: number }[]): number[] {
  return points.map((_, i) => i).filter((i) => !points.some((q, j) => j !== i && q.cost <= points[i].cost && q.latency <= points[i].latency && (q.cost < points[i].cost || q.latency < points[i].latency)));
}

const pointArb = fc.record({ cost: fc.integer({ min: 0, max: 12 }), latency: fc.integer({ min: 0, max: 12 }) });

describe('paretoFrontier', () => {
  it('equals the brute-force non-dominated set (ties included)', () => {
    fc.assert(fc.property(fc.array(pointArb, { maxLength: 40 }), (points) => {
      expect(paretoFrontier(points)).toEqual(bruteForce(points));
    }), { seed: 20221109, numRuns: 500 });
  });

  it('equals the brute-force set on real-valued points', () => {
    const real = fc.record({ cost: fc.double({ min: 1e-6, max: 1e3, noNaN: true }), latency: fc.double({ min: 1e-6, max: 1e3, noNaN: true }) });
    fc.assert(fc.property(fc.array(real, { maxLength: 60 }), (points) => {
      expect(paretoFrontier(points)).toEqual(bruteForce(points));
    }), { seed: 7, numRuns: 300 });
  });

  it('no frontier point dominates another, and every other point is dominated by one', () => {
    fc.assert(fc.property(fc.array(pointArb, { minLength: 1, maxLength: 30 }), (points) => {
      const front = paretoFrontier(points);
      for (const i of front) for (const j of front) expect(dominates(points[i], points[j])).toBe(false);
      for (let i = 0; i < points.length; i++) if (!front.includes(i)) expect(front.some((j) => dominates(points[j], points[i]))).toBe(true);
    }), { seed: 11, numRuns: 300 });
  });
});
