// Elementwise and normalising operations, and the cache update `append`: typing rules that keep
// their operand's type, and HBM-bound costs.

import { type ShardType, DIM_MEANING, formatType, hasDim, typesEqual } from '../check/shardType';
import type { OperationDef, TypingContext } from './operation';
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
  return {
    name,
    operands: 1,
    takesAxes: false,
    annotationRequired: false,
    signature: `${name}(t)`,
    doc,
    class: 'function',
    type: (ctx) => (noPartial(ctx, 0, `\`${name}\` is a non-linearity`) ? ctx.types[0] : undefined),
    cost: { kind: 'elementwise' },
    dtype: 'computed',
  };
}

export const APPEND: OperationDef = {
  name: 'append',
  operands: 2,
  takesAxes: false,
  annotationRequired: false,
  signature: 'append(cache, t)',
  doc: 'append the new keys or values t (L in place of T) to a KV cache',
  class: 'function',
  type: inferAppend,
  cost: { kind: 'cache-write' },
  dtype: 'kv',
};

export const GELU = nonLinearity('gelu', 'elementwise GeLU');
export const SILU = nonLinearity('silu', 'elementwise SiLU');

export const SWIGLU: OperationDef = {
  name: 'swiglu',
  operands: 2,
  takesAxes: false,
  annotationRequired: false,
  signature: 'swiglu(gate, up)',
  doc: 'SiLU(gate) × up, elementwise',
  class: 'function',
  type: (ctx) => inferElementwise2('swiglu', ctx),
  cost: { kind: 'elementwise' },
  dtype: 'computed',
};

export const ADD: OperationDef = {
  name: 'add',
  operands: 2,
  takesAxes: false,
  annotationRequired: false,
  signature: 'add(a, b)',
  doc: 'elementwise sum',
  class: 'function',
  type: (ctx) => inferElementwise2('add', ctx),
  cost: { kind: 'elementwise' },
  dtype: 'computed',
};

export const SOFTMAX: OperationDef = {
  name: 'softmax',
  operands: 1,
  takesAxes: false,
  annotationRequired: false,
  signature: 'softmax(t)',
  doc: 'softmax over T',
  class: 'function',
  type: (ctx) => inferNormalise('softmax', 'T', ctx),
  cost: { kind: 'elementwise', normalises: { dim: 'T', statistic: REDUCE } },
  dtype: 'computed',
};

export const LAYERNORM: OperationDef = {
  name: 'layernorm',
  operands: 1,
  takesAxes: false,
  annotationRequired: false,
  signature: 'layernorm(t)',
  doc: 'layer normalisation over E',
  class: 'function',
  type: (ctx) => inferNormalise('layernorm', 'E', ctx),
  cost: { kind: 'elementwise', normalises: { dim: 'E', statistic: REDUCE } },
  dtype: 'computed',
};
