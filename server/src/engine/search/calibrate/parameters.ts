// The calibration fields the fit can move (cost-model.md §5), their valid ranges, and the map
// between a bounded value and the unbounded parameter the solver moves:
//   flops_eff, hbm_eff, link_eff   fractions in [0.01, 1]:    v = 0.01 + 0.99·σ(θ)
//   collective_latency, op_overhead  times in [1 ns, 1 ms]:  log10 v = −9 + 6·σ(θ)
// σ is the logistic function, so any θ gives a valid value and the fit never leaves the range.
// `matmul_knee` is not fitted: the cost model does not read it yet.

import type { HardwareSpec } from '../../check/resolved';

export type FitParameter = 'flops_eff' | 'hbm_eff' | 'link_eff' | 'collective_latency' | 'op_overhead';
export const FIT_PARAMETERS: readonly FitParameter[] = ['flops_eff', 'hbm_eff', 'link_eff', 'collective_latency', 'op_overhead'];

const EFF_MIN = 0.01;
const TIME_LOG_MIN = -9;
const TIME_LOG_SPAN = 6;

export function isTime(p: FitParameter): boolean {
  return p === 'collective_latency' || p === 'op_overhead';
}

const sigmoid = (t: number) => 1 / (1 + Math.exp(-t));
const logit = (u: number) => Math.log(u / (1 - u));
const clampOpen = (u: number) => Math.min(1 - 1e-9, Math.max(1e-9, u));

export function toValue(p: FitParameter, theta: number): number {
  return isTime(p) ? 10 ** (TIME_LOG_MIN + TIME_LOG_SPAN * sigmoid(theta)) : EFF_MIN + (1 - EFF_MIN) * sigmoid(theta);
}

/** θ for a value; values on or past a bound map to just inside it (a time of 0 to 1 ns). */
export function toTheta(p: FitParameter, value: number): number {
  if (isTime(p)) return logit(clampOpen((Math.log10(Math.max(value, 1e-12)) - TIME_LOG_MIN) / TIME_LOG_SPAN));
  return logit(clampOpen((value - EFF_MIN) / (1 - EFF_MIN)));
}

/** Where the fit starts: the hardware's own values, with zero times moved to 1 µs so they matter. */
export function startValue(p: FitParameter, hw: HardwareSpec): number {
  const v = hw[p];
  if (isTime(p)) return v > 0 ? v : 1e-6;
  return Math.min(0.99, v);
}

export function withParameters(hw: HardwareSpec, values: Partial<Record<FitParameter, number>>): HardwareSpec {
  return { ...hw, ...values };
}
