// The explained figures of a costed sequence (a layer, or the unembedding): its statements in
// execution order, each block's own totals, the overlap groups and the activation peak, all read
// from the numeric pass's detail (numeric.ts `sequenceDetail`). Built only when a report, hover
// or `explain` asks for per-op figures.

import type { CheckedBlock, MeshSpec, ModelSpec } from '../check/resolved';
import { opFigures, type BlockFigures } from './figures';
import { inputLocalBytes, sequenceDetail, sequenceNumbers, type SequenceDetail } from './numeric';
import { meshKey, singleBlockPlan, type SequencePlan } from './plan';
import { axisSizes, valueDtypes, type PassSizes } from './sizes';
import type { BlockCost, LayerCost, OpCost, OpRole, Totals } from './types';

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

/** One block on its own (with its own overlap pairs): its statements and totals. */
export function blockFigures(role: 'ffn' | 'attention' | 'unembed', block: CheckedBlock, inputId: string, c: SequenceContext): BlockCost {
  const seq = singleBlockPlan(block, c.fuseAttention);
  const inputBytes = inputLocalBytes(block, c.mesh, c.sizes);
  // The totals from the numbers alone, the explained ops on first read: a report of thousands of
  // layouts reads only the totals of each block.
  const totals = sequenceNumbers(seq, c.mesh, meshKey(c.mesh), c.sizes, c.model, c.overlap, inputBytes).totals;
  let ops: OpCost[] | undefined;
  return {
    role,
    block: block.name,
    get ops(): OpCost[] {
      if (!ops) {
        const detail = sequenceDetail(seq, c.mesh, meshKey(c.mesh), c.sizes, c.model, c.overlap, inputBytes);
        const f = figuresOf(detail, seq, 0, role, inputId, c);
        ops = seq.entries.map((e) => opFigures(e.value, f));
      }
      return ops;
    },
    ...totalsOf(totals),
  };
}

/**
 * One layer: the attention block (part 0) and the ffn block (part 1), or the ffn alone. Under
 * `block = parallel` a fused statement is one op (role `layer`, the ffn member's figures), and
 * every id of a fused member reads as the fused op's id.
 */
export function layerFigures(seq: SequencePlan, parallel: boolean, c: SequenceContext): LayerCost {
  const detail = sequenceDetail(seq, c.mesh, meshKey(c.mesh), c.sizes, c.model, c.overlap, inputLocalBytes(seq.parts[0].block, c.mesh, c.sizes));
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
      ffn: blockFigures('ffn', ffn.block, ffn.idOf(ffn.block.input?.name ?? ''), blockContext),
      attention: attention ? blockFigures('attention', attention.block, LAYER_INPUT, blockContext) : null,
    },
    overlapGroups: detail.groups.map((g) => ({ einsum: ops[g.einsum].id, collectives: g.collectives.map((i) => ops[i].id), time_s: g.time_s })),
    activationBytes: detail.activationBytes,
  };
}
