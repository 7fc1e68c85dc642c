// The compare table's rows as plain strings: the webview puts them into table cells with
// `textContent`, and the HTML page escapes them. One function, so both show the same numbers.

import { formatBytes, formatPercent, formatSeconds, grouped, sig } from '../report/format';
import { EXTRA_COLUMNS, extraColumnsOf, type ExtraColumn } from './figures';
import { decodeSecondsPerToken } from './options';
import { isCostedLayout, type ChartPhase, type ChartReport, type DecodeContext } from './types';

export interface CompareColumn {
  key: CompareCellKey;
  label: string;
  /** Longer description for the header's tooltip. */
  title: string;
}

export type CompareCellKey = 'setup' | 'chips' | 'batch' | 'prefill' | 'decode' | 'mfu' | 'cost' | 'memory' | 'bound' | ExtraColumn['key'];

export const COMPARE_COLUMNS: readonly CompareColumn[] = [
  { key: 'setup', label: 'model · mesh', title: 'Model and mesh' },
  { key: 'chips', label: 'chips', title: 'Chips in the mesh' },
  { key: 'batch', label: 'batch p / d', title: 'Sequences per batch in prefill / in decode (a phase may override the layout)' },
  { key: 'prefill', label: 'prefill', title: 'Prefill latency for the whole prompt' },
  { key: 'decode', label: 'decode / token', title: 'Decode time per generated token (one step)' },
  { key: 'mfu', label: 'MFU prefill / decode', title: 'Model FLOPs utilisation of each phase' },
  { key: 'cost', label: 'cost / token', title: 'Chip-milliseconds per prompt token in prefill / per generated token in decode' },
  { key: 'memory', label: 'memory / chip', title: 'Memory per chip (the larger phase) against HBM capacity' },
  { key: 'bound', label: 'bound', title: 'What limits each phase: compute, memory or communication (prefill / decode)' },
];

/**
 * The columns of a report's table: the ones above, then those of the figures some layout has
 * (KV transfer, all-to-all, measured; figures.ts), so every front end shows the same set.
 */
export function compareColumns(report: ChartReport): CompareColumn[] {
  return [...COMPARE_COLUMNS, ...extraColumnsOf(report).map(({ key, label, title }) => ({ key, label, title }))];
}

export interface CompareRow {
  name: string;
  costed: boolean;
  /** False when the layout does not fit in HBM (the memory cell is then flagged). */
  fits: boolean;
  cells: Record<CompareCellKey, string>;
}

/** Every extra column's cell (the row holds them all; `compareColumns` picks those shown). */
const extraCells = (cell: (c: ExtraColumn) => string) => Object.fromEntries(EXTRA_COLUMNS.map((c) => [c.key, cell(c)])) as Record<ExtraColumn['key'], string>;
const chipMs = (s: number | null) => `${sig((s ?? 0) * 1e3)}`;
const batchOf = (p: ChartPhase) => (typeof p.workload?.batch === 'number' ? grouped(p.workload.batch) : '?');

export function compareTableRows(report: ChartReport, opts: { decodeContext?: DecodeContext } = {}): CompareRow[] {
  return report.layouts.map((l): CompareRow => {
    const setup = l.model ? `${l.model} · ${l.mesh ?? '?'}` : '';
    const chips = l.chips ? grouped(l.chips) : '';
    if (!isCostedLayout(l)) {
      const blank = { setup, chips, batch: '', prefill: '', decode: '', mfu: '', cost: '', memory: '', bound: '', ...extraCells(() => '') };
      return { name: l.name, costed: false, fits: true, cells: { ...blank, prefill: `not costed${l.reason ? `: ${l.reason}` : ''}` } };
    }
    const m = l.memory;
    return {
      name: l.name,
      costed: true,
      fits: m.fits,
      cells: {
        setup,
        chips,
        batch: `${batchOf(l.prefill)} / ${batchOf(l.decode)}`,
        prefill: formatSeconds(l.prefill.latency_s ?? 0),
        decode: formatSeconds(decodeSecondsPerToken(l.decode, opts.decodeContext)),
        mfu: `${formatPercent(l.prefill.mfu ?? 0)} / ${formatPercent(l.decode.mfu ?? 0)}`,
        cost: `${chipMs(l.prefill.cost_chip_s_per_token)} / ${chipMs(l.decode.cost_chip_s_per_token)} chip-ms`,
        memory: `${formatBytes(m.total_bytes ?? 0)} of ${formatBytes(m.hbm_bytes ?? 0)}${m.fits ? '' : ' (does not fit)'}`,
        bound: `${l.prefill.bound} / ${l.decode.bound}`,
        ...extraCells((c) => c.cell(l)),
      },
    };
  });
}
