// The operation table: every operation of the language, once. The checker types statements with
// `type`, the cost plan compiles `cost` and `dtype`, the explanations follow `cost`, and editor
// features (completion, signature help, hovers, semantic tokens) read names, signatures and docs
// from here. A test fails if any other engine file lists operations.

import type { CollectiveDef, CollectiveKind, CostRule, OperationDef } from './operation';
import { EINSUM } from './einsum';
import { ALL_GATHER, ALL_REDUCE, ALL_TO_ALL, EXCHANGE, GATHER, REDUCE_SCATTER, SLICE } from './collectives';
import { ADD, APPEND, GELU, LAYERNORM, RMSNORM, SILU, SOFTMAX, SWIGLU } from './elementwise';
import { COMBINE, DISPATCH } from './moe';

/** In the order completion offers them. */
const DEFINITIONS: readonly OperationDef[] = [EINSUM, ALL_GATHER, REDUCE_SCATTER, ALL_REDUCE, ALL_TO_ALL, SLICE, APPEND, GELU, SILU, SWIGLU, ADD, SOFTMAX, LAYERNORM, RMSNORM, DISPATCH, COMBINE];

export const OPERATIONS: ReadonlyMap<string, OperationDef> = new Map(DEFINITIONS.map((d) => [d.name, d]));

/** Every operation, in table order. */
export function allOperations(): readonly OperationDef[] {
  return DEFINITIONS;
}

export function operation(name: string): OperationDef | undefined {
  return OPERATIONS.get(name);
}

/** The collective kind an operation is costed as, if it communicates. */
export function collectiveOf(op: string): CollectiveKind | undefined {
  const rule = OPERATIONS.get(op)?.cost;
  return rule?.kind === 'collective' ? rule.collective.kind : undefined;
}

/** True for an operation costed as a collective (all_gather, reduce_scatter, …; not slice). */
export function isCollective(op: string): boolean {
  return collectiveOf(op) !== undefined;
}

/** True for an operation with a trailing AXES argument (the collectives and slice). */
export function takesAxes(op: string): boolean {
  return OPERATIONS.get(op)?.takesAxes ?? false;
}

/** The cost rule of an operation (undefined for declarations and unknown names). */
export function costRule(op: string): CostRule | undefined {
  return OPERATIONS.get(op)?.cost;
}

/** Every collective kind some operation is costed as. */
export const COLLECTIVE_KINDS: readonly CollectiveKind[] = [...new Set(DEFINITIONS.flatMap((d) => (d.cost.kind === 'collective' ? [d.cost.collective.kind] : [])))];

/**
 * The collectives that re-lay out a prefilled KV cache for decode (cost/cacheConversion.ts): axes
 * that move between dims are exchanged, axes the decode layout drops are gathered.
 */
export const CACHE_CONVERSION: { readonly move: CollectiveDef; readonly drop: CollectiveDef } = { move: EXCHANGE, drop: GATHER };
