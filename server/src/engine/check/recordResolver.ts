// Records as layouts use them: each hardware, mesh, model and workload declaration checked once
// (its fields, its base chain, its required fields) and built into the spec the cost model
// reads, and the values a layout writes for `model`, `mesh` and `workload` (a name, a name with
// overrides, or inline fields). Specs are built once per check and never changed once built.

import type { Field, NameValue, RecordDecl, RecordKind, SourceFile, Span } from '../syntax/ast';
import { followBaseChain, type ResolvedBase } from './baseChain';
import { buildHardware, buildMesh, buildModel, buildWorkload, lookupRecord, mergedFields, readFields, unknownMessage, type FieldMap, type OnRef, type RecordFields, type RecordScope, type Report } from './records';
import type { HardwareSpec, MeshSpec, ModelSpec, WorkloadSpec } from './resolved';
import { FIELDS, REQUIRED_FIELDS } from './schema';

/** A mesh before it is built: its hardware, its axes in order with their sizes, its other fields. */
interface MeshParts {
  hardware: HardwareSpec;
  axes: [string, number][];
  fields: FieldMap;
}

export class RecordResolver {
  private readonly checkedDecls = new Set<RecordDecl>();
  private readonly hardwareSpecs = new Map<RecordDecl, HardwareSpec | undefined>();
  /** A mesh's parts with its chain's length, or null when it did not resolve (reported then). */
  private readonly meshParts = new Map<RecordDecl, ResolvedBase<MeshParts> | null>();
  private readonly meshSpecs = new Map<RecordDecl, MeshSpec | undefined>();
  private readonly modelSpecs = new Map<RecordDecl, ModelSpec | undefined>();

