// Whether a layout's blocks have the structure of its model: the ffn block's weight matrices and
// activation against the model's `ffn` (gelu: two matrices; swiglu: three, gated), and the
// attention block's key/value heads against the model's K and H (multiquery, grouped-query,
// multihead). The cost model counts what the blocks write (their einsums, their stored weights)
// while the model's parameter count (MFU's N) follows the model, so a block of another kind
// would be costed as a different model than the one the layout names (a two-matrix gelu block
// for PaLM looked 22% faster than the paper's layout). The layout resolver reports a mismatch;
// the variant builder skips variants that would have one.

import type { BlockDecl } from '../syntax/ast';
import { familyOfMember, isMlaModel, kClassOf, K_CLASS_NAMES, K_CLASSES, swigluVariantName, type KClass } from '../prelude/names';
import { preludeBuiltins } from '../prelude/builtins';
import { dimOf, hasDim, typesEqual } from './shardType';
import { FFN_MATRICES, type CheckedBlock, type ModelSpec } from './resolved';
import { expertsMismatch, isExpertMatrix, isMoeSideWeight } from './moe';

/** What an ffn block computes, as the cost model will count it. */
interface FfnShape {
  /** The stored weights (each one weight matrix of the FFN). */
  weights: string[];
  /** The block applies `swiglu(gate, up)`. */
  gated: boolean;
  /** The activation functions it applies, in statement order (`gelu`, `silu`, `swiglu`). */
  activations: string[];
}

const ACTIVATIONS: ReadonlySet<string> = new Set(['gelu', 'silu', 'swiglu']);

/** The matrices and activation of each model `ffn` kind (docs/language.md, model fields). */
const FFN_KINDS = {
  gelu: { matrices: FFN_MATRICES.gelu, gated: false, activation: 'gelu', words: 'gelu: two weight matrices, not gated' },
  swiglu: { matrices: FFN_MATRICES.swiglu, gated: true, activation: 'swiglu', words: 'SwiGLU: three weight matrices, gated' },
} as const;

function ffnShape(block: CheckedBlock): FfnShape {
  const weights: string[] = [];
  const activations: string[] = [];
  for (const v of block.values) {
    if (v.op === 'weight') weights.push(v.name);
    else if (ACTIVATIONS.has(v.op) && !activations.includes(v.op)) activations.push(v.op);
  }
  return { weights, gated: activations.includes('swiglu'), activations };
}

/** The block's kind in the words of a message: "2 weight matrices (w_in, w_out), gelu". */
function shapeWords(s: FfnShape): string {
  const act = s.activations.length ? s.activations.join(', ') : 'no activation';
  return `${s.weights.length} weight matri${s.weights.length === 1 ? 'x' : 'ces'} (${s.weights.join(', ') || 'none'}), ${act}${s.gated ? ' (gated)' : ''}`;
}

/** A block that does not match the model: what to say, and the block to name instead (if any). */
export interface ModelMismatch {
  message: string;
  /** The name a layout writes for the matching built-in, when there is one. */
  replacement?: string;
}

/** Looks blocks up by name (ffn, attention and unembed blocks share one namespace). */
export type BlockNamed = (name: string) => BlockDecl | undefined;

