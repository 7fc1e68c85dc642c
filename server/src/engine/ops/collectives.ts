// The collectives (and `slice`, their free inverse of all_gather): typing rules over the AXES
// argument and, for each, the collective kind and per-chip volume D that cost it (Pope App. A.1).

import { type ShardType, formatType, shardsOver } from '../check/shardType';
import { defineOperation, type CollectiveDef, type TypingContext } from './operation';
import { markReported, notPartialOver, placeAxes, related, withoutAxes } from './typing';
import { checkExpertExchange } from './moe';

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
  const placed = placeAxes(ctx, base, 'all_to_all');
  if (!placed) return markReported(ctx);
  return checkExpertExchange(ctx, placed) ? placed : undefined;
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
export const GATHER: CollectiveDef = {
  kind: 'all_gather', volume: 'output', acrossPhases: 'grows', torus: 'ring',
  exchange: (w) => `gather along ${w.over}: each chip sends its ${w.before || 'tile'} to ${w.others}; then each holds ${w.after || 'the gathered tile'}`,
};
export const SCATTER: CollectiveDef = {
  kind: 'reduce_scatter', volume: 'input', acrossPhases: 'shrinks', torus: 'ring',
  exchange: (w) => `reduce-scatter along ${w.over}: the ${w.n} chips of a group hold partial sums (over ${w.partialOver}); each sends ${w.others} the parts they keep and ends with the full sum of its ${w.after || 'part'}`,
};
export const REDUCE: CollectiveDef = {
  kind: 'all_reduce', volume: 'twice-input', acrossPhases: 'constant', torus: 'ring',
  exchange: (w) => `all-reduce along ${w.over}: the ${w.n} chips of a group hold partial sums (over ${w.partialOver}); they exchange them so that every chip ends with the full sum of its tile`,
};
export const EXCHANGE: CollectiveDef = {
  kind: 'all_to_all', volume: 'input', acrossPhases: 'constant', torus: 'slowest-ring',
  exchange: (w) => `all-to-all along ${w.over}: each chip sends ${w.others} the part of its tile that chip holds next (${w.moved})`,
};

export const ALL_GATHER = defineOperation('all_gather(t, AXES)', 'collective', inferAllGather, { kind: 'collective', collective: GATHER }, 'operand',
  'gather t over AXES: the result is replicated over them');

export const REDUCE_SCATTER = defineOperation('reduce_scatter(t, AXES) : TYPE', 'collective', inferReduceScatter, { kind: 'collective', collective: SCATTER }, 'operand',
  'sum the partialsum axes AXES and scatter the result over them; the annotation says which dim receives AXES');

export const ALL_REDUCE = defineOperation('all_reduce(t, AXES)', 'collective', inferAllReduce, { kind: 'collective', collective: REDUCE }, 'operand',
  'sum the partialsum axes AXES; the result is replicated over them');

export const ALL_TO_ALL = defineOperation('all_to_all(t, AXES) : TYPE', 'collective', inferAllToAll, { kind: 'collective', collective: EXCHANGE }, 'operand',
  'move AXES from one dim to another; the annotation says where');

export const SLICE = defineOperation('slice(t, AXES) : TYPE', 'collective', inferSlice, { kind: 'local' }, 'operand',
  'keep this chip\'s part of a tensor replicated over AXES (no communication)');