  constructor(
    private readonly scope: RecordScope,
    private readonly fields: RecordFields,
    private readonly report: Report,
    private readonly onRef: OnRef,
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
      case 'model':
      case 'workload': {
        const m = mergedFields(d, this.scope, this.fields, this.report, this.onRef);
        if (m) this.requireFields(d.source, d.name, m, d.kind, d.name.text);
        if (m && d.kind === 'model') this.checkModelCounts(m, d.fields);
        break;
      }
      case 'layout':
        // Resolved by the layout resolver, which reads its fields.
        break;
    }
  }

  hardwareOf(d: RecordDecl): HardwareSpec | undefined {
    if (this.hardwareSpecs.has(d)) return this.hardwareSpecs.get(d);
    this.hardwareSpecs.set(d, undefined);
    const m = mergedFields(d, this.scope, this.fields, this.report, this.onRef);
    let spec: HardwareSpec | undefined;
    if (m && this.requireFields(d.source, d.name, m, 'hardware', d.name.text)) spec = buildHardware(d.name.text, m, { source: d.source, span: d.name });
    this.hardwareSpecs.set(d, spec);
    return spec;
  }

  /** A declared mesh, built once per check. */
  meshOf(d: RecordDecl): MeshSpec | undefined {
    if (this.meshSpecs.has(d)) return this.meshSpecs.get(d);
    const p = this.meshPartsOf(d);
    const spec = p ? buildMesh(d.name.text, p.hardware, [...p.axes], p.fields, { source: d.source, span: d.name }) : undefined;
    this.meshSpecs.set(d, spec);
    return spec;
  }

  /** A layout's `model = …`: a declared model, with overrides or not, or inline fields. */
  modelValue(f: Field, source: SourceFile): ModelSpec | undefined {
    const v = f.value;
    let m: FieldMap | undefined;
    let name = 'model';
    let decl: RecordDecl | undefined;
    if (v.kind === 'name') {
      const named = this.namedFields('model', v, source);
      if (!named) return undefined;
      ({ decl, fields: m } = named);
      name = v.name.text;
    } else if (v.kind === 'record') {
      m = readFields('model', v.fields, source, this.report);
    } else {
      if (v.kind === 'number') this.report('bad-value', source, v, '`model` takes a model name or `{ fields }`');
      return undefined;
    }
    if (!this.requireFields(source, decl && v.kind === 'name' && !v.overrides ? v.name : f.name, m, 'model', name)) return undefined;
    // A declared model used as it is is built once per check.
    const plain = decl && v.kind === 'name' && !v.overrides;
    // Overrides or inline fields: their counts checked where they are written (a declaration's own, when it was checked).
    if (!plain) this.checkModelCounts(m, v.kind === 'record' ? v.fields : v.overrides ?? []);
    if (plain && this.modelSpecs.has(decl!)) return this.modelSpecs.get(decl!);
    const spec = buildModel(name, m, decl ? { source: decl.source, span: decl.name } : { source, span: f.name });
    if (plain) this.modelSpecs.set(decl!, spec);
    return spec;
  }

  /** A layout's `mesh = …`: a declared mesh, or a mesh or hardware with overrides. */
  meshValue(f: Field, source: SourceFile): MeshSpec | undefined {
    const v = f.value;
    if (v.kind === 'name') {
      const decl = this.scope.mesh.get(v.name.text);
      if (decl && !v.overrides) {
        this.onRef(v.name, source, decl);
        return this.meshOf(decl);
      }
      // `mesh = pod64 { z = 2 }` or `mesh = tpu_v4 { x = 4, y = 4 }`.
      const own = readFields('mesh', v.overrides ?? [], source, this.report);
      const hardwareDecl = this.scope.hardware.get(v.name.text);
      if (!decl && !hardwareDecl) {
        this.report('unknown-name', source, v.name, `no mesh or hardware named \`${v.name.text}\`${unknownMessage('mesh', v.name.text, this.scope).replace(/^no mesh named `[^`]*`/, '')}`);
        return undefined;
      }
      this.onRef(v.name, source, (decl ?? hardwareDecl)!);
      const base = decl ? this.meshPartsOf(decl) : this.bareMesh(hardwareDecl!);
      const p = base && this.withOwnFields(base, own, source, 'the mesh');
      return p ? buildMesh(v.name.text, p.hardware, [...p.axes], p.fields, { source, span: f.name }) : undefined;
    }
    if (v.kind === 'record') {
      this.report('missing-field', source, f.name, 'an inline mesh starts from a hardware or another mesh: write `mesh = tpu_v4 { x = 4, y = 4, z = 4 }`');
      return undefined;
    }
    if (v.kind === 'number') this.report('bad-value', source, v, '`mesh` takes a mesh name');
    return undefined;
  }

  /** A layout's `workload = …`: a declared workload, with overrides or not, or inline fields. */
  workloadValue(f: Field, source: SourceFile): WorkloadSpec | undefined {
    const v = f.value;
    let m: FieldMap | undefined;
    if (v.kind === 'name') {
      m = this.namedFields('workload', v, source)?.fields;
      if (!m) return undefined;
    } else if (v.kind === 'record') {
      m = readFields('workload', v.fields, source, this.report);
    } else {
      if (v.kind === 'number') this.report('bad-value', source, v, '`workload` takes a workload name or `{ batch = …, prompt = …, generate = … }`');
      return undefined;
    }
    if (!this.requireFields(source, f.name, m, 'workload', v.kind === 'name' ? v.name.text : 'workload')) return undefined;
    return buildWorkload(m);
  }

  /**
   * The fields of `NAME` or `NAME { overrides }` in a layout: the declaration's merged fields, the
   * overrides on top. Undefined when the name is unknown (reported here), or when the declaration
   * does not resolve or lacks required fields (reported on the declaration, not at every use).
   */
  private namedFields(kind: 'model' | 'workload', v: NameValue, source: SourceFile): { decl: RecordDecl; fields: FieldMap } | undefined {
    const decl = this.scope[kind].get(v.name.text);
    if (!decl) {
      this.report('unknown-name', source, v.name, unknownMessage(kind, v.name.text, this.scope));
      return undefined;
    }
    this.onRef(v.name, source, decl);
    const merged = mergedFields(decl, this.scope, this.fields, this.report, this.onRef);
    if (!merged) return undefined;
    if (!v.overrides) return REQUIRED_FIELDS[kind].every((r) => merged.has(r)) ? { decl, fields: merged } : undefined;
    const fields = new Map(merged);
    for (const [k, fv] of readFields(kind, v.overrides, source, this.report)) fields.set(k, fv);
    return { decl, fields };
  }

  /**
   * `bad-value` for a count larger than what it counts (`dense_layers = 100` of 61 layers, `top_k`
   * above X), which building the model would otherwise clamp in silence. Reported only when one of
   * the two fields is written in `written` (this declaration or these overrides), so a model used
   * by many layouts is reported once.
   */
  private checkModelCounts(m: FieldMap, written: readonly Field[]): void {
    const here = new Set(written.map((f) => f.name.text));
    const pairs: [part: string, whole: string, what: string][] = [
      ['local_layers', 'layers', 'layers'],
      ['dense_layers', 'layers', 'layers'],
      ['top_k', 'X', 'routed experts'],
    ];
    // A dense model (X of 1: `model d = moe { X = 1 }`) ignores its MoE fields, as buildModel does.
    const moe = (m.get('X')?.num ?? 1) > 1;
    for (const [part, whole, what] of pairs) {
      const p = m.get(part), w = m.get(whole);
      if (p?.num === undefined || w?.num === undefined || !(here.has(part) || here.has(whole))) continue;
      if ((part === 'top_k' || part === 'dense_layers') && !moe) continue;
      if (p.num <= w.num) continue;
      this.report('bad-value', p.source, p.field.value, `\`${part}\` = ${p.num} is more than the model's ${w.num} ${what} (\`${whole}\`); at most ${w.num}`);
    }
  }

  /** `missing-field` for the required fields (schema.ts) `m` lacks; false when some are missing. */
  private requireFields(source: SourceFile, at: Span, m: FieldMap, kind: RecordKind, name: string): boolean {
    const missing = REQUIRED_FIELDS[kind].filter((r) => !m.has(r));
    if (!missing.length) return true;
    const specs = FIELDS[kind];
    const example = missing.map((f) => `${f} = ${specs.find((s) => s.name === f)?.example ?? '…'}`).join(', ');
    this.report('missing-field', source, at, `${kind} ${name} is missing ${missing.map((f) => `\`${f}\``).join(', ')} (e.g. ${example})`, []);
    return false;
  }

  // ------------------------------------------------------------------------------------------
  // Meshes: a chain of meshes ending in a hardware, each adding or resizing axes.

  /** A declared mesh's parts, following its base chain; each mesh of the chain is resolved once. */
  private meshPartsOf(d: RecordDecl): MeshParts | undefined {
    const cached = this.meshParts.get(d);
    if (cached !== undefined) return cached?.value;
    const walked: RecordDecl[] = [];
    const chain = followBaseChain<MeshParts>(
      d,
      {
        next: (m) => (walked.push(m), this.meshBase(m)),
        // A mesh that did not resolve was reported when it failed.
        known: (m) => {
          const known = this.meshParts.get(m);
          return known === null ? 'failed' : known;
        },
      },
      this.report,
    );
    let parts: ResolvedBase<MeshParts> | undefined;
    if (chain) {
      const last = chain.decls[chain.decls.length - 1];
      parts = chain.below ?? this.bareMeshOf(last.base!.text);
      for (let i = chain.decls.length - 1; i >= 0 && parts; i--) {
        const m = chain.decls[i];
        const value = this.withOwnFields(parts.value, this.fields.of(m), m.source, `mesh ${m.name.text}`);
        parts = value && { value, depth: parts.depth + 1 };
        this.meshParts.set(m, parts ?? null);
      }
    }
    // The meshes above a failure share it, so that none reports it again.
    for (const m of walked) if (!this.meshParts.has(m)) this.meshParts.set(m, null);
    return parts?.value;
  }

  /**
   * The next mesh of a mesh's chain; `'end'` at a hardware. A mesh's own fields are checked even
   * when its base cannot be found.
   */
  private meshBase(m: RecordDecl): RecordDecl | 'end' | undefined {
    this.fields.of(m);
    if (!m.base) {
      this.report('missing-field', m.source, m.name, `mesh ${m.name.text} needs a hardware to run on: write \`= tpu_v4 { x = 4, y = 4, z = 4 }\``);
      return undefined;
    }
    const meshBase = lookupRecord(this.scope, 'mesh', m.base.text, m);
    const target = meshBase ?? this.scope.hardware.get(m.base.text);
    if (!target) {
      this.report('unknown-name', m.source, m.base, `no hardware or mesh named \`${m.base.text}\`${unknownMessage('hardware', m.base.text, this.scope).replace(/^no hardware named `[^`]*`/, '')}`);
      return undefined;
    }
    this.onRef(m.base, m.source, target);
    return meshBase ?? 'end';
  }

  /** A hardware as the start of a mesh chain (no axes yet). */
  private bareMeshOf(hardwareName: string): ResolvedBase<MeshParts> | undefined {
    const value = this.bareMesh(this.scope.hardware.get(hardwareName)!);
    return value && { value, depth: 0 };
  }

  private bareMesh(hardwareDecl: RecordDecl): MeshParts | undefined {
    const hardware = this.hardwareOf(hardwareDecl);
    return hardware && { hardware, axes: [], fields: new Map() };
  }

  /** A mesh's parts with the fields it writes: axis sizes (new axes go last) and overrides. */
  private withOwnFields(base: MeshParts, own: FieldMap, source: SourceFile, what: string): MeshParts | undefined {
    const axes = base.axes.map(([a, s]) => [a, s] as [string, number]);
    const fields = new Map(base.fields);
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
    return { hardware: base.hardware, axes, fields };
  }
}
