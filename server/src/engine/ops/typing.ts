// Pieces the typing rules of several operations share: related-information links, partial-sum
// checks, and placing moved axes where the annotation shows them.

import type { QuickFix, RelatedInfo } from '../diagnostics';
import { type ShardDim, type ShardType, dimOf, formatAxes, formatType, sameAxes } from '../check/shardType';
import type { TypingContext } from './operation';

export function related(ctx: TypingContext, i: number, message: string): RelatedInfo[] {
  const v = ctx.operands[i];
  return [{ source: ctx.source, span: v.def, message }];
}

export function noPartial(ctx: TypingContext, i: number, what: string): boolean {
  const t = ctx.types[i];
  if (!t.partialsum.length) return true;
  const arg = ctx.stmt.args[i];
  const fix: QuickFix | undefined = undefined;
  ctx.report(
    'partialsum',
    arg,
    `${what} of \`${arg.text}\`, a partial sum over ${formatAxes(t.partialsum)} (${formatType(t)}): sum it first with \`reduce_scatter(${arg.text}, ${formatAxes(t.partialsum)})\` or \`all_reduce\``,
    fix ? [fix] : undefined,
    related(ctx, i, `\`${arg.text}\` becomes a partial sum here`),
  );
  return false;
}

export function sameSet(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((x) => b.includes(x));
}

/** The dims with `axes` taken out; a dim that has none of them is shared, not copied. */
export function withoutAxes(dims: ShardDim[], axes: readonly string[]): ShardDim[] {
  return dims.map((d) => (d.axes.some((a) => axes.includes(a)) ? { letter: d.letter, axes: d.axes.filter((a) => !axes.includes(a)) } : d));
}

export function notPartialOver(ctx: TypingContext, op: string): boolean {
  const t = ctx.types[0];
  const missing = ctx.axes.filter((a) => !t.partialsum.includes(a));
  if (!missing.length) return true;
  ctx.report(
    'partialsum',
    ctx.axesIdent!,
    `${op} over ${ctx.axes.join('')}, but ${ctx.stmt.args[0].text} is not a partial sum over ${missing.join('')} (its type is ${formatType(t)})${t.partialsum.length ? `; it is partial over ${formatAxes(t.partialsum)}` : ''}`,
    undefined,
    related(ctx, 0, `${ctx.stmt.args[0].text} : ${formatType(t)}`),
  );
  return false;
}


/** True when `base` with `extra` appended to the axes of its dim `at` equals `ann` (typesEqual). */
export function equalWithAdded(base: ShardType, at: number, extra: readonly string[], ann: ShardType): boolean {
  if (base.dims.length !== ann.dims.length) return false;
  for (let j = 0; j < base.dims.length; j++) {
    const d = base.dims[j];
    const e = dimOf(ann, d.letter);
    if (!e) return false;
    if (j !== at) {
      if (!sameAxes(d.axes, e.axes)) return false;
      continue;
    }
    if (d.axes.length + extra.length !== e.axes.length) return false;
    for (const ax of e.axes) if (!d.axes.includes(ax) && !extra.includes(ax)) return false;
  }
  return sameAxes(base.partialsum, ann.partialsum);
}

/** `base` with `extra` added to the axes of its dim `at`. */
export function withAdded(base: ShardType, at: number, extra: readonly string[]): ShardType {
  return { dims: base.dims.map((e, j) => ({ letter: e.letter, axes: j === at ? [...e.axes, ...extra] : [...e.axes] })), partialsum: base.partialsum };
}

/**
 * `t` with `axes` added to the dim that the annotation shows receiving them. When one dim fits,
 * the result equals the annotation, which is returned as it is (nothing is built).
 */
export function placeAxes(ctx: TypingContext, base: ShardType, op: string): ShardType | undefined {
  const ann = ctx.annotation;
  if (!ann) return undefined;
  for (let i = 0; i < base.dims.length; i++) if (equalWithAdded(base, i, ctx.axes, ann)) return ann;
  if (!base.dims.length) return undefined;
  // Pick the dim the annotation gives the most of the moved axes, to name a sensible expectation.
  let bestAt = base.dims.length - 1;
  let bestScore = -1;
  base.dims.forEach((d, i) => {
    const annAxes = dimOf(ann, d.letter)?.axes ?? [];
    const score = ctx.axes.filter((a) => annAxes.includes(a)).length;
    if (score > bestScore) {
      bestAt = i;
      bestScore = score;
    }
  });
  const best = withAdded(base, bestAt, ctx.axes);
  const fix: QuickFix = { title: `Set the annotation to ${formatType(best)}`, edits: [{ span: ctx.stmt.annotation!, newText: formatType(best) }], preferred: true };
  ctx.report(
    'type-mismatch',
    ctx.stmt.annotation!,
    `\`${ctx.stmt.name.text}\` is annotated ${formatType(ann)}, but ${op}(${ctx.stmt.args[0].text}, ${ctx.axes.join('')}) gives ${formatType(base)} with ${ctx.axes.join('')} added to one dim, e.g. ${formatType(best)}`,
    [fix],
  );
  return undefined;
}

/** placeAxes already reported the mismatch; keep the annotation as the value's type. */
export function markReported(ctx: TypingContext): ShardType | undefined {
  return ctx.annotation;
}
