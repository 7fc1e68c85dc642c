// Renderers for `sweep`: a text table (one row per batch and chip count, both phases, `*` on the
// frontier), the JSON object, and CSV (one row per point and phase). Pure: they return strings.

import { formatPercent, formatSeconds, sig } from '../report/format';
import { basisLabel } from '../cost/basis';
import { PHASES, type Phase } from '../check/resolved';
import type { SweepPhasePoint, SweepResult } from './sweep';
import { csvLine, textTable } from './table';

function phaseCells(p: SweepPhasePoint | null): string[] {
  if (!p) return ['—', '', '', '', ''];
  return [
    `${formatSeconds(p.latency_s)}${p.onFrontier ? ' *' : ''}`,
    `${sig(p.cost_chip_s_per_token * 1e3)}`,
    formatPercent(p.mfu),
    p.mesh,
    `${p.bound}${p.fits ? '' : ', no fit'}`,
  ];
}

/** Says which phase keeps the batch its layout declares, so a sweep never replaces it silently. */
function keptBatchNote(result: SweepResult): string {
  return PHASES.filter((p) => result.keptBatch[p] !== undefined)
    .map((p) => `  ${p} keeps its own batch = ${result.keptBatch[p]} (declared in the layout); the batch column applies to ${p === 'prefill' ? 'decode' : 'prefill'} only\n`)
    .join('');
}

export function renderSweepText(result: SweepResult): string {
  const head = `sweep ${result.layout}: ${result.model} (${result.weights} weights) on ${result.hardware}, prompt ${result.prompt}, generate ${result.generate}\n` +
    `  prefill ${result.blocks.prefill.ffn} + ${result.blocks.prefill.attention}; decode ${result.blocks.decode.ffn} + ${result.blocks.decode.attention}\n` +
    `  figures: ${basisLabel({ kind: result.basis, hardware: result.basis_hardware })}\n` +
    '  prefill latency: the whole prefill; decode latency: one step (per generated token); cost in chip-ms per token; * = on the Pareto frontier\n' +
    keptBatchNote(result);
  const rows = result.points.map((pt) => [String(pt.chips), String(pt.batch), ...phaseCells(pt.prefill), ...phaseCells(pt.decode)]);
  const table = textTable(
    [
      { header: 'chips' }, { header: 'batch' },
      { header: 'prefill' }, { header: 'chip-ms/tok' }, { header: 'MFU' }, { header: 'mesh', align: 'left' }, { header: 'bound', align: 'left' },
      { header: 'decode step' }, { header: 'chip-ms/tok' }, { header: 'MFU' }, { header: 'mesh', align: 'left' }, { header: 'bound', align: 'left' },
    ],
    rows,
  );
  const frontier = (phase: Phase) => result.frontier[phase].map((i) => `C${result.points[i].chips} B${result.points[i].batch}`).join(', ') || 'none';
  const missing = result.points.filter((pt) => pt.reason).map((pt) => `  — C${pt.chips} B${pt.batch}: ${pt.reason}`);
  const notes = missing.length ? `\n${missing.join('\n')}\n` : '';
  return `${head}\n${table}\n${notes}\nfrontier, prefill: ${frontier('prefill')}\nfrontier, decode:  ${frontier('decode')}\n`;
}

/** The JSON object (plain SI units, fractions as fractions, never NaN or Infinity). */
/** The `sweep --json` object. */
export type SweepJson = SweepResult & { version: 1 };

export function sweepJson(result: SweepResult): SweepJson {
  return { version: 1, ...result };
}

export function renderSweepJson(result: SweepResult): string {
  return `${JSON.stringify(sweepJson(result), null, 2)}\n`;
}

export const SWEEP_CSV_COLUMNS = ['layout', 'phase', 'chips', 'batch', 'mesh', 'latency_s', 'cost_chip_s_per_token', 'mfu', 'bound', 'fits', 'memory_bytes', 'frontier'] as const;

export function renderSweepCsv(results: SweepResult | readonly SweepResult[]): string {
  const list = Array.isArray(results) ? results : [results as SweepResult];
  const lines = [SWEEP_CSV_COLUMNS.join(',')];
  for (const r of list) {
    for (const phase of PHASES) {
      for (const pt of r.points) {
        const p = pt[phase];
        if (!p) continue;
        // The phase's own batch: a phase that declares one keeps it at every point.
        lines.push(csvLine([r.layout, phase, pt.chips, p.batch, p.mesh, p.latency_s, p.cost_chip_s_per_token, p.mfu, p.bound, p.fits, p.memory_bytes, p.onFrontier]));
      }
    }
  }
  return `${lines.join('\n')}\n`;
}
