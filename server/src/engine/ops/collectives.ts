// The collectives (and `slice`, their free inverse of all_gather): typing rules over the AXES
// argument and, for each, the collective kind and per-chip volume D that cost it (Pope App. A.1).

import { type ShardType, formatType, shardsOver } from '../check/shardType';
import type { CollectiveDef, OperationDef, TypingContext } from './operation';
import { markReported, notPartialOver, placeAxes, related, withoutAxes } from './typing';

function inferAllGather(ctx: TypingContext): ShardType | undefined {
  const t = ctx.types[0];
  const missing = ctx.axes.filter((a) => !shardsOver(t, a));
  if (missing.length) {
    const partialOnes = missing.filter((a) => t.partialsum.includes(a));
    const why = partialOnes.length
      ? `${partialOnes.join('')} is a partialsum axis of ${ctx.stmt.args[0].text}: sum it with reduce_scatter or all_reduce`
      : `${ctx.stmt.args[0].text} (${formatType(t)}) is not sharded over ${missing.join('')}`;
    ctx.report('bad-collective', ctx.axesIdent!, `all_gather over ${ctx.axes.join('')}: ${why}`, undefined, related(ctx, 0, `${ctx.stmt.args[0].text} : ${formatType(t)}`));
    return undefined;
  }
  return { dims: withoutAxes(t.dims, ctx.axes), partialsum: t.partialsum };
}

function inferReduceScatter(ctx: TypingContext): ShardType | undefined {
  if (!notPartialOver(ctx, 'reduce_scatter')) return undefined;
  const t = ctx.types[0];
  // Types are never changed once made, so the new one shares the dims it keeps.
  const base: ShardType = { dims: t.dims, partialsum: t.partialsum.filter((a) => !ctx.axes.includes(a)) };
  return placeAxes(ctx, base, 'reduce_scatter') ?? markReported(ctx);
}

function inferAllReduce(ctx: TypingContext): ShardType | undefined {
  if (!notPartialOver(ctx, 'all_reduce')) return undefined;
  const t = ctx.types[0];
  return { dims: t.dims, partialsum: t.partialsum.filter((a) => !ctx.axes.includes(a)) };
}

function inferAllToAll(ctx: TypingContext): ShardType | undefined {
  const t = ctx.types[0];
  const missing = ctx.axes.filter((a) => !shardsOver(t, a));
  if (missing.length) {
    ctx.report('bad-collective', ctx.axesIdent!, `all_to_all moves axes from one dim to another, but ${ctx.stmt.args[0].text} (${formatType(t)}) is not sharded over ${missing.join('')}`);
    return undefined;
  }
  const base: ShardType = { dims: withoutAxes(t.dims, ctx.axes), partialsum: t.partialsum };
  return placeAxes(ctx, base, 'all_to_all') ?? markReported(ctx);
}

function inferSlice(ctx: TypingContext): ShardType | undefined {
  const t = ctx.types[0];
  const carried = ctx.axes.filter((a) => shardsOver(t, a) || t.partialsum.includes(a));
  if (carried.length) {
    ctx.report('bad-collective', ctx.axesIdent!, `slice needs a tensor replicated over ${ctx.axes.join('')}, but ${ctx.stmt.args[0].text} (${formatType(t)}) already carries ${carried.join('')}`);
    return undefined;
  }
  return placeAxes(ctx, t, 'slice') ?? markReported(ctx);
}

/** The collectives themselves (cost/collectives.ts times them); an operation names one. */
export const GATHER: CollectiveDef = { kind: 'all_gather', volume: 'output', acrossPhases: 'grows', torus: 'ring' };
export const SCATTER: CollectiveDef = { kind: 'reduce_scatter', volume: 'input', acrossPhases: 'shrinks', torus: 'ring' };
export const REDUCE: CollectiveDef = { kind: 'all_reduce', volume: 'twice-input', acrossPhases: 'constant', torus: 'ring' };
export const EXCHANGE: CollectiveDef = { kind: 'all_to_all', volume: 'input', acrossPhases: 'constant', torus: 'slowest-ring' };

export const ALL_GATHER: OperationDef = {
  name: 'all_gather',
  operands: 1,
  takesAxes: true,
  annotationRequired: false,
  signature: 'all_gather(t, AXES)',
  doc: 'gather t over AXES: the result is replicated over them',
  class: 'collective',
  type: inferAllGather,
  cost: { kind: 'collective', collective: GATHER },
  dtype: 'operand',
};

export const REDUCE_SCATTER: OperationDef = {
  name: 'reduce_scatter',
  operands: 1,
  takesAxes: true,
  annotationRequired: true,
  signature: 'reduce_scatter(t, AXES) : TYPE',
  doc: 'sum the partialsum axes AXES and scatter the result over them; the annotation says which dim receives AXES',
  class: 'collective',
  type: inferReduceScatter,
  cost: { kind: 'collective', collective: SCATTER },
  dtype: 'operand',
};

export const ALL_REDUCE: OperationDef = {
  name: 'all_reduce',
  operands: 1,
  takesAxes: true,
  annotationRequired: false,
  signature: 'all_reduce(t, AXES)',
  doc: 'sum the partialsum axes AXES; the result is replicated over them',
  class: 'collective',
  type: inferAllReduce,
  cost: { kind: 'collective', collective: REDUCE },
  dtype: 'operand',
};

export const ALL_TO_ALL: OperationDef = {
  name: 'all_to_all',
  operands: 1,
  takesAxes: true,
  annotationRequired: true,
  signature: 'all_to_all(t, AXES) : TYPE',
  doc: 'move AXES from one dim to another; the annotation says where',
  class: 'collective',
  type: inferAllToAll,
  cost: { kind: 'collective', collective: EXCHANGE },
  dtype: 'operand',
};

export const SLICE: OperationDef = {
  name: 'slice',
  operands: 1,
  takesAxes: true,
  annotationRequired: true,
  signature: 'slice(t, AXES) : TYPE',
  doc: 'keep this chip\'s part of a tensor replicated over AXES (no communication)',
  class: 'collective',
  type: inferSlice,
  cost: { kind: 'local' },
  dtype: 'operand',
};
