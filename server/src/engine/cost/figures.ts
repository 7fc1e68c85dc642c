// The explained figures of one statement, built from the numbers the numeric pass computed
// (numeric.ts) and the plan's own terms (plan.ts): the value of every figure is the number the
// totals were summed from, and its formula and inputs are built, on first read, from the same
// extents, volumes and collective terms. A figure and its formula cannot disagree.

import type { CheckedBlock, Dtype, MeshSpec } from '../check/resolved';
import { formatAxes, formatType, type ShardType } from '../check/shardType';
import type { CollectiveVolume } from '../ops/index';
import { explainCollectiveTime, participatingAxes } from './collectives';
import { explained, input, ZERO_BYTES, ZERO_FLOPS, ZERO_SECONDS, type Explained, type Input } from './explained';
import { boundName, extent, F_BOUND, F_BYTES, F_COMM, F_ELEMENTS, F_FLOPS, F_HBM, F_TCOMM, F_TCOMPUTE, F_TIME, F_TMEMORY, sizesArray, STRIDE, type BlockNumbers } from './numeric';
import { LETTERS, type AttentionFusion, type BlockPlan, type MeshPlan } from './plan';
import { bytesPerElement, dimSize, localExtent, type AxisSizes, type PassSizes } from './sizes';
import type { OpCost, OpRole, OpRow } from './types';

/** One block's evaluated numbers in one pass, and what it takes to explain them. */
export interface BlockFigures {
  role: OpRole;
  block: CheckedBlock;
  plan: BlockPlan;
  meshPlan: MeshPlan;
  rows: BlockNumbers;
  sizes: PassSizes;
  mesh: MeshSpec;
  axisSizes: AxisSizes;
  meshOrder: string[];
  /** `meshOrder` joined, a cache key. */
  meshOrderKey: string;
  dtypes: Map<string, Dtype>;
  /** The id of a value of this block in the layer graph (`ffn.b`; `in` maps to the layer input). */
  idOf: (name: string) => string;
  /** The block's attention fusions are costed as one op each (`attention_kernel = fused`). */
  fuseAttention: boolean;
}

/** What the formula helpers read: the pass sizes, the mesh axes and the values' dtypes. */
export type FormulaContext = Pick<BlockFigures, 'sizes' | 'axisSizes' | 'meshOrder' | 'meshOrderKey' | 'dtypes'>;

// Canonical type and axes strings, cached per (type object, mesh order): checked blocks are
// shared by every layout that uses them, so each string is built once, not once per costing.
const typeTextCache = new WeakMap<ShardType, Map<string, string>>();
const axesTextCache = new WeakMap<readonly string[], Map<string, string>>();

export function typeText(t: ShardType, ctx: { meshOrderKey: string; meshOrder: string[] }): string {
  let m = typeTextCache.get(t);
  if (!m) typeTextCache.set(t, (m = new Map()));
  let s = m.get(ctx.meshOrderKey);
  if (s === undefined) m.set(ctx.meshOrderKey, (s = formatType(t, ctx.meshOrder)));
  return s;
}

function axesText(axes: readonly string[], ctx: { meshOrderKey: string; meshOrder: string[] }): string {
  let m = axesTextCache.get(axes);
  if (!m) axesTextCache.set(axes, (m = new Map()));
  let s = m.get(ctx.meshOrderKey);
  if (s === undefined) m.set(ctx.meshOrderKey, (s = formatAxes(axes, ctx.meshOrder)));
  return s;
}

