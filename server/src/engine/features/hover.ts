// Hover content as Markdown: what an operation costs, what a type is on each chip, what a layout
// achieves, what a name or quantity means. Every figure comes from the cost model's explained
// values, so the hover can show the formula with the values put in.

import type { Analysis } from '../analysis';
import type { BlockDecl, Decl, Ident, LetStmt, RecordDecl, Span, Stmt } from '../syntax/ast';
import { isBlockDecl } from '../syntax/ast';
import { operation } from '../ops/index';
import { DIM_MEANING, formatAxes, formatType, type ShardType } from '../check/shardType';
import { fieldSpec, PHASE_FIELDS, type FieldSpec } from '../check/schema';
import { evalQuantity, KIND_NAME } from '../check/units';
import { NOMINAL_CALIBRATION, type HardwareSpec, type MeshSpec, type Phase, type ResolvedLayout } from '../check/resolved';
import { buildHardware, lookupRecord, mergedFields, RecordFields } from '../check/records';
import type { Explained } from '../cost/explained';
import type { LayoutCost } from '../cost/types';
import { basisLabel, calibratedFields, layoutBasis } from '../cost/basis';
import { axisSizes, bytesPerElement, localExtent, passSizes, valueDtypes, type PassSizes } from '../cost/sizes';
import { figureEquation, figureText } from '../report/figure';
import { formatBytes, formatPercent, formatSeconds, formatValue, formatFlops, sig } from '../report/format';
import { boundNotes, layoutCost, opCost, phasePass, uncostableUsesOfBlock, usesOfBlock, type BlockUse } from './costs';
import { docComment, locate, type FieldOwner, type Located } from './locate';
import { declNamedAt, fileOf, origin, valueDefAt, type ValueDef } from './declarations';
import type { FeatureSettings } from './settings';
import { SHARDING_COMMAND } from './costHints';

export interface HoverResult {
  markdown: string;
  span: Span;
}

/** How many layout uses a block hover lists before it says "and N more". */
const MAX_USES = 3;

export function hoverAt(analysis: Analysis, offset: number, settings: FeatureSettings): HoverResult | null {
  const at = locate(analysis, offset);
  if (!at) return null;
  const markdown = hoverMarkdown(analysis, at, settings);
  return markdown ? { markdown, span: spanOf(at) } : null;
}

function spanOf(at: Located): Span {
  switch (at.kind) {
    case 'declName': return at.decl.name;
    case 'ref': return at.ref.span;
    case 'field': return at.field.name;
    case 'quantity': return at.value;
    case 'word': return at.value;
    case 'op': return at.stmt.op;
    case 'valueDef': return at.name;
    case 'axesArg': return at.arg;
    case 'type': return at.axis ?? at.dim?.letterSpan ?? at.type;
  }
}

function hoverMarkdown(analysis: Analysis, at: Located, settings: FeatureSettings): string | undefined {
  switch (at.kind) {
    case 'declName':
      return declHover(analysis, at.decl, settings);
    case 'ref': {
      if (at.ref.kind === 'value') {
        const def = valueDefAt(analysis, at.ref.target.source, at.ref.target.span);
        return def ? valueHover(analysis, def, settings) : undefined;
      }
      const decl = declNamedAt(analysis, at.ref.target.source, at.ref.target.span);
      return decl ? declHover(analysis, decl, settings) : undefined;
    }
    case 'field':
      return fieldHover(at.owner, at.field.name.text);
    case 'quantity':
      return quantityHover(at.owner, at.field.name.text, at.value.value, at.value.unit?.text);
    case 'word':
      return wordHover(analysis, at.decl, at.field.name.text, at.value.text) ?? fieldHover(at.owner, at.field.name.text);
    case 'op':
      return valueHover(analysis, { block: at.block, stmt: at.stmt, name: at.stmt.name }, settings);
    case 'valueDef':
      return valueHover(analysis, at, settings);
    case 'axesArg':
      return axesHover(analysis, at.block, at.arg, settings);
    case 'type':
      if (at.axis) return axesHover(analysis, at.block, { text: at.axis.letter, start: at.axis.start, end: at.axis.end }, settings);
      return typeHover(analysis, at.block, at.stmt, settings, at.dim?.letter);
  }
}

