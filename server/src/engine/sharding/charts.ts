// The Show Sharding and step timeline charts: pure builders from a TileMap / Timeline (plain
// data, as the protocol carries it) to ECharts options, registered in charts/registry.ts. Both
// draw with a custom series: the sharding chart lays the mesh out as grids of chips itself (a 3D
// torus as slices), the timeline is a Gantt on a time axis.
//
// Labels carry everything the colours say (issue 16: no colour-only encoding): each chip's label
// is its index ranges, its partial sum and its copy (`chipLabel`), each bar's its time and
// whether it is on the critical path.

import type { EChartsOption } from 'echarts';
import { formatRate, formatSeconds, sig } from '../report/format';
import { LIGHT_THEME } from '../charts/theme';
import type { ChartBuildOptions, ChartTheme } from '../charts/types';
import { chipLabel, type ChipTile, type TileMap } from './tiles';
import type { Timeline } from './timeline';

// ---------------------------------------------------------------- sharding

/** A chip's place in the drawing: which slice, row and column. */
export interface ChipPlace {
  slice: number;
  row: number;
  col: number;
}

/**
 * How the mesh is drawn: axes of size 1 are left out; the last axis runs along a row, the one
 * before it down a column, and every combination of the axes before those is a slice (a 4×4×4
 * torus is 4 slices x = 0…3 of 4 rows y by 4 columns z). On GPUs with network tiers each slice
 * is a node (scale-up domain), framed, holding its chips: the parts of the axes inside a node,
 * the last along a row and the others down the column (8 nodes of 8 H100s: 8 framed rows of 8).
 */
export interface MeshDrawing {
  sliceAxes: string[];
  rowAxis: string | null;
  colAxis: string | null;
  slices: number;
  rows: number;
  cols: number;
  /** Each slice's heading: `x = 2`, or `node 3 · y = 3`. */
  sliceTitles: string[];
  /** The slices are nodes: drawn with a frame. */
  nodes: boolean;
  places: ChipPlace[];
}

export function meshDrawing(map: TileMap): MeshDrawing {
  if (map.mesh.tiers) return nodeDrawing(map);
  const axes = map.mesh.axes;
  const shown = axes.map((a, i) => ({ ...a, i })).filter((a) => a.size > 1);
  const col = shown.length >= 1 ? shown[shown.length - 1] : null;
  const row = shown.length >= 2 ? shown[shown.length - 2] : null;
  const sliceAxes = shown.slice(0, Math.max(0, shown.length - 2));
  let slices = 1;
  for (const a of sliceAxes) slices *= a.size;
  const places = map.chips.map((c) => {
    let slice = 0;
    for (const a of sliceAxes) slice = slice * a.size + c.coords[a.i];
    return { slice, row: row ? c.coords[row.i] : 0, col: col ? c.coords[col.i] : 0 };
  });
  const sliceTitles: string[] = [];
  for (let s = 0; s < slices; s++) {
    let rest = s;
    const parts: string[] = [];
    for (let k = sliceAxes.length - 1; k >= 0; k--) {
      parts.unshift(`${sliceAxes[k].name} = ${rest % sliceAxes[k].size}`);
      rest = Math.floor(rest / sliceAxes[k].size);
    }
    sliceTitles.push(parts.join(', '));
  }
  return { sliceAxes: sliceAxes.map((a) => a.name), rowAxis: row?.name ?? null, colAxis: col?.name ?? null, slices, rows: row?.size ?? 1, cols: col?.size ?? 1, sliceTitles, nodes: false, places };
}

