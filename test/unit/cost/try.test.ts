import { it } from 'vitest';
import { analyze, sourceFromText } from '../../../server/src/engine/index';
import { costLayout } from '../../../server/src/engine/cost/layout';
it('x', () => {
  const a = analyze(sourceFromText(`
layout low {
  model = palm_540b { weights = int8 }
  mesh = pod
  workload { batch = 64, prompt = 2048, generate = 64 }
  prefill { batch = 1 }
  ffn = ws2d
  attention = batch
}
layout high {
  model = palm_540b
  mesh = pod
  workload { batch = 512, prompt = 2048, generate = 64 }
  prefill { ffn = wg_xyz, attention = batch }
  decode { ffn = ws2d, attention = batch }
}
mesh pod = tpu_v4 { x = 4, y = 4, z = 4 }
`));
  console.log(a.diagnostics.map((d) => d.code + ' ' + d.message), a.layouts.length, a.uncostable);
  for (const l of a.layouts) {
    const c = costLayout(l);
    for (const ph of ['prefill', 'decode'] as const) {
      const p = c[ph];
      console.log(l.name, ph, p.ffn, p.attention, 'lat', p.latency.value, 'step', p.pass.latency.value, 'mfu', p.mfu.value, p.pass.bound, 'comp', p.pass.totals.compute_s, 'mem', p.pass.totals.memory_s, 'comm', p.pass.totals.comm_s, 'layer', p.pass.layer.time_s);
      for (const o of p.pass.layer.ops) console.log('   ', o.role, o.name, o.op, o.axes, o.type, o.time.value.toExponential(3), o.bound, o.comm_bytes.value, o.fused ?? '');
      if (p.pass.cacheConversion) console.log('  conv', p.pass.cacheConversion.ops.map((o) => `${o.name} ${o.op} ${o.axes} ${o.time.value}`));
    }
    console.log('mem', c.memory.weights.value / 1e9, c.memory.kv.value / 1e9, c.memory.activations, c.memory.fits, c.memory.maxContext.value, c.memory.kvTotal.value / 1e9);
  }
});