// ---------------------------------------------------------------------------------------------
// Declarations

function declHover(analysis: Analysis, decl: Decl, settings: FeatureSettings): string {
  const kind = isBlockDecl(decl) ? `${decl.kind} block` : decl.kind;
  const parts = [`**${kind}** \`${decl.name.text}\` — ${origin(analysis, decl)}`];
  const file = fileOf(analysis, decl.source);
  const doc = file ? docComment(decl, file.comments) : '';
  if (decl.kind === 'layout') {
    const layout = analysis.layouts.find((l) => l.decl === decl);
    if (layout) parts.push(layoutTable(analysis, layout, settings));
    else {
      const u = analysis.uncostable.find((l) => l.decl === decl);
      if (u) parts.push(`Not costed: ${u.reason}`);
    }
  } else if (isBlockDecl(decl)) {
    parts.push(blockSummary(analysis, decl));
  } else {
    parts.push(recordSummary(decl));
    const basis = decl.kind === 'hardware' ? hardwareBasis(analysis, decl, doc !== '') : undefined;
    if (basis) parts.push(basis);
  }
  if (doc) parts.push(doc);
  return parts.join('\n\n');
}

/** How a calibration field's value reads in the hover: times in human units, fractions as written. */
function calibrationValue(hw: HardwareSpec, field: string): string {
  if (field === 'collective_latency' || field === 'op_overhead') return formatSeconds(hw[field]);
  // Four digits, as `shardlens calibrate` writes them (the block's own text), not the hover's three.
  const v = field === 'matmul_knee' ? hw.extra.matmul_knee ?? 0 : hw[field as keyof typeof NOMINAL_CALIBRATION];
  return String(Number(v.toPrecision(4)));
}

/**
 * Whether a hardware's figures are calibrated or nominal (cost/basis.ts decides it, as for a
 * layout), which fields say so, and where the fit came from: the comment of the block that sets
 * them (a calibrated preset, or the block `shardlens calibrate` printed, names its rows there).
 * The block's chain is merged here with no diagnostics (the checker reports them).
 */
function hardwareBasis(analysis: Analysis, decl: RecordDecl, ownDoc: boolean): string | undefined {
  const quiet = () => {};
  const fields = new RecordFields(quiet);
  const merged = mergedFields(decl, analysis.scope, fields, quiet, quiet);
  const hw = merged && buildHardware(decl.name.text, merged);
  if (!hw) return undefined;
  const set = calibratedFields(hw);
  if (!set.length) {
    return `figures: **${basisLabel({ kind: 'roofline', hardware: hw.name })}**: its peak rates, no calibration field set ` +
      '(cost-model.md §10), so every time is a lower bound; `shardlens calibrate` fits the fields to measured times.';
  }
  // The nearest block of the chain that writes one of the fields is the one that was fitted.
  let setter: RecordDecl | undefined = decl;
  for (let d: RecordDecl | undefined = decl, hops = 0; d && hops < 64; hops++) {
    const own = fields.of(d);
    if (set.some((f) => own.has(f))) { setter = d; break; }
    d = d.base ? lookupRecord(analysis.scope, 'hardware', d.base.text, d) : undefined;
  }
  const lines = [`figures: **${basisLabel({ kind: 'calibrated', hardware: hw.name })}**: ${set.map((f) => `\`${f} = ${calibrationValue(hw, f)}\``).join(', ')} (away from nominal, cost-model.md §10)`];
  if (setter && setter !== decl) {
    const file = fileOf(analysis, setter.source);
    const fit = file ? docComment(setter, file.comments) : '';
    lines.push(`calibrated by \`${setter.name.text}\` (${origin(analysis, setter)})${fit ? `: ${fit}` : ', whose comment does not say which measurements it was fitted to'}`);
  } else {
    lines.push(ownDoc ? 'the fit: see the comment below (which measurements, and how close)' : 'no comment says which measurements these fields were fitted to');
  }
  return lines.join('  \n');
}

