// TEST ORACLE: the explained cost path as it was before the operation table (commit 3b078e5),
// kept only to check the one cost path against an independent reading of the same rules.

// Activation memory of a sequence of ops (cost-model.md §4): a value is live from its statement
// to its last use; the layer input is live throughout. Weights and caches are not activations; a
// gathered weight counts in full, or as 2/P of itself under overlap (double-buffered chunks).

import { isCollective } from './collectives';
import type { AxisSizes } from '../../../../server/src/engine/cost/sizes';
import type { OpCost } from '../../../../server/src/engine/cost/types';

export interface LivenessInput {
  ops: readonly OpCost[];
  /** Ids of values live for the whole sequence (the layer input) and their bytes. */
  pinned: Map<string, number>;
  /** Ids of stored weights and caches (not activations). */
  stored: ReadonlySet<string>;
  /** Ids that stay live until the end (a block output feeding the next block). */
  liveToEnd?: ReadonlySet<string>;
  overlap: 'none' | 'collective_einsum';
  axisSizes: AxisSizes;
}

export function peakActivationBytes(inp: LivenessInput): number {
  const { ops } = inp;
  const n = ops.length;
  const lastUse = new Map<string, number>();
  ops.forEach((o, i) => {
    lastUse.set(o.id, Math.max(lastUse.get(o.id) ?? i, i));
    for (const u of o.uses) lastUse.set(u, i);
  });
  if (inp.liveToEnd) for (const id of inp.liveToEnd) if (lastUse.has(id)) lastUse.set(id, n - 1);

  // Bytes each op's result occupies while live.
  const gathered = new Set<string>(inp.stored);
  const held: number[] = ops.map((o) => {
    if (o.op === 'append') return 0; // the cache, updated in place
    if (isCollective(o.op) && o.uses.length && gathered.has(o.uses[0])) {
      gathered.add(o.id);
      if (inp.overlap === 'none') return o.resultBytes;
      const P = [...o.axes].reduce((p, a) => p * (inp.axisSizes.get(a) ?? 1), 1);
      return P > 1 ? (2 / P) * o.resultBytes : o.resultBytes;
    }
    return o.resultBytes;
  });
  let pinned = 0;
  for (const b of inp.pinned.values()) pinned += b;
  let peak = pinned;
  // Sweep: add a value at its definition, drop it after its last use.
  const releaseAt: number[][] = Array.from({ length: n }, () => []);
  ops.forEach((o, i) => releaseAt[lastUse.get(o.id) ?? i].push(i));
  let live = pinned;
  for (let i = 0; i < n; i++) {
    if (!inp.pinned.has(ops[i].id)) live += held[i];
    if (live > peak) peak = live;
    for (const j of releaseAt[i]) if (!inp.pinned.has(ops[j].id)) live -= held[j];
  }
  return peak;
}