/** A tiered mesh: one slice per node, its chips by their coordinates inside the node. */
function nodeDrawing(map: TileMap): MeshDrawing {
  const tiers = map.mesh.tiers!;
  const inside = map.mesh.axes
    .map((a, i) => ({ name: a.name, i, size: a.tier === 'scale-out' ? 1 : a.tier === 'spans' ? (a.inner ?? 1) : a.size }))
    .filter((a) => a.size > 1);
  const col = inside.length ? inside[inside.length - 1] : null;
  const rowParts = inside.slice(0, -1);
  const rows = rowParts.reduce((p, a) => p * a.size, 1);
  const places = map.chips.map((c) => {
    let row = 0;
    for (const a of rowParts) row = row * a.size + (c.coords[a.i] % a.size);
    return { slice: c.node, row, col: col ? c.coords[col.i] % col.size : 0 };
  });
  // A node's heading: its coordinates past the domain, from its first chip.
  const sliceTitles: string[] = [];
  for (const c of map.chips) {
    if (sliceTitles[c.node] !== undefined) continue;
    const where = map.mesh.axes
      .map((a, k) => {
        if (a.tier === 'scale-out' && a.size > 1) return `${a.name} = ${c.coords[k]}`;
        if (a.tier === 'spans' && a.inner) return `${a.name} = ${c.coords[k]}…${c.coords[k] + a.inner - 1}`;
        return '';
      })
      .filter(Boolean);
    sliceTitles[c.node] = `node ${c.node}${where.length ? ` · ${where.join(', ')}` : ''}`;
  }
  return {
    sliceAxes: tiers.across,
    rowAxis: rowParts.map((a) => a.name).join('') || null,
    colAxis: col?.name ?? null,
    slices: tiers.nodes,
    rows,
    cols: col?.size ?? 1,
    sliceTitles,
    nodes: true,
    places,
  };
}

/**
 * Where to draw the exchange links of a collective: for each chip, the neighbours it passes data
 * to along a collective axis (coordinate + 1 on that axis) that sit right of it or below it in
 * the drawing. Partners in other slices are told by the caption and the labels.
 */
export function exchangeLinks(map: TileMap, d: MeshDrawing = meshDrawing(map)): ('right' | 'down')[][] {
  const out: ('right' | 'down')[][] = map.chips.map(() => []);
  const c = map.collective;
  if (!c) return out;
  const index = new Map(map.chips.map((ch) => [ch.coords.join(','), ch.chip]));
  for (const ch of map.chips) {
    const p = d.places[ch.chip];
    map.mesh.axes.forEach((a, k) => {
      if (!c.axes.includes(a.name) || ch.coords[k] + 1 >= a.size) return;
      const next = [...ch.coords];
      next[k]++;
      const n = index.get(next.join(','));
      if (n === undefined) return;
      const q = d.places[n];
      if (q.slice !== p.slice) return;
      if (q.row === p.row && q.col === p.col + 1) out[ch.chip].push('right');
      else if (q.col === p.col && q.row === p.row + 1) out[ch.chip].push('down');
    });
  }
  return out;
}

/** A fill per tile: hues a golden angle apart, light enough for dark text in every theme. */
export function tileColor(tile: number): string {
  const hue = Math.round((tile * 137.508) % 360);
  return `hsl(${hue}, 60%, 82%)`;
}

/** Text on tile fills: dark whatever the editor theme, since the fills are always light. */
const TILE_TEXT = '#1f2328';

/** Chip cells are this much wider than tall: wide for up to three label lines, taller for more. */
const cellAspect = (lines: number) => (lines <= 3 ? 2.2 : 1.7);
/** Above the chips: the title and the caption's lines. */
const headerPx = (captionLines: number) => 46 + 15 * captionLines;
const SLICE_TITLE = 0.55; // of a cell's height
const GAP = 0.5; // between slices, in cell heights

/** Slices per row of slices that gives the largest cells in a width × height area. */
function sliceColumns(d: MeshDrawing, width: number, height: number, aspect: number): { perRow: number; cell: number } {
  let best = { perRow: 1, cell: 0 };
  for (let perRow = 1; perRow <= d.slices; perRow++) {
    const sliceRows = Math.ceil(d.slices / perRow);
    const unitsW = perRow * d.cols * aspect + (perRow - 1) * GAP;
    const unitsH = sliceRows * (d.rows + (d.slices > 1 || d.nodes ? SLICE_TITLE : 0)) + (sliceRows - 1) * GAP;
    const cell = Math.min(width / unitsW, height / unitsH);
    if (cell > best.cell) best = { perRow, cell };
  }
  return best;
}

