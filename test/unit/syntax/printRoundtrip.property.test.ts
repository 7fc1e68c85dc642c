// Property: printing a random well-typed block and parsing the text back gives the same tree
// (modulo spans and the order of axes within a group, which the printer canonicalises), and
// the printed text is a fixed point of print ∘ parse.

import fc from 'fast-check';
import { expect, it } from 'vitest';
import { parse } from '../../../server/src/engine/syntax/parser';
import { printFile } from '../../../server/src/engine/syntax/print';
import { astShape } from './astShape';
import { Draw, randomBlock } from './blockGen';

const SEED = 20260601;

function parseText(text: string) {
  return parse({ uri: 'gen.shard', text, isPrelude: false });
}

/** A random record declaration: scalar fields, quantities with units, names with overrides, nesting. */
function randomRecord(draw: Draw, depth = 0): string {
  const field = (): string => {
    const name = draw.pick(['batch', 'x', 'E', 'hbm', 'link_bw_y', 'ffn', 'model', 'prefill', 'workload', 'kv_budget', 'wrap']);
    switch (draw.int(0, depth < 2 ? 4 : 1)) {
      case 0:
        return `${name} = ${draw.pick(['1', '64', '2.5', '1.1e9', '1e-3', '0.3'])}${draw.pick(['', ' ', ''])}${draw.pick(['', 'GiB', 'TB/s', 'TFLOP/s', 'us', '%', 'kB'])}`;
      case 1:
        return `${name} = ${draw.pick(['ws2d', 'palm_540b', 'torus', 'xyz', 'none', 'int8'])}`;
      case 2:
        return `${name} = ${draw.pick(['palm_8b', 'pod64'])} ${randomRecord(draw, depth + 1)}`;
      case 3:
        return `${name} ${randomRecord(draw, depth + 1)}`;
      default:
        return `${name} = ${randomRecord(draw, depth + 1)}`;
    }
  };
  const fields = Array.from({ length: draw.int(0, 4) }, field);
  return `{${fields.map((f) => `${draw.pick([' ', '\n  '])}${f}`).join(draw.pick([',', ';', '\n']))} }`;
}

it('print then parse gives back random records', () => {
  fc.assert(
    fc.property(fc.gen(), (g) => {
      const draw = new Draw(g);
      const decls = Array.from({ length: draw.int(1, 4) }, (_, i) => {
        const kind = draw.pick(['hardware', 'mesh', 'model', 'workload', 'layout']);
        const base = draw.bool() ? ` = ${draw.pick(['tpu_v4', 'palm_540b', 'other'])}` : '';
        return `${kind} r${i}${base} ${base && draw.int(0, 3) === 0 ? '' : randomRecord(draw)}`;
      });
      const original = parseText(decls.join('\n'));
      expect(original.errors).toEqual([]);
      const printed = printFile(original);
      const reparsed = parseText(printed);
      expect(reparsed.errors).toEqual([]);
      expect(astShape(reparsed.decls)).toEqual(astShape(original.decls));
      expect(printFile(reparsed)).toBe(printed);
    }),
    { seed: SEED, numRuns: 300 },
  );
});

it('print then parse gives back a random well-typed block', () => {
  fc.assert(
    fc.property(fc.gen(), (g) => {
      const draw = new Draw(g);
      const blocks = Array.from({ length: draw.int(1, 3) }, (_, i) => randomBlock(draw, `gen${i}`).text);
      const original = parseText(blocks.join('\n'));
      expect(original.errors).toEqual([]);
      const printed = printFile(original);
      const reparsed = parseText(printed);
      expect(reparsed.errors).toEqual([]);
      expect(astShape(reparsed.decls)).toEqual(astShape(original.decls));
      expect(printFile(reparsed)).toBe(printed);
    }),
    { seed: SEED, numRuns: 300 },
  );
});
