// Mesh factorization (cli.md "Sweep meshes"): a chip count split into x·y·z with power-of-two
// sizes, each factorization costed, the one with the lowest latency kept. Ties go to the most
// cubic shape (smallest spread between the largest and smallest axis, in powers of two), then
// to the larger x, then to the larger y, so the choice never depends on enumeration order.

import type { Analysis } from '../analysis';
import type { HardwareSpec, MeshSpec, ResolvedLayout } from '../check/resolved';
import { meshFromSettings } from '../check/records';
import { costLayout } from '../cost/index';
import type { LayoutCost } from '../cost/types';
import { isPowerOfTwo, layoutVariant, throwIfCancelled, type LayoutChange, type RunControl } from './common';

export type MeshShape = [x: number, y: number, z: number];

/**
 * Which axis sizes a hardware can be sliced into. Not a hardware field yet: the caller passes it.
 * `maxAxis` caps each axis (an NVSwitch domain of 8 GPUs: `maxAxis: 8`); `minAxis` is the
 * smallest size an axis longer than 1 may have (TPU v4 slices grow in steps of whole 4-chip
 * sides above 4 chips along an axis: `minAxis: 4` forbids 2 on an axis of a large slice; Pope
 * App. D gives 4 as the smallest v4 torus side). Both apply to axes of size > 1 only.
 */
export interface AxisRule {
  minAxis?: number;
  maxAxis?: number;
}

/** Every (x, y, z) of powers of two with x·y·z = chips that the rule allows, x-major order. */
export function meshFactorizations(chips: number, rule: AxisRule = {}): MeshShape[] {
  if (!isPowerOfTwo(chips)) return [];
  const allowed = (s: number) => s === 1 || ((rule.minAxis === undefined || s >= rule.minAxis) && (rule.maxAxis === undefined || s <= rule.maxAxis));
  const out: MeshShape[] = [];
  for (let x = 1; x <= chips; x *= 2) {
    for (let y = 1; x * y <= chips; y *= 2) {
      const z = chips / (x * y);
      if (allowed(x) && allowed(y) && allowed(z)) out.push([x, y, z]);
    }
  }
  return out;
}

/** log2 spread of the axis sizes: 0 for a cube; the tie-break prefers smaller. */
export function cubicSpread(shape: MeshShape): number {
  const logs = shape.map((s) => Math.log2(s));
  return Math.max(...logs) - Math.min(...logs);
}

/** Orders shapes for ties: most cubic first, then larger x, then larger y. Negative: `a` first. */
export function compareShapesForTie(a: MeshShape, b: MeshShape): number {
  return cubicSpread(a) - cubicSpread(b) || b[0] - a[0] || b[1] - a[1];
}

export function shapeName(shape: MeshShape): string {
  return `${shape[0]}x${shape[1]}x${shape[2]}`;
}

/** A mesh of `hardware` with axes x, y, z of the shape (wrap, links and tiers as the hardware's defaults). */
export function meshOfShape(hardware: HardwareSpec, shape: MeshShape, name = `mesh_${shapeName(shape)}`): MeshSpec {
  return meshFromSettings(name, hardware, [['x', shape[0]], ['y', shape[1]], ['z', shape[2]]], {});
}

/** The order of x, y and z in `mesh` (innermost first: the order tiers are laid in). */
export function axisOrder(mesh: MeshSpec): ('x' | 'y' | 'z')[] {
  const out: ('x' | 'y' | 'z')[] = [];
  for (const a of mesh.axes) if (a.name === 'x' || a.name === 'y' || a.name === 'z') out.push(a.name);
  return out;
}

/**
 * `mesh` re-factored into `shape`: what varies is the sizes of x, y and z; what is kept is the
 * hardware, the order of the axes and every setting the mesh declared (`link_bw_AXIS`,
 * `topology_AXIS`, `link_bw`, `topology`, `wrap`). Defaults that depend on the sizes are derived
 * again for the new sizes, as for a declared mesh: wraparound when `wrap` is not declared, and
 * which axes lie on the scale-up domain or the network.
 */
