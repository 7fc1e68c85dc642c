// Random well-typed blocks for the property tests, from a small grammar of valid statements.
//
// The generator keeps its own model of every value's sharded type and applies the typing rules
// of spec §2.1 to it, independently of the checker: a statement is only generated when the spec
// says it is valid, and its annotation is the type the spec says it has. So a generated block is
// a claim, made from the spec, that the checker must accept without a diagnostic.

import fc from 'fast-check';

export const AXES = ['x', 'y', 'z'] as const;
export const DIMS = ['B', 'L', 'T', 'E', 'F', 'H', 'K', 'Q', 'V'] as const;

export interface GenDim {
  letter: string;
  axes: string[];
}

export interface GenType {
  dims: GenDim[];
  partialsum: string[];
}

/** Random choices drawn inside a property (fast-check's `gen`), so failures shrink. */
export class Draw {
  constructor(private readonly g: fc.GeneratorValue) {}

  int(min: number, max: number): number {
    return this.g(fc.integer, { min, max });
  }

  bool(): boolean {
    return this.g(fc.boolean);
  }

  pick<T>(items: readonly T[]): T {
    return items[this.int(0, items.length - 1)];
  }

  /** A random subset of `items` in random order, of at least `min` elements. */
  subset<T>(items: readonly T[], min = 0): T[] {
    return this.g(fc.shuffledSubarray<T>, [...items], { minLength: Math.min(min, items.length) });
  }
}

export function carriedAxes(t: GenType): string[] {
  return [...t.dims.flatMap((d) => d.axes), ...t.partialsum];
}

/** A random non-partial type over distinct letters, each axis used at most once. */
export function randomType(draw: Draw, options: { minDims?: number; letters?: readonly string[]; axes?: readonly string[] } = {}): GenType {
  const letters = draw.subset(options.letters ?? DIMS, options.minDims ?? 1);
  const free = draw.subset(options.axes ?? AXES);
  const dims: GenDim[] = letters.map((letter) => ({ letter, axes: [] }));
  for (const axis of free) {
    const d = draw.int(-1, dims.length - 1);
    if (d >= 0) dims[d].axes.push(axis);
  }
  return { dims, partialsum: [] };
}

/**
 * A type as a user might write it: groups glued or spaced, each group's axes in a random order,
 * the partialsum suffix with or without a space. All of these spellings denote one type.
 */
export function writeType(draw: Draw, t: GenType): string {
  let text = '';
  t.dims.forEach((d, i) => {
    if (i > 0 && draw.bool()) text += ' ';
    text += d.letter;
    if (d.axes.length) text += `_${draw.subset(d.axes, d.axes.length).join('')}`;
  });
  if (t.partialsum.length) text += `${draw.bool() ? ' ' : ''}(partialsum-${draw.subset(t.partialsum, t.partialsum.length).join('')})`;
  return text;
}

/** Draws may hand back copies of the items, so dims are compared by letter, never by identity. */
function clone(t: GenType): GenType {
  return { dims: t.dims.map((d) => ({ letter: d.letter, axes: [...d.axes] })), partialsum: [...t.partialsum] };
}

function hasDim(t: GenType, letter: string): boolean {
  return t.dims.some((d) => d.letter === letter);
}

interface Value {
  name: string;
  type: GenType;
}

export interface GeneratedBlock {
  text: string;
  /** Every value's type as the spec derives it, by name. */
  types: Map<string, GenType>;
}

/**
 * A random `unembed` block (the block kind exempt from the residual rule, so its output may have
 * any type) of valid statements, each annotated with the type the spec gives it when the
 * annotation is required and at random otherwise.
 */
