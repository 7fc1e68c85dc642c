// The explained figures of a costed sequence (a layer, or the unembedding): its statements in
// execution order, each block's own totals, the overlap groups and the activation peak, all read
// from the numeric pass's detail (numeric.ts `sequenceDetail`). Built only when a report, hover
// or `explain` asks for per-op figures.

import type { CheckedBlock, MeshSpec, ModelSpec } from '../check/resolved';
import { opFigures, opRow, type BlockFigures, type RowContext } from './figures';
import { inputLocalBytes, sequenceDetail, sequenceNumbers, type BlockNumbers, type SequenceDetail } from './numeric';
import { meshKey, meshPlan, singleBlockPlan, type BlockPlan, type SequencePlan } from './plan';
import { axisSizes, valueDtypes, type PassSizes } from './sizes';
import type { BlockCost, BlockTotalsRow, LayerCost, LayerRows, OpCost, OpRole, OpRow, PassCost, Totals } from './types';

export const LAYER_INPUT = 'layer.in';

type Overlap = 'none' | 'collective_einsum';

interface SequenceContext {
  mesh: MeshSpec;
  model: ModelSpec;
  sizes: PassSizes;
  overlap: Overlap;
  /** `attention_kernel = fused`: each attention's scores, softmax and values are one op. */
  fuseAttention: boolean;
}

// Graph ids (`ffn.b`) of a block's values, cached per (block, role, input id): building the
// strings once per block, not once per op per costing.
const idCache = new WeakMap<CheckedBlock, Map<string, Map<string, string>>>();

function valueIds(block: CheckedBlock, role: string, inputId: string): (name: string) => string {
  let byKey = idCache.get(block);
  if (!byKey) idCache.set(block, (byKey = new Map()));
  const key = `${role}|${inputId}`;
  let ids = byKey.get(key);
  if (!ids) {
    ids = new Map();
    const inName = block.input?.name;
    for (const v of block.values) ids.set(v.name, v.name === inName ? inputId : `${role}.${v.name}`);
    byKey.set(key, ids);
  }
  const known = ids;
  return (name) => known.get(name) ?? `${role}.${name}`;
}

function figuresOf(detail: SequenceDetail, seq: SequencePlan, part: number, role: OpRole, inputId: string, c: SequenceContext): BlockFigures {
  const plan = seq.parts[part];
  const block = plan.block;
  return {
    role,
    block,
    plan,
    meshPlan: detail.meshPlans[part],
    rows: detail.nums[part],
    sizes: c.sizes,
    mesh: c.mesh,
    axisSizes: axisSizes(c.mesh),
    meshOrder: c.mesh.axes.map((a) => a.name),
    meshOrderKey: c.mesh.axes.map((a) => a.name).join(''),
    dtypes: valueDtypes(block, c.model),
    idOf: valueIds(block, role, inputId),
    fuseAttention: seq.fuseAttention,
  };
}

function totalsOf(t: Totals): Totals {
  return { time: t.time, flops: t.flops, commBytes: t.commBytes, computeTime: t.computeTime, memoryTime: t.memoryTime, commTime: t.commTime, allToAllTime: t.allToAllTime, byBound: t.byBound };
}

/**
 * One block on its own (with its own overlap pairs): its statements and totals. `given`: the
 * block's numbers in this context, when the pass evaluated them already (blockNumbers of the
 * same plan, mesh, sizes and model), so only its sums are done here.
 */
