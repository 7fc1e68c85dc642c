// The fields each declaration kind has (spec/language.md §2), with their kinds, defaults and
// one-line descriptions. Completion, hover, the checker and the quick fix "add the missing field"
// all read this table, so a new field is added here once.

import type { RecordKind } from '../syntax/ast';
import type { QuantityKind } from './units';

export type FieldType =
  | { type: 'quantity'; kind: QuantityKind }
  | { type: 'enum'; values: readonly string[] }
  | { type: 'axes' }
  | { type: 'ref'; kind: 'model' | 'mesh' | 'workload' }
  | { type: 'block'; kind: 'ffn' | 'attention' | 'unembed' }
  | { type: 'phase' };

export interface FieldSpec {
  name: string;
  type: FieldType;
  doc: string;
  required?: boolean;
  /** A sensible value for the quick fix that adds a missing field. */
  example: string;
}

const q = (kind: QuantityKind): FieldType => ({ type: 'quantity', kind });

// mxfp4: the OCP microscaling format, 4-bit values with one 8-bit scale per 32 (4.25 bits a value).
export const DTYPES = ['bf16', 'int8', 'fp8', 'int4', 'mxfp4'] as const;

export const HARDWARE_FIELDS: FieldSpec[] = [
  { name: 'flops', type: q('flops'), required: true, doc: 'peak dense matmul rate per chip in the compute dtype (bf16)', example: '275 TFLOP/s' },
  { name: 'hbm', type: q('bytes'), required: true, doc: 'memory (HBM) per chip', example: '32 GiB' },
  { name: 'hbm_bw', type: q('bandwidth'), required: true, doc: 'memory bandwidth per chip', example: '1.2 TB/s' },
  { name: 'link_bw', type: q('bandwidth'), required: true, doc: 'interconnect bandwidth of one link, one direction', example: '45 GB/s' },
  { name: 'topology', type: { type: 'enum', values: ['torus', 'switch'] }, doc: 'torus (TPU ICI) or switch (NVLink/NVSwitch)', example: 'torus' },
  { name: 'flops_eff', type: q('fraction'), doc: 'calibration: achieved fraction of peak FLOP/s', example: '0.8' },
  { name: 'hbm_eff', type: q('fraction'), doc: 'calibration: achieved fraction of HBM bandwidth', example: '0.8' },
  { name: 'link_eff', type: q('fraction'), doc: 'calibration: achieved fraction of link bandwidth', example: '0.8' },
  { name: 'collective_latency', type: q('time'), doc: 'calibration: latency α of one collective step', example: '5 us' },
  { name: 'op_overhead', type: q('time'), doc: 'calibration: fixed time added to every costed operation', example: '2 us' },
  { name: 'overlap_fraction', type: q('fraction'), doc: 'calibration: under `overlap = collective_einsum`, the fraction of the shorter side (an einsum or its collectives) hidden behind the other; default 1 (all of it)', example: '0.5' },
  { name: 'scaleup_domain', type: q('count'), doc: 'chips in one scale-up domain (GPUs on one NVLink/NVSwitch fabric); mesh axes past it use the scale-out network', example: '8' },
  { name: 'scaleout_bw', type: q('bandwidth'), doc: 'scale-out network bandwidth per chip, one direction (its NIC: 400 Gb/s = 50 GB/s)', example: '50 GB/s' },
  { name: 'scaleout_latency', type: q('time'), doc: 'latency each collective step over the scale-out network adds', example: '5 us' },
  {
    name: 'matmul_knee',
    type: q('number'),
    doc: 'calibration: local matmul FLOPs at which matmul efficiency reaches half of flops_eff (small matmuls run slower); 0 turns it off',
    example: '1e9',
  },
  { name: 'price', type: q('number'), doc: 'price of one chip-hour, for cost in currency (optional)', example: '3.2' },
];

