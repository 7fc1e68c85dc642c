// Which tile of a value every chip of the mesh holds (issue 16, "See it"): for a layout, a phase
// and a value named `ROLE.NAME` (an input, weight, cache or statement of the block in that role),
// the index range of each dimension on each chip, which chips hold the same tile, and which hold
// partial sums of it. The Show Sharding view and `shardlens show` only draw this.
//
// Conventions (docs/cli.md "show"):
// - Chips are numbered with the mesh's first declared axis major: on `x = 4, y = 4, z = 4`,
//   chip (x, y, z) is number x·16 + y·4 + z.
// - A dim sharded over several axes is split with its axes in mesh declaration order, the first
//   one major: on that mesh `F_yz` puts chip (x, y, z) on shard y·4 + z of 16. The spec makes the
//   order of axes inside a group insignificant (`F_zy` is the type `F_yz`, language.md §1), so the
//   picture follows the canonical form, the order hovers and messages print, not the keystrokes.
// - Shard i of a dim of size S over n shards is [i·⌈S/n⌉, min(S, (i+1)·⌈S/n⌉)): every chip
//   holds ⌈S/n⌉ elements, as the cost model counts them; a shard past the end is padding (empty).
// - Sizes: the phase's workload; T is the whole cache (prompt + generate in decode, the prompt in
//   prefill), and the unembedding sees L = 1, as the cost model costs it.

// - On GPUs with network tiers (hardware `scaleup_domain`), the chips form nodes (scale-up
//   domains): axes are laid on the tiers innermost (first) axis first (language.md "Network
//   tiers"), so a node is the chips that agree on every axis past the domain, and on the part of
//   an axis that spans both tiers past its first `inner` chips. Nodes are numbered like chips,
//   the first mesh axis major.

import type { CheckedBlock, CheckedValue, MeshAxis, MeshSpec, Phase, ResolvedLayout } from '../check/resolved';
import { formatType, sortAxes, type ShardType } from '../check/shardType';
import { participatingAxes, tieredAxes } from '../cost/collectives';
import { dimSize, passSizes, withSingleToken, type PassSizes } from '../cost/sizes';
import { formatRate } from '../report/format';
import { operation, type CollectiveDef, type CollectiveKind } from '../ops/index';

/** The blocks a value can be named in: `ROLE.NAME`. */
export const VALUE_ROLES = ['ffn', 'attention', 'unembed'] as const;
export type ValueRole = (typeof VALUE_ROLES)[number];

export interface TileMeshAxis {
  name: string;
  size: number;
  /** On hardware with network tiers: inside a node, across nodes, or both (absent otherwise). */
  tier?: 'scale-up' | 'scale-out' | 'spans';
  /** On a `spans` axis: how many of its chips share a node (its first `inner`). */
  inner?: number;
}

/** How a mesh's chips group into nodes (scale-up domains) on hardware with network tiers. */
export interface MeshTiers {
  /** Chips per node as the hardware says (`scaleup_domain`). */
  domain: number;
  nodes: number;
  /** Chips of this mesh in one node (≤ domain). */
  perNode: number;
  /** The axes (or parts of one: `y (2 of 4)`) inside a node, and those across nodes. */
  inside: string[];
  across: string[];
  /** One link inside a node and one chip's network bandwidth, one direction (B/s). */
  scaleUpBw: number;
  scaleOutBw: number;
}

export interface TileDim {
  letter: string;
  /** The dim's whole size in this phase. */
  size: number;
  /** Axes that split it, major first (mesh declaration order); empty when the dim is whole. */
  axes: string[];
  /** Number of shards: the product of the axes' sizes. */
  shards: number;
  /** Elements per shard: ⌈size / shards⌉. */
  extent: number;
}

/** One dim's part of a tile: shard `shard` of `shards`, indices [start, end). */
export interface TileRange {
  letter: string;
  shard: number;
  start: number;
  end: number;
}

