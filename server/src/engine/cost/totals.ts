// Sums of figures. The overlap rule itself (each collective under one einsum, Pope §3.5) is
// applied where the statements are summed, in numeric.ts.

import type { Bound, Totals } from './types';

export function emptyTotals(): Totals {
  return { time_s: 0, flops: 0, comm_bytes: 0, compute_s: 0, memory_s: 0, comm_s: 0, byBound: { compute: 0, memory: 0, comm: 0 } };
}

/** A copy of `t`'s sums (explicit fields: object spread is slow on hot paths). */
export function copyTotals(t: Totals): Totals {
  return { time_s: t.time_s, flops: t.flops, comm_bytes: t.comm_bytes, compute_s: t.compute_s, memory_s: t.memory_s, comm_s: t.comm_s, byBound: { compute: t.byBound.compute, memory: t.byBound.memory, comm: t.byBound.comm } };
}

/** Add `b` scaled by `k` into `a`. */
export function addTotals(a: Totals, b: Totals, k = 1): void {
  a.time_s += k * b.time_s;
  a.flops += k * b.flops;
  a.comm_bytes += k * b.comm_bytes;
  a.compute_s += k * b.compute_s;
  a.memory_s += k * b.memory_s;
  a.comm_s += k * b.comm_s;
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