/** The explained figures of value `i` of the block (a statement; not a declaration). */
export function opFigures(i: number, f: BlockFigures): OpCost {
  const v = f.plan.values[i];
  const checked = f.block.values[i];
  const type = checked.type!;
  const row = (field: number) => f.rows[i * STRIDE + field];
  const hw = f.mesh.hardware;
  const oh = hw.op_overhead;
  const rule = v.rule!;
  const parts: FigureParts = { bytes: ZERO_BYTES, flops: ZERO_FLOPS, comm: ZERO_BYTES, tCompute: ZERO_SECONDS, tMemory: ZERO_SECONDS, tComm: ZERO_SECONDS, time: ZERO_SECONDS, axes: undefined };
  const fusion = f.fuseAttention ? f.plan.attentionFusions.find((x) => x.values === i) : undefined;
  let fused: string[] | undefined;
  switch (rule.kind) {
    case 'roofline': {
      if (fusion) {
        parts.flops = fusedFlops(fusion, row(F_FLOPS), f);
        parts.bytes = fusedBytes(fusion, row(F_HBM), f);
        fused = [...fusion.scoreParts.filter((s) => s !== fusion.scores), fusion.scores, fusion.softmax, fusion.values].map((m) => `${f.role}.${f.plan.values[m].name}`);
      } else {
        parts.flops = explained(row(F_FLOPS), 'FLOP', () => einsumFlopsFormula(i, f), () => einsumFlopsInputs(i, f));
        parts.bytes = operandBytes(i, f);
      }
      const flops = row(F_FLOPS);
      parts.tCompute = explained(row(F_TCOMPUTE), 's', 'flops / (flops_peak·flops_eff)', () => ({
        flops: input(flops, 'FLOP'),
        flops_peak: input(hw.flops, 'FLOP/s'),
        flops_eff: input(hw.flops_eff, ''),
      }));
      parts.tMemory = memoryTime(row(F_TMEMORY), parts.bytes.value, f);
      const tc = parts.tCompute.value;
      const tm = parts.tMemory.value;
      parts.time = withOverhead(row(F_TIME), 'max(t_compute, t_memory)', Math.max(tc, tm), oh, () => ({ t_compute: input(tc, 's'), t_memory: input(tm, 's') }));
      break;
    }
    case 'collective': {
      const affine = f.meshPlan.values[i].time;
      if (!affine.active) {
        // Every axis has size 1: nothing moves, and the statement compiles to nothing.
        parts.time = explained(0, 's', 'every axis has size 1: nothing moves');
        break;
      }
      parts.comm = explainVolume(i, rule.collective.volume, row(F_COMM), f);
      parts.tComm = explainCollectiveTime(affine, parts.comm, row(F_TCOMM), f.mesh);
      const tComm = parts.tComm.value;
      parts.time = withOverhead(row(F_TIME), 't_comm', tComm, oh, () => ({ t_comm: input(tComm, 's') }), parts.tComm);
      break;
    }
    case 'local':
      parts.time = explained(0, 's', 'slice: each chip keeps its part, no communication');
      break;
    case 'cache-write': {
      // Only the new positions are written; the cache is updated in place, not re-read.
      const t = v.args.length > 1 ? v.args[1] : -1;
      const tNew = t >= 0 ? f.block.values[t].type : undefined;
      const elements = t >= 0 ? f.rows[t * STRIDE + F_ELEMENTS] : 0;
      const per = bytesPerElement(f.dtypes.get(v.name) ?? 'bf16');
      parts.bytes = explained(row(F_HBM), 'B', 'local elements of t × kv bytes', () => ({
        'local elements of t': input(elements, 'elements', tNew ? typeText(tNew, f) : undefined),
        'kv bytes': input(per, 'B'),
      }));
      parts.tMemory = memoryTime(row(F_TMEMORY), parts.bytes.value, f);
      const tm = parts.tMemory.value;
      parts.time = withOverhead(row(F_TIME), 't_memory', tm, oh, () => ({ t_memory: input(tm, 's') }), parts.tMemory);
      break;
    }
    case 'elementwise': {
      parts.bytes = operandBytes(i, f);
      parts.tMemory = memoryTime(row(F_TMEMORY), parts.bytes.value, f);
      const tm = parts.tMemory.value;
      const affine = f.meshPlan.values[i].time;
      const a0 = v.args.length ? v.args[0] : -1;
      const norm = rule.normalises;
      if (!norm || v.reducePos < 0 || !affine.active || a0 < 0) {
        parts.time = withOverhead(row(F_TIME), 't_memory', tm, oh, () => ({ t_memory: input(tm, 's') }), parts.tMemory);
        parts.axes = '';
        break;
      }
      // Over a sharded reduction dim, the fp32 statistics of each row are all-reduced over that
      // dim's axes as part of the op.
      const tIn = f.block.values[a0].type!;
      const elements = f.rows[a0 * STRIDE + F_ELEMENTS];
      const letter = LETTERS[f.plan.values[a0].letters[v.reducePos]];
      const ext = extent(f.plan.values[a0].letters[v.reducePos], f.meshPlan.values[i].reduceDiv, sizesArray(f.sizes), f.sizes.realT);
      parts.comm = explained(row(F_COMM), 'B', `2 × ${norm.statistics}·4 B·local elements / local extent of reduced dim`, () => ({
        'local elements': input(elements, 'elements', typeText(tIn, f)),
        'local extent of reduced dim': input(ext, 'elements', letter),
      }));
      parts.tComm = explainCollectiveTime(affine, parts.comm, row(F_TCOMM), f.mesh);
      const tc = parts.tComm.value;
      parts.time = withOverhead(row(F_TIME), 't_memory + t_comm', tm + tc, oh, () => ({ t_memory: input(tm, 's'), t_comm: input(tc, 's') }));
      parts.axes = participatingAxes(v.reduceAxes, f.mesh).map((a) => a.name).join('');
      break;
    }
  }
  return {
    role: f.role,
    name: v.name,
    op: v.op,
    axes: parts.axes ?? (checked.axes.length ? axesText(checked.axes, f) : ''),
    type: typeText(type, f),
    fused,
    flops: parts.flops,
    bytes: parts.bytes,
    commBytes: parts.comm,
    computeTime: parts.tCompute,
    memoryTime: parts.tMemory,
    commTime: parts.tComm,
    time: parts.time,
    bound: boundName(row(F_BOUND)),
    id: f.idOf(v.name),
    // A fused attention reads q, kt and vt; its scores and probabilities are inside it.
    uses: fusion ? fusion.operands.map((k) => f.idOf(f.plan.values[k].name)) : checked.args.map((a) => f.idOf(a)),
    resultBytes: row(F_BYTES),
  };
}