export interface ChipTile {
  /** Chip number, first mesh axis major. */
  chip: number;
  /** Coordinate on each mesh axis, in mesh order. */
  coords: number[];
  /** Which tile (0 … tiles−1): the dims' shard numbers, first dim of the type major. */
  tile: number;
  ranges: TileRange[];
  /** Which partial sum of its tile the chip holds (over the partialsum axes, first major); −1 when the value is not a partial sum. */
  partial: number;
  /** Which copy of its tile (and partial) the chip holds, over the replicated axes; 0 … copies−1. */
  copy: number;
  /** Which node (scale-up domain) the chip is in, nodes numbered first axis major; 0 without tiers. */
  node: number;
  /**
   * On a partial sum produced by an einsum: the chip's range of each contracted dim, the part of
   * the sum its term covers (`E 4608:9216`); empty otherwise.
   */
  partialOf: TileRange[];
}

/** One phase of a collective as the cost model runs it: the chips along one axis (or tier of one). */
export interface ExchangeStep {
  /** `y`, or `x:scale-up` / `x:scale-out` for an axis over both network tiers. */
  axis: string;
  size: number;
  /** A ring with wraparound links (both directions), a line of links, or a switch (any to any). */
  link: 'ring' | 'line' | 'switch';
  /** Bandwidth of one link, one direction (B/s). */
  bw: number;
  /** On hardware with tiers: which network the step crosses. */
  tier: 'scale-up' | 'scale-out' | null;
}

/** A collective: which chips exchange data, over which links, and what moves. */
export interface CollectiveExchange {
  op: CollectiveKind;
  /** Its axes, mesh order. */
  axes: string[];
  /** The operand and its type (canonical). */
  operand: string;
  operandType: string;
  /** The groups of chips that exchange data (those that differ only on the axes), by chip number, in ring order (first axis major). */
  groups: number[][];
  /** Each group as coordinates, the exchanged axes as ranges: `(1, 0…3, 0…3)`. */
  groupNames: string[];
  /** The phases in the order they run (inside a node first). */
  steps: ExchangeStep[];
  /** What moves, in words. */
  moves: string;
}

export interface TileGroup {
  tile: number;
  ranges: TileRange[];
  /** Every chip that holds this tile: its copies and its partial sums, by chip number. */
  chips: number[];
}

/** Where every chip's piece of one value lives: plain data, sent as is to a webview. */
export interface TileMap {
  layout: string;
  phase: Phase;
  role: ValueRole;
  block: string;
  value: string;
  /** `in`, `weight`, `cache` or the operation. */
  op: string;
  /** The value's type in canonical form. */
  type: string;
  mesh: { name: string; axes: TileMeshAxis[]; chips: number; tiers: MeshTiers | null };
  dims: TileDim[];
  /** Axes the value is a partial sum over (mesh order). */
  partialsum: string[];
  /** Axes the value is replicated over: neither sharding a dim nor partialsum (mesh order). */
  replicatedOver: string[];
  /** Chips holding each (tile, partial): the product of the replicated axes' sizes. */
  copies: number;
  /** Partial sums of each tile: the product of the partialsum axes' sizes (1 when none). */
  partials: number;
  tiles: TileGroup[];
  chips: ChipTile[];
  /** The sizes used, for a caption: `B = 64, L = 1, T = 2112`. */
  sizesNote: string;
  /** For a collective (`all_gather`, `reduce_scatter`, …): who exchanges what with whom. */
  collective: CollectiveExchange | null;
  /** For a partial sum an einsum produced: the dims it contracted (each chip's term covers its range of them) and the operands. */
  partialOf: { letters: string[]; operands: string[] } | null;
}

/** Why a `ROLE.NAME` names no value, with the names that would do. */
export class ValueRefError extends Error {
  constructor(
    message: string,
    readonly available: string[],
  ) {
    super(message);
    this.name = 'ValueRefError';
  }
}

/** The block of `role` in `phase`, or null (`attention = none`, no unembedding). */
export function blockOfRole(layout: ResolvedLayout, phase: Phase, role: ValueRole): CheckedBlock | null {
  return layout[phase][role];
}

/** Every `ROLE.NAME` of the phase's blocks, in block and statement order. */
export function valueNames(layout: ResolvedLayout, phase: Phase): string[] {
  const out: string[] = [];
  for (const role of VALUE_ROLES) {
    const b = blockOfRole(layout, phase, role);
    if (b) for (const v of b.values) out.push(`${role}.${v.name}`);
  }
  return out;
}

