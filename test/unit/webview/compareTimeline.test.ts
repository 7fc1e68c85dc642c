// Compare Layouts → Step Timeline: a click on a layout's bar of the layer-time chart asks the host
// for the timeline of that layout and phase. The host takes the message only when it is exactly a
// layout name and a phase; anything else is dropped.

import { describe, expect, it } from 'vitest';
import { parseWebviewMessage } from '../../../server/src/protocol/compareView';

describe('showTimeline from the Compare view', () => {
  it('accepts a layout name and a phase', () => {
    expect(parseWebviewMessage({ type: 'showTimeline', name: 'low_latency', phase: 'prefill' })).toEqual({ type: 'showTimeline', name: 'low_latency', phase: 'prefill' });
    expect(parseWebviewMessage({ type: 'showTimeline', name: 'high_throughput', phase: 'decode', extra: 1 })).toEqual({ type: 'showTimeline', name: 'high_throughput', phase: 'decode' });
  });

  it('drops a bad phase or a name that is not a layout name', () => {
    for (const raw of [
      { type: 'showTimeline', name: 'low_latency' },
      { type: 'showTimeline', name: 'low_latency', phase: 'both' },
      { type: 'showTimeline', name: '../x', phase: 'decode' },
      { type: 'showTimeline', name: 7, phase: 'decode' },
    ]) expect(parseWebviewMessage(raw), JSON.stringify(raw)).toBeUndefined();
  });
});
