// calibrate: CSV problems name the row and column; the fit recovers known efficiency factors
// from data the model itself generated; too few rows and one-phase data say so; fitted on half
// of the paper's Table 2/3 rows, it predicts the other half better than the nominal model.

import { describe, expect, it } from 'vitest';
import { calibrate, CalibrationError, predictRows } from '../../../server/src/engine/search/calibrate/index';
import { parseCalibrationCsv, type CalibrationRow } from '../../../server/src/engine/search/calibrate/csv';
import { renderCalibrationText } from '../../../server/src/engine/search/calibrate/render';
import { analyzed, readRepoFile, seededRandom } from './helpers';
import { table23 } from './paperTable23';

describe('parseCalibrationCsv', () => {
  it('reads rows in any column order, with chips optional and extra columns ignored', () => {
    const csv = 'seconds,phase,layout,batch,prompt,generate,chips,notes\n0.25,prefill,a,1,2048,64,16,first run\n0.03,Decode,b,64,2048,64,,\n';
    const { rows, problems } = parseCalibrationCsv(csv);
    expect(problems).toEqual([]);
    expect(rows).toEqual([
      { line: 2, layout: 'a', phase: 'prefill', batch: 1, prompt: 2048, generate: 64, seconds: 0.25, chips: 16 },
      { line: 3, layout: 'b', phase: 'decode', batch: 64, prompt: 2048, generate: 64, seconds: 0.03 },
    ]);
  });

  it('names the row and column of each bad value', () => {
    const csv = 'layout,phase,batch,prompt,generate,seconds\na,prefill,1,2048,64,0.2\na,decoding,0,2048,64,-1\n,prefill,x,2048,64,\n';
    const { rows, problems } = parseCalibrationCsv(csv);
    expect(rows.length).toBe(1);
    const where = problems.map((p) => [p.line, p.column]);
    expect(where).toEqual([[3, 'phase'], [3, 'batch'], [3, 'seconds'], [4, 'layout'], [4, 'batch'], [4, 'seconds']]);
    expect(problems[0].message).toBe('row 2 (line 3), column `phase`: `decoding` is not `prefill` or `decode`');
    expect(problems[1].message).toBe('row 2 (line 3), column `batch`: `0` is not a positive whole number');
    expect(problems[5].message).toMatch(/^row 3 \(line 4\), column `seconds`: is empty/);
  });

  it('names missing header columns', () => {
    const { problems } = parseCalibrationCsv('layout,phase,batch,seconds\na,prefill,1,0.2\n');
    expect(problems.length).toBe(1);
    expect(problems[0].message).toContain('`prompt`, `generate`');
  });
});

const FILE = readRepoFile('examples/search/calibration.shard');
const TRUTH = { flops_eff: 0.62, hbm_eff: 0.71, link_eff: 0.55, collective_latency: 8e-6, op_overhead: 3e-6 };
const SPEC: [string, 'prefill' | 'decode', number, number][] = [
  ['ws2d_both', 'prefill', 1, 64], ['ws2d_both', 'prefill', 1, 16], ['ws2d_both', 'decode', 64, 64], ['ws2d_both', 'decode', 16, 16],
  ['ws2d_both', 'decode', 512, 64], ['ws2d_both', 'decode', 32, 16], ['wg_prefill', 'prefill', 64, 64], ['wg_prefill', 'prefill', 512, 32],
  ['megatron', 'prefill', 4, 64], ['megatron', 'decode', 64, 64], ['megatron', 'decode', 1, 8], ['megatron', 'prefill', 1, 8],
];

function syntheticRows(): CalibrationRow[] {
  const { analysis } = analyzed(FILE);
  const rows: CalibrationRow[] = SPEC.map(([layout, phase, batch, chips], i) => ({ line: i + 2, layout, phase, batch, prompt: 2048, generate: 64, seconds: 1, chips }));
  const seconds = predictRows(analysis, rows, 'tpu_v4', TRUTH);
  return rows.map((r, i) => ({ ...r, seconds: seconds[i] }));
}

