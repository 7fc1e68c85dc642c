// Renderers for `calibrate`: the hardware block to paste, each fitted field with its range, each
// row's error before, after, and when left out of the fit, then notes; and the JSON object.

import { formatSeconds } from '../../report/format';
import { textTable } from '../table';
import { formatField, type CalibrationResult } from './index';

const pct = (e: number) => `${e >= 0 ? '+' : ''}${(e * 100).toFixed(1)}%`;

export function renderCalibrationText(result: CalibrationResult): string {
  const loo = result.rows.some((r) => r.error_left_out !== undefined);
  const rows = result.rows.map((r) => [
    String(r.line), r.layout, r.phase, String(r.batch), `${r.chips} (${r.mesh})`,
    formatSeconds(r.measured_s), formatSeconds(r.before_s), pct(r.error_before), formatSeconds(r.after_s), pct(r.error_after),
    ...(loo ? [r.error_left_out === undefined ? '' : pct(r.error_left_out)] : []),
  ]);
  const table = textTable([
    { header: 'line' }, { header: 'layout', align: 'left' }, { header: 'phase', align: 'left' }, { header: 'batch' }, { header: 'chips', align: 'left' },
    { header: 'measured' }, { header: 'before' }, { header: 'error' }, { header: 'after' }, { header: 'error' },
    ...(loo ? [{ header: 'left out' }] : []),
  ], rows);
  const fields = textTable([{ header: 'field', align: 'left' }, { header: 'value' }, { header: 'range (leave one out)', align: 'left' }, { header: '', align: 'left' }],
    result.fields.map((f) => [f.parameter, formatField(f.parameter, f.value), loo ? `${formatField(f.parameter, f.low)} – ${formatField(f.parameter, f.high)}` : '(needs 3 rows)',
      f.at_bound ? `at its ${f.at_bound} bound` : f.poorly_determined ? 'poorly determined' : '']));
  const notes = result.messages.length ? `\n${result.messages.map((m) => `note: ${m}`).join('\n')}\n` : '';
  const looLine = result.rms_log_error_left_out !== undefined
    ? `; left out: ${result.rms_log_error_left_out.toPrecision(3)}, largest ${pct(result.max_abs_error_left_out!).replace('+', '±')}`
    : '';
  return `${result.text}\nfitted fields:\n\n${fields}\n\nper row (prefill: the whole prefill; decode: one step at the mean context; left out: predicted by a fit to the other rows):\n\n${table}\n\n` +
    `rms log error: ${result.rms_log_error_before.toPrecision(3)} before, ${result.rms_log_error_after.toPrecision(3)} after (${result.iterations} iterations)${looLine}\n${notes}`;
}

export function renderCalibrationJson(result: CalibrationResult): string {
  return `${JSON.stringify({ version: 1, ...result }, null, 2)}\n`;
}
