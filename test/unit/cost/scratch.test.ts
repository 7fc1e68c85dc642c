import { describe, expect, it } from 'vitest';
import { costLayout } from '../../../server/src/engine/cost/layout';
import { layout, mesh, model, TPU_V4 } from './helpers/miniBlocks';
import { WG_X, WG_XY, WG_XYZ, WS2D } from './helpers/paperBlocks';

describe('scratch', () => {
  it('fig3', () => {
    const m = model({ dims: { E: 16384, F: 65536, H: 128, K: 128, Q: 128, V: 32000 } });
    for (const [name, b] of [['ws2d', WS2D], ['wg_x', WG_X], ['wg_xy', WG_XY], ['wg_xyz', WG_XYZ]] as const) {
      for (const tokens of [2048, 16384, 65536, 1048576]) {
        const l = layout({ model: m, mesh: mesh(TPU_V4, { x: 4, y: 4, z: 4 }), workload: { batch: 64, prompt: tokens / 64, generate: 2 }, ffn: b, attention: null });
        const c = costLayout(l);
        const vol = c.prefill.pass.layer.ops.filter((o) => ['all_gather', 'reduce_scatter', 'all_reduce', 'all_to_all'].includes(o.op)).reduce((s, o) => s + o.comm_bytes.value, 0);
        console.log(name, tokens, vol / 1e9, c.prefill.latency.value, c.prefill.pass.bound, c.memory.fits);
      }
    }
    expect(1).toBe(1);
  });
});
