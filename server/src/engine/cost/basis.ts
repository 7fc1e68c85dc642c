// What a layout's figures are (cost-model.md §12, issue 14): a roofline from the hardware's
// nominal figures, or calibrated to measured times. A hardware is calibrated when it sets any
// calibration field (cost-model.md §10) away from its nominal value: that is what the block
// `shardlens calibrate` prints does, and what the built-in `tpu_v4_pope2022` does. Every front end
// (report text and JSON, hovers, lenses, the status bar, chart subtitles) reads the label from
// here, so the rule is written once.

import { NOMINAL_CALIBRATION, type HardwareSpec, type ResolvedLayout } from '../check/resolved';

export type BasisKind = 'roofline' | 'calibrated';

export interface FigureBasis {
  kind: BasisKind;
  /** The hardware the figures use; both phases' (`a + b`) when they run on different hardware. */
  hardware: string;
  /** The calibration fields set away from nominal (none for a roofline), in cost-model.md §10's order. */
  fields: string[];
}

/** The calibration fields a hardware sets away from their nominal values. */
export function calibratedFields(hw: HardwareSpec): string[] {
  const fields: string[] = [];
  for (const [name, nominal] of Object.entries(NOMINAL_CALIBRATION)) if (hw[name as keyof typeof NOMINAL_CALIBRATION] !== nominal) fields.push(name);
  // matmul_knee: unset or 0 is off (check/schema.ts).
  if (hw.extra.matmul_knee) fields.push('matmul_knee');
  return fields;
}

/**
 * A layout's basis: calibrated when every hardware it runs on (each phase's mesh) is calibrated;
 * a layout with one calibrated phase and one nominal is labelled roofline, the weaker claim.
 */
export function layoutBasis(layout: ResolvedLayout): FigureBasis {
  // Asked for by every costing: kept per pair of hardware objects (each is resolved once).
  const a = (layout.prefill.mesh ?? layout.mesh).hardware;
  const b = (layout.decode.mesh ?? layout.mesh).hardware;
  let byDecode = bases.get(a);
  if (!byDecode) bases.set(a, (byDecode = new WeakMap()));
  let basis = byDecode.get(b);
  if (!basis) byDecode.set(b, (basis = basisOf(layout)));
  return basis;
}

const bases = new WeakMap<HardwareSpec, WeakMap<HardwareSpec, FigureBasis>>();

function basisOf(layout: ResolvedLayout): FigureBasis {
  const hardware = [...new Map([layout.prefill.mesh ?? layout.mesh, layout.decode.mesh ?? layout.mesh].map((m) => [m.hardware.name, m.hardware])).values()];
  const fields = hardware.map(calibratedFields);
  const calibrated = fields.every((f) => f.length > 0);
  return { kind: calibrated ? 'calibrated' : 'roofline', hardware: hardware.map((h) => h.name).join(' + '), fields: calibrated ? [...new Set(fields.flat())] : [] };
}

/** The label every front end shows: `roofline (nominal tpu_v4)`, `calibrated (tpu_v4_pope2022)`. */
export function basisLabel(b: Pick<FigureBasis, 'kind' | 'hardware'>): string {
  return b.kind === 'calibrated' ? `calibrated (${b.hardware})` : `roofline (nominal ${b.hardware})`;
}