/** What `opRow` reads of a block's figures: no sizes, dtypes or ids (they serve only the explanations). */
export type RowContext = Pick<BlockFigures, 'role' | 'block' | 'plan' | 'meshPlan' | 'rows' | 'mesh' | 'meshOrder' | 'meshOrderKey' | 'fuseAttention'>;

/**
 * The values of `opFigures(i, f)`'s figures, read from the same rows by the same cases, without
 * building a formula, an input or a closure: what `report --json` prints of an op. (Where the
 * op has no overhead, opFigures's time is its core figure: the same number as the row's time.)
 * test/unit/report/betterLayoutSearch.test.ts holds the two to each other (every op of a varied file).
 */
export function opRow(i: number, f: RowContext): OpRow {
  const v = f.plan.values[i];
  const text = rowText(i, f);
  const o = i * STRIDE;
  const rows = f.rows;
  const noOverhead = f.mesh.hardware.op_overhead === 0;
  // The figures a rule has (the others stay 0), then the row in one literal: every row has the
  // same fields in the same order (`fused` undefined when absent, which JSON leaves out).
  let flops = 0;
  let bytes = 0;
  let comm = 0;
  let time = 0;
  let tCompute = 0;
  let tMemory = 0;
  let tComm = 0;
  switch (v.rule!.kind) {
    case 'roofline':
      flops = rows[o + F_FLOPS];
      bytes = rows[o + F_HBM];
      tCompute = rows[o + F_TCOMPUTE];
      tMemory = rows[o + F_TMEMORY];
      time = rows[o + F_TIME];
      break;
    case 'collective':
      if (!f.meshPlan.values[i].time.active) break;
      comm = rows[o + F_COMM];
      tComm = rows[o + F_TCOMM];
      time = noOverhead ? tComm : rows[o + F_TIME];
      break;
    case 'local':
      break;
    case 'cache-write':
      bytes = rows[o + F_HBM];
      tMemory = rows[o + F_TMEMORY];
      time = noOverhead ? tMemory : rows[o + F_TIME];
      break;
    case 'elementwise':
      bytes = rows[o + F_HBM];
      tMemory = rows[o + F_TMEMORY];
      if (!text.statistic) {
        time = noOverhead ? tMemory : rows[o + F_TIME];
        break;
      }
      comm = rows[o + F_COMM];
      tComm = rows[o + F_TCOMM];
      time = rows[o + F_TIME];
      break;
  }
  return {
    block: f.role, name: v.name, op: v.op, axes: text.axes, type: text.type,
    flops, bytes, comm_bytes: comm, time_s: time, bound: boundName(rows[o + F_BOUND]), t_compute_s: tCompute, t_memory_s: tMemory, t_comm_s: tComm,
    fused: text.fused,
  };
}

/**
 * What an op's row says besides its numbers: its type and axes as text, the statements a fused
 * attention stands for, and whether a normalising op combines its statistic across chips. These
 * depend on the plan, the mesh (its plan: axis order and sizes), the role and the fusion only, so
 * they are made once per (mesh plan, role, fusion) and shared by every costing on that mesh.
 */
interface RowText {
  type: string;
  axes: string;
  fused: string[] | undefined;
  statistic: boolean;
}

/** Per mesh plan: the rows' texts by role, unfused and fused (role names are constants, so no key is built per row). */
const rowTexts = new WeakMap<MeshPlan, [Map<OpRole, RowText[]>, Map<OpRole, RowText[]>]>();

