// The block pairs `best` tries for a phase: the built-in pairs (cost/variants.ts), the built-in
// partial-axis batch families of each built-in ffn (prelude/partial_batch.shard: `ws2d_batch_xy`,
// `ws2d_batch_x`), and the file's own blocks. A pair whose blocks do not fit together (residual
// streams that disagree, another model's kind, dims smaller than their shards) is dropped by the
// variant builder, so listing one costs nothing but the look-up.

import type { Analysis } from '../analysis';
import type { CheckedBlock, MeshSpec, Phase, ResolvedLayout } from '../check/resolved';
import { builtinFfnsFor, builtinPairs, type BlockPair } from '../cost/variants';
import { ATTENTION_SHARDINGS, attentionFamilyName, familyOfMember, NO_ATTENTION } from '../prelude/names';

/** How a layout names an attention block: its family when it is a member (`ws2d_batch_xy`), else its name. */
function writtenName(block: CheckedBlock): string {
  return familyOfMember(block.name) ?? block.name;
}

/**
 * Built-in attention families that shard the batch over some axes only, per built-in ffn: the
 * prelude's `<ffn>_batch_<axes>` families (names.ts conventions), in prelude order.
 */
function partialBatchFamilies(blocks: Iterable<CheckedBlock>, ffn: string): string[] {
  const prefix = `${attentionFamilyName(ffn, 'batch')}_`;
  const out: string[] = [];
  for (const b of blocks) {
    if (!b.isPrelude || b.kind !== 'attention') continue;
    const family = familyOfMember(b.name);
    if (family && family.startsWith(prefix) && /^[a-z]+$/.test(family.slice(prefix.length)) && !out.includes(family)) out.push(family);
  }
  return out;
}

/** Every pair `best` tries for one phase of `layout`, each once, built-ins first. */
export function searchPairs(analysis: Analysis, layout: ResolvedLayout, phase: Phase): BlockPair[] {
  const blocks = [...analysis.blocks.values()];
  const own = blocks.filter((b) => !b.isPrelude && b.ok);
  const ownFfns = own.filter((b) => b.kind === 'ffn').map((b) => b.name);
  // The built-ins of the model's kind: the MoE ffns on a model with experts (cost/variants.ts).
  const builtinFfns = builtinFfnsFor(layout.model);
  const ffns = [...builtinFfns, ...ownFfns];
  const out: BlockPair[] = [];
  const seen = new Set<string>();
  const add = (ffn: string, attention: string) => {
    const key = `${ffn}+${attention}`;
    if (!seen.has(key)) {
      seen.add(key);
      out.push({ ffn, attention });
    }
  };
  if (layout[phase].attention === null) {
    for (const ffn of ffns) add(ffn, NO_ATTENTION);
    return out;
  }
  for (const p of builtinPairs(layout.model)) add(p.ffn, p.attention);
  for (const ffn of builtinFfns) for (const family of partialBatchFamilies(blocks, ffn)) add(ffn, family);
  // The file's own blocks: its ffns with their own families, and its attention blocks with every ffn.
  for (const ffn of ownFfns) for (const sharding of ATTENTION_SHARDINGS) add(ffn, sharding);
  const ownAttention = [...new Set(own.filter((b) => b.kind === 'attention').map(writtenName))];
  for (const ffn of ffns) for (const attention of ownAttention) add(ffn, attention);
  return out;
}

/**
 * A partial-axis batch family (`ws2d_batch_xy`) on a mesh where every axis it leaves out has size
 * 1: the same blocks' figures as the ffn's full `batch` family, so a search tries only that one.
 */
export function sameAsFullBatch(pair: BlockPair, mesh: MeshSpec): boolean {
  const prefix = `${attentionFamilyName(pair.ffn, 'batch')}_`;
  if (!pair.attention.startsWith(prefix)) return false;
  const axes = pair.attention.slice(prefix.length);
  if (!/^[a-z]+$/.test(axes)) return false;
  return mesh.axes.every((a) => axes.includes(a.name) || a.size === 1);
}
