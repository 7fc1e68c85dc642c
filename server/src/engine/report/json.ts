// The `report --json` object of cli.md: one entry per layout, plain SI numbers, never NaN or
// Infinity. Built from an Analysis; the CLI prints it, the webview reads it.

import type { Analysis } from '../analysis';
import type { MeshSpec, ResolvedLayout, UncostableLayout } from '../check/resolved';
import type { KvTransferCost } from '../cost/transfer';
import { normalizeDiagnostics, type Diagnostic } from '../diagnostics';
import { LineIndex, type PositionRange } from '../syntax/lineIndex';
import { costLayout } from '../cost/layout';
import { CostFindingsMemo, costDiagnostics } from '../cost/diagnostics';
import { configurationKey } from '../configuration';
import { builtinVariants, type VariantResolver } from '../cost/variants';
import type { BlockTotalsRow, LayoutCost, MemoryCost, OpRow, PassCost, PhaseCost } from '../cost/types';
import { layerRowsOf, opRowOf } from '../cost/sequenceFigures';
import { writeJsonText } from './jsonText';

export interface ReportOptions {
  /** Only these layouts (all when absent or empty). */
  layouts?: string[];
  /** Resolves built-in variants for the `better-layout` hint (default: the analysis's resolver). */
  resolveVariant?: VariantResolver;
  /** Override the file name shown (defaults to the source's uri). */
  file?: string;
}

export interface JsonDiagnostic {
  code: string;
  severity: string;
  message: string;
  range: PositionRange;
  layout?: string;
  phase?: string;
}

/** An op of a phase: the cost model's op row itself (cost/types.ts `OpRow`). */
export type JsonOp = OpRow;

export interface JsonBlockTotals {
  block: string;
  time_s: number;
  comm_bytes: number;
  flops: number;
}

export interface JsonPhase {
  /** The mesh this phase runs on and its chips (report version 2; differ between phases with per-phase meshes). */
  mesh: string;
  chips: number;
  /** This phase's memory per chip fits in HBM (version 2). */
  fits: boolean;
  ffn: string;
  attention: string | null;
  workload: { batch: number; prompt: number; generate: number };
  latency_s: number;
  compute_s: number;
  memory_s: number;
  comm_s: number;
  /** The part of comm_s in all_to_all collectives (MoE dispatch and combine): its own line in the text. */
  all_to_all_s: number;
  flops: number;
  comm_bytes: number;
  mfu: number;
  cost_chip_s_per_token: number;
  throughput_tokens_per_s: number;
  bound: string;
  activation_bytes: number;
  embed: { time_s: number };
  unembed: { time_s: number; flops: number; comm_bytes: number; block: string | null };
  layer: {
    time_s: number;
    comm_bytes: number;
    flops: number;
    blocks: { ffn: JsonBlockTotals; attention: JsonBlockTotals | null };
    ops: JsonOp[];
  };
  cache_conversion?: { time_s: number; comm_bytes: number; ops: JsonOp[] } | null;
  step_s?: number;
  step_s_last?: number;
  t_mean?: number;
  t_last?: number;
}

export interface JsonMemory {
  weights_bytes: number;
  kv_bytes: number;
  kv_bytes_total: number;
  activation_bytes: number;
  total_bytes: number;
  hbm_bytes: number;
  fits: boolean;
  max_context: number;
  prefill_total_bytes: number;
  decode_total_bytes: number;
  /** Per-phase meshes only: each pool's memory per chip (version 2). */
  pools?: { prefill: JsonPoolMemory; decode: JsonPoolMemory };
}

export interface JsonPoolMemory {
  weights_bytes: number;
  kv_bytes: number;
  activation_bytes: number;
  total_bytes: number;
  hbm_bytes: number;
  fits: boolean;
}

/** The KV cache sent from the prefill chips to the decode chips (per-phase meshes, version 2). */
export interface JsonKvTransfer {
  bytes: number;
  time_s: number;
  /** `scale-out network` or `ICI` (cost-model.md "Per-phase meshes"). */
  link: string;
  from_mesh: string;
  to_mesh: string;
  from_chips: number;
  to_chips: number;
  bandwidth_bytes_per_s: number;
  latency_s: number;
}

