// Memory soak, engine side (issue 7): a service's cost cache keeps each costing for later edits;
// what it keeps must be the costing, not the text it was computed from. A 0.9 MB file (mostly comments)
// goes through 40 versions, each with one layout whose block differs (one new cached costing per
// version). If each cached entry retained its version's source text, the heap would grow by about
// the file's size per version; the costing itself is tens of kilobytes.

import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { createShardService, EDITOR_LIMITS, sourceFromText } from '../../server/src/engine/index';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

function heapMb(): number {
  gc();
  gc();
  return process.memoryUsage().heapUsed / 1e6;
}

const HEAD = `mesh pod = tpu_v4 { x = 4, y = 4, z = 4 }
model tiny { layers = 2, E = 1024, F = 4096, H = 8, K = 1, Q = 128, V = 32000 }
workload chat { batch = 64, prompt = 2048, generate = 64 }
`;

function block(version: number): string {
  return `ffn ffn_0 {
  # revision ${version}
  in h : BLE_xyz
  weight w_in  : E_x F_yz
  weight w_out : F_yz E_x
  a = all_gather(h, yz)       : BLE_x
  b = einsum(a, w_in)         : BLF_yz (partialsum-x)
  c = reduce_scatter(b, x)    : BLF_xyz
  d = gelu(c)
  e = all_gather(d, x)        : BLF_yz
  f = einsum(e, w_out)        : BLE_x (partialsum-yz)
  y = reduce_scatter(f, yz)   : BLE_xyz
  out y
}
layout layout_0 { model = tiny, mesh = pod, workload = chat, ffn = ffn_0, attention = ws2d_batch }
`;
}

describe('soak: cached costings do not keep old versions of the text alive', () => {
  it('40 versions of a 1 MB file, one new costing each', () => {
    const padding = `${'#'.repeat(99)}\n`.repeat(9_000); // under the editor's 1 MB limit
    const size = (HEAD + block(0) + padding).length / 1e6;
    const versions = 40;
    // A seed that no other test uses, so every costing below is new to the cache.
    const base = 1_000_000 + Math.floor(Math.random() * 1e9);
    const service = createShardService();
    service.analyze(sourceFromText(HEAD + block(base) + padding), EDITOR_LIMITS);
    const before = heapMb();
    for (let v = 1; v <= versions; v++) {
      const a = service.analyze(sourceFromText(HEAD + block(base + v) + padding), EDITOR_LIMITS);
      expect(a.costs.size).toBe(1);
    }
    const perVersion = (heapMb() - before) / versions;
    console.log(`heap growth per version of a ${size.toFixed(2)} MB file: ${perVersion.toFixed(3)} MB`);
    // A costing is tens of kB; a retained text would be about `size` MB per version.
    expect(perVersion).toBeLessThan(Math.max(0.25, size / 4));
  });
});
