import { describe, expect, it } from 'vitest';
import { Window } from 'happy-dom';
import { renderChartsToSvg } from '../../../server/src/engine/charts/svg';
import { renderComparePage } from '../../../server/src/engine/charts/page';
import { LIGHT_THEME } from '../../../server/src/engine/charts/theme';
import { sampleReport } from './reportFixture';

const HOSTILE = '<img src=x onerror=alert(1)>"\'&';

// ECharts puts its hover CSS in a CDATA section, which browsers accept (in SVG files and in SVG
// inside HTML) but happy-dom's parser does not; it becomes escaped text before parsing.
const withoutCdata = (markup: string) =>
  markup.replace(/<!\[CDATA\[([\s\S]*?)\]\]>/g, (_m, css: string) => css.replace(/&/g, '&amp;').replace(/</g, '&lt;'));

/** Parses SVG as XML and returns the parse errors (none for a well-formed document). */
function xmlErrors(markup: string): { doc: Document; errors: number } {
  const window = new Window();
  const doc = new window.DOMParser().parseFromString(withoutCdata(markup), 'image/svg+xml') as unknown as Document;
  return { doc, errors: doc.getElementsByTagName('parsererror').length };
}

function htmlDocument(html: string): Document {
  const window = new Window();
  window.document.write(withoutCdata(html));
  return window.document as unknown as Document;
}

describe('renderChartsToSvg', () => {
  const charts = renderChartsToSvg('compare', sampleReport());

  it('renders the three charts as standalone SVG documents', () => {
    expect(charts.map((c) => c.fileName)).toEqual(['latency-cost.svg', 'layer-time.svg', 'memory.svg']);
    for (const c of charts) {
      expect(c.svg.startsWith('<svg')).toBe(true);
      expect(c.svg).toContain('xmlns="http://www.w3.org/2000/svg"');
      expect(c.svg.trimEnd().endsWith('</svg>')).toBe(true);
      expect(c.svg).toContain(`width="${c.width}"`);
      expect(xmlErrors(c.svg).errors).toBe(0);
    }
  });

  it('labels the charts with the layout names and the HBM capacity', () => {
    const [scatter, layerTime, memory] = charts.map((c) => c.svg);
    for (const svg of [layerTime, memory, scatter]) {
      expect(svg).toContain('>low_latency<');
      expect(svg).toContain('>high_throughput<');
      // The uncostable layout has no bars or points.
      expect(svg).not.toContain('>broken<');
    }
    expect(memory).toContain('HBM 32 GiB');
    expect(layerTime).toContain('>communication-bound<');
  });

  it('escapes markup and quotes in names instead of emitting them', () => {
    const svgs = renderChartsToSvg('compare', sampleReport([HOSTILE, 'b"c', "d'e&f"])).map((c) => c.svg);
    for (const svg of svgs) {
      expect(svg).not.toContain('<img');
      expect(svg).toContain('&lt;img src=x onerror=alert(1)&gt;');
      const { doc, errors } = xmlErrors(svg);
      expect(errors).toBe(0);
      const texts = Array.from(doc.querySelectorAll('text')).map((t) => t.textContent);
      expect(texts).toContain(HOSTILE);
    }
  });

  it('stays well-formed with a double-quoted font family', () => {
    const [chart] = renderChartsToSvg('compare', sampleReport(), { theme: { ...LIGHT_THEME, fontFamily: '"Segoe WPC", "Segoe UI", sans-serif' } });
    expect(xmlErrors(chart.svg).errors).toBe(0);
    expect(chart.svg).toContain("'Segoe WPC'");
  });
});


describe('renderComparePage', () => {
  it('is one self-contained page with the table and inline SVG charts, and no script', () => {
    const html = renderComparePage(sampleReport());
    expect(html.startsWith('<!DOCTYPE html>')).toBe(true);
    expect(html).not.toMatch(/<script/i);
    expect(html).not.toMatch(/\son[a-z]+=/i);
    expect(html).not.toMatch(/(src|href)="(https?:)?\/\//i);
    expect(html.match(/<svg[\s>]/g)).toHaveLength(3);
    const document = htmlDocument(html);
    const rows = Array.from(document.querySelectorAll('tbody tr')).map((tr) => Array.from(tr.querySelectorAll('td')).map((td) => td.textContent));
    expect(rows).toHaveLength(3);
    expect(rows[0][0]).toBe('low_latency');
    expect(rows[0]).toContain('28.4 ms');
    expect(rows[1]).toContain('34 GiB of 32 GiB (does not fit)');
    // Each chart is a whole SVG inside its own figure (checked on the text: happy-dom's HTML
    // parser stops at the first inline SVG's style element, Chromium does not).
    expect(html.match(/<figure><svg[\s\S]*?<\/svg>\s*<\/figure>/g)).toHaveLength(3);
  });

  it('shows hostile names and file names as text', () => {
    const report = { ...sampleReport([HOSTILE, 'ok', 'x']), file: `a${HOSTILE}.shard` };
    const html = renderComparePage(report);
    expect(html).not.toContain('<img');
    const document = htmlDocument(html);
    expect(document.querySelector('tbody td')?.textContent).toBe(HOSTILE);
    expect(document.querySelector('p.meta')?.textContent).toContain(`a${HOSTILE}.shard`);
    expect(document.querySelectorAll('img')).toHaveLength(0);
  });
});

describe('renderComparePage summary', () => {
  it('counts the diagnostics by severity', () => {
    const report = { ...sampleReport(), diagnostics: [{ severity: 'information' }, { severity: 'information' }, { severity: 'hint' }, { severity: 'error' }, { severity: 'error' }] };
    const meta = /<p class="meta">([^<]*)<\/p>/.exec(renderComparePage(report))?.[1];
    expect(meta).toBe('examples/sample.shard · 3 layouts, 2 costed · diagnostics: 2 information, 1 hint, 2 errors');
  });
});
