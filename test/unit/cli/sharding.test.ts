// `shardlens show` and `shardlens timeline` as a user runs them: the tile table, the SVG and HTML
// files (parsed here), and the one-line errors for a bad layout, value or phase (cli.md).

import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { Window } from 'happy-dom';
import { afterAll, describe, expect, it } from 'vitest';
import { formatSeconds } from '../../../server/src/engine/report/format';
import { expectOneLineError, shardlens } from './run';

const palm = 'examples/palm540b.shard';
const out = mkdtempSync(path.join(tmpdir(), 'shardlens-show-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));

// ECharts writes its hover CSS in CDATA, which happy-dom's XML parser does not take.
const withoutCdata = (markup: string) => markup.replace(/<!\[CDATA\[([\s\S]*?)\]\]>/g, (_m, css: string) => css.replace(/&/g, '&amp;').replace(/</g, '&lt;'));

function parseSvg(markup: string): Document {
  const doc = new new Window().DOMParser().parseFromString(withoutCdata(markup), 'image/svg+xml') as unknown as Document;
  expect(doc.getElementsByTagName('parsererror')).toHaveLength(0);
  expect(doc.documentElement.tagName.toLowerCase()).toBe('svg');
  return doc;
}

const texts = (doc: Document) => [...doc.getElementsByTagName('text')].map((t) => ({ text: t.textContent ?? '', x: t.getAttribute('x') }));

describe('shardlens show', () => {
  it('prints one row per chip with its ranges (w_in : E_x F_yz on 4×4×4, PaLM 540B)', () => {
    const r = shardlens(['show', palm, '--layout', 'low_latency', '--value', 'ffn.w_in']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('ffn.w_in : E_x F_yz');
    const rows = r.stdout.split('\n').filter((l) => /^\s*\d+\s+\d+\s+\d+\s+\d+\s+\d+\s/.test(l));
    expect(rows).toHaveLength(64);
    // Chip (1, 2, 3) = 1·16 + 2·4 + 3 = 27: E shard 1 of 4 (18432/4 = 4608), F shard 2·4 + 3 = 11 of 16.
    expect(rows[27].trim().split(/\s+/)).toEqual(['27', '1', '2', '3', '27', '4608:9216', '50688:55296']);
  });

  it('writes an SVG whose chip labels are the table’s ranges, and an HTML page', () => {
    const svg = path.join(out, 'w_in.svg');
    const html = path.join(out, 'w_in.html');
    const r = shardlens(['show', palm, '--layout', 'low_latency', '--value', 'ffn.w_in', '--svg', svg, '--html', html]);
    expect(r.code, r.stderr).toBe(0);
    const t = texts(parseSvg(readFileSync(svg, 'utf8')));
    expect(t.filter((x) => /^\(\d,\d,\d\)$/.test(x.text))).toHaveLength(64);
    const i = t.findIndex((x) => x.text === '(1,2,3)');
    expect(t.slice(i + 1, i + 3).map((x) => x.text)).toEqual(['E 4608:9216', 'F 50688:55296']);
    expect(t[i + 1].x).toBe(t[i].x);
    const page = readFileSync(html, 'utf8');
    expect(page).toContain('<svg');
    expect(page).toContain("Content-Security-Policy");
  });

  it('marks partial sums and copies in the table', () => {
    const b = shardlens(['show', palm, '--layout', 'low_latency', '--value', 'ffn.b']);
    expect(b.code, b.stderr).toBe(0);
    expect(b.stdout).toContain('partial sums over x');
    // F shard 11, the 2nd of 4 partial sums: the sum over E 4608:9216 (E = 18432 in 4 over x).
    expect(b.stdout).toMatch(/^\s*27\s+1\s+2\s+3\s+11\s.*\s2\/4\s+E 4608:9216$/m);
    const wi = shardlens(['show', palm, '--layout', 'high_throughput', '--phase', 'prefill', '--value', 'ffn.wi']);
    expect(wi.code, wi.stderr).toBe(0);
    expect(wi.stdout).toContain('64 copies');
  });

  it('prints the groups of a collective, the links they use and what moves', () => {
    // c = reduce_scatter(b, x) of ws2d: the 4 chips along x, x·16 + y·4 + z, on a wraparound ring.
    const r = shardlens(['show', palm, '--layout', 'low_latency', '--value', 'ffn.c']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('reduce_scatter(b : BLF_yz (partialsum-x)) over x: 16 groups of 4 chips exchange data');
    expect(r.stdout).toContain('x: ring of 4 (wraparound, both directions)');
    expect(r.stdout).toContain('group 12 (0…3, 2, 3): chips 11 → 27 → 43 → 59 → back');
    // The table's group column: chip 27 is in group 12 of 16 (groups numbered by their first chip, y·4 + z + 1).
    expect(r.stdout).toMatch(/^\s*27\s+1\s+2\s+3\s+27\s.*\s12\/16$/m);
  });

  it('draws a GPU mesh as nodes: 8 nodes of 8 H100s, NVLink inside, the network between', () => {
    const file = 'examples/llama405b_h100_nodes.shard';
    const svg = path.join(out, 'nodes.svg');
    const r = shardlens(['show', file, '--layout', 'ws2d_nodes8', '--value', 'ffn.w_in', '--svg', svg]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('8 nodes of 8 chips (scale-up domain 8): x inside a node');
    // The node column: chip (x = 3, y = 5) = 3·8 + 5 = 29 is in node 5 (y past the node).
    expect(r.stdout).toMatch(/^\s*29\s+3\s+5\s+0\s+5\s/m);
    const t = texts(parseSvg(readFileSync(svg, 'utf8'))).map((x) => x.text);
    expect(t.filter((x) => /^node \d · y = \d$/.test(x))).toEqual(Array.from({ length: 8 }, (_, i) => `node ${i} · y = ${i}`));
    expect(t.filter((x) => /^\(\d,\d\)$/.test(x))).toHaveLength(64);
  });

  it('rejects a malformed, unknown or missing value, and an unknown layout, in one line (exit 2)', () => {
    expectOneLineError(shardlens(['show', palm, '--layout', 'low_latency', '--value', 'w_in']), 2, /--value must be ROLE\.VALUE/);
    expectOneLineError(shardlens(['show', palm, '--layout', 'low_latency', '--value', 'ffn.w_nope']), 2, /has no value 'w_nope' in decode; its values are .*ffn\.w_in/);
    expectOneLineError(shardlens(['show', palm, '--layout', 'nope', '--value', 'ffn.w_in']), 2, /no layout 'nope'/);
    expectOneLineError(shardlens(['show', palm, '--layout', 'low_latency']), 2, /'show' needs --value/);
  });
});

describe('explain --op takes the names show takes', () => {
  it('explains a weight by its memory per chip', () => {
    const r = shardlens(['explain', palm, '--layout', 'low_latency', '--op', 'ffn.w_in']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('ffn.w_in = weight : E_x F_yz');
    // int8 weights: 18432/4 · 73728/16 = 4608 · 4608 bytes a layer, × 118 layers = 2,505,637,888 B
    // = 2.33 GiB (÷ 2^30).
    expect(r.stdout).toContain('2.33 GiB');
    // The cache: 1 sequence · 2112 positions · 1 head · 256 · 2 B (bf16) a layer, × 118 =
    // 127,598,592 B = 122 MiB (÷ 2^20).
    expect(shardlens(['explain', palm, '--layout', 'low_latency', '--op', 'attention.kc']).stdout).toContain('122 MiB');
  });
});

describe('shardlens timeline', () => {
  it('prints the layer and the whole pass, whose time is the report’s step time', () => {
    const r = shardlens(['timeline', palm, '--layout', 'low_latency']);
    expect(r.code, r.stderr).toBe(0);
    const report = JSON.parse(shardlens(['report', palm, '--layout', 'low_latency', '--json']).stdout);
    expect(r.stdout).toContain(`whole pass: ${formatSeconds(report.layouts[0].decode.step_s)}`);
    const prefill = shardlens(['timeline', palm, '--layout', 'low_latency', '--phase', 'prefill']);
    expect(prefill.stdout).toContain(`whole pass: ${formatSeconds(report.layouts[0].prefill.latency_s)}`);
  });

  it('writes the layer and the whole-pass charts as SVG', () => {
    const svg = path.join(out, 'tl.svg');
    const r = shardlens(['timeline', palm, '--layout', 'low_latency', '--svg', svg]);
    expect(r.code, r.stderr).toBe(0);
    const layer = texts(parseSvg(readFileSync(svg, 'utf8'))).map((x) => x.text);
    expect(layer).toContain('ffn.f einsum');
    const step = texts(parseSvg(readFileSync(path.join(out, 'tl-step.svg'), 'utf8'))).map((x) => x.text);
    expect(step).toContain('118 × layer');
  });

  it('rejects a bad phase or layout in one line (exit 2)', () => {
    expectOneLineError(shardlens(['timeline', palm, '--layout', 'low_latency', '--phase', 'both']), 2, /--phase must be prefill or decode/);
    expectOneLineError(shardlens(['timeline', palm, '--layout', 'nope']), 2, /no layout 'nope'/);
  });

  it.each(['show', 'timeline'])('%s --help prints its usage', (c) => {
    const r = shardlens([c, '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout.startsWith(`usage: shardlens ${c}`)).toBe(true);
    expect(r.stdout).toContain('--layout NAME');
  });
});