function recordSummary(decl: RecordDecl): string {
  const text = decl.source.text.slice(decl.start, decl.end);
  const lines = text.split(/\r?\n/);
  const shown = lines.length > 14 ? [...lines.slice(0, 13), '  …'] : lines;
  return '```shard\n' + shown.join('\n') + '\n```';
}

function blockSummary(analysis: Analysis, decl: BlockDecl): string {
  const checked = analysis.blocks.get(decl);
  const lines: string[] = [];
  if (checked?.input?.type) lines.push(`in \`${checked.input.name} : ${formatType(checked.input.type)}\``);
  if (checked?.output?.type) lines.push(`out \`${checked.output.name} : ${formatType(checked.output.type)}\``);
  const weights = checked?.values.filter((v) => v.op === 'weight' || v.op === 'cache') ?? [];
  for (const w of weights) if (w.type) lines.push(`${w.op} \`${w.name} : ${formatType(w.type)}\``);
  const uses = usesOfBlock(analysis, decl);
  const phasesByLayout = new Map<string, string[]>();
  for (const u of uses) phasesByLayout.set(u.layout.name, [...(phasesByLayout.get(u.layout.name) ?? []), u.phase]);
  if (phasesByLayout.size) lines.push(`used by ${[...phasesByLayout].map(([name, phases]) => `\`${name}\` (${[...new Set(phases)].join(', ')})`).join(', ')}`);
  else if (uncostableUsesOfBlock(analysis, decl).length) lines.push(notCostedNote(analysis, decl));
  return lines.join('  \n');
}

/** The layout's headline figures, as the report prints them (cli.md `report`). */
export function layoutTable(analysis: Analysis, layout: ResolvedLayout, settings: FeatureSettings): string {
  const cost = layoutCost(analysis, layout);
  if (!cost) return 'The cost model could not cost this layout.';
  const p = cost.prefill;
  const d = cost.decode;
  const step = phasePass(cost, 'decode', settings.decodeContext).latency.value;
  const mem = cost.memory;
  const used = Math.max(mem.total.prefill.value, mem.total.decode.value);
  const rows = [
    '| | prefill | decode |',
    '|---|---|---|',
    `| blocks | ${p.ffn} + ${p.attention ?? 'none'} | ${d.ffn} + ${d.attention ?? 'none'} |`,
    `| latency | ${formatSeconds(p.latency.value)} | ${formatSeconds(d.latency.value)} |`,
    `| per token | — | ${formatSeconds(step)} (${settings.decodeContext} step) |`,
    `| MFU | ${formatPercent(p.mfu.value)} | ${formatPercent(d.mfu.value)} |`,
    `| cost (chip·s / token) | ${sig(p.costChipSPerToken.value)} | ${sig(d.costChipSPerToken.value)} |`,
    `| bound | ${p.pass.bound} | ${d.pass.bound} |`,
  ];
  // All-to-all (a mixture of experts' dispatch and combine) as its own part of communication.
  const pt = p.pass.totals;
  const dt = phasePass(cost, 'decode', settings.decodeContext).totals;
  if (pt.allToAllTime > 0 || dt.allToAllTime > 0) {
    rows.push(`| communication (of it all-to-all) | ${formatSeconds(pt.commTime)} (${formatSeconds(pt.allToAllTime)}) | ${formatSeconds(dt.commTime)} (${formatSeconds(dt.allToAllTime)}) per step |`);
  }
  // Every part of the larger phase's total, so that the parts add up to it.
  const phase: Phase = mem.total.decode.value >= mem.total.prefill.value ? 'decode' : 'prefill';
  const parts = `weights ${formatBytes(mem.weights.value)} + KV cache ${formatBytes(mem.kv.value)} + ${phase} activations ${formatBytes(mem.activations[phase])}`;
  const memory = `memory per chip: ${parts} = **${formatBytes(used)}** of ${formatBytes(mem.hbm)} HBM${mem.fits ? '' : ' — **does not fit**'}`;
  // The bound notes, word for word as `shardlens check` prints them: the editor keeps them out of
  // Problems unless `shardlens.diagnostics.boundNotes` is on.
  const notes = boundNotes(layout, cost).map((d) => `_${d.message}_`);
  const transfer = kvTransferSection(layout, cost);
  return [`${rows.join('\n')}\n\n${memory} · ${cost.chips} chips · figures: ${basisLabel(cost.basis)}`, ...(transfer ? [transfer] : []), ...(notes.length ? [notes.join('  \n')] : [])].join('\n\n');
}

/**
 * Per-phase meshes: the KV cache the prefill chips send to the decode chips, its bytes and time
 * with their formulas (cost/transfer.ts), and the total latency it is part of.
 */
function kvTransferSection(layout: ResolvedLayout, cost: LayoutCost): string | undefined {
  const t = cost.kvTransfer;
  if (!t) return undefined;
  const head = `**KV transfer** ${formatBytes(t.bytes.value)} from \`${layout.prefill.mesh.name}\` (${t.fromChips} chips) to \`${layout.decode.mesh.name}\` (${t.toChips} chips) over the ${t.link}: **${formatSeconds(t.time.value)}**`;
  return [head, `bytes: ${explain(t.bytes)}`, `time: ${explain(t.time)}`, `total latency (prefill + KV transfer + decode) ${formatSeconds(cost.totalLatency.value)}`].join('  \n');
}

