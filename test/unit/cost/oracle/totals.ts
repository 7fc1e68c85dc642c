// TEST ORACLE: the explained cost path as it was before the operation table (commit 3b078e5),
// kept only to check the one cost path against an independent reading of the same rules.

// Sums of op figures and the overlap rule (cost-model.md §3): with `overlap = collective_einsum`
// each collective runs under one einsum (Looped CollectiveEinsum, Pope §3.5), and the pair takes
// max(t_einsum, Σ t_collectives) instead of the sum.

import { isCollective } from './collectives';
import type { Bound, OpCost, Totals } from '../../../../server/src/engine/cost/types';

export type Overlap = 'none' | 'collective_einsum';

export interface OverlapGroup {
  einsum: string;
  collectives: string[];
  time_s: number;
}

export function emptyTotals(): Totals {
  return { time: 0, flops: 0, commBytes: 0, computeTime: 0, memoryTime: 0, commTime: 0, byBound: { compute: 0, memory: 0, comm: 0 } };
}

/**
 * Pair each collective with the einsum that consumes its result, or else with the einsum that
 * produced its operand. Returns einsum index → collective indices.
 */
export function pairCollectives(ops: readonly OpCost[]): Map<number, number[]> {
  const groups = new Map<number, number[]>();
  const definedAt = new Map<string, number>();
  ops.forEach((o, i) => definedAt.set(o.id, i));
  for (let i = 0; i < ops.length; i++) {
    const c = ops[i];
    if (!isCollective(c.op) || c.time.value === 0) continue;
    let partner = -1;
    for (let j = i + 1; j < ops.length; j++) {
      if (ops[j].op === 'einsum' && ops[j].uses.includes(c.id)) { partner = j; break; }
    }
    if (partner < 0) {
      const p = c.uses.length ? definedAt.get(c.uses[0]) : undefined;
      if (p !== undefined && ops[p].op === 'einsum') partner = p;
    }
    if (partner < 0) continue;
    const list = groups.get(partner) ?? [];
    list.push(i);
    groups.set(partner, list);
  }
  return groups;
}

/** Totals of a list of ops run in order, with or without overlap. */
export function sumOps(ops: readonly OpCost[], overlap: Overlap): { totals: Totals; groups: OverlapGroup[] } {
  const t = emptyTotals();
  for (const o of ops) {
    t.flops += o.flops.value;
    t.commBytes += o.commBytes.value;
    t.computeTime += o.computeTime.value;
    t.memoryTime += o.memoryTime.value;
    t.commTime += o.commTime.value;
  }
  const groups: OverlapGroup[] = [];
  const paired = new Set<number>();
  if (overlap === 'collective_einsum') {
    for (const [e, cs] of pairCollectives(ops)) {
      const te = ops[e].time.value;
      const tc = cs.reduce((s, i) => s + ops[i].time.value, 0);
      const time = Math.max(te, tc);
      t.time += time;
      // The group's latency belongs to whichever side it waits for.
      const bound: Bound = tc >= te ? 'comm' : ops[e].bound;
      t.byBound[bound] += time;
      paired.add(e);
      for (const i of cs) paired.add(i);
      groups.push({ einsum: ops[e].id, collectives: cs.map((i) => ops[i].id), time_s: time });
    }
  }
  ops.forEach((o, i) => {
    if (paired.has(i)) return;
    t.time += o.time.value;
    t.byBound[o.bound] += o.time.value;
  });
  return { totals: t, groups };
}

/** A copy of `t`'s sums (explicit fields: object spread is slow on hot paths). */
export function copyTotals(t: Totals): Totals {
  return { time: t.time, flops: t.flops, commBytes: t.commBytes, computeTime: t.computeTime, memoryTime: t.memoryTime, commTime: t.commTime, byBound: { compute: t.byBound.compute, memory: t.byBound.memory, comm: t.byBound.comm } };
}

/** Add `b` scaled by `k` into `a`. */
export function addTotals(a: Totals, b: Totals, k = 1): void {
  a.time += k * b.time;
  a.flops += k * b.flops;
  a.commBytes += k * b.commBytes;
  a.computeTime += k * b.computeTime;
  a.memoryTime += k * b.memoryTime;
  a.commTime += k * b.commTime;
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

export function opTotals(o: OpCost): Totals {
  return sumOps([o], 'none').totals;
}
