// `best` (cli.md): search built-in ffn and attention blocks, the partial-axis batch families and the
// file's own blocks (pairs.ts; each phase chosen on its own), mesh
// factorizations of the chip count (or of several), batch sizes and weight dtypes for a layout's
// model, hardware and workload; keep what meets the constraints; return the top N.
//
// Decisions (documented in docs/walkthrough.md):
//   * Prefill and decode blocks are chosen independently. They need not share a stored weight
//     layout: when they do not, memory counts both copies (cost-model.md §4), so the memory
//     constraint is what keeps a pairing honest. The cache re-layout between them is costed
//     once, in prefill (cost-model.md §3).
//   * latency = prefill + all decode steps (a whole request); cost = chips × latency / (prefill
//     tokens + generated tokens), chip-seconds per token of the request.
//   * Only the layout's own weight dtype is tried unless `dtypes` lists others. The cost model has
//     no accuracy term, so a narrower dtype is never slower: trying them all made every top result
//     int4, a model-quality decision the user had not made.
//
// Speed: a phase's time does not depend on the other phase's blocks except through the cache
// re-layout, so each (mesh, batch, dtype) cell costs 9 prefill passes and 9 decode passes and
// combines them (not 81 layouts); dtypes of one byte width share their passes. Cells are visited
// in order of a lower bound that holds for every mesh shape and block pair: each layer must do
// its weight matmuls, 2·tokens·P/chips FLOPs, and read its weights, P·bytes/chips, per pass. Once
// N configurations are known, cells whose bound is worse are skipped. The top N are then costed
// in full (costLayout) and checked for memory; those figures are what is returned.

import type { Analysis } from '../analysis';
import type { Dtype, ResolvedLayout } from '../check/resolved';
import { DTYPE_BYTES } from '../check/resolved';
import { searchPairs } from './pairs';
import { MAX_SEARCH_CONFIGS, SearchTooLarge, throwIfCancelled } from './common';
import { meshFactorizations, type MeshShape } from './meshes';
import { candidateChanges, currentFigures, relativeChange } from './bestCompare';
import { layoutSnippet } from './snippet';
import { latencyBound } from './bestBound';
import { evaluateCell } from './bestCell';
import { isPooled, phaseChipCounts } from './pools';
import { cellObjective, REQUEST_COST_UNIT, requestTokens, workloadsFor, type BestOptions, type BestResult, type Cell, type Ranked } from './bestTypes';

export { ALL_DTYPES } from './bestTypes';
export type { BestCandidate, BestOptions, BestResult, Objective } from './bestTypes';
import type { BestCandidate } from './bestTypes';


/** `2x8x4` back to its shape. */
const shapeOf = (mesh: string) => mesh.split('x').map(Number) as MeshShape;

/** The comment over a candidate's text: its figures against the layout's, and what it changes. */
function candidateComment(name: string, objective: string, c: BestCandidate, current: BestResult['current']): string {
  const against = current ? ` (${relativeChange(c.latency_s, current.latency_s)} latency, ${relativeChange(c.cost_chip_s_per_token, current.cost_chip_s_per_token)} cost against ${name})` : '';
  return [
    `shardlens best #${c.rank} for ${name} (${objective}): latency ${c.latency_s.toPrecision(4)} s, ${(c.cost_chip_s_per_token * 1e3).toPrecision(4)} ${REQUEST_COST_UNIT}${against}`,
    c.changes.length ? `changes from ${name}: ${c.changes.join('; ')}` : `the configuration of ${name} itself`,
    ...(c.sameAs.length ? [`the same figures on ${c.sameAs.join(', ')}`] : []),
  ].join('\n');
}

