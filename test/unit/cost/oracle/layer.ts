// TEST ORACLE: the explained cost path as it was before the operation table (commit 3b078e5),
// kept only to check the one cost path against an independent reading of the same rules.

// One layer of one pass: the attention block then the ffn block (serial), or both on the same
// input with the parallel-block fusions (cost-model.md §3, language.md §2.2).

import type { CheckedBlock, MeshSpec, ModelSpec, PhaseSpec } from '../../../../server/src/engine/check/resolved';
import { peakActivationBytes } from './activations';
import { findFusions } from '../../../../server/src/engine/cost/fusion';
import { fuseAttentionOps } from './fusedAttention';
import { blockContext, costValue, localBytes, type BlockContext } from './ops';
import type { PassSizes } from '../../../../server/src/engine/cost/sizes';
import { sumOps, type Overlap } from './totals';
import type { BlockCost, LayerCost, OpCost, Totals } from '../../../../server/src/engine/cost/types';

export const LAYER_INPUT = 'layer.in';

interface CostedBlock {
  ctx: BlockContext;
  cost: BlockCost;
}

/** Cost each statement of a block, in order; `inputId` is the graph id its `in` stands for. */
export function costBlock(role: 'ffn' | 'attention' | 'unembed', block: CheckedBlock, sizes: PassSizes, mesh: MeshSpec, model: ModelSpec, overlap: Overlap, inputId: string, fuseAttention = false): CostedBlock {
  const idOf = valueIds(block, role, inputId);
  const ctx = blockContext(role, block, sizes, mesh, model, idOf);
  let ops: OpCost[] = [];
  for (const v of block.values) {
    const c = costValue(v, ctx);
    if (c) ops.push(c);
  }
  if (fuseAttention) ops = fuseAttentionOps(ops, ctx);
  const { totals } = sumOps(ops, overlap);
  const cost: BlockCost = blockCost(totals, role, block.name, ops);
  return { ctx, cost };
}

export function blockCost(t: Totals, role: BlockCost['role'], block: string, ops: OpCost[]): BlockCost {
  return {
    role, block, ops,
    time: t.time, flops: t.flops, commBytes: t.commBytes, computeTime: t.computeTime, memoryTime: t.memoryTime, commTime: t.commTime,
    allToAllTime: t.allToAllTime, byBound: t.byBound,
  };
}

/** Graph ids (`ffn.b`) of a block's values; its input is `inputId`. */
function valueIds(block: CheckedBlock, role: string, inputId: string): (name: string) => string {
  return (name) => (name === block.input?.name ? inputId : `${role}.${name}`);
}

function storedIds(block: CheckedBlock, ctx: BlockContext): string[] {
  return block.values.filter((v) => v.op === 'weight' || v.op === 'cache').map((v) => ctx.idOf(v.name));
}

function inputBytes(costed: CostedBlock): number {
  const inp = costed.ctx.block.input;
  return inp?.type ? localBytes(inp.name, inp.type, costed.ctx) : 0;
}

export function costLayer(phase: PhaseSpec, sizes: PassSizes, mesh: MeshSpec, model: ModelSpec, overlap: Overlap, fuseAttention = false): LayerCost {
  const attnBlock = phase.attention;
  const parallel = model.block === 'parallel' && attnBlock !== null;
  const attention = attnBlock ? costBlock('attention', attnBlock, sizes, mesh, model, overlap, LAYER_INPUT, fuseAttention) : null;
  const attnOutId = attention && attnBlock?.output ? attention.ctx.idOf(attnBlock.output.name) : undefined;
  const ffnInputId = attention && !parallel && attnOutId ? attnOutId : LAYER_INPUT;
  const ffn = costBlock('ffn', phase.ffn, sizes, mesh, model, overlap, ffnInputId, fuseAttention);

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
    time: totals.time, flops: totals.flops, commBytes: totals.commBytes, computeTime: totals.computeTime, memoryTime: totals.memoryTime, commTime: totals.commTime,
    allToAllTime: totals.allToAllTime, byBound: totals.byBound,
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
    const fused = withChanges(base, { role: 'layer', name, id, uses, fused: [`attention.${p.attention.name}`, `ffn.${p.ffn.name}`] });
    if (p.kind === 'output-scatter') { fusedAt.set(fId, fused); skip.add(aId); }
    else { fusedAt.set(aId, fused); skip.add(fId); }
  }
  const rename = (o: OpCost): OpCost => {
    const uses = o.uses.map((u) => alias.get(u) ?? u);
    return uses.some((u, i) => u !== o.uses[i]) ? withChanges(o, { uses }) : o;
  };
  const out: OpCost[] = [];
  for (const o of [...attention.cost.ops, ...ffn.cost.ops]) {
    if (skip.has(o.id)) continue;
    const f = fusedAt.get(o.id);
    out.push(rename(f ?? o));
  }
  return out;
}

/** A copy of an op with some identity fields changed (explicit fields, one object shape). */
function withChanges(o: OpCost, c: { role?: OpCost['role']; name?: string; id?: string; uses: string[]; fused?: string[] }): OpCost {
  return {
    role: c.role ?? o.role, name: c.name ?? o.name, op: o.op, axes: o.axes, type: o.type, fused: c.fused ?? o.fused,
    flops: o.flops, bytes: o.bytes, commBytes: o.commBytes, computeTime: o.computeTime, memoryTime: o.memoryTime, commTime: o.commTime,
    time: o.time, bound: o.bound, id: c.id ?? o.id, uses: c.uses, resultBytes: o.resultBytes,
  };
}
