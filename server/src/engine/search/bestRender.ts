// Renderers for `best`: a text table of the top configurations with the layout text to paste,
// and the JSON object (the resolved layouts and full costs are left out; `text` re-creates them).

import { formatBytes, formatPercent, formatSeconds, sig } from '../report/format';
import type { BestCandidate, BestResult } from './best';
import { REQUEST_COST_UNIT } from './bestTypes';
import { relativeChange } from './bestCompare';
import { textTable } from './table';

const blocks = (b: { ffn: string; attention: string }) => `${b.ffn}+${b.attention}`;

export function renderBestText(result: BestResult): string {
  const limit = result.maxLatency !== undefined ? `, latency ≤ ${formatSeconds(result.maxLatency)}` : '';
  const head = `best for ${result.layout}: ${result.model} on ${result.hardware}, by ${result.objective}${limit}${result.requireFit ? ', must fit in memory' : ''}\n` +
    `  searched ${result.stats.space.toLocaleString('en-US')} configurations (${result.stats.passes} phase passes and ${result.stats.layouts} full layouts costed; ${result.stats.cellsSkipped} of ${result.stats.cells} mesh/batch/dtype cells skipped by the lower bound)\n` +
    `  latency = prefill + all decode steps${result.pooled ? ' (+ the KV transfer between the pools)' : ''}; cost = ${result.pooled ? 'each pool\'s chips × its phase\'s time' : 'chips × latency'} / (prompt + generated tokens), in ${REQUEST_COST_UNIT}\n` +
    (result.current ? `  ${result.layout} as declared: ${formatSeconds(result.current.latency_s)}, ${sig(result.current.cost_chip_s_per_token * 1e3)} ${REQUEST_COST_UNIT}${result.current.fits ? '' : ' (does not fit)'}\n` : '');
  if (!result.candidates.length) return `${head}\n${result.message ?? 'nothing found'}\n`;
  const now = result.current;
  const rows = result.candidates.map((c) => [
    String(c.rank), c.pools ? `${c.pools.prefill.chips}+${c.pools.decode.chips}` : String(c.chips),
    [c.mesh, ...c.sameAs].join(' or '), c.weights,
    c.workload.prefill.batch === c.workload.decode.batch ? String(c.workload.decode.batch) : `${c.workload.prefill.batch}/${c.workload.decode.batch}`,
    blocks(c.prefill), blocks(c.decode),
    formatSeconds(c.latency_s), formatSeconds(c.prefill_latency_s), formatSeconds(c.decode_step_s),
    sig(c.cost_chip_s_per_token * 1e3), `${formatPercent(c.mfu.prefill)}/${formatPercent(c.mfu.decode)}`,
    `${formatBytes(c.memory_bytes)} of ${formatBytes(c.hbm_bytes)}`,
    ...(now ? [`${relativeChange(c.latency_s, now.latency_s)} / ${relativeChange(c.cost_chip_s_per_token, now.cost_chip_s_per_token)}`] : []),
  ]);
  const table = textTable([
    { header: '#' }, { header: 'chips' }, { header: 'mesh', align: 'left' }, { header: 'weights', align: 'left' }, { header: 'batch' },
    { header: 'prefill', align: 'left' }, { header: 'decode', align: 'left' },
    { header: 'latency' }, { header: 'prefill' }, { header: 'decode step' }, { header: REQUEST_COST_UNIT }, { header: 'MFU p/d' }, { header: 'memory/chip' },
    ...(now ? [{ header: `latency/cost vs ${result.layout}` }] : []),
  ], rows);
  const texts = result.candidates.map((c) => c.text).join('\n');
  return `${head}\n${table}\n\nTo use one, paste its text under your file:\n\n${texts}`;
}

/** A candidate as `best --json` prints it. */
export type BestCandidateJson = Omit<BestCandidate, 'cost' | 'layout'>;

/** The `best --json` object. */
export type BestJson = Omit<BestResult, 'candidates'> & { version: 1; candidates: BestCandidateJson[] };

function candidateJson(c: BestCandidate): BestCandidateJson {
  const { cost: _cost, layout: _layout, ...rest } = c;
  return rest;
}

export function bestJson(result: BestResult): BestJson {
  return { version: 1, ...result, candidates: result.candidates.map(candidateJson) };
}

export function renderBestJson(result: BestResult): string {
  return `${JSON.stringify(bestJson(result), null, 2)}\n`;
}
