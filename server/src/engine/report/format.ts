// Human units for reports, hovers, explanations, charts and the CLI: the one formatter every
// figure goes through. Memory sizes are in binary units (B, KiB, MiB, GiB, TiB), the units HBM
// capacities are written in (TPU v4's `hbm = 32 GiB` prints as 32 GiB), so a layout's footprint
// reads against its HBM in one unit everywhere. Rates stay decimal (GB/s, TFLOP/s), as data
// sheets state them (docs/cli.md, "Units"); a formula that divides a size by a rate shows each
// in its own unit and the time it computed.

import type { Unit } from '../cost/explained';

/** Three significant digits, trailing zeros trimmed, no exponent for ordinary magnitudes. */
export function sig(x: number, digits = 3): string {
  if (!Number.isFinite(x)) return String(x);
  if (x === 0) return '0';
  const a = Math.abs(x);
  if (a >= 10 ** digits) return groupedInteger(Math.round(x));
  const s = x.toPrecision(digits);
  if (s.includes('e')) return Number(s).toString();
  return s.includes('.') ? s.replace(/\.?0+$/, '') : s;
}

/** An integer with thousands separators: 134,217,728. */
export function grouped(x: number): string {
  if (!Number.isFinite(x)) return String(x);
  return Number.isInteger(x) ? groupedInteger(x) : x.toLocaleString('en-US', { maximumFractionDigits: 3 });
}

/**
 * `n.toLocaleString('en-US')` for an integer, without the locale machinery, which costs tens of
 * microseconds a call: messages and tables format thousands of figures. Past 1e21, where
 * `toString` turns to exponents, the locale's own text.
 */
function groupedInteger(n: number): string {
  const digits = String(Math.abs(n));
  if (digits.includes('e')) return n.toLocaleString('en-US');
  let out = '';
  for (let end = digits.length; end > 0; end -= 3) out = end > 3 ? `,${digits.slice(end - 3, end)}${out}` : `${digits.slice(0, end)}${out}`;
  return n < 0 ? `-${out}` : out;
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

/** The memory units, largest first: what every byte figure and byte axis is written in. */
export const BYTE_UNITS: readonly (readonly [name: string, bytes: number])[] = [['TiB', 2 ** 40], ['GiB', 2 ** 30], ['MiB', 2 ** 20], ['KiB', 2 ** 10], ['B', 1]];

/**
 * The unit a byte figure is written in: the largest that `bytes` is at least one of, or at least
 * 999.5 of the unit below (which would round to four digits), so that 1,000 MiB reads 0.977 GiB.
 */
export function byteUnitFor(bytes: number): readonly [name: string, bytes: number] {
  const a = Math.abs(bytes);
  for (let i = 0; i < BYTE_UNITS.length - 1; i++) {
    const [, k] = BYTE_UNITS[i];
    if (a >= k || a >= 999.5 * BYTE_UNITS[i + 1][1]) return BYTE_UNITS[i];
  }
  return BYTE_UNITS[BYTE_UNITS.length - 1];
}

/** A memory size in binary units, three significant digits: 32 GiB, 128 MiB, 512 B. */
export function formatBytes(b: number): string {
  if (!Number.isFinite(b)) return String(b);
  const [name, k] = byteUnitFor(b);
  return `${sig(b / k)} ${name}`;
}

/**
 * A file's size where the editor's size limit is stated: MB to one decimal from 0.1 MB up, and
 * below that in kB or bytes, so that a small file or limit never reads "0.0 MB". This one is
 * decimal on purpose: the limit is a count of characters (1,000,000), not memory.
 */
export function formatFileSize(chars: number): string {
  if (chars >= 1e5) return `${(chars / 1e6).toFixed(1)} MB`;
  return chars >= 1e3 ? `${sig(chars / 1e3)} kB` : `${sig(chars)} B`;
}

/** The decimal rate prefixes, largest first: bandwidths are GB/s (10⁹ bytes a second). */
const RATE_UNITS: readonly (readonly [name: string, scale: number])[] = [['TB', 1e12], ['GB', 1e9], ['MB', 1e6], ['kB', 1e3], ['B', 1]];

/** A bandwidth in decimal units: 1.2 TB/s, 45 GB/s. */
export function formatRate(bps: number): string {
  if (!Number.isFinite(bps)) return String(bps);
  const a = Math.abs(bps);
  const [name, k] = RATE_UNITS.find(([, scale]) => a >= scale) ?? RATE_UNITS[RATE_UNITS.length - 1];
  return `${sig(bps / k)} ${name}/s`;
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
