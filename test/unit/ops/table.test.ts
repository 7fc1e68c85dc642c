// The operation table is the one definition of every operation: the checker types statements
// with it, the cost plan compiles its cost rules, the explanations follow them, and editor features
// read its names and signatures. These tests check the table itself and that no other source file
// keeps a list of operations of its own (the lists that drifted before: which ops are collectives,
// which keep their operand's dtype, which normalise, which take AXES).

import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { allOperations, collectiveOf, isCollective, operation, takesAxes } from '../../../server/src/engine/ops/index';
import { analyze, sourceFromText } from '../../../server/src/engine/index';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const OPS_DIR = 'server/src/engine/ops';

function sources(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(join(ROOT, dir))) {
    const path = join(dir, name);
    if (statSync(join(ROOT, path)).isDirectory()) out.push(...sources(path));
    else if (/\.(ts|mts|mjs)$/.test(name)) out.push(path);
  }
  return out;
}

// Operation names that only ever mean an operation. (`gelu` and `swiglu` also name a model's FFN
// kind, and `add` is an ordinary word, so a line naming them is no evidence of an operation list.)
const DISTINCTIVE = allOperations().map((o) => o.name).filter((n) => !['gelu', 'silu', 'swiglu', 'add'].includes(n));
const QUOTED = new RegExp(`['"\`](${DISTINCTIVE.join('|')})['"\`]`, 'g');
const CASE = new RegExp(`\\bcase\\s+['"\`](${DISTINCTIVE.join('|')})['"\`]`);

/** Lines outside the operation table that list two or more operations, or switch over one. */
function secondDefinitions(path: string, text: string): string[] {
  const found: string[] = [];
  text.split('\n').forEach((line, i) => {
    if (/^\s*(\/\/|\*|\/\*)/.test(line)) return; // prose in comments is not a list
    const names = new Set([...line.matchAll(QUOTED)].map((m) => m[1]));
    if (names.size >= 2 || CASE.test(line)) found.push(`${path}:${i + 1}: ${line.trim()}`);
  });
  return found;
}

describe('the operation table', () => {
  it('defines each operation once, with a typing rule, a cost rule and a dtype rule', () => {
    const names = allOperations().map((o) => o.name);
    expect(new Set(names).size).toBe(names.length);
    for (const op of allOperations()) {
      expect(typeof op.type, op.name).toBe('function');
      expect(['roofline', 'collective', 'local', 'cache-write', 'elementwise'], op.name).toContain(op.cost.kind);
      expect(['computed', 'operand', 'kv'], op.name).toContain(op.dtype);
      // The signature names the operation and as many arguments as it takes.
      const args = op.signature.slice(op.signature.indexOf('(') + 1, op.signature.indexOf(')')).split(',');
      expect(op.signature.startsWith(`${op.name}(`), op.name).toBe(true);
      expect(args.length, op.name).toBe(op.operands + (op.takesAxes ? 1 : 0));
      expect(op.signature.includes(': TYPE'), op.name).toBe(op.annotationRequired);
    }
  });

  it('derives what the cost model and the editor ask of an operation', () => {
    expect(collectiveOf('all_gather')).toBe('all_gather');
    expect(collectiveOf('slice')).toBeUndefined();
    expect(isCollective('reduce_scatter')).toBe(true);
    expect(isCollective('einsum')).toBe(false);
    expect(takesAxes('slice')).toBe(true);
    expect(takesAxes('softmax')).toBe(false);
    expect(operation('nope')).toBeUndefined();
  });

  it('is what the checker types statements with', () => {
    // An unknown operation's message lists the table's names, in table order.
    const a = analyze(sourceFromText('ffn f {\n  in x : BLE\n  y = frobnicate(x)\n  out y\n}\n'), { cost: false });
    const d = a.diagnostics.find((x) => x.message.includes('frobnicate'));
    expect(d?.message).toContain(allOperations().map((o) => o.name).join(', '));
  });

  it('is read by the checker, the compiled plan, the numeric pass and the explanations', () => {
    for (const file of ['server/src/engine/check/blocks.ts', 'server/src/engine/cost/plan.ts', 'server/src/engine/cost/numeric.ts', 'server/src/engine/cost/sizes.ts', 'server/src/engine/cost/figures.ts']) {
      const text = readFileSync(join(ROOT, file), 'utf8');
      expect(/from '\.\.\/ops\/index'/.test(text) || /from '\.\/plan'/.test(text), file).toBe(true);
    }
  });

  it('is the only list of operations in the product sources', () => {
    const offenders: string[] = [];
    for (const file of [...sources('server/src'), ...sources('client')]) {
      if (file.startsWith(OPS_DIR)) continue;
      offenders.push(...secondDefinitions(relative(ROOT, join(ROOT, file)), readFileSync(join(ROOT, file), 'utf8')));
    }
    expect(offenders).toEqual([]);
  });

  it('the scan would see a second list', () => {
    expect(secondDefinitions('x.ts', "const KEEPS = new Set(['all_gather', 'slice']);")).toHaveLength(1);
    expect(secondDefinitions('x.ts', "    case 'reduce_scatter':")).toHaveLength(1);
    expect(secondDefinitions('x.ts', "if (v.op === 'layernorm') return;")).toEqual([]);
  });
});
