// Human units for reports, hovers, explanations, charts and the CLI. Every byte figure is in
// powers of 1000 (B, kB, MB, GB, TB), the units of the paper (GB = 1e9) and of every bandwidth
// (GB/s): a size divided by a bandwidth then reads as a time without converting, and the same
// figure reads the same in every view. A capacity written in binary units is shown in decimal
// ones: TPU v4's `hbm = 32 GiB` is 34.4 GB (docs/cli.md, "Units").

import type { Unit } from '../cost/explained';

/** Three significant digits, trailing zeros trimmed, no exponent for ordinary magnitudes. */
export function sig(x: number, digits = 3): string {
  if (!Number.isFinite(x)) return String(x);
  if (x === 0) return '0';
  const a = Math.abs(x);
  if (a >= 10 ** digits) return Math.round(x).toLocaleString('en-US');
  const s = x.toPrecision(digits);
  if (s.includes('e')) return Number(s).toString();
  return s.includes('.') ? s.replace(/\.?0+$/, '') : s;
}

/** An integer with thousands separators: 134,217,728. */
export function grouped(x: number): string {
  if (!Number.isFinite(x)) return String(x);
  return Number.isInteger(x) ? x.toLocaleString('en-US') : x.toLocaleString('en-US', { maximumFractionDigits: 3 });
}

export function formatSeconds(s: number): string {
  if (!Number.isFinite(s)) return String(s);
  const a = Math.abs(s);
  if (a === 0) return '0 s';
  if (a < 1e-6) return `${sig(s * 1e9)} ns`;
  if (a < 1e-3) return `${sig(s * 1e6)} µs`;
  if (a < 1) return `${sig(s * 1e3)} ms`;
  return `${sig(s)} s`;
}

/** The byte units, largest first: what every byte figure and byte axis is written in. */
export const BYTE_UNITS: readonly (readonly [name: string, bytes: number])[] = [['TB', 1e12], ['GB', 1e9], ['MB', 1e6], ['kB', 1e3], ['B', 1]];

/** The largest byte unit that `bytes` is at least one of (B below 1 kB). */
export function byteUnitFor(bytes: number): readonly [name: string, bytes: number] {
  const a = Math.abs(bytes);
  return BYTE_UNITS.find(([, k]) => a >= k) ?? BYTE_UNITS[BYTE_UNITS.length - 1];
}

export function formatBytes(b: number): string {
  if (!Number.isFinite(b)) return String(b);
  const [name, k] = byteUnitFor(b);
  return `${sig(b / k)} ${name}`;
}

/**
 * A file's size where the editor's size limit is stated: MB to one decimal from 0.1 MB up, and
 * below that in kB or bytes, so that a small file or limit never reads "0.0 MB".
 */
export function formatFileSize(bytes: number): string {
  return bytes >= 1e5 ? `${(bytes / 1e6).toFixed(1)} MB` : formatBytes(bytes);
}

export function formatRate(bps: number): string {
  return `${formatBytes(bps)}/s`;
}

export function formatFlops(f: number): string {
  if (!Number.isFinite(f)) return String(f);
  const a = Math.abs(f);
  for (const [name, k] of [['PFLOP', 1e15], ['TFLOP', 1e12], ['GFLOP', 1e9], ['MFLOP', 1e6], ['kFLOP', 1e3]] as const) {
    if (a >= k) return `${sig(f / k)} ${name}`;
  }
  return `${sig(f)} FLOP`;
}

export function formatFlopRate(f: number): string {
  return `${formatFlops(f)}/s`;
}

export function formatPercent(fraction: number): string {
  return `${sig(fraction * 100)}%`;
}

/** A plain count: exact integers grouped, others to three significant digits. */
export function formatCount(x: number): string {
  return Number.isInteger(x) ? grouped(x) : sig(x);
}

/** Format a value with its unit, as the explanations show inputs. */
export function formatValue(value: number, unit: Unit): string {
  switch (unit) {
    case 's': return formatSeconds(value);
    case 'B': return formatBytes(value);
    case 'B/s': return formatRate(value);
    case 'FLOP': return formatFlops(value);
    case 'FLOP/s': return formatFlopRate(value);
    case 'tokens': return `${formatCount(value)} tokens`;
    case 'chips': return formatCount(value);
    case 'elements': return formatCount(value);
    default: return formatCount(value);
  }
}