// ---------------------------------------------------------------------------------------------
// Fields and quantities

function specFor(owner: FieldOwner, name: string): FieldSpec | undefined {
  return owner === 'phase' ? PHASE_FIELDS.find((f) => f.name === name) : fieldSpec(owner, name);
}

function fieldHover(owner: FieldOwner, name: string): string | undefined {
  const spec = specFor(owner, name);
  if (!spec) return undefined;
  const kind = spec.type.type === 'quantity' ? KIND_NAME[spec.type.kind] : spec.type.type === 'enum' ? spec.type.values.join(' | ') : spec.type.type;
  return `**${owner === 'phase' ? 'phase' : owner}.${name}**${spec.required ? ' (required)' : ''}: ${spec.doc}\n\n${kind} — e.g. \`${name} = ${spec.example}\``;
}

function quantityHover(owner: FieldOwner, field: string, value: number, unit: string | undefined): string | undefined {
  const spec = specFor(owner, field);
  if (!spec || spec.type.type !== 'quantity') return undefined;
  const kind = spec.type.kind;
  const r = evalQuantity(value, unit, kind, field);
  if (r.value === undefined) return r.error;
  const base: Record<string, string> = { flops: 'FLOP/s', bytes: 'B', bandwidth: 'B/s', time: 's', fraction: '', count: '', number: '' };
  const exact = `${r.value.toLocaleString('en-US', { maximumFractionDigits: 12 })}${base[kind] ? ` ${base[kind]}` : ''}`;
  const readable = kind === 'flops' ? formatValue(r.value, 'FLOP/s') : kind === 'bytes' ? formatValue(r.value, 'B') : kind === 'bandwidth' ? formatValue(r.value, 'B/s') : kind === 'time' ? formatSeconds(r.value) : kind === 'fraction' ? formatPercent(r.value) : '';
  return `\`${field}\` = **${exact}**${readable && readable !== exact ? ` (${readable})` : ''} — ${KIND_NAME[kind]}`;
}

/**
 * `attention = batch` names a family, not a block: say which block each phase resolved to (the
 * member that matches the layout's ffn and the model's K).
 */
function wordHover(analysis: Analysis, decl: RecordDecl, field: string, word: string): string | undefined {
  if (decl.kind !== 'layout' || (field !== 'attention' && field !== 'ffn')) return undefined;
  const layout = analysis.layouts.find((l) => l.decl === decl);
  if (!layout) return undefined;
  const lines = (['prefill', 'decode'] as const).map((phase) => {
    const block = field === 'ffn' ? layout[phase].ffn : layout[phase].attention;
    return `${phase}: ${block ? `\`${block.name}\`` : 'none (the ffn is costed alone)'}`;
  });
  return [`\`${field} = ${word}\` resolves to`, ...lines].join('  \n');
}

// ---------------------------------------------------------------------------------------------
// Block values, types, dims and axes

function statementText(def: ValueDef): string {
  return def.block.source.text.slice(def.stmt.start, def.stmt.end).replace(/\s+/g, ' ');
}

