// The checker: name resolution over the file and the prelude, record fields, block typing, and
// layout resolution with the layout-dependent checks (axes, sizes, residual stream).
// It produces diagnostics and the ResolvedLayouts that the cost model reads.

import type { BlockDecl, Decl, Field, File, Ident, RecordDecl, RecordKind, SourceFile, Span, Value } from '../syntax/ast';
import { isBlockDecl } from '../syntax/ast';
import type { Diagnostic, DiagnosticCode, QuickFix, RelatedInfo, Severity } from '../diagnostics';
import { axisLetterBit, axisRefsOf, checkBlock, NOT_AN_AXIS_BIT, usageOf } from './blocks';
import {
  buildHardware,
  buildMesh,
  buildModel,
  buildWorkload,
  HARDWARE_REQUIRED,
  lookupRecord,
  mergedFields,
  MAX_BASE_CHAIN,
  MODEL_REQUIRED,
  readFields,
  RecordFields,
  unknownMessage,
  WORKLOAD_REQUIRED,
  type FieldMap,
  type RecordScope,
  type Report,
} from './records';
import type { BlockUsage, CheckedBlock, HardwareSpec, MeshSpec, ModelSpec, Phase, PhaseSpec, ResolvedLayout, UncostableLayout, WorkloadSpec } from './resolved';
import { FIELDS } from './schema';
import { formatType, typesEqual, type ShardType } from './shardType';
import { BUILTIN_FFNS } from '../prelude/index';

export interface Scope extends RecordScope {
  /** ffn, attention and unembed blocks share one namespace. */
  block: Map<string, BlockDecl>;
}

export type SymbolKind = RecordKind | 'block' | 'value';

/** A use of a name and the declaration it resolves to (go-to-definition, references, rename). */
export interface SymbolRef {
  source: SourceFile;
  span: Span;
  kind: SymbolKind;
  target: { source: SourceFile; span: Span };
}

/** Where a layout's block fields were written, for layout-dependent diagnostics and quick fixes. */
export interface LayoutFieldSpans {
  ffn: Record<Phase, Span | undefined>;
  attention: Record<Phase, Span | undefined>;
  /** The whole `ffn = …` / `attention = …` fields (top level or in the phase record). */
  ffnField: Record<Phase, Field | undefined>;
  attentionField: Record<Phase, Field | undefined>;
}

export interface CheckResult {
  diagnostics: Diagnostic[];
  layouts: ResolvedLayout[];
  uncostable: UncostableLayout[];
  blocks: Map<BlockDecl, CheckedBlock>;
  scope: Scope;
  refs: SymbolRef[];
  layoutSpans: Map<string, LayoutFieldSpans>;
  resolver: LayoutResolver;
}

const KCLASS = (model: ModelSpec) => (model.dims.K === 1 ? 'mqa' : model.dims.K === model.dims.H ? 'mha' : 'gqa');

/** The layout and phase being resolved, so that layout-dependent diagnostics carry them. */
export interface CheckContext {
  layout?: string;
  phase?: Phase;
}

export function check(files: File[], preludeBlocks?: Map<BlockDecl, CheckedBlock>): CheckResult {
  const diagnostics: Diagnostic[] = [];
  const context: CheckContext = {};
  const report: Report = (code, source, span, message, fixes, related, severity) => {
    const d: Diagnostic = { code, severity: severity ?? 'error', message, source, span, fixes: fixes?.length ? fixes : undefined, related: related?.length ? related : undefined };
    if (context.layout) d.layout = context.layout;
    if (context.phase) d.phase = context.phase;
    diagnostics.push(d);
  };
  const refs: SymbolRef[] = [];

  // 1. Scope. Earlier files (the prelude) come first; a user declaration shadows a built-in; of
  //    two declarations with one name in one file, the earlier stays in effect.
  const scope: Scope = { hardware: new Map(), mesh: new Map(), model: new Map(), workload: new Map(), layout: new Map(), block: new Map() };
  for (const file of files) {
    for (const e of file.errors) report('syntax', file.source, e, e.message);
    for (const d of file.decls) {
      const ns = isBlockDecl(d) ? scope.block : scope[d.kind];
      const prev = ns.get(d.name.text) as Decl | undefined;
      if (prev && prev.source === d.source) {
        const what = isBlockDecl(d) ? 'block' : d.kind;
        report('duplicate-name', d.source, d.name, `${what} \`${d.name.text}\` is already declared (as ${prev.kind} on line ${lineOf(prev)}); the first declaration stays in effect`, undefined, [
          { source: prev.source, span: prev.name, message: `\`${d.name.text}\` is first declared here` },
        ]);
        continue;
      }
      (ns as Map<string, Decl>).set(d.name.text, d);
    }
  }

  // 2. Blocks.
  const blocks = new Map<BlockDecl, CheckedBlock>(preludeBlocks);
  const writtenTypes = new Map<string, ShardType>();
  for (const file of files) {
    for (const d of file.decls) {
      if (!isBlockDecl(d) || blocks.has(d)) continue;
      const r = checkBlock(d, file.source.isPrelude ? undefined : writtenTypes);
      blocks.set(d, r.block);
      diagnostics.push(...r.diagnostics);
      for (const ref of r.refs) refs.push(ref);
    }
  }

  // 3. Records: every declaration's fields are checked once, used or not.
  const fields = new RecordFields(report);
  // One target object per declaration, shared by its uses (every layout names a model, a mesh…).
  const targets = new Map<Decl, SymbolRef['target']>();
  const onRef = (use: Ident, source: SourceFile, target: Decl) => {
    let t = targets.get(target);
    if (!t) targets.set(target, (t = { source: target.source, span: target.name }));
    refs.push({ source, span: use, kind: isBlockDecl(target) ? 'block' : target.kind, target: t });
  };
  const resolver = new LayoutResolver(scope, blocks, fields, report, onRef, context);
  for (const file of files) {
    for (const d of file.decls) {
      if (isBlockDecl(d)) continue;
      if (file.source.isPrelude && preludeBlocks) {
        // The prelude's records are checked by the prelude tests; here only resolve them lazily.
        continue;
      }
      resolver.checkRecordDecl(d);
    }
  }

  // 4. Layouts of the user's files.
  const layouts: ResolvedLayout[] = [];
  const uncostable: UncostableLayout[] = [];
  for (const file of files) {
    if (file.source.isPrelude) continue;
    for (const d of file.decls) {
      if (d.kind !== 'layout' || scope.layout.get(d.name.text) !== d) continue;
      const r = resolver.resolveLayout(d);
      if ('reason' in r) uncostable.push(r);
      else layouts.push(r);
    }
  }
  return { diagnostics, layouts, uncostable, blocks, scope, refs, layoutSpans: resolver.layoutSpans, resolver };
}

