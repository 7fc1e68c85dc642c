// Text and page renderings of tile maps and timelines: what `shardlens show` and
// `shardlens timeline` print by default, and their `--html` pages (the registered charts as inline
// SVG above the same text).

import { escapeHtml } from '../charts/escape';
import { PAGE_CSS, selfContainedPage } from '../charts/page';
import { renderChartsToSvg } from '../charts/svg';
import { formatRate, formatSeconds } from '../report/format';
import { textTable } from '../search/table';
import { formatRange, stepText, type TileMap } from './tiles';
import type { Timeline } from './timeline';

/** A text table (search/table.ts) with the columns `right` says right-aligned, as lines. */
function table(head: string[], rows: string[][], right: (i: number) => boolean): string[] {
  return textTable(head.map((header, i) => ({ header, align: right(i) ? 'right' : 'left' })), rows).split('\n');
}

/** Groups of a collective listed one a line before the rest are summed up (a 4×4×4 ring over one axis has 16). */
const MAX_GROUP_LINES = 16;

/** The heading lines of a tile map: the value, the mesh, and how its dims are split. */
export function tileMapHeading(map: TileMap): string[] {
  const mesh = map.mesh.axes.map((a) => `${a.name} = ${a.size}`).join(', ');
  const split = map.dims.filter((d) => d.shards > 1).map((d) => `${d.letter} in ${d.shards} over ${d.axes.join('')}${d.axes.length > 1 ? ` (${d.axes[0]} major)` : ''}`);
  const lines = [
    `layout ${map.layout}, ${map.phase}: ${map.role}.${map.value} : ${map.type} (${map.op} of ${map.role} block ${map.block})`,
    `mesh ${map.mesh.name} (${mesh}), ${map.mesh.chips} chips, numbered ${map.mesh.axes[0]?.name ?? 'x'} major; ${map.sizesNote}`,
    `${map.tiles.length} tile${map.tiles.length === 1 ? '' : 's'}${split.length ? `: ${split.join(', ')}` : ': the whole value on every chip'}`,
  ];
  const tiers = map.mesh.tiers;
  if (tiers) lines.push(`${tiers.nodes} node${tiers.nodes === 1 ? '' : 's'} of ${tiers.perNode} chips (scale-up domain ${tiers.domain}): ${tiers.inside.join(', ') || 'no axis'} inside a node over scale-up links (NVLink, ${formatRate(tiers.scaleUpBw)}); ${tiers.across.join(', ') || 'no axis'} across nodes over the network (${formatRate(tiers.scaleOutBw)} a chip)`);
  if (map.partials > 1) {
    const of = map.partialOf;
    lines.push(
      of
        ? `partial sums over ${map.partialsum.join('')}: the ${map.partials} chips of a tile each hold the einsum's sum over their own part of ${of.letters.join(', ')} (contracted from ${of.operands.join(', ')}); their total is the value`
        : `partial sums over ${map.partialsum.join('')}: the ${map.partials} chips of a tile each hold one term of its sum`,
    );
  }
  if (map.copies > 1) lines.push(`replicated over ${map.replicatedOver.join('')}: ${map.copies} copies of each ${map.partials > 1 ? 'partial sum' : 'tile'}`);
  const c = map.collective;
  if (c) {
    const size = c.groups[0]?.length ?? 0;
    lines.push(`${c.op}(${c.operand} : ${c.operandType}) over ${c.axes.join('')}: ${c.groups.length} group${c.groups.length === 1 ? '' : 's'} of ${size} chips exchange data (the chips that differ only in ${c.axes.join(', ')})`);
    lines.push(`  ${c.moves}`);
    lines.push(`  links, in the order the phases run: ${c.steps.map(stepText).join('; then ') || 'none (every axis has size 1)'}`);
    // One axis: the chips in ring order (→ back: the wraparound link); several: just the chips.
    const oneRing = c.steps.length === 1 && c.steps[0].link !== 'switch';
    const shown = c.groupNames.slice(0, MAX_GROUP_LINES).map((name, i) => `group ${i + 1} ${name}: chips ${c.groups[i].join(oneRing ? ' → ' : ', ')}${oneRing && c.steps[0].link === 'ring' ? ' → back' : ''}`);
    lines.push(...shown.map((l) => `  ${l}`));
    if (c.groups.length > MAX_GROUP_LINES) lines.push(`  … ${c.groups.length - MAX_GROUP_LINES} more groups, one for each value of ${map.mesh.axes.filter((a) => a.size > 1 && !c.axes.includes(a.name)).map((a) => a.name).join(', ')}`);
  }
  return lines;
}

