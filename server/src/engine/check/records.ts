// Records: hardware, mesh, model and workload declarations, their fields, their `= base`
// inheritance, and the defaults of spec/language.md §2. Field diagnostics are reported once per
// written field (not once per use), by `readFields`.

import type { Decl, Field, Ident, RecordDecl, RecordKind, SourceFile, Span } from '../syntax/ast';
import type { DiagnosticCode, QuickFix, RelatedInfo } from '../diagnostics';
import { fieldSpec, MEASURED_FIELDS, PHASE_FIELDS, similarFields, type FieldSpec } from './schema';
import { similarNames } from './similarNames';
import { evalQuantity } from './units';
import { followBaseChain, type ResolvedBase } from './baseChain';
import { activeExpertParamsDelta } from './moe';
import { FFN_MATRICES, NOMINAL_CALIBRATION, type Dtype, type HardwareSpec, type MeshAxis, type MeshSettings, type MeshSpec, type ModelSpec, type Topology, type WorkloadSpec } from './resolved';

/** Records a use of a name and the declaration it resolves to. */
export type OnRef = (use: Ident, source: SourceFile, target: Decl) => void;

export type Report = (code: DiagnosticCode, source: SourceFile, span: Span, message: string, fixes?: QuickFix[], related?: RelatedInfo[], severity?: 'error' | 'warning' | 'information' | 'hint') => void;

/** One field's checked value. */
export interface FieldValue {
  num?: number;
  str?: string;
  field: Field;
  source: SourceFile;
  /** The field was written but its value is wrong (already reported): present, with no value. */
  invalid?: boolean;
}

export type FieldMap = Map<string, FieldValue>;

/** "ffn, attention, batch, prompt and generate". */
const PHASE_FIELD_LIST = PHASE_FIELDS.map((f) => f.name).join(', ').replace(/, (?=[^,]*$)/, ' and ');

/**
 * Check the fields of one record body against its kind and return the valid values. Layout fields
 * that name things (model, mesh, blocks, phases) are returned with `str` set and checked later.
 */
export function readFields(kind: RecordKind, fields: Field[], source: SourceFile, report: Report, options: { phase?: boolean; measured?: boolean } = {}): FieldMap {
  const out: FieldMap = new Map();
  for (const f of fields) {
    const name = f.name.text;
    let spec: FieldSpec | undefined = fieldSpec(kind, name);
    // A phase's fields are checked as the layout's or workload's field of that name.
    if (options.phase) spec = PHASE_FIELDS.some((p) => p.name === name) ? (fieldSpec('layout', name) ?? fieldSpec('workload', name)) : undefined;
    if (options.measured) spec = MEASURED_FIELDS.find((m) => m.name === name);
    if (!spec) {
      const similar = options.phase || options.measured ? [] : similarFields(kind, name);
      const owner = options.phase
        ? `a phase (\`prefill { }\` / \`decode { }\`) takes ${PHASE_FIELD_LIST}`
        : options.measured
          ? `\`measured { }\` takes ${MEASURED_FIELDS.map((m) => m.name).join(', ')}`
          : `${kind} has no field \`${name}\``;
      const fixes: QuickFix[] = similar.map((s) => ({ title: `Change to \`${s}\``, edits: [{ span: f.name, newText: s }] }));
      report('unknown-field', source, f.name, options.phase || options.measured ? `unknown field \`${name}\`: ${owner}` : `${owner}${similar.length ? `; did you mean ${similar.map((s) => `\`${s}\``).join(' or ')}?` : ''}`, fixes);
      continue;
    }
    if (out.has(name)) {
      report('duplicate-name', source, f.name, `field \`${name}\` is given twice; the first one stays in effect`, undefined, [{ source, span: out.get(name)!.field.name, message: 'first given here' }]);
      continue;
    }
    const v = readValue(spec, f, source, report);
    out.set(name, v ?? { field: f, source, invalid: true });
  }
  return out;
}

