// The built-in ffn/attention pairs a layout could use instead (for the `better-layout` hint and
// for search): Pope Fig. 2's ffn layouts with Fig. 5's attention shardings, as the prelude marks
// them (prelude/builtins.ts).

import type { ModelSpec, Phase, ResolvedLayout } from '../check/resolved';
import type { BlockPair } from '../check/variantBuilder';
import { preludeBuiltins } from '../prelude/builtins';
import { attentionFamilyName } from '../prelude/names';

export type { BlockPair };

/**
 * Every built-in pair: each built-in ffn with each attention sharding the prelude has a family
 * for (`heads` then `batch`; wg_xyz has only `batch`), ffns in the paper's order. For a model with
 * routed experts (X > 1), the built-in MoE ffns instead (prelude/moe.shard), each with the
 * attention families of the dense ffns its `@builtin-moe` mark names (`moe_ws` with `ws2d_heads`,
 * `ws2d_batch`, `ws1d_heads`, `ws1d_batch`): a dense ffn on an MoE model, or the reverse, would be
 * costed as another model. On an MLA model a family picks its MLA member (check/blockLookup.ts),
 * so the same pairs serve it.
 */
export function builtinPairs(model?: ModelSpec): BlockPair[] {
  const out: BlockPair[] = [];
  const builtins = preludeBuiltins();
  if (model && model.dims.X > 1) {
    for (const moe of builtins.moeFfns) {
      for (const dense of moe.dense) {
        const shardings = builtins.ffns.find((f) => f.name === dense)?.attention ?? [];
        for (const sharding of shardings) out.push({ ffn: moe.name, attention: attentionFamilyName(dense, sharding) });
      }
    }
    return out;
  }
  for (const ffn of builtins.ffns) for (const attention of ffn.attention) out.push({ ffn: ffn.name, attention });
  return out;
}

/** The built-in ffn names a search tries for a model: the MoE ones on a model with experts, else the dense ones. */
export function builtinFfnsFor(model: ModelSpec): string[] {
  const builtins = preludeBuiltins();
  return model.dims.X > 1 ? builtins.moeFfns.map((f) => f.name) : builtins.ffns.map((f) => f.name);
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
      for (const pair of builtinPairs(layout.model)) {
        const v = resolve(layout, { [phase]: pair });
        if (v) list.push({ ...pair, layout: v });
      }
    }
    memo.set(phase, list);
    return list;
  };
}
