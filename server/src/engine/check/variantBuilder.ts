// Variants of a resolved layout: the same model with other blocks for some phases, optionally on
// another mesh or with another workload. The better-layout hint and every search build them. A
// variant is built from blocks already checked, without diagnostics: one that would not check
// (blocks with errors, residual types that disagree, dims smaller than their shards) is none.

import type { BlockDecl } from '../syntax/ast';
import type { BlockLookup } from './blockLookup';
import { sizesFit } from './layoutChecks';
import { attentionMismatch, ffnMismatch } from './modelMatch';
import { PHASES, type CheckedBlock, type MeshSpec, type Phase, type PhaseSpec, type ResolvedLayout, type WorkloadSpec } from './resolved';
import { typesEqual } from './shardType';
import { pipelineOn } from './pipeline';

/** An ffn block and an attention block (`none`, `heads`, `batch` or a block name) for one phase, as a layout writes them. */
export interface BlockPair {
  ffn: string;
  attention: string;
}

export class VariantBuilder {
  private readonly named = (name: string) => this.lookup.named(name);

  constructor(
    private readonly blocks: ReadonlyMap<BlockDecl, CheckedBlock>,
    private readonly lookup: BlockLookup,
  ) {}

  /**
   * The layout with the chosen blocks for some phases (the others keep theirs), on `meshOverride`
   * and with `workloadOverride` where given; undefined when it would not check.
   */
  variant(layout: ResolvedLayout, choice: Partial<Record<Phase, BlockPair>>, meshOverride?: MeshSpec, workloadOverride?: Partial<Record<Phase, WorkloadSpec>>): ResolvedLayout | undefined {
    const mesh = meshOverride ?? layout.mesh;
    const phases: Partial<Record<Phase, PhaseSpec>> = {};
    for (const phase of PHASES) {
      const base = layout[phase];
      const c = choice[phase];
      const workload = workloadOverride?.[phase] ?? base.workload;
      // A mesh override puts both phases on it; otherwise each phase keeps its own mesh.
      const phaseMesh = meshOverride ?? base.mesh;
      // A pipelined phase keeps its pipeline axis and microbatches; its blocks run on one stage,
      // a microbatch at a time (check/pipeline.ts).
      const pipeline = base.pipeline ? pipelineOn(base.pipeline, phaseMesh, layout.model, workload.batch) : undefined;
      if (pipeline === null) return undefined;
      const stageMesh = pipeline ? pipeline.stageMesh : phaseMesh;
      const stageWorkload = pipeline ? { ...workload, batch: workload.batch / pipeline.microbatches } : workload;
      if (!c) {
        phases[phase] = pipeline ? { ...base, mesh: phaseMesh, workload, pipeline } : { ...base, mesh: phaseMesh, workload };
        continue;
      }
      const found = this.lookup.find(layout.model, c.ffn, c.attention, phase);
      if (!found.ffn || found.attention === undefined) return undefined;
      const ffn = this.blocks.get(found.ffn)!;
      const attention = found.attention ? this.blocks.get(found.attention)! : null;
      if (!ffn.ok || (attention && !attention.ok)) return undefined;
      // A block of another kind than the model's FFN or attention would be costed as another model.
      if (ffnMismatch(ffn, layout.model, this.named, this.blocks) || (attention && attentionMismatch(attention, layout.model, this.named, this.blocks))) return undefined;
      if (attention && !(ffn.input?.type && attention.input?.type && typesEqual(ffn.input.type, attention.input.type))) return undefined;
      let unembed: CheckedBlock | null = null;
      for (const cb of this.lookup.unembedCandidates(c.ffn)) {
        if (cb.ok && cb.input?.type && ffn.input?.type && typesEqual(cb.input.type, ffn.input.type)) {
          unembed = cb;
          break;
        }
      }
      if (!sizesFit(ffn, stageMesh, layout.model, stageWorkload, phase) || (attention && !sizesFit(attention, stageMesh, layout.model, stageWorkload, phase))) return undefined;
      // An MoE model's dense layers: the layout's dense block if it shares this ffn's residual
      // stream, else the built-in one that does (as the layout resolver picks it).
      const denseFfn = (layout.model.dense_layers ?? 0) > 0
        ? (base.denseFfn?.input?.type && ffn.input?.type && typesEqual(base.denseFfn.input.type, ffn.input.type) ? base.denseFfn : this.lookup.defaultDenseFfn(layout.model, ffn))
        : undefined;
      if (denseFfn && !sizesFit(denseFfn, stageMesh, layout.model, stageWorkload, phase)) return undefined;
      const dense = denseFfn ? { denseFfn } : {};
      phases[phase] = pipeline ? { phase, mesh: phaseMesh, workload, ffn, attention, unembed, pipeline, ...dense } : { phase, mesh: phaseMesh, workload, ffn, attention, unembed, ...dense };
    }
    return { ...layout, mesh, prefill: phases.prefill!, decode: phases.decode!, unembed: phases.decode!.unembed };
  }
}
