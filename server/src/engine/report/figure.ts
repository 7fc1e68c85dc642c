// The one way an explained figure (cost/explained.ts) is written out: its value in human units,
// its formula, the formula with the values put in, and the inputs that need a word of their own.
// `shardlens explain` and the hovers both print figures through here, so the same number reads
// the same in the terminal and in the editor.

import { substitute, type Explained } from '../cost/explained';
import { formatValue } from './format';

export interface ExplainInput {
  name: string;
  value: string;
  note?: string;
}

/** A figure made ready to print; plain data, so it also travels as JSON. */
export interface FigureText {
  /** The figure in human units. */
  value: string;
  /** The raw value in SI units. */
  raw: number;
  formula: string;
  /** The formula with the inputs put in. */
  substituted: string;
  inputs: ExplainInput[];
}

export function figureText(e: Explained): FigureText {
  return {
    value: formatValue(e.value, e.unit),
    raw: e.value,
    formula: e.formula,
    substituted: substitute(e, formatValue),
    inputs: Object.entries(e.inputs).map(([name, i]) => (i.note ? { name, value: formatValue(i.value, i.unit), note: i.note } : { name, value: formatValue(i.value, i.unit) })),
  };
}

/**
 * `formula = values put in = result`. A formula without inputs (a given number, or the name of
 * another figure) has nothing to put in, and reads `formula = result`.
 */
export function figureEquation(f: Pick<FigureText, 'formula' | 'substituted' | 'value'>): string {
  return f.substituted === f.formula ? `${f.formula} = ${f.value}` : `${f.formula} = ${f.substituted} = ${f.value}`;
}

/** What an input is, where its symbol alone does not say: `α = 0 s  (collective_latency)`. */
export function figureInputNotes(f: Pick<FigureText, 'inputs'>): string[] {
  return f.inputs.filter((i) => i.note).map((i) => `${i.name} = ${i.value}  (${i.note})`);
}