function readValue(spec: FieldSpec, f: Field, source: SourceFile, report: Report): FieldValue | undefined {
  const value = f.value;
  const name = f.name.text;
  if (value.kind === 'missing') return undefined;
  switch (spec.type.type) {
    case 'quantity': {
      if (value.kind !== 'number') {
        report('unit', source, value, `\`${name}\` takes a number, like \`${name} = ${spec.example}\``);
        return undefined;
      }
      const r = evalQuantity(value.value, value.unit?.text, spec.type.kind, name);
      if (r.error) {
        const fixes: QuickFix[] = (r.fixes ?? []).map((u, i) => ({ title: `Change the unit to \`${u}\``, edits: [{ span: value.unit ?? { start: value.end, end: value.end }, newText: u }], preferred: i === 0 }));
        report('unit', source, value, r.error, fixes);
        return undefined;
      }
      return { num: r.value, field: f, source };
    }
    case 'enum': {
      const values = spec.type.values;
      if (value.kind !== 'name' || !values.includes(value.name.text) || value.overrides) {
        const fixes: QuickFix[] = values.map((v) => ({ title: `Change to \`${v}\``, edits: [{ span: value, newText: v }] }));
        report('bad-value', source, value, `\`${name}\` is one of ${values.map((v) => `\`${v}\``).join(', ')}`, fixes);
        return undefined;
      }
      return { str: value.name.text, field: f, source };
    }
    case 'axes': {
      if (value.kind !== 'name' || !/^[a-z]+$/.test(value.name.text)) {
        report('bad-value', source, value, `\`${name}\` takes axis letters written together (\`xyz\`) or \`none\``);
        return undefined;
      }
      return { str: value.name.text, field: f, source };
    }
    case 'ref':
    case 'block':
    case 'phase':
      // Checked by the layout resolver, which knows the scope.
      return { field: f, source, str: value.kind === 'name' ? value.name.text : undefined };
  }
}

// ---------------------------------------------------------------------------------------------
// Scope

export interface RecordScope {
  hardware: Map<string, RecordDecl>;
  mesh: Map<string, RecordDecl>;
  model: Map<string, RecordDecl>;
  workload: Map<string, RecordDecl>;
  layout: Map<string, RecordDecl>;
}

/** Per-declaration checked fields, computed once. */
export class RecordFields {
  private readonly cache = new Map<RecordDecl, FieldMap>();
  /**
   * Merged base chains that resolved, with their length: a layout file names the same model and
   * workload hundreds of times. Callers copy a merged map before changing it.
   */
  readonly merged = new Map<RecordDecl, ResolvedBase<FieldMap>>();
  constructor(private readonly report: Report) {}

  of(decl: RecordDecl): FieldMap {
    let m = this.cache.get(decl);
    if (!m) {
      // Prelude diagnostics are not shown to users (the prelude is checked by tests).
      m = readFields(decl.kind, decl.fields, decl.source, this.report);
      this.cache.set(decl, m);
    }
    return m;
  }
}

/**
 * A hardware, model or workload with its base chain merged: base fields first, then own fields.
 * Cycles and unknown bases are reported on the base name (baseChain.ts).
 */
export function mergedFields(
  decl: RecordDecl,
  scope: RecordScope,
  fields: RecordFields,
  report: Report,
  onRef: OnRef,
): FieldMap | undefined {
  // A layout file names the same model and workload hundreds of times: a chain merged before is
  // returned as it is (a stored chain is never longer than the limit).
  const known = fields.merged.get(decl);
  if (known) return known.value;
  const chain = followBaseChain<FieldMap>(
    decl,
    {
      next: (d) => {
        if (!d.base) return 'end';
        const base = lookupRecord(scope, d.kind, d.base.text, d);
        if (!base) report('unknown-name', d.source, d.base, unknownMessage(d.kind, d.base.text, scope));
        else onRef(d.base, d.source, base);
        return base;
      },
      known: (d) => fields.merged.get(d),
    },
    report,
  );
  if (!chain) return undefined;
  let merged: FieldMap = chain.below?.value ?? new Map();
  let depth = chain.below?.depth ?? 0;
  for (let i = chain.decls.length - 1; i >= 0; i--) {
    const d = chain.decls[i];
    merged = new Map(merged);
    for (const [k, v] of fields.of(d)) merged.set(k, v);
    fields.merged.set(d, { value: merged, depth: ++depth });
  }
  return merged;
}

/** Find a record by name; a declaration never resolves its own name to itself when shadowing. */
export function lookupRecord(scope: RecordScope, kind: RecordKind, name: string, from?: RecordDecl): RecordDecl | undefined {
  const d = scope[kind].get(name);
  if (d && d === from) return undefined;
  return d;
}

export function unknownMessage(kind: string, name: string, scope: RecordScope | undefined): string {
  const names = scope ? [...(scope as unknown as Record<string, Map<string, unknown>>)[kind]?.keys() ?? []] : [];
  const close = similarNames(name, names);
  return `no ${kind} named \`${name}\`${close.length ? `; did you mean ${close.map((c) => `\`${c}\``).join(' or ')}?` : ''}`;
}

// ---------------------------------------------------------------------------------------------
// Building specs from merged fields

function num(m: FieldMap, k: string): number | undefined {
  return m.get(k)?.num;
}
function str(m: FieldMap, k: string): string | undefined {
  return m.get(k)?.str;
}

