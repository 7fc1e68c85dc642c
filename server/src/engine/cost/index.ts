// The cost model's public surface (cost-model.md). Pure TypeScript: no editor, no I/O.

export { costLayout } from './layout';
// The parameter count is the checker's (it sets ModelSpec.params when a model does not).
export { countParams } from '../check/records';
export { costDiagnostics, phaseLatency, BETTER_LAYOUT_FACTOR, COMM_BOUND_SHARE } from './diagnostics';
export { builtinPairs, builtinVariants } from './variants';
export { builtinFfnNames, builtinFfnTitle } from '../prelude/builtins';
export type { BlockPair, Variant, VariantResolver } from './variants';
export { hops, torusBandwidth, axisBandwidth, participatingAxes, collectiveAffine, explainCollectiveTime } from './collectives';
export type { CollectiveAffine } from './collectives';
export { isCollective } from '../ops/index';
export type { CollectiveKind } from '../ops/index';
export { passSizes, localExtent, localElements, bytesPerElement, axisSizes } from './sizes';
export type { PassSizes } from './sizes';
export { substitute, explained, input } from './explained';
export type { Explained, Input, Unit } from './explained';
export type { Bound, OpCost, OpRole, Totals, BlockCost, LayerCost, PassCost, PhaseCost, MemoryCost, LayoutCost } from './types';
