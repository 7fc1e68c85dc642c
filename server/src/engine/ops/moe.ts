// Mixture of experts: `dispatch` (top-k routing of tokens into per-expert slots) and `combine`
// (each token's weighted sum of its experts' outputs), and the rule that an all_to_all of expert
// slots moves axes between the slots (N) and the experts (X) only. With the router's einsum
// (`E X` weights), the expert einsums (`X E G` weights, batched over X) and all_to_all, they
// write an MoE FFN in the paper's notation (docs/language.md "Mixture of experts").
//
//   tokens  B L E  --dispatch-->  X N E   (N: token slots per expert, split like the tokens)
//   slots   X N_a E --all_to_all(a)--> X_a N E   (each chip now holds its experts' slots)
//   outputs X_a N E --all_to_all(a)--> X N_a E --combine--> B L E

import { type ShardType, dimOf, formatAxes, formatType, hasDim, typesEqual } from '../check/shardType';
import { defineOperation, type TypingContext } from './operation';
import { noPartial, related } from './typing';

/** The axes that split the tokens of a B L … value: B's and L's. */
function tokenAxes(t: ShardType): string[] {
  return [...(dimOf(t, 'B')?.axes ?? []), ...(dimOf(t, 'L')?.axes ?? [])];
}

function sameSet(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((x) => b.includes(x));
}

/**
 * The routing operand (the router's logits, B L X): it must hold every expert's logit of each of
 * its tokens (top-k needs them all) and split its tokens as the other operand's tokens are split.
 */
function checkRouting(ctx: TypingContext, op: 'dispatch' | 'combine', tokens: readonly string[]): boolean {
  const r = ctx.types[1];
  const arg = ctx.stmt.args[1];
  if (!hasDim(r, 'B') || !hasDim(r, 'L') || !hasDim(r, 'X')) {
    ctx.report('type-mismatch', arg, `${op}'s second argument is the router's logits, B L X, but \`${arg.text}\` is ${formatType(r)}`, undefined, related(ctx, 1, `${arg.text} : ${formatType(r)}`));
    return false;
  }
  if (!noPartial(ctx, 1, `top-k routing reads complete logits`)) return false;
  const x = dimOf(r, 'X')!;
  if (x.axes.length) {
    ctx.report('bad-dispatch', arg, `top-k routing needs every expert's logit of a token, but \`${arg.text}\` (${formatType(r)}) splits X over ${formatAxes(x.axes)}: all_gather it over ${formatAxes(x.axes)} first`, undefined, related(ctx, 1, `${arg.text} : ${formatType(r)}`));
    return false;
  }
  const rTokens = tokenAxes(r);
  if (!sameSet(rTokens, tokens)) {
    ctx.report(
      'bad-dispatch',
      arg,
      `${op} routes each token by its own logits, so \`${arg.text}\` must split its tokens (B, L) over ${formatAxes(tokens) || 'nothing'} like the ${op === 'dispatch' ? 'tokens' : 'slots (N)'}, but it splits them over ${formatAxes(rTokens) || 'nothing'}`,
      undefined,
      related(ctx, 1, `${arg.text} : ${formatType(r)}`),
    );
    return false;
  }
  return true;
}

function inferDispatch(ctx: TypingContext): ShardType | undefined {
  const t = ctx.types[0];
  const ann = ctx.annotation;
  const arg = ctx.stmt.args[0];
  if (!ann) return undefined;
  if (!hasDim(t, 'B') || !hasDim(t, 'L') || !hasDim(t, 'E') || hasDim(t, 'X')) {
    ctx.report('type-mismatch', arg, `dispatch sends tokens (B L E) to experts, but \`${arg.text}\` is ${formatType(t)}`, undefined, related(ctx, 0, `${arg.text} : ${formatType(t)}`));
    return undefined;
  }
  if (!noPartial(ctx, 0, '`dispatch` routes complete tokens')) return undefined;
  const tokens = tokenAxes(t);
  if (!checkRouting(ctx, 'dispatch', tokens)) return undefined;
  const e = dimOf(t, 'E')!;
  const x = dimOf(ann, 'X');
  const n = dimOf(ann, 'N');
  const expected: ShardType = { dims: [{ letter: 'X', axes: x?.axes ?? [] }, { letter: 'N', axes: tokens }, { letter: 'E', axes: e.axes }], partialsum: [] };
  if (!x || !n || !hasDim(ann, 'E') || ann.dims.length !== 3 || ann.partialsum.length) {
    ctx.report('type-mismatch', ctx.stmt.annotation!, `dispatch gives expert slots X N E with N split like the tokens, e.g. ${formatType(expected)}, not ${formatType(ann)}`, [
      { title: `Set the annotation to ${formatType(expected)}`, edits: [{ span: ctx.stmt.annotation!, newText: formatType(expected) }], preferred: true },
    ]);
    return undefined;
  }
  // X split over an axis that already splits the tokens: each chip would keep only the slots of
  // its own tokens for its own experts, losing the tokens routed to the other chips' experts.
  const clash = x.axes.filter((a) => tokens.includes(a) || e.axes.includes(a));
  if (clash.length) {
    const onTokens = clash.filter((a) => tokens.includes(a));
    const why = onTokens.length
      ? `${formatAxes(onTokens)} already splits the tokens of \`${arg.text}\` (${formatType(t)}): a chip along ${formatAxes(onTokens)} would keep only its own tokens' slots for its experts and lose the tokens routed to experts on the other chips. Dispatch to ${formatType({ dims: [{ letter: 'X', axes: x.axes.filter((a) => !clash.includes(a)) }, { letter: 'N', axes: tokens }, { letter: 'E', axes: e.axes }], partialsum: [] })} and exchange the slots with all_to_all(…, ${formatAxes(onTokens)})`
      : `${formatAxes(clash)} already splits E of \`${arg.text}\` (${formatType(t)}), and a slot holds a whole token's E: split X over another axis, or all_gather E over ${formatAxes(clash)} first`;
    ctx.report('expert-axis-reused', ctx.stmt.annotation!, `dispatch: expert axis ${formatAxes(clash)} reused: ${why}`, undefined, related(ctx, 0, `${arg.text} : ${formatType(t)}`));
    return undefined;
  }
  if (!sameSet(n.axes, tokens) || !sameSet(dimOf(ann, 'E')!.axes, e.axes)) {
    ctx.report(
      'bad-dispatch',
      ctx.stmt.annotation!,
      `dispatch keeps each token's slots on the chip that holds the token, so N is split like the tokens' B and L (over ${formatAxes(tokens) || 'nothing'}) and E as in \`${arg.text}\`: ${formatType(expected)}, not ${formatType(ann)}; move slots between chips with all_to_all`,
      [{ title: `Set the annotation to ${formatType(expected)}`, edits: [{ span: ctx.stmt.annotation!, newText: formatType(expected) }], preferred: true }],
    );
    return undefined;
  }
  return ann;
}

