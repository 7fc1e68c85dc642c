// The `shardlens` command as a user runs it: the built bundle through bin/shardlens.js, checked
// on exit status, standard output and standard error (cli.md).

import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT as root, expectOneLineError, shardlens } from './run';

const fixtures = 'test/fixtures/cli';
const syntaxFile = `${fixtures}/syntax-error.shard`;
const cleanFile = `${fixtures}/clean.shard`;
// One costed layout with not-divisible warnings and cost findings, and no errors.
const warningsFile = `${fixtures}/warnings.shard`;

// The bundles are built once for all suites by test/globalSetup.ts.

describe('help and usage', () => {
  it('prints the general help with every command, exit 0', () => {
    const r = shardlens(['--help']);
    expect(r.code).toBe(0);
    for (const c of ['check', 'report', 'compare', 'sweep', 'best', 'calibrate', 'explain', 'lsp']) {
      expect(r.stdout).toMatch(new RegExp(`^  ${c} `, 'm'));
    }
  });

  it.each(['check', 'report', 'compare', 'sweep', 'best', 'calibrate', 'explain', 'lsp'])('%s --help prints its usage, exit 0', (c) => {
    const r = shardlens([c, '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout.startsWith(`usage: shardlens ${c}`)).toBe(true);
    expect(r.stdout).toContain('--help');
    expect(r.stderr).toBe('');
  });

  it('prints the version from package.json', () => {
    const r = shardlens(['--version']);
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
  });

  it.each([
    [[], /no command given/],
    [['frob'], /unknown command 'frob'/],
    [['--frob'], /unknown option '--frob'/],
    [['check'], /'check' needs a FILE/],
    [['check', cleanFile, '--format', 'xml'], /--format must be text, json or sarif, not 'xml'/],
    [['check', cleanFile, '--bogus'], /unknown option '--bogus' for 'check'/],
    [['check', '-', '-'], /'-' \(standard input\) may be given only once/],
    [['report', cleanFile, syntaxFile], /'report' takes one FILE, got 2/],
    [['explain', cleanFile], /'explain' needs --layout/],
    [['explain', cleanFile, '--layout', 'l', '--phase', 'both'], /--phase must be prefill or decode/],
    [['lsp'], /'lsp' needs --stdio/],
    [['lsp', '--stdio', 'x.shard'], /'lsp' takes no file arguments/],
  ])('bad usage %j exits 2 with one line', (args, pattern) => {
    expectOneLineError(shardlens(args as string[]), 2, pattern);
  });

  it.each(['sweep', 'best', 'crossover'])('%s without --layout says which option is missing, exit 2', (c) => {
    const r = shardlens([c, cleanFile]);
    expect(r.code).toBe(2);
    expect(r.stderr.split('\n').filter(Boolean)).toHaveLength(1);
    expect(r.stderr).toMatch(/--layout/);
  });
});

describe('unreadable input', () => {
  it('names a missing file in one line, exit 2', () => {
    const r = shardlens(['check', 'x.shard']);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe("shardlens: cannot read 'x.shard': no such file\n");
    expect(r.stdout).toBe('');
  });

  it('refuses a directory', () => {
    expectOneLineError(shardlens(['check', fixtures]), 2, /cannot read 'test\/fixtures\/cli': is a directory$/);
  });

  it('refuses invalid UTF-8 on standard input', () => {
    const r = spawnSync(process.execPath, ['bin/shardlens.js', 'check', '-'], { cwd: root, input: Buffer.from([0x6d, 0xff, 0xfe, 0x0a]) });
    expect(r.status).toBe(2);
    expect(r.stderr.toString()).toBe("shardlens: cannot read '<stdin>': not UTF-8 text\n");
  });

  it.each(['report', 'compare', 'explain'])('%s names a missing file too', (c) => {
    const r = shardlens([c, 'missing.shard', '--layout', 'l']);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe("shardlens: cannot read 'missing.shard': no such file\n");
  });

  it('still checks the readable files, then exits 2', () => {
    const r = shardlens(['check', syntaxFile, 'missing.shard', '--format', 'json']);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe("shardlens: cannot read 'missing.shard': no such file\n");
    const doc = JSON.parse(r.stdout);
    expect(doc.files.map((f: { file: string }) => f.file)).toEqual([syntaxFile]);
    expect(doc.summary.errors).toBeGreaterThan(0);
  });
});

describe('check', () => {
  it('reports the syntax error as file:line:col: severity code: message, exit 1', () => {
    const r = shardlens(['check', syntaxFile]);
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).toBe('');
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines.length).toBeGreaterThan(0);
    for (const l of lines) expect(l).toMatch(/^test\/fixtures\/cli\/syntax-error\.shard:\d+:\d+: (error|warning|information|hint) [a-z-]+: \S.*$/);
    // The second `=` on line 3, column 25, is the first unexpected token.
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^test\/fixtures\/cli\/syntax-error\.shard:3:25: error syntax: /);
  });

  it('is silent and exits 0 on a clean file', () => {
    const r = shardlens(['check', cleanFile]);
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe('');
    expect(r.code).toBe(0);
  });

  it('reads standard input for - and names it <stdin>', () => {
    const text = readFileSync(path.join(root, syntaxFile), 'utf8');
    const r = shardlens(['check', '-'], text);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^<stdin>:3:25: error syntax: /);
    const clean = shardlens(['check', '-'], 'workload w { batch = 1, prompt = 2, generate = 3 }\n');
    expect(clean.code).toBe(0);
  });

  it('prints the JSON of cli.md', () => {
    const r = shardlens(['check', cleanFile, syntaxFile, '--format', 'json']);
    expect(r.code).toBe(1);
    const doc = JSON.parse(r.stdout);
    expect(doc.version).toBe(1);
    expect(doc.files.map((f: { file: string }) => f.file)).toEqual([cleanFile, syntaxFile]);
    expect(doc.files[0].diagnostics).toEqual([]);
    const first = doc.files[1].diagnostics[0];
    expect(first).toMatchObject({ code: 'syntax', severity: 'error', range: { start: { line: 2, character: 24 } } });
    expect(typeof first.message).toBe('string');
    expect(first).not.toHaveProperty('layout');
    const errors = doc.files[1].diagnostics.filter((d: { severity: string }) => d.severity === 'error').length;
    expect(doc.summary).toMatchObject({ errors, warnings: expect.any(Number), information: expect.any(Number), hints: expect.any(Number) });
    // --json is the same thing.
    expect(shardlens(['check', cleanFile, syntaxFile, '--json']).stdout).toBe(r.stdout);
  });

  it('prints SARIF 2.1.0 whose regions agree with the JSON ranges', () => {
    const json = JSON.parse(shardlens(['check', syntaxFile, '--format', 'json']).stdout);
    const r = shardlens(['check', syntaxFile, '--format', 'sarif']);
    expect(r.code).toBe(1);
    const sarif = JSON.parse(r.stdout);
    expect(sarif.version).toBe('2.1.0');
    const run = sarif.runs[0];
    expect(run.columnKind).toBe('utf16CodeUnits');
    expect(run.tool.driver.rules.map((x: { id: string }) => x.id)).toContain('syntax');
    expect(run.results).toHaveLength(json.files[0].diagnostics.length);
    run.results.forEach((res: { ruleId: string; level: string; locations: { physicalLocation: { region: Record<string, number>; artifactLocation: { uri: string } } }[] }, i: number) => {
      const d = json.files[0].diagnostics[i];
      expect(res.ruleId).toBe(d.code);
      expect(res.level).toBe({ error: 'error', warning: 'warning', information: 'note', hint: 'note' }[d.severity as string]);
      const loc = res.locations[0].physicalLocation;
      expect(loc.artifactLocation.uri).toBe(syntaxFile);
      expect(loc.region).toEqual({
        startLine: d.range.start.line + 1,
        startColumn: d.range.start.character + 1,
        endLine: d.range.end.line + 1,
        endColumn: d.range.end.character + 1,
      });
    });
  });
});

