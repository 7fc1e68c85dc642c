// Hovers say what their figures are (issue 14, cost/basis.ts): a roofline on the nominal
// hardware, or calibrated, naming the hardware block that carries the calibration fields.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixture, hoverMarkdown, startInMemory, type TestClient } from './harness';

const URI = 'file:///work/hover-basis.shard';
// small.shard's layout `fast` runs on tpu_v4; `fitted` is the same on the built-in calibrated TPU v4.
const TEXT = `${fixture('small.shard')}
mesh fitted_pod = tpu_v4_pope2022 { x = 4, y = 4, z = 4 }
layout fitted = fast { mesh = fitted_pod }
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
});
