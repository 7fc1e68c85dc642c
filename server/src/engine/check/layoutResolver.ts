// Layouts: a layout's fields merged along its `= base` chain, its model, mesh and workload
// resolved, and for each phase its blocks found and checked together: the residual stream they
// share, the unembedding, and each block's axes and sizes on the layout's mesh. The result is
// the ResolvedLayout the cost model reads, or the reason the layout cannot be costed.

import type { BlockDecl, Field, Ident, RecordDecl, Span, Value } from '../syntax/ast';
import { followBaseChain, type BaseChainRules } from './baseChain';
import type { BlockLookup } from './blockLookup';
import { checkBlockPlacement, type BlockPlacement, type UnevenSplit } from './layoutChecks';
import { attentionMismatch, ffnMismatch, type ModelMismatch } from './modelMatch';
import { lookupRecord, readFields, unknownMessage, type FieldMap, type OnRef, type RecordFields, type RecordScope, type Report } from './records';
import type { RecordResolver } from './recordResolver';
import { PHASES, type AttentionKernel, type CheckedBlock, type MeshSpec, type ModelSpec, type Phase, type PhaseSpec, type ResolvedLayout, type UncostableLayout, type WorkloadSpec } from './resolved';
import { FIELDS, REQUIRED_FIELDS } from './schema';
import { formatType, typesEqual } from './shardType';
import { reportPipelineAxisUse, resolvePipeline } from './pipeline';

/** Two meshes with the same name, chips and axis sizes are one pool (cost/transfer.ts `sameMesh` is the cost model's finer test). */
function sameMeshShape(a: MeshSpec, b: MeshSpec): boolean {
  return a === b || (a.name === b.name && a.chips === b.chips && a.hardware === b.hardware && a.axes.every((x, i) => b.axes[i]?.name === x.name && b.axes[i].size === x.size));
}

/** Where a layout's block fields were written, for layout-dependent diagnostics and quick fixes. */
export interface LayoutFieldSpans {
  ffn: Record<Phase, Span | undefined>;
  attention: Record<Phase, Span | undefined>;
  /** The whole `ffn = …` / `attention = …` fields (top level or in the phase record). */
  ffnField: Record<Phase, Field | undefined>;
  attentionField: Record<Phase, Field | undefined>;
}

/** The layout and phase being resolved, so that layout-dependent diagnostics carry them. */
export interface CheckContext {
  layout?: string;
  phase?: Phase;
}

/** A layout's fields with its base chain merged: top-level fields, per-phase overrides, measured results. */
interface LayoutFields {
  top: FieldMap;
  phases: Record<Phase, FieldMap>;
  measured: FieldMap;
}

/** The fields that name a phase's blocks: required, but they may be given per phase instead. */
const BLOCK_FIELDS: readonly string[] = FIELDS.layout.filter((f) => f.type.type === 'block').map((f) => f.name);
/** Required layout fields that both phases may give instead: the blocks and the mesh. */
const PER_PHASE_FIELDS: readonly string[] = [...BLOCK_FIELDS, 'mesh'];

export class LayoutResolver {
  readonly layoutSpans = new Map<string, LayoutFieldSpans>();

