// The subtitle that says what a chart's figures are (cost/basis.ts): a roofline from nominal
// hardware or calibrated, and on which hardware. Compare's charts read it from the report's
// layouts, a timeline from its own field; the crossover's volumes and the tiles are pure
// formulas with no hardware rate in them, and a sweep's results do not carry it yet.

import { basisLabel } from '../cost/basis';
import type { ChartReport } from './types';

/** `figures: roofline (nominal tpu_v4)`; each distinct label once when the layouts differ. */
export function compareBasisNote(report: ChartReport): string | undefined {
  const labels = new Set<string>();
  for (const l of report.layouts) if (l.costed && l.basis && l.basis_hardware) labels.add(basisLabel({ kind: l.basis, hardware: l.basis_hardware }));
  return labels.size ? `figures: ${[...labels].join(', ')}` : undefined;
}