export const MESH_FIELDS: FieldSpec[] = [
  { name: 'x', type: q('count'), doc: 'number of chips along axis x', example: '4' },
  { name: 'y', type: q('count'), doc: 'number of chips along axis y', example: '4' },
  { name: 'z', type: q('count'), doc: 'number of chips along axis z', example: '4' },
  { name: 'link_bw', type: q('bandwidth'), doc: 'link bandwidth for every axis of this mesh (overrides the hardware)', example: '45 GB/s' },
  { name: 'topology', type: { type: 'enum', values: ['torus', 'switch'] }, doc: 'topology of every axis of this mesh (overrides the hardware)', example: 'torus' },
  { name: 'wrap', type: { type: 'axes' }, doc: 'torus axes with wraparound (`xyz`, `none`); default: all when every axis size is a multiple of 4', example: 'xyz' },
];

export const MODEL_FIELDS: FieldSpec[] = [
  { name: 'layers', type: q('count'), required: true, doc: 'number of Transformer layers', example: '32' },
  { name: 'E', type: q('count'), required: true, doc: 'd_model', example: '4096' },
  { name: 'F', type: q('count'), required: true, doc: 'd_ff', example: '16384' },
  { name: 'H', type: q('count'), required: true, doc: 'query heads', example: '32' },
  { name: 'K', type: q('count'), doc: 'key/value heads (1 = multiquery, H = multihead); default H', example: '8' },
  { name: 'Q', type: q('count'), required: true, doc: 'head dim', example: '128' },
  { name: 'V', type: q('count'), required: true, doc: 'vocabulary size', example: '32000' },
  { name: 'A', type: q('count'), doc: 'multi-head latent attention: query latent rank (q_lora_rank); 0 = no MLA', example: '1536' },
  { name: 'C', type: q('count'), doc: 'multi-head latent attention: latent KV rank (kv_lora_rank), cached per token with R; 0 = no MLA', example: '512' },
  { name: 'R', type: q('count'), doc: 'multi-head latent attention: rope dims per head (qk_rope_head_dim); Q is the other (nope) part', example: '64' },
  { name: 'X', type: q('count'), doc: 'mixture of experts: routed experts per layer (1 = a dense model)', example: '8' },
  { name: 'G', type: q('count'), doc: "mixture of experts: one routed expert's d_ff (moe_intermediate_size); default F", example: '2048' },
  { name: 'top_k', type: q('count'), doc: 'mixture of experts: routed experts each token runs (num_experts_per_tok); default 1', example: '2' },
  { name: 'shared_experts', type: q('count'), doc: 'mixture of experts: experts every token runs beside its routed ones, each G wide (S = shared_experts × G); default 0', example: '1' },
  { name: 'dense_layers', type: q('count'), doc: "mixture of experts: how many layers have a dense FFN of width F instead of the experts (DeepSeek-V3's first_k_dense_replace); default 0", example: '3' },
  { name: 'expert_weights', type: { type: 'enum', values: DTYPES }, doc: "mixture of experts: the routed experts' weight dtype, apart from `weights` (gpt-oss ships its experts in mxfp4); default `weights`", example: 'mxfp4' },
  { name: 'ffn', type: { type: 'enum', values: ['gelu', 'swiglu'] }, doc: 'gelu (two matrices) or swiglu (three)', example: 'gelu' },
  { name: 'block', type: { type: 'enum', values: ['serial', 'parallel'] }, doc: 'serial, or parallel (attention and FFN read the same input, PaLM)', example: 'serial' },
  { name: 'weights', type: { type: 'enum', values: DTYPES }, doc: 'weight dtype', example: 'bf16' },
  { name: 'kv', type: { type: 'enum', values: DTYPES }, doc: 'KV-cache dtype', example: 'bf16' },
  { name: 'params', type: q('number'), doc: 'nominal parameter count used by MFU; default counted from the dims', example: '8e9' },
  { name: 'tied_embeddings', type: { type: 'enum', values: ['true', 'false'] }, doc: 'input and output embeddings share one table', example: 'true' },
  { name: 'window', type: q('count'), doc: 'sliding-window attention: a local layer attends to (and caches) at most this many positions', example: '1024' },
  { name: 'local_layers', type: q('count'), doc: 'how many of the layers use `window` (the rest attend to the whole context); default all', example: '52' },
];

