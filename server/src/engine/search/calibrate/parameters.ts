// The calibration fields the fit can move (cost-model.md §5), their valid ranges, and the map
// between a bounded value and the unbounded parameter the solver moves:
//   flops_eff, hbm_eff, link_eff,  fractions in [0.01, 1]:    v = 0.01 + 0.99·σ(θ)
//   overlap_fraction
//   collective_latency, op_overhead  times in [1 ns, 1 ms]:  log10 v = −9 + 6·σ(θ)
//   matmul_knee                    local FLOPs in [1e3, 1e13]: log10 v = 3 + 10·σ(θ)
// σ is the logistic function, so any θ gives a valid value and the fit never leaves the range.
// `matmul_knee` (a matmul efficiency that grows with the local matmul size) lives in the
// hardware's `extra` fields; it is offered to the fit only when the cost model reads it, which
// calibrate finds out by trying it. So is `overlap_fraction`, which only a row whose layout sets
// `overlap = collective_einsum` (and has a collective to hide) responds to.

import type { HardwareSpec } from '../../check/resolved';

export type FitParameter = 'flops_eff' | 'hbm_eff' | 'link_eff' | 'collective_latency' | 'op_overhead' | 'overlap_fraction' | 'matmul_knee';
/** The fields every fit tries. */
export const FIT_PARAMETERS: readonly FitParameter[] = ['flops_eff', 'hbm_eff', 'link_eff', 'collective_latency', 'op_overhead'];
/** Also tried when the cost model responds to it. */
export const OPTIONAL_FIT_PARAMETERS: readonly FitParameter[] = ['overlap_fraction', 'matmul_knee'];
export const ALL_FIT_PARAMETERS: readonly FitParameter[] = [...FIT_PARAMETERS, ...OPTIONAL_FIT_PARAMETERS];

const EFF_MIN = 0.01;
/** Each field's range, [low, high], as the map below keeps it. */
export const PARAMETER_RANGE: Readonly<Record<FitParameter, readonly [number, number]>> = {
  flops_eff: [0.01, 1], hbm_eff: [0.01, 1], link_eff: [0.01, 1],
  collective_latency: [1e-9, 1e-3], op_overhead: [1e-9, 1e-3], overlap_fraction: [0.01, 1], matmul_knee: [1e3, 1e13],
};
const TIME_LOG_MIN = -9;
const TIME_LOG_SPAN = 6;

export function isTime(p: FitParameter): boolean {
  return p === 'collective_latency' || p === 'op_overhead';
}

const sigmoid = (t: number) => 1 / (1 + Math.exp(-t));
const logit = (u: number) => Math.log(u / (1 - u));
const clampOpen = (u: number) => Math.min(1 - 1e-9, Math.max(1e-9, u));

const KNEE_LOG_MIN = 3;
const KNEE_LOG_SPAN = 10;

export function toValue(p: FitParameter, theta: number): number {
  if (p === 'matmul_knee') return 10 ** (KNEE_LOG_MIN + KNEE_LOG_SPAN * sigmoid(theta));
  return isTime(p) ? 10 ** (TIME_LOG_MIN + TIME_LOG_SPAN * sigmoid(theta)) : EFF_MIN + (1 - EFF_MIN) * sigmoid(theta);
}

/** θ for a value; values on or past a bound map to just inside it (a time of 0 to 1 ns). */
export function toTheta(p: FitParameter, value: number): number {
  if (p === 'matmul_knee') return logit(clampOpen((Math.log10(Math.max(value, 1)) - KNEE_LOG_MIN) / KNEE_LOG_SPAN));
  if (isTime(p)) return logit(clampOpen((Math.log10(Math.max(value, 1e-12)) - TIME_LOG_MIN) / TIME_LOG_SPAN));
  return logit(clampOpen((value - EFF_MIN) / (1 - EFF_MIN)));
}

/** Where the fit starts: the hardware's own values, with zero times moved to 1 µs so they matter. */
export function startValue(p: FitParameter, hw: HardwareSpec): number {
  const v = valueOf(hw, p);
  if (p === 'matmul_knee') return v > 0 ? v : 1e9;
  if (isTime(p)) return v > 0 ? v : 1e-6;
  // Full overlap (the default 1) sits where the logistic map is flat: start in its middle.
  if (p === 'overlap_fraction') return Math.min(0.5, v);
  return Math.min(0.99, v);
}

/** A second value of the field, in its range, to find out whether the rows respond to it. */
export function probeValue(p: FitParameter, hw: HardwareSpec): number {
  const v = startValue(p, hw);
  return !isTime(p) && p !== 'matmul_knee' ? v / 2 : v * 10;
}

/** The field's current value (`matmul_knee` from `extra`; 0 when unset, i.e. off). */
export function valueOf(hw: HardwareSpec, p: FitParameter): number {
  return p === 'matmul_knee' ? hw.extra.matmul_knee ?? 0 : hw[p];
}

export function withParameters(hw: HardwareSpec, values: Partial<Record<FitParameter, number>>): HardwareSpec {
  const { matmul_knee, ...top } = values;
  const out: HardwareSpec = { ...hw, ...top };
  if (matmul_knee !== undefined) out.extra = { ...hw.extra, matmul_knee };
  return out;
}