/** A pipelined phase's figures; `null` for a phase without a pipeline. */
export interface JsonPipelinePhase {
  axis: string;
  stages: number;
  microbatches: number;
  /** Sequences per microbatch (B / microbatches). */
  microbatch_batch: number;
  layers_per_stage: number[];
  /** The slowest stage's time for one microbatch, and which stage (1-based). */
  stage_time_s: number;
  slowest_stage: number;
  /** One chip's residual sent to the next stage per microbatch, and its time. */
  stage_transfer_bytes: number;
  stage_transfer_s: number;
  link: string;
  slots: number;
  bubble_fraction: number;
  /** Memory per chip of each stage of this phase's pool (1-based stages). */
  stage_memory: { stage: number; layers: number; weights_bytes: number; kv_bytes: number; total_bytes: number; fits: boolean }[];
}

export interface JsonPipeline {
  prefill: JsonPipelinePhase | null;
  decode: JsonPipelinePhase | null;
}

export interface JsonLayout {
  name: string;
  costed: boolean;
  model: string | null;
  mesh: string | null;
  chips: number | null;
  workload: { batch: number; prompt: number; generate: number } | null;
  overlap?: string;
  /** `fused` (the scores stay on chip) or `unfused` (they go through HBM, as in Pope et al.). */
  attention_kernel?: string;
  /** What the figures are: a roofline from the nominal hardware, or calibrated (cost/basis.ts). */
  basis?: 'roofline' | 'calibrated';
  /** The hardware whose figures they are (`a + b` when the phases run on different hardware). */
  basis_hardware?: string;
  /** The calibration fields that hardware sets, when calibrated. */
  calibrated_fields?: string[];
  memory: JsonMemory | null;
  prefill: JsonPhase | null;
  decode: JsonPhase | null;
  total_latency_s?: number;
  /** Version 2: the KV-cache transfer between per-phase meshes; `null` when both phases share one mesh. */
  kv_transfer?: JsonKvTransfer | null;
  /** Pipeline parallelism (cost-model.md "Pipelines"): present only when a phase is pipelined. */
  pipeline?: JsonPipeline;
  reason?: string;
  /** The layout's `measured { … }` results, when it records them (SI units, fractions). */
  measured?: JsonMeasured;
}

export interface JsonMeasured {
  source?: 'paper' | 'measured';
  prefill_s?: number;
  decode_s?: number;
  decode_step_s?: number;
  prefill_mfu?: number;
  decode_mfu?: number;
  /** Measured ÷ predicted, per figure given (> 1: the real run was slower than the nominal model). */
  ratio?: { prefill?: number; decode?: number; decode_step?: number };
}

/** The recorded results beside the prediction: the nominal model is a lower bound until calibrated. */
export function measuredJson(layout: ResolvedLayout, cost: LayoutCost): JsonMeasured | undefined {
  const m = layout.measured;
  if (!m) return undefined;
  const ratio: NonNullable<JsonMeasured['ratio']> = {};
  const steps = cost.decode.workload.generate;
  const decodeMeasured = m.decode_s ?? (m.decode_step_s !== undefined ? m.decode_step_s * steps : undefined);
  // A ratio is given only when it is a number (a measured 1e308 s against a prediction of
  // microseconds overflows); JSON output stays strict.
  const put = (key: keyof typeof ratio, measured: number | undefined, predicted: number) => {
    const r = measured !== undefined && predicted > 0 ? measured / predicted : NaN;
    if (Number.isFinite(r)) ratio[key] = r;
  };
  put('prefill', m.prefill_s, cost.prefill.latency.value);
  put('decode', decodeMeasured, cost.decode.latency.value);
  put('decode_step', m.decode_step_s, cost.decode.pass.latency.value);
  const out: JsonMeasured = {};
  for (const [k, v] of Object.entries(m)) if (v !== undefined) (out as Record<string, unknown>)[k] = v;
  out.ratio = ratio;
  return out;
}

/** `report --json`'s `version`: 2 added per-phase meshes (docs/cli.md). */
export const REPORT_JSON_VERSION = 2;

export interface ReportJson {
  version: number;
  file: string;
  diagnostics: JsonDiagnostic[];
  layouts: JsonLayout[];
}

function blockTotals(b: BlockTotalsRow): JsonBlockTotals {
  return { block: b.block, time_s: b.time, comm_bytes: b.commBytes, flops: b.flops };
}