function valueType(analysis: Analysis, def: ValueDef): ShardType | undefined {
  return analysis.blocks.get(def.block)?.byName.get(def.name.text)?.type;
}

function valueHover(analysis: Analysis, def: ValueDef, settings: FeatureSettings): string {
  const type = valueType(analysis, def);
  const parts = ['```shard\n' + statementText(def) + '\n```'];
  if (type) parts.push(`type \`${formatType(type)}\`${def.stmt.kind === 'let' && !def.stmt.annotation ? ' (inferred)' : ''}`);
  if (def.stmt.kind === 'let') {
    const spec = operation(def.stmt.op.text);
    if (spec) parts.push(`\`${spec.signature}\` — ${spec.doc}`);
  }
  const uses = usesOfBlock(analysis, def.block);
  // The formulas once, with one use's values put in (decode where the block runs there, as the
  // inlay hints do); then one row per use, so that a block many layouts share reads as a table of
  // figures that each name their layout.
  const main = uses.find((u) => u.phase === 'decode') ?? uses[0];
  if (main && type && !def.block.source.isPrelude) parts.push(showShardingLink(def));
  if (main) parts.push(useSection(analysis, def, type, main, settings));
  if (uses.length > 1) parts.push(usesTable(analysis, def, type, uses, settings));
  if (!uses.length) parts.push(notCostedNote(analysis, def.block));
  return parts.join('\n\n');
}

/**
 * A command link to draw the value's tiles (Show Sharding at its name). The client trusts hovers
 * for this one command only (`markdown.isTrusted.enabledCommands`); other editors show the text.
 */
function showShardingLink(def: ValueDef): string {
  const args = encodeURIComponent(JSON.stringify([{ uri: def.block.source.uri, offset: def.name.start }]));
  return `[Show sharding](command:${SHARDING_COMMAND}?${args} "Draw which tile of ${def.name.text} each chip holds")`;
}

/**
 * Why a block has no figures: no layout names it, or the layouts that do cannot be costed (each
 * with its reason and the first error behind it, in the layout or in the block itself).
 */
function notCostedNote(analysis: Analysis, block: BlockDecl): string {
  const users = uncostableUsesOfBlock(analysis, block);
  if (!users.length) return '_No layout in this file uses this block, so it is not costed._';
  const lines = users.slice(0, MAX_USES).map((u) => {
    const error = analysis.diagnostics.find((d) => d.severity === 'error' && (d.layout === u.name || (d.source === block.source && d.span.start >= block.start && d.span.end <= block.end)));
    return `layout **${u.name}** uses this block but cannot be costed: ${u.reason}${error ? ` (${error.message})` : ''}`;
  });
  if (users.length > MAX_USES) lines.push(`…and ${users.length - MAX_USES} more layouts`);
  return `_Not costed._  \n${lines.join('  \n')}`;
}

/** Whole sizes exactly (`2048`), the real-valued mean decode T to three digits. */
function count(n: number): string {
  return Number.isInteger(n) ? String(n) : sig(n);
}

function sizesFor(use: BlockUse, settings: FeatureSettings): PassSizes {
  const w = use.layout[use.phase].workload;
  return passSizes(use.layout.model, w, use.phase, settings.decodeContext);
}

/** `B 64 × L 1 × E_xyz 18432/64 = 288` : each dim's local extent with where it came from. */
function localShape(type: ShardType, use: BlockUse, sizes: PassSizes): { text: string; elements: number } {
  const axes = axisSizes(use.layout.mesh);
  const order = use.layout.mesh.axes.map((a) => a.name);
  let elements = 1;
  const parts = type.dims.map((d) => {
    const local = localExtent(d.letter, d.axes, sizes, axes);
    elements *= local;
    if (!d.axes.length) return `${d.letter} ${count(local)}`;
    const n = d.axes.reduce((acc, a) => acc * (axes.get(a) ?? 1), 1);
    return `${d.letter}_${formatAxes(d.axes, order)} ${count(sizes[d.letter as keyof PassSizes] as number)}/${n} = ${count(local)}`;
  });
  return { text: parts.join(' × '), elements };
}