export function blockFigures(role: 'ffn' | 'attention' | 'unembed', block: CheckedBlock, inputId: string, c: SequenceContext, given?: { plan: BlockPlan; nums: BlockNumbers; totals?: Totals }): BlockCost {
  const seq = singleBlockPlan(block, c.fuseAttention);
  const nums = given && given.plan === seq.parts[0] ? [given.nums] : undefined;
  // The totals from the numbers alone (or as the pass summed this same block alone), the
  // explained ops on first read: a report of thousands of layouts reads only the totals of each block.
  const totals = given?.totals && nums ? given.totals : blockTotals(block, c, given);
  let ops: OpCost[] | undefined;
  return {
    role,
    block: block.name,
    get ops(): OpCost[] {
      if (!ops) {
        const detail = sequenceDetail(seq, c.mesh, meshKey(c.mesh), c.sizes, c.model, c.overlap, inputLocalBytes(block, c.mesh, c.sizes), nums);
        const f = figuresOf(detail, seq, 0, role, inputId, c);
        ops = seq.entries.map((e) => opFigures(e.value, f));
      }
      return ops;
    },
    ...totalsOf(totals),
  };
}

/** A block's totals on its own (with its own overlap pairs), from the pass's numbers when `given` are its. */
function blockTotals(block: CheckedBlock, c: SequenceContext, given?: { plan: BlockPlan; nums: BlockNumbers }): Totals {
  const seq = singleBlockPlan(block, c.fuseAttention);
  const nums = given && given.plan === seq.parts[0] ? [given.nums] : undefined;
  // The input's bytes count only toward the activation peak, which the totals do not hold.
  return sequenceNumbers(seq, c.mesh, meshKey(c.mesh), c.sizes, c.model, c.overlap, 0, nums).totals;
}

/**
 * The numbers of `layerFigures(seq, …, c, given)` that a report reads (its LayerCost's
 * values), without building an explained figure: each op's row (figures.ts `opRow`), fused
 * statements named and marked as there, and each block's totals on its own.
 */
export function layerRows(seq: SequencePlan, c: SequenceContext, given?: { nums: BlockNumbers[]; totals: Totals }): LayerRows {
  const key = meshKey(c.mesh);
  // The pass summed the layer already (its totals do not depend on the input's bytes, which only
  // the activation peak reads).
  const seqNums = given ?? sequenceNumbers(seq, c.mesh, key, c.sizes, c.model, c.overlap, 0);
  const meshOrder = c.mesh.axes.map((a) => a.name);
  const meshOrderKey = meshOrder.join('');
  const hasAttention = seq.parts.length === 2;
  const context = (part: number, role: OpRole): RowContext => {
    const plan = seq.parts[part];
    return { role, block: plan.block, plan, meshPlan: meshPlan(plan, c.mesh, key), rows: seqNums.nums[part], mesh: c.mesh, meshOrder, meshOrderKey, fuseAttention: seq.fuseAttention };
  };
  const attention = hasAttention ? context(0, 'attention') : undefined;
  const ffnPart = hasAttention ? 1 : 0;
  const ffn = context(ffnPart, 'ffn');
  const parts = hasAttention ? [attention!, ffn] : [ffn];
  const ops = seq.entries.map((e): OpRow => {
    const own = opRow(e.value, parts[e.part]);
    if (e.fusedAttention < 0 || !attention) return own;
    // As layerFigures names a fused statement: the shared name or `attn+ffn`, role `layer`.
    const twin = attention.plan.values[e.fusedAttention].name;
    const name = own.name;
    own.block = 'layer';
    own.name = twin === name ? name : `${twin}+${name}`;
    own.fused = [`attention.${twin}`, `ffn.${name}`];
    return own;
  });
  const blockRow = (f: RowContext): BlockTotalsRow => {
    const t = blockTotals(f.block, c, { plan: f.plan, nums: f.rows });
    return { block: f.block.name, time: t.time, commBytes: t.commBytes, flops: t.flops };
  };
  const t = seqNums.totals;
  return { time: t.time, commBytes: t.commBytes, flops: t.flops, ops, blocks: { ffn: blockRow(ffn), attention: attention ? blockRow(attention) : null } };
}

/**
 * One layer: the attention block (part 0) and the ffn block (part 1), or the ffn alone. Under
 * `block = parallel` a fused statement is one op (role `layer`, the ffn member's figures), and
 * every id of a fused member reads as the fused op's id.
 */
