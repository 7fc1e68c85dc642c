// docs/editors.md gives Neovim configurations; this test runs them in a real headless Neovim
// against the real server and checks that what a user looks at arrives: the diagnostics, a
// hover, and the inlay hints the configuration's settings ask for. `shardlens` on the PATH is
// this repository's bin/shardlens.js, as `npm link` would make it. Without `nvim` (Debian's
// `neovim` package, which .ci/run installs) the tests are skipped and say why.

import { execFile, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Hover, InlayHint } from 'vscode-languageserver-protocol';
import { positionOf, ROOT } from './harness';

const FIXTURES = path.join(ROOT, 'test/fixtures/editors');
/** The file Neovim opens: one `unknown-name` error, on `tpu_v9`. */
const SHARD_FILE = path.join(FIXTURES, 'one-error.shard');
const SHARD_TEXT = readFileSync(SHARD_FILE, 'utf8');
/** The line with the error; the comments above it name `tpu_v9` too. */
const ERROR_LINE = 'mesh typo = tpu_v9';
/** What the hover must name, and where the driver hovers it (the mesh, not the comment above). */
const HOVERED = 'tpu_v4';
const HOVER_AT = `${HOVERED} {`;
/** The line whose inlay hint is a time once the documented `inlayHints.detail = 'time'` applies. */
const COLLECTIVE_LINE = 'a = all_gather';
/** How long the driver waits for each answer inside Neovim, and the test for all of Neovim. */
const NVIM_WAIT_MS = 30_000;
const NVIM_DEADLINE_MS = 90_000;
const TEST_TIMEOUT_MS = NVIM_DEADLINE_MS + 10_000;
/** vim.diagnostic.severity.ERROR */
const NVIM_SEVERITY_ERROR = 1;

type Version = [number, number, number];

/** The installed Neovim's version, or undefined when there is no `nvim` on the PATH. */
function installedNeovim(): Version | undefined {
  const run = spawnSync('nvim', ['--version'], { encoding: 'utf8' });
  const m = run.status === 0 ? /^NVIM v(\d+)\.(\d+)\.(\d+)/m.exec(run.stdout) : null;
  return m ? [Number(m[1]), Number(m[2]), Number(m[3])] : undefined;
}

const NVIM = installedNeovim();
const NO_NVIM = 'no `nvim` on the PATH: install Neovim (Debian: apt-get install neovim; .ci/run does) to run this test';

function atLeast(version: Version, major: number, minor: number): boolean {
  return version[0] > major || (version[0] === major && version[1] >= minor);
}

