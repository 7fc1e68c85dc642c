// The slice of the `report --json` object (cli.md) that the charts and the compare table read.
// Declared here structurally, not imported from report/json.ts, so that the chart builder
// accepts any object of the documented shape: the CLI's in-process report, the JSON the
// language server sends to the webview, or a hand-written test fixture.

import type { DecodeContext } from '../features/settings';

export type { DecodeContext };

export type PhaseName = 'prefill' | 'decode';

/** Time categories of the stacked bars; `comm` is the JSON's spelling of communication. */
export type TimeCategory = 'compute' | 'memory' | 'comm';

export interface ChartOp {
  block: string;
  name: string;
  op: string;
  time_s: number | null;
  bound: string;
}

export interface ChartPhase {
  latency_s: number | null;
  mfu: number | null;
  cost_chip_s_per_token: number | null;
  bound: string;
  /** The phase's own batch and prompt (a phase may override the layout's). */
  workload?: { batch?: number | null; prompt?: number | null; generate?: number | null };
  /** The part of the pass's communication in all_to_all collectives (report version 2). */
  all_to_all_s?: number | null;
  /** Decode only: one step at the mean and at the last attended length. */
  step_s?: number | null;
  step_s_last?: number | null;
  layer: {
    time_s: number | null;
    ops: ChartOp[];
  };
}

export interface ChartMemory {
  weights_bytes: number | null;
  kv_bytes: number | null;
  activation_bytes: number | null;
  total_bytes: number | null;
  hbm_bytes: number | null;
  fits: boolean;
}

export interface ChartLayout {
  name: string;
  costed: boolean;
  model: string | null;
  mesh: string | null;
  chips: number | null;
  memory: ChartMemory | null;
  prefill: ChartPhase | null;
  decode: ChartPhase | null;
  /** Prefill + KV transfer + decode. */
  total_latency_s?: number | null;
  /** The KV-cache transfer between per-phase meshes; null or absent with one mesh. */
  kv_transfer?: ChartKvTransfer | null;
  /** The layout's `measured { }` results and measured ÷ predicted. */
  measured?: ChartMeasured;
  /** Roofline from nominal hardware or calibrated, and on which hardware (`report --json`). */
  basis?: 'roofline' | 'calibrated';
  basis_hardware?: string;
  reason?: string;
}

/** `kv_transfer` of `report --json` (cli.md), the fields the compare view shows. */
export interface ChartKvTransfer {
  bytes: number | null;
  time_s: number | null;
  link: string;
  from_chips: number | null;
  to_chips: number | null;
}

/** `measured` of `report --json` (cli.md). */
export interface ChartMeasured {
  source?: string;
  prefill_s?: number | null;
  decode_s?: number | null;
  decode_step_s?: number | null;
  prefill_mfu?: number | null;
  decode_mfu?: number | null;
  /** Measured ÷ predicted, per figure given. */
  ratio?: { prefill?: number | null; decode?: number | null; decode_step?: number | null };
}

export interface ChartReport {
  file: string;
  layouts: ChartLayout[];
}

/** A costed layout: the entries every chart can draw. */
export interface CostedChartLayout extends ChartLayout {
  costed: true;
  memory: ChartMemory;
  prefill: ChartPhase;
  decode: ChartPhase;
}

export function isCostedLayout(layout: ChartLayout): layout is CostedChartLayout {
  return layout.costed && layout.memory !== null && layout.prefill !== null && layout.decode !== null;
}

/**
 * Colours the charts draw with. The CLI uses a fixed light palette; the webview fills this from
 * the `--vscode-*` CSS variables of the current theme.
 */
export interface ChartTheme {
  foreground: string;
  /** Secondary text: axis names, legend of inactive items. */
  mutedForeground: string;
  background: string;
  gridLine: string;
  fontFamily: string;
  category: Record<TimeCategory, string>;
  /** All-to-all time, the part of communication drawn on its own (MoE dispatch and combine). */
  allToAll: string;
  /** Memory stack: weights, KV cache, activations. */
  weights: string;
  kvCache: string;
  activations: string;
  hbmLine: string;
  phase: Record<PhaseName, string>;
}

/** How a chart is drawn; every builder of the registry (./registry.ts) takes these. */
export interface ChartBuildOptions {
  /** Default: the light palette the CLI prints with. */
  theme?: ChartTheme;
  /** Which decode step the latency axis uses: at the mean attended length (default) or the last. */
  decodeContext?: DecodeContext;
  /** Off for server-side rendering, where only the final frame is printed. */
  animation?: boolean;
  /**
   * The size each chart is drawn at, by chart id, for the builders that lay out labels
   * themselves (the webview's card sizes); a chart not listed is drawn at its registered size.
   */
  sizes?: Readonly<Record<string, { width: number; height: number } | undefined>>;
  /** The size this chart is drawn at (buildCharts fills it from `sizes` or the registry). */
  size?: { width: number; height: number };
  /**
   * Show Sharding: the chip selected with the keyboard, outlined in `color` (the webview passes
   * `--vscode-focusBorder`; default: the theme's foreground), and in a collective its partners,
   * outlined dashed. Absent (the CLI's pictures): no outline.
   */
  selectedChip?: { chip: number; color?: string };
}
