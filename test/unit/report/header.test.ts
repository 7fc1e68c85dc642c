// The first line of each layout in `shardlens report` (report/text.ts): model and where it runs.
// A layout whose only meshes are per-phase ones, one of which does not resolve, has no mesh name
// in its JSON (`mesh: null`); its header must not print "on null".
import { describe, expect, it } from 'vitest';
import { analyze, sourceFromText } from '../../../server/src/engine/index';
import { buildReport, renderReport } from '../../../server/src/engine/report/index';

const layout = (decodeMesh: string) => `
layout split {
  model = palm_62b
  workload { batch = 512, prompt = 2048, generate = 64 }
  prefill { mesh = tpu_v4 { x = 2, y = 4, z = 4 }, ffn = wg_xyz, attention = batch }
  decode  { mesh = ${decodeMesh}, ffn = ws2d, attention = batch }
}
`;

const header = (text: string) => renderReport(buildReport(analyze(sourceFromText(text)))).split('\n')[0];

describe('report header', () => {
  it('names no mesh for a layout with only phase meshes, one unresolved', () => {
    const report = buildReport(analyze(sourceFromText(layout('no_such_mesh'))));
    expect(report.layouts[0].costed).toBe(false);
    expect(report.layouts[0].mesh).toBeNull();
    const text = renderReport(report);
    expect(text).not.toContain('null');
    expect(text.split('\n').slice(0, 2)).toEqual(['layout split: palm_62b', '  not costed: its decode mesh could not be resolved']);
  });

  it('names both phase meshes and their chips when both resolve', () => {
    // 2·4·4 = 32 prefill chips, 2·2·2 = 8 decode chips (Pope et al. Table 3's split).
    expect(header(layout('tpu_v4 { x = 2, y = 2, z = 2 }'))).toMatch(/^layout split: palm_62b prefill on tpu_v4 \(32 chips\), decode on tpu_v4 \(8 chips\), batch 512/);
  });
});
