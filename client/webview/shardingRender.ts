// The Show Sharding view's DOM, built with createElement and textContent only (dom.ts): layout,
// block and value names are data and never go through innerHTML. Pure functions over a root
// element, so tests run them under happy-dom with hostile names; the chart itself is drawn by
// sharding.ts into the slot returned here. Beside the chart, a table gives every chip's tile in
// words (the same lines the chart's labels print), for screen readers and for the UI tests.

import { chartCardTitle, chipLabel, stepText } from '../../server/src/engine/index';
import type { ShardingMessage, ShardingStatusMessage } from '../../server/src/protocol/shardingView';
import { button, chartCard, el, statusLine } from './dom';

export interface ShardingViewActions {
  chooseLayout(): void;
  chooseValue(): void;
}

export interface ShardingViewSlot {
  id: 'sharding';
  container: HTMLElement;
}

/** Nothing to draw (the cursor is off a value) or no answer: the message replaces the view. */
export function renderShardingStatus(root: HTMLElement, message: ShardingStatusMessage): void {
  root.replaceChildren();
  statusLine(root, message.state).textContent = message.text;
}

export function renderSharding(root: HTMLElement, message: ShardingMessage, actions: ShardingViewActions): ShardingViewSlot {
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
  return { id: 'sharding', container };
}
