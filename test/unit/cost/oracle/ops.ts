// TEST ORACLE: the explained cost path as it was before the operation table (commit 3b078e5),
// kept only to check the one cost path against an independent reading of the same rules.

// Cost of one statement of a block (cost-model.md §2): einsums on the roofline, elementwise and
// normalising ops on HBM bandwidth, collectives on the α–β ring model.

import type { CheckedBlock, CheckedValue, Dtype, MeshSpec, ModelSpec } from '../../../../server/src/engine/check/resolved';
import { formatAxes, formatType, type ShardType } from '../../../../server/src/engine/check/shardType';
import { collectiveCost, isCollective, type CollectiveKind } from './collectives';
import { participatingAxes } from '../../../../server/src/engine/cost/collectives';
import { explained, input, ZERO_BYTES, ZERO_FLOPS, ZERO_SECONDS, type Explained, type Input } from '../../../../server/src/engine/cost/explained';
import { axisSizes, bytesPerElement, localElements, localExtent, type PassSizes } from '../../../../server/src/engine/cost/sizes';
import type { Bound, OpCost, OpRole } from '../../../../server/src/engine/cost/types';
import { extentInput, extentSymbol, localBytesFormula as engineLocalBytesFormula, type BlockFigures } from '../../../../server/src/engine/cost/figures';

/** Everything needed to cost the statements of one block in one pass (the engine's figure context, less its numbers). */
export type BlockContext = Pick<BlockFigures, 'role' | 'block' | 'sizes' | 'mesh' | 'axisSizes' | 'meshOrder' | 'meshOrderKey' | 'dtypes' | 'idOf'>;

export function blockContext(role: OpRole, block: CheckedBlock, sizes: PassSizes, mesh: MeshSpec, model: ModelSpec, idOf: (name: string) => string): BlockContext {
  return {
    role,
    block,
    sizes,
    mesh,
    axisSizes: axisSizes(mesh),
    meshOrder: mesh.axes.map((a) => a.name),
    meshOrderKey: mesh.axes.map((a) => a.name).join(''),
    dtypes: valueDtypes(block, model),
    idOf,
  };
}

const NORMALISING: Record<string, string> = { softmax: 'T', layernorm: 'E' };

/** A statement's figures; `undefined` for declarations (`in`, `weight`, `cache`) and untyped values. */
export function costValue(v: CheckedValue, ctx: BlockContext): OpCost | undefined {
  if (v.op === 'in' || v.op === 'weight' || v.op === 'cache') return undefined;
  if (!v.type) return undefined;
  if (v.op === 'einsum') return costEinsum(v, v.type, ctx);
  if (isCollective(v.op)) return costCollective(v, v.type, v.op, ctx);
  if (v.op === 'slice') return base(v, v.type, ctx, { bound: 'comm', time: explained(0, 's', 'slice: each chip keeps its part, no communication') });
  if (v.op === 'append') return costAppend(v, v.type, ctx);
  return costElementwise(v, v.type, ctx);
}

interface Parts {
  flops?: Explained;
  bytes?: Explained;
  comm_bytes?: Explained;
  t_compute?: Explained;
  t_memory?: Explained;
  t_comm?: Explained;
  time: Explained;
  bound: Bound;
  axes?: string;
}

function base(v: CheckedValue, type: ShardType, ctx: BlockContext, p: Parts): OpCost {
  return {
    role: ctx.role,
    name: v.name,
    op: v.op,
    axes: p.axes ?? (v.axes.length ? axesText(v.axes, ctx) : ''),
    type: typeText(type, ctx),
    fused: undefined,
    flops: p.flops ?? ZERO_FLOPS,
    bytes: p.bytes ?? ZERO_BYTES,
    commBytes: p.comm_bytes ?? ZERO_BYTES,
    computeTime: p.t_compute ?? ZERO_SECONDS,
    memoryTime: p.t_memory ?? ZERO_SECONDS,
    commTime: p.t_comm ?? ZERO_SECONDS,
    time: p.time,
    bound: p.bound,
    id: ctx.idOf(v.name),
    uses: v.args.map((a) => ctx.idOf(a)),
    resultBytes: localBytes(v.name, type, ctx),
  };
}

/** Canonical type and axes text in mesh order (the engine's own type formatter). */
function typeText(t: ShardType, ctx: { meshOrder: string[] }): string {
  return formatType(t, ctx.meshOrder);
}

function axesText(axes: readonly string[], ctx: { meshOrder: string[] }): string {
  return formatAxes(axes, ctx.meshOrder);
}

function typeOf(name: string, ctx: BlockContext): ShardType | undefined {
  return ctx.block.byName.get(name)?.type;
}

export function localBytes(name: string, type: ShardType, ctx: BlockContext): number {
  return localElements(type, ctx.sizes, ctx.axisSizes) * bytesPerElement(ctx.dtypes.get(name) ?? 'bf16');
}



