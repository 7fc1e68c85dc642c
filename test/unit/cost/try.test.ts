import { it } from 'vitest';
import { analyze, sourceFromText } from '../../../server/src/engine/index';
import { costLayout } from '../../../server/src/engine/cost/layout';
import { buildReport, renderReport, renderCompare, explainLayout, renderExplain } from '../../../server/src/engine/report/index';
it('x', () => {
  const a = analyze(sourceFromText(`
layout low {
  model = palm_540b { weights = int8 }
  mesh = pod
  workload { batch = 64, prompt = 2048, generate = 64 }
  prefill { batch = 1, ffn = ws2d, attention = heads }
  decode { ffn = ws2d, attention = batch }
}
layout high {
  model = palm_540b
  mesh = pod
  workload { batch = 512, prompt = 2048, generate = 64 }
  prefill { ffn = wg_xyz, attention = batch }
  decode { ffn = ws2d, attention = batch }
}
layout oned {
  model = palm_540b
  mesh = pod
  workload { batch = 512, prompt = 2048, generate = 64 }
  ffn = ws1d
  attention = heads
}
mesh pod = tpu_v4 { x = 4, y = 4, z = 4 }
`));
  const r = buildReport(a);
  console.log(JSON.stringify(r.diagnostics, null, 1));
  console.log(renderReport(r));
  console.log(renderCompare(r));
  console.log(renderExplain(explainLayout(costLayout(a.layouts[0]), { phase: 'decode' })));
  console.log(renderExplain(explainLayout(costLayout(a.layouts[0]), { phase: 'decode', op: 'layer.a' })));
  console.log(renderExplain(explainLayout(costLayout(a.layouts[0]), { op: 'attention.s' })));
  console.log(renderExplain(explainLayout(costLayout(a.layouts[0]), { op: 'cache.kc_a2a' })));
});