/** Undefined when the ffn block computes the model's FFN: its matrices and its activation. */
export function ffnMismatch(ffn: CheckedBlock, model: ModelSpec, named: BlockNamed, blocks: ReadonlyMap<BlockDecl, CheckedBlock>): ModelMismatch | undefined {
  const want = FFN_KINDS[model.ffn];
  // Every layout and phase asks at every keystroke: count without allocating, and describe the
  // block only when it does not match.
  let weights = 0;
  let routed = 0;
  let gated = false;
  let hasWanted = false;
  for (const v of ffn.values) {
    // An MoE block's FFN matrices are its routed experts'; its router and shared experts' are not counted.
    if (v.op === 'weight') {
      if (isExpertMatrix(v.type)) routed++;
      else if (!isMoeSideWeight(v.type)) weights++;
    } else if (v.op === 'swiglu') gated = true;
    if (v.op === want.activation) hasWanted = true;
  }
  const experts = expertsMismatch(ffn.name, routed, weights, model);
  if (experts) return { message: experts };
  if (routed > 0) weights = routed;
  // A block without stored weights is a sketch of a communication pattern, not an FFN: nothing
  // of the model's FFN is costed in it, so there is nothing to compare.
  if (weights === 0) return undefined;
  if (weights === want.matrices && gated === want.gated && hasWanted) return undefined;
  const shape = ffnShape(ffn);
  const replacement = matchingBuiltinFfn(ffn, model, named, blocks);
  const instead = replacement ? `; the built-in of the same layout for this model is \`${replacement}\`` : `; write the block with ${want.matrices} weight matrices and ${want.activation}`;
  return {
    message: `ffn block ${ffn.name} has ${shapeWords(shape)}, but model ${model.name} has ffn = ${model.ffn} (${want.words}): its compute and weights would be costed for another model${instead}`,
    replacement,
  };
}

/**
 * The built-in ffn of the model's kind stored like this block: the same residual type and the
 * same stored weight layouts (`my_2d` with E_x F_yz, F_yz E_x → ws2d_swiglu on a SwiGLU model).
 */
function matchingBuiltinFfn(ffn: CheckedBlock, model: ModelSpec, named: BlockNamed, blocks: ReadonlyMap<BlockDecl, CheckedBlock>): string | undefined {
  const input = ffn.input?.type;
  if (!input) return undefined;
  const weightTypes = ffn.values.filter((v) => v.op === 'weight' && v.type).map((v) => v.type!);
  for (const gelu of preludeBuiltins().byPreference) {
    const name = model.ffn === 'swiglu' ? swigluVariantName(gelu) : gelu;
    const decl = named(name);
    const cb = decl && decl.kind === 'ffn' && decl.source.isPrelude ? blocks.get(decl) : undefined;
    if (!cb?.input?.type || !typesEqual(cb.input.type, input)) continue;
    const theirs = cb.values.filter((v) => v.op === 'weight' && v.type).map((v) => v.type!);
    if (weightTypes.every((t) => theirs.some((u) => typesEqual(t, u))) || theirs.every((u) => weightTypes.some((t) => typesEqual(t, u)))) return name;
  }
  return undefined;
}

/** `_mqa`, `_gqa`, `_mha`: the ends of the prelude's attention family member names. */
const MEMBER_SUFFIXES: readonly (readonly [KClass, string])[] = K_CLASS_NAMES.map((k) => [k, `_${k}`] as const);

/**
 * How an attention block holds its keys and values: a prelude family member by its name, a
 * block of the user's by its caches (K: the model's K heads; H: one per query head; none: a single
 * head). Undefined when it cannot tell (no cache, or caches that follow the model's K).
 */
function attentionClass(block: CheckedBlock): { kclass: KClass; why: string } | undefined {
  if (block.isPrelude) {
    // Asked for every layout at every keystroke: suffixes made once, no slicing.
    for (const [k, suffix] of MEMBER_SUFFIXES) if (block.name.endsWith(suffix)) return { kclass: k, why: `the built-in \`${suffix}\` member` };
    return undefined;
  }
  for (const v of block.values) {
    if (v.op !== 'cache' || !v.type) continue;
    if (hasDim(v.type, 'K')) continue;
    if (hasDim(v.type, 'H')) return { kclass: 'mha', why: `its cache ${v.name} keeps H key/value heads, one per query head` };
    if (hasDim(v.type, 'Q')) return { kclass: 'mqa', why: `its cache ${v.name} keeps a single key/value head (no K)` };
  }
  return undefined;
}