/** `formula = values put in = result`, as `shardlens explain` prints it. */
function explain(e: Explained): string {
  return figureEquation(figureText(e));
}

/** How many uses the per-use table of a value hover lists before it says "and N more". */
const MAX_USE_ROWS = 12;

/** The value's bytes per chip in one use: its local shape times its dtype's size. */
function perChip(def: ValueDef, type: ShardType, use: BlockUse, sizes: PassSizes): { shape: string; bytes: number; dtype: string } {
  const shape = localShape(type, use, sizes);
  const dtype = valueDtypes(use.block, use.layout.model).get(def.name.text) ?? 'bf16';
  return { shape: shape.text, bytes: shape.elements * bytesPerElement(dtype), dtype };
}

/** One compact row per use (layout · phase): the value's size per chip and its op's time, bound and volume. */
function usesTable(analysis: Analysis, def: ValueDef, type: ShardType | undefined, uses: BlockUse[], settings: FeatureSettings): string {
  const ops = uses.map((u) => (def.stmt.kind === 'let' ? opCost(analysis, u, def.name.text, settings.decodeContext) : undefined));
  const volume = ops.some((o) => o && o.commBytes.value > 0);
  const rows = [`| layout · phase | per chip | time | bound |${volume ? ' D |' : ''}`, `|---|---|---|---|${volume ? '---|' : ''}`];
  uses.slice(0, MAX_USE_ROWS).forEach((use, i) => {
    const op = ops[i];
    const size = type ? formatBytes(perChip(def, type, use, sizesFor(use, settings)).bytes) : '—';
    const time = op ? formatSeconds(op.time.value) : '—';
    rows.push(`| **${use.layout.name}** · ${use.phase} | ${size} | ${time} | ${op?.bound ?? '—'} |${volume ? ` ${op ? formatBytes(op.commBytes.value) : '—'} |` : ''}`);
  });
  const more = uses.length > MAX_USE_ROWS ? `\n\n…and ${uses.length - MAX_USE_ROWS} more uses` : '';
  // Uses on different hardware: say which rows are calibrated (the section above names its own).
  const bases = [...new Set(uses.slice(0, MAX_USE_ROWS).map((u) => basisLabel(layoutBasis(u.layout))))];
  return `${rows.join('\n')}${more}${bases.length > 1 ? `\n\nfigures: ${bases.join(', ')}` : ''}`;
}

function useSection(analysis: Analysis, def: ValueDef, type: ShardType | undefined, use: BlockUse, settings: FeatureSettings): string {
  const sizes = sizesFor(use, settings);
  const header = `**${use.layout.name}** · ${use.phase}${use.phase === 'decode' ? ` (${settings.decodeContext} step, T = ${count(sizes.T)})` : ''} · ${use.role} on \`${use.layout.mesh.name}\` · ${basisLabel(layoutBasis(use.layout))}`;
  const lines = [header];
  const op = opCost(analysis, use, def.name.text, settings.decodeContext);
  if (type) {
    const { shape, bytes, dtype } = perChip(def, type, use, sizes);
    // The scores and probabilities of a fused attention exist only in on-chip tiles.
    const onChip = op?.fused && op.role !== 'layer' && op.name !== def.name.text ? ', on chip only' : '';
    lines.push(`per chip: ${shape} → ${formatBytes(bytes)} (${dtype}${onChip})`);
  }
  if (op && def.stmt.kind === 'let') {
    const collective = operation(op.op)?.class === 'collective' || op.commBytes.value > 0;
    if (collective) {
      lines.push(`time **${formatSeconds(op.time.value)}** (${op.bound}-bound)`);
      lines.push(`volume D: ${explain(op.commBytes)}`);
      const bandwidth = Object.entries(op.commTime.inputs).find(([, input]) => input.unit === 'B/s');
      if (bandwidth) lines.push(`bandwidth ${bandwidth[0]} = ${formatValue(bandwidth[1].value, 'B/s')}${bandwidth[1].note ? ` (${bandwidth[1].note})` : ''}`);
      lines.push(`comm time: ${explain(op.commTime)}`);
    } else {
      // A fused attention's statements share one op: say so, and show what it moves through HBM.
      if (op.fused && op.role !== 'layer') lines.push(`fused attention (${op.fused.join(' + ')}): the scores stay on chip`);
      lines.push(`FLOPs ${formatFlops(op.flops.value)} · HBM ${formatBytes(op.bytes.value)} · time **${formatSeconds(op.time.value)}** (${op.bound}-bound)`);
      if (op.fused && op.role !== 'layer') {
        lines.push(`FLOPs: ${explain(op.flops)}`);
        lines.push(`HBM: ${explain(op.bytes)}`);
      }
      if (op.flops.value > 0) lines.push(`compute time: ${explain(op.computeTime)}`);
      if (op.memoryTime.value > 0) lines.push(`memory time: ${explain(op.memoryTime)}`);
    }
  }
  return lines.join('  \n');
}

