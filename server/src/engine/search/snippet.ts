// The layout text `best` prints to paste under the user's file: a mesh for the chosen shape, a
// model when the weight dtype changes, and the layout. Where the file already declares an equal
// mesh or workload (`pod64`, `table2`), the text refers to it by name instead of writing it
// again. New names never collide with declarations already in scope; the text only refers to
// names the file (or the prelude) already has.

import type { Analysis } from '../analysis';
import type { Dtype, MeshSpec, ModelSpec, PipelineSpec, ResolvedLayout, WorkloadSpec } from '../check/resolved';
import type { BlockPair } from './common';
import { axisOrder, refactoredMesh, tierSummary, type MeshShape } from './meshes';

export interface SnippetChoice {
  name: string;
  shape: MeshShape;
  /** Shapes with the same figures (permutations): one of them may be a mesh the file declares. */
  alsoShapes?: readonly MeshShape[];
  /** A two-pool layout: each phase's mesh shape (then `shape` is unused), written as `prefill { mesh = … }`. */
  pools?: Record<'prefill' | 'decode', MeshShape>;
  weights: Dtype;
  workload: { prefill: WorkloadSpec; decode: WorkloadSpec };
  prefill: BlockPair;
  decode: BlockPair;
  comment?: string;
}

/** `base`, or `base_2`, `base_3`, … : the first name no declaration of the scope (or `taken`) uses. */
export function freshName(analysis: Analysis, base: string, taken: Set<string> = new Set()): string {
  const s = analysis.scope;
  const used = (n: string) => taken.has(n) || s.hardware.has(n) || s.mesh.has(n) || s.model.has(n) || s.workload.has(n) || s.layout.has(n) || s.block.has(n);
  let name = base;
  for (let k = 2; used(name); k++) name = `${base}_${k}`;
  taken.add(name);
  return name;
}

function fullModel(name: string, m: ModelSpec, weights: Dtype): string {
  const d = m.dims;
  return [
    `model ${name} {`,
    `  layers = ${m.layers}`,
    `  E = ${d.E}, F = ${d.F}, H = ${d.H}, K = ${d.K}, Q = ${d.Q}, V = ${d.V}`,
    `  ffn = ${m.ffn}, block = ${m.block}, weights = ${weights}, kv = ${m.kv}`,
    `  tied_embeddings = ${m.tied_embeddings}, params = ${m.params}`,
    '}',
  ].join('\n');
}

function phaseLine(phase: 'prefill' | 'decode', blocks: BlockPair, w: WorkloadSpec, shared: WorkloadSpec, mesh?: string, pipeline?: PipelineSpec): string {
  const sizes = (['batch', 'prompt', 'generate'] as const).filter((k) => w[k] !== shared[k]).map((k) => `${k} = ${w[k]}`);
  // A pipelined layout's variants keep its pipeline axis and microbatches (check/pipeline.ts `pipelineOn`).
  const pipe = pipeline ? [`pipeline = ${pipeline.axis}`, ...(pipeline.microbatches !== 1 ? [`microbatches = ${pipeline.microbatches}`] : [])] : [];
  return `  ${phase} { ${[...(mesh ? [`mesh = ${mesh}`] : []), ...sizes, ...pipe, `ffn = ${blocks.ffn}`, `attention = ${blocks.attention}`].join(', ')} }`;
}

/**
 * The fields of the chosen mesh: the sizes in the layout's axis order (innermost first, the order
 * network tiers are laid in), then every setting the layout's mesh declared, so the new mesh has
 * the same links, topologies and wraparound (search/meshes.ts `refactoredMesh`).
 */
function meshFields(mesh: MeshSpec, shape: MeshShape): string[] {
  const size = { x: shape[0], y: shape[1], z: shape[2] };
  const fields = axisOrder(mesh).map((a) => `${a} = ${size[a]}`);
  for (const [k, v] of Object.entries(mesh.settings ?? {})) {
    // A setting of an axis other than x, y, z (which the searched mesh does not have) is left out.
    if (/_[a-w]$/.test(k)) continue;
    fields.push(`${k} = ${typeof v === 'number' ? `${v / 1e9} GB/s` : v}`);
  }
  return fields;
}

/** The name a layout's field gives plainly (`mesh = pod64`, no overrides), if it does. */
function plainName(layout: ResolvedLayout, field: 'mesh' | 'workload'): string | undefined {
  const f = layout.decl.fields.find((x) => x.name.text === field);
  return f && f.value.kind === 'name' && !f.value.overrides ? f.value.name.text : undefined;
}

/**
 * The file's meshes and workloads as its layouts resolve them: a declaration a layout names
 * plainly stands for exactly what that layout resolved, so an equal one can be referred to by
 * name instead of written again.
 */
