// Quantities with units (spec/language.md §1). A field has a kind; a number written with a unit
// of another kind, or with a unit nobody knows, is a `unit` diagnostic with suggested fixes.

export type QuantityKind = 'flops' | 'bytes' | 'bandwidth' | 'time' | 'fraction' | 'count' | 'number';

export const KIND_NAME: Record<QuantityKind, string> = {
  flops: 'a compute rate (FLOP/s)',
  bytes: 'a size in bytes',
  bandwidth: 'a bandwidth (bytes/s)',
  time: 'a time',
  fraction: 'a fraction',
  count: 'a positive whole number',
  number: 'a number',
};

export const KIND_EXAMPLE: Record<QuantityKind, string> = {
  flops: '275 TFLOP/s',
  bytes: '32 GiB',
  bandwidth: '1.2 TB/s',
  time: '5 us',
  fraction: '30%',
  count: '64',
  number: '1.1e9',
};

interface UnitDef {
  kind: QuantityKind;
  factor: number;
}

const UNITS = new Map<string, UnitDef>();

const SI: [string, number][] = [
  ['', 1],
  ['k', 1e3],
  ['M', 1e6],
  ['G', 1e9],
  ['T', 1e12],
  ['P', 1e15],
];
for (const [p, f] of SI) {
  UNITS.set(`${p}FLOP/s`, { kind: 'flops', factor: f });
  UNITS.set(`${p}FLOPS`, { kind: 'flops', factor: f });
}
const BYTE_UNITS: [string, number][] = [
  ['B', 1],
  ['kB', 1e3],
  ['MB', 1e6],
  ['GB', 1e9],
  ['TB', 1e12],
  ['PB', 1e15],
  ['KiB', 1024],
  ['MiB', 1024 ** 2],
  ['GiB', 1024 ** 3],
  ['TiB', 1024 ** 4],
  ['PiB', 1024 ** 5],
];
for (const [u, f] of BYTE_UNITS) {
  UNITS.set(u, { kind: 'bytes', factor: f });
  UNITS.set(`${u}/s`, { kind: 'bandwidth', factor: f });
}
UNITS.set('s', { kind: 'time', factor: 1 });
UNITS.set('ms', { kind: 'time', factor: 1e-3 });
UNITS.set('us', { kind: 'time', factor: 1e-6 });
UNITS.set('ns', { kind: 'time', factor: 1e-9 });
UNITS.set('%', { kind: 'fraction', factor: 0.01 });

export function unitDef(unit: string): UnitDef | undefined {
  return UNITS.get(unit);
}

/** Known units with the same letters in another case (`KB` → `kB`, `KiB`; `gb/s` → `GB/s`). */
export function suggestUnits(unit: string, kind?: QuantityKind): string[] {
  const lower = unit.toLowerCase();
  const out: string[] = [];
  for (const [u, def] of UNITS) {
    if (kind && def.kind !== kind && !(kind === 'number' || kind === 'count')) continue;
    if (u.toLowerCase() === lower) out.push(u);
  }
  // `KB` could mean 1000 or 1024 bytes: offer both spellings.
  const kibi = unit.replace(/^K(B)/, 'Ki$1');
  if (kibi !== unit && UNITS.has(kibi) && !out.includes(kibi)) out.push(kibi);
  const withS = unit.endsWith('/s') ? undefined : `${unit}/s`;
  if (withS && kind === 'bandwidth' && UNITS.has(withS)) out.push(withS);
  return out;
}

export interface QuantityResult {
  value?: number;
  error?: string;
  fixes?: string[];
}

/** Apply a unit to a number for a field of the given kind. */
export function evalQuantity(value: number, unit: string | undefined, kind: QuantityKind, field: string): QuantityResult {
  if (!Number.isFinite(value)) return { error: `\`${field}\` is too large a number` };
  if (unit === undefined) {
    if (kind === 'count') {
      if (!Number.isInteger(value) || value < 1) return { error: `\`${field}\` must be ${KIND_NAME.count}, not ${value}` };
      if (value > Number.MAX_SAFE_INTEGER) return { error: `\`${field}\` = ${value} is too large` };
    }
    if ((kind === 'flops' || kind === 'bytes' || kind === 'bandwidth') && !(value > 0)) return { error: `\`${field}\` must be more than zero` };
    if (kind === 'fraction' && !(value > 0 && value <= 1)) return { error: `\`${field}\` must be a fraction in (0, 1] (as 0.3 or 30%), not ${value}` };
    return { value };
  }
  const def = UNITS.get(unit);
  if (!def) {
    const fixes = suggestUnits(unit, kind);
    const hint = fixes.length ? `; did you mean ${fixes.map((f) => `\`${f}\``).join(' or ')}?` : `; ${KIND_NAME[kind]} is written like \`${KIND_EXAMPLE[kind]}\``;
    return { error: `unknown unit \`${unit}\`${hint}`, fixes };
  }
  if (kind === 'count' || kind === 'number') {
    if (def.kind === 'fraction' && kind === 'number') return { value: value * def.factor };
    return { error: `\`${field}\` takes ${KIND_NAME[kind]}, without a unit (\`${unit}\` is ${KIND_NAME[def.kind]})` };
  }
  if (def.kind !== kind) {
    const fixes = kind === 'bandwidth' && def.kind === 'bytes' ? [`${unit}/s`] : [];
    return {
      error: `\`${field}\` takes ${KIND_NAME[kind]} (like \`${KIND_EXAMPLE[kind]}\`), but \`${unit}\` is ${KIND_NAME[def.kind]}`,
      fixes,
    };
  }
  const v = value * def.factor;
  if ((kind === 'flops' || kind === 'bytes' || kind === 'bandwidth') && !(v > 0)) return { error: `\`${field}\` must be more than zero` };
  if (!Number.isFinite(v)) return { error: `\`${field}\` is too large a number` };
  if (kind === 'fraction' && !(v > 0 && v <= 1)) return { error: `\`${field}\` must be a fraction in (0, 1], not ${value}${unit}` };
  return { value: v };
}
