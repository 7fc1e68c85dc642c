// The einsum (matrix multiply): its typing rule (operands must shard shared dims alike; the
// contracted dims' axes become partialsum axes) and its roofline cost.

import type { CheckedValue } from '../check/resolved';
import { type ShardDim, type ShardType, dimOf, formatAxes, formatType, hasDim } from '../check/shardType';
import { defineOperation, type TypingContext } from './operation';
import { related, sameSet } from './typing';

/** A dim's letter with K read as H when an einsum matches grouped KV heads to query heads. */
function canonLetter(letter: string, grouped: boolean): string {
  return grouped && letter === 'K' ? 'H' : letter;
}

/** The first dim of `t` whose canonical letter is `letter`. */
function canonDim(t: ShardType, letter: string, grouped: boolean): ShardDim | undefined {
  for (const d of t.dims) if (canonLetter(d.letter, grouped) === letter) return d;
  return undefined;
}

/** Bit of an axis letter `a`–`z` (typeFromExpr and the AXES argument admit no others). */
function axisBit(axis: string): number {
  return 1 << (axis.charCodeAt(0) - 97);
}

// Einsum is the most frequent statement: this works on the operand types in place and
// allocates only the result.
function inferEinsum(ctx: TypingContext, value: CheckedValue): ShardType | undefined {
  const [a, b] = ctx.types;
  const [argA, argB] = ctx.stmt.args;
  const ann = ctx.annotation;
  if (!ann) return undefined;
  // Grouped heads: one operand has H, the other K (and neither has both): K is matched to H.
  const grouped = (hasDim(a, 'H') && !hasDim(a, 'K') && hasDim(b, 'K') && !hasDim(b, 'H')) || (hasDim(b, 'H') && !hasDim(b, 'K') && hasDim(a, 'K') && !hasDim(a, 'H'));
  if (grouped) value.groupedHeads = true;
  let ok = true;
  for (const d of b.dims) {
    const letter = canonLetter(d.letter, grouped);
    const e = canonDim(a, letter, grouped);
    if (!e) continue;
    if (grouped && letter === 'H') {
      const dWasK = d.letter === 'K';
      const kDim = dWasK ? d : e;
      const hDim = dWasK ? e : d;
      if (kDim.axes.length && !sameSet(kDim.axes, hDim.axes)) {
        ctx.report(
          'sharding-mismatch',
          argB,
          `grouped heads: K is matched to H, so K must be sharded like H (over ${formatAxes(hDim.axes) || 'nothing'}) or not at all, but K is sharded over ${formatAxes(kDim.axes)}`,
          undefined,
          related(ctx, dWasK ? 0 : 1, `H is sharded over ${formatAxes(hDim.axes) || 'nothing'} here`),
        );
        ok = false;
      }
      continue;
    }
    if (!sameSet(d.axes, e.axes)) {
      const contracted = !ann.dims.some((x) => x.letter === letter);
      ctx.report(
        'sharding-mismatch',
        argB,
        `einsum ${contracted ? 'contracts' : 'keeps'} ${letter}, sharded over ${formatAxes(e.axes) || 'nothing'} in ${argA.text} but over ${formatAxes(d.axes) || 'nothing'} in ${argB.text}: both operands must shard ${letter} alike (all_gather or slice one of them first)`,
        undefined,
        related(ctx, 0, `${argA.text} : ${formatType(a)}`),
      );
      ok = false;
    }
  }
  // Partialsum operands: allowed only when the partner is replicated over those axes.
  for (let i = 0; i < 2; i++) {
    const t = i === 0 ? a : b;
    const other = i === 0 ? b : a;
    for (const p of t.partialsum) {
      const partnerCarries = other.dims.some((d) => d.axes.includes(p)) || other.partialsum.includes(p);
      if (partnerCarries) {
        const arg = ctx.stmt.args[i];
        ctx.report(
          'partialsum',
          arg,
          `\`${arg.text}\` is a partial sum over ${p} but its partner ${ctx.stmt.args[1 - i].text} is not replicated over ${p}: reduce \`${arg.text}\` first`,
          undefined,
          related(ctx, i, `\`${arg.text}\` : ${formatType(t)}`),
        );
        ok = false;
      }
    }
  }
  if (!ok) return undefined;
  // Output dims come from the annotation; each keeps its operand's axes.
  let absent: string | undefined;
  const dims: ShardType['dims'] = ann.dims.map((g) => {
    const src = canonDim(a, g.letter, grouped) ?? canonDim(b, g.letter, grouped);
    if (!src) {
      absent ??= g.letter;
      return g;
    }
    // With grouped heads prefer H's axes (K may be replicated).
    const axes = grouped && g.letter === 'H' ? (dimOf(a, 'H') ?? dimOf(b, 'H') ?? src).axes : src.axes;
    return { letter: g.letter, axes: axes.slice() };
  });
  if (absent) {
    ctx.report('type-mismatch', ctx.stmt.annotation!, `the einsum result has ${absent}, which neither ${argA.text} (${formatType(a)}) nor ${argB.text} (${formatType(b)}) has`);
    return undefined;
  }
  // Contracted dims (absent from the result) turn their axes into partialsum axes. Plain loops
  // (no callbacks) keep this from allocating more than the result.
  const partialsum: string[] = [];
  for (const ax of a.partialsum) if (!partialsum.includes(ax)) partialsum.push(ax);
  for (const ax of b.partialsum) if (!partialsum.includes(ax)) partialsum.push(ax);
  for (let i = 0; i < 2; i++) {
    const t = i === 0 ? a : b;
    for (const d of t.dims) {
      const letter = canonLetter(d.letter, grouped);
      if (dimOf(ann, letter)) continue;
      // The first operand's dim of a letter decides, as both must agree anyway.
      if (i === 1 && canonDim(a, letter, grouped)) continue;
      if (canonDim(t, letter, grouped) !== d) continue;
      for (const ax of d.axes) if (!partialsum.includes(ax)) partialsum.push(ax);
    }
  }
  const result: ShardType = { dims, partialsum };
  // No axis may appear twice in the result, counting partialsum axes.
  let seen = 0;
  let twice = 0;
  for (const d of dims) {
    for (const ax of d.axes) {
      const bit = axisBit(ax);
      if (seen & bit) twice |= bit;
      seen |= bit;
    }
  }
  for (const ax of partialsum) {
    const bit = axisBit(ax);
    if (seen & bit) twice |= bit;
    seen |= bit;
  }
  if (!twice) return result;
  // Named in order of first use.
  const reused: string[] = [];
  for (const ax of [...dims.flatMap((d) => d.axes), ...partialsum]) {
    const bit = axisBit(ax);
    if (twice & bit) {
      twice &= ~bit;
      reused.push(ax);
    }
  }
  ctx.report('axis-reused', argB, `the einsum result would use axis ${reused.join(', ')} twice (${describeAxisUse(result, reused)}); gather or reduce one side first`);
  return undefined;
}

function describeAxisUse(t: ShardType, axes: string[]): string {
  const uses: string[] = [];
  for (const ax of axes) {
    const where = t.dims.filter((d) => d.axes.includes(ax)).map((d) => d.letter);
    if (t.partialsum.includes(ax)) where.push('partialsum');
    uses.push(`${ax} on ${where.join(' and ')}`);
  }
  return uses.join('; ');
}

export const EINSUM = defineOperation('einsum(a, b) : TYPE', 'einsum', inferEinsum, { kind: 'roofline' }, 'computed',
  'matrix multiply; letters absent from the result are contracted and their axes become partialsum axes');
