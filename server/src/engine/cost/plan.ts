// Compiled plans for the numeric fast path (numeric.ts). A checked block is shared by every
// layout that uses it (the built-ins by all of them), so everything about it that does not depend
// on sizes is worked out once: operand indices, dtype sources, dim letter codes, the layer's
// statement order after parallel fusion, liveness and overlap partners. A plan per mesh adds the
// shard divisors and the affine time coefficients of every collective.
//
// What each statement costs is its operation's cost rule in the operation table (ops/table.ts):
// the plan compiles that rule, the numeric pass (numeric.ts) evaluates it, and the explanations
// (figures.ts) are built from the evaluated terms.

import { isExpertMatrix } from '../check/moe';
import type { CheckedBlock, MeshSpec } from '../check/resolved';
import type { ShardType } from '../check/shardType';
import { operation, type CostRule } from '../ops/index';
import { collectiveAffine, NO_COLLECTIVE, type CollectiveAffine } from './collectives';
import { findFusions } from './fusion';

// Dtype sources: how a value's bytes per element are found.
export const D_BF16 = 0;
export const D_WEIGHT = 1;
export const D_KV = 2;
export const D_OPERAND = 3;
/** A routed expert's matrix (X and G): the model's `expert_weights` when given, else `weights`. */
export const D_EXPERT = 4;

/** Dim letters in a fixed order; a letter's code indexes the sizes array of a pass. */
export const LETTERS = ['B', 'L', 'T', 'E', 'F', 'H', 'K', 'Q', 'V', 'A', 'C', 'R', 'X', 'N', 'G', 'S'] as const;
export const T_CODE = 2;
/** Routed experts and an expert's token slots (real-valued: the expected load, cost/moe.ts). */
export const X_CODE = 12;
export const N_CODE = 13;
export function letterCode(letter: string): number {
  return (LETTERS as readonly string[]).indexOf(letter);
}

export interface ValuePlan {
  name: string;
  op: string;
  /** The operation's cost rule; undefined for declarations (`in`, `weight`, `cache`) and untyped values. */
  rule: CostRule | undefined;
  /** Operand value indices in the block (−1 for an unknown name). */
  args: number[];
  dtype: number;
  /** Letter codes of the value's type dims (−1: unknown letter, size 1). */
  letters: number[];
  /** Axes of each dim. */
  dimAxes: string[][];
  /** Einsum: letter codes counted in the FLOPs, and from which operand/dim their axes come. */
  flopDims: { code: number; axes: string[] }[];
  /** Collective axes as written. */
  axes: string[];
  /** softmax/layernorm: position of the reduced dim in the operand's type (−1: none). */
  reducePos: number;
  reduceAxes: string[];
  isWeight: boolean;
}

export interface BlockPlan {
  block: CheckedBlock;
  values: ValuePlan[];
  byName: Map<string, number>;
  input: number;
  output: number;
  /** The block's attentions a fused kernel runs as one op (`attention_kernel = fused`). */
  attentionFusions: AttentionFusion[];
}

/**
 * Fused attention (FlashAttention-style kernels): the score einsum, the softmax over T that reads
 * only it, and the einsum that reads only that softmax run as one op whose scores and
 * probabilities stay on chip. Its FLOPs are the two einsums'; its HBM bytes are the operands read
 * from outside the chain (q, the cached keys and values) and the result. A softmax over a sharded
 * T is not fused: its statistics cross chips between the two einsums. The scores may also be the
 * sum of two score einsums, each read only by the sum (MLA's latent and rope parts, `s =
 * add(sc, sr)`): the kernel computes both on chip, so the fused op has all three einsums' FLOPs.
 */
export interface AttentionFusion {
  /** Value indices: the scores the softmax reads, the softmax, the value einsum (the fused op's result). */
  scores: number;
  /** The score einsums: `[scores]`, or the einsums the scores add. */
  scoreParts: number[];
  softmax: number;
  values: number;
  /** The typed values the chain reads from outside it, in operand order (q, kt, vt). */
  operands: number[];
}

