// The engine's service boundary: each service owns its caches (two services share nothing), and
// a search described as data (what the CLI and the editor post to their search threads) runs
// the same search as the direct call, from a layout picked by one rule.

import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createShardService, PickLayoutError, pickLayout, renderExplain, sourceFromText } from '../../../server/src/engine/index';

const ROOT = path.resolve(__dirname, '../../..');
const PALM = readFileSync(path.join(ROOT, 'examples/palm540b.shard'), 'utf8');
const SMALL = readFileSync(path.join(ROOT, 'test/lsp/fixtures/small.shard'), 'utf8');

describe('createShardService', () => {
  it('keeps costings for its own analyses and shares none with another service', () => {
    const one = createShardService();
    const other = createShardService();
    const first = one.analyze(sourceFromText(PALM, 'first.shard'));
    const again = one.analyze(sourceFromText(PALM, 'again.shard'));
    const elsewhere = other.analyze(sourceFromText(PALM, 'elsewhere.shard'));
    const name = first.layouts[0].name;
    // The same configuration is costed once per service: the second analysis reuses the costing.
    expect(again.costs.get(name)).toBe(first.costs.get(name));
    expect(elsewhere.costs.get(name)).not.toBe(first.costs.get(name));
    expect(elsewhere.costs.get(name)!.totalLatency.value).toBe(first.costs.get(name)!.totalLatency.value);
  });

  it('runs a search job as the direct call does', () => {
    const service = createShardService();
    const analysis = service.analyze(sourceFromText(SMALL));
    const outcome = service.search(analysis, { kind: 'sweep', layout: 'fast', batches: [1, 8] });
    expect(outcome.kind).toBe('sweep');
    expect(outcome.kind === 'sweep' && outcome.layout.name).toBe('fast');
    const direct = service.sweep(analysis, pickLayout(analysis, 'fast'), { batches: [1, 8] });
    expect(outcome.kind === 'sweep' && outcome.result).toEqual(direct);
  });

  it('picks layouts by one rule: a missing name lists the file’s layouts, an uncostable one says why', () => {
    const service = createShardService();
    const text = `${SMALL}\nlayout broken {\n  model = tiny\n  workload = chat\n  ffn = my2d\n}\n`;
    const analysis = service.analyze(sourceFromText(text));
    const failure = (name: string) => {
      try {
        service.search(analysis, { kind: 'crossover', layout: name });
      } catch (e) {
        return e;
      }
      throw new Error(`no error for ${name}`);
    };
    expect(failure('nope')).toMatchObject({ problem: 'missing', message: "no layout 'nope' in this file", names: ['fast', 'broken'] });
    const uncostable = failure('broken');
    expect(uncostable).toBeInstanceOf(PickLayoutError);
    expect(uncostable).toMatchObject({ problem: 'uncostable' });
    expect((uncostable as Error).message).toMatch(/^layout 'broken' cannot be costed/);
    expect(() => service.explain(analysis, 'nope')).toThrow(PickLayoutError);
    expect(renderExplain(service.explain(analysis, 'fast', { phase: 'decode' }))).toMatch(/decode/);
  });
});
