// Time of one collective over mesh axes: the α–β model of ring collectives (Pope App. A.1 for the
// volumes; the scaling book's bidirectional-ring rules for the torus). A collective's time is
// affine in its per-chip volume D, t = a + b·D: the compiled plan keeps (a, b) per collective and
// mesh, the numeric pass multiplies, and the explanation is built from the same (a, b) terms.

import type { HardwareSpec, MeshAxis, MeshSpec } from '../check/resolved';
import type { CollectiveDef } from '../ops/index';
import { explained, input, type Explained, type Input } from './explained';

/** The axes of `axes` that take part, in mesh order: axes of size 1 move nothing. */
export function participatingAxes(axes: readonly string[], mesh: MeshSpec): MeshAxis[] {
  return mesh.axes.filter((a) => a.size > 1 && axes.includes(a.name));
}

/**
 * The axes as the collective runs over them: an axis that spans two network tiers (its first
 * `scaleUp.size` chips in one scale-up domain, the rest in other domains) is a hierarchical
 * collective, two phases as two axes would be: inside the domain over its links, then across
 * domains over the network (`x:scale-up`, `x:scale-out`). Other axes are returned as they are.
 */
export function tieredAxes(part: MeshAxis[]): MeshAxis[] {
  if (!part.some((a) => a.scaleUp)) return part;
  const out: MeshAxis[] = [];
  for (const a of part) {
    if (!a.scaleUp) { out.push(a); continue; }
    const inner = a.scaleUp.size;
    out.push({ name: `${a.name}:scale-up`, size: inner, link_bw: a.scaleUp.link_bw, topology: a.scaleUp.topology, wrap: a.wrap });
    out.push({ name: `${a.name}:scale-out`, size: a.size / inner, link_bw: a.link_bw, topology: a.topology, wrap: false, latency: a.latency });
  }
  return out;
}

/** Sequential ring steps: size/2 on a bidirectional (wraparound) ring, size − 1 on a line, 1 through a switch. */
export function hops(axis: MeshAxis): number {
  if (axis.topology === 'switch') return 1;
  return axis.wrap ? axis.size / 2 : axis.size - 1;
}

/** One-axis bandwidth: both directions of the ring when it wraps around. */
export function axisBandwidth(axis: MeshAxis, hw: HardwareSpec): number {
  const w = axis.topology === 'torus' && axis.wrap ? 2 * axis.link_bw : axis.link_bw;
  return w * hw.link_eff;
}

function wraps(a: MeshAxis): boolean {
  return a.topology === 'torus' && a.wrap;
}

/** Torus axes of one collective work at once: BW(A) = Σ w(a) × link_eff. */
export function torusBandwidth(axes: readonly MeshAxis[], hw: HardwareSpec): Explained {
  let bw = 0;
  for (const a of axes) bw += axisBandwidth(a, hw);
  return explained(bw, 'B/s', () => `(${axes.map((a) => (wraps(a) ? `2·link_bw_${a.name}` : `link_bw_${a.name}`)).join(' + ')})·link_eff`, () => {
    const inputs: Record<string, Input> = { link_eff: input(hw.link_eff, '') };
    for (const a of axes) inputs[`link_bw_${a.name}`] = input(a.link_bw, 'B/s', `one link, one direction${wraps(a) ? '; wraps around, so ×2' : ''}`);
    return inputs;
  });
}

/**
 * One phase of a collective: the torus axes together, or one switch axis. `scale` is the share
 * of D this phase moves (an all_gather grows phase by phase, a reduce_scatter shrinks).
 */
interface Phase {
  axes: readonly MeshAxis[];
  /** The links its bandwidth sums (torus: the chip's torus axes; switch: its own axis). */
  links: readonly MeshAxis[];
  /** Π sizes of the phase's axes. */
  P: number;
  scale: number;
  /** The phase's affine terms, for D = 1 (b already includes `scale`). */
  a: number;
  b: number;
}

/** A collective's time as t = a + b·D, with the phases that make it. */
export type CollectiveAffine =
  | { active: true; a: number; b: number; collective: CollectiveDef; phases: readonly Phase[] }
  | { active: false; a: 0; b: 0 };

