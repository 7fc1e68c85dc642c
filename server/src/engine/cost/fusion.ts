// Parallel-block fusion (language.md §2.2): with `block = parallel`, attention and ffn read the
// same input, and three pairs of statements run once for both: the shared `layernorm(in)`, the
// first all_gather of each block's (normalised) input, and the two reduce_scatters that make the
// blocks' outputs (the partial sums are added locally first, Pope §3.4).

import type { CheckedBlock, CheckedValue } from '../check/resolved';
import { sameAxes, typesEqual } from '../check/shardType';
import { costRule } from '../ops/index';

export interface FusedPair {
  attention: CheckedValue;
  ffn: CheckedValue;
  /** Which of the three fusions this is: the shared layernorm, the input gather, the output scatter. */
  kind: 'shared-norm' | 'input-gather' | 'output-scatter';
}

/** A layer normalisation (layernorm, rmsnorm): normalises over E. */
function normalisesOverE(op: string): boolean {
  const rule = costRule(op);
  return rule?.kind === 'elementwise' && rule.normalises?.dim === 'E';
}

function firstOp(block: CheckedBlock): CheckedValue | undefined {
  return block.values.find((v) => v.op !== 'in' && v.op !== 'weight' && v.op !== 'cache');
}

/** The pairs of statements `block = parallel` fuses, in layer order. */
export function findFusions(attention: CheckedBlock, ffn: CheckedBlock): FusedPair[] {
  const out: FusedPair[] = [];
  const aIn = attention.input?.name;
  const fIn = ffn.input?.name;
  if (!aIn || !fIn) return out;
  const aIn_t = attention.input?.type;
  const fIn_t = ffn.input?.type;
  if (!aIn_t || !fIn_t || !typesEqual(aIn_t, fIn_t)) return out;

  // 1. The layernorm both blocks begin with.
  const aFirst = firstOp(attention);
  const fFirst = firstOp(ffn);
  let aNorm: string | undefined;
  let fNorm: string | undefined;
  if (aFirst && fFirst && aFirst.op === fFirst.op && normalisesOverE(aFirst.op) && aFirst.args[0] === aIn && fFirst.args[0] === fIn) {
    out.push({ attention: aFirst, ffn: fFirst, kind: 'shared-norm' });
    aNorm = aFirst.name;
    fNorm = fFirst.name;
  }

  // 2. The first all_gather of each block's input (or of the fused layernorm's result): both
  //    gather the same value over the same axes to equal types. An all_gather of a weight
  //    (weight-gathered layouts) is not a candidate.
  const gathersInput = (v: CheckedValue, input: string, norm: string | undefined) =>
    v.op === 'all_gather' && (v.args[0] === (norm ?? input));
  const aGather = attention.values.find((v) => gathersInput(v, aIn, aNorm));
  const fGather = ffn.values.find((v) => gathersInput(v, fIn, fNorm));
  if (aGather && fGather && aGather.type && fGather.type && sameAxes(aGather.axes, fGather.axes) && typesEqual(aGather.type, fGather.type)) {
    out.push({ attention: aGather, ffn: fGather, kind: 'input-gather' });
  }

  // 3. The reduce_scatters that make the outputs, over the same axes and of equal operand types.
  const aOut = attention.output;
  const fOut = ffn.output;
  if (aOut && fOut && aOut.op === 'reduce_scatter' && fOut.op === 'reduce_scatter' && sameAxes(aOut.axes, fOut.axes)) {
    const aOp = attention.byName.get(aOut.args[0])?.type;
    const fOp = ffn.byName.get(fOut.args[0])?.type;
    if (aOp && fOp && typesEqual(aOp, fOp)) out.push({ attention: aOut, ffn: fOut, kind: 'output-scatter' });
  }
  return out;
}
