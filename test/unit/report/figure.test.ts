// One renderer of an explained figure: `shardlens explain` and the hovers write a figure the same
// way, `formula = values put in = result`, from report/figure.ts.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { explained, given, input } from '../../../server/src/engine/cost/explained';
import { DEFAULT_SETTINGS, renderExplain, sharedShardService, sourceFromText } from '../../../server/src/engine/index';
import { figureEquation, figureInputNotes, figureText } from '../../../server/src/engine/report/figure';

describe('an explained figure, written out', () => {
  // D = 4 MiB (a memory size, binary units); BW(A) = 2 GB/s (a rate, decimal units).
  const time = explained(0.002, 's', 'D / BW(A)', { D: input(4 * 2 ** 20, 'B'), 'BW(A)': input(2e9, 'B/s', 'links of axis x') });

  it('puts the inputs into the formula and ends with the value', () => {
    const f = figureText(time);
    expect(f).toEqual({
      value: '2 ms',
      raw: 0.002,
      formula: 'D / BW(A)',
      substituted: '4 MiB / 2 GB/s',
      inputs: [{ name: 'D', value: '4 MiB' }, { name: 'BW(A)', value: '2 GB/s', note: 'links of axis x' }],
    });
    expect(figureEquation(f)).toBe('D / BW(A) = 4 MiB / 2 GB/s = 2 ms');
    expect(figureInputNotes(f)).toEqual(['BW(A) = 2 GB/s  (links of axis x)']);
  });

  it('leaves out the substitution when there is nothing to put in', () => {
    expect(figureEquation(figureText(given(32 * 2 ** 30, 'B', 'hbm (given)')))).toBe('hbm (given) = 32 GiB');
  });
});

describe('explain and the hover', () => {
  const text = readFileSync(join(__dirname, '../../../examples/fig2_ffn_layouts.shard'), 'utf8');
  const service = sharedShardService();
  const analysis = service.analyze(sourceFromText(text, 'file:///fig2_ffn_layouts.shard'));

  it('write a collective’s volume and time the same way', () => {
    // `a = all_gather(h, xyz)` of my_ws1d: the hover writes its formulas for its first decode use,
    // fig3_ws1d_2k's (the mean step, as explain's decode is).
    const statement = text.indexOf('a = all_gather(h, xyz)');
    const hover = service.hover(analysis, statement, DEFAULT_SETTINGS)!.markdown;
    const explanation = service.explain(analysis, 'fig3_ws1d_2k', { phase: 'decode', op: 'ffn.a' });
    const line = (label: string) => explanation.sections[0].lines.find((l) => l.label === label)!;
    const volume = figureEquation(line('D (comm_bytes)'));
    const commTime = figureEquation(line('t_comm'));
    expect(hover).toContain(`volume D: ${volume}`);
    expect(hover).toContain(`comm time: ${commTime}`);
    expect(renderExplain(explanation)).toContain(`D (comm_bytes): ${volume}`);
  });
});