describe('check on layouts (warnings and cost findings)', () => {
  it('exits 0 when there are warnings but no errors', () => {
    const r = shardlens(['check', warningsFile]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^test\/fixtures\/cli\/warnings\.shard:12:9: warning not-divisible: layout uneven: F = 4100 /m);
    expect(r.stdout).not.toMatch(/ error /);
  });

  it('carries layout and phase in JSON and maps information and hints to SARIF notes', () => {
    const doc = JSON.parse(shardlens(['check', warningsFile, '--json']).stdout);
    const diags = doc.files[0].diagnostics;
    expect(doc.summary.errors).toBe(0);
    expect(doc.summary.warnings).toBe(diags.filter((d: { severity: string }) => d.severity === 'warning').length);
    expect(doc.summary.warnings).toBeGreaterThan(0);
    const notDiv = diags.find((d: { code: string }) => d.code === 'not-divisible');
    expect(notDiv.layout).toBe('uneven');
    const phased = diags.find((d: { code: string }) => d.code === 'comm-bound' || d.code === 'memory-bound');
    expect(['prefill', 'decode']).toContain(phased.phase);

    const sarif = JSON.parse(shardlens(['check', warningsFile, '--format', 'sarif']).stdout);
    const levels = new Set(sarif.runs[0].results.map((x: { level: string }) => x.level));
    expect(levels).toEqual(new Set(['warning', 'note']));
  });
});