function lineOf(d: Decl): number {
  const text = d.source.text;
  let line = 1;
  for (let i = 0; i < d.name.start && i < text.length; i++) if (text.charCodeAt(i) === 10) line++;
  return line;
}

interface PhaseFieldMaps {
  prefill: FieldMap;
  decode: FieldMap;
}

/** Resolves records and layouts against one scope, caching what it has resolved. */
export class LayoutResolver {
  private readonly hardwareCache = new Map<RecordDecl, HardwareSpec | undefined>();
  private readonly meshCache = new Map<RecordDecl, { hardware: HardwareSpec; axes: [string, number][]; fields: FieldMap } | undefined>();
  private readonly checkedDecls = new Set<RecordDecl>();
  readonly layoutSpans = new Map<string, LayoutFieldSpans>();

  constructor(
    readonly scope: Scope,
    readonly blocks: Map<BlockDecl, CheckedBlock>,
    private readonly fields: RecordFields,
    private readonly report: Report,
    private readonly onRef: (use: Ident, source: SourceFile, target: Decl) => void,
    private readonly context: CheckContext = {},
  ) {}

  /** Field checks, base resolution and required fields of one hardware/mesh/model/workload. */
  checkRecordDecl(d: RecordDecl): void {
    if (this.checkedDecls.has(d)) return;
    this.checkedDecls.add(d);
    switch (d.kind) {
      case 'hardware':
        this.hardwareOf(d);
        break;
      case 'mesh':
        this.meshPartsOf(d);
        break;
      case 'model': {
        const m = mergedFields(d, this.scope, this.fields, this.report, this.onRef);
        if (m) this.requireFields(d.source, d.name, m, MODEL_REQUIRED, 'model', d.name.text);
        break;
      }
      case 'workload': {
        const m = mergedFields(d, this.scope, this.fields, this.report, this.onRef);
        if (m) this.requireFields(d.source, d.name, m, WORKLOAD_REQUIRED, 'workload', d.name.text);
        break;
      }
      case 'layout':
        // Resolved separately (resolveLayout); its fields are read there.
        break;
    }
  }