function chipTooltip(map: TileMap, c: ChipTile): string {
  const coords = map.mesh.axes.map((a, i) => `${a.name} = ${c.coords[i]}`).join(', ');
  const lines = [`chip ${c.chip} (${coords})`];
  map.dims.forEach((d, k) => {
    const r = c.ranges[k];
    lines.push(`${d.letter} [${r.start}, ${r.end}) of ${d.size}${d.shards > 1 ? `: shard ${r.shard + 1}/${d.shards} over ${d.axes.join('')}` : ''}`);
  });
  if (map.partials > 1) lines.push(`partial sum ${c.partial + 1}/${map.partials} over ${map.partialsum.join('')}${c.partialOf.length ? `: the sum over ${c.partialOf.map((r) => `${r.letter} [${r.start}, ${r.end})`).join(', ')}` : ''}`);
  if (map.mesh.tiers) lines.push(`node ${c.node}`);
  const g = map.collective?.groups.findIndex((x) => x.includes(c.chip)) ?? -1;
  if (g >= 0 && map.collective) lines.push(`${map.collective.op} group ${g + 1} ${map.collective.groupNames[g]}`);
  if (map.copies > 1) lines.push(`copy ${c.copy + 1}/${map.copies} over ${map.replicatedOver.join('')}`);
  return lines.join('\n');
}

/** The caption under the title: what the picture shows and the conventions it uses. */
export function shardingCaption(map: TileMap, d: MeshDrawing = meshDrawing(map)): string {
  const t = map.mesh.tiers;
  const how = d.nodes && t
    ? `${t.nodes} node${t.nodes === 1 ? '' : 's'} (framed) of ${t.perNode} chips: ${t.inside.join(', ') || '—'} inside over NVLink ${formatRate(t.scaleUpBw)}, ${t.across.join(', ') || '—'} across over the network ${formatRate(t.scaleOutBw)}`
    : [d.sliceAxes.length ? `slices ${d.sliceAxes.join(',')}` : '', d.rowAxis ? `rows ${d.rowAxis}` : '', d.colAxis ? `columns ${d.colAxis}` : ''].filter(Boolean).join('; ');
  const what = [`${map.tiles.length} tile${map.tiles.length === 1 ? '' : 's'}`];
  if (map.partials > 1) what.push(map.partialOf ? `each a partial sum over ${map.partialsum.join('')} of the chip's part of ${map.partialOf.letters.join(', ')} (Σ, dashed)` : `each a partial sum over ${map.partialsum.join('')} (Σ k/${map.partials}, dashed)`);
  if (map.copies > 1) what.push(`${map.copies} copies over ${map.replicatedOver.join('')}`);
  const lines = [`${how}; ${what.join(', ')}`];
  const c = map.collective;
  if (c) lines.push(`${c.op} over ${c.axes.join('')}: ${c.groups.length} group${c.groups.length === 1 ? '' : 's'} of ${c.groups[0]?.length ?? 0} chips (⇄ group k/n; ↔ ↕ links) · ${c.steps.map((s) => `${s.axis} ${s.link}${s.tier ? ` ${s.tier === 'scale-up' ? 'NVLink' : 'network'}` : ''}`).join(' then ')}`);
  lines.push(`ranges are start:end (end excluded); ${map.sizesNote}`);
  return lines.join('\n');
}