describe('report, compare, explain', () => {
  it('report prints a table per layout, exit 0 on a file without errors', () => {
    const r = shardlens(['report', warningsFile]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^layout uneven: odd on pod \(64 chips\)/m);
    expect(r.stdout).toMatch(/^\s+prefill\s/m);
    expect(r.stdout).toMatch(/^\s+decode\s/m);
  });

  it('report --json has the required fields, finite numbers, and names <stdin>', () => {
    const text = readFileSync(path.join(root, warningsFile), 'utf8');
    const r = shardlens(['report', '-', '--json'], text);
    expect(r.code, r.stderr).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc.file).toBe('<stdin>');
    const l = doc.layouts[0];
    expect(l).toMatchObject({ name: 'uneven', costed: true, model: 'odd', mesh: 'pod', chips: 64, workload: { batch: 64, prompt: 128, generate: 16 } });
    for (const k of ['latency_s', 'compute_s', 'memory_s', 'comm_s', 'flops', 'comm_bytes', 'mfu', 'cost_chip_s_per_token', 'throughput_tokens_per_s']) {
      expect(Number.isFinite(l.prefill[k]), k).toBe(true);
      expect(Number.isFinite(l.decode[k]), k).toBe(true);
    }
    expect(l.decode.step_s).toBeGreaterThan(0);
    expect(l.memory.fits).toBe(true);
    expect(doc.diagnostics.some((d: { code: string; layout?: string }) => d.code === 'not-divisible' && d.layout === 'uneven')).toBe(true);
    expect(r.stdout).not.toMatch(/NaN|Infinity/);
  });

  it('report exits 1 on a file with errors and lists them on stderr', () => {
    const r = shardlens(['report', syntaxFile]);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('no layouts\n');
    expect(r.stderr.split('\n')[0]).toBe(`shardlens: '${syntaxFile}' has 1 error; the figures cover what could be costed`);
    expect(r.stderr).toMatch(/syntax-error\.shard:3:25: error syntax:/);
  });

  it('--layout must name a layout of the file', () => {
    expectOneLineError(shardlens(['report', warningsFile, '--layout', 'nope']), 2, /no layout 'nope' in '.*warnings\.shard'; its layouts are 'uneven'/);
  });

  it('compare prints the table and writes a self-contained page and SVG charts', () => {
    const out = mkdtempSync(path.join(tmpdir(), 'shardlens-cli-'));
    try {
      const html = path.join(out, 'page/compare.html');
      const svgDir = path.join(out, 'svg');
      const r = shardlens(['compare', warningsFile, '--html', html, '--svg', svgDir]);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toMatch(/^layout\s+chips/m);
      expect(r.stdout).toMatch(/^uneven\s+64/m);
      const page = readFileSync(html, 'utf8');
      expect(page.startsWith('<!DOCTYPE html>')).toBe(true);
      expect(page).toContain('<svg');
      expect(page).not.toMatch(/<script/i);
      const svgs = readdirSync(svgDir).filter((f) => f.endsWith('.svg'));
      expect(svgs.length).toBeGreaterThan(0);
      for (const f of svgs) expect(readFileSync(path.join(svgDir, f), 'utf8')).toMatch(/^<svg[\s\S]*<\/svg>\s*$/);
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });

  it('compare --json prints the report --json object of the layouts compared, KV transfer and measured ratio included', () => {
    const args = ['examples/palm62b.shard', '--layout', 'high_throughput', '--json'];
    const r = shardlens(['compare', ...args]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toBe('');
    const doc = JSON.parse(r.stdout);
    expect(doc).toEqual(JSON.parse(shardlens(['report', ...args]).stdout));
    const l = doc.layouts[0];
    expect(doc.layouts.map((x: { name: string }) => x.name)).toEqual(['high_throughput']);
    expect(l.kv_transfer.bytes).toBe(2 * 64 * 256 * 2 * 2048 * 512);
    expect(l.measured.ratio.prefill).toBeCloseTo(20.2 / l.prefill.latency_s, 12);
  });

  it('compare cannot write into a path whose parent is a file', () => {
    expectOneLineError(shardlens(['compare', warningsFile, '--html', `${cleanFile}/x.html`]), 2, /cannot write '.*clean\.shard\/x\.html'/);
  });

  it('explain prints the formulas of one op with the values put in', () => {
    const r = shardlens(['explain', warningsFile, '--layout', 'uneven', '--phase', 'decode', '--op', 'ffn.a']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.split('\n')[0]).toBe('layout uneven');
    expect(r.stdout).toMatch(/^decode: /m);
    expect(r.stdout).toMatch(/ffn\.a = all_gather/);
    expect(r.stdout).not.toMatch(/^prefill: /m);
  });

  it('explain rejects an op that is malformed or absent, naming the ops there are', () => {
    expectOneLineError(shardlens(['explain', warningsFile, '--layout', 'uneven', '--op', 'a']), 2, /--op must be ROLE\.VALUE/);
    expectOneLineError(shardlens(['explain', warningsFile, '--layout', 'uneven', '--op', 'ffn.zz']), 2, /has no op 'ffn\.zz'; its ops are .*ffn\.a/);
  });
});

describe('lsp', () => {
  // Decided by the source entry, not dist/server.js: the choice is made when tests are collected,
  // before the global setup builds, and the build makes dist/server.js exactly when the entry exists.
  const server = path.join(root, 'server/src/lsp/main.ts');

  it.runIf(!existsSync(server))('says in one line that the server is not built', () => {
    expectOneLineError(shardlens(['lsp', '--stdio']), 2, /language server is not built/);
  });

  it.runIf(existsSync(server))('answers initialize over stdio and exits 0 after shutdown/exit', async () => {
    const child = spawn(process.execPath, ['bin/shardlens.js', 'lsp', '--stdio'], { cwd: root });
    const frame = (msg: object): string => {
      const body = JSON.stringify({ jsonrpc: '2.0', ...msg });
      return `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;
    };
    let out = '';
    const initialized = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no initialize response; got ${out}`)), 20000);
      child.stdout.on('data', (d: Buffer) => {
        out += d.toString();
        if (/"id":1/.test(out) && /capabilities/.test(out)) {
          clearTimeout(timer);
          resolve();
        }
      });
    });
    child.stdin.write(frame({ id: 1, method: 'initialize', params: { processId: null, rootUri: null, capabilities: {} } }));
    await initialized;
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    child.stdin.write(frame({ id: 2, method: 'shutdown' }));
    child.stdin.write(frame({ method: 'exit' }));
    expect(await exited).toBe(0);
  });
});