/** The value `ROLE.NAME` names in the phase; throws ValueRefError when there is none. */
export function findValue(layout: ResolvedLayout, phase: Phase, ref: string): { role: ValueRole; block: CheckedBlock; value: CheckedValue } {
  const dot = ref.indexOf('.');
  const role = ref.slice(0, dot) as ValueRole;
  const name = ref.slice(dot + 1);
  const available = valueNames(layout, phase);
  if (dot < 0 || !(VALUE_ROLES as readonly string[]).includes(role)) {
    throw new ValueRefError(`'${ref}' is not ROLE.NAME with ROLE ${VALUE_ROLES.join(', ')}`, available);
  }
  const block = blockOfRole(layout, phase, role);
  if (!block) throw new ValueRefError(`layout '${layout.name}' has no ${role} block in ${phase}`, available);
  const value = block.byName.get(name);
  if (!value) throw new ValueRefError(`${role} block '${block.name}' of layout '${layout.name}' has no value '${name}' in ${phase}`, available);
  if (!value.type) throw new ValueRefError(`'${ref}' has no type (its statement has an error)`, available);
  return { role, block, value };
}

/** The sizes tiles are cut from: the whole cache for T, L = 1 for the unembedding. */
export function tileSizes(layout: ResolvedLayout, phase: Phase, role: ValueRole): PassSizes {
  const sizes = passSizes(layout.model, layout[phase].workload, phase, 'last');
  return role === 'unembed' ? withSingleToken(sizes) : sizes;
}

/** The number of `coords` on `axes` read as one mixed-radix number, the first axis major. */
function mixedIndex(axes: readonly string[], coordOf: ReadonlyMap<string, number>, sizeOf: ReadonlyMap<string, number>): number {
  let i = 0;
  for (const a of axes) i = i * (sizeOf.get(a) ?? 1) + (coordOf.get(a) ?? 0);
  return i;
}

function product(axes: readonly string[], sizeOf: ReadonlyMap<string, number>): number {
  let p = 1;
  for (const a of axes) p *= sizeOf.get(a) ?? 1;
  return p;
}

/** The tile map of a typed value on a layout's mesh. */
export function tilesOfType(type: ShardType, axes: readonly TileMeshAxis[], sizes: PassSizes): Pick<TileMap, 'dims' | 'partialsum' | 'replicatedOver' | 'copies' | 'partials' | 'tiles' | 'chips'> {
  const order = axes.map((a) => a.name);
  const sizeOf = new Map(axes.map((a) => [a.name, a.size]));
  const dims: TileDim[] = type.dims.map((d) => {
    const size = dimSize(sizes, d.letter);
    const dAxes = sortAxes(d.axes, order);
    const shards = product(dAxes, sizeOf);
    return { letter: d.letter, size, axes: dAxes, shards, extent: Math.ceil(size / shards) };
  });
  const partialsum = sortAxes(type.partialsum, order);
  const used = new Set([...dims.flatMap((d) => d.axes), ...partialsum]);
  const replicatedOver = order.filter((a) => !used.has(a) && (sizeOf.get(a) ?? 1) > 1);
  const chipCount = product(order, sizeOf);
  const tileCount = dims.reduce((p, d) => p * d.shards, 1);
  const tiles: TileGroup[] = [];
  const chips: ChipTile[] = [];
  const coordOf = new Map<string, number>();
  for (let chip = 0; chip < chipCount; chip++) {
    // Coordinates of chip number `chip`, the first axis major.
    const coords = new Array<number>(axes.length);
    let rest = chip;
    for (let k = axes.length - 1; k >= 0; k--) {
      coords[k] = rest % axes[k].size;
      rest = Math.floor(rest / axes[k].size);
      coordOf.set(axes[k].name, coords[k]);
    }
    let tile = 0;
    const ranges: TileRange[] = dims.map((d) => {
      const shard = mixedIndex(d.axes, coordOf, sizeOf);
      tile = tile * d.shards + shard;
      const start = Math.min(d.size, shard * d.extent);
      return { letter: d.letter, shard, start, end: Math.min(d.size, start + d.extent) };
    });
    const partial = partialsum.length ? mixedIndex(partialsum, coordOf, sizeOf) : -1;
    chips.push({ chip, coords, tile, ranges, partial, copy: mixedIndex(replicatedOver, coordOf, sizeOf), node: nodeOf(axes, coords), partialOf: [] });
  }
  for (let t = 0; t < tileCount; t++) tiles.push({ tile: t, ranges: [], chips: [] });
  for (const c of chips) {
    const g = tiles[c.tile];
    if (!g.chips.length) g.ranges = c.ranges;
    g.chips.push(c.chip);
  }
  return { dims, partialsum, replicatedOver, copies: product(replicatedOver, sizeOf), partials: product(partialsum, sizeOf), tiles, chips };
}