function inferCombine(ctx: TypingContext): ShardType | undefined {
  const t = ctx.types[0];
  const ann = ctx.annotation;
  const arg = ctx.stmt.args[0];
  if (!ann) return undefined;
  const x = dimOf(t, 'X');
  const n = dimOf(t, 'N');
  const e = dimOf(t, 'E');
  if (!x || !n || !e || t.dims.length !== 3) {
    ctx.report('type-mismatch', arg, `combine sums each token's expert outputs, X N E, but \`${arg.text}\` is ${formatType(t)}`, undefined, related(ctx, 0, `${arg.text} : ${formatType(t)}`));
    return undefined;
  }
  if (!checkRouting(ctx, 'combine', n.axes)) return undefined;
  const r = ctx.types[1];
  // A chip that holds some experts' outputs only adds those: a partial sum over X's axes.
  const partialsum = [...t.partialsum];
  for (const a of x.axes) if (!partialsum.includes(a)) partialsum.push(a);
  const expected: ShardType = { dims: [{ letter: 'B', axes: dimOf(r, 'B')!.axes }, { letter: 'L', axes: dimOf(r, 'L')!.axes }, { letter: 'E', axes: e.axes }], partialsum };
  if (!typesEqual(expected, ann)) {
    ctx.report(
      'type-mismatch',
      ctx.stmt.annotation!,
      `combine returns each token's weighted sum of its experts' outputs where the routing holds the token${x.axes.length ? `, a partial sum over the expert axes ${formatAxes(x.axes)}` : ''}: ${formatType(expected)}, not ${formatType(ann)}`,
      [{ title: `Set the annotation to ${formatType(expected)}`, edits: [{ span: ctx.stmt.annotation!, newText: formatType(expected) }], preferred: true }],
    );
    return undefined;
  }
  return ann;
}

/**
 * An all_to_all of expert slots (a value with X and N) exchanges them between the chips that
 * hold the tokens and the chips that hold the experts: its axes move from N to X (dispatch) or
 * from X to N (back for combine), and nowhere else. Reports `bad-dispatch` otherwise.
 */
export function checkExpertExchange(ctx: TypingContext, result: ShardType): boolean {
  const t = ctx.types[0];
  if (!hasDim(t, 'X') || !hasDim(t, 'N')) return true;
  for (const a of ctx.axes) {
    const from = t.dims.find((d) => d.axes.includes(a))?.letter;
    const to = result.dims.find((d) => d.axes.includes(a))?.letter;
    if ((from === 'N' && to === 'X') || (from === 'X' && to === 'N')) continue;
    ctx.report(
      'bad-dispatch',
      ctx.axesIdent!,
      `all_to_all of expert slots moves ${a} from ${from} to ${to}: slots are exchanged between the tokens' chips and the experts' chips, so an axis moves from N to X (to the experts) or from X to N (back to the tokens)`,
      undefined,
      related(ctx, 0, `${ctx.stmt.args[0].text} : ${formatType(t)}`),
    );
    return false;
  }
  return true;
}

export const DISPATCH = defineOperation('dispatch(t, r) : TYPE', 'function', inferDispatch, { kind: 'elementwise' }, 'operand',
  'top-k routing: copy each token of t (B L E) into the slots of the top_k experts its router logits r (B L X) pick; the result X N E holds N slots per expert, split like the tokens');

export const COMBINE = defineOperation('combine(t, r) : TYPE', 'function', inferCombine, { kind: 'elementwise' }, 'computed',
  "sum each token's expert outputs t (X N E) weighted by its router scores r (B L X); with X split over axes, a partial sum over them");