/** The ```lua block under a `## Neovim …` heading of docs/editors.md. */
function documentedConfig(heading: string): string {
  const page = readFileSync(path.join(ROOT, 'docs/editors.md'), 'utf8');
  const section = page.split(/^## /m).find((s) => s.startsWith(heading));
  const block = section && /```lua\n([\s\S]*?)```/.exec(section);
  if (!block) throw new Error(`no lua block under "## ${heading}" in docs/editors.md`);
  return block[1];
}

/** What the driver (test/fixtures/editors/neovim-driver.lua) writes. */
interface NeovimResult {
  error?: string;
  filetype: string;
  clients: string[];
  diagnostics_arrived: boolean;
  diagnostics: { line: number; severity: number; code?: string; message: string; source?: string }[];
  hover?: Hover;
  inlay_hints?: InlayHint[];
}

const scratch = mkdtempSync(path.join(tmpdir(), 'shardlens-nvim-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** A `shardlens` command on a PATH of its own, standing for the installed CLI. */
function shardlensOnPath(): string {
  const bin = path.join(scratch, 'bin');
  mkdirSync(bin, { recursive: true });
  const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
  const launcher = path.join(bin, 'shardlens');
  writeFileSync(launcher, `#!/bin/sh\nexec ${quote(process.execPath)} ${quote(path.join(ROOT, 'bin/shardlens.js'))} "$@"\n`);
  chmodSync(launcher, 0o755);
  return bin;
}

/** Runs Neovim headless with `config` as its init.lua on the fixture, and returns the driver's result. */
async function runNeovim(name: string, config: string): Promise<NeovimResult> {
  const home = path.join(scratch, name);
  mkdirSync(home, { recursive: true });
  const init = path.join(home, 'init.lua');
  writeFileSync(init, config);
  const resultFile = path.join(home, 'result.json');
  const env = {
    ...process.env,
    PATH: `${shardlensOnPath()}${path.delimiter}${process.env.PATH ?? ''}`,
    // Neovim's state, swap and LSP log go to the scratch folder, not the user's home.
    XDG_CONFIG_HOME: path.join(home, 'config'),
    XDG_DATA_HOME: path.join(home, 'data'),
    XDG_STATE_HOME: path.join(home, 'state'),
    XDG_CACHE_HOME: path.join(home, 'cache'),
    SHARDLENS_NVIM_RESULT: resultFile,
    SHARDLENS_NVIM_WAIT_MS: String(NVIM_WAIT_MS),
    SHARDLENS_NVIM_HOVER: HOVER_AT,
  };
  const args = ['--headless', '--clean', '-n', '-u', init, '-c', `luafile ${path.join(FIXTURES, 'neovim-driver.lua')}`, SHARD_FILE];
  const run = await new Promise<{ failure: string; output: string }>((resolve) => {
    execFile('nvim', args, { cwd: home, env, timeout: NVIM_DEADLINE_MS, killSignal: 'SIGKILL' }, (error, stdout, stderr) => {
      resolve({ failure: error ? error.message : 'exit 0', output: `${stdout}${stderr}` });
    });
  });
  if (!existsSync(resultFile)) {
    throw new Error(`nvim wrote no result (${run.failure}; deadline ${NVIM_DEADLINE_MS} ms); its output:\n${run.output}\n${lspLog(home)}`);
  }
  const result = JSON.parse(readFileSync(resultFile, 'utf8')) as NeovimResult;
  if (result.error) throw new Error(`the Neovim driver failed: ${result.error}\n${lspLog(home)}`);
  return result;
}

/** The end of Neovim's LSP log (cache/ on 0.7 to 0.8, state/ later), to explain a failure. */
function lspLog(home: string): string {
  for (const dir of ['cache', 'state']) {
    const file = path.join(home, dir, 'nvim', 'lsp.log');
    if (existsSync(file)) return `${file}:\n${readFileSync(file, 'utf8').slice(-4000)}`;
  }
  return '(no Neovim LSP log)';
}

function expectAWorkingServer(result: NeovimResult): void {
  expect(result.filetype).toBe('shard');
  expect(result.clients).toContain('shardlens');
  expect(result.diagnostics_arrived).toBe(true);
  expect(result.diagnostics).toContainEqual(
    expect.objectContaining({ line: positionOf(SHARD_TEXT, ERROR_LINE).line, severity: NVIM_SEVERITY_ERROR, code: 'unknown-name', source: 'shardlens' }),
  );
  expect(JSON.stringify(result.hover?.contents)).toContain(`\`${HOVERED}\``);
  // The configuration asks for `inlayHints.detail = 'time'`: the collective's time shows.
  const onCollective = (result.inlay_hints ?? []).filter((h) => h.position.line === positionOf(SHARD_TEXT, COLLECTIVE_LINE).line);
  expect(onCollective.map((h) => h.label)).toEqual([expect.stringMatching(/^\S+ · (prefill|decode): [0-9.]+ (ns|µs|ms) comm$/)]);
}

describe('docs/editors.md in a headless Neovim', () => {
  it(`the Neovim 0.7 to 0.10 configuration gets diagnostics, a hover and its settings (nvim ${NVIM?.join('.') ?? 'not installed'})`, async (ctx) => {
    if (!NVIM) return ctx.skip(NO_NVIM);
    if (!atLeast(NVIM, 0, 7)) return ctx.skip(`nvim ${NVIM.join('.')} is older than 0.7, the oldest Neovim docs/editors.md configures`);
    expectAWorkingServer(await runNeovim('nvim-0.7', documentedConfig('Neovim 0.7 to 0.10')));
  }, TEST_TIMEOUT_MS);

  it(`the Neovim 0.11 configuration gets diagnostics, a hover and its settings (nvim ${NVIM?.join('.') ?? 'not installed'})`, async (ctx) => {
    if (!NVIM) return ctx.skip(NO_NVIM);
    if (!atLeast(NVIM, 0, 11)) return ctx.skip(`nvim ${NVIM.join('.')} has no vim.lsp.config (0.11+): the 0.11 configuration needs a newer Neovim`);
    expectAWorkingServer(await runNeovim('nvim-0.11', documentedConfig('Neovim (0.11 or later)')));
  }, TEST_TIMEOUT_MS);
});
