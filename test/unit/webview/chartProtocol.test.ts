// The search chart view's messages (client/src/chartProtocol.ts): what the host accepts from the
// webview is exactly the known messages, and a restored state names a layout, nothing else.

import { describe, expect, it } from 'vitest';
import { isChartHostMessage, parseChartViewState, parseChartWebviewMessage } from '../../../server/src/protocol/chartView';

describe('parseChartWebviewMessage', () => {
  it('accepts the known messages', () => {
    expect(parseChartWebviewMessage({ type: 'ready', state: null })).toEqual({ type: 'ready', state: null });
    expect(parseChartWebviewMessage({ type: 'ready' })).toEqual({ type: 'ready', state: null });
    expect(parseChartWebviewMessage({ type: 'ready', state: { kind: 'sweep', uri: 'file:///a.shard', layouts: ['fast', 'slow', 'fast'], extra: 1 } })).toEqual({ type: 'ready', state: { kind: 'sweep', uri: 'file:///a.shard', layouts: ['fast', 'slow'] } });
    expect(parseChartWebviewMessage({ type: 'rerun', junk: true })).toEqual({ type: 'rerun' });
    expect(parseChartWebviewMessage({ type: 'revealLayout', name: 'low_latency' })).toEqual({ type: 'revealLayout', name: 'low_latency' });
  });

  it('drops anything else', () => {
    for (const raw of [
      null,
      'rerun',
      [],
      { type: 'exportChart' },
      { type: 'revealLayout', name: '../../etc' },
      { type: 'revealLayout', name: 'A<b>' },
      { type: 'revealLayout' },
      { type: 'ready', state: { kind: 'best', uri: 'u', layouts: ['x'] } },
      { type: 'ready', state: { kind: 'sweep', uri: '', layouts: ['x'] } },
      { type: 'ready', state: { kind: 'sweep', uri: 'u', layouts: ['<x>'] } },
      { type: 'ready', state: { kind: 'sweep', uri: 'u', layouts: [] } },
      { type: 'ready', state: { kind: 'sweep', uri: 'u', layouts: 'x' } },
      { type: 'ready', state: { kind: 'sweep', uri: 'u', layouts: Array.from({ length: 9 }, (_, i) => `l${i}`) } },
      { type: 'ready', state: { kind: 'crossover', uri: 'u', layouts: ['a', 'b'] } },
      { type: 'ready', state: { kind: 'sweep', uri: 'u'.repeat(5000), layouts: ['x'] } },
    ]) {
      expect(parseChartWebviewMessage(raw)).toBeUndefined();
    }
  });

  it('restores a state only with a kind, a URI and a layout name', () => {
    expect(parseChartViewState({ kind: 'crossover', uri: 'file:///a', layouts: ['x'] })).toEqual({ kind: 'crossover', uri: 'file:///a', layouts: ['x'] });
    expect(parseChartViewState(undefined)).toBeUndefined();
    expect(parseChartViewState({ kind: 'crossover', uri: 1, layouts: ['x'] })).toBeUndefined();
  });
});

describe('isChartHostMessage', () => {
  it('checks the shape of each host message', () => {
    expect(isChartHostMessage({ type: 'status', state: 'loading', text: 't' })).toBe(true);
    expect(isChartHostMessage({ type: 'status', state: 'busy', text: 't' })).toBe(false);
    expect(isChartHostMessage({ type: 'sweep', uri: 'u', fileName: 'f', results: [{ layout: 'l', points: [], frontier: {} }] })).toBe(true);
    expect(isChartHostMessage({ type: 'sweep', uri: 'u', fileName: 'f', results: [{ layout: 'l', points: 'x', frontier: {} }] })).toBe(false);
    expect(isChartHostMessage({ type: 'sweep', uri: 'u', fileName: 'f', results: [] })).toBe(false);
    expect(isChartHostMessage({ type: 'crossover', uri: 'u', fileName: 'f', layout: 'l', result: { lines: [], switchPoints: [], range: {} } })).toBe(true);
    expect(isChartHostMessage({ type: 'crossover', uri: 'u', fileName: 'f', layout: 'l', result: { lines: [] } })).toBe(false);
    expect(isChartHostMessage({ type: 'report' })).toBe(false);
  });
});
