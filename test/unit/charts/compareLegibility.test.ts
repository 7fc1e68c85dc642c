// Compare Layouts must let every layout be read (issue: "No layout may hide the others"). The
// charts are rendered exactly as `shardlens compare --svg` renders them, for six real layouts of
// PaLM 540B (three batch-1 prefills beside a batch-512 one, two nearly equal layouts), and the
// SVG itself is measured: every layout has a bar of a few pixels in each bar chart and a label in
// the scatter, and no two labels overlap.

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createShardService, renderChartsToSvg, sourceFromText } from '../../../server/src/engine/index';
import { LIGHT_THEME } from '../../../server/src/engine/charts/theme';

const FIXTURE = new URL('../../fixtures/compare/six-layouts.shard', import.meta.url);
const LAYOUTS = ['low_latency', 'low_latency_twin', 'high_throughput', 'low_latency_bf16', 'decode_heads_sharded', 'gathered_prefill'];
/** The smallest bar a reader can see, in pixels. */
const VISIBLE_PIXELS = 2.5;

interface Box { left: number; right: number; top: number; bottom: number }
interface Text extends Box { text: string }

/** The bounding box of a path made of M/m/L/l/H/h/V/v commands (ECharts' bars are such rectangles). */
function pathBox(d: string): Box {
  const tokens = d.match(/[MLHVZmlhvz]|-?\d*\.?\d+(?:e-?\d+)?/g) ?? [];
  let x = 0;
  let y = 0;
  const xs: number[] = [];
  const ys: number[] = [];
  let command = 'M';
  for (let i = 0; i < tokens.length; ) {
    if (/[A-Za-z]/.test(tokens[i])) command = tokens[i++];
    if (command === 'Z' || command === 'z') continue;
    const a = Number(tokens[i++]);
    if (command === 'H') x = a;
    else if (command === 'h') x += a;
    else if (command === 'V') y = a;
    else if (command === 'v') y += a;
    else {
      const b = Number(tokens[i++]);
      if (command === 'M' || command === 'L') [x, y] = [a, b];
      else [x, y] = [x + a, y + b];
    }
    xs.push(x);
    ys.push(y);
  }
  return { left: Math.min(...xs), right: Math.max(...xs), top: Math.min(...ys), bottom: Math.max(...ys) };
}

/** Filled rectangles of one of `colours`. */
function bars(svg: string, colours: string[]): Box[] {
  const out: Box[] = [];
  for (const m of svg.matchAll(/<path d="([^"]+)"[^>]*?fill="(#[0-9a-fA-F]{6})"/g)) {
    if (colours.includes(m[2].toLowerCase())) out.push(pathBox(m[1]));
  }
  return out;
}

/**
 * Every text element with its box: 12 px text, at most 7 px a character (wider than the
 * average glyph of the chart's sans-serif font, so overlaps are never missed), anchored as
 * written, `y` offset from its translate, centred vertically (dominant-baseline central).
 */
function texts(svg: string): Text[] {
  const out: Text[] = [];
  for (const m of svg.matchAll(/<text([^>]*)>([^<]*)<\/text>/g)) {
    const attrs = m[1];
    const at = /translate\(([-\d.e]+) ([-\d.e]+)\)/.exec(attrs);
    if (!at || /rotate/.test(attrs)) continue;
    const x = Number(at[1]);
    const y = Number(at[2]) + Number(/ y="([-\d.]+)"/.exec(attrs)?.[1] ?? 0);
    const width = m[2].length * 7;
    const anchor = /text-anchor="(\w+)"/.exec(attrs)?.[1] ?? 'start';
    const left = anchor === 'middle' ? x - width / 2 : anchor === 'end' ? x - width : x;
    out.push({ text: m[2], left, right: left + width, top: y - 7, bottom: y + 7 });
  }
  return out;
}

const overlap = (a: Box, b: Box) => a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom;