describe('calibrate', () => {
  it('recovers known efficiency factors (to 1%) from times the model generated', () => {
    const { analysis } = analyzed(FILE);
    const result = calibrate(analysis, syntheticRows(), { hardware: 'tpu_v4' });
    expect(result.fitted).toEqual(['flops_eff', 'hbm_eff', 'link_eff', 'collective_latency', 'op_overhead']);
    for (const [k, v] of Object.entries(TRUTH)) expect(Math.abs(result.values[k as keyof typeof TRUTH] / v - 1)).toBeLessThan(0.01);
    expect(result.rms_log_error_after).toBeLessThan(1e-3);
    expect(result.rms_log_error_before).toBeGreaterThan(0.1);
    expect(result.text).toMatch(/^# .*\nhardware tpu_v4_calibrated = tpu_v4 \{\n  flops_eff = 0\.62\n/);
  });

  it('prints a block that, pasted, reproduces the fitted predictions', () => {
    const { analysis } = analyzed(FILE);
    const rows = syntheticRows();
    const result = calibrate(analysis, rows, { hardware: 'tpu_v4' });
    const pasted = analyzed(`${FILE.replace(/tpu_v4 \{ x = 4/, 'tpu_v4_calibrated { x = 4')}\n${result.text}`);
    // Rows on the file's own 64-chip mesh. A row with another chip count is re-factored to the
    // fastest shape for the hardware it is costed on: calibrate picks it with the nominal tpu_v4,
    // the pasted file with the calibrated one, and since collectives stream over all the chip's
    // links (issue 14) the two can pick different shapes of 16 chips (2x4x2 against 4x2x2).
    const own = rows.filter((r) => r.chips === 64);
    const after = predictRows(pasted.analysis, own, 'tpu_v4_calibrated');
    expect(own.length).toBeGreaterThanOrEqual(6);
    after.forEach((a, i) => expect(Math.abs(a / own[i].seconds - 1)).toBeLessThan(1e-3));
    expect(renderCalibrationText(result)).toContain('rms log error');
  });

  it('stops when cancelled', () => {
    const { analysis } = analyzed(FILE);
    const cancel = { cancelled: false };
    expect(() => calibrate(analysis, syntheticRows(), { hardware: 'tpu_v4', cancel, onProgress: (done) => { if (done >= 1) cancel.cancelled = true; } })).toThrow('search cancelled');
  });

  it('a chips value that is not a power of two names the row', () => {
    const { analysis } = analyzed(FILE);
    const rows = syntheticRows();
    rows[0] = { ...rows[0], chips: 48 };
    expect(() => calibrate(analysis, rows, { hardware: 'tpu_v4' })).toThrow('row 1 (line 2), column `chips`: 48 is not a power of two');
  });

  it('too few rows: a clear error', () => {
    const { analysis } = analyzed(FILE);
    expect(() => calibrate(analysis, syntheticRows().slice(0, 1), { hardware: 'tpu_v4' })).toThrow(/at least 2 measured rows/);
  });

  it('bad layout names and hardware name the row', () => {
    const { analysis } = analyzed(FILE);
    const rows = syntheticRows();
    rows[1] = { ...rows[1], layout: 'nope' };
    try {
      calibrate(analysis, rows, { hardware: 'tpu_v4' });
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(CalibrationError);
      expect((e as CalibrationError).problems).toEqual([{ line: 3, column: 'layout', message: 'row 2 (line 3), column `layout`: the file has no layout `nope`' }]);
    }
    expect(() => calibrate(analysis, syntheticRows(), { hardware: 'h100' })).toThrow(/runs on `tpu_v4`, not `h100`/);
  });

  it('one phase only, and unidentifiable fields: notes, fields kept', () => {
    const { analysis } = analyzed(FILE);
    const decode = syntheticRows().filter((r) => r.phase === 'decode' && r.layout === 'ws2d_both').slice(0, 2);
    const result = calibrate(analysis, decode, { hardware: 'tpu_v4' });
    expect(result.messages.some((m) => m.includes('every row is a decode measurement'))).toBe(true);
    expect(result.fitted.length).toBeLessThanOrEqual(2);
    expect(result.kept.length).toBe(5 - result.fitted.length);
    for (const k of result.kept) expect(result.messages.some((m) => m.startsWith(`${k.parameter} is not identifiable`))).toBe(true);
  });
});

describe('calibrate on the paper (Table 2/3): fit on half, predict the other half', () => {
  // One layout per row and the rows as the CSV gives them (paperTable23.ts): prefill rows are
  // whole prefills, decode rows one step of the paper's 64.
  const { text, rows: csvRows } = table23();

  it('half the rows (seeded, both phases in each half) fit; the held-out rows improve', () => {
    // A layout whose other phase would not fit in memory is still costed (the rows time one phase).
    const { analysis } = analyzed(text, 'table23.shard', ['out-of-memory']);
    const rand = seededRandom(2022);
    const fitIdx: number[] = [];
    for (const phase of ['prefill', 'decode']) {
      const idx = csvRows.map((r, i) => (r.phase === phase ? i : -1)).filter((i) => i >= 0);
      for (let k = idx.length - 1; k > 0; k--) { const j = Math.floor(rand() * (k + 1)); [idx[k], idx[j]] = [idx[j], idx[k]]; }
      fitIdx.push(...idx.slice(0, idx.length / 2));
    }
    const fitRows = fitIdx.map((i) => csvRows[i]);
    const heldOut = csvRows.filter((_, i) => !fitIdx.includes(i));
    const result = calibrate(analysis, fitRows, { hardware: 'tpu_v4' });
    const rmsLog = (pred: number[]) => Math.sqrt(pred.reduce((s, p, i) => s + Math.log(p / heldOut[i].seconds) ** 2, 0) / pred.length);
    const before = rmsLog(predictRows(analysis, heldOut, 'tpu_v4'));
    const after = rmsLog(predictRows(analysis, heldOut, 'tpu_v4', result.values));
    console.log(`Table 2/3, ${fitRows.length} rows fitted (${fitRows.map((r) => r.layout).join(', ')}), ${heldOut.length} held out: ` +
      `rms log error on held-out rows ${before.toFixed(3)} uncalibrated → ${after.toFixed(3)} calibrated; on fitted rows ${result.rms_log_error_before.toFixed(3)} → ${result.rms_log_error_after.toFixed(3)}; ` +
      `fitted ${result.fitted.map((p) => `${p} = ${result.values[p].toPrecision(3)}`).join(', ')}`);
    for (const [i, r] of heldOut.entries()) {
      const p0 = predictRows(analysis, [r], 'tpu_v4')[0];
      const p1 = predictRows(analysis, [r], 'tpu_v4', result.values)[0];
      console.log(`  held out ${r.layout} ${r.phase} C${r.chips} B${r.batch}: measured ${r.seconds.toPrecision(3)} s, nominal ${p0.toPrecision(3)} s (${((p0 / r.seconds - 1) * 100).toFixed(0)}%), calibrated ${p1.toPrecision(3)} s (${((p1 / r.seconds - 1) * 100).toFixed(0)}%)`);
      void i;
    }
    expect(after).toBeLessThan(before);
  });
});

describe('calibrate: the overlap fraction', () => {
  // The same layouts with their collectives under their einsums (Looped CollectiveEinsum): rows
  // on them respond to overlap_fraction, so calibrate offers it beside the five fields.
  const text = `${FILE}
layout ws2d_both_o = ws2d_both { overlap = collective_einsum }
layout wg_prefill_o = wg_prefill { overlap = collective_einsum }
layout megatron_o = megatron { overlap = collective_einsum }
`;
  const truth = { ...TRUTH, overlap_fraction: 0.4 };
  const rowsOf = (suffix: string) => {
    const { analysis } = analyzed(text);
    const rows: CalibrationRow[] = SPEC.map(([layout, phase, batch, chips], i) => ({ line: i + 2, layout: layout + suffix, phase, batch, prompt: 2048, generate: 64, seconds: 1, chips }));
    const seconds = predictRows(analysis, rows, 'tpu_v4', truth);
    return { analysis, rows: rows.map((r, i) => ({ ...r, seconds: seconds[i] })) };
  };

  it('recovers a known fraction (to 1%) with the five fields from times the model generated', () => {
    const { analysis, rows } = rowsOf('_o');
    const result = calibrate(analysis, rows, { hardware: 'tpu_v4', leaveOneOut: false });
    expect(result.fitted).toEqual(['flops_eff', 'hbm_eff', 'link_eff', 'collective_latency', 'op_overhead', 'overlap_fraction']);
    for (const [k, v] of Object.entries(truth)) expect(Math.abs(result.values[k as keyof typeof truth] / v - 1), k).toBeLessThan(0.01);
    expect(result.rms_log_error_after).toBeLessThan(1e-3);
    expect(result.text).toContain('  overlap_fraction = 0.4\n');
  }, 300_000);

  it('is not offered when no row overlaps: the rows cannot respond to it', () => {
    const { analysis, rows } = rowsOf('');
    const result = calibrate(analysis, rows.slice(0, 8), { hardware: 'tpu_v4', leaveOneOut: false });
    expect(result.fitted).not.toContain('overlap_fraction');
    expect(result.kept.map((k) => k.parameter)).not.toContain('overlap_fraction');
  }, 300_000);
});