/** The type's local shape per chip in each layout using the block; on a dim letter, what the letter means first. */
function typeHover(analysis: Analysis, block: BlockDecl, stmt: Stmt, settings: FeatureSettings, dim?: string): string | undefined {
  const name: Ident | undefined = stmt.kind === 'let' ? stmt.name : stmt.kind === 'out' ? undefined : stmt.names[0];
  if (!name) return undefined;
  const def = { block, stmt, name };
  const type = valueType(analysis, def);
  const written = stmt.kind === 'let' ? (stmt as LetStmt).annotation : stmt.kind === 'out' ? undefined : stmt.type;
  const parts = [`type \`${type ? formatType(type) : block.source.text.slice(written?.start ?? 0, written?.end ?? 0)}\` of \`${name.text}\``];
  if (dim) parts.unshift(DIM_MEANING[dim] ? `**${dim}** — ${DIM_MEANING[dim]}` : `\`${dim}\` is not a dimension letter; the letters are ${Object.keys(DIM_MEANING).join(' ')}`);
  if (type) {
    const uses = usesOfBlock(analysis, block);
    // One compact line per use, each naming its layout and phase.
    for (const use of uses.slice(0, MAX_USE_ROWS)) {
      const sizes = sizesFor(use, settings);
      const shape = localShape(type, use, sizes);
      parts.push(`**${use.layout.name}** · ${use.phase}: ${shape.text} = ${count(shape.elements)} elements`);
    }
    if (uses.length > MAX_USE_ROWS) parts.push(`…and ${uses.length - MAX_USE_ROWS} more uses`);
    if (!uses.length) parts.push(notCostedNote(analysis, block));
  }
  return parts.join('\n\n');
}

/** Where the axes lie on the hardware's network tiers (docs/language.md "Network tiers"), if it has them. */
function tierNote(names: readonly string[], mesh: MeshSpec): string {
  const parts: string[] = [];
  for (const n of names) {
    const a = mesh.axes.find((x) => x.name === n);
    if (!a?.tier || a.size === 1) continue;
    if (a.tier === 'scale-up') parts.push(`${n} inside one scale-up domain`);
    else if (a.scaleUp) parts.push(`${n}: ${a.scaleUp.size} inside a domain × ${a.size / a.scaleUp.size} over the network`);
    else parts.push(`${n} over the network`);
  }
  return parts.length ? ` (${parts.join('; ')})` : '';
}

function axesHover(analysis: Analysis, block: BlockDecl, axes: Ident, _settings: FeatureSettings): string | undefined {
  if (!/^[a-z]+$/.test(axes.text)) return undefined;
  const meshes = new Map<string, string>();
  for (const use of usesOfBlock(analysis, block)) {
    const m = use.layout.mesh;
    const sizes = [...axes.text].map((a) => `${a} = ${m.axes.find((x) => x.name === a)?.size ?? '?'}`);
    const total = [...axes.text].reduce((acc, a) => acc * (m.axes.find((x) => x.name === a)?.size ?? 1), 1);
    meshes.set(m.name, `\`${m.name}\`: ${sizes.join(', ')} → ${total} chips${tierNote([...axes.text], m)}`);
  }
  const head = `mesh ax${axes.text.length > 1 ? 'es' : 'is'} **${axes.text}**`;
  return meshes.size ? `${head}\n\n${[...meshes.values()].join('  \n')}` : head;
}