/** The chips of an axis inside one node: all of a scale-up axis, `inner` of a spanning one, 1 of a network axis. */
function insideSize(a: TileMeshAxis): number {
  if (a.tier === 'scale-out') return 1;
  if (a.tier === 'spans') return a.inner ?? 1;
  return a.size;
}

/** The node (scale-up domain) of the chip at `coords`: its coordinates past the domain, first axis major. */
export function nodeOf(axes: readonly TileMeshAxis[], coords: readonly number[]): number {
  let node = 0;
  axes.forEach((a, k) => {
    if (!a.tier) return;
    const inside = insideSize(a);
    node = node * (a.size / inside) + Math.floor(coords[k] / inside);
  });
  return node;
}

/** The mesh's axes as the tile map keeps them, with their network tier on hardware that has tiers. */
export function tileMeshAxes(mesh: MeshSpec): TileMeshAxis[] {
  return mesh.axes.map((a) => {
    const out: TileMeshAxis = { name: a.name, size: a.size };
    if (a.tier) out.tier = a.tier;
    if (a.tier === 'spans' && a.scaleUp) out.inner = a.scaleUp.size;
    return out;
  });
}

/** How the mesh's chips group into nodes, or null on hardware without network tiers. */
export function meshTiers(mesh: MeshSpec): MeshTiers | null {
  const hw = mesh.hardware;
  if (hw.scaleup_domain === undefined || hw.scaleout_bw === undefined) return null;
  const axes = tileMeshAxes(mesh);
  const inside: string[] = [];
  const across: string[] = [];
  let perNode = 1;
  for (const a of axes) {
    if (a.size === 1) continue;
    const i = insideSize(a);
    perNode *= i;
    if (i === a.size) inside.push(a.name);
    else if (i === 1) across.push(a.name);
    else {
      // An axis over both tiers: its first i chips share a node, its a.size / i blocks of them do not.
      inside.push(`${a.name} (${i} of ${a.size})`);
      across.push(`${a.name} (${a.size / i} blocks of ${i})`);
    }
  }
  const upBw = mesh.axes.find((a) => a.tier === 'scale-up')?.link_bw ?? mesh.axes.find((a) => a.scaleUp)?.scaleUp?.link_bw ?? hw.link_bw;
  return { domain: hw.scaleup_domain, nodes: mesh.chips / perNode, perNode, inside, across, scaleUpBw: upBw, scaleOutBw: hw.scaleout_bw };
}

/** Where every chip's piece of the value `ref` (`ffn.w_in`) of `layout` in `phase` lives. */
export function tileMap(layout: ResolvedLayout, phase: Phase, ref: string): TileMap {
  const { role, block, value } = findValue(layout, phase, ref);
  const type = value.type!;
  const axes = tileMeshAxes(layout.mesh);
  const sizes = tileSizes(layout, phase, role);
  const parts = tilesOfType(type, axes, sizes);
  const order = axes.map((a) => a.name);
  const sizesNote = parts.dims.map((d) => `${d.letter} = ${d.size}`).join(', ');
  const rule = operation(value.op)?.cost;
  const collective = rule?.kind === 'collective' ? collectiveExchange(rule.collective, value, block, layout.mesh, parts, sizes) : null;
  const partialOf = type.partialsum.length ? partialTerms(value, block, type, axes, sizes, parts.chips) : null;
  return {
    layout: layout.name,
    phase,
    role,
    block: block.name,
    value: value.name,
    op: value.op,
    type: formatType(type, order),
    mesh: { name: layout.mesh.name, axes, chips: layout.mesh.chips, tiers: meshTiers(layout.mesh) },
    ...parts,
    sizesNote,
    collective,
    partialOf,
  };
}