/** A collective in which no axis of size > 1 takes part (or a statement with none). */
export const NO_COLLECTIVE: CollectiveAffine = Object.freeze({ active: false, a: 0, b: 0 });

/**
 * The affine time of `kind` over `axes` on `mesh`. Torus axes work at once (one phase); each
 * switch axis is a phase of its own in mesh order, the torus axes together placed at the first of
 * them, and the phases' times add.
 */
export function collectiveAffine(collective: CollectiveDef, axes: readonly string[], mesh: MeshSpec): CollectiveAffine {
  const part = tieredAxes(participatingAxes(axes, mesh));
  if (part.length === 0) return NO_COLLECTIVE;
  const hw = mesh.hardware;
  if (part.every((a) => a.topology === 'torus')) {
    const ph = torusPhase(collective, part, 1, hw, chipTorusLinks(part, mesh));
    return { active: true, a: ph.a, b: ph.b, collective, phases: [ph] };
  }
  const groups: MeshAxis[][] = [];
  let torus: MeshAxis[] | undefined;
  for (const a of part) {
    if (a.topology === 'switch') groups.push([a]);
    else if (torus) torus.push(a);
    else { torus = [a]; groups.push(torus); }
  }
  const sizes = groups.map((g) => g.reduce((n, a) => n * a.size, 1));
  const phases: Phase[] = [];
  let A = 0;
  let B = 0;
  for (let i = 0; i < groups.length; i++) {
    let scale = 1;
    // A gather grows phase by phase (each moves the output after it), a scatter shrinks.
    if (collective.acrossPhases === 'grows') for (let j = i + 1; j < groups.length; j++) scale /= sizes[j];
    if (collective.acrossPhases === 'shrinks') for (let j = 0; j < i; j++) scale /= sizes[j];
    const g = groups[i];
    let ph: Phase;
    if (g[0].topology === 'switch') {
      // One step through the switch; off the scale-up domain it also waits for the network.
      ph = { axes: g, links: g, P: sizes[i], scale, a: hw.collective_latency + (g[0].latency ?? 0), b: (scale * (sizes[i] - 1)) / sizes[i] / (g[0].link_bw * hw.link_eff) };
    } else {
      ph = torusPhase(collective, g, scale, hw, chipTorusLinks(g, mesh));
    }
    A += ph.a;
    B += ph.b;
    phases.push(ph);
  }
  return { active: true, a: A, b: B, collective, phases };
}

/**
 * The torus links a collective on `axes` streams over: every torus axis of the chip's mesh (of
 * size > 1), not only the collective's own. Pope et al. cost every collective at one per-chip
 * "network bandwidth" whichever axes it runs on (App. A.1, A.2.1; 270 GB/s on TPU v4, §4), and
 * Table 2/3 agree: fitted this way, each row's leave-one-out error is under 10% and the
 * weight-gathered crossover lands where Fig. 7 puts it; with each axis's own links it is not
 * (cost-model.md §4 "Which links", with the numbers). The hops stay the collective's own.
 */
export function chipTorusLinks(axes: readonly MeshAxis[], mesh: MeshSpec): MeshAxis[] {
  const links = mesh.axes.filter((a) => a.size > 1 && a.topology === 'torus' && !a.scaleUp);
  for (const a of axes) if (!links.some((l) => l.name === a.name)) links.push(a);
  return links;
}

