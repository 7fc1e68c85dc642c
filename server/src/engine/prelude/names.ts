// How the prelude names the blocks of one built-in ffn layout (docs/language.md, "Built-in name
// resolution"): `<ffn>`, `<ffn>_swiglu`, `<ffn>_heads_{mqa,gqa,mha}`, `<ffn>_batch_{…}`,
// `<ffn>_unembed`. The checker resolves layout fields by these names, the prelude's built-in list
// finds each layout's attention families by them, and completion offers the families.

/** A layout's `attention = heads | batch`: the attention family of the phase's ffn. */
export const ATTENTION_SHARDINGS = ['heads', 'batch'] as const;
export type AttentionSharding = (typeof ATTENTION_SHARDINGS)[number];

/** `attention = none`: the layout has no attention blocks. */
export const NO_ATTENTION = 'none';

/** The member of an attention family for a class of K: multiquery, grouped-query, multihead. */
export type KClass = 'mqa' | 'gqa' | 'mha';

/** Each class of K with the words messages use for it. */
export const K_CLASSES: Readonly<Record<KClass, string>> = {
  mqa: 'multiquery (K = 1)',
  gqa: 'grouped-query',
  mha: 'multihead (K = H)',
};

/** The classes of K, in the order messages list them. */
export const K_CLASS_NAMES = Object.keys(K_CLASSES) as readonly KClass[];

export function kClassOf(dims: { K: number; H: number }): KClass {
  return dims.K === 1 ? 'mqa' : dims.K === dims.H ? 'mha' : 'gqa';
}

/** The three-matrix variant a built-in ffn name stands for on a swiglu model. */
export const swigluVariantName = (ffn: string): string => `${ffn}_swiglu`;

/** The attention family of an ffn layout for one sharding (`ws2d_batch`). */
export const attentionFamilyName = (ffn: string, sharding: AttentionSharding): string => `${ffn}_${sharding}`;

/** One member of an attention family (`ws2d_batch_mqa`). */
export const familyMemberName = (family: string, k: KClass): string => `${family}_${k}`;

/** The family a member name belongs to (`ws2d_batch` for `ws2d_batch_mqa`), or undefined. */
export function familyOfMember(name: string): string | undefined {
  const cut = name.lastIndexOf('_');
  return cut > 0 && Object.prototype.hasOwnProperty.call(K_CLASSES, name.slice(cut + 1)) ? name.slice(0, cut) : undefined;
}

/**
 * The multi-head latent attention member of a family (prelude/mla.shard), picked instead of the K
 * class on a model with a latent KV rank (C > 0): absorbed (`ws1d_heads_mla`) for decode, expanded
 * (`ws1d_heads_mla_expanded`) for prefill, the cheaper form of each phase (docs/cost-model.md).
 */
export const mlaMemberName = (family: string, phase: 'prefill' | 'decode'): string => (phase === 'prefill' ? `${family}_mla_expanded` : `${family}_mla`);

/** A model whose attention is multi-head latent attention: it has a latent KV rank C. */
export const isMlaModel = (model: { dims: { C: number } }): boolean => model.dims.C > 0;

/** The unembedding that goes with an ffn layout (`ws2d_unembed`). */
export const unembedName = (ffn: string): string => `${ffn}_unembed`;