function memoryTime(bytes: Explained, ctx: BlockContext): Explained {
  const hw = ctx.mesh.hardware;
  return explained(bytes.value / (hw.hbm_bw * hw.hbm_eff), 's', 'bytes / (hbm_bw·hbm_eff)', () => ({
    bytes: input(bytes.value, 'B'),
    hbm_bw: input(hw.hbm_bw, 'B/s'),
    hbm_eff: input(hw.hbm_eff, ''),
  }));
}

function bytesOf(names: readonly string[], ctx: BlockContext, resultName: string, resultType: ShardType): Explained {
  let total = 0;
  for (const n of names) {
    const t = typeOf(n, ctx);
    if (t) total += localBytes(n, t, ctx);
  }
  total += localBytes(resultName, resultType, ctx);
  // The breakdown is rebuilt only when someone reads it.
  const parts = () => {
    const list: { key: string; bytes: number; note: string }[] = [];
    const add = (name: string, t: ShardType | undefined) => {
      if (t) list.push({ key: `bytes(${name})`, bytes: localBytes(name, t, ctx), note: `${typeText(t, ctx)} as ${ctx.dtypes.get(name) ?? 'bf16'}` });
    };
    for (const n of names) add(n, typeOf(n, ctx));
    add(resultName, resultType);
    return list;
  };
  return explained(total, 'B', () => parts().map((p) => p.key).join(' + '), () => {
    const inputs: Record<string, Input> = {};
    for (const p of parts()) inputs[p.key] = input(p.bytes, 'B', p.note);
    return inputs;
  });
}

function withOverhead(t: Explained, ctx: BlockContext, formula: string): Explained {
  const oh = ctx.mesh.hardware.op_overhead;
  if (oh === 0) return t;
  return explained(t.value + oh, 's', `${formula} + op_overhead`, () => ({ [formula]: input(t.value, 's'), op_overhead: input(oh, 's') }));
}

function costEinsum(v: CheckedValue, type: ShardType, ctx: BlockContext): OpCost {
  const [a, b] = v.args;
  const ta = typeOf(a, ctx);
  const tb = typeOf(b, ctx);
  // FLOPs: 2 × the product of the local extents of the distinct dims of both operands; a K
  // matched to H (grouped heads) is not a separate loop, so it counts once, as H.
  const dims: { letter: string; axes: string[] }[] = [];
  let flops = 2;
  for (const t of [ta, tb]) {
    if (!t) continue;
    for (const d of t.dims) {
      if (dims.some((x) => x.letter === d.letter)) continue;
      if (v.groupedHeads && d.letter === 'K') { dims.push({ letter: 'K', axes: [] }); continue; }
      dims.push(d);
      flops *= localExtent(d.letter, d.axes, ctx.sizes, ctx.axisSizes);
    }
  }
  const counted = () => dims.filter((d) => !(v.groupedHeads && d.letter === 'K'));
  const flopsX = explained(flops, 'FLOP', () => `2·${counted().map((d) => extentSymbol(d.letter, d.axes, ctx)).join('·')}`, () => {
    const inputs: Record<string, Input> = {};
    for (const d of counted()) inputs[extentSymbol(d.letter, d.axes, ctx)] = extentInput(d.letter, d.axes, ctx);
    return inputs;
  });
  const hw = ctx.mesh.hardware;
  const tCompute = explained(flops / (hw.flops * hw.flops_eff), 's', 'flops / (flops_peak·flops_eff)', () => ({
    flops: input(flops, 'FLOP'),
    flops_peak: input(hw.flops, 'FLOP/s'),
    flops_eff: input(hw.flops_eff, ''),
  }));
  const bytes = bytesOf([a, b], ctx, v.name, type);
  const tMemory = memoryTime(bytes, ctx);
  const computeBound = tCompute.value > tMemory.value;
  const core = explained(Math.max(tCompute.value, tMemory.value), 's', 'max(t_compute, t_memory)', () => ({
    t_compute: input(tCompute.value, 's'),
    t_memory: input(tMemory.value, 's'),
  }));
  return base(v, type, ctx, {
    flops: flopsX,
    bytes,
    t_compute: tCompute,
    t_memory: tMemory,
    time: withOverhead(core, ctx, 'max(t_compute, t_memory)'),
    bound: computeBound ? 'compute' : 'memory',
  });
}


/** Pope's per-chip volume D of a collective (App. A.1), as a formula over local extents. */
function collectiveVolume(kind: CollectiveKind, v: CheckedValue, type: ShardType, ctx: BlockContext): Explained {
  const operand = v.args[0];
  const tIn = typeOf(operand, ctx);
  if (kind === 'all_gather') {
    // D = the per-chip output.
    const b = localBytes(v.name, type, ctx);
    return explained(b, 'B', () => localBytesFormula(v.name, type, ctx).formula, () => localBytesFormula(v.name, type, ctx).inputs);
  }
  // D = the per-chip input (twice it for an all_reduce).
  const inBytes = tIn ? localBytes(operand, tIn, ctx) : 0;
  const prefix = kind === 'all_reduce' ? '2·' : '';
  const D = kind === 'all_reduce' ? 2 * inBytes : inBytes;
  if (!tIn) return explained(D, 'B', 'operand type unknown');
  return explained(D, 'B', () => localBytesFormula(operand, tIn, ctx, prefix).formula, () => localBytesFormula(operand, tIn, ctx, prefix).inputs);
}