function rowText(i: number, f: RowContext): RowText {
  let byFusion = rowTexts.get(f.meshPlan);
  if (!byFusion) rowTexts.set(f.meshPlan, (byFusion = [new Map(), new Map()]));
  const byRole = byFusion[f.fuseAttention ? 1 : 0];
  let texts = byRole.get(f.role);
  if (!texts) byRole.set(f.role, (texts = []));
  return (texts[i] ??= makeRowText(i, f));
}

function makeRowText(i: number, f: RowContext): RowText {
  const v = f.plan.values[i];
  const checked = f.block.values[i];
  const rule = v.rule!;
  let fused: string[] | undefined;
  let axes: string | undefined;
  let statistic = false;
  if (rule.kind === 'roofline') {
    const fusion = f.fuseAttention ? f.plan.attentionFusions.find((x) => x.values === i) : undefined;
    if (fusion) fused = [...fusion.scoreParts.filter((s) => s !== fusion.scores), fusion.scores, fusion.softmax, fusion.values].map((m) => `${f.role}.${f.plan.values[m].name}`);
  } else if (rule.kind === 'elementwise') {
    // A normalising op's axes are its statistic's, when it has one across chips (opFigures).
    statistic = !!rule.normalises && v.reducePos >= 0 && f.meshPlan.values[i].time.active && (v.args.length ? v.args[0] : -1) >= 0;
    axes = statistic ? participatingAxes(v.reduceAxes, f.mesh).map((a) => a.name).join('') : '';
  }
  return { type: typeText(checked.type!, f), axes: axes ?? (checked.axes.length ? axesText(checked.axes, f) : ''), fused, statistic };
}

interface FigureParts {
  bytes: Explained;
  flops: Explained;
  comm: Explained;
  tCompute: Explained;
  tMemory: Explained;
  tComm: Explained;
  time: Explained;
  /** The op's axes when they are not the statement's own (a normalising op's statistic). */
  axes: string | undefined;
}

/**
 * An op's time: `core` (named by `formula`) plus op_overhead. Without overhead it is the core
 * figure itself (`coreFigure` when the core is already a figure, else one made from `inputs`).
 */
function withOverhead(time: number, formula: string, core: number, oh: number, inputs: () => Record<string, Input>, coreFigure?: Explained): Explained {
  if (oh === 0) return coreFigure ?? explained(time, 's', formula, inputs);
  return explained(time, 's', `${formula} + op_overhead`, () => ({ [formula]: input(core, 's'), op_overhead: input(oh, 's') }));
}

function memoryTime(t: number, bytes: number, f: BlockFigures): Explained {
  const hw = f.mesh.hardware;
  return explained(t, 's', 'bytes / (hbm_bw·hbm_eff)', () => ({
    bytes: input(bytes, 'B'),
    hbm_bw: input(hw.hbm_bw, 'B/s'),
    hbm_eff: input(hw.hbm_eff, ''),
  }));
}

/** An einsum's FLOPs, `2·` the local extent of every dim of its operands (grouped K counted once, in H). */
function einsumFlopsFormula(i: number, f: BlockFigures): string {
  return `2·${f.plan.values[i].flopDims.map((d) => extentSymbol(LETTERS[d.code], d.axes, f)).join('·')}`;
}

function einsumFlopsInputs(i: number, f: BlockFigures): Record<string, Input> {
  const inputs: Record<string, Input> = {};
  for (const d of f.plan.values[i].flopDims) inputs[extentSymbol(LETTERS[d.code], d.axes, f)] = extentInput(LETTERS[d.code], d.axes, f);
  return inputs;
}

/** A fused attention's FLOPs: its two einsums' (the softmax is not counted, as unfused). */
function fusedFlops(x: AttentionFusion, total: number, f: BlockFigures): Explained {
  const o = f.plan.values[x.values].name;
  // Each score einsum's row keeps its own FLOPs; the value einsum's row holds the sum.
  const terms = x.scoreParts.map((s) => ({ key: `flops(${f.plan.values[s].name})`, value: f.rows[s * STRIDE + F_FLOPS], s }));
  const scoreFlops = terms.reduce((sum, t) => sum + t.value, 0);
  return explained(total, 'FLOP', `${terms.map((t) => t.key).join(' + ')} + flops(${o})`, () => {
    const inputs: Record<string, Input> = {};
    for (const t of terms) inputs[t.key] = input(t.value, 'FLOP', `score einsum, ${einsumFlopsFormula(t.s, f)}`);
    inputs[`flops(${o})`] = input(total - scoreFlops, 'FLOP', `value einsum, ${einsumFlopsFormula(x.values, f)}`);
    return inputs;
  });
}