/** The chains `s = einsum(…)`, `p = softmax(s)`, `o = einsum(p, …)` with s and p read nowhere else. */
function findAttentionFusions(values: readonly ValuePlan[], output: number): AttentionFusion[] {
  const readers = values.map(() => [] as number[]);
  values.forEach((v, i) => { for (const a of v.args) if (a >= 0) readers[a].push(i); });
  const out: AttentionFusion[] = [];
  values.forEach((p, softmax) => {
    const rule = p.rule;
    if (rule?.kind !== 'elementwise' || rule.normalises?.dim !== 'T' || p.reducePos < 0 || p.reduceAxes.length) return;
    const scores = p.args[0] ?? -1;
    if (scores < 0 || readers[scores].length !== 1) return;
    const scoreParts = scorePartsOf(values, readers, scores, output);
    if (!scoreParts) return;
    if (readers[softmax].length !== 1 || scores === output || softmax === output) return;
    const consumer = readers[softmax][0];
    if (values[consumer].rule?.kind !== 'roofline') return;
    const inside = [...scoreParts.filter((s) => s !== scores), scores, softmax];
    const operands: number[] = [];
    for (const m of [...inside, consumer]) {
      // Once each: a kernel that reads one tensor as keys and values (MLA's latent) reads it once.
      for (const a of values[m].args) if (a >= 0 && !inside.includes(a) && values[a].letters.length && !operands.includes(a)) operands.push(a);
    }
    out.push({ scores, scoreParts, softmax, values: consumer, operands });
  });
  return out;
}

/** `[scores]` for a score einsum; the two einsums of a sum of scores read only by it; else undefined. */
function scorePartsOf(values: readonly ValuePlan[], readers: readonly number[][], scores: number, output: number): number[] | undefined {
  const rule = values[scores].rule;
  if (rule?.kind === 'roofline') return [scores];
  if (rule?.kind !== 'elementwise' || rule.normalises || values[scores].args.length !== 2) return undefined;
  const parts = values[scores].args;
  for (const s of parts) if (s < 0 || s === output || values[s].rule?.kind !== 'roofline' || readers[s].length !== 1) return undefined;
  return parts.slice();
}

const blockPlans = new WeakMap<CheckedBlock, BlockPlan>();

/** Where a value's bytes per element come from: its declaration, or its operation's dtype rule. */
function dtypeSource(op: string, type: ShardType | undefined): number {
  if (op === 'weight') return isExpertMatrix(type) ? D_EXPERT : D_WEIGHT;
  if (op === 'cache') return D_KV;
  const d = operation(op)?.dtype;
  return d === 'kv' ? D_KV : d === 'operand' ? D_OPERAND : D_BF16;
}

export function blockPlan(block: CheckedBlock): BlockPlan {
  const hit = blockPlans.get(block);
  if (hit) return hit;
  const byName = new Map<string, number>();
  block.values.forEach((v, i) => byName.set(v.name, i));
  const values: ValuePlan[] = block.values.map((v) => {
    const rule = v.type ? operation(v.op)?.cost : undefined;
    const args = v.args.map((a) => byName.get(a) ?? -1);
    const dtype = dtypeSource(v.op, v.type);
    const t = v.type;
    const flopDims: ValuePlan['flopDims'] = [];
    if (rule?.kind === 'roofline') {
      const seen = new Set<string>();
      for (const a of args) {
        const ta = a >= 0 ? block.values[a].type : undefined;
        if (!ta) continue;
        for (const d of ta.dims) {
          if (seen.has(d.letter)) continue;
          seen.add(d.letter);
          if (v.groupedHeads && d.letter === 'K') continue;
          flopDims.push({ code: letterCode(d.letter), axes: d.axes });
        }
      }
    }
    let reducePos = -1;
    let reduceAxes: string[] = [];
    const reduced = rule?.kind === 'elementwise' ? rule.normalises?.dim : undefined;
    if (reduced && args[0] >= 0) {
      const tIn = block.values[args[0]].type;
      if (tIn) {
        reducePos = tIn.dims.findIndex((d) => d.letter === reduced);
        if (reducePos >= 0) reduceAxes = tIn.dims[reducePos].axes;
      }
    }
    return {
      name: v.name,
      op: v.op,
      rule,
      args,
      dtype,
      letters: t ? t.dims.map((d) => letterCode(d.letter)) : [],
      dimAxes: t ? t.dims.map((d) => d.axes) : [],
      flopDims,
      axes: v.axes,
      reducePos,
      reduceAxes,
      isWeight: v.op === 'weight',
    };
  });
  const output = block.output ? (byName.get(block.output.name) ?? -1) : -1;
  const plan: BlockPlan = {
    block,
    values,
    byName,
    input: block.input ? (byName.get(block.input.name) ?? -1) : -1,
    output,
    attentionFusions: findAttentionFusions(values, output),
  };
  blockPlans.set(block, plan);
  return plan;
}