export function buildHardware(name: string, m: FieldMap, origin?: { source: SourceFile; span: Span }): HardwareSpec | undefined {
  const flops = num(m, 'flops');
  const hbm = num(m, 'hbm');
  const hbm_bw = num(m, 'hbm_bw');
  const link_bw = num(m, 'link_bw');
  if (flops === undefined || hbm === undefined || hbm_bw === undefined || link_bw === undefined) return undefined;
  const extra: Record<string, number> = {};
  for (const k of ['matmul_knee', 'price']) {
    const v = num(m, k);
    if (v !== undefined) extra[k] = v;
  }
  return {
    name,
    flops,
    hbm,
    hbm_bw,
    link_bw,
    topology: (str(m, 'topology') as Topology) ?? 'torus',
    flops_eff: num(m, 'flops_eff') ?? NOMINAL_CALIBRATION.flops_eff,
    hbm_eff: num(m, 'hbm_eff') ?? NOMINAL_CALIBRATION.hbm_eff,
    link_eff: num(m, 'link_eff') ?? NOMINAL_CALIBRATION.link_eff,
    collective_latency: num(m, 'collective_latency') ?? NOMINAL_CALIBRATION.collective_latency,
    op_overhead: num(m, 'op_overhead') ?? NOMINAL_CALIBRATION.op_overhead,
    overlap_fraction: num(m, 'overlap_fraction') ?? NOMINAL_CALIBRATION.overlap_fraction,
    scaleup_domain: num(m, 'scaleup_domain'),
    scaleout_bw: num(m, 'scaleout_bw'),
    scaleout_latency: num(m, 'scaleout_latency'),
    extra,
    origin,
  };
}

export function countParams(layers: number, E: number, F: number, H: number, K: number, Q: number, V: number, ffn: 'gelu' | 'swiglu', tied: boolean, mla?: { A: number; C: number; R: number }): number {
  const m = FFN_MATRICES[ffn];
  return layers * (m * E * F + attentionParams(E, H, K, Q, mla)) + V * E * (tied ? 1 : 2);
}

/**
 * One layer's attention weights: w_q, w_k, w_v, w_o; with MLA (C > 0) the low-rank ones of
 * prelude/mla.shard: w_dq E·A, w_uq A·H·Q, w_qr A·H·R, w_dkv E·C, w_kr E·R, w_uk and w_uv C·H·Q, w_o H·Q·E.
 */
export function attentionParams(E: number, H: number, K: number, Q: number, mla?: { A: number; C: number; R: number }): number {
  if (!mla || mla.C <= 0) return 2 * E * H * Q + 2 * E * K * Q;
  const { A, C, R } = mla;
  return E * A + A * H * (Q + R) + E * (C + R) + 2 * C * H * Q + H * Q * E;
}

export function buildModel(name: string, m: FieldMap, origin?: { source: SourceFile; span: Span }): ModelSpec | undefined {
  const layers = num(m, 'layers');
  const E = num(m, 'E');
  const F = num(m, 'F');
  const H = num(m, 'H');
  const Q = num(m, 'Q');
  const V = num(m, 'V');
  if (layers === undefined || E === undefined || F === undefined || H === undefined || Q === undefined || V === undefined) return undefined;
  const K = num(m, 'K') ?? H;
  const ffn = (str(m, 'ffn') as 'gelu' | 'swiglu') ?? 'gelu';
  const tied = (str(m, 'tied_embeddings') ?? 'true') === 'true';
  const given = num(m, 'params');
  const A = num(m, 'A') ?? 0;
  const C = num(m, 'C') ?? 0;
  const R = num(m, 'R') ?? 0;
  const window = num(m, 'window');
  // Mixture of experts: X routed experts of width G (default F), top_k per token, shared experts.
  const X = num(m, 'X') ?? 1;
  const G = num(m, 'G') ?? F;
  const top_k = Math.min(num(m, 'top_k') ?? 1, X);
  const S = (num(m, 'shared_experts') ?? 0) * G;
  // DeepSeek-V3's first layers: a dense FFN of width F where the rest have experts (X > 1 only).
  const dense = X > 1 ? Math.min(layers, num(m, 'dense_layers') ?? 0) : 0;
  const expertWeights = str(m, 'expert_weights') as Dtype | undefined;
  const counted = countParams(layers, E, F, H, K, Q, V, ffn, tied, { A, C, R });
  return {
    name,
    layers,
    dims: { E, F, H, K, Q, V, A, C, R, X, G, S, top_k },
    ffn,
    block: (str(m, 'block') as 'serial' | 'parallel') ?? 'serial',
    weights: (str(m, 'weights') as Dtype) ?? 'bf16',
    kv: (str(m, 'kv') as Dtype) ?? 'bf16',
    params: given ?? (X > 1 ? counted + activeExpertParamsDelta(layers - dense, E, F, FFN_MATRICES[ffn], { X, G, S, top_k }) : counted),
    paramsGiven: given !== undefined,
    tied_embeddings: tied,
    // A window with no `local_layers` applies to every layer.
    ...(window !== undefined && window > 0 ? { window, local_layers: Math.min(layers, num(m, 'local_layers') ?? layers) } : {}),
    ...(dense > 0 ? { dense_layers: dense } : {}),
    ...(expertWeights !== undefined && X > 1 ? { expert_weights: expertWeights } : {}),
    origin,
  };
}

