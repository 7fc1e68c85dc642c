// The built-in ffn/attention pairs a layout could use instead (for the `better-layout` hint and
// for search): Pope Fig. 2's ffn layouts with Fig. 5's attention shardings, as the prelude marks
// them (prelude/builtins.ts).

import type { Phase, ResolvedLayout } from '../check/resolved';
import type { BlockPair } from '../check/variantBuilder';
import { preludeBuiltins } from '../prelude/builtins';

export type { BlockPair };

/**
 * Every built-in pair: each built-in ffn with each attention sharding the prelude has a family
 * for (`heads` then `batch`; wg_xyz has only `batch`), ffns in the paper's order.
 */
export function builtinPairs(): BlockPair[] {
  const out: BlockPair[] = [];
  for (const ffn of preludeBuiltins().ffns) for (const attention of ffn.attention) out.push({ ffn: ffn.name, attention });
  return out;
}

export interface Variant extends BlockPair {
  layout: ResolvedLayout;
}

/** Resolves a layout with other built-in blocks for one or both phases (the checker provides it). */
export type VariantResolver = (
  layout: ResolvedLayout,
  blocks: { prefill?: BlockPair; decode?: BlockPair },
) => ResolvedLayout | undefined;

/**
 * For each phase, the layout re-resolved with every built-in pair for that phase (the other
 * phase unchanged). Layouts with `attention = none` get no variants: the built-in pairs all
 * carry attention, so they would not be comparable.
 */
export function builtinVariants(layout: ResolvedLayout, resolve: VariantResolver): (phase: Phase) => Variant[] {
  const memo = new Map<Phase, Variant[]>();
  return (phase) => {
    const hit = memo.get(phase);
    if (hit) return hit;
    const list: Variant[] = [];
    if (layout[phase].attention !== null) {
      for (const pair of builtinPairs()) {
        const v = resolve(layout, { [phase]: pair });
        if (v) list.push({ ...pair, layout: v });
      }
    }
    memo.set(phase, list);
    return list;
  };
}
