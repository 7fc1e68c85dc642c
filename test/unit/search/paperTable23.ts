// The paper's Table 2/3 rows (test/fixtures/paper/pope2022.json) as a shard file and calibration
// rows: one layout per row (its model, weight dtype, blocks, sizes, and the paper's unfused
// attention: its kernels wrote the scores to HBM); the chip count goes in the CSV's `chips`
// column, which re-factors the mesh. Decode rows are 64 steps in the paper; a row is one step.

import type { CalibrationRow } from '../../../server/src/engine/search/calibrate/csv';
import { golden } from './helpers';

export interface Table23 {
  /** Shard text declaring a mesh per chip count, a model per (model, weights) and a layout `rowI` per row. */
  text: string;
  rows: CalibrationRow[];
  /** The fixture's rows, in order. */
  paper: any[];
}

export function table23(options: { overlap?: 'none' | 'collective_einsum' } = {}): Table23 {
  const paper: any[] = golden().table2_3_configurations.rows;
  const models = new Set<string>();
  const meshes = new Set<number>();
  const decls: string[] = [];
  const meshName = (chips: number) => {
    if (!meshes.has(chips)) {
      meshes.add(chips);
      // A starting shape; the CSV's chips column re-factors it anyway.
      const z = Math.min(4, chips);
      const y = Math.min(4, chips / z);
      decls.push(`mesh v4_${chips} = tpu_v4 { x = ${chips / (y * z)}, y = ${y}, z = ${z} }`);
    }
    return `v4_${chips}`;
  };
  const modelName = (r: any) => {
    const key = `${r.model}_${r.weights}`;
    if (!models.has(key)) { models.add(key); decls.push(`model ${key} = ${r.model} { weights = ${r.weights} }`); }
    return key;
  };
  const attention = (a: string) => a.replace(/^mqa_/, '');
  paper.forEach((r, i) => decls.push(`layout row${i} {\n  model = ${modelName(r)}\n  mesh = ${meshName(r.chips)}\n  workload { batch = ${r.batch}, prompt = 2048, generate = 64 }\n  ffn = ${r.ffn}\n  attention = ${attention(r.attention)}\n  attention_kernel = unfused${options.overlap ? `\n  overlap = ${options.overlap}` : ''}\n}`));
  const rows: CalibrationRow[] = paper.map((r, i) => ({ line: i + 2, layout: `row${i}`, phase: r.phase, batch: r.batch, prompt: 2048, generate: 64, seconds: r.phase === 'decode' ? r.latency_s / 64 : r.latency_s, chips: r.chips }));
  return { text: decls.join('\n'), rows, paper };
}
