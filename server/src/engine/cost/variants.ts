// The built-in ffn/attention pairs a layout could use instead (for the `better-layout` hint and
// for search): Pope Fig. 2's ffn layouts with Fig. 5's attention shardings.

import type { Phase, ResolvedLayout } from '../check/resolved';

/** Built-in ffn blocks, in the order the paper introduces them. */
export const BUILTIN_FFNS = ['ws1d', 'ws2d', 'wg_x', 'wg_xy', 'wg_xyz'] as const;

export const FFN_TITLES: Record<string, string> = {
  ws1d: '1D weight-stationary',
  ws2d: '2D weight-stationary',
  wg_x: 'X-weight-gathered',
  wg_xy: 'XY-weight-gathered',
  wg_xyz: 'XYZ-weight-gathered',
};

export interface BlockPair {
  ffn: string;
  attention: string;
}

/** Every built-in pair: each ffn with `heads` and `batch` attention (wg_xyz has only `batch`). */
export function builtinPairs(): BlockPair[] {
  const out: BlockPair[] = [];
  for (const ffn of BUILTIN_FFNS) {
    if (ffn !== 'wg_xyz') out.push({ ffn, attention: 'heads' });
    out.push({ ffn, attention: 'batch' });
  }
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
