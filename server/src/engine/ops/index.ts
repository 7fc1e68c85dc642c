// The operation table and its types (see table.ts).
export { OPERATIONS, allOperations, operation, collectiveOf, isCollective, takesAxes, costRule, COLLECTIVE_KINDS, CACHE_CONVERSION } from './table';
export { collectiveVolume } from './operation';
export type { OperationDef, CostRule, CollectiveDef, CollectiveKind, ExchangeWords, CollectiveVolume, Normalisation, ResultDtype, TypingContext, OperandInfo, OperationClass, Report } from './operation';
