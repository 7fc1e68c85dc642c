// A layout's configuration: everything its cost depends on, as one short string. Layouts with the same
// configuration (a sweep file repeats a few configurations thousands of times) have the same
// figures, the same cost findings and the same report entry but for their names, so the cost
// cache (costCache.ts), the better-layout search (cost/diagnostics.ts) and the report
// (report/json.ts) each work once per configuration.

import type { CheckedBlock, MeshSpec, ModelSpec, Phase, PhaseSpec, ResolvedLayout, WorkloadSpec } from './check/resolved';

// The parts of a configuration (model, mesh, blocks), each as a short number that stands for its
// text: keys stay short to hash and compare (a sweep file asks for tens of thousands). The same
// text gets the same number; numbers are never reused, so when the table is emptied (it keeps a
// bounded number of texts: every edit of a block in the editor is a new text) a text gets a new
// number, and a key made before can only miss, never match another configuration.
const partNumbers = new Map<string, number>();
const MAX_PART_TEXTS = 10_000;
let nextPartNumber = 0;

function numbered(text: string): string {
  let n = partNumbers.get(text);
  if (n === undefined) {
    if (partNumbers.size >= MAX_PART_TEXTS) partNumbers.clear();
    partNumbers.set(text, (n = nextPartNumber++));
  }
  return `#${n}`;
}

// Kept per object: layouts and their variants share their model, mesh, blocks and workloads, so
// each part is written once, not once per layout.
const modelParts = new WeakMap<ModelSpec, string>();
const meshParts = new WeakMap<MeshSpec, string>();
const blockParts = new WeakMap<CheckedBlock, string>();

function modelPart(model: ModelSpec): string {
  let part = modelParts.get(model);
  if (part === undefined) {
    const { origin: _, ...figures } = model;
    modelParts.set(model, (part = numbered(JSON.stringify(figures))));
  }
  return part;
}

function meshPart(mesh: MeshSpec): string {
  let part = meshParts.get(mesh);
  if (part === undefined) {
    const { origin: _, ...hardware } = mesh.hardware;
    meshParts.set(mesh, (part = numbered(JSON.stringify([hardware, mesh.name, mesh.axes]))));
  }
  return part;
}

/** A prelude block by name; a file's block by its name and text (an edit elsewhere keeps it). */
function blockPart(b: CheckedBlock | null): string {
  if (!b) return '-';
  let part = blockParts.get(b);
  if (part === undefined) {
    part = numbered(JSON.stringify(b.isPrelude ? ['prelude', b.name] : [b.name, b.decl.source.text.slice(b.decl.start, b.decl.end)]));
    blockParts.set(b, part);
  }
  return part;
}

const workloadParts = new WeakMap<WorkloadSpec, string>();

function workloadPart(w: WorkloadSpec): string {
  let part = workloadParts.get(w);
  if (part === undefined) workloadParts.set(w, (part = JSON.stringify(w)));
  return part;
}

function phasePart(p: PhaseSpec): string {
  const pipe = p.pipeline ? ` |${p.pipeline.axis}${p.pipeline.microbatches}` : '';
  return `${meshPart(p.mesh)} ${workloadPart(p.workload)} ${blockPart(p.ffn)} ${blockPart(p.attention)} ${blockPart(p.unembed)}${pipe}`;
}

// A layout's configuration is asked for several times (its cost, its better-layout search, its
// report entry), so it is built once per resolved layout.
const configurations = new WeakMap<ResolvedLayout, string>();

/**
 * Everything a layout's cost, cost findings and report figures depend on, as one string: its
 * model, hardware, mesh, workloads, blocks, overlap, attention kernel and KV budget. Two layouts with the same
 * configuration differ only in their name, their place in the file and their `measured` results.
 */
export function configurationKey(l: ResolvedLayout): string {
  let key = configurations.get(l);
  if (key === undefined) {
    key = `${modelPart(l.model)} ${meshPart(l.mesh)} ${workloadPart(l.workload)} ${phasePart(l.prefill)} ${phasePart(l.decode)} ${blockPart(l.unembed)} ${l.overlap} ${l.attentionKernel} ${l.kvBudget ?? null}`;
    configurations.set(l, key);
  }
  return key;
}

/**
 * Everything one phase's pass depends on (cost/pass.ts `costPass`): the model, the mesh, the
 * overlap, the phase's workload and blocks, and for the prefill the decode attention its cache is
 * converted to. Layouts that differ only in the other phase's blocks share their pass.
 */
export function phasePassKey(l: ResolvedLayout, phase: Phase): string {
  // The phase's mesh is in its part; the decode mesh decides whether the prefill converts its cache.
  return `${modelPart(l.model)} ${l.overlap} ${l.attentionKernel} ${phasePart(l[phase])} ${phase === 'prefill' ? `${blockPart(l.decode.attention)} ${meshPart(l.decode.mesh)}` : ''}`;
}
