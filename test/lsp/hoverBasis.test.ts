// Hovers say what their figures are (issue 14, cost/basis.ts): a roofline on the nominal
// hardware, or calibrated, naming the hardware block that carries the calibration fields.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { fixture, hoverMarkdown, startInMemory, type TestClient } from './harness';

const readPrelude = () => readFileSync(new URL('../../server/src/engine/prelude/hardware.shard', import.meta.url), 'utf8').split('hardware tpu_v4_pope2022')[1];

const URI = 'file:///work/hover-basis.shard';
// small.shard's layout `fast` runs on tpu_v4; `fitted` is the same on the built-in calibrated TPU v4.
const TEXT = `${fixture('small.shard')}
mesh fitted_pod = tpu_v4_pope2022 { x = 4, y = 4, z = 4 }
layout fitted = fast { mesh = fitted_pod }
hardware priced = tpu_v4_pope2022 { price = 3.2 }
# fitted by shardlens calibrate to 5 measurements: rms log error 0.4 → 0.05
hardware mine = tpu_v4 {
  flops_eff = 0.8
  collective_latency = 2 us
}
hardware quiet = tpu_v4 { link_eff = 0.5 }
`;

describe('hover: roofline or calibrated', () => {
  let client: TestClient;
  beforeAll(async () => {
    client = await startInMemory();
    await client.open(URI, TEXT);
  });
  afterAll(() => client.close());

  const hover = (needle: string, delta = 0) => hoverMarkdown(client, URI, TEXT, needle, delta);

  it('on a layout name: the figures line names the basis', async () => {
    expect(await hover('layout fast', 'layout '.length)).toContain('· figures: roofline (nominal tpu_v4)');
    expect(await hover('layout fitted', 'layout '.length)).toContain('· figures: calibrated (tpu_v4_pope2022)');
  });

  it('on an operation: its use section names the basis, and the uses on other hardware are listed', async () => {
    const md = await hover('all_gather(h, yz)');
    // The formulas with one use's values (decode of the first layout, fast), then every use.
    expect(md).toMatch(/\*\*fast\*\* · decode [^\n]* · roofline \(nominal tpu_v4\)/);
    expect(md).toContain('figures: roofline (nominal tpu_v4), calibrated (tpu_v4_pope2022)');
  });

  // A hardware's hover says whether its figures are calibrated (cost/basis.ts: any calibration
  // field away from nominal) and where the fit came from (the comment of the block that sets them).
  it('on a hardware name: nominal, or calibrated with its fields and the fit it came from', async () => {
    // tpu_v4 sets no calibration field: a roofline.
    const nominal = await hover('hardware mine = tpu_v4 {', 'hardware mine = '.length);
    expect(nominal).toContain('figures: **roofline (nominal tpu_v4)**');
    expect(nominal).toContain('lower bound');
    // The built-in calibrated preset: its own fields, and its comment names the paper's rows.
    const preset = await hover('= tpu_v4_pope2022 {', 2);
    expect(preset).toContain('figures: **calibrated (tpu_v4_pope2022)**');
    for (const f of ['flops_eff', 'link_eff', 'collective_latency', 'overlap_fraction']) expect(preset).toContain(`\`${f} = `);
    // Each value as the block writes it (four digits, as calibrate prints them).
    const written = /flops_eff = ([\d.]+)/.exec(readPrelude())![1];
    expect(preset).toContain(`\`flops_eff = ${written}\``);
    expect(preset).toContain('see the comment below');
    expect(preset).toMatch(/Tables 2 and 3/);
    // A block that only adds a price inherits the calibration: the hover names who set it and quotes its fit.
    const priced = await hover('hardware priced', 'hardware '.length);
    expect(priced).toContain('figures: **calibrated (priced)**');
    expect(priced).toMatch(/calibrated by `tpu_v4_pope2022` \(built-in, hardware\.shard line \d+\): .*Tables 2 and 3/s);
    // A pasted calibrate block: exactly the two fields it writes, 0.8 and 2 µs, and its own comment.
    const mine = await hover('hardware mine', 'hardware '.length);
    expect(mine).toContain('figures: **calibrated (mine)**: `flops_eff = 0.8`, `collective_latency = 2 µs`');
    expect(mine).toContain('fitted by shardlens calibrate to 5 measurements');
    // Calibrated with no comment: the hover says the fit's source is unknown.
    expect(await hover('hardware quiet', 'hardware '.length)).toContain('no comment says which measurements');
  });
});

