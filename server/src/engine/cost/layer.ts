// One layer of one pass: the attention block then the ffn block (serial), or both on the same
// input with the parallel-block fusions (cost-model.md §3, language.md §2.2).

import type { CheckedBlock, MeshSpec, ModelSpec, PhaseSpec } from '../check/resolved';
import { peakActivationBytes } from './activations';
import { findFusions } from './fusion';
import { blockContext, costValue, localBytes, type BlockContext } from './ops';
import type { PassSizes } from './sizes';
import { sumOps, type Overlap } from './totals';
import type { BlockCost, LayerCost, OpCost } from './types';

export const LAYER_INPUT = 'layer.in';

interface CostedBlock {
  ctx: BlockContext;
  cost: BlockCost;
}

/** Cost each statement of a block, in order; `inputId` is the graph id its `in` stands for. */
export function costBlock(role: 'ffn' | 'attention' | 'unembed', block: CheckedBlock, sizes: PassSizes, mesh: MeshSpec, model: ModelSpec, overlap: Overlap, inputId: string): CostedBlock {
  const inName = block.input?.name;
  const idOf = (name: string) => (name === inName ? inputId : `${role}.${name}`);
  const ctx = blockContext(role, block, sizes, mesh, model, idOf);
  const ops: OpCost[] = [];
  for (const v of block.values) {
    const c = costValue(v, ctx);
    if (c) ops.push(c);
  }
  const { totals } = sumOps(ops, overlap);
  return { ctx, cost: { ...totals, role, block: block.name, ops } };
}

function storedIds(block: CheckedBlock, ctx: BlockContext): string[] {
  return block.values.filter((v) => v.op === 'weight' || v.op === 'cache').map((v) => ctx.idOf(v.name));
}

function inputBytes(costed: CostedBlock): number {
  const inp = costed.ctx.block.input;
  return inp?.type ? localBytes(inp.name, inp.type, costed.ctx) : 0;
}

export function costLayer(phase: PhaseSpec, sizes: PassSizes, mesh: MeshSpec, model: ModelSpec, overlap: Overlap): LayerCost {
  const attnBlock = phase.attention;
  const parallel = model.block === 'parallel' && attnBlock !== null;
  const attention = attnBlock ? costBlock('attention', attnBlock, sizes, mesh, model, overlap, LAYER_INPUT) : null;
  const attnOutId = attention && attnBlock?.output ? attention.ctx.idOf(attnBlock.output.name) : undefined;
  const ffnInputId = attention && !parallel && attnOutId ? attnOutId : LAYER_INPUT;
  const ffn = costBlock('ffn', phase.ffn, sizes, mesh, model, overlap, ffnInputId);

  let ops: OpCost[];
  if (parallel && attention && attnBlock) {
    ops = fuseParallel(attention, ffn, attnBlock, phase.ffn);
  } else {
    ops = [...(attention?.cost.ops ?? []), ...ffn.cost.ops];
  }
  const { totals, groups } = sumOps(ops, overlap);

  const stored = new Set<string>([...storedIds(phase.ffn, ffn.ctx), ...(attention && attnBlock ? storedIds(attnBlock, attention.ctx) : [])]);
  const liveToEnd = new Set<string>();
  if (!parallel && attnOutId) liveToEnd.add(attnOutId);
  const activationBytes = peakActivationBytes({
    ops,
    pinned: new Map([[LAYER_INPUT, inputBytes(attention ?? ffn)]]),
    stored,
    liveToEnd,
    overlap,
    axisSizes: ffn.ctx.axisSizes,
  });
  return {
    ...totals,
    ops,
    blocks: { ffn: ffn.cost, attention: attention?.cost ?? null },
    overlapGroups: groups,
    activationBytes,
  };
}

/**
 * The layer's op list under `block = parallel`: fused statements once (as `layer` ops, at the
 * attention's position for the layernorm and the gather, at the ffn's for the output
 * reduce_scatter), every value id of a fused member renamed to the fused op's id.
 */
function fuseParallel(attention: CostedBlock, ffn: CostedBlock, attnBlock: CheckedBlock, ffnBlock: CheckedBlock): OpCost[] {
  const pairs = findFusions(attnBlock, ffnBlock);
  const alias = new Map<string, string>();
  const fusedAt = new Map<string, OpCost>(); // member id → fused op
  const skip = new Set<string>();
  for (const p of pairs) {
    const aId = attention.ctx.idOf(p.attention.name);
    const fId = ffn.ctx.idOf(p.ffn.name);
    const name = p.attention.name === p.ffn.name ? p.ffn.name : `${p.attention.name}+${p.ffn.name}`;
    const id = `layer.${name}`;
    const base = ffn.cost.ops.find((o) => o.id === fId);
    const twin = attention.cost.ops.find((o) => o.id === aId);
    if (!base || !twin) continue;
    alias.set(aId, id);
    alias.set(fId, id);
    // The fused op reads what both members read (both partial sums, for the output scatter).
    const uses = [...new Set([...base.uses, ...twin.uses])];
    const fused: OpCost = { ...base, role: 'layer', name, id, uses, fused: [`attention.${p.attention.name}`, `ffn.${p.ffn.name}`] };
    if (p.kind === 'reduce_scatter') { fusedAt.set(fId, fused); skip.add(aId); }
    else { fusedAt.set(aId, fused); skip.add(fId); }
  }
  const rename = (o: OpCost): OpCost => {
    const uses = o.uses.map((u) => alias.get(u) ?? u);
    return uses.some((u, i) => u !== o.uses[i]) ? { ...o, uses } : o;
  };
  const out: OpCost[] = [];
  for (const o of [...attention.cost.ops, ...ffn.cost.ops]) {
    if (skip.has(o.id)) continue;
    const f = fusedAt.get(o.id);
    out.push(rename(f ?? o));
  }
  return out;
}
