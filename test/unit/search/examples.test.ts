// The walkthrough's example files are valid and do what docs/walkthrough.md says.

import { describe, expect, it } from 'vitest';
import { calibrate, parseCalibrationCsv } from '../../../server/src/engine/search/calibrate/index';
import { crossover, renderCrossoverText } from '../../../server/src/engine/search/crossover';
import { analyzed, readRepoFile } from './helpers';

describe('examples/search', () => {
  it('walkthrough.shard checks clean and its measurements calibrate', () => {
    const { analysis } = analyzed(readRepoFile('examples/search/walkthrough.shard'));
    const { rows, problems } = parseCalibrationCsv(readRepoFile('examples/search/walkthrough_measurements.csv'));
    expect(problems).toEqual([]);
    const result = calibrate(analysis, rows, { hardware: 'tpu_v4' });
    expect(result.rms_log_error_after).toBeLessThan(result.rms_log_error_before / 10);
    expect(result.text).toMatch(/^hardware tpu_v4_calibrated = tpu_v4 \{$/m);
  });

  it('the crossover text names every switch point', () => {
    const { analysis, layout } = analyzed(readRepoFile('examples/search/walkthrough.shard'));
    const result = crossover(analysis, layout('start'));
    const text = renderCrossoverText(result);
    for (const s of result.switchPoints) expect(text).toContain(`${s.from} → ${s.to} at ${s.tokens.toLocaleString('en-US')}`);
  });
});