export function buildWorkload(m: FieldMap): WorkloadSpec | undefined {
  const batch = num(m, 'batch');
  const prompt = num(m, 'prompt');
  const generate = num(m, 'generate');
  if (batch === undefined || prompt === undefined || generate === undefined) return undefined;
  const capacity = num(m, 'capacity_factor');
  return capacity === undefined ? { batch, prompt, generate } : { batch, prompt, generate, capacity_factor: capacity };
}

/** The mesh fields that are settings rather than axis sizes (MeshSettings). */
const MESH_SETTING = /^(?:(?:link_bw|topology)(?:_[a-z])?|wrap)$/;

/** What a mesh's fields declare besides its axis sizes, as plain values. */
export function meshSettingsOf(m: FieldMap): MeshSettings {
  const out: Record<string, number | string> = {};
  for (const [k, v] of m) {
    const value = v.num ?? v.str;
    if (MESH_SETTING.test(k) && value !== undefined) out[k] = value;
  }
  return out;
}

/** Mesh axes from an ordered list of (axis, size) and per-axis overrides (spec §2). */
export function buildMesh(
  name: string,
  hardware: HardwareSpec,
  axisSizes: [string, number][],
  m: FieldMap,
  origin?: { source: SourceFile; span: Span },
): MeshSpec {
  return meshFromSettings(name, hardware, axisSizes, meshSettingsOf(m), origin);
}

/**
 * A mesh from its axis sizes, in order, and its declared settings. On hardware with a
 * `scaleup_domain` the axes are laid on the network tiers innermost (first) axis first: an axis
 * whose chips, with those of the axes before it, fit in one scale-up domain uses the hardware's
 * link (`link_bw`, `topology`, or the mesh's own `link_bw`/`topology`); an axis wholly outside
 * uses the scale-out network (`scaleout_bw` through a switch, each step `scaleout_latency`
 * longer); an axis that starts inside a domain and leaves it spans both (a hierarchical
 * collective, cost-model.md). `link_bw_AXIS` / `topology_AXIS` always win for their axis.
 */
export function meshFromSettings(
  name: string,
  hardware: HardwareSpec,
  axisSizes: [string, number][],
  settings: MeshSettings,
  origin?: { source: SourceFile; span: Span },
): MeshSpec {
  const order = axisSizes.map(([a]) => a);
  for (const std of ['x', 'y', 'z']) if (!order.includes(std)) axisSizes.push([std, 1]);
  const setting = (k: string) => settings[k];
  const wrapField = setting('wrap') as string | undefined;
  const allMultiplesOf4 = axisSizes.every(([, s]) => s % 4 === 0);
  const wraps = (axis: string) => (wrapField === undefined ? allMultiplesOf4 : wrapField !== 'none' && wrapField.includes(axis));
  const upLink = (setting('link_bw') as number | undefined) ?? hardware.link_bw;
  const upTopology = (setting('topology') as Topology | undefined) ?? hardware.topology;
  const domain = hardware.scaleup_domain;
  const outBw = hardware.scaleout_bw;
  const tiered = domain !== undefined && outBw !== undefined;
  let inner = 1;
  const axes: MeshAxis[] = axisSizes.map(([a, size]) => {
    const ownLink = setting(`link_bw_${a}`) as number | undefined;
    const ownTopology = setting(`topology_${a}`) as Topology | undefined;
    const axis: MeshAxis = { name: a, size, link_bw: ownLink ?? upLink, topology: ownTopology ?? upTopology, wrap: wraps(a) };
    if (!tiered || size === 1) return axis;
    const before = inner;
    inner *= size;
    if (inner <= domain) {
      axis.tier = 'scale-up';
      return axis;
    }
    axis.tier = before >= domain ? 'scale-out' : 'spans';
    axis.latency = hardware.scaleout_latency ?? 0;
    if (ownLink === undefined) axis.link_bw = outBw;
    if (ownTopology === undefined) axis.topology = 'switch';
    // Inside the domain the axis has domain/before chips in a row, when that splits it evenly.
    const part = domain / before;
    if (axis.tier === 'spans' && ownLink === undefined && ownTopology === undefined && Number.isInteger(part) && size % part === 0) {
      axis.scaleUp = { size: part, link_bw: upLink, topology: upTopology };
    } else if (axis.tier === 'spans') axis.tier = 'scale-out';
    return axis;
  });
  return { name, hardware, axes, chips: axes.reduce((p, a) => p * a.size, 1), settings, origin };
}
