// The built-in ffn layouts are marked in the prelude itself (`# @builtin "Title"` above the gelu
// block in ffn.shard) and read from there by search, the better-layout hint, the crossover chart,
// completion and the checker. These tests pin the list as the prelude gives it, show that marking
// a block is all a new layout needs, and fail if the list is written down a second time.

import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { analyze, sourceFromText } from '../../../server/src/engine/index';
import { parse } from '../../../server/src/engine/syntax/parser';
import { builtinPairs } from '../../../server/src/engine/cost/variants';
import { PRELUDE_FILES } from '../../../server/src/engine/prelude/index';
import { builtinFfnNames, builtinFfnTitle, preludeBuiltins, readBuiltins } from '../../../server/src/engine/prelude/builtins';
import { docComment } from '../../../server/src/engine/features/locate';
import { completionsAt } from '../../../server/src/engine/features/completion';

const ROOT = join(__dirname, '../../..');

describe('the built-in ffn layouts of the prelude', () => {
  it('are the marked blocks of ffn.shard, in the paper order, with their titles', () => {
    expect(preludeBuiltins().ffns.map((f) => [f.name, f.title])).toEqual([
      ['ws1d', '1D weight-stationary'],
      ['ws2d', '2D weight-stationary'],
      ['wg_x', 'X-weight-gathered'],
      ['wg_xy', 'XY-weight-gathered'],
      ['wg_xyz', 'XYZ-weight-gathered'],
    ]);
    expect(builtinFfnNames()).toEqual(['ws1d', 'ws2d', 'wg_x', 'wg_xy', 'wg_xyz']);
    expect(builtinFfnTitle('wg_xy')).toBe('XY-weight-gathered');
    expect(builtinFfnTitle('ws2d_swiglu')).toBeUndefined();
  });

  it('put the `default` one first where the engine picks for the user (spec §5: ws2d, ws1d, …)', () => {
    expect(preludeBuiltins().byPreference).toEqual(['ws2d', 'ws1d', 'wg_x', 'wg_xy', 'wg_xyz']);
    const a = analyze(sourceFromText('layout l { model = palm_8b, mesh = tpu_v4 { x = 4 }, workload { batch = 8, prompt = 8, generate = 8 }, ffn = ws3d, attention = batch }'), { cost: false });
    expect(a.diagnostics.map((d) => d.message)).toContain('no ffn block named `ws3d`; the built-in ones are ws2d, ws1d, wg_x, wg_xy, wg_xyz');
  });

  it('pair each layout with the attention families the prelude has for it (wg_xyz has no heads family)', () => {
    expect(builtinPairs().map((p) => `${p.ffn}+${p.attention}`)).toEqual([
      'ws1d+heads', 'ws1d+batch', 'ws2d+heads', 'ws2d+batch', 'wg_x+heads', 'wg_x+batch', 'wg_xy+heads', 'wg_xy+batch', 'wg_xyz+batch',
    ]);
  });

  it('a new layout is one marked block (with its families): it joins the list, after the others', () => {
    const extra = `
# @builtin "Replicated"
ffn rep {
  in h : BLE
  weight w_in : E F
  weight w_out : F E
  b = einsum(h, w_in) : BLF
  d = gelu(b) : BLF
  y = einsum(d, w_out) : BLE
  out y
}

# Not marked: a block of the prelude that is not a layout of its own.
ffn helper {
  in h : BLE
  out h
}

attention rep_batch_mqa {
  in h : BLE
  out h
}
`;
    const files = [...PRELUDE_FILES, { uri: 'shardlens-prelude:/extra.shard', text: extra, isPrelude: true }].map((s) => parse(s));
    const builtins = readBuiltins(files);
    expect(builtins.ffns.map((f) => f.name)).toEqual(['ws1d', 'ws2d', 'wg_x', 'wg_xy', 'wg_xyz', 'rep']);
    expect(builtins.ffns.at(-1)).toEqual({ name: 'rep', title: 'Replicated', attention: ['batch'] });
    expect(builtins.byPreference).toEqual(['ws2d', 'ws1d', 'wg_x', 'wg_xy', 'wg_xyz', 'rep']);
  });

  it('the mark is data for the engine: a hover shows the doc comment without it', () => {
    const ffn = parse(PRELUDE_FILES.find((s) => s.uri.endsWith('/ffn.shard'))!);
    const ws1d = ffn.decls.find((d) => d.name.text === 'ws1d')!;
    const doc = docComment(ws1d, ffn.comments);
    expect(doc).toMatch(/^1D weight-stationary \(Megatron; Pope Fig\. 2a\)/);
    expect(doc).not.toContain('@builtin');
  });

  it('completion of `ffn =` shows each layout with its title, in the prelude order', () => {
    const text = 'layout l {\n  ffn = \n}\n';
    const a = analyze(sourceFromText(text), { cost: false });
    const items = completionsAt(a, text.indexOf('ffn = ') + 'ffn = '.length);
    const layouts = items.filter((i) => builtinFfnNames().includes(i.label)).sort((x, y) => x.sortText!.localeCompare(y.sortText!));
    expect(layouts.map((i) => i.label)).toEqual(builtinFfnNames());
    expect(layouts[0].detail).toMatch(/^ffn — 1D weight-stationary, built-in, ffn\.shard line \d+$/);
  });
});

/** Every TypeScript file under `dir`. */
function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? sources(path) : path.endsWith('.ts') ? [path] : [];
  });
}

it('no source writes the list of built-in layouts down again', () => {
  // Two built-in layout names in one array or object literal: a second copy of the list.
  const copy = /['"](ws1d|ws2d|wg_xy?z?)['"]\s*[,:][^\n]*['"](ws1d|ws2d|wg_xy?z?)['"]/;
  const offenders = [...sources(join(ROOT, 'server/src')), ...sources(join(ROOT, 'client'))].filter((f) => copy.test(readFileSync(f, 'utf8'))).map((f) => relative(ROOT, f));
  expect(offenders).toEqual([]);
});
