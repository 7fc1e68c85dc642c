// Sums of figures. The overlap rule itself (each collective under one einsum, Pope §3.5) is
// applied where the statements are summed, in numeric.ts.

import type { Bound, Totals } from './types';

export function emptyTotals(): Totals {
  return { time: 0, flops: 0, commBytes: 0, computeTime: 0, memoryTime: 0, commTime: 0, allToAllTime: 0, byBound: { compute: 0, memory: 0, comm: 0 } };
}

/** A copy of `t`'s sums (explicit fields: object spread is slow on hot paths). */
export function copyTotals(t: Totals): Totals {
  return { time: t.time, flops: t.flops, commBytes: t.commBytes, computeTime: t.computeTime, memoryTime: t.memoryTime, commTime: t.commTime, allToAllTime: t.allToAllTime, byBound: { compute: t.byBound.compute, memory: t.byBound.memory, comm: t.byBound.comm } };
}

/** Add `b` scaled by `k` into `a`. */
export function addTotals(a: Totals, b: Totals, k = 1): void {
  a.time += k * b.time;
  a.flops += k * b.flops;
  a.commBytes += k * b.commBytes;
  a.computeTime += k * b.computeTime;
  a.memoryTime += k * b.memoryTime;
  a.commTime += k * b.commTime;
  a.allToAllTime += k * b.allToAllTime;
  a.byBound.compute += k * b.byBound.compute;
  a.byBound.memory += k * b.byBound.memory;
  a.byBound.comm += k * b.byBound.comm;
}

/** The bound that contributes most latency; ties go to comm, then memory, then compute. */
export function dominantBound(byBound: Record<Bound, number>): Bound {
  if (byBound.comm >= byBound.memory && byBound.comm >= byBound.compute) return 'comm';
  if (byBound.memory >= byBound.compute) return 'memory';
  return 'compute';
}