export function buildShardingChart(map: TileMap, options: ChartBuildOptions): EChartsOption {
  const theme: ChartTheme = options.theme ?? LIGHT_THEME;
  const d = meshDrawing(map);
  const labels = map.chips.map((c) => chipLabel(map, c));
  const maxLines = Math.max(...labels.map((l) => l.length)) + 1; // + the chip's coordinates
  const data = map.chips.map((c) => [c.chip]);
  const title = `${map.layout} ${map.phase}: ${map.role}.${map.value} : ${map.type}`;
  const caption = shardingCaption(map, d);
  const HEADER_PX = headerPx(caption.split('\n').length);
  const links = exchangeLinks(map, d);
  // The keyboard's selection (the webview's): the chip, and the chips it exchanges data with.
  const selected = options.selectedChip && map.chips[options.selectedChip.chip] ? options.selectedChip : undefined;
  const ring = selected?.color || theme.foreground;
  const partners = new Set(selected ? (map.collective?.groups.find((g) => g.includes(selected.chip)) ?? []) : []);
  return {
    animation: options.animation ?? true,
    backgroundColor: theme.background,
    textStyle: { fontFamily: theme.fontFamily, color: theme.foreground },
    title: {
      text: title,
      subtext: caption,
      left: 8,
      top: 4,
      textStyle: { fontSize: 14, color: theme.foreground },
      // The caption has several lines: an explicit line height keeps them apart in every font.
      subtextStyle: { fontSize: 11, lineHeight: 15, color: theme.mutedForeground },
    },
    tooltip: { trigger: 'item', renderMode: 'richText', formatter: (p: unknown) => chipTooltip(map, map.chips[(p as { dataIndex: number }).dataIndex]) },
    series: [
      {
        type: 'custom',
        name: `${map.role}.${map.value}`,
        coordinateSystem: 'none',
        data,
        renderItem: (params, api) => {
          const width = api.getWidth();
          const height = api.getHeight() - HEADER_PX;
          const aspect = cellAspect(maxLines);
          const { perRow, cell } = sliceColumns(d, width - 16, height - 8, aspect);
          const cellH = cell;
          const cellW = cell * aspect;
          // A heading of at most 22 px: big cells (few chips) need no bigger one.
          const titleH = d.slices > 1 || d.nodes ? Math.min(22, cell * SLICE_TITLE) : 0;
          const sliceW = d.cols * cellW + GAP * cell;
          const sliceH = d.rows * cellH + titleH + GAP * cell;
          const i = params.dataIndex;
          const c = map.chips[i];
          const place = d.places[i];
          const x0 = 8 + (place.slice % perRow) * sliceW;
          const y0 = HEADER_PX + Math.floor(place.slice / perRow) * sliceH;
          const x = x0 + place.col * cellW;
          const y = y0 + titleH + place.row * cellH;
          // Lines at 1.15 × the font size, with a little margin; about 15 characters across.
          const font = Math.max(6, Math.min(12, (cellH - 4) / (maxLines * 1.15), (cellW / 15) * 1.6));
          const lines = [`(${c.coords.filter((_, k) => map.mesh.axes[k].size > 1).join(',')})`, ...labels[i]];
          const children: unknown[] = [];
          children.push({
            type: 'rect',
            shape: { x: x + 1, y: y + 1, width: cellW - 2, height: cellH - 2, r: 2 },
            style: { fill: tileColor(c.tile), stroke: map.partials > 1 ? TILE_TEXT : theme.gridLine, lineWidth: 1, lineDash: map.partials > 1 ? [3, 2] : undefined },
          });
          children.push({
            type: 'text',
            style: { text: lines.join('\n'), x: x + cellW / 2, y: y + cellH / 2, align: 'center', verticalAlign: 'middle', fill: TILE_TEXT, fontSize: font, lineHeight: font * 1.15, fontFamily: theme.fontFamily },
          });
          // The selected chip: a thick outline over its neighbours'; its collective partners (in
          // any slice): a dashed one. The announcement beside the chart says the same in words.
          if (selected?.chip === i) {
            children.push({ type: 'rect', z2: 20, shape: { x: x + 1.5, y: y + 1.5, width: cellW - 3, height: cellH - 3, r: 2 }, style: { fill: 'none', stroke: ring, lineWidth: 3 } });
          } else if (partners.has(i)) {
            children.push({ type: 'rect', z2: 20, shape: { x: x + 2, y: y + 2, width: cellW - 4, height: cellH - 4, r: 2 }, style: { fill: 'none', stroke: ring, lineWidth: 1.5, lineDash: [4, 3] } });
          }
          // A collective's links to the next chip of the ring along a row (↔) or down a column (↕).
          for (const dir of links[i]) {
            const cx = dir === 'right' ? x + cellW : x + cellW / 2;
            const cy = dir === 'right' ? y + cellH / 2 : y + cellH;
            const lw = Math.max(9, Math.min(14, cell * 0.28));
            // Above the next chip's rectangle, which is drawn after this one.
            children.push({ type: 'rect', z2: 10, shape: { x: cx - lw / 2, y: cy - lw / 2, width: lw, height: lw, r: lw / 2 }, style: { fill: theme.background, stroke: theme.foreground, lineWidth: 1 } });
            children.push({ type: 'text', z2: 11, style: { text: dir === 'right' ? '↔' : '↕', x: cx, y: cy, align: 'center', verticalAlign: 'middle', fill: theme.foreground, fontSize: lw * 0.75, fontFamily: theme.fontFamily } });
          }
          // A node's frame: the chips that share one scale-up domain (NVLink); between frames, the network.
          if (d.nodes && place.row === 0 && place.col === 0) {
            const m = Math.min(6, GAP * cell * 0.3);
            children.push({ type: 'rect', shape: { x: x0 - m, y: y0 - m, width: d.cols * cellW + 2 * m, height: d.rows * cellH + titleH + 2 * m, r: 4 }, style: { fill: 'none', stroke: theme.foreground, lineWidth: 1.5 } });
          }
          // Each slice's heading, drawn once with its first chip.
          if (titleH && place.row === 0 && place.col === 0) {
            children.push({ type: 'text', style: { text: d.sliceTitles[place.slice], x: x0, y: y0 + titleH / 2, verticalAlign: 'middle', fill: theme.foreground, fontSize: Math.min(12, titleH * 0.8), fontWeight: 'bold', fontFamily: theme.fontFamily } });
          }
          return { type: 'group', children } as never;
        },
      },
    ],
  };
}