export function refactoredMesh(mesh: MeshSpec, shape: MeshShape, name = `${mesh.name}_${shapeName(shape)}`): MeshSpec {
  const size = { x: shape[0], y: shape[1], z: shape[2] };
  return meshFromSettings(name, mesh.hardware, axisOrder(mesh).map((a) => [a, size[a]]), mesh.settings ?? {});
}

/**
 * Where the mesh's axes lie on the hardware's network tiers, for the text `best` prints:
 * `x = 8 in one scale-up domain; y = 8 over the network`. Undefined without tiers.
 */
export function tierSummary(mesh: MeshSpec): string | undefined {
  const parts: string[] = [];
  for (const a of mesh.axes) {
    if (a.size === 1 || !a.tier) continue;
    if (a.tier === 'scale-up') parts.push(`${a.name} = ${a.size} in one scale-up domain`);
    else if (a.tier === 'scale-out' || !a.scaleUp) parts.push(`${a.name} = ${a.size} over the network`);
    else parts.push(`${a.name} = ${a.size} spans ${a.scaleUp.size} in a domain × ${a.size / a.scaleUp.size} over the network`);
  }
  return parts.length ? `tiers of ${mesh.hardware.name} (${mesh.hardware.scaleup_domain} chips per scale-up domain): ${parts.join('; ')}` : undefined;
}

/** Which latency a factorization is chosen by. `total` = prefill + all decode steps. */
export type LatencyMeasure = 'total' | 'prefill' | 'decode';

export function latencyOf(cost: LayoutCost, measure: LatencyMeasure): number {
  if (measure === 'prefill') return cost.prefill.latency.value;
  if (measure === 'decode') return cost.decode.latency.value;
  return cost.totalLatency.value;
}

export interface FactorizationTrial {
  shape: MeshShape;
  layout: ResolvedLayout;
  cost: LayoutCost;
}

export interface FactorizationResult {
  chips: number;
  /** Every factorization that resolved, costed, in enumeration order. */
  trials: FactorizationTrial[];
  /** Shapes the checker rejected (a dim smaller than its shards). */
  rejected: MeshShape[];
}

export interface FactorizeOptions extends RunControl {
  rule?: AxisRule;
  /** Applied with each mesh: another batch, blocks, weights. */
  change?: Omit<LayoutChange, 'mesh'>;
}

/** Costs the layout on every factorization of `chips` (the same hardware as its mesh). */
export function costFactorizations(analysis: Analysis, layout: ResolvedLayout, chips: number, options: FactorizeOptions = {}): FactorizationResult {
  const trials: FactorizationTrial[] = [];
  const rejected: MeshShape[] = [];
  const shapes = meshFactorizations(chips, options.rule);
  shapes.forEach((shape, i) => {
    throwIfCancelled(options.cancel);
    const mesh = refactoredMesh(layout.mesh, shape);
    const variant = layoutVariant(analysis, layout, { ...options.change, mesh });
    if (variant) trials.push({ shape, layout: variant, cost: costLayout(variant) });
    else rejected.push(shape);
    options.onProgress?.(i + 1, shapes.length);
  });
  return { chips, trials, rejected };
}

/** The trial with the lowest latency by `measure`, ties as cli.md says; undefined when none resolved. */
export function bestTrial(trials: readonly FactorizationTrial[], measure: LatencyMeasure = 'total'): FactorizationTrial | undefined {
  let best: FactorizationTrial | undefined;
  for (const t of trials) {
    if (!best) { best = t; continue; }
    const d = latencyOf(t.cost, measure) - latencyOf(best.cost, measure);
    if (d < 0 || (d === 0 && compareShapesForTie(t.shape, best.shape) < 0)) best = t;
  }
  return best;
}

/** Factorize and keep the best: the `sweep` and `calibrate --chips` mesh for a chip count. */
export function bestFactorization(analysis: Analysis, layout: ResolvedLayout, chips: number, options: FactorizeOptions & { measure?: LatencyMeasure } = {}): FactorizationTrial | undefined {
  return bestTrial(costFactorizations(analysis, layout, chips, options).trials, options.measure);
}