  private requireFields(source: SourceFile, at: Span, m: FieldMap, required: string[], kind: RecordKind, name: string): boolean {
    const missing = required.filter((r) => !m.has(r));
    if (!missing.length) return true;
    const specs = FIELDS[kind];
    const example = missing.map((f) => `${f} = ${specs.find((s) => s.name === f)?.example ?? '…'}`).join(', ');
    this.report('missing-field', source, at, `${kind} ${name} is missing ${missing.map((f) => `\`${f}\``).join(', ')} (e.g. ${example})`, []);
    return false;
  }

  hardwareOf(d: RecordDecl): HardwareSpec | undefined {
    if (this.hardwareCache.has(d)) return this.hardwareCache.get(d);
    this.hardwareCache.set(d, undefined);
    const m = mergedFields(d, this.scope, this.fields, this.report, this.onRef);
    let spec: HardwareSpec | undefined;
    if (m && this.requireFields(d.source, d.name, m, HARDWARE_REQUIRED, 'hardware', d.name.text)) spec = buildHardware(d.name.text, m, { source: d.source, span: d.name });
    this.hardwareCache.set(d, spec);
    return spec;
  }

  /** A mesh's hardware, ordered axis sizes and field overrides, following its base chain. */
  meshPartsOf(d: RecordDecl, seen = new Set<RecordDecl>()): { hardware: HardwareSpec; axes: [string, number][]; fields: FieldMap } | undefined {
    if (this.meshCache.has(d)) return this.meshCache.get(d);
    if (seen.has(d)) {
      this.report('bad-value', d.source, d.base ?? d.name, `mesh ${d.name.text} starts from itself`);
      return undefined;
    }
    seen.add(d);
    if (seen.size > MAX_BASE_CHAIN) {
      const root = seen.values().next().value as RecordDecl;
      this.report('limit', root.source, root.base ?? root.name, `mesh ${root.name.text} starts from a chain of more than ${MAX_BASE_CHAIN} meshes; shorten the chain`);
      return undefined;
    }
    this.meshCache.set(d, undefined);
    const own = this.fields.of(d);
    const parts = this.meshFrom(d.base, d.source, own, `mesh ${d.name.text}`, d.name, seen, d);
    this.meshCache.set(d, parts);
    return parts;
  }

  private meshFrom(
    base: Ident | undefined,
    source: SourceFile,
    own: FieldMap,
    what: string,
    at: Span,
    seen: Set<RecordDecl>,
    self?: RecordDecl,
  ): { hardware: HardwareSpec; axes: [string, number][]; fields: FieldMap } | undefined {
    if (!base) {
      this.report('missing-field', source, at, `${what} needs a hardware to run on: write \`= tpu_v4 { x = 4, y = 4, z = 4 }\``);
      return undefined;
    }
    let hardware: HardwareSpec | undefined;
    let axes: [string, number][] = [];
    let fields: FieldMap = new Map();
    const meshBase = lookupRecord(this.scope, 'mesh', base.text, self);
    const hwBase = this.scope.hardware.get(base.text);
    if (meshBase) {
      this.onRef(base, source, meshBase);
      const p = this.meshPartsOf(meshBase, seen);
      if (!p) return undefined;
      hardware = p.hardware;
      axes = p.axes.map(([a, s]) => [a, s] as [string, number]);
      fields = new Map(p.fields);
    } else if (hwBase) {
      this.onRef(base, source, hwBase);
      hardware = this.hardwareOf(hwBase);
      if (!hardware) return undefined;
    } else {
      this.report('unknown-name', source, base, `no hardware or mesh named \`${base.text}\`${unknownMessage('hardware', base.text, this.scope).replace(/^no hardware named `[^`]*`/, '')}`);
      return undefined;
    }
    const wrap = own.get('wrap');
    if (wrap?.str && wrap.str !== 'none') {
      const known = new Set([...axes.map(([a]) => a), ...[...own.keys()].filter((k) => /^[a-z]$/.test(k)), 'x', 'y', 'z']);
      for (const ch of wrap.str) {
        if (!known.has(ch)) this.report('unknown-axis', source, wrap.field.value, `\`wrap\` names axis \`${ch}\`, which ${what} does not have (its axes are ${[...known].join('')})`);
      }
    }
    for (const [k, v] of own) {
      if (v.invalid) return undefined; // reported where it is written
      if (/^[a-z]$/.test(k)) {
        const i = axes.findIndex(([a]) => a === k);
        if (i >= 0) axes[i] = [k, v.num!];
        else axes.push([k, v.num!]);
      } else fields.set(k, v);
    }
    return { hardware, axes, fields };
  }

  private readonly meshSpecs = new Map<RecordDecl, MeshSpec | undefined>();

  /** A declared mesh, built once per check (specs are never changed once built). */
  meshOf(d: RecordDecl): MeshSpec | undefined {
    if (this.meshSpecs.has(d)) return this.meshSpecs.get(d);
    const p = this.meshPartsOf(d);
    const spec = p ? buildMesh(d.name.text, p.hardware, [...p.axes], p.fields, { source: d.source, span: d.name }) : undefined;
    this.meshSpecs.set(d, spec);
    return spec;
  }

  // ------------------------------------------------------------------------------------------
  // Layouts

  /** Merged layout fields along the `= base` chain; phase records merge per field. */
  private layoutFields(d: RecordDecl, seen = new Set<RecordDecl>()): { top: FieldMap; phases: PhaseFieldMaps; measured: FieldMap } | undefined {
    if (seen.has(d)) {
      this.report('bad-value', d.source, d.base ?? d.name, `layout ${d.name.text} starts from itself`);
      return undefined;
    }
    seen.add(d);
    if (seen.size > MAX_BASE_CHAIN) {
      const root = seen.values().next().value as RecordDecl;
      this.report('limit', root.source, root.base ?? root.name, `layout ${root.name.text} starts from a chain of more than ${MAX_BASE_CHAIN} layouts; shorten the chain`);
      return undefined;
    }
    let top: FieldMap = new Map();
    let phases: PhaseFieldMaps = { prefill: new Map(), decode: new Map() };
    // Measured results describe one configuration: a derived layout does not inherit them.
    const measured: FieldMap = new Map();
    if (d.base) {
      const base = lookupRecord(this.scope, 'layout', d.base.text, d);
      if (!base) {
        this.report('unknown-name', d.source, d.base, unknownMessage('layout', d.base.text, this.scope));
        return undefined;
      }
      this.onRef(d.base, d.source, base);
      const b = this.layoutFields(base, seen);
      if (!b) return undefined;
      top = new Map(b.top);
      top.delete('measured');
      phases = { prefill: new Map(b.phases.prefill), decode: new Map(b.phases.decode) };
    }
    const own = this.fields.of(d);
    for (const [k, v] of own) {
      if (k === 'measured') {
        const value = v.field.value;
        if (value.kind !== 'record') {
          this.report('bad-value', d.source, value, '`measured` takes a block of results: `measured { prefill = 0.29 s, decode = 1.82 s }`');
          continue;
        }
        top.set(k, v);
        readFields('layout', value.fields, d.source, this.report, { measured: true }).forEach((mv, mk) => measured.set(mk, mv));
        continue;
      }
      if (k === 'prefill' || k === 'decode') {
        const value = v.field.value;
        if (value.kind !== 'record') {
          this.report('bad-value', d.source, value, `\`${k}\` takes a block of overrides: \`${k} { ffn = ws2d, attention = batch }\``);
          continue;
        }
        const pm = readFields('layout', value.fields, d.source, this.report, { phase: true });
        for (const [pk, pv] of pm) phases[k].set(pk, pv);
      } else top.set(k, v);
    }
    return { top, phases, measured };
  }

  resolveLayout(d: RecordDecl): ResolvedLayout | UncostableLayout {
    this.context.layout = d.name.text;
    try {
      return this.resolveLayoutIn(d);
    } finally {
      this.context.layout = undefined;
      this.context.phase = undefined;
    }
  }

  private resolveLayoutIn(d: RecordDecl): ResolvedLayout | UncostableLayout {
    const fail = (reason: string, extra: Partial<UncostableLayout> = {}): UncostableLayout => ({ name: d.name.text, decl: d, reason, ...extra });
    const lf = this.layoutFields(d);
    if (!lf) return fail('its base layout could not be resolved');
    const { top, phases, measured } = lf;
    const missing = ['model', 'mesh', 'workload'].filter((k) => !top.has(k));
    for (const blockField of ['ffn', 'attention']) {
      if (!top.has(blockField) && !(phases.prefill.has(blockField) && phases.decode.has(blockField))) missing.push(blockField);
    }
    if (missing.length) {
      const specs = FIELDS.layout;
      this.report('missing-field', d.source, d.name, `layout ${d.name.text} is missing ${missing.map((m) => `\`${m}\``).join(', ')} (e.g. ${missing.map((m) => `${m} = ${specs.find((s) => s.name === m)!.example}`).join(', ')})`);
    }
    const model = top.has('model') ? this.modelValue(top.get('model')!.field, d.source) : undefined;
    const mesh = top.has('mesh') ? this.meshValue(top.get('mesh')!.field, d.source) : undefined;
    const workload = top.has('workload') ? this.workloadValue(top.get('workload')!.field, d.source) : undefined;
    const names = { model: model?.name, mesh: mesh?.name };
    if (!model || !mesh || !workload) return fail(!model ? 'its model could not be resolved' : !mesh ? 'its mesh could not be resolved' : 'its workload could not be resolved', names);

    const spans: LayoutFieldSpans = { ffn: { prefill: undefined, decode: undefined }, attention: { prefill: undefined, decode: undefined }, ffnField: { prefill: undefined, decode: undefined }, attentionField: { prefill: undefined, decode: undefined } };
    this.layoutSpans.set(d.name.text, spans);
    const phaseSpecs: Partial<Record<Phase, PhaseSpec>> = {};
    let blockProblem: string | undefined;
    for (const phase of ['prefill', 'decode'] as Phase[]) {
      const pm = phases[phase];
      const ffnField = (pm.get('ffn') ?? top.get('ffn'))?.field;
      const attField = (pm.get('attention') ?? top.get('attention'))?.field;
      spans.ffn[phase] = ffnField?.value;
      spans.attention[phase] = attField?.value;
      spans.ffnField[phase] = ffnField;
      spans.attentionField[phase] = attField;
      const wl: WorkloadSpec = {
        batch: pm.get('batch')?.num ?? workload.batch,
        prompt: pm.get('prompt')?.num ?? workload.prompt,
        generate: pm.get('generate')?.num ?? workload.generate,
      };
      if (!ffnField || !attField) {
        blockProblem ??= `no ffn or attention for ${phase}`;
        continue;
      }
      this.context.phase = phase;
      const ps = this.phaseBlocks(d, phase, model, mesh, wl, ffnField, attField, top.get('unembed')?.field);
      this.context.phase = undefined;
      if (typeof ps === 'string') blockProblem ??= ps;
      else phaseSpecs[phase] = ps;
    }
    if (blockProblem || !phaseSpecs.prefill || !phaseSpecs.decode) return fail(blockProblem ?? 'its blocks could not be resolved', names);
    const overlap = (top.get('overlap')?.str as 'none' | 'collective_einsum' | undefined) ?? 'none';
    return {
      name: d.name.text,
      decl: d,
      model,
      mesh,
      workload,
      prefill: phaseSpecs.prefill,
      decode: phaseSpecs.decode,
      unembed: phaseSpecs.decode.unembed,
      overlap,
      kvBudget: top.get('kv_budget')?.num,
      measured: measured.size
        ? {
            prefill_s: measured.get('prefill')?.num,
            decode_s: measured.get('decode')?.num,
            decode_step_s: measured.get('decode_step')?.num,
            prefill_mfu: measured.get('prefill_mfu')?.num,
            decode_mfu: measured.get('decode_mfu')?.num,
            source: measured.get('source')?.str as 'paper' | 'measured' | undefined,
          }
        : undefined,
    };
  }

  private modelValue(f: Field, source: SourceFile): ModelSpec | undefined {
    const v = f.value;
    let m: FieldMap | undefined;
    let name = 'model';
    let decl: RecordDecl | undefined;
    if (v.kind === 'name') {
      decl = this.scope.model.get(v.name.text);
      if (!decl) {
        this.report('unknown-name', source, v.name, unknownMessage('model', v.name.text, this.scope));
        return undefined;
      }
      this.onRef(v.name, source, decl);
      m = mergedFields(decl, this.scope, this.fields, this.report, this.onRef);
      if (!m) return undefined;
      name = v.name.text;
      // A declared model's missing fields are reported on its declaration, not at every use.
      if (!v.overrides && !MODEL_REQUIRED.every((r) => m!.has(r))) return undefined;
      if (v.overrides) {
        m = new Map(m);
        for (const [k, fv] of readFields('model', v.overrides, source, this.report)) m.set(k, fv);
      }
    } else if (v.kind === 'record') {
      m = readFields('model', v.fields, source, this.report);
    } else {
      if (v.kind === 'number') this.report('bad-value', source, v, '`model` takes a model name or `{ fields }`');
      return undefined;
    }
    if (!this.requireFields(source, decl && v.kind === 'name' && !v.overrides ? v.name : f.name, m, MODEL_REQUIRED, 'model', name)) return undefined;
    // A declared model used as it is is built once per check (specs are never changed once built).
    const plain = decl && v.kind === 'name' && !v.overrides;
    if (plain && this.modelSpecs.has(decl!)) return this.modelSpecs.get(decl!);
    const spec = buildModel(name, m, decl ? { source: decl.source, span: decl.name } : { source, span: f.name });
    if (plain) this.modelSpecs.set(decl!, spec);
    return spec;
  }

  private readonly modelSpecs = new Map<RecordDecl, ModelSpec | undefined>();

  private meshValue(f: Field, source: SourceFile): MeshSpec | undefined {
    const v = f.value;
    if (v.kind === 'name') {
      const decl = this.scope.mesh.get(v.name.text);
      if (decl && !v.overrides) {
        this.onRef(v.name, source, decl);
        return this.meshOf(decl);
      }
      // `mesh = pod64 { z = 2 }` or `mesh = tpu_v4 { x = 4, y = 4 }`.
      const own = readFields('mesh', v.overrides ?? [], source, this.report);
      if (!decl && !this.scope.hardware.has(v.name.text)) {
        this.report('unknown-name', source, v.name, `no mesh or hardware named \`${v.name.text}\`${unknownMessage('mesh', v.name.text, this.scope).replace(/^no mesh named `[^`]*`/, '')}`);
        return undefined;
      }
      const p = this.meshFrom(v.name, source, own, 'the mesh', f.name, new Set());
      return p ? buildMesh(v.name.text, p.hardware, [...p.axes], p.fields, { source, span: f.name }) : undefined;
    }
    if (v.kind === 'record') {
      this.report('missing-field', source, f.name, 'an inline mesh starts from a hardware or another mesh: write `mesh = tpu_v4 { x = 4, y = 4, z = 4 }`');
      return undefined;
    }
    if (v.kind === 'number') this.report('bad-value', source, v, '`mesh` takes a mesh name');
    return undefined;
  }

  private workloadValue(f: Field, source: SourceFile): WorkloadSpec | undefined {
    const v = f.value;
    let m: FieldMap | undefined;
    if (v.kind === 'name') {
      const decl = this.scope.workload.get(v.name.text);
      if (!decl) {
        this.report('unknown-name', source, v.name, unknownMessage('workload', v.name.text, this.scope));
        return undefined;
      }
      this.onRef(v.name, source, decl);
      m = mergedFields(decl, this.scope, this.fields, this.report, this.onRef);
      if (!m) return undefined;
      if (v.overrides) {
        m = new Map(m);
        for (const [k, fv] of readFields('workload', v.overrides, source, this.report)) m.set(k, fv);
      } else if (!WORKLOAD_REQUIRED.every((r) => m!.has(r))) return undefined; // reported on the declaration
    } else if (v.kind === 'record') {
      m = readFields('workload', v.fields, source, this.report);
    } else {
      if (v.kind === 'number') this.report('bad-value', source, v, '`workload` takes a workload name or `{ batch = …, prompt = …, generate = … }`');
      return undefined;
    }
    if (!this.requireFields(source, f.name, m, WORKLOAD_REQUIRED, 'workload', v.kind === 'name' ? v.name.text : 'workload')) return undefined;
    return buildWorkload(m);
  }

  /** The block a layout names for a phase, with the built-in name conventions of spec §5. */
  findBlocks(
    model: ModelSpec,
    ffnName: string,
    attName: string,
  ): { ffn?: BlockDecl; attention?: BlockDecl | null; ffnError?: string; attentionError?: string } {
    const out: { ffn?: BlockDecl; attention?: BlockDecl | null; ffnError?: string; attentionError?: string } = {};
    let ffn = this.scope.block.get(ffnName);
    if (!ffn) out.ffnError = `no ffn block named \`${ffnName}\`; the built-in ones are ${BUILTIN_FFNS.join(', ')}`;
    else if (ffn.kind !== 'ffn') out.ffnError = `\`${ffnName}\` is ${ffn.kind === 'attention' ? 'an attention' : 'an unembed'} block, not an ffn block`;
    else {
      // A built-in ffn name stands for its swiglu variant on a swiglu model.
      if (ffn.source.isPrelude && model.ffn === 'swiglu') {
        const sw = this.scope.block.get(`${ffnName}_swiglu`);
        if (sw && sw.kind === 'ffn' && sw.source.isPrelude) ffn = sw;
      }
      out.ffn = ffn;
    }
    if (attName === 'none') {
      out.attention = null;
      return out;
    }
    const kclass = KCLASS(model);
    const family = attName === 'heads' || attName === 'batch' ? `${ffnName}_${attName}` : attName;
    const exact = this.scope.block.get(family);
    const member = this.scope.block.get(`${family}_${kclass}`);
    if (attName !== family && !exact && !member) {
      const anyMember = ['mqa', 'gqa', 'mha'].some((k) => this.scope.block.has(`${family}_${k}`));
      out.attentionError = anyMember
        ? `no \`${family}_${kclass}\`: the ${attName}-sharded attention for ${ffnName} has no member for ${kclass === 'mqa' ? 'multiquery (K = 1)' : kclass === 'mha' ? 'multihead (K = H)' : 'grouped-query'} models`
        : `${ffnName} has no ${attName}-sharded attention (\`${family}\`)${attName === 'heads' ? '; use `attention = batch`' : ''}`;
      return out;
    }
    const chosen = member && (!exact || exact.kind !== 'attention') ? member : exact;
    if (!chosen) out.attentionError = `no attention block named \`${attName}\`; use \`heads\`, \`batch\`, \`none\` or the name of an attention block`;
    else if (chosen.kind !== 'attention') out.attentionError = `\`${attName}\` is ${chosen.kind === 'ffn' ? 'an ffn' : 'an unembed'} block, not an attention block`;
    else out.attention = chosen;
    return out;
  }

  private readonly unembedLists = new Map<string, CheckedBlock[]>();

  /**
   * The unembed blocks a layout with this ffn may use by default, in order of preference: the
   * ffn's own (`NAME_unembed`), then those of the built-in ffns. Looked up once per ffn name.
   */
  private unembedCandidates(ffnName: string): CheckedBlock[] {
    let list = this.unembedLists.get(ffnName);
    if (list) return list;
    list = [];
    for (const c of [ffnName, ...BUILTIN_FFNS]) {
      const u = this.scope.block.get(`${c}_unembed`);
      if (u && u.kind === 'unembed') list.push(this.blocks.get(u)!);
    }
    this.unembedLists.set(ffnName, list);
    return list;
  }

  private phaseBlocks(
    d: RecordDecl,
    phase: Phase,
    model: ModelSpec,
    mesh: MeshSpec,
    workload: WorkloadSpec,
    ffnField: Field,
    attField: Field,
    unembedField: Field | undefined,
  ): PhaseSpec | string {
    const source = d.source;
    const nameOf = (v: Value): Ident | undefined => (v.kind === 'name' ? v.name : undefined);
    const ffnIdent = nameOf(ffnField.value);
    const attIdent = nameOf(attField.value);
    if (!ffnIdent || !attIdent) {
      const bad = !ffnIdent ? ffnField.value : attField.value;
      if (bad.kind !== 'missing') this.report('bad-value', source, bad, `\`${!ffnIdent ? 'ffn' : 'attention'}\` takes a block name`);
      return 'a block field is not a name';
    }
    const found = this.findBlocks(model, ffnIdent.text, attIdent.text);
    if (found.ffnError) this.report('unknown-name', source, ffnIdent, found.ffnError);
    else if (found.ffn) this.onRef(ffnIdent, source, found.ffn);
    if (found.attentionError) this.report('unknown-name', source, attIdent, found.attentionError);
    else if (found.attention) this.onRef(attIdent, source, found.attention);
    if (!found.ffn || found.attention === undefined) return 'its blocks could not be resolved';
    const ffn = this.blocks.get(found.ffn)!;
    const attention = found.attention ? this.blocks.get(found.attention)! : null;

    // Residual stream: attention in/out must equal the ffn's.
    let ok = true;
    if (attention && ffn.input?.type && attention.input?.type && ffn.output?.type && attention.output?.type) {
      const fin = ffn.input.type;
      if (!typesEqual(fin, attention.input.type) || !typesEqual(ffn.output.type, attention.output.type)) {
        const order = mesh.axes.map((a) => a.name);
        this.report(
          'type-mismatch',
          source,
          attIdent,
          `layout ${d.name.text}: the residual stream must agree, but ${attention.name} reads ${formatType(attention.input.type, order)} and writes ${formatType(attention.output.type, order)} while ${ffn.name} reads ${formatType(fin, order)} and writes ${formatType(ffn.output.type, order)}`,
          undefined,
          [
            { source: attention.decl.source, span: attention.decl.name, message: `${attention.name} is declared here` },
            { source: ffn.decl.source, span: ffn.decl.name, message: `${ffn.name} is declared here` },
          ],
        );
        ok = false;
      }
    }

    // Unembedding: given, or the built-in one matching the ffn's residual type.
    let unembed: CheckedBlock | null = null;
    const residual = ffn.input?.type;
    const unembedIdent = unembedField && nameOf(unembedField.value);
    if (unembedIdent) {
      const u = this.scope.block.get(unembedIdent.text);
      if (!u || u.kind !== 'unembed') {
        this.report('unknown-name', source, unembedIdent, u ? `\`${unembedIdent.text}\` is an ${u.kind} block, not an unembed block` : `no unembed block named \`${unembedIdent.text}\``);
        ok = false;
      } else {
        this.onRef(unembedIdent, source, u);
        unembed = this.blocks.get(u)!;
        const uin = unembed.input?.type;
        if (uin && residual && !typesEqual(uin, residual)) {
          const order = mesh.axes.map((a) => a.name);
          this.report('type-mismatch', source, unembedIdent, `layout ${d.name.text}: ${unembed.name} reads ${formatType(uin, order)}, but ${ffn.name}'s residual stream is ${formatType(residual, order)}`, undefined, [
            { source: unembed.decl.source, span: unembed.decl.name, message: `${unembed.name} is declared here` },
          ]);
          ok = false;
        }
      }
    } else if (residual) {
      for (const cb of this.unembedCandidates(ffnIdent.text)) {
        if (cb.input?.type && typesEqual(cb.input.type, residual)) {
          unembed = cb;
          break;
        }
      }
      if (!unembed) {
        this.report('no-unembed', source, ffnIdent, `layout ${d.name.text}: no built-in unembedding reads ${ffn.name}'s residual type ${formatType(residual)}, so the unembedding is not costed; name one with \`unembed = …\``, undefined, undefined, 'information');
      }
    }

    // Layout-dependent checks of each block: axes the mesh has, and sizes. A block with errors
    // is not costed, but its axes are still checked against the mesh: a mistyped axis is
    // reported as `unknown-axis` (and nothing else, see index.ts).
    if (!this.layoutChecks(d, phase, ffn, model, mesh, workload, ffnIdent, ffn.ok) || !ffn.ok) ok = false;
    if (attention && (!this.layoutChecks(d, phase, attention, model, mesh, workload, attIdent, attention.ok) || !attention.ok)) ok = false;
    if (unembed && (!this.layoutChecks(d, phase, unembed, model, mesh, workload, unembedIdent ?? ffnIdent, unembed.ok) || !unembed.ok)) ok = false;
    if (!ok) return 'its blocks have errors';
    return { phase, workload, ffn, attention, unembed };
  }

  /** unknown-axis and not-divisible for one block in one layout and phase. Returns false on error. */
  private layoutChecks(d: RecordDecl, phase: Phase, block: CheckedBlock, model: ModelSpec, mesh: MeshSpec, workload: WorkloadSpec, at: Ident, checkSizes = true): boolean {
    const usage = blockUsage(block);
    const sameFile = block.decl.source === d.source;
    let ok = true;
    let meshMask = 0;
    for (const a of mesh.axes) meshMask |= axisLetterBit(a.name);
    // Where a finding goes: on the token in the layout's own file, else on the layout's block field.
    const where = (span: Span) => (sameFile ? { source: block.decl.source, span } : { source: d.source, span: at as Span });
    const related = (): RelatedInfo[] => (sameFile ? [{ source: d.source, span: d.name, message: `in layout ${d.name.text}` }] : [{ source: block.decl.source, span: block.decl.name, message: `${block.name} is declared here` }]);
    if (usage.axisMask & ~meshMask || meshMask & NOT_AN_AXIS_BIT) {
      for (const a of axisRefsOf(block.decl)) {
        if (meshAxisSize(mesh, a.letter) !== undefined) continue;
        const w = where(a);
        const meshAxes = mesh.axes.map((x) => x.name).join('');
        this.report('unknown-axis', w.source, w.span, `layout ${d.name.text}: mesh ${mesh.name} has no axis \`${a.letter}\` (its axes are ${meshAxes})${sameFile ? '' : ` (used in ${block.name})`}`, undefined, related());
        ok = false;
      }
    }
    if (!checkSizes) return ok;
    for (const set of usage.dimSets) {
      const size = dimSize(set.letter, phase, model, workload);
      if (size === undefined) continue;
      let shards = 1;
      for (const a of set.axes) shards *= meshAxisSize(mesh, a) ?? 1;
      if (shards === 1 || (size >= shards && size % shards === 0)) continue;
      const letter = set.letter;
      const shardAxes = set.axes.filter((a) => meshAxisSize(mesh, a) !== undefined);
      const axesText = shardAxes.join('');
      const factors = shardAxes.map((a) => `${a} = ${meshAxisSize(mesh, a)}`).join(', ');
      // No phase in the message: B, L and T sizes say which case it is, and a finding that holds
      // in both phases is then reported once (spec §3).
      let severity: Severity = 'warning';
      let message: string;
      if (size < shards) {
        if (letter === 'H' || letter === 'K') {
          message = `layout ${d.name.text}: ${letter} = ${size} is smaller than its ${shards} shards over ${axesText} (${factors}); each ${letter === 'H' ? 'head' : 'KV head'} is replicated ${shards / gcd(shards, size)}×`;
        } else {
          severity = 'error';
          message = `layout ${d.name.text}: ${letter} = ${size} cannot be split ${shards} ways over ${axesText} (${factors}); shard ${letter} over fewer axes or make it at least ${shards}`;
          ok = false;
        }
      } else {
        const local = Math.ceil(size / shards);
        const waste = (local * shards - size) / (local * shards);
        message = `layout ${d.name.text}: ${letter} = ${size} is not divisible by ${shards} (${axesText}: ${factors}); each chip holds ${local}, padding wastes ${(waste * 100).toFixed(1)}%`;
      }
      // Every place the dim is written, in the layout's file; from another file, all would land
      // on the one block field with one message, so it is said once.
      for (const g of sameFile ? set.groups : set.groups.slice(0, 1)) {
        const w = where(g.letterSpan);
        this.report('not-divisible', w.source, w.span, message, undefined, related(), severity);
      }
    }
    return ok;
  }

  /** Variant of a layout with other blocks for some phases (better-layout hints, search). */
  variant(layout: ResolvedLayout, choice: Partial<Record<Phase, { ffn: string; attention: string }>>, meshOverride?: MeshSpec, workloadOverride?: Partial<Record<Phase, WorkloadSpec>>): ResolvedLayout | undefined {
    const mesh = meshOverride ?? layout.mesh;
    const phases: Partial<Record<Phase, PhaseSpec>> = {};
    for (const phase of ['prefill', 'decode'] as Phase[]) {
      const base = layout[phase];
      const c = choice[phase];
      const workload = workloadOverride?.[phase] ?? base.workload;
      if (!c) {
        phases[phase] = { ...base, workload };
        continue;
      }
      const found = this.findBlocks(layout.model, c.ffn, c.attention);
      if (!found.ffn || found.attention === undefined) return undefined;
      const ffn = this.blocks.get(found.ffn)!;
      const attention = found.attention ? this.blocks.get(found.attention)! : null;
      if (!ffn.ok || (attention && !attention.ok)) return undefined;
      if (attention && !(ffn.input?.type && attention.input?.type && typesEqual(ffn.input.type, attention.input.type))) return undefined;
      let unembed: CheckedBlock | null = null;
      for (const n of [c.ffn, ...BUILTIN_FFNS]) {
        const u = this.scope.block.get(`${n}_unembed`);
        const cb = u && u.kind === 'unembed' ? this.blocks.get(u) : undefined;
        if (cb?.ok && cb.input?.type && ffn.input?.type && typesEqual(cb.input.type, ffn.input.type)) {
          unembed = cb;
          break;
        }
      }
      if (!sizesFit(ffn, mesh, layout.model, workload, phase) || (attention && !sizesFit(attention, mesh, layout.model, workload, phase))) return undefined;
      phases[phase] = { phase, workload, ffn, attention, unembed };
    }
    return { ...layout, mesh, prefill: phases.prefill!, decode: phases.decode!, unembed: phases.decode!.unembed };
  }
}