/** Undefined when the attention block's key/value heads are the model's (K against H). */
export function attentionMismatch(att: CheckedBlock, model: ModelSpec, named: BlockNamed, blocks: ReadonlyMap<BlockDecl, CheckedBlock>): ModelMismatch | undefined {
  // A latent cache (C) on a model without one would be costed at C = 0: no cache, no attention.
  if (!isMlaModel(model)) {
    const latent = att.values.find((v) => v.op === 'cache' && v.type && hasDim(v.type, 'C'));
    if (latent) return { message: `attention block ${att.name} is multi-head latent attention (its cache ${latent.name} keeps the latent C), but model ${model.name} has no latent KV rank (C = 0): give the model its A, C and R, or use an attention block with K/V heads` };
  }
  const found = attentionClass(att);
  if (!found) return undefined;
  const want = kClassOf(model.dims);
  const { K, H } = model.dims;
  // A user's cache in H is the model's when K = H (also when both are 1, which kClassOf calls mqa).
  if (found.kclass === want || (!att.isPrelude && found.kclass === 'mha' && K === H)) return undefined;
  const replacement = matchingBuiltinAttention(att, want, named, blocks);
  const instead = replacement ? `; the built-in of the same layout for this model is \`${replacement}\`` : '';
  return {
    message: `attention block ${att.name} (${found.why}) is for ${K_CLASSES[found.kclass]} models, but model ${model.name} is ${modelAttentionWords(want, K, H)}: its keys and values would be costed for another model${instead}`,
    replacement,
  };
}

/** The model's attention in the words of a message: "multiquery (K = 1, H = 64)". */
function modelAttentionWords(k: KClass, K: number, H: number): string {
  return k === 'mqa' ? `multiquery (K = 1, H = ${H})` : k === 'gqa' ? `grouped-query (K = ${K}, H = ${H})` : `multihead (K = H = ${H})`;
}

/**
 * The prelude's member of the model's class in the block's family (`ws2d_batch_mha` →
 * `ws2d_batch_mqa`), or for a user's block the first member of that class with the same residual
 * type whose cache splits B the same way (batch- or heads-sharded).
 */
function matchingBuiltinAttention(att: CheckedBlock, want: KClass, named: BlockNamed, blocks: ReadonlyMap<BlockDecl, CheckedBlock>): string | undefined {
  const family = att.isPrelude ? familyOfMember(att.name) : undefined;
  if (family) return named(`${family}_${want}`)?.source.isPrelude ? `${family}_${want}` : undefined;
  const input = att.input?.type;
  const output = att.output?.type;
  if (!input || !output) return undefined;
  const cacheB = (b: CheckedBlock) => {
    const c = b.values.find((v) => v.op === 'cache' && v.type);
    return c?.type ? (dimOf(c.type, 'B')?.axes ?? []).slice().sort().join('') : undefined;
  };
  const mine = cacheB(att);
  const myWeights = att.values.filter((v) => v.op === 'weight' && v.type).map((v) => v.type!);
  // Of those, the one storing most of the block's weights the same way (ws2d's E_x H_yz Q, not
  // ws1d's E H_xyz Q, for a 2D block): the first in prelude order on a tie.
  let best: { name: string; shared: number } | undefined;
  for (const [decl, cb] of blocks) {
    if (decl.kind !== 'attention' || !decl.source.isPrelude || !decl.name.text.endsWith(`_${want}`)) continue;
    if (!cb.input?.type || !cb.output?.type || !typesEqual(cb.input.type, input) || !typesEqual(cb.output.type, output)) continue;
    if (cacheB(cb) !== mine || named(decl.name.text) !== decl) continue;
    let shared = 0;
    for (const t of myWeights) if (cb.values.some((v) => v.op === 'weight' && v.type && typesEqual(v.type, t))) shared++;
    if (!best || shared > best.shared) best = { name: decl.name.text, shared };
  }
  return best?.name;
}
