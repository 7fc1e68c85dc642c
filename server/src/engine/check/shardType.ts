// The sharded tensor type of spec/language.md §1: a map from dimension letter to a set of mesh
// axes, plus a set of partialsum axes. Dim order is kept (it records the logical shape and gives
// the canonical form) but does not take part in equality.

export interface ShardDim {
  letter: string;
  /** Axes that shard this dim, as a set (order is not significant). */
  axes: string[];
}

export interface ShardType {
  dims: ShardDim[];
  partialsum: string[];
}

/** The standard dimension letters (spec §1) and what they mean. */
export const DIM_MEANING: Record<string, string> = {
  B: 'batch (sequences)',
  L: 'new tokens per sequence in this pass',
  T: 'attended context length (KV cache length)',
  E: 'd_model',
  F: 'd_ff',
  H: 'query heads',
  K: 'key/value heads',
  Q: 'head dim',
  V: 'vocabulary',
  // Multi-head latent attention (DeepSeek-V2/V3): the low-rank latents and the decoupled rope part.
  A: 'query latent rank (MLA q_lora_rank)',
  C: 'latent KV rank (MLA kv_lora_rank): the cached latent per token',
  R: 'rope dims per head (MLA qk_rope_head_dim): the decoupled rotary key, shared by all heads',
  // Mixture of experts: routed experts, token slots per expert, an expert's and the shared experts' d_ff.
  X: 'routed experts (mixture of experts)',
  N: 'token slots per expert: B·L·top_k·capacity_factor / X (expected, not rounded)',
  G: "an expert's d_ff (each routed expert's hidden width)",
  S: "the shared experts' d_ff together: shared_experts × G",
};

const STANDARD_DIMS = new Set(Object.keys(DIM_MEANING));

export function isStandardDim(letter: string): boolean {
  return STANDARD_DIMS.has(letter);
}

export function dimOf(t: ShardType, letter: string): ShardDim | undefined {
  for (const d of t.dims) if (d.letter === letter) return d;
  return undefined;
}

export function hasDim(t: ShardType, letter: string): boolean {
  return dimOf(t, letter) !== undefined;
}

/** True when some dim of `t` is sharded over `axis` (shardingAxes(t).includes(axis), without the list). */
export function shardsOver(t: ShardType, axis: string): boolean {
  for (const d of t.dims) if (d.axes.includes(axis)) return true;
  return false;
}

/** Every axis the type carries: sharding axes of all dims, then partialsum axes. */
export function allAxes(t: ShardType): string[] {
  return [...t.dims.flatMap((d) => d.axes), ...t.partialsum];
}

/** Axes that shard some dim (not partialsum). */
export function shardingAxes(t: ShardType): string[] {
  return t.dims.flatMap((d) => d.axes);
}

// Axis lists hold a few letters: nested loops compare them without allocating (typesEqual runs
// for every statement of every block).
function sameSet(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < b.length; i++) if (!a.includes(b[i])) return false;
  return true;
}

export function sameAxes(a: readonly string[], b: readonly string[]): boolean {
  return sameSet(a, b);
}

/** Type identity of spec §1: same dims, same axes per dim, same partialsum axes. */
export function typesEqual(a: ShardType, b: ShardType): boolean {
  if (a.dims.length !== b.dims.length) return false;
  for (const d of a.dims) {
    const e = dimOf(b, d.letter);
    if (!e || !sameSet(d.axes, e.axes)) return false;
  }
  return sameSet(a.partialsum, b.partialsum);
}

/** Default axis order when no mesh is known: x, y, z first, then alphabetical. */
export const DEFAULT_AXIS_ORDER = ['x', 'y', 'z'];

export function sortAxes(axes: readonly string[], meshOrder: readonly string[] = DEFAULT_AXIS_ORDER): string[] {
  const rank = (a: string) => {
    const i = meshOrder.indexOf(a);
    return i >= 0 ? i : meshOrder.length + a.charCodeAt(0);
  };
  return [...axes].sort((a, b) => rank(a) - rank(b));
}

/**
 * Canonical form (spec §1): `BLF_yz (partialsum-x)`, `E_x F_yz`. A sharded dim followed by
 * another dim ends with a space, as the paper writes it: `E_xF_yz` would read as axes x, F, y, z.
 * The parser reads both spellings, so the text is also valid where a quick fix inserts it.
 */
export function formatType(t: ShardType, meshOrder: readonly string[] = DEFAULT_AXIS_ORDER): string {
  let s = '';
  t.dims.forEach((d, i) => {
    s += d.letter;
    if (!d.axes.length) return;
    s += `_${sortAxes(d.axes, meshOrder).join('')}`;
    if (i < t.dims.length - 1) s += ' ';
  });
  if (t.partialsum.length) s += ` (partialsum-${sortAxes(t.partialsum, meshOrder).join('')})`;
  return s;
}

export function formatAxes(axes: readonly string[], meshOrder: readonly string[] = DEFAULT_AXIS_ORDER): string {
  return sortAxes(axes, meshOrder).join('');
}

export function cloneType(t: ShardType): ShardType {
  return { dims: t.dims.map((d) => ({ letter: d.letter, axes: [...d.axes] })), partialsum: [...t.partialsum] };
}

/** The type with `letter` renamed (used for `append`: the cache's T is the new value's L). */
export function renameDim(t: ShardType, from: string, to: string): ShardType {
  return { dims: t.dims.map((d) => ({ letter: d.letter === from ? to : d.letter, axes: [...d.axes] })), partialsum: [...t.partialsum] };
}
