// The figures the compare view shows beyond each phase's headline numbers, read once from the
// report object for the terminal table (report/text.ts), the webview's and the HTML page's table
// (table.ts) and the charts: the KV-cache transfer between per-phase meshes, all-to-all time as
// its own part of communication, and the `measured { }` results beside the prediction. Each
// column and chart appears only for a report that has the figure, so a file of dense layouts on
// one mesh keeps its narrow table.

import { formatBytes, formatPercent, formatSeconds, sig } from '../report/format';
import { isCostedLayout, type ChartKvTransfer, type ChartLayout, type ChartPhase, type ChartReport, type PhaseName } from './types';

const finite = (x: number | null | undefined): x is number => typeof x === 'number' && Number.isFinite(x);

/** The KV-cache transfer of a layout with per-phase meshes, or null (one mesh, or not costed). */
export function kvTransferOf(layout: ChartLayout): ChartKvTransfer | null {
  const t = layout.kv_transfer;
  return layout.costed && t && finite(t.time_s) ? t : null;
}

/** A phase's all-to-all time over the whole pass (one step in decode), as `report` prints it. */
export function allToAllSeconds(phase: ChartPhase | null): number {
  return finite(phase?.all_to_all_s) ? phase.all_to_all_s : 0;
}

/** A recorded time beside the model's prediction of the same figure. */
export interface MeasuredPoint {
  layout: string;
  phase: PhaseName;
  /** The whole prefill; the whole decode (all generated tokens). */
  predicted_s: number;
  measured_s: number;
  /** measured ÷ predicted (> 1: the run was slower than the model). */
  ratio: number;
  /** The measured MFU of the phase, when recorded. */
  mfu?: number;
}

/**
 * What a layout's `measured { }` records against the prediction, one point per phase with a
 * recorded time: prefill against the prefill latency; decode (`decode`, or `decode_step` times the
 * generated tokens, as `report` compares them) against the whole decode. The ratio is the one
 * `report --json` gives (`measured.ratio`), else measured ÷ predicted for a hand-made report.
 */
export function measuredPoints(layout: ChartLayout): MeasuredPoint[] {
  const m = layout.measured;
  if (!m || !isCostedLayout(layout)) return [];
  const out: MeasuredPoint[] = [];
  const put = (phase: PhaseName, predicted: number | null, measured: number | undefined, ratio: number | null | undefined, mfu: number | null | undefined) => {
    if (!finite(predicted) || predicted <= 0 || !finite(measured)) return;
    const r = finite(ratio) ? ratio : measured / predicted;
    if (finite(r)) out.push({ layout: layout.name, phase, predicted_s: predicted, measured_s: measured, ratio: r, ...(finite(mfu) ? { mfu } : {}) });
  };
  put('prefill', layout.prefill.latency_s, m.prefill_s ?? undefined, m.ratio?.prefill, m.prefill_mfu);
  const generate = layout.decode.workload?.generate;
  const decode = finite(m.decode_s) ? m.decode_s : finite(m.decode_step_s) && finite(generate) ? m.decode_step_s * generate : undefined;
  put('decode', layout.decode.latency_s, decode, m.ratio?.decode, m.decode_mfu);
  return out;
}

/** Which of these figures any layout of the report has (each adds columns, the charts one each). */
export interface CompareExtras {
  kvTransfer: boolean;
  allToAll: boolean;
  measured: boolean;
}

export function compareExtras(report: ChartReport): CompareExtras {
  const costed = report.layouts.filter(isCostedLayout);
  return {
    kvTransfer: costed.some((l) => kvTransferOf(l) !== null),
    allToAll: costed.some((l) => allToAllSeconds(l.prefill) > 0 || allToAllSeconds(l.decode) > 0),
    measured: costed.some((l) => measuredPoints(l).length > 0),
  };
}

/** measured ÷ predicted as every compare view writes it: `1.5×`. */
export function formatRatio(ratio: number): string {
  return `${sig(ratio, 2)}×`;
}

/** A column that only a report with the figure shows (terminal, webview and HTML tables alike). */
export interface ExtraColumn {
  key: 'kv_transfer' | 'all_to_all' | 'measured_prefill' | 'measured_decode';
  label: string;
  /** Longer description for the header's tooltip and the docs. */
  title: string;
  shown: (extras: CompareExtras) => boolean;
  /** The cell of a costed layout; `—` where the layout has no such figure. */
  cell: (layout: ChartLayout) => string;
}

const NONE = '—';

function measuredCell(layout: ChartLayout, phase: PhaseName): string {
  const p = measuredPoints(layout).find((x) => x.phase === phase);
  if (!p) return NONE;
  return `${formatSeconds(p.measured_s)} (${formatRatio(p.ratio)})${p.mfu !== undefined ? ` MFU ${formatPercent(p.mfu)}` : ''}`;
}

export const EXTRA_COLUMNS: readonly ExtraColumn[] = [
  {
    key: 'kv_transfer',
    label: 'KV transfer',
    title: 'The KV cache sent from the prefill chips to the decode chips (per-phase meshes): its time, bytes and link',
    shown: (e) => e.kvTransfer,
    cell: (l) => {
      const t = kvTransferOf(l);
      return t ? `${formatSeconds(t.time_s ?? 0)} (${formatBytes(t.bytes ?? 0)}, ${t.link})` : NONE;
    },
  },
  {
    key: 'all_to_all',
    label: 'all-to-all p / d',
    title: 'The part of communication in all_to_all collectives: the whole prefill / one decode step',
    shown: (e) => e.allToAll,
    cell: (l) => (allToAllSeconds(l.prefill) > 0 || allToAllSeconds(l.decode) > 0 ? `${formatSeconds(allToAllSeconds(l.prefill))} / ${formatSeconds(allToAllSeconds(l.decode))}` : NONE),
  },
  {
    key: 'measured_prefill',
    label: 'measured prefill',
    title: 'The layout’s measured { } prefill time, (measured ÷ predicted) and measured MFU',
    shown: (e) => e.measured,
    cell: (l) => measuredCell(l, 'prefill'),
  },
  {
    key: 'measured_decode',
    label: 'measured decode',
    title: 'The layout’s measured { } decode time for all generated tokens, (measured ÷ predicted) and measured MFU',
    shown: (e) => e.measured,
    cell: (l) => measuredCell(l, 'decode'),
  },
];

/** The extra columns a report shows, in order. */
export function extraColumnsOf(report: ChartReport): ExtraColumn[] {
  const extras = compareExtras(report);
  return EXTRA_COLUMNS.filter((c) => c.shown(extras));
}