// ---------------------------------------------------------------------------------------------
// Per mesh: divisors and collective coefficients.

export interface ValueMesh {
  /** Π axis sizes of each dim of the value's type. */
  divs: number[];
  flopDivs: number[];
  /** The value's collective (or its statistic all-reduce) as a + b·D. */
  time: CollectiveAffine;
  /** Divisor of the operand's reduced dim (softmax/layernorm). */
  reduceDiv: number;
  /** Π sizes of the collective's axes (a gathered weight counts 2/P under overlap). */
  axesProduct: number;
}

export interface MeshPlan {
  values: ValueMesh[];
}

function product(axes: readonly string[], sizes: Map<string, number>): number {
  let n = 1;
  for (const a of axes) n *= sizes.get(a) ?? 1;
  return n;
}


const meshPlans = new WeakMap<BlockPlan, Map<string, MeshPlan>>();

// A mesh's key is asked for by every pass costed on it: made once per mesh object (meshes are
// resolved once and shared by every layout and variant on them).
const meshKeys = new WeakMap<MeshSpec, string>();

/** Everything that identifies a mesh's collective behaviour, as a cache key. */
export function meshKey(mesh: MeshSpec): string {
  let key = meshKeys.get(mesh);
  if (key === undefined) meshKeys.set(mesh, (key = meshKeyOf(mesh)));
  return key;
}

function meshKeyOf(mesh: MeshSpec): string {
  const hw = mesh.hardware;
  // Network tiers: an axis's added step latency and its scale-up part (a hierarchical collective).
  const tier = (a: MeshSpec['axes'][number]) => (a.latency ? `l${a.latency}` : '') + (a.scaleUp ? `u${a.scaleUp.size}${a.scaleUp.topology[0]}${a.scaleUp.link_bw}` : '');
  return `${hw.collective_latency}|${hw.link_eff}|${mesh.axes.map((a) => `${a.name}${a.size}${a.topology[0]}${a.wrap ? 'w' : ''}${a.link_bw}${tier(a)}`).join(',')}`;
}

/** The affine terms of a value's collective, or of a normalising op's statistic collective. */
function collectiveTerms(v: ValuePlan, mesh: MeshSpec): CollectiveAffine {
  const rule = v.rule;
  if (rule?.kind === 'collective') return collectiveAffine(rule.collective, v.axes, mesh);
  if (rule?.kind === 'elementwise' && rule.normalises) {
    return v.reducePos >= 0 ? collectiveAffine(rule.normalises.statistic, v.reduceAxes, mesh) : NO_COLLECTIVE;
  }
  return NO_COLLECTIVE;
}

export function meshPlan(plan: BlockPlan, mesh: MeshSpec, key: string): MeshPlan {
  let byMesh = meshPlans.get(plan);
  if (!byMesh) meshPlans.set(plan, (byMesh = new Map()));
  const hit = byMesh.get(key);
  if (hit) return hit;
  const sizes = new Map(mesh.axes.map((a) => [a.name, a.size]));
  const values: ValueMesh[] = plan.values.map((v) => ({
    divs: v.dimAxes.map((axes) => product(axes, sizes)),
    flopDivs: v.flopDims.map((d) => product(d.axes, sizes)),
    time: collectiveTerms(v, mesh),
    reduceDiv: product(v.reduceAxes, sizes),
    axesProduct: product(v.axes, sizes),
  }));
  const mp: MeshPlan = { values };
  byMesh.set(key, mp);
  return mp;
}

// ---------------------------------------------------------------------------------------------
// Sequences: the statements of a layer (or of the unembedding) in execution order.

/** One statement of a sequence: value `value` of block `part` (0 = first block, 1 = second). */
export interface SeqEntry {
  part: number;
  value: number;
  /** Sequence indices of the entries it reads (values defined outside the sequence are left out). */
  uses: number[];
  /** Reads the sequence's input (directly). */
  readsInput: boolean;
  /** First operand is a stored weight, or a collective chain from one (for gathered weights). */
  firstOperandStored: boolean;
  /** First operand's sequence index (−1: input or declaration). */
  firstOperand: number;
  /** Overlap partners: first later einsum reading this entry; the einsum producing its operand. */
  consumerEinsum: number;
  producerEinsum: number;
  isEinsum: boolean;
  isCollective: boolean;
  isAppend: boolean;
  /** The last entry reading this one (itself when none does); the end for values kept live. */
  lastUse: number;
  /** A collective of a stored weight (or of such a gather): a gathered weight, for activations. */
  gatheredWeight: boolean;
  /** A fused parallel-block statement: the attention member's value index (its ffn member is `value`); −1 otherwise. */
  fusedAttention: number;
}