/**
 * For a partial sum an einsum produced: the dims it contracted (in an operand, not in the result)
 * that the partialsum axes split; each chip's term of the sum covers its range of them, read from
 * the operand's tiles. Fills `partialOf` of every chip. Null when the value is not an einsum's.
 */
function partialTerms(value: CheckedValue, block: CheckedBlock, type: ShardType, axes: readonly TileMeshAxis[], sizes: PassSizes, chips: ChipTile[]): TileMap['partialOf'] {
  if (value.op !== 'einsum') return null;
  const kept = new Set(type.dims.map((d) => d.letter));
  const letters: string[] = [];
  const operands: string[] = [];
  const ranges = new Map<string, ChipTile[]>();
  for (const arg of value.args) {
    const t = block.byName.get(arg)?.type;
    if (!t) continue;
    for (const d of t.dims) {
      if (kept.has(d.letter) || !d.axes.some((a) => type.partialsum.includes(a))) continue;
      if (!operands.includes(arg)) operands.push(arg);
      if (ranges.has(d.letter)) continue;
      letters.push(d.letter);
      ranges.set(d.letter, tilesOfType({ dims: [d], partialsum: [] }, axes, sizes).chips);
    }
  }
  if (!letters.length) return null;
  for (const c of chips) c.partialOf = letters.map((l) => ranges.get(l)![c.chip].ranges[0]);
  return { letters, operands };
}

/** The groups of chips that differ only on `over`: the chips one collective over those axes joins. */
export function exchangeGroups(chips: readonly ChipTile[], axes: readonly TileMeshAxis[], over: readonly string[]): number[][] {
  const groups = new Map<string, number[]>();
  for (const c of chips) {
    const key = axes.map((a, k) => (over.includes(a.name) ? '*' : String(c.coords[k]))).join(',');
    const g = groups.get(key);
    if (g) g.push(c.chip);
    else groups.set(key, [c.chip]);
  }
  return [...groups.values()];
}

/** A group as coordinates, the exchanged axes as ranges: `(1, 0…3, 0…3)`. */
export function groupName(first: ChipTile, axes: readonly TileMeshAxis[], over: readonly string[]): string {
  return `(${axes.map((a, k) => (over.includes(a.name) && a.size > 1 ? `0…${a.size - 1}` : String(first.coords[k]))).join(', ')})`;
}

/** The phases of a collective over `axes`, as the cost model runs them (cost/collectives.ts). */
export function exchangeSteps(axes: readonly string[], mesh: MeshSpec): ExchangeStep[] {
  return tieredAxes(participatingAxes(axes, mesh)).map((a: MeshAxis) => {
    const own = mesh.axes.find((m) => m.name === a.name);
    const tier = a.name.endsWith(':scale-up') ? 'scale-up' : a.name.endsWith(':scale-out') ? 'scale-out' : own?.tier === 'scale-up' || own?.tier === 'scale-out' ? own.tier : null;
    const link = a.topology === 'switch' ? 'switch' : a.wrap ? 'ring' : 'line';
    return { axis: a.name, size: a.size, link, bw: a.link_bw, tier };
  });
}

/** `F shard (4608 of 73728)`: one dim's extent per chip in a type. */
function extentText(letter: string, axes: readonly string[], sizes: PassSizes, sizeOf: (a: string) => number): string {
  const size = dimSize(sizes, letter);
  const n = axes.reduce((p, a) => p * sizeOf(a), 1);
  return n === 1 ? `all of ${letter} (${size})` : `${letter} shard (${Math.ceil(size / n)} of ${size})`;
}

