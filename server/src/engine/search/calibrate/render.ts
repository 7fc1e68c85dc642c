// Renderers for `calibrate`: the hardware block to paste, then each row's error before and
// after, then notes; and the JSON object.

import { formatSeconds } from '../../report/format';
import { textTable } from '../table';
import type { CalibrationResult } from './index';

const pct = (e: number) => `${e >= 0 ? '+' : ''}${(e * 100).toFixed(1)}%`;

export function renderCalibrationText(result: CalibrationResult): string {
  const rows = result.rows.map((r) => [
    String(r.line), r.layout, r.phase, String(r.batch), `${r.chips} (${r.mesh})`,
    formatSeconds(r.measured_s), formatSeconds(r.before_s), pct(r.error_before), formatSeconds(r.after_s), pct(r.error_after),
  ]);
  const table = textTable([
    { header: 'line' }, { header: 'layout', align: 'left' }, { header: 'phase', align: 'left' }, { header: 'batch' }, { header: 'chips', align: 'left' },
    { header: 'measured' }, { header: 'before' }, { header: 'error' }, { header: 'after' }, { header: 'error' },
  ], rows);
  const notes = result.messages.length ? `\n${result.messages.map((m) => `note: ${m}`).join('\n')}\n` : '';
  return `${result.text}\nper row (prefill: the whole prefill; decode: one step at the mean context):\n\n${table}\n\n` +
    `rms log error: ${result.rms_log_error_before.toPrecision(3)} before, ${result.rms_log_error_after.toPrecision(3)} after (${result.iterations} iterations)\n${notes}`;
}

export function renderCalibrationJson(result: CalibrationResult): string {
  return `${JSON.stringify({ version: 1, ...result }, null, 2)}\n`;
}