export const WORKLOAD_FIELDS: FieldSpec[] = [
  { name: 'batch', type: q('count'), required: true, doc: 'sequences per batch (B)', example: '64' },
  { name: 'prompt', type: q('count'), required: true, doc: 'prompt tokens per sequence', example: '2048' },
  { name: 'generate', type: q('count'), required: true, doc: 'generated tokens per sequence', example: '64' },
  {
    name: 'capacity_factor',
    type: q('number'),
    doc: "mixture of experts: routing imbalance, the busiest expert's tokens over the mean; expert work and all-to-all volume scale by it (default 1, balanced)",
    example: '1.25',
  },
];

export const PHASE_FIELDS: FieldSpec[] = [
  { name: 'ffn', type: { type: 'block', kind: 'ffn' }, doc: 'the ffn block for this phase', example: 'ws2d' },
  { name: 'attention', type: { type: 'block', kind: 'attention' }, doc: 'the attention block for this phase: `heads`, `batch`, `none` or a block name', example: 'batch' },
  { name: 'mesh', type: { type: 'ref', kind: 'mesh' }, doc: 'the mesh this phase runs on (disaggregated serving: prefill and decode on their own chips, the KV cache sent between them)', example: 'pod8' },
  { name: 'batch', type: q('count'), doc: 'batch size for this phase', example: '1' },
  { name: 'pipeline', type: { type: 'axes' }, doc: 'the pipeline axis of this phase (`none`: no pipeline); phases on one mesh pipeline over the same axis', example: 'y' },
  { name: 'microbatches', type: q('count'), doc: 'batch groups this phase pipelines (B / microbatches sequences each)', example: '8' },
  { name: 'prompt', type: q('count'), doc: 'prompt tokens for this phase', example: '2048' },
  { name: 'generate', type: q('count'), doc: 'generated tokens for this phase', example: '64' },
];

/** `measured { … }` in a layout: what a real run of this configuration took. */
export const MEASURED_FIELDS: FieldSpec[] = [
  { name: 'prefill', type: q('time'), doc: 'measured prefill time (the whole prompt)', example: '0.29 s' },
  { name: 'decode', type: q('time'), doc: 'measured decode time (all generated tokens)', example: '1.82 s' },
  { name: 'decode_step', type: q('time'), doc: 'measured time of one decode step', example: '28.4 ms' },
  { name: 'prefill_mfu', type: q('fraction'), doc: 'measured prefill MFU', example: '43%' },
  { name: 'decode_mfu', type: q('fraction'), doc: 'measured decode MFU', example: '14%' },
  { name: 'source', type: { type: 'enum', values: ['paper', 'measured'] }, doc: 'where the figures come from', example: 'paper' },
];