describe('Compare Layouts charts, measured from the SVG', () => {
  const service = createShardService();
  const report = service.report(service.analyze(sourceFromText(readFileSync(FIXTURE, 'utf8'), 'six-layouts.shard')));
  const charts = Object.fromEntries(renderChartsToSvg('compare', report).map((c) => [c.id, c.svg]));

  it('are drawn from a fixture whose six layouts all cost, one of them at batch 512', () => {
    expect(report.layouts.map((l) => l.name)).toEqual(LAYOUTS);
    expect(report.layouts.every((l) => l.costed)).toBe(true);
    const costed = report.layouts.filter((l) => l.costed);
    const prefills = costed.map((l) => l.prefill!.latency_s!);
    // What flattened the old linear chart: the batch-512 prefill is over 100× the batch-1 ones.
    expect(Math.max(...prefills) / Math.min(...prefills)).toBeGreaterThan(100);
    // The twins are nearly equal: within 2% in every phase figure the scatter plots.
    const [a, b] = [costed[0], costed[1]];
    expect(Math.abs(a.decode!.step_s! / b.decode!.step_s! - 1)).toBeLessThan(0.02);
  });

  it('give every layout a bar of a few pixels in the time chart, in each phase', () => {
    const svg = charts['layer-time'];
    const segments = bars(svg, Object.values(LIGHT_THEME.category));
    const labels = texts(svg).filter((t) => LAYOUTS.includes(t.text));
    // Each layout is named once per phase, on the category axis left of its bar.
    for (const name of LAYOUTS) {
      const rows = labels.filter((t) => t.text === name);
      expect(rows, name).toHaveLength(2);
      for (const row of rows) {
        const centre = (row.top + row.bottom) / 2;
        const own = segments.filter((s) => s.top <= centre && centre <= s.bottom);
        const length = own.reduce((sum, s) => sum + (s.right - s.left), 0);
        expect(length, `${name}'s bar at y ${centre}`).toBeGreaterThanOrEqual(VISIBLE_PIXELS);
      }
    }
  });

  it('give every layout a bar of a few pixels in the memory chart', () => {
    const svg = charts.memory;
    // Below the legend (whose swatches have the same colours).
    const segments = bars(svg, [LIGHT_THEME.weights, LIGHT_THEME.kvCache, LIGHT_THEME.activations].map((c) => c.toLowerCase())).filter((s) => s.top > 30);
    // One stack per layout: group the segments by their horizontal centre.
    const stacks = new Map<number, number>();
    for (const s of segments) {
      const centre = Math.round((s.left + s.right) / 2);
      stacks.set(centre, (stacks.get(centre) ?? 0) + (s.bottom - s.top));
    }
    expect(stacks.size).toBe(LAYOUTS.length);
    for (const [centre, height] of stacks) expect(height, `stack at x ${centre}`).toBeGreaterThanOrEqual(VISIBLE_PIXELS);
  });

  it('label every layout in both phases of the scatter, and no two labels overlap', () => {
    const svg = charts['latency-cost'];
    const all = texts(svg);
    const names = all.filter((t) => LAYOUTS.includes(t.text));
    // A layout is named once in the prefill grid and once in the decode grid (layouts at one
    // point share it and its label, one name a line).
    for (const name of LAYOUTS) expect(names.filter((t) => t.text === name), name).toHaveLength(2);
    for (let i = 0; i < all.length; i++) {
      for (let j = i + 1; j < all.length; j++) {
        expect(overlap(all[i], all[j]), `"${all[i].text}" overlaps "${all[j].text}"`).toBe(false);
      }
    }
  });

  it('never print the same tick label twice on one axis, even for nearly equal layouts', () => {
    const twins = { ...report, layouts: report.layouts.slice(0, 2) };
    const svg = renderChartsToSvg('compare', twins).find((c) => c.id === 'latency-cost')!.svg;
    const ticks = texts(svg).filter((t) => /^[\d.]+( [µm]?s)?$/.test(t.text));
    // Tick labels of one axis share a row (x axes) or a right edge (y axes).
    const byAxis = new Map<string, string[]>();
    for (const t of ticks) {
      const key = t.text.endsWith('s') ? `x@${Math.round(t.top)}:${t.left < 480 ? 0 : 1}` : `y@${Math.round(t.right)}`;
      byAxis.set(key, [...(byAxis.get(key) ?? []), t.text]);
    }
    expect(byAxis.size).toBeGreaterThanOrEqual(4);
    for (const [axis, labels] of byAxis) expect(new Set(labels).size, `${axis}: ${labels.join(' ')}`).toBe(labels.length);
  });
});

describe('the measured chart, measured from the SVG', () => {
  // The shipped examples with `measured { }` results (the paper's Table 2/3 times): every point
  // lies above y = x or near it, which is where the labels used to cross the line.
  for (const example of ['palm62b', 'palm540b']) {
    it(`keeps every label of ${example} off the line y = x, and labels apart`, () => {
      const service = createShardService();
      const text = readFileSync(new URL(`../../../examples/${example}.shard`, import.meta.url), 'utf8');
      const svg = renderChartsToSvg('compare', service.report(service.analyze(sourceFromText(text, `${example}.shard`)))).find((c) => c.id === 'measured')!.svg;
      const line = /<path d="M([-\d.]+) ([-\d.]+)L([-\d.]+) ([-\d.]+)"[^>]*stroke-dasharray/.exec(svg);
      expect(line, 'the dashed y = x line').not.toBeNull();
      const [x0, y0, x1, y1] = line!.slice(1).map(Number);
      // Which side of the line a pixel is on (0 on it).
      const side = (x: number, y: number) => Math.sign((x1 - x0) * (y - y0) - (y1 - y0) * (x - x0));
      const labels = texts(svg).filter((t) => /\d×$/.test(t.text));
      expect(labels.length).toBeGreaterThanOrEqual(4);
      for (const l of labels) {
        const corners = new Set([side(l.left, l.top), side(l.right, l.top), side(l.left, l.bottom), side(l.right, l.bottom)]);
        expect(corners.size, `"${l.text}" crosses y = x`).toBe(1);
      }
      for (let i = 0; i < labels.length; i++) {
        for (let j = i + 1; j < labels.length; j++) expect(overlap(labels[i], labels[j]), `"${labels[i].text}" overlaps "${labels[j].text}"`).toBe(false);
      }
    });
  }
});