function torusPhase(collective: CollectiveDef, axes: readonly MeshAxis[], scale: number, hw: HardwareSpec, links: readonly MeshAxis[]): Phase {
  let h = 0;
  let P = 1;
  // A torus axis declared off the scale-up domain adds the network's latency to each of its hops.
  let networkLatency = 0;
  for (const x of axes) { h += hops(x); P *= x.size; networkLatency += hops(x) * (x.latency ?? 0); }
  const a = hw.collective_latency * h + networkLatency;
  if (collective.torus === 'slowest-ring') {
    // Each axis is a ring and the axes work at once, so the slowest axis sets the time; on one
    // axis this is a quarter of an all-gather of the same array (the scaling book's estimate).
    let worst = 0;
    for (const x of axes) worst = Math.max(worst, x.size / (4 * axisBandwidth(x, hw)));
    return { axes, links, P, scale, a, b: scale * worst };
  }
  let bw = 0;
  for (const x of links) bw += axisBandwidth(x, hw);
  // (P−1)/P/BW first, then the share: the same rounding whether or not the axes form a phase.
  const perByte = (P - 1) / P / bw;
  return { axes, links, P, scale, a, b: scale === 1 ? perByte : scale * perByte };
}

/**
 * The explanation of a collective's time `t` (= a + b·D, computed by the numeric pass) for the
 * volume `D`: its formula and inputs are the affine terms' own parts.
 */
export function explainCollectiveTime(c: CollectiveAffine, D: Explained, t: number, mesh: MeshSpec): Explained {
  if (!c.active) return explained(0, 's', 'no axis of size > 1 takes part');
  const hw = mesh.hardware;
  if (c.phases.length === 1 && c.phases[0].axes[0].topology === 'torus') {
    const ph = c.phases[0];
    return explained(t, 's', () => torusFormula(c.collective), () => torusInputs(c.collective, ph, D.value, hw));
  }
  return explained(t, 's', () => c.phases.map((ph) => `t_${label(ph)}`).join(' + '), () => {
    const inputs: Record<string, Input> = {};
    for (const ph of c.phases) {
      const Di = D.value * ph.scale;
      const ti = ph.a + ph.b * D.value;
      let note: string;
      if (ph.axes[0].topology === 'switch') {
        const bw = ph.axes[0].link_bw * hw.link_eff;
        const net = ph.axes[0].latency ? ' + scaleout_latency' : '';
        note = `switch axis ${label(ph)}: α${net} + D_i·(P_i−1)/P_i / (link_bw·link_eff) with D_i = ${Di} B, P_i = ${ph.P}, BW = ${bw} B/s${net ? `, scaleout_latency = ${Number((ph.axes[0].latency! * 1e6).toPrecision(6))} µs` : ''}`;
      } else {
        note = `torus axes ${label(ph)}: ${torusFormula(c.collective)} with D_i = ${Di} B`;
      }
      inputs[`t_${label(ph)}`] = input(ti, 's', note);
    }
    return inputs;
  });
}

function label(ph: Phase): string {
  return ph.axes.map((a) => a.name).join('');
}

function torusFormula(c: CollectiveDef): string {
  return c.torus === 'slowest-ring' ? 'α·hops + D·size_a / (4·w_a·link_eff)' : 'α·hops + D·(P−1)/P / BW';
}

function torusInputs(c: CollectiveDef, ph: Phase, D: number, hw: HardwareSpec): Record<string, Input> {
  const axes = ph.axes;
  const h = axes.reduce((n, a) => n + hops(a), 0);
  const hopNote = axes.map((a) => `${a.name}: ${a.wrap ? `${a.size}/2` : `${a.size}−1`}`).join(', ');
  const common = { α: input(hw.collective_latency, 's', 'collective_latency'), hops: input(h, '', hopNote), D: input(D, 'B') };
  if (c.torus === 'slowest-ring') {
    let worst = axes[0];
    let worstRate = 0;
    for (const a of axes) {
      const r = a.size / (4 * axisBandwidth(a, hw));
      if (r > worstRate) { worstRate = r; worst = a; }
    }
    return { ...common, size_a: input(worst.size, '', `size of axis ${worst.name}, the slowest ring`), 'w_a·link_eff': input(axisBandwidth(worst, hw), 'B/s', `axis ${worst.name}`) };
  }
  const bw = torusBandwidth(ph.links, hw);
  const n = ph.links.length;
  return { ...common, P: input(ph.P, 'chips', `axes ${label(ph)}`), BW: input(bw.value, 'B/s', `${bw.formula}, the chip's ${n} torus ${n > 1 ? 'axes' : 'axis'}`) };
}
