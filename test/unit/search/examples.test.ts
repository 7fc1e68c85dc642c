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

describe('docs/walkthrough.md', () => {
  const doc = readRepoFile('docs/walkthrough.md');
  const blocks = [...doc.matchAll(/```(\w*)\n([\s\S]*?)```/g)].map((m) => ({ lang: m[1], text: m[2] }));

  it('names example files that exist', () => {
    for (const path of new Set(doc.match(/examples\/search\/[\w.]+/g) ?? [])) expect(() => readRepoFile(path)).not.toThrow();
  });

  it('its calibrated hardware block and best layout, pasted as it says, check clean', () => {
    const calibrated = blocks.find((b) => b.text.includes('hardware tpu_v4_calibrated = tpu_v4 {'))!.text;
    const hardware = calibrated.slice(calibrated.indexOf('hardware tpu_v4_calibrated'), calibrated.indexOf('}') + 1);
    const bestText = blocks.find((b) => b.text.includes('layout start_best1 {'))!.text;
    const pasted = bestText.slice(bestText.indexOf('# shardlens best #1'));
    const file = readRepoFile('examples/search/walkthrough.shard').replace('mesh v4_8 = tpu_v4 {', 'mesh v4_8 = tpu_v4_calibrated {');
    const { layout } = analyzed(`${file}\n${hardware}\n${pasted}`);
    expect(layout('start_best1').mesh.hardware.name).toBe('tpu_v4_calibrated');
  });
});
