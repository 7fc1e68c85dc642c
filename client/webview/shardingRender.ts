// The Show Sharding view's DOM, built with createElement and textContent only (dom.ts): layout,
// block and value names are data and never go through innerHTML. Pure functions over a root
// element, so tests run them under happy-dom with hostile names; the chart itself is drawn by
// sharding.ts into the slot returned here. Beside the chart, a table gives every chip's tile in
// words (the same lines the chart's labels print), for screen readers and for the UI tests.

import { chartCardTitle, chipAnnouncement, chipLabel, moveChip, stepText, type ChipMove, type TileMap } from '../../server/src/engine/index';
import type { ShardingMessage, ShardingStatusMessage } from '../../server/src/protocol/shardingView';
import { button, chartCard, el, statusLine } from './dom';

export interface ShardingViewActions {
  chooseLayout(): void;
  chooseValue(): void;
  /** The keyboard (or a click on the chart) selected another chip: redraw its outline, save it. */
  selectChip?(chip: number): void;
}

export interface ShardingViewSlot {
  id: 'sharding';
  container: HTMLElement;
  /** The chip selected now (the one given to renderSharding, kept inside the mesh). */
  selected: number;
  /** Selects a chip as a key press does: the announcement, the table row and `selectChip`. */
  select(chip: number): void;
}

/**
 * The keys of the chip grid (documented in the README, "In VS Code"): arrows move along
 * the drawing's rows and columns, PageUp/PageDown and [ ] to the previous/next slice (node), Home
 * to chip (0, …, 0), End to the last chip. A move stops at the edge (see engine sharding/navigate.ts).
 */
export const CHIP_KEYS: Readonly<Record<string, ChipMove>> = {
  ArrowLeft: 'left',
  ArrowRight: 'right',
  ArrowUp: 'up',
  ArrowDown: 'down',
  PageUp: 'previous-slice',
  '[': 'previous-slice',
  PageDown: 'next-slice',
  ']': 'next-slice',
  Home: 'first',
  End: 'last',
};

/** Nothing to draw (the cursor is off a value) or no answer: the message replaces the view. */
export function renderShardingStatus(root: HTMLElement, message: ShardingStatusMessage): void {
  root.replaceChildren();
  statusLine(root, message.state).textContent = message.text;
}