/** `shardlens show`: one row per chip, its coordinates and the index range of each dim (start:end, end excluded). */
export function renderTileTable(map: TileMap): string {
  const tiers = map.mesh.tiers;
  const head = ['chip', ...map.mesh.axes.map((a) => a.name), ...(tiers ? ['node'] : []), 'tile', ...map.dims.map((d) => d.letter)];
  if (map.partials > 1) head.push(`partial (${map.partialsum.join('')})`);
  if (map.partialOf) head.push(`sum over`);
  if (map.copies > 1) head.push(`copy (${map.replicatedOver.join('')})`);
  const groups = map.collective && map.collective.groups.length > 1 ? map.collective.groups : null;
  if (groups) head.push(`group (${map.collective!.op})`);
  const rows = map.chips.map((c) => {
    const row = [String(c.chip), ...c.coords.map(String), ...(tiers ? [String(c.node)] : []), String(c.tile), ...map.dims.map((d, k) => formatRange(c.ranges[k], d).slice(d.letter.length + 1))];
    if (map.partials > 1) row.push(`${c.partial + 1}/${map.partials}`);
    if (map.partialOf) row.push(c.partialOf.map((r) => `${r.letter} ${r.start}:${r.end}`).join(' '));
    if (map.copies > 1) row.push(`${c.copy + 1}/${map.copies}`);
    if (groups) row.push(`${groups.findIndex((g) => g.includes(c.chip)) + 1}/${groups.length}`);
    return row;
  });
  const numeric = map.mesh.axes.length + (tiers ? 3 : 2);
  return [...tileMapHeading(map), '', ...table(head, rows, (i) => i < numeric)].join('\n') + '\n';
}

/** `shardlens timeline`: one layer's ops with their start, end and figures, then the whole pass. */
export function renderTimelineText(t: Timeline): string {
  const out = [
    `layout ${t.layout}, ${t.phase}: ${t.passNote} (ffn ${t.ffn}, attention ${t.attention ?? 'none'}; overlap ${t.overlap})`,
    '',
    `one layer: ${formatSeconds(t.layer.time_s)} (◆ on the critical path; ~ runs under an overlapped op)`,
  ];
  const rows = t.layer.bars.map((b) => [
    b.critical ? '◆' : '~',
    formatSeconds(b.start_s),
    formatSeconds(b.end_s),
    formatSeconds(b.time_s),
    formatSeconds(b.compute_s),
    formatSeconds(b.memory_s),
    formatSeconds(b.comm_s),
    b.bound,
    `${b.key} ${b.op}${b.axes ? ` ${b.axes}` : ''}${b.overlapsWith.length ? ` (with ${b.overlapsWith.join(', ')})` : ''}`,
  ]);
  out.push(...table(['', 'start', 'end', 'time', 'compute', 'memory', 'comm', 'bound', 'op'], rows, (i) => i >= 1 && i <= 6).map((l) => `  ${l}`));
  out.push('', `whole pass: ${formatSeconds(t.step.time_s)}`);
  const parts = t.step.parts.map((p) => [formatSeconds(p.start_s), formatSeconds(p.end_s), formatSeconds(p.end_s - p.start_s), p.label]);
  out.push(...table(['start', 'end', 'time', 'part'], parts, (i) => i <= 2).map((l) => `  ${l}`));
  return out.join('\n') + '\n';
}

function page(title: string, heading: string, svgs: { id: string; title: string; svg: string }[], text: string): string {
  const figures = svgs.map((c) => `<section id="${escapeHtml(c.id)}">\n<h2>${escapeHtml(c.title)}</h2>\n<figure>${c.svg}</figure>\n</section>`).join('\n');
  return selfContainedPage(title, `${PAGE_CSS}pre { font-size: 12px; }\n`, `<h1>${escapeHtml(heading)}</h1>\n${figures}\n<pre>${escapeHtml(text)}</pre>`);
}

/** `shardlens show --html`: the sharding chart and the tile table. */
export function renderShowPage(map: TileMap): string {
  return page(`shardlens: ${map.role}.${map.value} of ${map.layout}`, `${map.role}.${map.value} : ${map.type} on ${map.mesh.name}`, renderChartsToSvg('sharding', map), renderTileTable(map));
}

/** `shardlens timeline --html`: both timeline charts and the text. */
export function renderTimelinePage(t: Timeline): string {
  return page(`shardlens: timeline of ${t.layout} (${t.phase})`, `Timeline of ${t.layout}, ${t.phase}`, renderChartsToSvg('timeline', t), renderTimelineText(t));
}