function phaseJson(p: PhaseCost, pass: PassCost, activationBytes: number, mesh: MeshSpec, fits: boolean): JsonPhase {
  const t = pass.totals;
  // The layer's numbers only: its explained figures (formulas, inputs) are for hovers and explain.
  const layer = layerRowsOf(pass);
  const j: JsonPhase = {
    mesh: mesh.name,
    chips: mesh.chips,
    fits,
    ffn: p.ffn,
    attention: p.attention,
    workload: { ...p.workload },
    latency_s: p.latency.value,
    compute_s: t.computeTime,
    memory_s: t.memoryTime,
    comm_s: t.commTime,
    all_to_all_s: t.allToAllTime,
    flops: t.flops,
    comm_bytes: t.commBytes,
    mfu: p.mfu.value,
    cost_chip_s_per_token: p.costChipSPerToken.value,
    throughput_tokens_per_s: p.throughput.value,
    bound: pass.bound,
    activation_bytes: activationBytes,
    embed: { time_s: pass.embed.time.value },
    unembed: { time_s: pass.unembed?.time ?? 0, flops: pass.unembed?.flops ?? 0, comm_bytes: pass.unembed?.commBytes ?? 0, block: pass.unembed?.block ?? null },
    layer: {
      time_s: layer.time,
      comm_bytes: layer.commBytes,
      flops: layer.flops,
      blocks: { ffn: blockTotals(layer.blocks.ffn), attention: layer.blocks.attention ? blockTotals(layer.blocks.attention) : null },
      ops: layer.ops,
    },
  };
  if (p.phase === 'prefill') {
    const c = pass.cacheConversion;
    j.cache_conversion = c ? { time_s: c.time, comm_bytes: c.commBytes, ops: c.ops.map(opRowOf) } : null;
  }
  return j;
}

/** The figures of a layout's JSON entry that depend only on its configuration, sanitized. */
type ConfigurationJson = Pick<JsonLayout, 'memory' | 'prefill' | 'decode' | 'kv_transfer' | 'pipeline'>;

function pipelineJson(cost: LayoutCost): JsonPipeline | undefined {
  const p = cost.pipeline;
  if (!p) return undefined;
  const phase = (ph: 'prefill' | 'decode'): JsonPipelinePhase | null => {
    const f = p[ph];
    if (!f) return null;
    return {
      axis: f.axis, stages: f.stages, microbatches: f.microbatches, microbatch_batch: f.microbatch, layers_per_stage: f.layersPerStage,
      stage_time_s: f.stageTime.value, slowest_stage: f.slowest + 1, stage_transfer_bytes: f.transferBytes.value, stage_transfer_s: f.transfer.value,
      link: f.link, slots: f.slots, bubble_fraction: f.bubble.value,
      stage_memory: (p.stageMemory[ph] ?? []).map((m) => ({ stage: m.stage + 1, layers: m.layers, weights_bytes: m.weights.value, kv_bytes: m.kv.value, total_bytes: m.total.value, fits: m.fits })),
    };
  };
  return { prefill: phase('prefill'), decode: phase('decode') };
}

function poolJson(m: MemoryCost, activationBytes: number, total: number): JsonPoolMemory {
  return { weights_bytes: m.weights.value, kv_bytes: m.kv.value, activation_bytes: activationBytes, total_bytes: total, hbm_bytes: m.hbm, fits: m.fits };
}

function transferJson(layout: ResolvedLayout, t: KvTransferCost): JsonKvTransfer {
  return {
    bytes: t.bytes.value, time_s: t.time.value, link: t.link, from_mesh: layout.prefill.mesh.name, to_mesh: layout.decode.mesh.name,
    from_chips: t.fromChips, to_chips: t.toChips, bandwidth_bytes_per_s: t.bandwidth, latency_s: t.latency,
  };
}

