// What an operation of the language is: one definition per operation kind, from which the checker
// (its typing rule), the compiled cost plan (its cost rule, dtype and collective kind) and the
// explanations of its figures all read. Adding an operation is adding one `OperationDef` to
// table.ts (with its tests); nothing else lists operations.

import type { Ident, LetStmt, SourceFile, Span } from '../syntax/ast';
import type { DiagnosticCode, QuickFix, RelatedInfo } from '../diagnostics';
import type { CheckedValue } from '../check/resolved';
import type { ShardType } from '../check/shardType';

/** The collectives of the α–β model (cost/collectives.ts); each has its own volume and time rule. */
export type CollectiveKind = 'all_gather' | 'reduce_scatter' | 'all_reduce' | 'all_to_all';

/**
 * Pope's per-chip communication volume D of a collective (App. A.1): the per-chip output (an
 * all-gather), the per-chip input (a reduce-scatter, an all-to-all), or twice the input (an
 * all-reduce, a reduce-scatter followed by an all-gather).
 */
export type CollectiveVolume = 'output' | 'input' | 'twice-input';

/**
 * A collective of the α–β model: its per-chip volume D, how D changes from phase to phase when
 * the collective runs as several phases (one per network tier or switch axis, cost/collectives.ts),
 * and its time on torus axes: `ring` moves D·(P−1)/P over the sum of the axes' bandwidths,
 * `slowest-ring` moves D·size/4 over the slowest axis (an all-to-all, the scaling book's estimate).
 */
export interface CollectiveDef {
  readonly kind: CollectiveKind;
  readonly volume: CollectiveVolume;
  readonly acrossPhases: 'grows' | 'shrinks' | 'constant';
  readonly torus: 'ring' | 'slowest-ring';
  /** The exchange in words, for Show Sharding and `shardlens show` (sharding/tiles.ts fills the parts). */
  readonly exchange: (w: ExchangeWords) => string;
}

/** The parts of a collective's description that depend on the statement and the mesh. */
export interface ExchangeWords {
  /** The axes it runs over, e.g. `yz`. */
  over: string;
  /** Chips per group. */
  n: number;
  /** `the other 3 chips of its group`. */
  others: string;
  /** The changed dims' extents before and after, e.g. `E 0:288`; empty when none changes. */
  before: string;
  after: string;
  /** The axes its operand is a partial sum over. */
  partialOver: string;
  /** For an all-to-all: which dims lose and gain which axes. */
  moved: string;
}

/** D for a collective whose operand has `inputBytes` and result `outputBytes` per chip. */
export function collectiveVolume(c: CollectiveDef, inputBytes: number, outputBytes: number): number {
  return c.volume === 'output' ? outputBytes : c.volume === 'twice-input' ? 2 * inputBytes : inputBytes;
}

/**
 * How an operation is costed on one chip (cost-model docs, "per operation"):
 * - `roofline`: an einsum on the roofline, max(FLOPs / compute rate, HBM bytes / memory rate);
 * - `collective`: the α–β time of `collective` over its axes for the volume `volume`;
 * - `local`: no compute, no memory traffic, no communication (each chip keeps its part);
 * - `cache-write`: writes the new positions of a cache in place (bytes of its second operand);
 * - `elementwise`: reads its operands and writes its result at HBM bandwidth; with `normalises`,
 *   the statistics over that dim are combined with the `statistic` collective when it is sharded.
 */
export type CostRule =
  | { readonly kind: 'roofline' }
  | { readonly kind: 'collective'; readonly collective: CollectiveDef }
  | { readonly kind: 'local' }
  | { readonly kind: 'cache-write' }
  | { readonly kind: 'elementwise'; readonly normalises?: Normalisation };

/**
 * A normalising operation's reduction: the dim it normalises over, how many fp32 statistics it
 * keeps per row (max and sum for softmax, mean and variance for layernorm, the mean square for
 * rmsnorm), and the collective that combines them when that dim is sharded.
 */
export interface Normalisation {
  readonly dim: 'T' | 'E';
  readonly statistics: number;
  readonly statistic: CollectiveDef;
}

/**
 * The dtype of an operation's result: computed values are bf16; data movement keeps its first
 * operand's dtype; cache updates are stored at the model's `kv` dtype.
 */
export type ResultDtype = 'computed' | 'operand' | 'kv';

/** How a value is known to the typing rule of an operation that reads it. */
export interface OperandInfo {
  /** Where the value is defined (its name). */
  def: Ident;
  kind: 'in' | 'weight' | 'cache' | 'op';
}

export type Report = (code: DiagnosticCode, span: Span, message: string, fixes?: QuickFix[], related?: RelatedInfo[]) => void;

/** What a typing rule sees of one statement whose operands are all typed. */
export interface TypingContext {
  stmt: LetStmt;
  source: SourceFile;
  report: Report;
  operands: OperandInfo[];
  types: ShardType[];
  /** The AXES argument, for operations that take one. */
  axes: string[];
  axesIdent?: Ident;
  annotation?: ShardType;
}

/** Semantic-token class of the operation's name in the editor. */
export type OperationClass = 'einsum' | 'collective' | 'function';

export interface OperationDef {
  readonly name: string;
  /** Operand values (not counting the AXES argument). */
  readonly operands: number;
  /** Takes a trailing AXES argument. */
  readonly takesAxes: boolean;
  readonly annotationRequired: boolean;
  readonly signature: string;
  readonly doc: string;
  readonly class: OperationClass;
  /**
   * The typing rule: the result type, or undefined after reporting why there is none. It may
   * record facts about the statement on `value` (an einsum's grouped heads).
   */
  readonly type: (ctx: TypingContext, value: CheckedValue) => ShardType | undefined;
  readonly cost: CostRule;
  readonly dtype: ResultDtype;
}

/**
 * An operation from its signature as users see it: `all_gather(t, AXES)`, `einsum(a, b) : TYPE`.
 * The name, the number of operands, whether it takes AXES and whether it needs an annotation are
 * read from the signature, so they cannot disagree with what completion and hovers show.
 */
export function defineOperation(signature: string, cls: OperationClass, type: OperationDef['type'], cost: CostRule, dtype: ResultDtype, doc: string): OperationDef {
  const open = signature.indexOf('(');
  const params = signature.slice(open + 1, signature.indexOf(')')).split(',').map((p) => p.trim());
  const takesAxes = params[params.length - 1] === 'AXES';
  return {
    name: signature.slice(0, open),
    operands: params.length - (takesAxes ? 1 : 0),
    takesAxes,
    annotationRequired: signature.endsWith(': TYPE'),
    signature,
    doc,
    class: cls,
    type,
    cost,
    dtype,
  };
}
