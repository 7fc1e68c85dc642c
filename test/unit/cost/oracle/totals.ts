// TEST ORACLE: the explained cost path as it was before the operation table (commit 3b078e5),
// kept only to check the one cost path against an independent reading of the same rules.

// Sums of op figures and the overlap rule (cost-model.md §3): with `overlap = collective_einsum`
// each collective runs under one einsum (Looped CollectiveEinsum, Pope §3.5), and the pair takes
// max(t_einsum, Σ t_collectives) instead of the sum.

import { isCollective } from './collectives';
import type { Bound, OpCost, Totals } from '../../../../server/src/engine/cost/types';
import { emptyTotals } from '../../../../server/src/engine/cost/totals';

export type Overlap = 'none' | 'collective_einsum';

export interface OverlapGroup {
  einsum: string;
  collectives: string[];
  time_s: number;
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
    if (o.op === 'all_to_all') t.allToAllTime += o.commTime.value;
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