export function renderSharding(root: HTMLElement, message: ShardingMessage, actions: ShardingViewActions, selectedChip = 0): ShardingViewSlot {
  const doc = root.ownerDocument;
  const { result } = message;
  const map = result.tiles;
  root.replaceChildren();

  const head = el(doc, 'header', 'head');
  const h1 = el(doc, 'h1', undefined, 'Tiles of ');
  h1.append(
    button(doc, result.value, 'link chooser value-chooser', () => actions.chooseValue(), 'Draw another value of this layout'),
    doc.createTextNode(` in `),
    button(doc, `${result.chosen.layout} · ${result.chosen.phase}`, 'link chooser layout-chooser', () => actions.chooseLayout(), result.choices.length > 1 ? `Choose among the ${result.choices.length} layouts and phases using block ${map.block}` : 'The only layout and phase using this block'),
    doc.createTextNode(` · ${message.fileName}`),
  );
  head.append(h1);
  const summary = el(doc, 'div', 'summary');
  summary.append(
    el(doc, 'p', 'value-type', `${map.role} block ${map.block}: ${map.value} = ${map.op} : ${map.type}`),
    el(doc, 'p', 'mesh', `mesh ${map.mesh.name}: ${map.mesh.axes.map((a) => `${a.name} = ${a.size}`).join(', ')} (${map.mesh.chips} chips) · ${map.sizesNote}`),
  );
  // What the colours and arrows say, in words: the nodes, the partial sums, the collective.
  const tiers = map.mesh.tiers;
  if (tiers) summary.append(el(doc, 'p', 'tiers', `${tiers.nodes} node${tiers.nodes === 1 ? '' : 's'} of ${tiers.perNode} chips (framed): ${tiers.inside.join(', ') || 'no axis'} inside a node over NVLink; ${tiers.across.join(', ') || 'no axis'} across nodes over the network`));
  if (map.partialOf) summary.append(el(doc, 'p', 'partials', `Partial sums over ${map.partialsum.join('')}: each chip holds the sum over its own part of ${map.partialOf.letters.join(', ')} (Σ in its label); the ${map.partials} chips of a tile add up to the value.`));
  const c = map.collective;
  if (c) {
    const box = el(doc, 'div', 'collective');
    box.append(
      el(doc, 'p', 'collective-what', `${c.op}(${c.operand} : ${c.operandType}) over ${c.axes.join('') || 'no axis of size > 1'}: ${c.groups.length} group${c.groups.length === 1 ? '' : 's'} of ${c.groups[0]?.length ?? 0} chips. ${c.moves}.`),
      el(doc, 'p', 'collective-links', `Links: ${c.steps.map(stepText).join('; then ') || 'none'}.`),
    );
    summary.append(box);
  }
  head.append(summary);
  root.append(head);

  const { card, container } = chartCard(doc, 'sharding', chartCardTitle('sharding'));
  // The chip grid takes the keyboard focus; what the selected chip holds is written above it,
  // in a live region that screen readers read out after each move.
  const hint = el(doc, 'p', 'chip-keys', 'Chip grid: arrow keys move the selected chip along rows and columns, PageUp/PageDown or [ ] to the previous/next slice, Home to chip 0, End to the last; moves stop at the edge.');
  hint.id = 'chip-keys';
  const live = el(doc, 'p', 'chip-selected');
  live.setAttribute('role', 'status');
  live.setAttribute('aria-live', 'polite');
  live.setAttribute('aria-atomic', 'true');
  container.tabIndex = 0;
  container.setAttribute('role', 'application');
  container.setAttribute('aria-roledescription', 'chip grid');
  container.setAttribute('aria-label', `${map.mesh.chips} chips of mesh ${map.mesh.name}`);
  container.setAttribute('aria-describedby', 'chip-keys');
  card.insertBefore(live, container);
  card.insertBefore(hint, container);
  const charts = el(doc, 'div', 'charts');
  charts.append(card);
  root.append(charts);

  // Every chip in words: what the chart's label for that chip says.
  const details = el(doc, 'details', 'tile-table');
  details.append(el(doc, 'summary', undefined, `Every chip's tile (${map.chips.length} chips, ${map.tiles.length} tiles)`));
  const table = el(doc, 'table');
  const header = el(doc, 'tr');
  const groupOf = new Map<number, number>();
  c?.groups.forEach((g, i) => g.forEach((chip) => groupOf.set(chip, i)));
  for (const h of ['chip', ...map.mesh.axes.map((a) => a.name), ...(tiers ? ['node'] : []), 'tile', ...(c ? ['group'] : [])]) header.append(el(doc, 'th', undefined, h));
  table.append(header);
  for (const chip of map.chips) {
    const row = el(doc, 'tr');
    row.dataset.chip = String(chip.chip);
    row.append(el(doc, 'td', undefined, String(chip.chip)));
    for (const coord of chip.coords) row.append(el(doc, 'td', undefined, String(coord)));
    if (tiers) row.append(el(doc, 'td', 'node', String(chip.node)));
    row.append(el(doc, 'td', 'label', chipLabel(map, chip).join(' · ')));
    if (c) {
      const g = groupOf.get(chip.chip) ?? 0;
      row.append(el(doc, 'td', 'group', `${g + 1} ${c.groupNames[g] ?? ''}`));
    }
    table.append(row);
  }
  details.append(table);
  root.append(details);

  const slot: ShardingViewSlot = {
    id: 'sharding',
    container,
    selected: clampChip(map, selectedChip),
    select(chip: number) {
      const moved = chip !== slot.selected;
      slot.selected = clampChip(map, chip);
      showSelection(table, live, map, slot.selected);
      if (moved) actions.selectChip?.(slot.selected);
    },
  };
  showSelection(table, live, map, slot.selected);
  container.addEventListener('keydown', (event: KeyboardEvent) => {
    const move = CHIP_KEYS[event.key];
    if (!move || event.altKey || event.ctrlKey || event.metaKey) return;
    // The page must not scroll under an arrow or PageDown meant for the grid.
    event.preventDefault();
    const next = moveChip(map, slot.selected, move);
    if (next === slot.selected && move !== 'first' && move !== 'last') {
      live.textContent = `${chipAnnouncement(map, next)} (edge of the mesh: no chip ${EDGE[move] ?? 'there'})`;
      return;
    }
    slot.select(next);
  });
  return slot;
}

const EDGE: Partial<Record<ChipMove, string>> = {
  left: 'to the left',
  right: 'to the right',
  up: 'above',
  down: 'below',
  'previous-slice': 'in a previous slice',
  'next-slice': 'in a next slice',
};

function clampChip(map: TileMap, chip: number): number {
  return Number.isSafeInteger(chip) && chip >= 0 && chip < map.chips.length ? chip : 0;
}

/** The announcement and the tile table's marked row for the selected chip. */
function showSelection(table: HTMLElement, live: HTMLElement, map: TileMap, chip: number): void {
  live.textContent = chipAnnouncement(map, chip);
  for (const row of table.querySelectorAll<HTMLElement>('tr.selected')) row.classList.remove('selected');
  table.querySelector<HTMLElement>(`tr[data-chip="${chip}"]`)?.classList.add('selected');
}