export function layerFigures(seq: SequencePlan, parallel: boolean, c: SequenceContext, given?: BlockNumbers[]): LayerCost {
  const detail = sequenceDetail(seq, c.mesh, meshKey(c.mesh), c.sizes, c.model, c.overlap, inputLocalBytes(seq.parts[0].block, c.mesh, c.sizes), given);
  const hasAttention = seq.parts.length === 2;
  const attention = hasAttention ? figuresOf(detail, seq, 0, 'attention', LAYER_INPUT, c) : undefined;
  const attnOut = attention?.block.output ? attention.idOf(attention.block.output.name) : undefined;
  const ffnPart = hasAttention ? 1 : 0;
  const ffn = figuresOf(detail, seq, ffnPart, 'ffn', attention && !parallel && attnOut ? attnOut : LAYER_INPUT, c);
  const partFigures = hasAttention ? [attention!, ffn] : [ffn];

  const alias = new Map<string, string>();
  const ops: OpCost[] = seq.entries.map((e) => {
    const own = opFigures(e.value, partFigures[e.part]);
    if (e.fusedAttention < 0 || !attention) return own;
    const twin = opFigures(e.fusedAttention, attention);
    const name = twin.name === own.name ? own.name : `${twin.name}+${own.name}`;
    const id = `layer.${name}`;
    alias.set(twin.id, id);
    alias.set(own.id, id);
    // The fused op reads what both members read (both partial sums, for the output scatter).
    return { ...own, role: 'layer', name, id, uses: [...new Set([...own.uses, ...twin.uses])], fused: [`attention.${twin.name}`, `ffn.${own.name}`] };
  });
  if (alias.size) for (const o of ops) o.uses = o.uses.map((u) => alias.get(u) ?? u);

  const blockContext = { mesh: c.mesh, model: c.model, sizes: c.sizes, overlap: c.overlap, fuseAttention: c.fuseAttention };
  return {
    ...totalsOf(detail.totals),
    ops,
    blocks: {
      ffn: blockFigures('ffn', ffn.block, ffn.idOf(ffn.block.input?.name ?? ''), blockContext, { plan: seq.parts[ffnPart], nums: detail.nums[ffnPart] }),
      attention: attention ? blockFigures('attention', attention.block, LAYER_INPUT, blockContext, { plan: seq.parts[0], nums: detail.nums[0] }) : null,
    },
    overlapGroups: detail.groups.map((g) => ({ einsum: ops[g.einsum].id, collectives: g.collectives.map((i) => ops[i].id), time_s: g.time_s })),
    activationBytes: detail.activationBytes,
  };
}

/** The numbers of a pass's layer: its own rows when it has them, else read from its explained figures. */
export function layerRowsOf(pass: PassCost): LayerRows {
  if (pass.layerRows) return pass.layerRows();
  const l = pass.layer;
  const totals = (b: BlockCost): BlockTotalsRow => ({ block: b.block, time: b.time, commBytes: b.commBytes, flops: b.flops });
  return { time: l.time, commBytes: l.commBytes, flops: l.flops, ops: l.ops.map(opRowOf), blocks: { ffn: totals(l.blocks.ffn), attention: l.blocks.attention ? totals(l.blocks.attention) : null } };
}

/** An op's row from its explained figures: their values, as `opRow` reads them from the numbers. */
export function opRowOf(o: OpCost): OpRow {
  return {
    block: o.role, name: o.name, op: o.op, axes: o.axes, type: o.type,
    flops: o.flops.value, bytes: o.bytes.value, comm_bytes: o.commBytes.value, time_s: o.time.value, bound: o.bound,
    t_compute_s: o.computeTime.value, t_memory_s: o.memoryTime.value, t_comm_s: o.commTime.value,
    fused: o.fused,
  };
}
