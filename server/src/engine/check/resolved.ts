// What the checker hands to the cost model: every layout with its model, mesh, hardware,
// workload and per-phase blocks resolved, defaults applied, and each block's values typed.
// Quantities are in base units (bytes, B/s, FLOP/s, s). The cost model reads only these types.

import type { BlockDecl, BlockKind, DimGroup, RecordDecl, Span, Stmt, SourceFile } from '../syntax/ast';
import type { ShardType } from './shardType';

export type Dtype = 'bf16' | 'fp8' | 'int8' | 'int4' | 'mxfp4';
// mxfp4 (OCP Microscaling Formats v1.0): 4-bit E2M1 values in blocks of 32 sharing one 8-bit
// scale, (32·4 + 8) / 32 = 4.25 bits = 0.53125 B a value.
export const DTYPE_BYTES: Record<Dtype, number> = { bf16: 2, fp8: 1, int8: 1, int4: 0.5, mxfp4: 4.25 / 8 };
export type Topology = 'torus' | 'switch';
export type Phase = 'prefill' | 'decode';
export const PHASES: readonly Phase[] = ['prefill', 'decode'];

/** Where a resolved declaration came from, for hovers, go-to-definition and related information. */
export interface Origin {
  source: SourceFile;
  span: Span;
}

/**
 * The calibration fields (cost-model.md §10) and their nominal values, the defaults of a hardware
 * block: peak rates, no fixed costs, full overlap. A hardware that sets any other value is
 * calibrated (cost/basis.ts).
 */
export const NOMINAL_CALIBRATION = { flops_eff: 1, hbm_eff: 1, link_eff: 1, collective_latency: 0, op_overhead: 0, overlap_fraction: 1 } as const;

export interface HardwareSpec {
  name: string;
  flops: number;
  hbm: number;
  hbm_bw: number;
  link_bw: number;
  topology: Topology;
  flops_eff: number;
  hbm_eff: number;
  link_eff: number;
  collective_latency: number;
  op_overhead: number;
  /**
   * Under `overlap = collective_einsum`: the fraction f of the shorter side of an einsum and its
   * collectives that runs hidden under the longer one (cost-model.md §5): a group takes
   * t_einsum + t_collectives − f·min(t_einsum, t_collectives). 1 (the default) is full overlap.
   */
  overlap_fraction: number;
  /**
   * Network tiers (docs/language.md "Network tiers"): how many chips share one scale-up domain
   * (an NVLink/NVSwitch box or rack), and the scale-out network between domains per chip: its
   * one-direction bandwidth and the latency each collective step over it adds. Absent on
   * hardware that declares no tiers (every axis then uses `link_bw`).
   */
  scaleup_domain?: number;
  scaleout_bw?: number;
  scaleout_latency?: number;
  /** Further calibration fields (cost-model.md §5), by name, in base units. */
  extra: Record<string, number>;
  origin?: Origin;
}

export interface MeshAxis {
  name: string;
  size: number;
  /** One direction, one link: the mesh's `link_bw_AXIS` or the hardware's `link_bw`. */
  link_bw: number;
  topology: Topology;
  /** Torus wraparound on this axis (bidirectional ring). Irrelevant on a switch axis. */
  wrap: boolean;
  /**
   * The tier the axis lies on, on hardware with a `scaleup_domain` (absent otherwise): inside one
   * scale-up domain, over the scale-out network, or spanning both (its first `scaleUp.size`
   * chips share a domain; groups of them talk over the network, a hierarchical collective).
   */
  tier?: 'scale-up' | 'scale-out' | 'spans';
  /** α added to each collective step over this axis: the network's `scaleout_latency` off the scale-up domain. */
  latency?: number;
  /** On a `spans` axis: the part inside one scale-up domain (its size, link and topology). */
  scaleUp?: { size: number; link_bw: number; topology: Topology };
}