function collectiveExchange(def: CollectiveDef, value: CheckedValue, block: CheckedBlock, mesh: MeshSpec, parts: ReturnType<typeof tilesOfType>, sizes: PassSizes): CollectiveExchange {
  const axes = tileMeshAxes(mesh);
  const order = axes.map((a) => a.name);
  // Axes of size 1 exchange nothing: left out of the groups' description.
  const over = sortAxes(value.axes, order).filter((a) => (axes.find((m) => m.name === a)?.size ?? 1) > 1);
  const groups = exchangeGroups(parts.chips, axes, over);
  const operand = value.args[0] ?? '';
  const from = block.byName.get(operand)?.type;
  const to = value.type!;
  const sizeOf = (a: string) => axes.find((m) => m.name === a)?.size ?? 1;
  const n = groups[0]?.length ?? 1;
  const others = `the other ${n - 1} chip${n === 2 ? '' : 's'} of its group`;
  const axesOf = (t: ShardType | undefined, letter: string) => sortAxes(t?.dims.find((d) => d.letter === letter)?.axes ?? [], order);
  // The dims whose sharding the collective changes, before → after.
  const changed = to.dims.filter((d) => axesOf(from, d.letter).join() !== axesOf(to, d.letter).join() || (from && !from.dims.some((f) => f.letter === d.letter)));
  const before = (l: string) => extentText(l, axesOf(from, l), sizes, sizeOf);
  const after = (l: string) => extentText(l, axesOf(to, l), sizes, sizeOf);
  const overText = over.join('');
  const gained = changed.filter((d) => d.axes.length > axesOf(from, d.letter).length).map((d) => `${d.letter} split over ${axesOf(to, d.letter).join('')}`);
  const lost = from?.dims.filter((f) => f.axes.length > axesOf(to, f.letter).length).map((f) => `${f.letter} no longer over ${over.filter((a) => f.axes.includes(a)).join('')}`) ?? [];
  const moves = def.exchange({
    over: overText,
    n,
    others,
    before: changed.map((d) => before(d.letter)).join(', '),
    after: changed.map((d) => after(d.letter)).join(', '),
    partialOver: sortAxes(from?.partialsum ?? over, order).join(''),
    moved: [...lost, ...gained].join('; '),
  });
  return {
    op: def.kind,
    axes: over,
    operand,
    operandType: from ? formatType(from, order) : '?',
    groups,
    groupNames: groups.map((g) => groupName(parts.chips[g[0]], axes, over)),
    steps: exchangeSteps(over, mesh),
    moves,
  };
}

/** A step in words: `y: ring of 4 (wraparound, both directions), 50 GB/s a link`. */
export function stepText(s: ExchangeStep): string {
  const how = s.link === 'ring' ? `ring of ${s.size} (wraparound, both directions)` : s.link === 'line' ? `line of ${s.size} (no wraparound)` : `switch among ${s.size} (any to any)`;
  const tier = s.tier === 'scale-up' ? ' inside a node' : s.tier === 'scale-out' ? ' across nodes, over the network' : '';
  return `${s.axis}: ${how}${tier}, ${formatRate(s.bw)} a link`;
}

/** One dim's range as the labels print it: `E 4608:9216` (half-open, as a Python slice). */
export function formatRange(r: TileRange, dim: TileDim): string {
  if (dim.shards === 1) return `${r.letter} all`;
  if (r.start >= r.end) return `${r.letter} pad`;
  return `${r.letter} ${r.start}:${r.end}`;
}

/** The label lines of a chip: its sharded dims' ranges, then its partial sum, copy and exchange group. */
export function chipLabel(map: TileMap, c: ChipTile): string[] {
  const lines: string[] = [];
  for (let k = 0; k < map.dims.length; k++) if (map.dims[k].shards > 1) lines.push(formatRange(c.ranges[k], map.dims[k]));
  if (!lines.length) lines.push('whole');
  if (map.partials > 1) lines.push(c.partialOf.length ? `Σ ${c.partialOf.map((r) => `${r.letter} ${r.start}:${r.end}`).join(' ')}` : `Σ ${c.partial + 1}/${map.partials}`);
  if (map.copies > 1) lines.push(`copy ${c.copy + 1}/${map.copies}`);
  // A collective: which exchange group the chip is in (the groups are the chips that talk).
  const groups = map.collective?.groups;
  if (groups && groups.length > 1) lines.push(`⇄ group ${groups.findIndex((g) => g.includes(c.chip)) + 1}/${groups.length}`);
  return lines;
}