/**
 * A fused attention's HBM bytes: what it reads from outside (q, the cached keys and values) and
 * its result. The scores and the softmax's probabilities stay on chip, so neither is written.
 */
function fusedBytes(x: AttentionFusion, total: number, f: BlockFigures): Explained {
  const s = f.plan.values[x.scores].name;
  const p = f.plan.values[x.softmax].name;
  const list = () => valueTerms([...x.operands, x.values], f);
  return explained(total, 'B', () => list().map((t) => t.key).join(' + '), () => {
    const inputs: Record<string, Input> = {};
    for (const t of list()) inputs[t.key] = input(t.bytes, 'B', t.note);
    const result = `bytes(${f.plan.values[x.values].name})`;
    inputs[result] = input(inputs[result].value, 'B', `${inputs[result].note}; fused attention: ${s} and ${p} stay on chip, never in HBM`);
    return inputs;
  });
}

/** One `bytes(name)` term per typed value, with its type and dtype. */
function valueTerms(indices: readonly number[], f: BlockFigures): { key: string; bytes: number; note: string }[] {
  const list: { key: string; bytes: number; note: string }[] = [];
  for (const k of indices) {
    const t = f.block.values[k].type;
    if (!t) continue;
    const name = f.plan.values[k].name;
    list.push({ key: `bytes(${name})`, bytes: f.rows[k * STRIDE + F_BYTES], note: `${typeText(t, f)} as ${f.dtypes.get(name) ?? 'bf16'}` });
  }
  return list;
}

/** HBM bytes of an op that reads its typed operands and writes its result: one term per value. */
function operandBytes(i: number, f: BlockFigures): Explained {
  const v = f.plan.values[i];
  const total = f.rows[i * STRIDE + F_HBM];
  const parts = () => valueTerms([...v.args.filter((a) => a >= 0), i], f);
  return explained(total, 'B', () => parts().map((p) => p.key).join(' + '), () => {
    const inputs: Record<string, Input> = {};
    for (const p of parts()) inputs[p.key] = input(p.bytes, 'B', p.note);
    return inputs;
  });
}

/** Pope's per-chip volume D of a collective (App. A.1), as a formula over local extents. */
function explainVolume(i: number, volume: CollectiveVolume, D: number, f: BlockFigures): Explained {
  const v = f.plan.values[i];
  const of = volume === 'output' ? i : v.args.length ? v.args[0] : -1;
  const t = of >= 0 ? f.block.values[of].type : undefined;
  if (!t) return explained(D, 'B', 'operand type unknown');
  const prefix = volume === 'twice-input' ? '2·' : '';
  const name = f.plan.values[of].name;
  return explained(D, 'B', () => localBytesFormula(name, t, f, prefix).formula, () => localBytesFormula(name, t, f, prefix).inputs);
}

/**
 * Local bytes of a value as a formula over its dims' local extents: `B·L·E/x·bytes`, with an
 * input for each extent ("E = 18432 over 4 chips") and for the bytes per element.
 */
export function localBytesFormula(name: string, t: ShardType, f: FormulaContext, prefix: string): { formula: string; inputs: Record<string, Input> } {
  const inputs: Record<string, Input> = {};
  const symbols: string[] = [];
  for (const d of t.dims) {
    const sym = extentSymbol(d.letter, d.axes, f);
    symbols.push(sym);
    inputs[sym] = extentInput(d.letter, d.axes, f);
  }
  const dtype = f.dtypes.get(name) ?? 'bf16';
  inputs.bytes = input(bytesPerElement(dtype), 'B', `${dtype}, per element of ${typeText(t, f)}`);
  return { formula: `${prefix}${symbols.join('·')}·bytes`, inputs };
}

/** The local-extent symbol of a dim for formulas: `F/yz` when sharded, `F` when whole. */
export function extentSymbol(letter: string, axes: readonly string[], f: FormulaContext): string {
  const part = axes.filter((a) => (f.axisSizes.get(a) ?? 1) > 1);
  return part.length ? `${letter}/${formatAxes(part, f.meshOrder)}` : letter;
}

export function extentInput(letter: string, axes: readonly string[], f: FormulaContext): Input {
  const n = axes.reduce((p, a) => p * (f.axisSizes.get(a) ?? 1), 1);
  const ext = localExtent(letter, axes, f.sizes, f.axisSizes);
  const size = dimSize(f.sizes, letter);
  return n > 1 ? input(ext, 'elements', `${letter} = ${size} over ${n} chips`) : input(ext, 'elements');
}
