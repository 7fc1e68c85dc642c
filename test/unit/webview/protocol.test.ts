import { describe, expect, it } from 'vitest';
import { parseViewState, parseWebviewMessage } from '../../../client/src/webviewProtocol';
import { decodeDataUrl } from '../../../client/src/dataUrl';
import { findLayoutRanges, layoutAt } from '../../../client/src/layoutRanges';

describe('parseWebviewMessage', () => {
  it('accepts the known messages', () => {
    expect(parseWebviewMessage({ type: 'ready', state: null })).toEqual({ type: 'ready', state: null });
    expect(parseWebviewMessage({ type: 'ready', state: { uri: 'file:///a.shard', selected: ['a', 'b_2'] } })).toEqual({
      type: 'ready',
      state: { uri: 'file:///a.shard', selected: ['a', 'b_2'] },
    });
    expect(parseWebviewMessage({ type: 'revealLayout', name: 'low_latency' })).toEqual({ type: 'revealLayout', name: 'low_latency' });
    expect(parseWebviewMessage({ type: 'chooseLayouts' })).toEqual({ type: 'chooseLayouts' });
    expect(parseWebviewMessage({ type: 'exportChart', chart: 'memory', format: 'png', dataUrl: 'data:image/png;base64,iVBORw0KGgo=' })).toEqual({
      type: 'exportChart',
      chart: 'memory',
      format: 'png',
      dataUrl: 'data:image/png;base64,iVBORw0KGgo=',
    });
  });

  it('accepts both data URL forms of ECharts SVG export', () => {
    for (const dataUrl of ['data:image/svg+xml;charset=UTF-8,%3Csvg%3E', 'data:image/svg+xml;base64,PHN2Zz4=']) {
      expect(parseWebviewMessage({ type: 'exportChart', chart: 'latency-cost', format: 'svg', dataUrl })).toMatchObject({ dataUrl });
    }
  });

  it('rejects anything else', () => {
    const bad: unknown[] = [
      null,
      'ready',
      [],
      { type: 'unknown' },
      { type: 'revealLayout', name: '<img src=x onerror=alert(1)>' },
      { type: 'revealLayout', name: '../../etc/passwd' },
      { type: 'revealLayout', name: 42 },
      { type: 'ready', state: { uri: 'file:///a', selected: ['"quoted"'] } },
      { type: 'ready', state: { selected: [] } },
      { type: 'exportChart', chart: 'pie', format: 'png', dataUrl: 'data:image/png;base64,AA==' },
      { type: 'exportChart', chart: 'memory', format: 'gif', dataUrl: 'data:image/gif;base64,AA==' },
      // An SVG claimed as PNG, and a URL that is not data.
      { type: 'exportChart', chart: 'memory', format: 'png', dataUrl: 'data:image/svg+xml;base64,AA==' },
      { type: 'exportChart', chart: 'memory', format: 'svg', dataUrl: 'https://example.com/x.svg' },
    ];
    for (const raw of bad) expect(parseWebviewMessage(raw), JSON.stringify(raw)).toBeUndefined();
  });

  it('restores only well-formed view state', () => {
    expect(parseViewState({ uri: 'file:///a.shard', selected: null })).toEqual({ uri: 'file:///a.shard', selected: null });
    expect(parseViewState({ uri: 7 })).toBeUndefined();
    expect(parseViewState(undefined)).toBeUndefined();
  });
});

describe('decodeDataUrl', () => {
  it('decodes base64 and percent-encoded payloads', () => {
    expect(new TextDecoder().decode(decodeDataUrl('data:image/svg+xml;base64,' + Buffer.from('<svg/>').toString('base64')))).toBe('<svg/>');
    expect(new TextDecoder().decode(decodeDataUrl('data:image/svg+xml;charset=utf-8,' + encodeURIComponent('<svg>é</svg>')))).toBe('<svg>é</svg>');
  });
});

describe('findLayoutRanges', () => {
  const text = [
    '# layout commented_out {',
    'mesh m = tpu_v4 { x = 4 }',
    'layout first {',
    '  model = palm_540b { weights = int8 }   # braces in a comment }',
    '  prefill { ffn = ws2d }',
    '}',
    'ffn my_layout_block {',
    '  in h : BLE',
    '  out h',
    '}',
    'layout   second{ model = m }',
    'layout unfinished {',
    '  mesh = m',
  ].join('\n');

  it('finds each layout declaration with its name and extent', () => {
    const ranges = findLayoutRanges(text);
    expect(ranges.map((r) => r.name)).toEqual(['first', 'second', 'unfinished']);
    const [first, second, unfinished] = ranges;
    expect(text.slice(first.nameStart, first.nameEnd)).toBe('first');
    expect(text.slice(first.start, first.end).endsWith('}')).toBe(true);
    expect(text.slice(first.start, first.end)).toContain('prefill { ffn = ws2d }');
    expect(text.slice(second.start, second.end)).toBe('layout   second{ model = m }');
    expect(unfinished.end).toBe(text.length);
  });

  it('tells which layout a position is in', () => {
    expect(layoutAt(text, text.indexOf('ffn = ws2d'))?.name).toBe('first');
    expect(layoutAt(text, text.indexOf('in h'))).toBeUndefined();
    expect(layoutAt(text, text.indexOf('commented_out'))).toBeUndefined();
    expect(layoutAt(text, text.length)?.name).toBe('unfinished');
  });
});