// ---------------------------------------------------------------- timeline

/** One row of a Gantt chart. */
export interface GanttRow {
  label: string;
  start_s: number;
  end_s: number;
  compute_s: number;
  memory_s: number;
  comm_s: number;
  critical: boolean;
  /** Text after the bar. */
  note: string;
}

export function layerRows(t: Timeline): GanttRow[] {
  return t.layer.bars.map((b) => ({
    label: `${b.key} ${b.op}${b.axes ? ` ${b.axes}` : ''}`,
    start_s: b.start_s,
    end_s: b.end_s,
    compute_s: b.compute_s,
    memory_s: b.memory_s,
    comm_s: b.comm_s,
    critical: b.critical,
    note: `${formatSeconds(b.time_s)} ${b.bound}${b.overlapsWith.length ? (b.op === 'einsum' ? ' (hides comm)' : ' (under einsum)') : ''}${b.critical ? ' ◆' : ''}`,
  }));
}

export function stepRows(t: Timeline): GanttRow[] {
  return t.step.parts.map((p) => ({
    label: p.label,
    start_s: p.start_s,
    end_s: p.end_s,
    compute_s: p.count * p.compute_s,
    memory_s: p.count * p.memory_s,
    comm_s: p.count * p.comm_s,
    critical: true,
    note: p.count > 1 ? `${formatSeconds(p.end_s - p.start_s)} (${p.count} × ${formatSeconds(p.each_s)})` : formatSeconds(p.each_s),
  }));
}