export const LAYOUT_FIELDS: FieldSpec[] = [
  { name: 'model', type: { type: 'ref', kind: 'model' }, required: true, doc: 'the model', example: 'palm_540b' },
  { name: 'mesh', type: { type: 'ref', kind: 'mesh' }, required: true, doc: 'the mesh of chips', example: 'pod64' },
  { name: 'workload', type: { type: 'ref', kind: 'workload' }, required: true, doc: 'batch, prompt and generate', example: '{ batch = 64, prompt = 2048, generate = 64 }' },
  { name: 'ffn', type: { type: 'block', kind: 'ffn' }, required: true, doc: 'the ffn block for both phases', example: 'ws2d' },
  { name: 'attention', type: { type: 'block', kind: 'attention' }, required: true, doc: '`heads`, `batch`, `none`, or an attention block', example: 'batch' },
  { name: 'unembed', type: { type: 'block', kind: 'unembed' }, doc: 'the unembedding block; default: the one matching the ffn', example: 'ws2d_unembed' },
  {
    name: 'dense_ffn',
    type: { type: 'block', kind: 'ffn' },
    doc: "the ffn block of a mixture-of-experts model's dense layers (`dense_layers`); default: the built-in dense ffn whose residual stream the MoE block shares",
    example: 'ws2d',
  },
  { name: 'overlap', type: { type: 'enum', values: ['none', 'collective_einsum'] }, doc: 'overlap collectives with einsums (Looped CollectiveEinsum, Pope §3.5)', example: 'collective_einsum' },
  {
    name: 'attention_kernel',
    type: { type: 'enum', values: ['fused', 'unfused'] },
    doc: 'fused (default: FlashAttention-style, the scores and softmax stay on chip) or unfused (the scores go through HBM, as in Pope et al.)',
    example: 'unfused',
  },
  {
    name: 'pipeline',
    type: { type: 'axes' },
    doc: 'pipeline parallelism: split the layers into stages along this mesh axis (one stage per chip of it); within a stage the axis has size 1',
    example: 'y',
  },
  {
    name: 'microbatches',
    type: q('count'),
    doc: 'pipeline parallelism: the batch goes through the stages in this many groups (must divide the batch); default 1',
    example: '8',
  },
  { name: 'kv_budget', type: q('fraction'), doc: 'fraction of HBM reserved for the KV cache, for max_context (Pope Table 1 uses 30%)', example: '30%' },
  { name: 'prefill', type: { type: 'phase' }, doc: 'overrides for the prefill phase', example: '{ ffn = ws2d, attention = heads }' },
  {
    name: 'measured',
    type: { type: 'phase' },
    doc: 'measured results of this configuration (e.g. the paper\'s Table 2), shown beside the prediction by `report`',
    example: '{ prefill = 0.29 s, prefill_mfu = 43%, decode = 1.82 s, decode_mfu = 14% }',
  },
  { name: 'decode', type: { type: 'phase' }, doc: 'overrides for the decode phase', example: '{ ffn = ws2d, attention = batch }' },
];

export const FIELDS: Record<RecordKind, FieldSpec[]> = {
  hardware: HARDWARE_FIELDS,
  mesh: MESH_FIELDS,
  model: MODEL_FIELDS,
  workload: WORKLOAD_FIELDS,
  layout: LAYOUT_FIELDS,
};

/** The fields a declaration of each kind must have once its base chain is merged, in table order. */
export const REQUIRED_FIELDS: Readonly<Record<RecordKind, readonly string[]>> = {
  hardware: requiredOf(HARDWARE_FIELDS),
  mesh: requiredOf(MESH_FIELDS),
  model: requiredOf(MODEL_FIELDS),
  workload: requiredOf(WORKLOAD_FIELDS),
  layout: requiredOf(LAYOUT_FIELDS),
};

function requiredOf(specs: readonly FieldSpec[]): string[] {
  return specs.filter((f) => f.required).map((f) => f.name);
}

/** Mesh fields are also any one-letter axis and its `link_bw_AXIS` / `topology_AXIS` overrides. */
export function meshFieldSpec(name: string): FieldSpec | undefined {
  const fixed = MESH_FIELDS.find((f) => f.name === name);
  if (fixed) return fixed;
  if (/^[a-z]$/.test(name)) return { name, type: q('count'), doc: `number of chips along axis ${name}`, example: '4' };
  const m = /^(link_bw|topology)_([a-z])$/.exec(name);
  if (m) {
    const base = MESH_FIELDS.find((f) => f.name === m[1])!;
    return { ...base, name, doc: `${base.doc.replace('every axis of this mesh', `axis ${m[2]}`)}` };
  }
  return undefined;
}

export function fieldSpec(kind: RecordKind, name: string): FieldSpec | undefined {
  if (kind === 'mesh') return meshFieldSpec(name);
  return FIELDS[kind].find((f) => f.name === name);
}

/** Closest field names, for "did you mean" in `unknown-field`. */
export function similarFields(kind: RecordKind, name: string): string[] {
  const names = FIELDS[kind].map((f) => f.name);
  return names.filter((n) => editDistance(n.toLowerCase(), name.toLowerCase()) <= Math.max(1, Math.floor(n.length / 3)));
}

export function editDistance(a: string, b: string): number {
  const dp = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let prev = dp[0];
    dp[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = dp[j];
      dp[j] = Math.min(dp[j] + 1, dp[j - 1] + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = tmp;
    }
  }
  return dp[b.length];
}
