// `measured { … }` in a layout: parsed, checked, and printed beside the nominal prediction.
import { describe, expect, it } from 'vitest';
import { analyze, sourceFromText } from '../../../server/src/engine/index';
import { buildReport, renderReport } from '../../../server/src/engine/report/index';

const base = `
mesh pod = tpu_v4 { x = 4, y = 4, z = 4 }
layout l {
  model = palm_540b { weights = int8 }
  mesh = pod
  workload { batch = 64, prompt = 2048, generate = 64 }
  prefill { batch = 1, ffn = ws2d, attention = heads }
  decode { ffn = ws2d, attention = batch }
  attention_kernel = unfused
  MEASURED
}
layout derived = l { }
`;

describe('measured results', () => {
  it('are read in SI units and reported with the ratio to the prediction', () => {
    const a = analyze(sourceFromText(base.replace('MEASURED', 'measured { prefill = 290 ms, prefill_mfu = 43%, decode_step = 28.4 ms, source = paper }')));
    expect(a.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    const l = a.layouts.find((x) => x.name === 'l')!;
    expect(l.measured!.prefill_s).toBeCloseTo(0.29, 15);
    expect(l.measured!.prefill_mfu).toBeCloseTo(0.43, 15);
    expect(l.measured!.decode_step_s).toBeCloseTo(0.0284, 15);
    expect(l.measured!.source).toBe('paper');
    expect(l.measured!.decode_s).toBeUndefined();
    // A derived layout is another configuration: it does not inherit the measurement.
    expect(a.layouts.find((x) => x.name === 'derived')!.measured).toBeUndefined();
    const report = buildReport(a);
    const j = report.layouts.find((x) => x.name === 'l')!;
    const cost = a.costs.get('l')!;
    expect(j.measured!.ratio!.prefill).toBeCloseTo(0.29 / cost.prefill.latency.value, 12);
    expect(j.measured!.ratio!.decode_step).toBeCloseTo(0.0284 / cost.decode.pass.latency.value, 12);
    // Decode over all steps is derived from the step time when only the step is given.
    expect(j.measured!.ratio!.decode).toBeCloseTo((0.0284 * 64) / cost.decode.latency.value, 12);
    const text = renderReport(report);
    expect(text).toMatch(/against the paper's measurement/);
    expect(text).toMatch(/paper 290 ms \(\d(\.\d)?× the prediction\), MFU 43%/);
    expect(text).toMatch(/lower bound until calibrated/);
  });

  it('reject unknown fields and values of the wrong kind', () => {
    const a = analyze(sourceFromText(base.replace('MEASURED', 'measured { prefill = 290 GB, latency = 1 s }')));
    const codes = a.diagnostics.filter((d) => d.severity === 'error').map((d) => `${d.code}:${a.source.text.slice(d.span.start, d.span.end)}`);
    expect(codes).toEqual(['unit:290 GB', 'unknown-field:latency']);
  });

  it('every example that records the paper\'s numbers reports them', () => {
    for (const file of ['examples/palm540b.shard', 'examples/palm62b.shard']) {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const text = require('node:fs').readFileSync(file, 'utf8') as string;
      const a = analyze(sourceFromText(text, file));
      const withMeasured = a.layouts.filter((l) => l.measured?.source === 'paper');
      expect(withMeasured.length).toBeGreaterThan(0);
      const report = buildReport(a);
      for (const l of withMeasured) expect(report.layouts.find((x) => x.name === l.name)!.measured).toBeDefined();
    }
  });
});
