// The subtitle that says what a chart's figures are (cost/basis.ts): a roofline from nominal
// hardware or calibrated, and on which hardware. Compare's charts read it from the report's
// layouts, a timeline from its own field; the crossover's volumes and the tiles are pure
// formulas with no hardware rate in them. A sweep carries its layout's basis in its result.

import { basisLabel, type BasisKind } from '../cost/basis';
import type { ChartReport } from './types';

/** Each distinct label once, in first-seen order: `figures: a, b`. */
function figuresNote(bases: Iterable<{ basis?: BasisKind; basis_hardware?: string }>): string | undefined {
  const labels = new Set<string>();
  for (const b of bases) if (b.basis && b.basis_hardware) labels.add(basisLabel({ kind: b.basis, hardware: b.basis_hardware }));
  return labels.size ? `figures: ${[...labels].join(', ')}` : undefined;
}

/** `figures: roofline (nominal tpu_v4)`; each distinct label once when the layouts differ. */
export function compareBasisNote(report: ChartReport): string | undefined {
  return figuresNote(report.layouts.filter((l) => l.costed));
}

/** The same note for a sweep's charts (one result per layout swept). */
export function sweepBasisNote(results: readonly { basis: BasisKind; basis_hardware: string }[]): string | undefined {
  return figuresNote(results);
}