export function randomBlock(draw: Draw, name = 'gen', maxStatements = 12): GeneratedBlock {
  const types = new Map<string, GenType>();
  const weights: string[] = [];
  const lets: string[] = [];
  const values: Value[] = [];
  let counter = 0;
  const fresh = (prefix: string) => `${prefix}${counter++}`;

  const input: Value = { name: 'h', type: randomType(draw, { minDims: 1 }) };
  values.push(input);
  types.set(input.name, input.type);

  const define = (op: string, args: string[], type: GenType, annotationRequired: boolean) => {
    const v: Value = { name: fresh('v'), type };
    const call = `${v.name} = ${op}(${args.join(', ')})`;
    lets.push(annotationRequired || draw.bool() ? `${call} : ${writeType(draw, type)}` : call);
    values.push(v);
    types.set(v.name, type);
  };

  const steps = draw.int(0, maxStatements);
  for (let step = 0; step < steps; step++) {
    const v = draw.pick(values);
    const t = v.type;
    const sharding = t.dims.flatMap((d) => d.axes);
    const free = AXES.filter((a) => !carriedAxes(t).includes(a));
    const choice = draw.int(0, 9);
    if (choice === 0 && sharding.length) {
      // all_gather: over axes that shard some dim; they leave the type, partialsum axes stay.
      const axes = draw.subset(sharding, 1);
      const r = clone(t);
      for (const d of r.dims) d.axes = d.axes.filter((a) => !axes.includes(a));
      define('all_gather', [v.name, axes.join('')], r, false);
    } else if (choice === 1 && t.partialsum.length) {
      // reduce_scatter: over partialsum axes, placed on one dim (possibly already sharded).
      const axes = draw.subset(t.partialsum, 1);
      const r = clone(t);
      r.partialsum = r.partialsum.filter((a) => !axes.includes(a));
      draw.pick(r.dims).axes.push(...axes);
      define('reduce_scatter', [v.name, axes.join('')], r, true);
    } else if (choice === 2 && t.partialsum.length) {
      // all_reduce: over partialsum axes; the result is replicated over them.
      const axes = draw.subset(t.partialsum, 1);
      const r = clone(t);
      r.partialsum = r.partialsum.filter((a) => !axes.includes(a));
      define('all_reduce', [v.name, axes.join('')], r, false);
    } else if (choice === 3 && free.length) {
      // slice: over axes the tensor is replicated over, placed on one dim.
      const axes = draw.subset(free, 1);
      const r = clone(t);
      draw.pick(r.dims).axes.push(...axes);
      define('slice', [v.name, axes.join('')], r, true);
    } else if (choice === 4 && t.dims.length >= 2 && t.dims.some((d) => d.axes.length)) {
      // all_to_all: some axes of one dim move to another dim.
      const from = draw.pick(t.dims.filter((d) => d.axes.length));
      const to = draw.pick(t.dims.filter((d) => d.letter !== from.letter));
      const axes = draw.subset(from.axes, 1);
      const r = clone(t);
      r.dims.find((d) => d.letter === from.letter)!.axes = from.axes.filter((a) => !axes.includes(a));
      r.dims.find((d) => d.letter === to.letter)!.axes.push(...axes);
      define('all_to_all', [v.name, axes.join('')], r, true);
    } else if (choice === 5 && !t.partialsum.length) {
      define(draw.pick(['gelu', 'silu']), [v.name], clone(t), false);
    } else if (choice === 6) {
      // add of two equal types (partial sums allowed when both are over the same axes).
      const same = values.filter((w) => typesEqual(w.type, t));
      define('add', [v.name, draw.pick(same).name], clone(t), false);
    } else if (choice === 7 && !t.partialsum.length && (hasDim(t, 'E') || hasDim(t, 'T'))) {
      const op = hasDim(t, 'E') && (!hasDim(t, 'T') || draw.bool()) ? 'layernorm' : 'softmax';
      define(op, [v.name], clone(t), false);
    } else if (choice >= 8) {
      einsumWithNewWeight(draw, v, weights, types, define, fresh);
    }
  }

  // The output must be complete: reduce what is still partial.
  let last = values[values.length - 1];
  if (last.type.partialsum.length) {
    const r = clone(last.type);
    const axes = r.partialsum;
    r.partialsum = [];
    define('all_reduce', [last.name, axes.join('')], r, false);
    last = values[values.length - 1];
  }
  const body = [`in h : ${writeType(draw, input.type)}`, ...weights, ...lets, `out ${last.name}`];
  return { text: `unembed ${name} {\n${body.map((s) => `  ${s}`).join('\n')}\n}\n`, types };
}

/**
 * `einsum(v, w)` with a weight `w` made to fit: it contracts some of v's dims (sharded exactly as
 * in v) and adds new dims over axes v does not carry, so no axis repeats and w is replicated over
 * v's partialsum axes. Contracted dims' axes become partialsum axes of the result. H with K
 * (grouped heads) is avoided: it has its own rule.
 */
function einsumWithNewWeight(
  draw: Draw,
  v: Value,
  weights: string[],
  types: Map<string, GenType>,
  define: (op: string, args: string[], type: GenType, annotationRequired: boolean) => void,
  fresh: (prefix: string) => string,
): void {
  const t = v.type;
  const contracted = draw.subset(t.dims);
  const unused = DIMS.filter((l) => !hasDim(t, l) && !(l === 'K' && hasDim(t, 'H')) && !(l === 'H' && hasDim(t, 'K')));
  const added = draw.subset(unused).slice(0, 2);
  if (!contracted.length && !added.length) return;
  let free = AXES.filter((a) => !carriedAxes(t).includes(a));
  const newDims: GenDim[] = added.map((letter) => {
    const axes = draw.subset(free);
    free = free.filter((a) => !axes.includes(a));
    return { letter, axes };
  });
  const weightDims = draw.subset([...contracted.map((d) => ({ letter: d.letter, axes: [...d.axes] })), ...newDims], contracted.length + newDims.length);
  if (!weightDims.length) return;
  const weight: GenType = { dims: weightDims, partialsum: [] };
  const w = fresh('w');
  weights.push(`weight ${w} : ${writeType(draw, weight)}`);
  types.set(w, weight);
  const contractedLetters = contracted.map((d) => d.letter);
  const kept = t.dims.filter((d) => !contractedLetters.includes(d.letter)).map((d) => ({ letter: d.letter, axes: [...d.axes] }));
  const outDims = draw.subset([...kept, ...newDims.map((d) => ({ letter: d.letter, axes: [...d.axes] }))], kept.length + newDims.length);
  if (!outDims.length) return;
  const result: GenType = { dims: outDims, partialsum: [...t.partialsum, ...contracted.flatMap((d) => d.axes)] };
  define('einsum', draw.bool() ? [v.name, w] : [w, v.name], result, true);
}

export function typesEqual(a: GenType, b: GenType): boolean {
  const sameSet = (x: string[], y: string[]) => x.length === y.length && x.every((e) => y.includes(e));
  return a.dims.length === b.dims.length && a.dims.every((d) => b.dims.some((e) => e.letter === d.letter && sameSet(d.axes, e.axes))) && sameSet(a.partialsum, b.partialsum);
}
