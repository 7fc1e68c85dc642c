// A small report of the `report --json` shape (cli.md) with numbers chosen so that every chart
// value can be checked by hand: two costed layouts and one that could not be costed.

import type { ChartOp, ChartPhase, ChartReport } from '../../../server/src/engine/charts/types';

function op(block: string, name: string, opName: string, time_s: number, bound: string): ChartOp {
  return { block, name, op: opName, time_s, bound };
}

function phase(latency_s: number, ops: ChartOp[], extra: Partial<ChartPhase> = {}): ChartPhase {
  return {
    latency_s,
    mfu: 0.43,
    cost_chip_s_per_token: 0.0072,
    bound: 'compute',
    layer: { time_s: ops.reduce((s, o) => s + (o.time_s ?? 0), 0), ops },
    ...extra,
  };
}

export const GIB = 2 ** 30;

export function sampleReport(names: [string, string, string] = ['low_latency', 'high_throughput', 'broken']): ChartReport {
  return {
    file: 'examples/sample.shard',
    layouts: [
      {
        name: names[0],
        costed: true,
        model: 'palm540b',
        mesh: 'pod64',
        chips: 64,
        memory: { weights_bytes: 9 * GIB, kv_bytes: 1 * GIB, activation_bytes: 0.5 * GIB, total_bytes: 10.5 * GIB, hbm_bytes: 32 * GIB, fits: true },
        prefill: phase(0.29, [
          op('ffn', 'a', 'all_gather', 0.001, 'comm'),
          op('ffn', 'b', 'einsum', 0.004, 'compute'),
          op('ffn', 'd', 'gelu', 0.0005, 'memory'),
          op('attention', 'q', 'einsum', 0.002, 'compute'),
        ], { workload: { batch: 1, prompt: 2048 } }),
        decode: phase(
          1.82,
          [
            op('ffn', 'a', 'all_gather', 0.00002, 'comm'),
            op('ffn', 'b', 'einsum', 0.00007, 'memory'),
            op('layer', 'y', 'reduce_scatter', 0.00003, 'comm'),
          ],
          { step_s: 0.0284, step_s_last: 0.0301, mfu: 0.14, cost_chip_s_per_token: 0.0284, workload: { batch: 64, prompt: 2048 } },
        ),
      },
      {
        name: names[1],
        costed: true,
        model: 'palm_540b',
        mesh: 'pod64',
        chips: 64,
        memory: { weights_bytes: 18 * GIB, kv_bytes: 2 * GIB, activation_bytes: 12 * GIB, total_bytes: 34 * GIB, hbm_bytes: 32 * GIB, fits: false },
        prefill: phase(85.2, [op('ffn', 'b', 'einsum', 0.6, 'compute'), op('ffn', 'c', 'reduce_scatter', 0.05, 'comm')], { bound: 'compute', workload: { batch: 512, prompt: 2048 } }),
        decode: phase(6.0, [op('ffn', 'b', 'einsum', 0.0003, 'compute'), op('ffn', 'w', 'einsum', 0.0001, 'memory')], {
          step_s: 0.0938,
          step_s_last: 0.1,
          mfu: 0.33,
          cost_chip_s_per_token: 0.0117,
          bound: 'memory',
          workload: { batch: 512, prompt: 2048 },
        }),
      },
      { name: names[2], costed: false, model: 'palm_540b', mesh: null, chips: null, memory: null, prefill: null, decode: null, reason: 'unknown mesh' },
    ],
  };
}

/**
 * The sample with the figures only some files have: high_throughput prefills on other chips than
 * it decodes on (a KV transfer of 2 GiB in 0.25 s) and records measured times; low_latency has an
 * all-to-all in its decode layer. Every chart of the compare view applies to it.
 */
export function sampleReportWithExtras(): ChartReport {
  const report = sampleReport();
  const [low, high] = report.layouts;
  low.decode!.layer.ops.push(op('ffn', 't', 'all_to_all', 0.00001, 'comm'));
  low.decode!.all_to_all_s = 0.00001 * 118;
  high.kv_transfer = { bytes: 2 * GIB, time_s: 0.25, link: 'scale-out network', from_chips: 64, to_chips: 16 };
  high.total_latency_s = 85.2 + 0.25 + 6.0;
  high.measured = { prefill_s: 100, decode_s: 9, ratio: { prefill: 100 / 85.2, decode: 9 / 6.0 } };
  return report;
}