  constructor(
    private readonly scope: RecordScope,
    private readonly blocks: ReadonlyMap<BlockDecl, CheckedBlock>,
    private readonly records: RecordResolver,
    private readonly lookup: BlockLookup,
    private readonly fields: RecordFields,
    private readonly report: Report,
    private readonly onRef: OnRef,
    private readonly context: CheckContext,
  ) {}

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
    const missing = REQUIRED_FIELDS.layout.filter((k) => !top.has(k) && !(PER_PHASE_FIELDS.includes(k) && phases.prefill.has(k) && phases.decode.has(k)));
    if (missing.length) {
      const specs = FIELDS.layout;
      this.report('missing-field', d.source, d.name, `layout ${d.name.text} is missing ${missing.map((m) => `\`${m}\``).join(', ')} (e.g. ${missing.map((m) => `${m} = ${specs.find((s) => s.name === m)!.example}`).join(', ')})`);
    }
    const model = top.has('model') ? this.records.modelValue(top.get('model')!.field, d.source) : undefined;
    // A phase's own mesh (disaggregated serving); the layout's mesh is the top-level one, or the
    // decode phase's when only the phases name one.
    const phaseMesh = (phase: Phase) => (phases[phase].has('mesh') ? this.records.meshValue(phases[phase].get('mesh')!.field, d.source) : undefined);
    const phaseMeshes: Record<Phase, MeshSpec | undefined> = { prefill: phaseMesh('prefill'), decode: phaseMesh('decode') };
    const topMesh = top.has('mesh') ? this.records.meshValue(top.get('mesh')!.field, d.source) : undefined;
    const mesh = top.has('mesh') ? topMesh : phaseMeshes.decode;
    const workload = top.has('workload') ? this.records.workloadValue(top.get('workload')!.field, d.source) : undefined;
    const names = { model: model?.name, mesh: mesh?.name };
    if (PHASES.some((p) => phases[p].has('mesh') && !phaseMeshes[p])) return fail(`its ${PHASES.find((p) => phases[p].has('mesh') && !phaseMeshes[p])} mesh could not be resolved`, names);
    if (!model || !mesh || !workload) return fail(!model ? 'its model could not be resolved' : !mesh ? 'its mesh could not be resolved' : 'its workload could not be resolved', names);

    const spans: LayoutFieldSpans = { ffn: { prefill: undefined, decode: undefined }, attention: { prefill: undefined, decode: undefined }, ffnField: { prefill: undefined, decode: undefined }, attentionField: { prefill: undefined, decode: undefined } };
    this.layoutSpans.set(d.name.text, spans);
    const phaseSpecs: Partial<Record<Phase, PhaseSpec>> = {};
    let blockProblem: string | undefined;
    const uneven: UnevenSplit[] = [];
    // A top-level `pipeline` is resolved for both phases: its findings are reported once.
    const reported = new Set<string>();
    const reportOnce: Report = (code, source, span, ...rest) => {
      const key = `${code}|${source.uri}|${span.start}|${span.end}`;
      if (reported.has(key)) return;
      reported.add(key);
      this.report(code, source, span, ...rest);
    };
    for (const phase of PHASES) {
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
      if (workload.capacity_factor !== undefined) wl.capacity_factor = workload.capacity_factor;
      if (!ffnField || !attField) {
        blockProblem ??= `no ffn or attention for ${phase}`;
        continue;
      }
      this.context.phase = phase;
      // A pipelined phase's blocks run on one stage (the mesh with the pipeline axis of size 1),
      // a microbatch at a time (check/pipeline.ts).
      const onMesh = phaseMeshes[phase] ?? mesh;
      const pipe = resolvePipeline(reportOnce, d, phase, { pipeline: pm.get('pipeline') ?? top.get('pipeline'), microbatches: pm.get('microbatches') ?? top.get('microbatches') }, onMesh, model, wl.batch);
      const placed = typeof pipe === 'object' ? { mesh: pipe.stageMesh, workload: { ...wl, batch: wl.batch / pipe.microbatches } } : { mesh: onMesh, workload: wl };
      const ps = this.phaseBlocks(d, { layout: d, phase, model, ...placed, uneven }, ffnField, attField, top.get('unembed')?.field, top.get('dense_ffn')?.field);
      if (typeof pipe === 'object' && typeof ps !== 'string') {
        reportPipelineAxisUse(reportOnce, d, pipe, [{ block: ps.ffn, at: ffnField.value }, { block: ps.attention, at: attField.value }, { block: ps.unembed, at: top.get('unembed')?.field.value }]);
      }
      this.context.phase = undefined;
      if (typeof pipe === 'string') blockProblem ??= pipe;
      if (typeof ps === 'string') blockProblem ??= ps;
      else phaseSpecs[phase] = typeof pipe === 'object' ? { ...ps, mesh: onMesh, workload: wl, pipeline: pipe } : ps;
    }
    if (blockProblem || !phaseSpecs.prefill || !phaseSpecs.decode) return fail(blockProblem ?? 'its blocks could not be resolved', names);
    const pipelineProblem = this.pipelinesAgree(d, phaseSpecs.prefill, phaseSpecs.decode, phases, top);
    if (pipelineProblem) return fail(pipelineProblem, names);
    const overlap = (top.get('overlap')?.str as 'none' | 'collective_einsum' | undefined) ?? 'none';
    const attentionKernel = (top.get('attention_kernel')?.str as AttentionKernel | undefined) ?? 'fused';
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
      attentionKernel,
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

  /**
   * Phases on one mesh pipeline over the same axis (or neither does): each chip holds one stage's
   * layers, whichever phase runs. Reported on the phase's own `pipeline` field.
   */
  private pipelinesAgree(d: RecordDecl, prefill: PhaseSpec, decode: PhaseSpec, phases: Record<Phase, FieldMap>, top: FieldMap): string | undefined {
    const a = prefill.pipeline?.axis, b = decode.pipeline?.axis;
    if (a === b || !sameMeshShape(prefill.mesh, decode.mesh)) return undefined;
    const field = phases.decode.get('pipeline') ?? phases.prefill.get('pipeline') ?? top.get('pipeline');
    const span = field?.field.value ?? d.name;
    this.report('bad-value', field?.source ?? d.source, span, `layout ${d.name.text}: prefill ${a ? `pipelines over ${a}` : 'has no pipeline'} but decode ${b ? `over ${b}` : 'has none'} on the same mesh ${decode.mesh.name}; phases on one mesh pipeline over the same axis (each chip holds one stage's layers), or give the phase its own \`mesh\``);
    return 'its phases pipeline differently on one mesh';
  }