function configurationJson(layout: ResolvedLayout, cost: LayoutCost): ConfigurationJson {
  const mem = cost.memory;
  const decodeMemory = mem.total.decode.value >= mem.total.prefill.value;
  const d = cost.decode;
  const last = d.lastStep ?? d.pass;
  // Each phase's fit: its pool's with per-phase meshes, else the phase's need against the chip's HBM.
  const fits = {
    prefill: mem.pools ? mem.pools.prefill.fits : mem.total.prefill.value <= mem.hbm,
    decode: mem.pools ? mem.pools.decode.fits : mem.total.decode.value <= mem.hbm,
  };
  const decode = phaseJson(d, d.pass, mem.activations.decode, layout.decode.mesh ?? layout.mesh, fits.decode);
  // Decode figures are per step at the mean T, except latency_s (all steps).
  Object.assign(decode, {
    step_s: d.pass.latency.value,
    step_s_last: last.latency.value,
    t_mean: d.pass.sizes.T,
    t_last: last.sizes.T,
    latency_s: d.latency.value,
  });
  return sanitize({
    memory: {
      weights_bytes: mem.weights.value,
      kv_bytes: mem.kv.value,
      kv_bytes_total: mem.kvTotal.value,
      activation_bytes: decodeMemory ? mem.activations.decode : mem.activations.prefill,
      total_bytes: Math.max(mem.total.prefill.value, mem.total.decode.value),
      hbm_bytes: mem.hbm,
      fits: mem.fits,
      max_context: mem.maxContext.value,
      prefill_total_bytes: mem.total.prefill.value,
      decode_total_bytes: mem.total.decode.value,
      ...(mem.pools
        ? { pools: { prefill: poolJson(mem.pools.prefill, mem.activations.prefill, mem.total.prefill.value), decode: poolJson(mem.pools.decode, mem.activations.decode, mem.total.decode.value) } }
        : {}),
    },
    prefill: phaseJson(cost.prefill, cost.prefill.pass, mem.activations.prefill, layout.prefill.mesh ?? layout.mesh, fits.prefill),
    decode,
    kv_transfer: cost.kvTransfer ? transferJson(layout, cost.kvTransfer) : null,
    ...(cost.pipeline ? { pipeline: pipelineJson(cost) } : {}),
  });
}

/**
 * The entry of a layout around its configuration's figures, which identical layouts share (they
 * are sanitized already): only the layout's own values are sanitized here.
 */
function entryJson(layout: ResolvedLayout, cost: LayoutCost, figures: ConfigurationJson): JsonLayout {
  const entry: JsonLayout = {
    name: layout.name,
    costed: true,
    model: layout.model.name,
    mesh: layout.mesh.name,
    chips: sanitize(cost.chips),
    workload: sanitize({ ...layout.workload }),
    overlap: layout.overlap,
    attention_kernel: layout.attentionKernel,
    basis: cost.basis.kind,
    basis_hardware: cost.basis.hardware,
    ...(cost.basis.fields.length ? { calibrated_fields: cost.basis.fields } : {}),
    ...figures,
    total_latency_s: sanitize(cost.totalLatency.value),
  };
  if (layout.measured) entry.measured = sanitize(measuredJson(layout, cost));
  return entry;
}

/** The JSON entry of one costed layout. */
export function layoutJson(layout: ResolvedLayout, cost: LayoutCost): JsonLayout {
  return entryJson(layout, cost, configurationJson(layout, cost));
}

function uncostableJson(u: UncostableLayout): JsonLayout {
  return { name: u.name, costed: false, model: u.model ?? null, mesh: u.mesh ?? null, chips: null, workload: null, memory: null, prefill: null, decode: null, reason: u.reason };
}

/**
 * Replace any non-finite number by null, so the JSON never carries NaN or Infinity. Objects and
 * arrays are changed in place (this module sanitizes only what it has just built: a report of
 * thousands of layouts is not copied once more).
 */
export function sanitize<T>(value: T): T {
  if (typeof value === 'number') return (Number.isFinite(value) ? value : null) as T;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const v: unknown = value[i];
      if (typeof v === 'number') {
        if (!Number.isFinite(v)) value[i] = null;
      } else if (v && typeof v === 'object') sanitize(v);
    }
  } else if (value && typeof value === 'object') {
    // for…in rather than Object.keys: no array of keys per object (a report has a hundred
    // thousand op rows); the objects here are plain, with no inherited enumerable keys.
    const fields = value as Record<string, unknown>;
    for (const k in fields) {
      const v = fields[k];
      if (typeof v === 'number') {
        if (!Number.isFinite(v)) fields[k] = null;
      } else if (v && typeof v === 'object') sanitize(v);
    }
  }
  return value;
}