export interface SequencePlan {
  parts: BlockPlan[];
  entries: SeqEntry[];
  /** Each part's attention fusions are costed as one op (`attention_kernel = fused`). */
  fuseAttention: boolean;
}

/**
 * Plans per (ffn, attention) pair. Both levels are weak: a built-in ffn lives for the whole
 * process, and a strong inner key would keep every version of a user's attention block (and so
 * every version of the file's text) alive.
 */
const layerPlans = new WeakMap<CheckedBlock, { byAttention: WeakMap<CheckedBlock, SequencePlan[]>; alone: SequencePlan[] }>();

/** The layer's statement order: serial (attention then ffn) or parallel (with fusions), attention fused or not. */
export function layerPlan(attention: CheckedBlock | null, ffn: CheckedBlock, parallel: boolean, fuseAttention: boolean): SequencePlan {
  let byAttn = layerPlans.get(ffn);
  if (!byAttn) layerPlans.set(ffn, (byAttn = { byAttention: new WeakMap(), alone: [] }));
  let pair = attention ? byAttn.byAttention.get(attention) : byAttn.alone;
  if (!pair) byAttn.byAttention.set(attention!, (pair = []));
  const slot = (parallel ? 1 : 0) + (fuseAttention ? 2 : 0);
  if (pair[slot]) return pair[slot];
  const plan = buildLayerPlan(attention, ffn, parallel && attention !== null, fuseAttention);
  pair[slot] = plan;
  return plan;
}

const unembedPlans = new WeakMap<CheckedBlock, SequencePlan[]>();

export function singleBlockPlan(block: CheckedBlock, fuseAttention = false): SequencePlan {
  let both = unembedPlans.get(block);
  if (!both) unembedPlans.set(block, (both = []));
  const slot = fuseAttention ? 1 : 0;
  return (both[slot] ??= buildSequence([blockPlan(block)], [], false, fuseAttention));
}

function buildLayerPlan(attention: CheckedBlock | null, ffn: CheckedBlock, parallel: boolean, fuseAttention: boolean): SequencePlan {
  const f = blockPlan(ffn);
  if (!attention) return buildSequence([f], [], false, fuseAttention);
  const a = blockPlan(attention);
  const fusions = parallel ? findFusions(attention, ffn).map((p) => ({ kind: p.kind, a: a.byName.get(p.attention.name) ?? -1, f: f.byName.get(p.ffn.name) ?? -1 })) : [];
  return buildSequence([a, f], fusions.filter((x) => x.a >= 0 && x.f >= 0), !parallel, fuseAttention);
}

/**
 * Lay out the statements of one or two blocks. `fusions` pair attention (part 0) and ffn (part 1)
 * statements costed once, with the ffn member's figures: at the attention's position for the
 * layernorm and the gather, at the ffn's for the output reduce_scatter (as layer.ts does).
 */
