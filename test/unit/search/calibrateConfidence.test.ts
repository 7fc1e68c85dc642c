// calibrate says how sure it is (issue 14): each row's error when the fit leaves it out, a range
// for each fitted field over those fits, and warnings when the rows cannot fix the fields.

import { describe, expect, it } from 'vitest';
import { calibrate, predictRows } from '../../../server/src/engine/search/calibrate/index';
import type { CalibrationRow } from '../../../server/src/engine/search/calibrate/csv';
import { renderCalibrationJson, renderCalibrationText } from '../../../server/src/engine/search/calibrate/render';
import { analyzed, readRepoFile } from './helpers';

const FILE = readRepoFile('examples/search/calibration.shard');
const TRUTH = { flops_eff: 0.62, hbm_eff: 0.71, link_eff: 0.55, collective_latency: 8e-6, op_overhead: 3e-6 };
const SPEC: [string, 'prefill' | 'decode', number, number][] = [
  ['ws2d_both', 'prefill', 1, 64], ['ws2d_both', 'decode', 64, 64], ['ws2d_both', 'decode', 512, 64], ['ws2d_both', 'decode', 32, 16],
  ['wg_prefill', 'prefill', 64, 64], ['wg_prefill', 'prefill', 512, 32], ['megatron', 'prefill', 4, 64], ['megatron', 'decode', 64, 64],
  ['megatron', 'decode', 1, 8],
];

function rowsFrom(truth: Partial<typeof TRUTH>, spec = SPEC): CalibrationRow[] {
  const { analysis } = analyzed(FILE);
  const rows: CalibrationRow[] = spec.map(([layout, phase, batch, chips], i) => ({ line: i + 2, layout, phase, batch, prompt: 2048, generate: 64, seconds: 1, chips }));
  const seconds = predictRows(analysis, rows, 'tpu_v4', truth);
  return rows.map((r, i) => ({ ...r, seconds: seconds[i] }));
}

describe('calibrate: leave-one-out errors and ranges', () => {
  it('each row\'s left-out error is the fit to the other rows predicting it', () => {
    const { analysis } = analyzed(FILE);
    // The model's own times, scaled by a known miss on two rows: a fit cannot pass through them.
    const rows = rowsFrom(TRUTH).map((r, i) => ({ ...r, seconds: r.seconds * (i === 2 ? 1.3 : i === 6 ? 0.8 : 1) }));
    const result = calibrate(analysis, rows, { hardware: 'tpu_v4' });
    for (const i of [0, 2, 6]) {
      const rest = rows.filter((_, j) => j !== i);
      const alone = calibrate(analysis, rest, { hardware: 'tpu_v4', leaveOneOut: false });
      const predicted = predictRows(analysis, [rows[i]], 'tpu_v4', alone.values)[0];
      expect(Math.abs(result.rows[i].error_left_out! - (predicted / rows[i].seconds - 1))).toBeLessThan(0.01);
    }
    // A row the others contradict is predicted worse left out than fitted.
    expect(Math.abs(result.rows[2].error_left_out!)).toBeGreaterThan(Math.abs(result.rows[2].error_after));
    const loo = result.rows.map((r) => r.error_left_out!);
    expect(result.max_abs_error_left_out).toBeCloseTo(Math.max(...loo.map(Math.abs)), 12);
    expect(result.rms_log_error_left_out).toBeCloseTo(Math.sqrt(loo.reduce((s, e) => s + Math.log(1 + e) ** 2, 0) / loo.length), 12);
  });

  it('on consistent rows the left-out errors vanish and each range holds the true value', () => {
    const { analysis } = analyzed(FILE);
    const result = calibrate(analysis, rowsFrom(TRUTH), { hardware: 'tpu_v4' });
    for (const r of result.rows) expect(Math.abs(r.error_left_out!)).toBeLessThan(0.01);
    expect(result.fields.map((f) => f.parameter)).toEqual(result.fitted);
    for (const f of result.fields) {
      const truth = TRUTH[f.parameter as keyof typeof TRUTH];
      expect(f.low).toBeLessThanOrEqual(f.value);
      expect(f.high).toBeGreaterThanOrEqual(f.value);
      expect(f.low).toBeLessThan(truth * 1.02);
      expect(f.high).toBeGreaterThan(truth * 0.98);
      expect(f.poorly_determined).toBe(false);
    }
  });

  it('fewer rows than fields: the extra fields keep their values and the notes say which and why', () => {
    const { analysis } = analyzed(FILE);
    const rows = rowsFrom(TRUTH).slice(0, 3);
    const result = calibrate(analysis, rows, { hardware: 'tpu_v4' });
    expect(result.fitted.length).toBeLessThanOrEqual(3);
    expect(result.kept.length).toBe(5 - result.fitted.length);
    for (const k of result.kept) expect(result.messages.some((m) => m.startsWith(`${k.parameter} is not identifiable`))).toBe(true);
    if (result.fitted.length === 3) expect(result.messages.some((m) => m.includes('3 rows fix 3 fields') && m.includes('leave-one-out'))).toBe(true);
  });

  it('a field the data pushes past its range is reported at its bound', () => {
    const { analysis } = analyzed(FILE);
    // Times 0.9× of the model at full efficiency on compute-bound prefills: flops_eff would need to exceed 1.
    const spec = SPEC.filter(([, phase, batch]) => phase === 'prefill' && batch >= 64);
    const rows = rowsFrom({ flops_eff: 1, hbm_eff: 1, link_eff: 1, collective_latency: 0, op_overhead: 0 }, spec).map((r) => ({ ...r, seconds: r.seconds * 0.9 }));
    const result = calibrate(analysis, rows, { hardware: 'tpu_v4', parameters: ['flops_eff'] });
    const f = result.fields.find((x) => x.parameter === 'flops_eff')!;
    expect(f.at_bound).toBe('high');
    expect(result.messages.some((m) => m.startsWith('flops_eff ends at the high end of its range'))).toBe(true);
  });

  it('text and JSON show the ranges and the left-out errors', () => {
    const { analysis } = analyzed(FILE);
    const result = calibrate(analysis, rowsFrom(TRUTH), { hardware: 'tpu_v4' });
    const text = renderCalibrationText(result);
    expect(text).toContain('fitted fields:');
    expect(text).toMatch(/flops_eff\s+0\.62\s+0\.6\d* – 0\.6\d*/);
    expect(text).toContain('left out');
    expect(text).toMatch(/left out: [\d.e-]+, largest ±\d+\.\d%/);
    const json = JSON.parse(renderCalibrationJson(result));
    expect(json.fields[0]).toMatchObject({ parameter: 'flops_eff' });
    expect(typeof json.rows[0].error_left_out).toBe('number');
    expect(typeof json.max_abs_error_left_out).toBe('number');
  });
});
