// Moving a selected chip around the Show Sharding drawing with the keyboard (issue 16, "keyboard
// navigable"), and the sentence that says what the selected chip holds. Pure functions over the
// TileMap and its drawing (charts.ts `meshDrawing`), so the webview only maps keys to moves and
// the tests check the moves without a browser.
//
// The moves follow the drawing, not the mesh's declaration order, so that an arrow key always
// moves the outline the way the arrow points: left/right along a row (the last mesh axis of
// size > 1, z on `x, y, z`), up/down along a column (the axis before it, y), previous/next slice
// across the slices (the axes before those, x; on GPU meshes with network tiers, the nodes).
// At the edge of the drawing a move stops (no wraparound): wrapping would jump across the
// picture, and a screen-reader user hears "at the edge" instead of a chip far away.

import { meshDrawing, type MeshDrawing } from './charts';
import { chipLabel, type TileMap } from './tiles';

export type ChipMove = 'left' | 'right' | 'up' | 'down' | 'previous-slice' | 'next-slice' | 'first' | 'last';

/** The chip a move lands on, or `chip` itself at the edge of the drawing. */
export function moveChip(map: TileMap, chip: number, move: ChipMove, d: MeshDrawing = meshDrawing(map)): number {
  const count = map.chips.length;
  if (move === 'first') return 0;
  if (move === 'last') return count - 1;
  const from = d.places[chip];
  if (!from) return 0;
  const [dSlice, dRow, dCol] = {
    left: [0, 0, -1],
    right: [0, 0, 1],
    up: [0, -1, 0],
    down: [0, 1, 0],
    'previous-slice': [-1, 0, 0],
    'next-slice': [1, 0, 0],
  }[move];
  const slice = from.slice + dSlice;
  const row = from.row + dRow;
  const col = from.col + dCol;
  if (slice < 0 || slice >= d.slices || row < 0 || row >= d.rows || col < 0 || col >= d.cols) return chip;
  const to = d.places.findIndex((p) => p.slice === slice && p.row === row && p.col === col);
  return to < 0 ? chip : to;
}

/** The other chips of the selected chip's collective group (empty when the value is no collective's). */
export function exchangePartners(map: TileMap, chip: number): number[] {
  const group = map.collective?.groups.find((g) => g.includes(chip));
  return group ? group.filter((c) => c !== chip) : [];
}

/** At most this many partners are named one by one; the rest are counted. */
const PARTNERS_NAMED = 8;

/**
 * What the selected chip holds, in words: `chip 27 (x = 1, y = 2, z = 3): E 4608:9216 · F
 * 50688:55296`, its tile exactly as the tile table and the chart label print it (`chipLabel`),
 * then, in a collective, the chips it exchanges data with and how many of them are in other
 * slices (those the drawing cannot join with ↔ ↕ links).
 */
export function chipAnnouncement(map: TileMap, chip: number, d: MeshDrawing = meshDrawing(map)): string {
  const c = map.chips[chip];
  if (!c) return '';
  const coords = (k: number) => map.mesh.axes.map((a, i) => `${a.name} = ${map.chips[k].coords[i]}`).join(', ');
  const short = (k: number) => `(${map.chips[k].coords.join(',')})`;
  let text = `chip ${c.chip} (${coords(chip)}): ${chipLabel(map, c).join(' · ')}`;
  if (map.mesh.tiers) text += `; node ${c.node}`;
  const partners = exchangePartners(map, chip);
  if (partners.length && map.collective) {
    const named = partners.slice(0, PARTNERS_NAMED).map(short).join(', ');
    const more = partners.length > PARTNERS_NAMED ? ` and ${partners.length - PARTNERS_NAMED} more` : '';
    const away = partners.filter((k) => d.places[k].slice !== d.places[chip].slice).length;
    const slices = d.nodes ? 'nodes' : 'slices';
    text += `; ${map.collective.op} with ${named}${more}${away ? ` (${away} in other ${slices})` : ''}`;
  }
  return text;
}