function buildSequence(parts: BlockPlan[], fusions: { kind: string; a: number; f: number }[], serialPair: boolean, fuseAttention: boolean): SequencePlan {
  // Where each (part, value) lands in the sequence.
  const at: Map<number, number>[] = parts.map(() => new Map());
  const entries: SeqEntry[] = [];
  const fusedA = new Map<number, { f: number; kind: string }>();
  const fusedF = new Map<number, { a: number; kind: string }>();
  for (const x of fusions) { fusedA.set(x.a, { f: x.f, kind: x.kind }); fusedF.set(x.f, { a: x.a, kind: x.kind }); }
  // A fused attention is one statement at its value einsum; its score einsum and softmax are
  // members of it (absorbed: no statement of their own).
  const absorbed = parts.map(() => new Map<number, number>());
  const members = parts.map(() => new Map<number, readonly number[]>());
  if (fuseAttention) {
    parts.forEach((p, part) => {
      for (const x of p.attentionFusions) {
        const inside = [...x.scoreParts.filter((s) => s !== x.scores), x.scores, x.softmax];
        for (const m of inside) absorbed[part].set(m, x.values);
        members[part].set(x.values, inside);
      }
    });
  }
  // Statement order: part 0's values, then part 1's; fused members once.
  const order: { part: number; value: number; alsoA?: number; alsoF?: number }[] = [];
  parts.forEach((p, part) => {
    p.values.forEach((v, i) => {
      if (!v.rule || absorbed[part].has(i)) return;
      if (part === 0 && fusedA.has(i)) {
        const x = fusedA.get(i)!;
        if (x.kind !== 'output-scatter') order.push({ part: 1, value: x.f, alsoA: i });
        return;
      }
      if (part === 1 && fusedF.has(i)) {
        const x = fusedF.get(i)!;
        if (x.kind === 'output-scatter') order.push({ part: 1, value: i, alsoA: x.a });
        return;
      }
      order.push({ part, value: i });
    });
  });
  order.forEach((o, idx) => {
    at[o.part].set(o.value, idx);
    if (o.alsoA !== undefined) at[0].set(o.alsoA, idx);
  });
  absorbed.forEach((m, part) => { for (const [member, lead] of m) { const idx = at[part].get(lead); if (idx !== undefined) at[part].set(member, idx); } });
  // The ffn's input is the attention's output in a serial layer.
  const input = (part: number, value: number): boolean => value === parts[part].input;
  const ref = (part: number, value: number): number => {
    if (serialPair && part === 1 && value === parts[1].input && parts[0].output >= 0) return at[0].get(parts[0].output) ?? -1;
    return at[part].get(value) ?? -1;
  };
  const stored = (part: number, value: number): boolean => value >= 0 && parts[part].values[value].isWeight || (value >= 0 && parts[part].values[value].op === 'cache');
  order.forEach((o, idx) => {
    const v = parts[o.part].values[o.value];
    const operandsOf = (part: number, value: number) => parts[part].values[value].args;
    const uses = new Set<number>();
    let readsInput = false;
    const add = (part: number, args: number[]) => {
      for (const a of args) {
        if (a < 0) continue;
        const r = ref(part, a);
        if (r >= 0) uses.add(r);
        else if (input(part, a)) readsInput = true;
      }
    };
    add(o.part, operandsOf(o.part, o.value));
    if (o.alsoA !== undefined) add(0, operandsOf(0, o.alsoA));
    // A fused attention reads what its score einsum and softmax read, less its own members.
    const absorbedHere = members[o.part].get(o.value);
    if (absorbedHere) for (const m of absorbedHere) add(o.part, operandsOf(o.part, m));
    uses.delete(idx);
    const first = v.args[0] ?? -1;
    entries.push({
      part: o.part,
      value: o.value,
      uses: [...uses],
      readsInput,
      firstOperandStored: first >= 0 && stored(o.part, first),
      firstOperand: first >= 0 && ref(o.part, first) !== idx ? ref(o.part, first) : -1,
      consumerEinsum: -1,
      producerEinsum: -1,
      isEinsum: v.rule?.kind === 'roofline',
      isCollective: v.rule?.kind === 'collective',
      isAppend: v.rule?.kind === 'cache-write',
      lastUse: idx,
      gatheredWeight: false,
      fusedAttention: o.alsoA ?? -1,
    });
  });
  // Liveness and overlap partners.
  entries.forEach((e, i) => {
    for (const u of e.uses) entries[u].lastUse = Math.max(entries[u].lastUse, i);
  });
  if (serialPair && parts[0].output >= 0) {
    const outIdx = at[0].get(parts[0].output);
    if (outIdx !== undefined) entries[outIdx].lastUse = entries.length - 1;
  }
  for (const e of entries) {
    e.gatheredWeight = e.isCollective && (e.firstOperandStored || (e.firstOperand >= 0 && entries[e.firstOperand].gatheredWeight));
  }
  entries.forEach((e, i) => {
    if (!e.isCollective) return;
    for (let j = i + 1; j < entries.length; j++) {
      if (entries[j].isEinsum && entries[j].uses.includes(i)) { e.consumerEinsum = j; break; }
    }
    if (e.firstOperand >= 0 && entries[e.firstOperand].isEinsum) e.producerEinsum = e.firstOperand;
  });
  return { parts, entries, fuseAttention };
}