/**
 * What a mesh declaration wrote besides its axis sizes (`link_bw`, `topology`, `wrap`,
 * `link_bw_AXIS`, `topology_AXIS`), in base units: kept so that a search that re-factors the
 * chip count builds its meshes with the same settings.
 */
export type MeshSettings = Readonly<Record<string, number | string>>;

export interface MeshSpec {
  name: string;
  hardware: HardwareSpec;
  /** In mesh declaration order; `x`, `y` and `z` are always present (size 1 when not declared). */
  axes: MeshAxis[];
  chips: number;
  /** The declared settings the axes were built from (see MeshSettings). */
  settings?: MeshSettings;
  origin?: Origin;
}

export interface ModelDims {
  E: number;
  F: number;
  H: number;
  K: number;
  Q: number;
  V: number;
  /**
   * Multi-head latent attention (DeepSeek-V2/V3; docs/language.md "Multi-head latent attention"):
   * the query latent rank, the latent KV rank (what the cache keeps per token with the rope part)
   * and the rope dims per head. 0 on a model without MLA.
   */
  A: number;
  C: number;
  R: number;
  /**
   * Mixture of experts (docs/language.md "Mixture of experts"): routed experts X (1 on a dense
   * model), an expert's d_ff G, the shared experts' d_ff together S (shared_experts × G, 0 when
   * none), and the experts each token is routed to, top_k.
   */
  X: number;
  G: number;
  S: number;
  top_k: number;
}

/** The weight matrices of one layer's FFN for each model `ffn` kind: gelu w_in, w_out; swiglu adds w_gate. */
export const FFN_MATRICES: Readonly<Record<'gelu' | 'swiglu', number>> = { gelu: 2, swiglu: 3 };

export interface ModelSpec {
  name: string;
  layers: number;
  dims: ModelDims;
  ffn: 'gelu' | 'swiglu';
  block: 'serial' | 'parallel';
  weights: Dtype;
  kv: Dtype;
  /** The nominal parameter count that MFU uses (given, or counted from the dims). */
  params: number;
  paramsGiven: boolean;
  tied_embeddings: boolean;
  /**
   * Sliding-window attention (docs/cost-model.md "Layers that differ"): `local_layers` of the
   * `layers` attend to at most the last `window` positions and keep only those in their KV cache;
   * the others attend to the whole context. Absent: every layer is global.
   */
  window?: number;
  local_layers?: number;
  /**
   * Mixture of experts (docs/cost-model.md "Layers that differ"): how many layers have a dense
   * FFN of width F instead of the experts (DeepSeek-V3's first three). Absent on a dense model
   * and on an MoE model whose every layer is MoE.
   */
  dense_layers?: number;
  /** The routed experts' weight dtype when it differs from `weights` (gpt-oss: mxfp4). */
  expert_weights?: Dtype;
  origin?: Origin;
}

export interface WorkloadSpec {
  batch: number;
  prompt: number;
  generate: number;
  /** MoE routing imbalance: the busiest expert's tokens over the mean (1 = balanced; absent = 1). */
  capacity_factor?: number;
}

/** One value of a block: a declaration (`in`, `weight`, `cache`) or an operation. */
export interface CheckedValue {
  name: string;
  /** `in`, `weight`, `cache`, or the operation name (`einsum`, `all_gather`, …). */
  op: string;
  /** Operand value names (operations only). */
  args: string[];
  /** Axes argument of collectives and `slice`, in the order written. */
  axes: string[];
  /** The value's type: the annotation when given, else the inferred type. Undefined after an error. */
  type?: ShardType;
  stmt: Stmt;
  /** For an einsum whose operands pair K with H (grouped heads): true. */
  groupedHeads?: boolean;
}

export interface CheckedBlock {
  name: string;
  kind: BlockKind;
  decl: BlockDecl;
  /** Values in statement order. */
  values: CheckedValue[];
  byName: Map<string, CheckedValue>;
  input?: CheckedValue;
  output?: CheckedValue;
  /** No error was found in the block. */
  ok: boolean;
  isPrelude: boolean;
  /** Axis letters and sharded dims written in the block, kept once the layout checks need them. */
  usage?: BlockUsage;
}

