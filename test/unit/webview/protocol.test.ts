import { describe, expect, it } from 'vitest';
import { parseViewState, parseWebviewMessage } from '../../../server/src/protocol/compareView';
import { decodeDataUrl } from '../../../client/src/dataUrl';

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
