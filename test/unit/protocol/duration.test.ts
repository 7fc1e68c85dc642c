// Latency limits as users write them, for `best --max-latency` and Find Best Layout's input box.

import { describe, expect, it } from 'vitest';
import { readDuration } from '../../../server/src/protocol/durations';

describe('readDuration', () => {
  it.each([
    ['50ms', 0.05],
    ['2s', 2],
    ['800us', 800e-6],
    ['800µs', 800e-6],
    [' 1.5 min ', 90],
    ['3', 3],
    ['2e-3s', 0.002],
    ['.5s', 0.5],
  ])('%s is %f s', (text, seconds) => {
    const read = readDuration(text);
    expect('seconds' in read && read.seconds).toBeCloseTo(seconds, 12);
  });

  it.each(['', 'fast', '5 parsecs', '-2s', 'ms', '1,5s'])('%j is not a duration', (text) => {
    expect(readDuration(text)).toEqual({ problem: 'not-a-duration' });
  });

  it.each(['0', '0ms', '0.0s'])('%j is not positive', (text) => {
    expect(readDuration(text)).toEqual({ problem: 'not-positive' });
  });
});
