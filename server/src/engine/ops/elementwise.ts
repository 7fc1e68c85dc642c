// Elementwise and normalising operations, and the cache update `append`: typing rules that keep
// their operand's type, and HBM-bound costs.

import { type ShardType, DIM_MEANING, formatType, hasDim, typesEqual } from '../check/shardType';
import { defineOperation, type OperationDef, type TypingContext } from './operation';
import { noPartial, related } from './typing';
import { REDUCE } from './collectives';

function inferAppend(ctx: TypingContext): ShardType | undefined {
  const [cache, t] = ctx.types;
  if (ctx.operands[0].kind !== 'cache') {
    ctx.report('type-mismatch', ctx.stmt.args[0], `append's first argument must be a \`cache\` value, but \`${ctx.stmt.args[0].text}\` is ${ctx.operands[0].kind === 'op' ? 'computed' : `a ${ctx.operands[0].kind}`}`);
    return undefined;
  }
  if (!hasDim(cache, 'T')) {
    ctx.report('type-mismatch', ctx.stmt.args[0], `the cache \`${ctx.stmt.args[0].text}\` (${formatType(cache)}) has no T (attended length) to append to`);
    return undefined;
  }
  const expected: ShardType = { dims: cache.dims.map((d) => ({ letter: d.letter === 'T' ? 'L' : d.letter, axes: [...d.axes] })), partialsum: [] };
  if (!typesEqual(expected, t)) {
    ctx.report(
      'type-mismatch',
      ctx.stmt.args[1],
      `append(${ctx.stmt.args[0].text}, ${ctx.stmt.args[1].text}) needs ${ctx.stmt.args[1].text} to have the cache's type with L in place of T, ${formatType(expected)}, but it is ${formatType(t)}`,
      undefined,
      related(ctx, 0, `the cache is ${formatType(cache)}`),
    );
    return undefined;
  }
  return { dims: cache.dims.map((d) => ({ letter: d.letter, axes: [...d.axes] })), partialsum: [] };
}

function inferElementwise2(op: string, ctx: TypingContext): ShardType | undefined {
  const [a, b] = ctx.types;
  // `add` of two partial sums is allowed when their types are equal (the sum stays partial).
  const bothPartial = op === 'add' && a.partialsum.length > 0 && b.partialsum.length > 0;
  if (!bothPartial) {
    if (!noPartial(ctx, 0, `\`${op}\` needs complete values, not a partial sum`)) return undefined;
    if (!noPartial(ctx, 1, `\`${op}\` needs complete values, not a partial sum`)) return undefined;
  }
  if (!typesEqual(a, b)) {
    ctx.report('type-mismatch', ctx.stmt.args[1], `${op}(${ctx.stmt.args[0].text}, ${ctx.stmt.args[1].text}) needs operands of one type, but they are ${formatType(a)} and ${formatType(b)}`, undefined, related(ctx, 0, `${ctx.stmt.args[0].text} : ${formatType(a)}`));
    return undefined;
  }
  return a;
}

function inferNormalise(op: string, need: 'T' | 'E', ctx: TypingContext): ShardType | undefined {
  const t = ctx.types[0];
  if (!hasDim(t, need)) {
    ctx.report('bad-reduction', ctx.stmt.args[0], `${op} normalises over ${need} (${DIM_MEANING[need]}), but ${ctx.stmt.args[0].text} (${formatType(t)}) has no ${need}`);
    return undefined;
  }
  if (!noPartial(ctx, 0, `\`${op}\` needs a complete value`)) return undefined;
  return t;
}

/** A non-linearity of one complete (not partial-sum) operand. */
function nonLinearity(name: string, doc: string): OperationDef {
  const type = (ctx: TypingContext) => (noPartial(ctx, 0, `\`${name}\` is a non-linearity`) ? ctx.types[0] : undefined);
  return defineOperation(`${name}(t)`, 'function', type, { kind: 'elementwise' }, 'computed', doc);
}

/** A normalisation over `dim` keeping `statistics` fp32 numbers per row. */
function normalisation(name: string, dim: 'T' | 'E', statistics: number, doc: string): OperationDef {
  const type = (ctx: TypingContext) => inferNormalise(name, dim, ctx);
  return defineOperation(`${name}(t)`, 'function', type, { kind: 'elementwise', normalises: { dim, statistics, statistic: REDUCE } }, 'computed', doc);
}

export const APPEND = defineOperation('append(cache, t)', 'function', inferAppend, { kind: 'cache-write' }, 'kv',
  'append the new keys or values t (L in place of T) to a KV cache');

export const GELU = nonLinearity('gelu', 'elementwise GeLU');
export const SILU = nonLinearity('silu', 'elementwise SiLU');

export const SWIGLU = defineOperation('swiglu(gate, up)', 'function', (ctx) => inferElementwise2('swiglu', ctx), { kind: 'elementwise' }, 'computed', 'SiLU(gate) × up, elementwise');

export const ADD = defineOperation('add(a, b)', 'function', (ctx) => inferElementwise2('add', ctx), { kind: 'elementwise' }, 'computed', 'elementwise sum');

export const SOFTMAX = normalisation('softmax', 'T', 2, 'softmax over T');

export const LAYERNORM = normalisation('layernorm', 'E', 2, 'layer normalisation over E');

export const RMSNORM = normalisation('rmsnorm', 'E', 1, 'RMS normalisation over E (no mean subtracted: one statistic per row)');