  /** How a layout follows its base: to the layout of that name. */
  private readonly layoutChain: BaseChainRules<LayoutFields> = {
    next: (l) => {
      if (!l.base) return 'end';
      const base = lookupRecord(this.scope, 'layout', l.base.text, l);
      if (!base) this.report('unknown-name', l.source, l.base, unknownMessage('layout', l.base.text, this.scope));
      else this.onRef(l.base, l.source, base);
      return base;
    },
  };

  /** Merged layout fields along the `= base` chain; phase records merge per field. */
  private layoutFields(d: RecordDecl): LayoutFields | undefined {
    const chain = followBaseChain(d, this.layoutChain, this.report);
    if (!chain) return undefined;
    let merged: LayoutFields | undefined;
    for (let i = chain.decls.length - 1; i >= 0; i--) merged = this.withOwnFields(chain.decls[i], merged);
    return merged;
  }

  /** A layout's own fields over its base's (a root layout has none). */
  private withOwnFields(d: RecordDecl, base: LayoutFields | undefined): LayoutFields {
    const top: FieldMap = new Map(base?.top);
    // Measured results describe one configuration: a derived layout does not inherit them.
    if (base) top.delete('measured');
    const phases: Record<Phase, FieldMap> = { prefill: new Map(base?.phases.prefill), decode: new Map(base?.phases.decode) };
    const measured: FieldMap = new Map();
    for (const [k, v] of this.fields.of(d)) {
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

  /** Looks a block up by name, for the model-match checks' quick fixes. */
  private readonly named = (name: string) => this.lookup.named(name);

  /**
   * Reports a block that is not the model's FFN or attention (check/modelMatch.ts) on the layout's
   * field that names it, with a quick fix to the matching built-in; true when it reported.
   */
  private reportMismatch(d: RecordDecl, model: ModelSpec, block: CheckedBlock, at: Ident, m: ModelMismatch | undefined): boolean {
    if (!m) return false;
    const fixes = m.replacement ? [{ title: `Use ${m.replacement}`, edits: [{ span: at, newText: m.replacement }], preferred: true }] : undefined;
    this.report('model-mismatch', d.source, at, `layout ${d.name.text}: ${m.message}`, fixes, [
      { source: block.decl.source, span: block.decl.name, message: `${block.name} is declared here` },
      ...(model.origin ? [{ source: model.origin.source, span: model.origin.span, message: `model ${model.name} is declared here` }] : []),
    ]);
    return true;
  }

  /** A phase's blocks, checked together on the layout's mesh; a string says why they cannot be costed. */
  private phaseBlocks(d: RecordDecl, placement: BlockPlacement, ffnField: Field, attField: Field, unembedField: Field | undefined, denseField: Field | undefined): PhaseSpec | string {
    const { phase, model, mesh, workload } = placement;
    const source = d.source;
    const nameOf = (v: Value): Ident | undefined => (v.kind === 'name' ? v.name : undefined);
    const ffnIdent = nameOf(ffnField.value);
    const attIdent = nameOf(attField.value);
    if (!ffnIdent || !attIdent) {
      const bad = !ffnIdent ? ffnField.value : attField.value;
      if (bad.kind !== 'missing') this.report('bad-value', source, bad, `\`${!ffnIdent ? 'ffn' : 'attention'}\` takes a block name`);
      return 'a block field is not a name';
    }
    const found = this.lookup.find(model, ffnIdent.text, attIdent.text, phase);
    if (found.ffnError) this.report('unknown-name', source, ffnIdent, found.ffnError);
    else if (found.ffn) this.onRef(ffnIdent, source, found.ffn);
    if (found.attentionError) {
      // Each attention the message suggests is a quick fix, the first preferred.
      const fixes = found.attentionSuggestions?.map((name, i) => ({ title: `Use attention = ${name}`, edits: [{ span: attIdent, newText: name }], preferred: i === 0 }));
      this.report('unknown-name', source, attIdent, found.attentionError, fixes);
    }
    else if (found.attention) this.onRef(attIdent, source, found.attention);
    if (!found.ffn || found.attention === undefined) return 'its blocks could not be resolved';
    const ffn = this.blocks.get(found.ffn)!;
    const attention = found.attention ? this.blocks.get(found.attention)! : null;

    // The blocks must compute the model's FFN and attention, or the figures would be another
    // model's (check/modelMatch.ts).
    let ok = true;
    const ffnMismatched = this.reportMismatch(d, model, ffn, ffnIdent, ffnMismatch(ffn, model, this.named, this.blocks));
    const attMismatched = !!attention && this.reportMismatch(d, model, attention, attIdent, attentionMismatch(attention, model, this.named, this.blocks));
    if (ffnMismatched || attMismatched) ok = false;

    // Residual stream: attention in/out must equal the ffn's.
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
      const u = this.lookup.named(unembedIdent.text);
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
      for (const cb of this.lookup.unembedCandidates(ffnIdent.text)) {
        if (cb.input?.type && typesEqual(cb.input.type, residual)) {
          unembed = cb;
          break;
        }
      }
      if (!unembed) {
        this.report('no-unembed', source, ffnIdent, `layout ${d.name.text}: no built-in unembedding reads ${ffn.name}'s residual type ${formatType(residual)}, so the unembedding is not costed; name one with \`unembed = …\``, undefined, undefined, 'information');
      }
    }

    // An MoE model's dense layers (`dense_layers`): the layout's `dense_ffn`, or the built-in
    // dense ffn sharing the MoE block's residual stream (cost/layerKinds.ts costs them with it).
    let denseFfn: CheckedBlock | undefined;
    const denseIdent = denseField && nameOf(denseField.value);
    if ((model.dense_layers ?? 0) > 0 && !ffnMismatched) {
      if (denseIdent) {
        const decl = this.lookup.find(model, denseIdent.text, 'none').ffn;
        if (!decl) {
          const other = this.lookup.named(denseIdent.text);
          this.report('unknown-name', source, denseIdent, other ? `\`${denseIdent.text}\` is ${other.kind === 'attention' ? 'an attention' : 'an unembed'} block, not an ffn block` : `no ffn block named \`${denseIdent.text}\``);
          ok = false;
        } else {
          this.onRef(denseIdent, source, decl);
          denseFfn = this.blocks.get(decl)!;
          // A dense block for the model's `ffn` kind: compared as if the model had no experts.
          const denseModel: ModelSpec = { ...model, dims: { ...model.dims, X: 1, top_k: 1, S: 0 } };
          if (this.reportMismatch(d, denseModel, denseFfn, denseIdent, ffnMismatch(denseFfn, denseModel, this.named, this.blocks))) ok = false;
          else if (residual && denseFfn.input?.type && ffn.output?.type && denseFfn.output?.type && (!typesEqual(denseFfn.input.type, residual) || !typesEqual(denseFfn.output.type, ffn.output.type))) {
            const order = mesh.axes.map((a) => a.name);
            this.report('type-mismatch', source, denseIdent, `layout ${d.name.text}: the dense layers' ${denseFfn.name} reads ${formatType(denseFfn.input.type, order)}, but ${ffn.name}'s residual stream is ${formatType(residual, order)}`, undefined, [
              { source: denseFfn.decl.source, span: denseFfn.decl.name, message: `${denseFfn.name} is declared here` },
            ]);
            ok = false;
          }
        }
      } else {
        denseFfn = this.lookup.defaultDenseFfn(model, ffn);
        if (!denseFfn && ffn.ok) {
          this.report('no-dense-ffn', source, ffnIdent, `layout ${d.name.text}: model ${model.name} has ${model.dense_layers} dense layers, but no built-in dense ffn reads ${ffn.name}'s residual stream${residual ? ` ${formatType(residual)}` : ''}, so they are costed as MoE layers; name one with \`dense_ffn = …\``);
        }
      }
    }

    // Layout-dependent checks of each block: axes the mesh has, and sizes. A block with errors
    // is not costed, but its axes are still checked against the mesh: a mistyped axis is
    // reported as `unknown-axis` (and nothing else: the analysis drops the rest, see
    // dropShadowedByUnknownAxis).
    // A block of another model's kind gets its axes checked but not its sizes: they would be
    // another model's findings (K = 1 split 64 ways in a multihead member on a multiquery model).
    const placed = (block: CheckedBlock, at: Ident, mismatched: boolean) => checkBlockPlacement(this.report, block, placement, at, block.ok && !mismatched) && block.ok;
    if (!placed(ffn, ffnIdent, ffnMismatched)) ok = false;
    if (attention && !placed(attention, attIdent, attMismatched)) ok = false;
    if (unembed && !placed(unembed, unembedIdent ?? ffnIdent, false)) ok = false;
    if (denseFfn && !placed(denseFfn, denseIdent ?? ffnIdent, false)) ok = false;
    if (!ok) return 'its blocks have errors';
    return denseFfn ? { phase, mesh, workload, ffn, attention, unembed, denseFfn } : { phase, mesh, workload, ffn, attention, unembed };
  }
}
