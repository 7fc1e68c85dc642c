// The snippets are language the user starts from, so each must check clean once its
// placeholders take their defaults: the ffn blocks are the paper's figures and must type-check.

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { analyze, sourceFromText } from '../../server/src/engine/index';

interface Snippet {
  prefix: string;
  body: string[];
}

const snippets = JSON.parse(readFileSync(new URL('../../snippets/shard.code-snippets', import.meta.url), 'utf8')) as Record<string, Snippet>;

/** The text a snippet inserts when every placeholder keeps its default (first choice). */
function expand(body: string[]): string {
  return body
    .join('\n')
    .replace(/\$\{\d+\|([^,|]*)[^}]*\|\}/g, '$1')
    .replace(/\$\{\d+:([^}]*)\}/g, '$1')
    .replace(/\$\d+/g, '');
}

// What the layout snippets' defaults refer to; a snippet that declares one of these itself
// (the mesh and workload snippets) gets the context without it.
const CONTEXT = ['mesh pod64 = tpu_v4 { x = 4, y = 4, z = 4 }', 'workload chat { batch = 64, prompt = 2048, generate = 64 }'];
const contextFor = (text: string) => CONTEXT.filter((line) => !text.startsWith(line.split(' ')[0] + ' ')).join('\n');

describe('snippets', () => {
  it('cover a layout, a model, a mesh and every paper ffn block', () => {
    const prefixes = Object.values(snippets).map((s) => s.prefix);
    expect(prefixes).toEqual(expect.arrayContaining(['layout', 'model', 'mesh', 'ffn-ws1d', 'ffn-ws2d', 'ffn-wg_x', 'ffn-wg_xy', 'ffn-wg_xyz']));
  });

  for (const [title, snippet] of Object.entries(snippets)) {
    it(`${title} checks without errors`, () => {
      const body = expand(snippet.body);
      const text = `${contextFor(body)}\n${body}\n`;
      const analysis = analyze(sourceFromText(text, 'snippet.shard'));
      const errors = analysis.diagnostics.filter((d) => d.severity === 'error').map((d) => `${d.code}: ${d.message}`);
      expect(errors).toEqual([]);
    });
  }

  // The snippet's block is gelu (two matrices): a gelu model's layout (model-mismatch otherwise).
  it('a layout over a snippet block is costed', () => {
    const ws2d = Object.values(snippets).find((s) => s.prefix === 'ffn-ws2d')!;
    const text = `${contextFor('')}\n${expand(ws2d.body)}\nlayout mine { model = mt_nlg_530b, mesh = pod64, workload = chat, ffn = my_ws2d, attention = none }\n`;
    const analysis = analyze(sourceFromText(text, 'snippet.shard'));
    expect(analysis.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    expect(analysis.layouts.map((l) => l.name)).toEqual(['mine']);
  });
});
