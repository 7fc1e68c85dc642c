// Pipeline parallelism in a layout (docs/language.md "Pipelines"): `pipeline = AXIS` and
// `microbatches = N`, at the top of a layout or in a phase. This resolves them against the
// phase's mesh and model into a PipelineSpec, whose stage mesh (the phase's mesh with the pipeline
// axis of size 1) is the mesh the phase's blocks are checked and costed on.

import type { RecordDecl } from '../syntax/ast';
import { axisLetterBit, usageOf } from './blocks';
import type { FieldValue, Report } from './records';
import type { CheckedBlock, MeshSpec, ModelSpec, Phase, PipelineSpec } from './resolved';

// One stage mesh per (mesh, axis): the cost plans are cached per mesh, and the two phases of a
// layout on one mesh share their stages.
const stageMeshes = new WeakMap<MeshSpec, Map<string, MeshSpec>>();

/** The mesh with `axis` of size 1: the chips of one pipeline stage. */
export function stageMeshOf(mesh: MeshSpec, axis: string): MeshSpec {
  let byAxis = stageMeshes.get(mesh);
  if (!byAxis) stageMeshes.set(mesh, (byAxis = new Map()));
  let stage = byAxis.get(axis);
  if (!stage) {
    const size = mesh.axes.find((a) => a.name === axis)?.size ?? 1;
    stage = { ...mesh, axes: mesh.axes.map((a) => (a.name === axis ? { ...a, size: 1 } : a)), chips: mesh.chips / size };
    byAxis.set(axis, stage);
  }
  return stage;
}

/**
 * The pipeline `p` on another mesh or batch (a search's variant): the same axis and microbatches,
 * as many stages as the axis has chips there; null when it would not check (no such axis, more
 * stages than layers, microbatches that do not divide the batch).
 */
export function pipelineOn(p: PipelineSpec, mesh: MeshSpec, model: ModelSpec, batch: number): PipelineSpec | null {
  const ax = mesh.axes.find((a) => a.name === p.axis);
  if (!ax || ax.size > model.layers || batch % p.microbatches !== 0) return null;
  const stageMesh = stageMeshOf(mesh, p.axis);
  return stageMesh === p.stageMesh ? p : { ...p, stages: ax.size, stageMesh };
}

/** The phase's `pipeline` and `microbatches` fields (its own, else the layout's). */
export interface PipelineFields {
  pipeline?: FieldValue;
  microbatches?: FieldValue;
}

/**
 * The phase's pipeline on `mesh`: undefined when it has none (`pipeline` absent or `none`), a
 * string (why the layout cannot be costed, already reported) when the fields are wrong.
 */
export function resolvePipeline(report: Report, d: RecordDecl, phase: Phase, f: PipelineFields, mesh: MeshSpec, model: ModelSpec, batch: number): PipelineSpec | undefined | string {
  const p = f.pipeline;
  if (!p || p.str === 'none') return undefined;
  if (p.invalid || p.str === undefined) return 'its pipeline axis is not valid';
  const at = p.field.value;
  const source = p.source;
  const axis = p.str;
  if (axis.length !== 1) {
    report('bad-value', source, at, `\`pipeline\` takes one mesh axis (\`pipeline = y\`) or \`none\`, not \`${axis}\``);
    return 'its pipeline axis is not one axis';
  }
  const ax = mesh.axes.find((a) => a.name === axis);
  if (!ax) {
    report('unknown-axis', source, at, `layout ${d.name.text}: mesh ${mesh.name} has no axis \`${axis}\` to pipeline over (its axes are ${mesh.axes.map((a) => a.name).join('')})`);
    return `mesh ${mesh.name} has no axis ${axis}`;
  }
  const stages = ax.size;
  if (stages > model.layers) {
    report('pipeline-stages', source, at, `layout ${d.name.text}: pipelining over ${axis} = ${stages} makes ${stages} stages, but model ${model.name} has only ${model.layers} layers; pipeline over an axis of at most ${model.layers} chips`);
    return `its ${stages} pipeline stages outnumber the ${model.layers} layers`;
  }
  const m = f.microbatches;
  if (m?.invalid) return 'its microbatches are not valid';
  const microbatches = m?.num ?? 1;
  if (batch % microbatches !== 0) {
    const divisors = [];
    for (let k = 1; k <= batch && divisors.length < 6; k++) if (batch % k === 0) divisors.push(k);
    report(
      'pipeline-microbatches',
      m?.source ?? source,
      m?.field.value ?? at,
      `layout ${d.name.text}: the ${phase} batch of ${batch} does not split into ${microbatches} microbatches of whole sequences; use a divisor of ${batch} (${divisors.join(', ')}${divisors.length === 6 ? ', …' : ''})${m ? '' : ' or set `batch`'}`,
    );
    return `its ${phase} batch ${batch} does not split into ${microbatches} microbatches`;
  }
  return { axis, stages, microbatches, stageMesh: stageMeshOf(mesh, axis) };
}

/**
 * pipeline-axis-used: a block written in the layout's file that splits a dim over the pipeline
 * axis. Inside a stage the axis has size 1, so the split does nothing. Built-in blocks are written
 * over x, y and z and are meant to run on a stage that way, so they are not reported.
 */
export function reportPipelineAxisUse(report: Report, d: RecordDecl, pipeline: PipelineSpec, uses: readonly { block: CheckedBlock | null; at: FieldValue['field']['value'] | undefined }[]): void {
  const bit = axisLetterBit(pipeline.axis);
  const seen = new Set<CheckedBlock>();
  for (const { block, at } of uses) {
    if (!block || !at || block.isPrelude || seen.has(block)) continue;
    seen.add(block);
    const usage = (block.usage ??= usageOf(block.decl));
    if (!(usage.axisMask & bit)) continue;
    report(
      'pipeline-axis-used',
      d.source,
      at,
      `layout ${d.name.text}: ${block.name} splits over ${pipeline.axis}, the pipeline axis; within a stage ${pipeline.axis} has size 1, so those splits do nothing (split over the other axes, or pipeline over another axis)`,
      undefined,
      [{ source: block.decl.source, span: block.decl.name, message: `${block.name} is declared here` }],
    );
  }
}
