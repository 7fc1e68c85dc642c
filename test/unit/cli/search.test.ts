// `shardlens sweep | best | calibrate | crossover` as a user runs them: the built bundle through
// bin/shardlens.js, checked on exit status, stdout and stderr (cli.md). Small chip and batch
// lists keep each run well under a second or two.

import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ProgressBar } from '../../../server/src/cli/progress';
import { ROOT as root, expectOneLineError as expectOneLineStderr, shardlens, type Result } from './run';

const fx = 'test/fixtures/cli/search';
const small = `${fx}/small.shard`;
const withError = `${fx}/with-error.shard`;
const walkthrough = 'examples/search/walkthrough.shard';
const measurements = 'examples/search/walkthrough_measurements.csv';

/** A failure's one line on stderr (run.ts), with nothing on stdout. */
function expectOneLineError(r: Result, code: number, pattern: RegExp): void {
  expectOneLineStderr(r, code, pattern);
  expect(r.stdout).toBe('');
}

const tmp = mkdtempSync(path.join(tmpdir(), 'shardlens-search-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('sweep', () => {
  const args = ['sweep', small, '--layout', 'base', '--batch', '8,32', '--chips', '8,16'];

  it('prints a table with one row per chip count and batch, and the frontiers', () => {
    const r = shardlens(args);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(/^sweep base: tiny \(bf16 weights\) on tpu_v4, prompt 256, generate 32\n/);
    const rows = r.stdout.split('\n').filter((l) => /^\s+(8|16)\s+(8|32)\s/.test(l));
    expect(rows.map((l) => l.trim().split(/\s+/).slice(0, 2).join(' '))).toEqual(['8 8', '8 32', '16 8', '16 32']);
    expect(r.stdout).toMatch(/^frontier, prefill: C\d+ B\d+/m);
    expect(r.stdout).toMatch(/^frontier, decode: +C\d+ B\d+/m);
    // Batch 8 cannot be split 16 ways by a batch-sharded decode: the point says why.
    expect(r.stdout).toContain('C16 B8: no factorization of 16 chips fits batch 8 in the decode blocks');
  });

  it('--json prints the result object with every point', () => {
    const r = shardlens([...args, '--json']);
    expect(r.code, r.stderr).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j).toMatchObject({ version: 1, layout: 'base', model: 'tiny', hardware: 'tpu_v4', batches: [8, 32], chips: [8, 16] });
    expect(j.points).toHaveLength(4);
    const p = j.points[0];
    expect(p).toMatchObject({ batch: 8, chips: 8 });
    expect(p.prefill.latency_s).toBeGreaterThan(0);
    expect(p.decode.cost_chip_s_per_token).toBeGreaterThan(0);
    expect(p.prefill.mesh).toMatch(/^\d+x\d+x\d+$/);
    for (const i of j.frontier.decode) expect(j.points[i].decode.onFrontier).toBe(true);
  });

  it('--csv prints the documented header and one row per point and phase', () => {
    const r = shardlens([...args, '--csv']);
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines[0]).toBe('layout,phase,chips,batch,mesh,latency_s,cost_chip_s_per_token,mfu,bound,fits,memory_bytes,frontier');
    // 4 prefill points, 3 decode points (C16 B8 has none).
    expect(lines).toHaveLength(1 + 4 + 3);
    for (const l of lines.slice(1)) {
      const cells = l.split(',');
      expect(cells).toHaveLength(12);
      expect(cells[0]).toBe('base');
      expect(['prefill', 'decode']).toContain(cells[1]);
      expect(Number(cells[5])).toBeGreaterThan(0);
      expect(['true', 'false']).toContain(cells[11]);
    }
  });

  it('--html writes one page with both charts as inline SVG and no scripts', () => {
    const out = path.join(tmp, 'sweep', 'page.html');
    const r = shardlens([...args, '--html', out]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toBe(`wrote ${out}\n`);
    const html = readFileSync(out, 'utf8');
    expect(html.startsWith('<!DOCTYPE html>')).toBe(true);
    expect(html.match(/<svg/g)).toHaveLength(2);
    expect(html).not.toMatch(/<script/i);
    expect(html).toContain('Decode: cost against latency per generated token');
    expect(html).toContain('Prefill: cost against latency');
    // Under each chart's heading, what the figures are: tpu_v4 sets no calibration field.
    expect(html.match(/<p class="meta basis">figures: roofline \(nominal tpu_v4\)<\/p>/g)).toHaveLength(2);
    // The table lists every point; frontier points are labelled on the chart as C·B.
    expect(html.match(/<tr><td>/g)).toHaveLength(4);
    expect(html).toMatch(/C8 B32/);
  });

  it('reads the file from standard input', () => {
    const r = shardlens(['sweep', '-', '--layout', 'base', '--batch', '8', '--chips', '8', '--csv'], readFileSync(path.join(root, small), 'utf8'));
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.trimEnd().split('\n')).toHaveLength(3);
  });

  it('exits 1 when the file has errors, after sweeping the layout that resolves', () => {
    const r = shardlens(['sweep', withError, '--layout', 'base', '--batch', '8', '--chips', '8']);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^sweep base:/);
    expect(r.stderr).toMatch(/^shardlens: '.*with-error\.shard' has 2 errors; the search used the layouts that resolve\n/);
    expect(r.stderr).toContain('error unknown-name');
  });

  it('prints no progress when stderr is not a terminal', () => {
    const r = shardlens([...args, '--csv']);
    expect(r.stderr).toBe('');
    expect(r.stdout).not.toContain('\r');
  });
});