export function diagnosticJson(d: Diagnostic, index: LineIndex): JsonDiagnostic {
  const j: JsonDiagnostic = { code: d.code, severity: d.severity, message: d.message, range: index.rangeOf(d.span) };
  if (d.layout) j.layout = d.layout;
  if (d.phase) j.phase = d.phase;
  return j;
}

/**
 * The diagnostics of a report: the analysis's own plus the cost findings of every selected layout
 * that `analyze` did not cost itself (editors cap how many it costs; a report covers them all),
 * added layout by layout as the report costs them. A finding already reported is not repeated.
 */
class ReportFindings {
  private readonly found: Diagnostic[];
  private readonly have: Set<string>;
  private readonly resolver: VariantResolver | undefined;
  private readonly searched: CostFindingsMemo;
  private added = false;

  constructor(private readonly analysis: Analysis, resolve?: VariantResolver) {
    this.found = [...analysis.diagnostics];
    this.have = new Set(analysis.diagnostics.filter((d) => d.layout).map(findingKey));
    this.resolver = resolve ?? (analysis.resolver ? (l, blocks) => analysis.resolver.variant(l, blocks) : undefined);
    // Identical configurations are searched once, with the analysis's searches unless the
    // alternatives come from another resolver.
    this.searched = resolve ? new CostFindingsMemo() : analysis.costFindingsMemo ?? new CostFindingsMemo();
  }

  add(layout: ResolvedLayout, cost: LayoutCost): void {
    if (this.analysis.costs?.has(layout.name)) return; // analyze already reported its findings
    const variants = this.resolver ? builtinVariants(layout, this.resolver) : undefined;
    for (const d of costDiagnostics(layout, cost, variants, this.searched)) {
      if (this.have.has(findingKey(d))) continue;
      this.found.push(d);
      this.added = true;
    }
  }

  diagnostics(): Diagnostic[] {
    const a = this.analysis;
    // The analysis's diagnostics are normalized already: when the report adds none and they are
    // all the file's, tens of thousands are not sorted again.
    if (!this.added && a.diagnostics.every((d) => d.source === a.source)) return a.diagnostics;
    return normalizeDiagnostics(this.found.filter((d) => d.source === a.source));
  }
}

const findingKey = (d: Diagnostic) => `${d.code}|${d.layout ?? ''}|${d.phase ?? ''}`;

/**
 * The text of `report --json` (`JSON.stringify(report, null, 2)` and a line break), handed to
 * `write` in pieces: a sweep file's report is hundreds of megabytes, mostly its configurations'
 * figures, each made once (jsonText.ts); `again` marks a piece written before.
 */
export function writeReportJson(report: ReportJson, write: (text: string, again: boolean) => void): void {
  writeJsonText(report, write);
}

export function buildReport(analysis: Analysis, opts: ReportOptions = {}): ReportJson {
  const want = opts.layouts && opts.layouts.length ? new Set(opts.layouts) : undefined;
  const costOf = analysis.costOf ?? costLayout;
  // A configuration's figures are built once and shared by its layouts' entries.
  const figures = new Map<string, ConfigurationJson>();
  const findings = new ReportFindings(analysis, opts.resolveVariant);
  const entries: { start: number; json: JsonLayout }[] = [];
  // Layout by layout: costed, printed and searched, so that a layout's cost is garbage once its
  // entry is made (a report of thousands of layouts does not hold every cost at once).
  for (const layout of analysis.layouts) {
    if (want && !want.has(layout.name)) continue;
    const cost = analysis.costs?.get(layout.name) ?? costOf(layout);
    const configuration = configurationKey(layout);
    let f = figures.get(configuration);
    if (!f) figures.set(configuration, (f = configurationJson(layout, cost)));
    entries.push({ start: layout.decl.start ?? 0, json: entryJson(layout, cost, f) });
    findings.add(layout, cost);
  }
  for (const u of analysis.uncostable) if (!want || want.has(u.name)) entries.push({ start: u.decl.start ?? 0, json: uncostableJson(u) });
  entries.sort((a, b) => a.start - b.start);
  const index = analysis.lineIndex ?? new LineIndex(analysis.source.text);
  return {
    version: REPORT_JSON_VERSION,
    file: opts.file ?? analysis.source.uri,
    diagnostics: findings.diagnostics().map((d) => diagnosticJson(d, index)),
    layouts: entries.map((e) => e.json),
  };
}
