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

import type { CheckedBlock, CheckedValue, Phase, ResolvedLayout } from '../check/resolved';
import { formatType, sortAxes, type ShardType } from '../check/shardType';
import { dimSize, passSizes, withSingleToken, type PassSizes } from '../cost/sizes';
import { collectiveOf } from '../ops/index';

/** The blocks a value can be named in: `ROLE.NAME`. */
export const VALUE_ROLES = ['ffn', 'attention', 'unembed'] as const;
export type ValueRole = (typeof VALUE_ROLES)[number];

export interface TileMeshAxis {
  name: string;
  size: number;
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
  mesh: { name: string; axes: TileMeshAxis[]; chips: number };
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
  /**
   * For a collective (`all_gather`, `reduce_scatter`, …): its axes and the groups of chips that
   * exchange data, the chips that differ only on those axes, each group by chip number.
   */
  collective: { op: string; axes: string[]; groups: number[][] } | null;
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
    chips.push({ chip, coords, tile, ranges, partial, copy: mixedIndex(replicatedOver, coordOf, sizeOf) });
  }
  for (let t = 0; t < tileCount; t++) tiles.push({ tile: t, ranges: [], chips: [] });
  for (const c of chips) {
    const g = tiles[c.tile];
    if (!g.chips.length) g.ranges = c.ranges;
    g.chips.push(c.chip);
  }
  return { dims, partialsum, replicatedOver, copies: product(replicatedOver, sizeOf), partials: product(partialsum, sizeOf), tiles, chips };
}

/** Where every chip's piece of the value `ref` (`ffn.w_in`) of `layout` in `phase` lives. */
export function tileMap(layout: ResolvedLayout, phase: Phase, ref: string): TileMap {
  const { role, block, value } = findValue(layout, phase, ref);
  const type = value.type!;
  const axes = layout.mesh.axes.map((a) => ({ name: a.name, size: a.size }));
  const sizes = tileSizes(layout, phase, role);
  const parts = tilesOfType(type, axes, sizes);
  const order = axes.map((a) => a.name);
  const sizesNote = parts.dims.map((d) => `${d.letter} = ${d.size}`).join(', ');
  const collective = collectiveOf(value.op) ? { op: value.op, axes: sortAxes(value.axes, order), groups: exchangeGroups(parts.chips, axes, value.axes) } : null;
  return {
    layout: layout.name,
    phase,
    role,
    block: block.name,
    value: value.name,
    op: value.op,
    type: formatType(type, order),
    mesh: { name: layout.mesh.name, axes, chips: layout.mesh.chips },
    ...parts,
    sizesNote,
    collective,
  };
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
  if (map.partials > 1) lines.push(`Σ ${c.partial + 1}/${map.partials}`);
  if (map.copies > 1) lines.push(`copy ${c.copy + 1}/${map.copies}`);
  // A collective: which exchange group the chip is in (the groups are the chips that talk).
  const groups = map.collective?.groups;
  if (groups && groups.length > 1) lines.push(`⇄ group ${groups.findIndex((g) => g.includes(c.chip)) + 1}/${groups.length}`);
  return lines;
}