function ganttOption(rows: GanttRow[], title: string, subtitle: string, options: ChartBuildOptions): EChartsOption {
  const theme = options.theme ?? LIGHT_THEME;
  const end = Math.max(...rows.map((r) => r.end_s), 1e-12);
  // Time axis in the unit of the whole span (µs for a layer, ms or s for a step).
  const [unit, scale] = end < 1e-3 ? ['µs', 1e6] : end < 1 ? ['ms', 1e3] : ['s', 1];
  const categories = rows.map((r) => r.label);
  const stripes: [keyof Pick<GanttRow, 'compute_s' | 'memory_s' | 'comm_s'>, string][] = [
    ['compute_s', theme.category.compute],
    ['memory_s', theme.category.memory],
    ['comm_s', theme.category.comm],
  ];
  return {
    animation: options.animation ?? true,
    backgroundColor: theme.background,
    textStyle: { fontFamily: theme.fontFamily, color: theme.foreground },
    title: { text: title, subtext: subtitle, left: 8, top: 4, textStyle: { fontSize: 14, color: theme.foreground }, subtextStyle: { fontSize: 11, lineHeight: 15, color: theme.mutedForeground } },
    legend: { bottom: 4, itemGap: 24, textStyle: { color: theme.foreground }, data: ['compute', 'memory', 'communication', 'critical path ◆'] },
    // Room for the longest op name at the axis's 11 px font (about 6.2 px a character).
    grid: { left: 16 + Math.ceil(Math.max(...categories.map((c) => c.length)) * 6.2), right: 150, top: 72, bottom: 64 },
    tooltip: {
      trigger: 'item',
      renderMode: 'richText',
      formatter: (p: unknown) => {
        const r = rows[(p as { dataIndex: number }).dataIndex];
        if (!r) return '';
        return [r.label, `${formatSeconds(r.start_s)} → ${formatSeconds(r.end_s)}`, `compute ${formatSeconds(r.compute_s)}, memory ${formatSeconds(r.memory_s)}, comm ${formatSeconds(r.comm_s)}`, r.critical ? 'on the critical path' : 'hidden under an overlapped op'].join('\n');
      },
    },
    xAxis: { type: 'value', name: `time (${unit})`, nameLocation: 'middle', nameGap: 24, min: 0, axisLabel: { color: theme.mutedForeground, formatter: (v: number) => sig(v) }, nameTextStyle: { color: theme.mutedForeground }, splitLine: { lineStyle: { color: theme.gridLine } } },
    yAxis: { type: 'category', data: categories, inverse: true, axisLabel: { color: theme.foreground, fontSize: 11 }, axisLine: { lineStyle: { color: theme.gridLine } } },
    series: [
      {
        type: 'custom',
        name: 'ops',
        data: rows.map((r, i) => [i, r.start_s * scale, r.end_s * scale]),
        encode: { x: [1, 2], y: 0 },
        renderItem: (params, api) => {
          const i = params.dataIndex;
          const r = rows[i];
          const [x0, y] = api.coord([r.start_s * scale, i]);
          const [x1] = api.coord([r.end_s * scale, i]);
          const band = (api.size!([0, 1]) as number[])[1];
          const h = band * 0.7;
          const top = y - h / 2;
          const children: unknown[] = [
            { type: 'rect', shape: { x: x0, y: top, width: Math.max(1, x1 - x0), height: h }, style: { fill: theme.background, stroke: r.critical ? theme.hbmLine : theme.mutedForeground, lineWidth: r.critical ? 2 : 1, lineDash: r.critical ? undefined : [4, 3] } },
          ];
          // Three stripes inside the bar: compute, memory and communication time, each from the bar's start.
          stripes.forEach(([field, color], k) => {
            const [xe] = api.coord([r.start_s * scale + r[field] * scale, i]);
            if (xe - x0 > 0.2) children.push({ type: 'rect', shape: { x: x0, y: top + 2 + (k * (h - 4)) / 3, width: xe - x0, height: (h - 4) / 3 }, style: { fill: color } });
          });
          children.push({ type: 'text', style: { text: r.note, x: Math.max(x1, x0 + 1) + 4, y, verticalAlign: 'middle', fill: theme.foreground, fontSize: 10, fontFamily: theme.fontFamily } });
          return { type: 'group', children } as never;
        },
      },
      // Legend entries for the stripe colours and the critical outline (no data of their own).
      { type: 'bar', name: 'compute', data: [], itemStyle: { color: theme.category.compute } },
      { type: 'bar', name: 'memory', data: [], itemStyle: { color: theme.category.memory } },
      { type: 'bar', name: 'communication', data: [], itemStyle: { color: theme.category.comm } },
      { type: 'bar', name: 'critical path ◆', data: [], itemStyle: { color: theme.background, borderColor: theme.hbmLine, borderWidth: 2 } },
    ],
  };
}

export function buildLayerTimelineChart(t: Timeline, options: ChartBuildOptions): EChartsOption {
  const overlap = t.overlap === 'collective_einsum' ? 'collectives overlap the einsum they feed or follow' : 'no overlap: ops run one after another';
  return ganttOption(
    layerRows(t),
    `${t.layout} ${t.phase}: one layer, ${formatSeconds(t.layer.time_s)}`,
    `${t.passNote}; ${overlap}; ${t.basis}.\nBar = op time; stripes = its compute, memory and communication time; ◆ = on the critical path`,
    options,
  );
}

export function buildStepTimelineChart(t: Timeline, options: ChartBuildOptions): EChartsOption {
  return ganttOption(stepRows(t), `${t.layout} ${t.phase}: whole pass, ${formatSeconds(t.step.time_s)}`, `${t.passNote}; ${t.basis}; stripes = summed compute, memory, communication time before overlap`, options);
}