describe('bad lists, durations and names', () => {
  it.each([
    [['sweep', small, '--layout', 'base', '--batch', '1,x,4'], /--batch: 'x' is not a positive whole number \(in '1,x,4'\)/],
    [['sweep', small, '--layout', 'base', '--batch', '8,,16'], /--batch: empty item \(in '8,,16'\)/],
    [['sweep', small, '--layout', 'base', '--batch', '-3'], /option '--batch' needs a value/],
    [['sweep', small, '--layout', 'base', '--batch', '2.5'], /--batch: '2.5' is not a positive whole number/],
    [['sweep', small, '--layout', 'base', '--chips', '8,12'], /--chips: 12 is not a power of two \(in '8,12'\)/],
    [['sweep', small, '--layout', 'base', '--format', 'xml'], /--format must be text, json or csv, not 'xml'/],
    [['sweep', small], /'sweep' needs --layout/],
    [['best', small, '--layout', 'base', '--max-latency', '50 msec'], /--max-latency: '50 msec' is not a duration; write e.g. 50ms, 2s or 800us/],
    [['best', small, '--layout', 'base', '--max-latency', '2h'], /--max-latency: '2h' is not a duration/],
    [['best', small, '--layout', 'base', '--max-latency', '0ms'], /--max-latency: '0ms' must be a positive duration/],
    [['best', small, '--layout', 'base', '--dtypes', 'bf16,fp16'], /--dtypes: 'fp16' is not a weight dtype \(in 'bf16,fp16'\); the dtypes are bf16, int8, fp8 or int4/],
    [['best', small, '--layout', 'base', '--top', '0'], /--top: '0' is not a whole number from 1 to 1000/],
    [['best', small, '--layout', 'base', '--chips', '8,x'], /--chips: 'x' is not a positive whole number/],
    [['best', small, '--layout', 'base', '--objective', 'speed'], /--objective must be latency or cost, not 'speed'/],
    [['calibrate', small, '--hardware', 'tpu_v4'], /'calibrate' needs --measurements/],
    [['calibrate', small, '--measurements', 'nope.csv', '--hardware', 'tpu_v4'], /cannot read 'nope\.csv': no such file/],
    [['calibrate', '-', '--measurements', '-', '--hardware', 'tpu_v4'], /'-' \(standard input\) may be given only once/],
    [['calibrate', small, '--measurements', measurements, '--hardware', 'tpu_v9'], /no hardware 'tpu_v9' in '.*small\.shard' or the built-in hardware; the file's layouts run on 'tpu_v4'/],
    [['crossover', small], /'crossover' needs --layout/],
  ])('%j exits 2 with one line', (args, pattern) => {
    expectOneLineError(shardlens(args as string[]), 2, pattern);
  });

  it.each(['sweep', 'best', 'crossover'])('%s: an unknown layout lists the layouts, exit 2', (c) => {
    expectOneLineError(shardlens([c, small, '--layout', 'nope']), 2, /no layout 'nope' in '.*small\.shard'; its layouts are 'base' or 'megatron'/);
  });

  it('an unreadable file is one line, exit 2', () => {
    expectOneLineError(shardlens(['best', 'nope.shard', '--layout', 'x']), 2, /^shardlens: cannot read 'nope\.shard': no such file$/);
  });
});

describe('best', () => {
  it('prints the top N with figures and layout text that checks clean when pasted', () => {
    const r = shardlens(['best', small, '--layout', 'base', '--chips', '8', '--top', '2', '--dtypes', 'bf16,int8']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^best for base: tiny on tpu_v4, by latency, must fit in memory\n/);
    const ranks = r.stdout.split('\n').filter((l) => /^[12] +8 +\d+x\d+x\d+ +(bf16|int8) /.test(l));
    expect(ranks).toHaveLength(2);
    const pasted = r.stdout.slice(r.stdout.indexOf('To use one, paste its text under your file:') + 44);
    expect(pasted).toMatch(/^\s*# shardlens best #1 for base \(latency\)/);
    expect(pasted).toContain('layout base_best1 {');
    expect(pasted).toContain('layout base_best2 {');
    const check = shardlens(['check', '-', '--format', 'json'], readFileSync(path.join(root, small), 'utf8') + '\n' + pasted);
    expect(check.code, check.stdout).toBe(0);
    expect(JSON.parse(check.stdout).summary.errors).toBe(0);
    const report = shardlens(['report', '-', '--layout', 'base_best1', '--json'], readFileSync(path.join(root, small), 'utf8') + '\n' + pasted);
    expect(report.code, report.stderr).toBe(0);
    expect(JSON.parse(report.stdout).layouts[0].costed).toBe(true);
  });

  it('--json with a chip budget, cost objective and latency cap', () => {
    const r = shardlens(['best', small, '--layout', 'base', '--chips', '16', '--objective', 'cost', '--max-latency', '50ms', '--batch', '8,32', '--dtypes', 'bf16', '--top', '3', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j).toMatchObject({ version: 1, layout: 'base', objective: 'cost', maxLatency: 0.05, requireFit: true });
    expect(j.candidates.length).toBeGreaterThan(0);
    expect(j.candidates.length).toBeLessThanOrEqual(3);
    for (const c of j.candidates) {
      // A single --chips N is a budget: every power of two up to N.
      expect([1, 2, 4, 8, 16]).toContain(c.chips);
      expect(c.latency_s).toBeLessThanOrEqual(0.05);
      expect(c.weights).toBe('bf16');
      expect([8, 32]).toContain(c.workload.decode.batch);
      expect(c.text).toContain(`layout base_best${c.rank} {`);
      expect(c).not.toHaveProperty('cost');
    }
    const costs = j.candidates.map((c: { cost_chip_s_per_token: number }) => c.cost_chip_s_per_token);
    expect([...costs].sort((a, b) => a - b)).toEqual(costs);
  });

  it('says so when nothing meets the latency limit, exit 0', () => {
    const r = shardlens(['best', small, '--layout', 'base', '--chips', '8', '--dtypes', 'bf16', '--max-latency', '1us']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('no configuration meets the latency limit of 0.000001 s');
  });
});

describe('best keeps the layout\'s weight dtype unless --dtypes allows others', () => {
  // small.shard's model with int8 weights: a narrower dtype than int8 (int4) is never slower in the
  // cost model, so a search free to choose would rank int4 first.
  const int8File = readFileSync(path.join(root, small), 'utf8') + '\nmodel tiny_int8 = tiny { weights = int8 }\nlayout q8 = base { model = tiny_int8 }\n';
  const run = (...extra: string[]) => shardlens(['best', '-', '--layout', 'q8', '--chips', '8', '--top', '5', ...extra], int8File);

  it('without --dtypes every result is int8, in the table, the JSON and the pasted text', () => {
    const table = run();
    expect(table.code, table.stderr).toBe(0);
    const rows = table.stdout.split('\n').filter((l) => /^\d+ +8 +\d+x\d+x\d+ /.test(l));
    expect(rows.length).toBeGreaterThan(0);
    for (const row of rows) expect(row.trim().split(/\s+/)[3]).toBe('int8');
    // The layout's own model already has int8 weights: no new model is declared for the results.
    expect(table.stdout).not.toMatch(/^model /m);
    const j = JSON.parse(run('--json').stdout);
    expect(j.candidates.length).toBeGreaterThan(0);
    for (const c of j.candidates) expect(c.weights).toBe('int8');
  });

  it('--dtypes int8,int4 searches both: twice the configurations, and int4 (half the weight bytes) first', () => {
    const one = JSON.parse(run('--json').stdout);
    const both = JSON.parse(run('--json', '--dtypes', 'int8,int4').stdout);
    // configurations = meshes × batches × dtypes × prefill pairs × decode pairs
    expect(both.stats.space).toBe(2 * one.stats.space);
    for (const c of both.candidates) expect(['int8', 'int4']).toContain(c.weights);
    expect(both.candidates[0].weights).toBe('int4');
  });

  it('a bad dtype name is one line and the usage exit status', () => {
    expectOneLineError(run('--dtypes', 'int8,int3'), 2, /--dtypes: 'int3' is not a weight dtype \(in 'int8,int3'\); the dtypes are bf16, int8, fp8 or int4/);
  });
});

describe('calibrate', () => {
  it('prints a hardware block to paste and each row before and after', () => {
    const r = shardlens(['calibrate', walkthrough, '--measurements', measurements, '--hardware', 'tpu_v4']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^# fitted by shardlens calibrate to 12 measurements: rms log error [\d.]+ → [\d.]+, leave-one-out errors within ±[\d.]+%\nhardware tpu_v4_calibrated = tpu_v4 \{\n/);
    expect(r.stdout).toMatch(/^ {2}flops_eff = 0\.\d+$/m);
    expect(r.stdout).toMatch(/^line +layout +phase +batch +chips +measured +before +error +after +error +left out$/m);
    // Each fitted field with its range over the leave-one-out fits.
    expect(r.stdout).toMatch(/^flops_eff +0\.\d+ +0\.\d+ – [01]\.?\d*/m);
    const rows = r.stdout.split('\n').filter((l) => /^ +\d+ +(start|megatron|gathered_prefill) /.test(l));
    expect(rows).toHaveLength(12);
    const m = /rms log error: ([\d.]+) before, ([\d.]+) after/.exec(r.stdout);
    expect(Number(m![2])).toBeLessThan(Number(m![1]));
  });

  it('the pasted block checks clean', () => {
    const r = shardlens(['calibrate', walkthrough, '--measurements', measurements, '--hardware', 'tpu_v4', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j).toMatchObject({ version: 1, hardware: 'tpu_v4', calibratedName: 'tpu_v4_calibrated' });
    expect(j.rows).toHaveLength(12);
    expect(j.rms_log_error_after).toBeLessThan(j.rms_log_error_before);
    const text = readFileSync(path.join(root, walkthrough), 'utf8') + '\n' + j.text + '\nmesh v4_8c = tpu_v4_calibrated { x = 2, y = 2, z = 2 }\n';
    const check = shardlens(['check', '-', '--format', 'json'], text);
    expect(JSON.parse(check.stdout).summary.errors).toBe(0);
  });

  it('reads the measurements from standard input', () => {
    const r = shardlens(['calibrate', walkthrough, '--measurements', '-', '--hardware', 'tpu_v4', '--json'], readFileSync(path.join(root, measurements), 'utf8'));
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).rows).toHaveLength(12);
  });

  it('names every bad row by file:line, row and column, exit 2', () => {
    const csv = `${fx}/bad-measurements.csv`;
    const r = shardlens(['calibrate', small, '--measurements', csv, '--hardware', 'tpu_v4']);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr.split('\n').filter(Boolean)).toEqual([
      `shardlens: ${csv}:3: row 2 (line 3), column \`phase\`: \`middle\` is not \`prefill\` or \`decode\``,
      `shardlens: ${csv}:4: row 3 (line 4), column \`batch\`: \`0\` is not a positive whole number`,
      `shardlens: ${csv}:5: row 4 (line 5), column \`seconds\`: \`fast\` is not a positive time in seconds`,
    ]);
  });

  it.each([
    ['one-row.csv', /one-row\.csv: calibration needs at least 2 measured rows.*got 1$/],
    ['unknown-layout.csv', /unknown-layout\.csv:3: row 2 \(line 3\), column `layout`: the file has no layout `nowhere`$/],
    ['no-header.csv', /no-header\.csv:1: the header lacks `layout`, `phase`/],
  ])('%s: one clear line, exit 2', (csv, pattern) => {
    expectOneLineError(shardlens(['calibrate', small, '--measurements', `${fx}/${csv}`, '--hardware', 'tpu_v4']), 2, pattern);
  });

  it('a hardware no layout runs on is one line, not one per row', () => {
    expectOneLineError(shardlens(['calibrate', walkthrough, '--measurements', measurements, '--hardware', 'h100']), 2, /no layout in '.*walkthrough\.shard' runs on 'h100'; they run on 'tpu_v4'/);
  });
});

describe('crossover', () => {
  it('prints each FFN layout\'s volume line and the switch points', () => {
    const r = shardlens(['crossover', small, '--layout', 'base']);
    expect(r.code, r.stderr).toBe(0);
    // The heading names the FFN kind it is drawn for and the layout's own token counts
    // (small.shard: batch 16 × prompt 256 = 4,096 tokens in prefill, batch 16 in decode).
    expect(r.stdout).toMatch(/^FFN communication volume per chip, one layer: tiny on tpu_v4 2x2x2, gelu FFN, as tiny has\n {2}the layout's own: prefill 4,096, decode 16 tokens per batch\n/);
    for (const ffn of ['ws1d', 'ws2d', 'wg_x', 'wg_xy', 'wg_xyz']) expect(r.stdout).toMatch(new RegExp(`^  ${ffn} +[\\d.]+ (B|KiB|MiB|GiB) \\+ [\\d,]+ B × tokens$`, 'm'));
    expect(r.stdout).toMatch(/^switch points:\n {2}\S+ → \S+ at [\d,]+ tokens per batch$/m);
  });

  it('--json and --svg DIR', () => {
    const dir = path.join(tmp, 'crossover');
    const r = shardlens(['crossover', small, '--layout', 'base', '--json', '--svg', dir]);
    expect(r.code, r.stderr).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j).toMatchObject({ version: 1, layout: 'base', model: 'tiny', mesh: '2x2x2', ffnKind: 'gelu' });
    expect(j.lines).toHaveLength(5);
    expect(j.switchPoints.length).toBeGreaterThan(0);
    for (const s of j.switchPoints) expect(Number.isInteger(s.tokens)).toBe(true);
    const file = path.join(dir, 'crossover.svg');
    expect(r.stderr).toBe(`wrote ${file}\n`);
    const svg = readFileSync(file, 'utf8');
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg).toContain('min volume');
    expect(svg).not.toMatch(/<script/i);
  });
});

describe('help', () => {
  it.each(['sweep', 'best', 'calibrate', 'crossover'])('%s --help lists its options', (c) => {
    const r = shardlens([c, '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout.startsWith(`usage: shardlens ${c} FILE`)).toBe(true);
    expect(r.stdout).not.toContain('not available');
  });

  it('the general help lists crossover', () => {
    expect(shardlens(['--help']).stdout).toMatch(/^ {2}crossover +FFN communication volume/m);
  });
});

describe('progress and Ctrl-C', () => {
  it('draws a bar that is redrawn with \\r and erased at the end', () => {
    let written = '';
    const bar = new ProgressBar('best', { isTTY: true, write: (t: string) => (written += t) });
    bar.update(0, 100);
    bar.update(52, 100);
    bar.update(52.5, 100);
    bar.update(100, 100);
    bar.clear();
    const frames = written.split('\r').filter((f) => f.trim() !== '');
    expect(frames).toEqual(['best  [....................] 0%', 'best  [##########..........] 52%', 'best  [####################] 100%']);
    // The last write blanks the line and returns to its start.
    expect(written.endsWith(`\r${' '.repeat('best  [####################] 100%'.length)}\r`)).toBe(true);
  });

  it('draws nothing when the stream is not a terminal', () => {
    let written = '';
    const bar = new ProgressBar('sweep', { isTTY: false, write: (t: string) => (written += t) });
    bar.update(5, 10);
    bar.clear();
    expect(written).toBe('');
  });

  // `script` gives the command a terminal, as a user's shell would.
  const hasScript = process.platform === 'linux' && spawnSync('script', ['--version'], { encoding: 'utf8' }).status === 0;
  it.skipIf(!hasScript)('shows the bar on a terminal and clears it before the result', () => {
    const cmd = `${JSON.stringify(process.execPath)} bin/shardlens.js sweep ${small} --layout base --batch 8,32 --chips 8,16,32,64 --csv 2>&1 >/dev/null`;
    const r = spawnSync('script', ['-qec', cmd, '/dev/null'], { cwd: root, encoding: 'utf8', timeout: 60000 });
    expect(r.status, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toMatch(/\rsweep {2}\[[#.]{20}\] \d+%/);
    expect(r.stdout).toMatch(/\r {10,}\r$/);
  });

  it('SIGINT cancels a running search: "shardlens: cancelled", exit 130', async () => {
    const page = path.join(tmp, 'cancelled.html');
    const batches = Array.from({ length: 64 }, (_, i) => i + 1).join(',');
    const child = spawn(process.execPath, ['bin/shardlens.js', 'sweep', walkthrough, '--layout', 'start', '--batch', batches, '--chips', '1024,2048,4096,8192,16384,32768,65536', '--html', page], {
      cwd: root,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    // Long enough for the CLI to start its search (it installs the handler first), far shorter
    // than the search itself (about ten seconds uncancelled).
    await new Promise((r) => setTimeout(r, 1500));
    child.kill('SIGINT');
    const code = await new Promise<number | null>((r) => child.on('close', (c) => r(c)));
    expect(code, stderr).toBe(130);
    expect(stderr).toBe('shardlens: cancelled\n');
    expect(stdout).toBe('');
    // The page is written only once the search completes.
    expect(existsSync(page)).toBe(false);
  });
});

describe('search size limit', () => {
  it('a search past MAX_SEARCH_CONFIGS refuses at once with one line saying what to change, exit 2', () => {
    const layout = /^layout (\w+)/m.exec(readFileSync(path.join(root, small), 'utf8'))![1];
    const r = shardlens(['best', small, '--layout', layout, '--chips', '1048576', '--batch', '1,2,4,8,16,32,64,128,256']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^shardlens: the search would evaluate [\d,]+ configurations, more than the limit of 200,000; give fewer chip counts or batch sizes\n$/);
  });
});
