// Search over layouts (issue 6): mesh factorization, sweeps with Pareto frontiers (Pope Fig. 1),
// FFN crossovers (Pope Fig. 3), `best`, and calibration. Pure functions returning data, and
// renderers returning strings; long runs take `{ cancel, onProgress }`.

export { SearchCancelled, SearchTooLarge, MAX_SEARCH_CONFIGS, layoutVariant, phaseBlocksOf, powersOfTwoUpTo, isPowerOfTwo } from './common';
export type { Cancellation, ProgressCallback, RunControl, BlockPair, LayoutChange } from './common';
export { meshFactorizations, cubicSpread, compareShapesForTie, shapeName, meshOfShape, refactoredMesh, axisOrder, costFactorizations, bestTrial, bestFactorization, latencyOf } from './meshes';
export type { MeshShape, AxisRule, LatencyMeasure, FactorizationTrial, FactorizationResult, FactorizeOptions } from './meshes';
export { paretoFrontier, dominates } from './frontier';
export type { CostLatency } from './frontier';
export { sweep, DEFAULT_SWEEP_BATCHES } from './sweep';
export type { SweepOptions, SweepResult, SweepPoint, SweepPhasePoint } from './sweep';
export { renderSweepText, renderSweepJson, renderSweepCsv, sweepJson, SWEEP_CSV_COLUMNS } from './sweepRender';
export type { SweepJson } from './sweepRender';
export { crossover, crossoverFfnText, layoutTokensText, minVolumeEnvelope, volumeAt, renderCrossoverText } from './crossover';
export type { CrossoverOptions, CrossoverResult, VolumeLine, EnvelopeSegment, SwitchPoint } from './crossover';
export { best, ALL_DTYPES } from './best';
export { REQUEST_COST_UNIT } from './bestTypes';
export { relativeChange } from './bestCompare';
export type { BestOptions, BestResult, BestCandidate, Objective } from './best';
export { renderBestText, renderBestJson, bestJson } from './bestRender';
export type { BestJson, BestCandidateJson } from './bestRender';
export { layoutSnippet, freshName } from './snippet';
// The sweep and crossover charts are drawn through the chart registry (../charts/registry.ts).
export { calibrate, predictRows, predictRow, prepareRows, hardwareBlock, CalibrationError, parseCalibrationCsv, formatProblem, REQUIRED_COLUMNS, FIT_PARAMETERS } from './calibrate/index';
export type { CalibrateOptions, CalibrationResult, CalibrationRowResult, CalibrationRow, CsvProblem, FitParameter, PreparedRow } from './calibrate/index';
export { renderCalibrationText, renderCalibrationJson } from './calibrate/render';
