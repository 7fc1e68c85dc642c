// What the command line says about its figures and its failures (issue 15, items 3 and 4):
// figures that say their units and agree between the views, and messages a user can act on.

import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ROOT, expectOneLineError, shardlens } from './run';

const tutorial = 'examples/tutorial.shard';
const tutorialText = readFileSync(path.join(ROOT, tutorial), 'utf8');
const tmp = mkdtempSync(path.join(tmpdir(), 'shardlens-messages-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** Writes `text` to a file of the temporary folder and returns its path. */
function file(name: string, text: string): string {
  const p = path.join(tmp, name);
  writeFileSync(p, text);
  return p;
}

interface JsonLayout {
  name: string;
  chips: number;
  workload: { batch: number; prompt: number; generate: number };
  memory: { max_context: number; total_bytes: number; hbm_bytes: number };
  decode: { workload: { batch: number }; step_s: number; cost_chip_s_per_token: number };
}

const reportJson = JSON.parse(shardlens(['report', tutorial, '--json']).stdout) as { layouts: JsonLayout[] };

/** Bytes as every view writes them: three significant digits of the decimal unit. */
/** Memory in binary units, three significant digits (written here apart from report/format.ts). */
function binaryBytes(b: number): string {
  const [unit, k] = ([['TiB', 2 ** 40], ['GiB', 2 ** 30], ['MiB', 2 ** 20], ['KiB', 2 ** 10]] as const).find(([, k]) => b >= k) ?? ['B', 1];
  return `${Number((b / k).toPrecision(3))} ${unit}`;
}

/** A memory figure in decimal units (12 GB, 590 kB), not a rate (45 GB/s). */
const DECIMAL_MEMORY = /\b\d+(\.\d+)? [kMGT]B\b(?!\/s)/;

describe('figures that say their units', () => {
  it('report gives max context in tokens, at the decode batch it holds for', () => {
    const r = shardlens(['report', tutorial]);
    expect(r.code, r.stderr).toBe(0);
    for (const l of reportJson.layouts) {
      const expected = `max context ${l.memory.max_context.toLocaleString('en-US')} tokens at batch ${l.decode.workload.batch};`;
      expect(r.stdout).toContain(expected);
    }
  });

  it('compare heads the column in tokens and gives each layout its batch', () => {
    const r = shardlens(['compare', tutorial]);
    expect(r.code, r.stderr).toBe(0);
    const [header, ...rows] = r.stdout.split('\n');
    expect(header).toMatch(/  max context \(tokens\)$/);
    for (const l of reportJson.layouts) {
      const row = rows.find((line) => line.startsWith(`${l.name} `))!;
      expect(row).toMatch(new RegExp(`${l.memory.max_context.toLocaleString('en-US')}( \\*)? +at batch ${l.decode.workload.batch}$`));
    }
  });

  it('names each cost column for the tokens it divides by', () => {
    // compare: chips × decode step / batch, per generated token.
    const compare = shardlens(['compare', tutorial]).stdout;
    expect(compare.split('\n')[0]).toContain('  cost/generated token  ');
    const one = reportJson.layouts[0];
    expect(one.decode.cost_chip_s_per_token).toBeCloseTo((one.chips * one.decode.step_s) / one.decode.workload.batch, 15);
    // best: chips × whole request / (prompt + generated tokens of the batch).
    const args = ['best', tutorial, '--layout', 'two_d', '--chips', '64', '--batch', '64', '--top', '1'];
    const best = shardlens(args);
    expect(best.code, best.stderr).toBe(0);
    expect(best.stdout).toMatch(/ {2}chip-ms\/token \(prompt\+gen\) {2}/);
    expect(best.stdout).not.toMatch(/cost\/generated token/);
    const c = JSON.parse(shardlens([...args, '--json']).stdout).candidates[0];
    const w = c.workload;
    expect(c.cost_chip_s_per_token).toBeCloseTo((c.chips * c.latency_s) / (w.prefill.batch * w.prefill.prompt + w.decode.batch * w.decode.generate), 15);
  });
});

describe('bytes in one convention', () => {
  const hbm = reportJson.layouts[0].memory.hbm_bytes;

  it('writes TPU v4\'s 32 GiB as 32 GiB, memory in binary units, in every text output', () => {
    expect(hbm).toBe(32 * 2 ** 30);
    const outputs = [
      shardlens(['report', tutorial]).stdout,
      shardlens(['compare', tutorial]).stdout,
      shardlens(['explain', tutorial, '--layout', 'one_d']).stdout,
      shardlens(['best', tutorial, '--layout', 'two_d', '--chips', '64', '--batch', '64', '--top', '1']).stdout,
      shardlens(['crossover', tutorial, '--layout', 'two_d']).stdout,
    ];
    expect(outputs[0]).toContain(`of ${binaryBytes(hbm)} (fits)`);
    expect(binaryBytes(hbm)).toBe('32 GiB');
    for (const out of outputs) {
      expect(out.length).toBeGreaterThan(0);
      expect(out).not.toMatch(DECIMAL_MEMORY);
    }
    // Rates stay decimal: explain divides volumes by the link bandwidth, 45 GB/s on TPU v4.
    expect(outputs[2]).toMatch(/\d GB\/s/);
  });

  it('the HTML page says what the command line says for the same figure', () => {
    const html = path.join(tmp, 'compare.html');
    const r = shardlens(['compare', tutorial, '--html', html]);
    expect(r.code, r.stderr).toBe(0);
    const page = readFileSync(html, 'utf8');
    const report = shardlens(['report', tutorial]).stdout;
    for (const l of reportJson.layouts) {
      const memory = `${binaryBytes(l.memory.total_bytes)} of ${binaryBytes(l.memory.hbm_bytes)}`;
      expect(report).toContain(`= ${memory} (fits)`);
      expect(page).toContain(`<td>${memory}</td>`);
    }
    expect(page).not.toMatch(DECIMAL_MEMORY);
  });

  it('states the input size limit in the same units', () => {
    // The limit is 16 MiB = 16,777,216 bytes.
    const r = shardlens(['check', '-'], '#'.repeat(16 * 2 ** 20 + 1));
    expectOneLineError(r, 2, /^shardlens: cannot read '<stdin>': larger than 16 MiB$/);
  });
});

describe('compare on a file without layouts', () => {
  it('says "no layouts" instead of printing a bare header', () => {
    const r = shardlens(['compare', '-'], 'workload chat { batch = 8, prompt = 128, generate = 8 }\n');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe('no layouts\n');
  });
});

describe('compare --html lists the errors it counts', () => {
  it('names each error with its line and column under the summary', () => {
    const broken = file('broken.shard', tutorialText.replace('  ffn = my_2d\n', '  ffn = my_3d\n'));
    const html = path.join(tmp, 'broken.html');
    const r = shardlens(['compare', broken, '--html', html]);
    expect(r.code).toBe(1);
    const page = readFileSync(html, 'utf8');
    expect(page).toMatch(/diagnostics: [^<]*1 error\b/);
    const line = tutorialText.split('\n').findIndex((l) => l === '  ffn = my_2d') + 1;
    const section = /<section id="errors">([\s\S]*?)<\/section>/.exec(page)?.[1] ?? '';
    const items = [...section.matchAll(/<li>([^<]*)<\/li>/g)].map((m) => m[1]);
    expect(items).toHaveLength(1);
    expect(items[0]).toMatch(new RegExp(`^${line}:9: unknown-name: no ffn block named \`my_3d\``));
  });
});

describe('explain says why it exits 1', () => {
  it('lists the file\'s errors on stderr when the explained layout is fine', () => {
    const text = `${tutorialText}\nlayout broken = one_d {\n  ffn = nope\n}\n`;
    const r = shardlens(['explain', file('explain.shard', text), '--layout', 'one_d', '--op', 'ffn.a']);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^layout one_d\n/);
    const lines = r.stderr.split('\n');
    expect(lines[0]).toBe(`shardlens: '${path.join(tmp, 'explain.shard')}' has 1 error; layout 'one_d' is explained all the same`);
    expect(lines[1]).toMatch(/explain\.shard:\d+:9: error unknown-name: no ffn block named `nope`/);
  });

  it('says in one line why a layout cannot be explained', () => {
    const text = `${tutorialText}\nlayout broken = one_d {\n  ffn = nope\n}\n`;
    const r = shardlens(['explain', file('explain2.shard', text), '--layout', 'broken']);
    expectOneLineError(r, 1, /layout 'broken' cannot be costed: its blocks could not be resolved/);
  });
});

describe('diagnostics a user can act on, as check prints them', () => {
  it('one bad mesh size gives one warning per cause and layout, none of them "0.0%"', () => {
    const text = tutorialText.replace('mesh pod = tpu_v4 { x = 4, y = 4, z = 4 }', 'mesh pod = tpu_v4 { x = 3, y = 4, z = 4 }');
    const r = shardlens(['check', file('mesh3.shard', text)]);
    const warnings = r.stdout.split('\n').filter((l) => l.includes(' not-divisible: '));
    const messages = warnings.map((l) => l.replace(/^.*? not-divisible: /, ''));
    expect(new Set(messages).size).toBe(messages.length);
    // Per layout: E over xyz (48) and over x (3), F, V, H and K over xyz.
    expect(messages.filter((m) => m.startsWith('layout one_d: '))).toHaveLength(6);
    expect(messages.filter((m) => m.startsWith('layout two_d: '))).toHaveLength(6);
    expect(r.stdout).not.toMatch(/0\.0%/);
  });

  it('suggests the hardware an unknown name extends', () => {
    const r = shardlens(['check', '-'], 'mesh m = h100_sxm { x = 8 }\n');
    expect(r.stdout).toBe("<stdin>:1:10: error unknown-name: no hardware or mesh named `h100_sxm`; did you mean `h100`?\n");
  });

  it('names the attention blocks that fit an ffn without a heads family', () => {
    const text = tutorialText.replace('  attention = ws2d_heads', '  attention = heads');
    const r = shardlens(['check', file('family.shard', text)]);
    expect(r.stdout).toMatch(/error unknown-name: my_2d has no heads-sharded attention \(`my_2d_heads`\); attention blocks that read and write my_2d's residual stream BLE_xyz: .*`attention = ws2d_heads`/);
  });

  it('names the decode KV cache in a prefill out-of-memory error', () => {
    const r = shardlens(['check', 'test/fixtures/diagnostics/out-of-memory.shard']);
    expect(r.stdout).toMatch(/error out-of-memory: layout 'l' does not fit in memory \(prefill\): weights [0-9.]+ [KMG]iB \+ decode KV cache \(at T = prompt \+ generate, held from the prefill on\) [0-9.]+ [KMG]iB \+ activations [0-9.]+ [KMG]iB = [0-9.]+ [KMG]iB > 32 GiB HBM per chip/);
  });
});
