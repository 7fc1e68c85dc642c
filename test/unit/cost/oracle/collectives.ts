// TEST ORACLE: the explained cost path as it was before the operation table (commit 3b078e5),
// kept only to check the one cost path against an independent reading of the same rules.

// Time of one collective over mesh axes: the α–β model of ring collectives of cost-model.md §2
// (Pope App. A.1 for the volumes; the scaling book's bidirectional-ring rules for the torus).

import type { HardwareSpec, MeshAxis, MeshSpec } from '../../../../server/src/engine/check/resolved';
import { explained, input, type Explained, type Input } from '../../../../server/src/engine/cost/explained';
import { axisBandwidth, hops, participatingAxes, torusBandwidth } from '../../../../server/src/engine/cost/collectives';

export type CollectiveKind = 'all_gather' | 'reduce_scatter' | 'all_reduce' | 'all_to_all';

export const COLLECTIVE_KINDS: ReadonlySet<string> = new Set(['all_gather', 'reduce_scatter', 'all_reduce', 'all_to_all']);

export function isCollective(op: string): op is CollectiveKind {
  return COLLECTIVE_KINDS.has(op);
}

export interface CollectiveCost {
  kind: CollectiveKind;
  /** Axes that take part (size > 1), in mesh order. */
  axes: string[];
  /** Π sizes of the axes that take part. */
  P: number;
  /** Pope's per-chip volume D (what Fig. 3 plots). */
  D: Explained;
  /** Collective time without `op_overhead`. */
  time: Explained;
}





/**
 * The collective's time over `axes` for a per-chip volume `D` (bytes; Pope's D for the kind),
 * without op_overhead. `D` carries how the volume was computed.
 */
export function collectiveCost(kind: CollectiveKind, axes: readonly string[], D: Explained, mesh: MeshSpec): CollectiveCost {
  const hw = mesh.hardware;
  const part = participatingAxes(axes, mesh);
  const P = part.reduce((n, a) => n * a.size, 1);
  const names = part.map((a) => a.name);
  if (part.length === 0) {
    return { kind, axes: names, P: 1, D: explained(0, 'B', 'no axis of size > 1 takes part'), time: explained(0, 's', 'no axis of size > 1 takes part') };
  }
  const torusAxes = part.filter((a) => a.topology === 'torus');
  if (torusAxes.length === part.length) {
    return { kind, axes: names, P, D, time: torusTime(kind, part, P, D, hw, mesh) };
  }
  return { kind, axes: names, P, D, time: phasedTime(kind, inTierOrder(part), D, hw, mesh) };
}

/**
 * Network tiers (cost-model.md "Network tiers", added with issue 12): an axis that starts inside
 * a scale-up domain and leaves it runs as two switch phases, its part inside the domain (over
 * the domain's links) and then its part across domains (over the network), named `AXIS:scale-up`
 * and `AXIS:scale-out`.
 */
function inTierOrder(part: readonly MeshAxis[]): MeshAxis[] {
  const out: MeshAxis[] = [];
  for (const a of part) {
    if (a.scaleUp === undefined) out.push(a);
    else {
      out.push({ name: `${a.name}:scale-up`, size: a.scaleUp.size, link_bw: a.scaleUp.link_bw, topology: a.scaleUp.topology, wrap: a.wrap });
      out.push({ name: `${a.name}:scale-out`, size: a.size / a.scaleUp.size, link_bw: a.link_bw, topology: a.topology, wrap: false, latency: a.latency });
    }
  }
  return out;
}