/** True when every sharded dim of every written type has at least as many elements as shards. */
function sizesFit(block: CheckedBlock, mesh: MeshSpec, model: ModelSpec, workload: WorkloadSpec, phase: Phase): boolean {
  const axisSize = new Map(mesh.axes.map((a) => [a.name, a.size]));
  const sizes: Record<string, number> = { B: workload.batch, L: phase === 'prefill' ? workload.prompt : 1, T: phase === 'prefill' ? workload.prompt : workload.prompt + workload.generate, ...model.dims };
  for (const v of block.values) {
    if (!v.type) continue;
    for (const dim of v.type.dims) {
      for (const a of dim.axes) if (!axisSize.has(a)) return false;
      const shards = dim.axes.reduce((p, a) => p * (axisSize.get(a) ?? 1), 1);
      if (dim.letter !== 'H' && dim.letter !== 'K' && sizes[dim.letter] !== undefined && sizes[dim.letter] < shards) return false;
    }
  }
  return true;
}

/** The size of a mesh axis, or undefined when the mesh has no such axis (a mesh has a few axes). */
function meshAxisSize(mesh: MeshSpec, letter: string): number | undefined {
  for (const a of mesh.axes) if (a.name === letter) return a.size;
  return undefined;
}

/** The size of a dimension in a phase, at integer T for decode (cost-model.md §1). */
function dimSize(letter: string, phase: Phase, model: ModelSpec, workload: WorkloadSpec): number | undefined {
  switch (letter) {
    case 'B':
      return workload.batch;
    case 'L':
      return phase === 'prefill' ? workload.prompt : 1;
    case 'T':
      return phase === 'prefill' ? workload.prompt : workload.prompt + workload.generate;
    case 'E':
    case 'F':
    case 'H':
    case 'K':
    case 'Q':
    case 'V':
      return model.dims[letter];
  }
  return undefined;
}

/** Every axis letter and sharded dim the block writes (checkBlock records it; built here otherwise). */
function blockUsage(block: CheckedBlock): BlockUsage {
  return (block.usage ??= usageOf(block.decl));
}

function gcd(a: number, b: number): number {
  while (b) [a, b] = [b, a % b];
  return a;
}

export type { DiagnosticCode, QuickFix };