/** What the per-layout checks need of a block (check/blocks.ts `usageOf`). */
export interface BlockUsage {
  /** Bit (1 << letter - 'a') of every axis letter the block writes; see `axisLetterBit`. */
  axisMask: number;
  /** The sharded dims, grouped by letter and axes as written (`B_xyz` is written many times). */
  dimSets: DimSet[];
}

/** One sharded dim as written (letter and axes in order) and every place it is written. */
export interface DimSet {
  letter: string;
  axes: string[];
  groups: DimGroup[];
}

/**
 * Pipeline parallelism (docs/language.md "Pipelines", cost/pipeline.ts): the layers split into
 * `stages` stages along one mesh axis; each stage runs its layers on `stageMesh`, the phase's mesh
 * with that axis set to 1, and the batch goes through in `microbatches` groups of B / microbatches.
 */
export interface PipelineSpec {
  axis: string;
  /** The size of the pipeline axis. */
  stages: number;
  microbatches: number;
  /** The chips of one stage: the phase's mesh with the pipeline axis of size 1. */
  stageMesh: MeshSpec;
}

export interface PhaseSpec {
  phase: Phase;
  /**
   * The mesh this phase runs on: the layout's, or the phase's own `mesh` (disaggregated serving).
   * When the two phases' meshes differ, the KV cache is sent from the prefill chips to the decode
   * chips (cost/transfer.ts).
   */
  mesh: MeshSpec;
  workload: WorkloadSpec;
  ffn: CheckedBlock;
  /** `null` for `attention = none`. */
  attention: CheckedBlock | null;
  /** The unembedding used in this phase (its `in` is this phase's residual type); `null`: not costed. */
  unembed: CheckedBlock | null;
  /**
   * The ffn block of the model's dense layers (`dense_layers` of an MoE model): the layout's
   * `dense_ffn`, or the built-in dense ffn sharing the MoE block's residual stream. Absent when
   * the model has no dense layers, or none was found (they are then costed with `ffn`).
   */
  denseFfn?: CheckedBlock;
  /** `pipeline = AXIS`: the phase's layers run in stages along that axis. Absent: no pipeline. */
  pipeline?: PipelineSpec;
}

/** How attention runs: `fused` keeps the scores on chip, `unfused` writes them to HBM (cost/plan.ts). */
export type AttentionKernel = 'fused' | 'unfused';

export interface ResolvedLayout {
  name: string;
  decl: RecordDecl;
  model: ModelSpec;
  /** The layout's mesh (the decode mesh when only the phases name one); each phase's is `prefill.mesh`, `decode.mesh`. */
  mesh: MeshSpec;
  workload: WorkloadSpec;
  prefill: PhaseSpec;
  decode: PhaseSpec;
  /** The decode phase's unembedding block (the embedding table's stored layout); `null` when none applies. */
  unembed: CheckedBlock | null;
  overlap: 'none' | 'collective_einsum';
  /** `attention_kernel`: fused (default) costs each attention's scores, softmax and values as one op. */
  attentionKernel: AttentionKernel;
  /** `kv_budget` as a fraction of HBM, when the layout gives it. */
  kvBudget?: number;
  /** `measured { … }`: real results of this configuration, shown beside the prediction. */
  measured?: MeasuredResults;
}

export interface MeasuredResults {
  prefill_s?: number;
  decode_s?: number;
  decode_step_s?: number;
  prefill_mfu?: number;
  decode_mfu?: number;
  source?: 'paper' | 'measured';
}

/** A layout that could not be resolved to something costable, and why. */
export interface UncostableLayout {
  name: string;
  decl: RecordDecl;
  reason: string;
  /** The model, mesh and workload names when known (for reports). */
  model?: string;
  mesh?: string;
}