function torusTime(kind: CollectiveKind, axes: readonly MeshAxis[], P: number, D: Explained, hw: HardwareSpec, mesh: MeshSpec): Explained {
  const h = axes.reduce((n, a) => n + hops(a), 0);
  const alpha = hw.collective_latency;
  const hopNote = () => axes.map((a) => `${a.name}: ${a.wrap ? `${a.size}/2` : `${a.size}−1`}`).join(', ');
  if (kind === 'all_to_all') {
    // Each axis is a ring and the axes work at once, so the slowest axis sets the time; on one
    // axis this is a quarter of an all-gather of the same array (the scaling book's estimate).
    let worst = axes[0];
    let worstRate = 0;
    for (const a of axes) {
      const r = a.size / (4 * axisBandwidth(a, hw));
      if (r > worstRate) { worstRate = r; worst = a; }
    }
    const wa = axisBandwidth(worst, hw);
    const t = alpha * h + D.value * worstRate;
    return explained(t, 's', 'α·hops + D·size_a / (4·w_a·link_eff)', () => ({
      α: input(alpha, 's', 'collective_latency'),
      hops: input(h, '', hopNote()),
      D: input(D.value, 'B'),
      size_a: input(worst.size, '', `size of axis ${worst.name}, the slowest ring`),
      'w_a·link_eff': input(wa, 'B/s', `axis ${worst.name}`),
    }));
  }
  // Issue 14: the bandwidth is the chip's, over every torus axis of the mesh (of size > 1 and
  // inside the scale-up domain), whichever axes the collective runs on.
  const links = mesh.axes.filter((a) => a.size > 1 && a.topology === 'torus' && a.scaleUp === undefined);
  for (const a of axes) if (!links.includes(a) && !links.some((l) => l.name === a.name)) links.push(a);
  const bw = torusBandwidth(links, hw);
  const t = alpha * h + (D.value * (P - 1)) / P / bw.value;
  return explained(t, 's', 'α·hops + D·(P−1)/P / BW', () => ({
    α: input(alpha, 's', 'collective_latency'),
    hops: input(h, '', hopNote()),
    D: input(D.value, 'B'),
    P: input(P, 'chips', `axes ${axes.map((a) => a.name).join('')}`),
    BW: input(bw.value, 'B/s', `${bw.formula}, the chip's ${links.length} torus ${links.length > 1 ? 'axes' : 'axis'}`),
  }));
}

/**
 * Switch axes (and a mesh mixing switches and torus axes): one phase per switch axis in mesh
 * order (the torus axes together form one phase, placed at the first of them); each phase
 * moves the volume it would move alone, and the times add.
 */
function phasedTime(kind: CollectiveKind, axes: readonly MeshAxis[], D: Explained, hw: HardwareSpec, mesh: MeshSpec): Explained {
  const phases: MeshAxis[][] = [];
  let torusPhase: MeshAxis[] | undefined;
  for (const a of axes) {
    if (a.topology === 'switch') phases.push([a]);
    else if (torusPhase) torusPhase.push(a);
    else { torusPhase = [a]; phases.push(torusPhase); }
  }
  const sizes = phases.map((ph) => ph.reduce((n, a) => n * a.size, 1));
  const inputs: Record<string, Input> = {};
  const terms: string[] = [];
  let total = 0;
  for (let i = 0; i < phases.length; i++) {
    // Volume of phase i: an all_gather grows as it goes (output after this phase), a
    // reduce_scatter shrinks (input of this phase); all_reduce and all_to_all keep their size.
    let Di = D.value;
    if (kind === 'all_gather') for (let j = i + 1; j < phases.length; j++) Di /= sizes[j];
    if (kind === 'reduce_scatter') for (let j = 0; j < i; j++) Di /= sizes[j];
    const ph = phases[i];
    const label = ph.map((a) => a.name).join('');
    let t: number;
    let note: string;
    if (ph[0].topology === 'switch') {
      const bw = ph[0].link_bw * hw.link_eff;
      // Off the scale-up domain each step also waits for the network (scaleout_latency).
      const network = ph[0].latency ?? 0;
      t = hw.collective_latency + network + (Di * (sizes[i] - 1)) / sizes[i] / bw;
      const net = network ? ' + scaleout_latency' : '';
      note = `switch axis ${label}: α${net} + D_i·(P_i−1)/P_i / (link_bw·link_eff) with D_i = ${Di} B, P_i = ${sizes[i]}, BW = ${bw} B/s${net ? `, scaleout_latency = ${Number((network * 1e6).toPrecision(6))} µs` : ''}`;
    } else {
      const sub = torusTime(kind, ph, sizes[i], explained(Di, 'B', 'D_i'), hw, mesh);
      t = sub.value;
      note = `torus axes ${label}: ${sub.formula} with D_i = ${Di} B`;
    }
    total += t;
    inputs[`t_${label}`] = input(t, 's', note);
    terms.push(`t_${label}`);
  }
  return explained(total, 's', terms.join(' + '), inputs);
}