export function declaredRecords(analysis: Analysis): { meshes: MeshSpec[]; workloads: { name: string; spec: WorkloadSpec }[] } {
  const meshes = new Map<string, MeshSpec>();
  const workloads = new Map<string, WorkloadSpec>();
  for (const l of analysis.layouts) {
    const mesh = plainName(l, 'mesh');
    if (mesh && analysis.scope.mesh.has(mesh) && l.mesh.name === mesh) meshes.set(mesh, l.mesh);
    const workload = plainName(l, 'workload');
    if (workload && analysis.scope.workload.has(workload)) workloads.set(workload, l.workload);
  }
  return { meshes: [...meshes.values()], workloads: [...workloads].map(([name, spec]) => ({ name, spec })) };
}

/** The same mesh: hardware and every axis by name (size, links, topology, wraparound, tier), whatever the mesh is called. */
function sameMesh(a: MeshSpec, b: MeshSpec): boolean {
  const axes = (m: MeshSpec) => m.axes.filter((x) => x.size > 1 || ['x', 'y', 'z'].includes(x.name)).map((x) => JSON.stringify({ ...x })).sort().join('|');
  return a.hardware.name === b.hardware.name && a.chips === b.chips && axes(a) === axes(b);
}

/** `workload = table2`, `workload = table2 { batch = 128 }`, or the fields written out. */
function workloadLine(shared: WorkloadSpec, declared: readonly { name: string; spec: WorkloadSpec }[]): string {
  const same = (w: WorkloadSpec, k: 'prompt' | 'generate' | 'capacity_factor') => (w[k] ?? 1) === (shared[k] ?? 1);
  const close = declared.find((d) => same(d.spec, 'prompt') && same(d.spec, 'generate') && same(d.spec, 'capacity_factor'));
  if (close) return close.spec.batch === shared.batch ? `  workload = ${close.name}` : `  workload = ${close.name} { batch = ${shared.batch} }`;
  return `  workload { batch = ${shared.batch}, prompt = ${shared.prompt}, generate = ${shared.generate} }`;
}

/** Shard text declaring the chosen configuration as a new layout (valid after the user's file). */
export function layoutSnippet(analysis: Analysis, layout: ResolvedLayout, choice: SnippetChoice, taken: Set<string> = new Set()): string {
  const lines: string[] = [];
  if (choice.comment) lines.push(...choice.comment.split('\n').map((l) => `# ${l}`));
  const declared = declaredRecords(analysis);
  // The file's own mesh when it is this one or an equivalent permutation (`mesh = pod64`), else a new one.
  const meshNamed = (base: MeshSpec, shapes: readonly MeshShape[], avoid?: string): string => {
    const hw = base.hardware.name;
    let meshName: string | undefined;
    for (const shape of shapes) meshName ??= declared.meshes.find((m) => m.name !== avoid && sameMesh(m, refactoredMesh(base, shape)))?.name;
    if (meshName) return meshName;
    meshName = freshName(analysis, `${hw}_${shapes[0].join('x')}`, taken);
    const tiers = tierSummary(refactoredMesh(base, shapes[0]));
    if (tiers) lines.push(`# ${tiers}`);
    lines.push(`mesh ${meshName} = ${hw} { ${meshFields(base, shapes[0]).join(', ')} }`);
    return meshName;
  };
  const pools = choice.pools;
  const meshName = pools ? undefined : meshNamed(layout.mesh, [choice.shape, ...(choice.alsoShapes ?? [])]);
  // Two pools stay two meshes even when of one shape: one mesh named in both phases is one pool (cost/transfer.ts).
  const prefillMesh = pools ? meshNamed(layout.prefill.mesh, [pools.prefill]) : undefined;
  const phaseMesh = pools && prefillMesh ? { prefill: prefillMesh, decode: meshNamed(layout.decode.mesh, [pools.decode], prefillMesh) } : undefined;
  let modelName = layout.model.name;
  if (choice.weights !== layout.model.weights || !analysis.scope.model.has(modelName)) {
    const name = freshName(analysis, `${layout.model.name}_${choice.weights}`, taken);
    lines.push(analysis.scope.model.has(modelName) ? `model ${name} = ${modelName} { weights = ${choice.weights} }` : fullModel(name, layout.model, choice.weights));
    modelName = name;
  }
  const shared = choice.workload.decode;
  const name = freshName(analysis, choice.name, taken);
  lines.push(`layout ${name} {`);
  lines.push(`  model = ${modelName}`);
  if (meshName) lines.push(`  mesh = ${meshName}`);
  lines.push(workloadLine(shared, declared.workloads));
  if (layout.overlap !== 'none') lines.push(`  overlap = ${layout.overlap}`);
  if (layout.attentionKernel !== 'fused') lines.push(`  attention_kernel = ${layout.attentionKernel}`);
  if (layout.kvBudget !== undefined) lines.push(`  kv_budget = ${layout.kvBudget}`);
  lines.push(phaseLine('prefill', choice.prefill, choice.workload.prefill, shared, phaseMesh?.prefill, layout.prefill.pipeline));
  lines.push(phaseLine('decode', choice.decode, choice.workload.decode, shared, phaseMesh?.decode, layout.decode.pipeline));
  lines.push('}');
  return `${lines.join('\n')}\n`;
}