function costCollective(v: CheckedValue, type: ShardType, kind: CollectiveKind, ctx: BlockContext): OpCost {
  const part = participatingAxes(v.axes, ctx.mesh);
  if (part.length === 0) {
    // Every axis has size 1: nothing moves, and the statement compiles to nothing.
    return base(v, type, ctx, { bound: 'comm', time: explained(0, 's', 'every axis has size 1: nothing moves') });
  }
  const D = collectiveVolume(kind, v, type, ctx);
  const c = collectiveCost(kind, v.axes, D, ctx.mesh);
  return base(v, type, ctx, {
    comm_bytes: D,
    t_comm: c.time,
    time: withOverhead(c.time, ctx, 't_comm'),
    bound: 'comm',
  });
}

function costAppend(v: CheckedValue, type: ShardType, ctx: BlockContext): OpCost {
  // Only the new positions are written; the cache is updated in place, not re-read.
  const tNew = typeOf(v.args[1], ctx);
  const elements = tNew ? localElements(tNew, ctx.sizes, ctx.axisSizes) : 0;
  const per = bytesPerElement(ctx.dtypes.get(v.name) ?? 'bf16');
  const bytes = explained(elements * per, 'B', 'local elements of t × kv bytes', () => ({
    'local elements of t': input(elements, 'elements', tNew ? typeText(tNew, ctx) : undefined),
    'kv bytes': input(per, 'B'),
  }));
  const tMem = memoryTime(bytes, ctx);
  return base(v, type, ctx, { bytes, t_memory: tMem, time: withOverhead(tMem, ctx, 't_memory'), bound: 'memory' });
}

function costElementwise(v: CheckedValue, type: ShardType, ctx: BlockContext): OpCost {
  const bytes = bytesOf(v.args, ctx, v.name, type);
  const tMem = memoryTime(bytes, ctx);
  const reduced = NORMALISING[v.op];
  const tIn = typeOf(v.args[0], ctx);
  const dim = reduced && tIn ? tIn.dims.find((d) => d.letter === reduced) : undefined;
  const statAxes = dim ? participatingAxes(dim.axes, ctx.mesh) : [];
  if (!dim || !tIn || statAxes.length === 0) {
    return base(v, type, ctx, { bytes, t_memory: tMem, time: withOverhead(tMem, ctx, 't_memory'), bound: 'memory', axes: '' });
  }
  // Over a sharded reduction dim, the fp32 statistics (two per row: sum and sum of squares, or
  // max and sum) are all-reduced over that dim's axes as part of the op.
  const elements = localElements(tIn, ctx.sizes, ctx.axisSizes);
  const ext = localExtent(dim.letter, dim.axes, ctx.sizes, ctx.axisSizes);
  const statIn = (2 * 4 * elements) / ext;
  const D = explained(2 * statIn, 'B', '2 × 2·4 B·local elements / local extent of reduced dim', () => ({
    'local elements': input(elements, 'elements', typeText(tIn, ctx)),
    'local extent of reduced dim': input(ext, 'elements', dim.letter),
  }));
  const axesNames = statAxes.map((a) => a.name);
  const c = collectiveCost('all_reduce', axesNames, D, ctx.mesh);
  const core = explained(tMem.value + c.time.value, 's', 't_memory + t_comm', () => ({ t_memory: input(tMem.value, 's'), t_comm: input(c.time.value, 's') }));
  return base(v, type, ctx, {
    bytes,
    t_memory: tMem,
    comm_bytes: D,
    t_comm: c.time,
    time: withOverhead(core, ctx, 't_memory + t_comm'),
    bound: c.time.value >= tMem.value ? 'comm' : 'memory',
    axes: axesNames.join(''), // participatingAxes keeps mesh order
  });
}

// The dtype rule as the oracle reads it (cost-model docs): weights at the model's `weights` dtype,
// caches and `append` results at `kv`, data movement keeps its operand's, the rest is bf16.
const KEEPS_OPERAND_DTYPE = new Set(['all_gather', 'all_to_all', 'slice', 'reduce_scatter', 'all_reduce']);

function valueDtypes(block: CheckedBlock, model: ModelSpec): Map<string, Dtype> {
  const out = new Map<string, Dtype>();
  for (const v of block.values) {
    const d: Dtype = v.op === 'weight' ? model.weights : v.op === 'cache' || v.op === 'append' ? model.kv : KEEPS_OPERAND_DTYPE.has(v.op) ? (out.get(v.args[0]) ?? 'bf16') : 'bf16';
    out.set(v.name, d);
  }
  return out;
}

function localBytesFormula(name: string, t: ShardType, ctx: BlockContext, prefix = ''): { formula: string; inputs: Record<string, Input> } {
  return engineLocalBytesFormula(name, t, ctx, prefix);
}
