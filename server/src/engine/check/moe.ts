// Mixture of experts on the checker's side: the parameter count MFU uses for a model with
// routed experts (the active parameters, not all of them), and which stored weights of an ffn
// block are routed experts, router or shared experts (for the model-mismatch check).

import type { ModelSpec } from './resolved';
import { hasDim, type ShardType } from './shardType';

/**
 * What an MoE model's active parameters differ from its dense count by, per the model fields:
 * each layer's dense FFN (`matrices`·E·F) is replaced by the top_k routed experts and the shared
 * experts it runs (`matrices`·E·G each, S = shared_experts·G together) and the router (E·X).
 * MFU counts the FLOPs a token needs, 2 × active parameters (Mixtral 8x22B: ~39B of 141B).
 */
export function activeExpertParamsDelta(layers: number, E: number, F: number, matrices: number, moe: { X: number; G: number; S: number; top_k: number }): number {
  const perLayer = matrices * E * (moe.top_k * moe.G + moe.S) + E * moe.X - matrices * E * F;
  return layers * perLayer;
}

/** A routed expert's matrix: a stored weight with both X (experts) and G (an expert's d_ff). */
export function isExpertMatrix(t: ShardType | undefined): boolean {
  return !!t && hasDim(t, 'X') && hasDim(t, 'G');
}

/**
 * The router (E X, a weight with X but no G) and the shared experts' matrices (with S): stored
 * weights of an MoE block that are not the routed experts' FFN matrices the model's `ffn` counts.
 */
export function isMoeSideWeight(t: ShardType | undefined): boolean {
  return !!t && ((hasDim(t, 'X') && !hasDim(t, 'G')) || hasDim(t, 'S'));
}

/**
 * Whether an ffn block's experts match the model's: an MoE block (routed expert matrices) on a
 * model without experts, or a dense block on a model with experts, is costed for another model.
 * Undefined when they match.
 */
export function expertsMismatch(blockName: string, routedMatrices: number, denseMatrices: number, model: ModelSpec): string | undefined {
  const X = model.dims.X;
  if (routedMatrices > 0 && X <= 1) {
    return `ffn block ${blockName} is a mixture of experts (its weights have X), but model ${model.name} has no routed experts (X = 1): give the model X, G and top_k, or use a dense ffn block`;
  }
  if (routedMatrices === 0 && denseMatrices > 0 && X > 1) {
    return `model ${model.name} has X = ${X} routed experts (top_k = ${model.dims.top_k}), but ffn block ${blockName} is dense (no X E G weights): its weights and FLOPs would be costed for a dense model; use an MoE block (moe_ws, moe_ep_x, moe_ep_xyz${model.dims.S > 0 ? ', moe_ep_xyz_shared' : ''}) or one of your own`;
  }
  return undefined;
}
