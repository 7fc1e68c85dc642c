// Properties of the typing rules of spec §2.1, checked through `analyze` on generated blocks.
// The expected types come from the generator's own reading of the spec (blockGen.ts), never from
// the checker.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { analyze, sourceFromText } from '../../../server/src/engine/index';
import type { CheckedBlock } from '../../../server/src/engine/check/resolved';
import { isBlockDecl } from '../../../server/src/engine/syntax/ast';
import { AXES, Draw, randomBlock, randomType, typesEqual, writeType, type GenType } from '../syntax/blockGen';

const SEED = 424242;

function checkBlocks(text: string) {
  const analysis = analyze(sourceFromText(text, 'file:///gen.shard'), { cost: false });
  const blocks = analysis.file.decls.filter(isBlockDecl).map((d) => analysis.blocks.get(d)!);
  return { analysis, blocks };
}

function describeDiagnostics(text: string, diagnostics: { code: string; message: string; span: { start: number; end: number } }[]): string {
  return `${text}\n${diagnostics.map((d) => `${d.code} \`${text.slice(d.span.start, d.span.end)}\`: ${d.message}`).join('\n')}`;
}

function typeOfValue(block: CheckedBlock, name: string): GenType | undefined {
  const t = block.byName.get(name)?.type;
  return t && { dims: t.dims.map((d) => ({ letter: d.letter, axes: [...d.axes] })), partialsum: [...t.partialsum] };
}

describe('the checker agrees with the spec on random well-typed blocks', () => {
  it('accepts every generated block and infers the type the spec gives each value', () => {
    fc.assert(
      fc.property(fc.gen(), (g) => {
        const generated = randomBlock(new Draw(g));
        const { analysis, blocks } = checkBlocks(generated.text);
        expect(analysis.diagnostics, describeDiagnostics(generated.text, analysis.diagnostics)).toEqual([]);
        for (const [name, expected] of generated.types) {
          const actual = typeOfValue(blocks[0], name);
          expect(actual && typesEqual(actual, expected), `${name} in\n${generated.text}\nis ${JSON.stringify(actual)}`).toBe(true);
        }
      }),
      { seed: SEED, numRuns: 300 },
    );
  });
});

describe('collectives', () => {
  it('all_gather then slice over the same axes gives back the original type', () => {
    fc.assert(
      fc.property(fc.gen(), (g) => {
        const draw = new Draw(g);
        // A type with at least one sharded dim; the axes taken are some of one dim's (slice puts
        // all of its AXES on one dim).
        const original = randomType(draw, { minDims: 1 });
        const sharded = original.dims.filter((d) => d.axes.length);
        if (!sharded.length) original.dims[0].axes.push(draw.pick(AXES));
        const dim = draw.pick(original.dims.filter((d) => d.axes.length));
        const axes = draw.subset(dim.axes, 1).join('');
        const text = [
          'unembed p {',
          `  in h : ${writeType(draw, original)}`,
          `  g = all_gather(h, ${axes})`,
          `  s = slice(g, ${axes}) : ${writeType(draw, original)}`,
          '  out s',
          '}',
        ].join('\n');
        const { analysis, blocks } = checkBlocks(text);
        // No type-mismatch: slice's inferred type equals the original type written as annotation.
        expect(analysis.diagnostics, describeDiagnostics(text, analysis.diagnostics)).toEqual([]);
        const gathered: GenType = { dims: original.dims.map((d) => ({ letter: d.letter, axes: d.axes.filter((a) => !axes.includes(a)) })), partialsum: [] };
        expect(typesEqual(typeOfValue(blocks[0], 'g')!, gathered)).toBe(true);
        expect(typesEqual(typeOfValue(blocks[0], 's')!, original)).toBe(true);
      }),
      { seed: SEED, numRuns: 200 },
    );
  });

  it('a reduce_scatter of a partial sum over its partialsum axes is not partial', () => {
    fc.assert(
      fc.property(fc.gen(), (g) => {
        const draw = new Draw(g);
        // a : …E_S… contracted with w : E_S F_R makes b partial over S (spec §2.1 einsum).
        const a = randomType(draw, { minDims: 0, letters: ['B', 'L', 'Q'] });
        const taken = a.dims.flatMap((d) => d.axes);
        const contractedAxes = draw.subset(AXES.filter((x) => !taken.includes(x)), 1);
        if (!contractedAxes.length) return; // every axis already shards a dim of a
        a.dims.push({ letter: 'E', axes: contractedAxes });
        const rest = AXES.filter((x) => !taken.includes(x) && !contractedAxes.includes(x));
        const fAxes = draw.subset(rest);
        const w: GenType = { dims: [{ letter: 'E', axes: contractedAxes }, { letter: 'F', axes: fAxes }], partialsum: [] };
        const b: GenType = { dims: [...a.dims.filter((d) => d.letter !== 'E'), { letter: 'F', axes: fAxes }], partialsum: contractedAxes };
        const c: GenType = { dims: b.dims.map((d) => ({ letter: d.letter, axes: [...d.axes] })), partialsum: [] };
        draw.pick(c.dims).axes.push(...contractedAxes);
        const text = [
          'unembed p {',
          `  in h : ${writeType(draw, a)}`,
          `  weight w : ${writeType(draw, w)}`,
          `  b = einsum(h, w) : ${writeType(draw, b)}`,
          `  c = reduce_scatter(b, ${draw.subset(contractedAxes, contractedAxes.length).join('')}) : ${writeType(draw, c)}`,
          '  d = gelu(c)',
          '  out d',
          '}',
        ].join('\n');
        const { analysis, blocks } = checkBlocks(text);
        // No type-mismatch against a non-partial annotation, and gelu and out accept c and d.
        expect(analysis.diagnostics, describeDiagnostics(text, analysis.diagnostics)).toEqual([]);
        expect(typeOfValue(blocks[0], 'd')!.partialsum).toEqual([]);
      }),
      { seed: SEED, numRuns: 200 },
    );
  });
});