/** Search; pure, deterministic. Throws `SearchCancelled` when cancelled. */
export function best(analysis: Analysis, layout: ResolvedLayout, options: BestOptions = {}): BestResult {
  const objective = options.objective ?? 'latency';
  const top = Math.max(1, options.top ?? 5);
  const requireFit = options.requireFit ?? true;
  const maxLatency = options.maxLatency ?? Infinity;
  const prune = options.prune ?? options.pairs === undefined;
  // Two pools (per-phase meshes): each pool re-factored on its own chip counts (search/pools.ts).
  const pooled = isPooled(layout);
  const chipsList = pooled ? [...new Set([...phaseChipCounts(layout, 'prefill', options.chips), ...phaseChipCounts(layout, 'decode', options.chips)])] : [...(options.chips ?? [layout.mesh.chips])];
  const batches: (number | undefined)[] = options.batches ? [...options.batches] : [undefined];
  const dtypes = [...new Set(options.dtypes ?? [layout.model.weights])];
  const pairs = {
    prefill: [...(options.pairs?.prefill ?? searchPairs(analysis, layout, 'prefill'))],
    decode: [...(options.pairs?.decode ?? searchPairs(analysis, layout, 'decode'))],
  };
  const hasAttention = [...pairs.prefill, ...pairs.decode].every((p) => p.attention !== 'none');

  // Dtypes of one byte width cost the same: one representative costs the passes.
  const widths = new Map<number, Dtype[]>();
  for (const d of dtypes) widths.set(DTYPE_BYTES[d], [...(widths.get(DTYPE_BYTES[d]) ?? []), d]);

  // One mesh: its shapes. Two pools: every prefill shape with every decode shape.
  const meshChoices: { chips: number; shape: MeshShape; decodePool?: { chips: number; shape: MeshShape } }[] = [];
  const shapesOf = (counts: number[]) => counts.flatMap((chips) => meshFactorizations(chips, options.rule).map((shape) => ({ chips, shape })));
  if (pooled) {
    const decodeShapes = shapesOf(phaseChipCounts(layout, 'decode', options.chips));
    for (const p of shapesOf(phaseChipCounts(layout, 'prefill', options.chips))) for (const d of decodeShapes) meshChoices.push({ ...p, decodePool: d });
  } else meshChoices.push(...shapesOf(chipsList));
  const cells: Cell[] = [];
  for (const choice of meshChoices) {
    for (const batch of batches) {
      const w = workloadsFor(layout, batch);
      for (const group of widths.values()) {
        const prefillBound = latencyBound(layout, choice.chips, w, group[0], hasAttention).prefill;
        const decodeBound = latencyBound(layout, choice.decodePool?.chips ?? choice.chips, w, group[0], hasAttention).decode;
        cells.push({ ...choice, batch, dtypes: group, bound: cellObjective(objective, choice, prefillBound, decodeBound, requestTokens(w)), decodeBound });
      }
    }
  }
  cells.sort((a, b) => a.bound - b.bound);

  const stats = { space: cells.reduce((s, c) => s + c.dtypes.length, 0) * pairs.prefill.length * pairs.decode.length, passes: 0, layouts: 0, cells: cells.length, cellsSkipped: 0 };
  // Each cell costs its block pairs per phase (prefill and decode are chosen independently).
  const evaluations = cells.reduce((s, c) => s + c.dtypes.length, 0) * (pairs.prefill.length + pairs.decode.length);
  if (evaluations > MAX_SEARCH_CONFIGS) throw new SearchTooLarge('search', evaluations);
  const kept: Ranked[] = [];
  const threshold = () => (kept.length < top ? Infinity : kept[kept.length - 1].objective);
  const slack = 1 + 1e-9;

  for (let ci = 0; ci < cells.length; ci++) {
    throwIfCancelled(options.cancel);
    const cell = cells[ci];
    options.onProgress?.(ci, cells.length);
    // A cell can only hold a configuration if its bound beats the N-th best and the latency cap.
    // (cost ≤ the larger pool's chips × latency / tokens, so this stays a bound on two pools.)
    const latencyLowerBound = objective === 'latency' ? cell.bound : (cell.bound * requestTokens(workloadsFor(layout, cell.batch))) / Math.max(cell.chips, cell.decodePool?.chips ?? 0);
    if (prune && (cell.bound > threshold() * slack || latencyLowerBound > maxLatency * slack)) {
      stats.cellsSkipped++;
      continue;
    }
    evaluateCell(analysis, layout, cell, pairs, { objective, maxLatency, requireFit, top, kept, stats, threshold, slack, useBound: prune });
  }
  options.onProgress?.(cells.length, cells.length);

  const candidates = kept.map(({ objective: _o, ...c }, i) => ({ ...c, rank: i + 1 }));
  const taken = new Set<string>();
  const current = currentFigures(layout);
  for (const c of candidates) {
    c.changes = candidateChanges(layout, c);
    c.text = layoutSnippet(analysis, layout, { name: `${layout.name}_best${c.rank}`, shape: c.shape, alsoShapes: c.pools ? [] : c.sameAs.map(shapeOf), ...(c.pools ? { pools: { prefill: c.pools.prefill.shape, decode: c.pools.decode.shape } } : {}), weights: c.weights, workload: c.workload, prefill: c.prefill, decode: c.decode, comment: candidateComment(layout.name, objective, c, current) }, taken);
  }
  const result: BestResult = {
    layout: layout.name,
    model: layout.model.name,
    hardware: layout.mesh.hardware.name,
    objective,
    ...(pooled ? { pooled } : {}),
    ...(Number.isFinite(maxLatency) ? { maxLatency } : {}),
    requireFit,
    ...(current ? { current } : {}),
    candidates,
    stats,
  };
  if (!candidates.length) {
    result.message = cells.length === 0
      ? `no mesh: ${chipsList.join(', ')} chips cannot be split into power-of-two axes${options.rule ? ' that the axis rule allows' : ''}`
      : `no configuration ${Number.isFinite(maxLatency) ? `meets the latency limit of ${maxLatency} s${requireFit ? ' and ' : ''}` : ''}${requireFit ? 'fits in memory' : 'resolves'}; try more chips, a narrower dtype or a smaller batch`;
  }
  return result;
}

