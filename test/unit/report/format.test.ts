// The one formatter of human units (report/format.ts): memory in binary units, rates in decimal.
// Expectations are worked out by hand in the comments.

import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { BYTE_UNITS, byteUnitFor, formatBytes, formatFlopRate, formatRate, formatValue, grouped, sig } from '../../../server/src/engine/report/format';

describe('memory sizes in binary units', () => {
  it('uses B, KiB, MiB, GiB and TiB, three significant digits', () => {
    expect(BYTE_UNITS.map(([name]) => name)).toEqual(['TiB', 'GiB', 'MiB', 'KiB', 'B']);
    expect(formatBytes(32 * 2 ** 30)).toBe('32 GiB'); // TPU v4's hbm = 32 GiB reads as written
    expect(formatBytes(80e9)).toBe('74.5 GiB'); // 80e9 / 1,073,741,824 = 74.51
    expect(formatBytes(3 * 2 ** 40)).toBe('3 TiB');
    expect(formatBytes(1536)).toBe('1.5 KiB');
    expect(formatBytes(32768)).toBe('32 KiB'); // 64 × 256 bf16 = 32,768 B
    expect(formatBytes(0)).toBe('0 B');
    expect(formatBytes(512)).toBe('512 B');
  });

  it('never prints four digits of a unit: from 999.5 of one it moves to the next', () => {
    expect(formatBytes(999 * 2 ** 20)).toBe('999 MiB');
    expect(formatBytes(1000 * 2 ** 20)).toBe('0.977 GiB'); // 1000 / 1024 = 0.9766
    expect(formatBytes(1023)).toBe('0.999 KiB'); // 1023 / 1024 = 0.99902
    expect(byteUnitFor(999.4)).toEqual(['B', 1]);
    expect(byteUnitFor(2 ** 30)).toEqual(['GiB', 2 ** 30]);
  });

  it('memory figures in explanations go through it', () => {
    expect(formatValue(2 ** 27, 'B')).toBe('128 MiB');
  });
});

describe('rates in decimal units', () => {
  it('bandwidths in GB/s and TB/s (10⁹ and 10¹² bytes a second), FLOP rates in TFLOP/s', () => {
    expect(formatRate(1.2e12)).toBe('1.2 TB/s');
    expect(formatRate(45e9)).toBe('45 GB/s');
    expect(formatRate(500e6)).toBe('500 MB/s');
    expect(formatValue(3.35e12, 'B/s')).toBe('3.35 TB/s');
    expect(formatFlopRate(275e12)).toBe('275 TFLOP/s');
  });
});

describe('thousands separators', () => {
  it('group integers as the en-US locale does, by hand', () => {
    expect(grouped(134217728)).toBe('134,217,728');
    expect(grouped(-1234)).toBe('-1,234');
    expect(grouped(999)).toBe('999');
    expect(grouped(1000)).toBe('1,000');
    expect(sig(123456.7)).toBe('123,457'); // past 3 digits, rounded and grouped
    expect(grouped(1e21)).toBe((1e21).toLocaleString('en-US')); // past toString's digits: the locale's text
  });

  it('agree with toLocaleString on any safe integer, and sig with it on any number past its digits', () => {
    fc.assert(fc.property(fc.maxSafeInteger(), (n) => grouped(n) === n.toLocaleString('en-US') || (Object.is(n, -0) && grouped(n) === '0')));
    fc.assert(fc.property(fc.double({ min: -1e18, max: 1e18, noNaN: true }).filter((x) => Math.abs(x) >= 1000), (x) => sig(x) === Math.round(x).toLocaleString('en-US')));
  });
});
