// What an editor asks about a file's layouts outside the LSP's own features: where each layout is
// declared (to list, pick, reveal or insert after one), and the one-line figures of the layout
// under the cursor (the status bar). The client asks the server for these instead of scanning
// the text itself, so "where is layout X" has one answer: the parser's.

import { basisLabel } from '../cost/basis';
import type { Analysis } from '../analysis';
import type { Span } from '../syntax/ast';
import { decodeSecondsPerToken } from '../charts/options';
import { layoutJson, type JsonMeasured } from '../report/json';
import { formatPercent, formatSeconds, sig } from '../report/format';
import type { DecodeContext } from './settings';
import { contains } from './locate';

export interface LayoutDeclaration {
  name: string;
  /** The declaration, from the `layout` keyword through its closing brace. */
  span: Span;
  /** The layout's name. */
  nameSpan: Span;
}

/** Every `layout` declaration of the file, in file order (resolved or not). */
export function layoutDeclarations(analysis: Analysis): LayoutDeclaration[] {
  const out: LayoutDeclaration[] = [];
  for (const d of analysis.file.decls) if (d.kind === 'layout') out.push({ name: d.name.text, span: { start: d.start, end: d.end }, nameSpan: { start: d.name.start, end: d.name.end } });
  return out;
}

/** A phase's figures, in human units, as the status bar shows them. */
export interface PhaseStatus {
  /** Decode: the time per generated token; prefill: the whole prefill. */
  time: string;
  mfu: string;
  bound: string;
}

export type LayoutStatus =
  | { layout: string; costed: false; reason?: string }
  | {
      layout: string;
      costed: true;
      decode: PhaseStatus;
      prefill: PhaseStatus;
      /** The layout's `measured { }` figure beside the prediction (measuredBeside), when it has one. */
      measured?: string;
      /** What the figures are (cost/basis.ts): the kind, and the label naming the hardware. */
      basis: { kind: 'roofline' | 'calibrated'; label: string };
    };

/**
 * A layout's recorded result beside the prediction, in one phrase for a lens or the status bar:
 * the decode time per token (the lens's headline; `decode` over the generated tokens when only
 * the whole decode is recorded) or else the prefill, with measured ÷ predicted as `report` prints
 * it: "measured 28.4 ms/token, 2.5× the prediction". Undefined without a recorded time.
 */
export function measuredBeside(m: JsonMeasured | undefined, generate: number): string | undefined {
  if (!m) return undefined;
  const who = m.source === 'paper' ? 'paper' : 'measured';
  const ratio = m.ratio ?? {};
  const times = (r: number | undefined) => (r !== undefined ? `, ${sig(r, 2)}× the prediction` : '');
  const perToken = m.decode_step_s ?? (m.decode_s !== undefined && generate > 0 ? m.decode_s / generate : undefined);
  if (perToken !== undefined) return `${who} ${formatSeconds(perToken)}/token${times(m.decode_step_s !== undefined ? ratio.decode_step : ratio.decode)}`;
  if (m.prefill_s !== undefined) return `${who} prefill ${formatSeconds(m.prefill_s)}${times(ratio.prefill)}`;
  return undefined;
}

/**
 * The headline figures of the layout declared around `offset`, as `report --json` has them:
 * undefined outside layouts, for a layout that neither resolved nor was found uncostable, and
 * when the cost model fails on it.
 */
export function layoutStatusAt(analysis: Analysis, offset: number, decodeContext: DecodeContext): LayoutStatus | undefined {
  const decl = analysis.file.decls.find((d) => d.kind === 'layout' && contains(d, offset));
  if (!decl) return undefined;
  const name = decl.name.text;
  const layout = analysis.layouts.find((l) => l.name === name);
  if (!layout) {
    const uncostable = analysis.uncostable.find((u) => u.name === name);
    return uncostable && { layout: name, costed: false, reason: uncostable.reason };
  }
  let entry;
  try {
    entry = layoutJson(layout, analysis.costOf(layout));
  } catch {
    return undefined;
  }
  const { prefill, decode } = entry;
  if (!prefill || !decode) return undefined;
  const measured = measuredBeside(entry.measured, layout.decode.workload.generate);
  return {
    layout: name,
    costed: true,
    decode: { time: formatSeconds(decodeSecondsPerToken(decode, decodeContext)), mfu: formatPercent(decode.mfu ?? 0), bound: decode.bound },
    prefill: { time: formatSeconds(prefill.latency_s ?? 0), mfu: formatPercent(prefill.mfu ?? 0), bound: prefill.bound },
    ...(measured ? { measured } : {}),
    basis: { kind: entry.basis ?? 'roofline', label: entry.basis && entry.basis_hardware ? basisLabel({ kind: entry.basis, hardware: entry.basis_hardware }) : 'roofline' },
  };
}
