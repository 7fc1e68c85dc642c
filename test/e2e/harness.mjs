// The real-VS-Code harness: code-server 4.100.3 (VS Code 1.100.3's server and web workbench,
// installed by scripts/setup-code-server.sh) driven by playwright-core and Debian's Chromium.
// See shared/testing/real-vscode.md for why this and not @vscode/test-electron (no Electron
// download is possible here) and for the offline install.
//
// Everything waits on a condition with a deadline (a selector, a process message, a DOM state);
// nothing sleeps for a fixed time. Every state folder is private to one run, so tests never read
// or write the user's ~/.config, ~/.local or ~/.vscode.

import { execFileSync, spawn } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync, createWriteStream } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const codeServerPrefix = process.env.CODE_SERVER_PREFIX ?? path.join(repoRoot, '.cache/code-server');
export const codeServerEntry = path.join(codeServerPrefix, 'node_modules/code-server/out/node/entry.js');
export const screenshotDir = path.join(repoRoot, 'test/e2e/screenshots');

/** Settings that keep the workbench quiet and deterministic: no welcome page, trust prompt, tips or update checks. */
export const defaultSettings = {
  'workbench.startupEditor': 'none',
  'security.workspace.trust.enabled': false,
  'workbench.tips.enabled': false,
  'workbench.welcomePage.walkthroughs.openOnInstall': false,
  'extensions.autoUpdate': false,
  'extensions.autoCheckUpdates': false,
  'extensions.ignoreRecommendations': true,
  'telemetry.telemetryLevel': 'off',
  'update.mode': 'none',
  'window.restoreWindows': 'none',
  'files.hotExit': 'off',
  'chat.commandCenter.enabled': false,
  'workbench.colorTheme': 'Default Dark Modern',
};

const CHROMIUM_ARGS = [
  '--no-sandbox', // root in CI containers; the page is our own local server
  '--disable-gpu',
  '--disable-dev-shm-usage',
  '--disable-background-networking',
  '--disable-component-update',
  '--no-first-run',
];

/** Rejects with `message` unless `promise` settles within `ms`. */
export function withDeadline(promise, ms, message) {
  let timer;
  const deadline = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${message} (after ${ms} ms)`)), ms);
  });
  return Promise.race([promise, deadline]).finally(() => clearTimeout(timer));
}

/**
 * Resolves with the first truthy value of `probe()` (sync or async), checked every `everyMs`,
 * or rejects at the deadline. For state that has no event to wait on (a log that fills up).
 */
export async function waitUntil(probe, { timeoutMs = 10000, everyMs = 50, message = 'condition not met' } = {}) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() >= deadline) throw new Error(`${message} (after ${timeoutMs} ms)`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

export function assertCodeServerInstalled() {
  if (!existsSync(codeServerEntry)) {
    throw new Error(`code-server is not installed at ${codeServerPrefix}; run scripts/setup-code-server.sh`);
  }
}

export function chromiumPath() {
  if (process.env.CHROMIUM_PATH) return process.env.CHROMIUM_PATH;
  try {
    return execFileSync('sh', ['-c', 'command -v chromium || command -v chromium-browser'], { encoding: 'utf8' }).trim();
  } catch {
    throw new Error('Debian chromium is not installed (apt-get install -y chromium); playwright must not download a browser');
  }
}

function readManifest(dir) {
  const pkg = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8'));
  return { id: `${pkg.publisher}.${pkg.name}`, folder: `${pkg.publisher}.${pkg.name}-${pkg.version}`.toLowerCase(), pkg };
}

function runCodeServerCli(args, env) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [codeServerEntry, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve(out) : reject(new Error(`code-server ${args.join(' ')} exited ${code}:\n${out}`))));
  });
}

/**
 * Starts code-server on a free 127.0.0.1 port with private state.
 *
 * @param {object} opts
 * @param {string} [opts.workspace]   folder copied into the private state and opened (default: empty folder)
 * @param {Array<{vsix?: string, dir?: string}>} [opts.extensions] installed before start: a VSIX through
 *        `--install-extension` (what a user does), or an unpacked folder copied in as `publisher.name-version`
 * @param {object} [opts.settings]    merged over defaultSettings into User/settings.json
 * @param {object} [opts.env]         extra environment for the server (the extension host inherits it)
 * @param {number} [opts.startTimeoutMs]
 */
export async function startCodeServer(opts = {}) {
  assertCodeServerInstalled();
  const state = mkdtempSync(path.join(tmpdir(), 'shardlens-e2e-'));
  const dirs = {
    state,
    data: path.join(state, 'data'),
    extensions: path.join(state, 'extensions'),
    config: path.join(state, 'config.yaml'),
    workspace: path.join(state, 'ws'),
    log: path.join(state, 'code-server.log'),
  };
  mkdirSync(path.join(dirs.data, 'User'), { recursive: true });
  mkdirSync(dirs.extensions, { recursive: true });
  writeFileSync(path.join(dirs.data, 'User/settings.json'), JSON.stringify({ ...defaultSettings, ...(opts.settings ?? {}) }, null, 2));
  // Without --config code-server writes ~/.config/code-server/config.yaml; auth is off via the flag.
  writeFileSync(dirs.config, 'auth: none\ncert: false\n');
  if (opts.workspace) cpSync(opts.workspace, dirs.workspace, { recursive: true });
  else mkdirSync(dirs.workspace);

  // XDG folders point into the private state too: VS Code's server and its children consult them.
  const env = {
    ...process.env,
    XDG_CONFIG_HOME: path.join(state, 'xdg-config'),
    XDG_DATA_HOME: path.join(state, 'xdg-data'),
    XDG_CACHE_HOME: path.join(state, 'xdg-cache'),
    VSCODE_AGENT_FOLDER: path.join(state, 'agent'),
    ...(opts.env ?? {}),
  };
  delete env.VSCODE_IPC_HOOK_CLI; // never talk to a VS Code the tests happen to run inside
  const common = ['--config', dirs.config, '--user-data-dir', dirs.data, '--extensions-dir', dirs.extensions];

  const installed = [];
  for (const ext of opts.extensions ?? []) {
    if (ext.vsix) {
      await runCodeServerCli([...common, '--install-extension', path.resolve(ext.vsix)], env);
      installed.push(path.basename(ext.vsix));
    } else if (ext.dir) {
      const { folder } = readManifest(ext.dir);
      // Copy rather than symlink: the extension scanner does not follow every kind of link, and a
      // copy matches what an installed VSIX looks like. Development clutter is left behind.
      cpSync(ext.dir, path.join(dirs.extensions, folder), {
        recursive: true,
        filter: (src) => !/(^|[\\/])(node_modules|\.git|\.cache)([\\/]|$)/.test(path.relative(ext.dir, src)),
      });
      installed.push(folder);
    } else {
      throw new Error('startCodeServer: each extension needs `vsix` or `dir`');
    }
  }

  const args = [
    ...common,
    '--auth', 'none',
    // Port 0: the kernel picks a free port and code-server prints it, so parallel runs cannot collide.
    '--bind-addr', '127.0.0.1:0',
    '--disable-workspace-trust',
    '--disable-telemetry',
    '--disable-update-check',
    '--disable-getting-started-override',
    '--ignore-last-opened',
    dirs.workspace,
  ];
  const logStream = createWriteStream(dirs.log);
  // detached: its own process group, so stop() can end the server and the extension host,
  // pty host and file watcher it forks, by the group id of the process we started.
  const child = spawn(process.execPath, [codeServerEntry, ...args], { env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const url = await withDeadline(
    new Promise((resolve, reject) => {
      const onData = (d) => {
        logStream.write(d);
        output += d;
        const m = /HTTP server listening on (http:\/\/127\.0\.0\.1:\d+)\/?/.exec(output);
        if (m) resolve(m[1]);
      };
      child.stdout.on('data', onData);
      child.stderr.on('data', onData);
      child.on('error', reject);
      child.on('exit', (code) => reject(new Error(`code-server exited ${code} before listening:\n${output}`)));
    }),
    opts.startTimeoutMs ?? 60000,
    'code-server did not start listening',
  );
  const host = new URL(url).host;

  let stopped = false;
  async function stop() {
    if (stopped) return;
    stopped = true;
    const exited = new Promise((resolve) => (child.exitCode !== null ? resolve() : child.once('exit', resolve)));
    try {
      process.kill(-child.pid, 'SIGTERM');
    } catch {
      /* already gone */
    }
    try {
      await withDeadline(exited, 10000, 'code-server did not stop');
    } catch {
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        /* already gone */
      }
    }
    logStream.end();
    if (!process.env.KEEP_E2E_STATE) rmSync(state, { recursive: true, force: true });
  }

  return {
    url,
    host,
    dirs,
    installed,
    /** Everything code-server printed so far (for failure messages). */
    log: () => output,
    /** The workbench URL for the private workspace (or another folder), with optional extra query. */
    workbenchUrl(query = {}) {
      const params = new URLSearchParams({ folder: query.folder ?? dirs.workspace });
      for (const [k, v] of Object.entries(query)) if (k !== 'folder') params.set(k, v);
      return `${url}/?${params}`;
    },
    /** A vscode-remote URI for an absolute path on this machine, as the web workbench expects. */
    remoteUri(absPath) {
      return `vscode-remote://${host}${absPath.split(path.sep).map(encodeURIComponent).join('/')}`;
    },
    stop,
  };
}

/**
 * Packages an extension folder into a VSIX with @vscode/vsce, as a release would. Dependencies
 * are expected to be bundled (`--no-dependencies`); no prompt can appear (stdin is closed and
 * the licence and repository checks that would ask are answered by flags).
 */
export function packageVsix(extensionDir, outFile) {
  const vsce = path.join(repoRoot, 'node_modules/@vscode/vsce/vsce');
  execFileSync(
    process.execPath,
    [vsce, 'package', '--no-dependencies', '--allow-missing-repository', '--skip-license', '--out', outFile],
    { cwd: extensionDir, stdio: ['ignore', 'pipe', 'pipe'], timeout: 120000 },
  );
  return outFile;
}

/**
 * Launches Debian's Chromium through playwright-core (never a downloaded browser). Chromium keeps
 * crash reports and a headless profile under XDG_CONFIG_HOME even with a temporary profile, so
 * those point into a private folder that close() removes.
 */
export async function launchBrowser() {
  const { chromium } = await import('playwright-core');
  const home = mkdtempSync(path.join(tmpdir(), 'shardlens-chromium-'));
  const browser = await chromium.launch({
    executablePath: chromiumPath(),
    args: CHROMIUM_ARGS,
    headless: true,
    env: { ...process.env, XDG_CONFIG_HOME: path.join(home, 'config'), XDG_CACHE_HOME: path.join(home, 'cache') },
  });
  browser.on('disconnected', () => rmSync(home, { recursive: true, force: true }));
  return browser;
}

// Runs in every frame, webviews included, before their scripts. CSP violations become console
// errors with a fixed prefix, so they are collected like any other console message. The listener
// goes on window in the capture phase because a webview's document is rewritten after load.
const CSP_PROBE = `(() => {
  const report = (e) => console.error('[csp-violation] ' + JSON.stringify({
    directive: e.violatedDirective, blocked: e.blockedURI, sample: e.sample, source: e.sourceFile, line: e.lineNumber,
    document: String(location.href).slice(0, 200) }));
  window.addEventListener('securitypolicyviolation', report, true);
})();`;

/**
 * Opens a page that records console errors/warnings, page errors and CSP violations from every
 * frame. `diagnostics.webview()` narrows to messages from webview frames.
 */
export async function newPage(browser, { viewport = { width: 1400, height: 900 } } = {}) {
  const context = await browser.newContext({ viewport });
  await context.addInitScript(CSP_PROBE);
  const page = await context.newPage();
  const log = { console: [], csp: [], pageErrors: [] };
  const isWebviewUrl = (u) => /webview|fake\.html|vscode-webview|vscode-resource/.test(u ?? '');
  page.on('console', (msg) => {
    const type = msg.type();
    const text = msg.text();
    const url = msg.location()?.url ?? '';
    if (text.startsWith('[csp-violation] ')) {
      log.csp.push({ ...JSON.parse(text.slice('[csp-violation] '.length)), url });
    } else if (/violates the following Content Security Policy directive/.test(text)) {
      // Chromium's own report. Webviews need it: VS Code writes the page into #active-frame with
      // document.write after load, which drops the probe's listener. Older Chromium words it
      // `Refused to … directive: "script-src …"`, newer `… directive 'script-src …'`.
      const directive = /Content Security Policy directive:? ["']([a-z-]+)/.exec(text)?.[1] ?? 'unknown';
      log.csp.push({ directive, message: text.slice(0, 300), url });
    }
    if (type === 'error' || type === 'warning') log.console.push({ type, text, url });
  });
  page.on('pageerror', (e) => log.pageErrors.push({ text: e.message, url: '' }));
  const diagnostics = {
    ...log,
    /** Console errors and CSP violations that came from webview frames. */
    webview: () => ({
      csp: log.csp.filter((c) => isWebviewUrl(c.url) || isWebviewUrl(c.document)),
      errors: log.console.filter((c) => c.type === 'error' && isWebviewUrl(c.url) && !c.text.startsWith('[csp-violation]')),
    }),
  };
  return { context, page, diagnostics };
}

/** Opens the workbench and waits until it is drawn and its extension host is connected. */
export async function openWorkbench(page, server, query = {}, timeoutMs = 60000) {
  await page.goto(server.workbenchUrl(query));
  await page.waitForSelector('.monaco-workbench', { timeout: timeoutMs });
  // The status bar appears once the window finished restoring; commands are reliable after it.
  await page.waitForSelector('.statusbar', { timeout: timeoutMs });
}

const quickInput = (page) => page.locator('.quick-input-widget');
const quickInputBox = (page) => page.locator('.quick-input-widget .quick-input-box input');

async function openQuickInput(page, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  // F1 can arrive before the keybinding service is ready; retry it until the widget shows.
  for (;;) {
    await page.keyboard.press('F1');
    try {
      await quickInputBox(page).waitFor({ state: 'visible', timeout: Math.min(3000, Math.max(1, deadline - Date.now())) });
      return;
    } catch (e) {
      if (Date.now() >= deadline) throw new Error(`the command palette did not open: ${e.message}`);
    }
  }
}

function escapeRegExp(s) {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * Runs a command from the palette by its full label (`Category: Title`), picking the row whose
 * label is exactly that, so `Show Webview` never runs `Show Webview With CSP Violations`.
 */
/**
 * Runs a command from the palette. `opensQuickInput`: the command shows a quick pick of its own,
 * so the widget stays open (with the command's items) instead of closing.
 */
export async function runCommand(page, label, timeoutMs = 20000, { opensQuickInput = false } = {}) {
  const deadline = Date.now() + timeoutMs;
  const row = page
    .locator('.quick-input-list .monaco-list-row')
    .filter({ has: page.locator('.label-name', { hasText: new RegExp(`^\\s*${escapeRegExp(label)}\\s*$`) }) })
    .first();
  // The palette lists the commands known when it opens; right after start-up an extension's
  // contributions may not be registered yet, so close and reopen until the row shows.
  for (;;) {
    await openQuickInput(page, Math.max(1000, deadline - Date.now()));
    try {
      // A webview that takes focus just after the palette opened (its tab was just clicked)
      // closes the palette again: open it anew instead of waiting on a hidden box.
      await quickInputBox(page).fill(`>${label}`, { timeout: Math.min(3000, Math.max(1, deadline - Date.now())) });
    } catch (e) {
      if (Date.now() >= deadline) throw new Error(`the command palette closed before '${label}' could be typed: ${e.message.split('\n')[0]}`);
      continue;
    }
    try {
      await row.waitFor({ state: 'visible', timeout: Math.min(4000, Math.max(1, deadline - Date.now())) });
      break;
    } catch (e) {
      await page.keyboard.press('Escape');
      if (Date.now() >= deadline) throw new Error(`command '${label}' is not in the palette: ${e.message.split('\n')[0]}`);
    }
  }
  await row.click();
  if (opensQuickInput) return;
  await quickInput(page).waitFor({ state: 'hidden', timeout: Math.max(1000, deadline - Date.now()) });
}

/** Opens a workspace file by its path relative to the workspace, through Quick Open. */
export async function openFile(page, relPath, timeoutMs = 20000) {
  await openQuickInput(page, timeoutMs);
  // The palette opens in command mode (`>`); replacing the text switches it to file search.
  await quickInputBox(page).fill(relPath);
  const base = path.posix.basename(relPath);
  const row = page.locator('.quick-input-list .monaco-list-row', { hasText: base }).first();
  await row.waitFor({ state: 'visible', timeout: timeoutMs });
  await page.keyboard.press('Enter');
  await page.locator('.tabs-container .tab.active', { hasText: base }).waitFor({ timeout: timeoutMs });
  await page.locator('.editor-instance .monaco-editor .view-lines').first().waitFor({ timeout: timeoutMs });
}

/** Moves the cursor with Go to Line (`:line:column`, both 1-based). */
export async function goToPosition(page, line, column, timeoutMs = 20000) {
  await openQuickInput(page, timeoutMs);
  await quickInputBox(page).fill(`:${line}:${column}`);
  await page.keyboard.press('Enter');
  await quickInput(page).waitFor({ state: 'hidden', timeout: timeoutMs });
  await page
    .locator('.statusbar-item', { hasText: new RegExp(`Ln ${line}, Col ${column}\\b`) })
    .first()
    .waitFor({ timeout: timeoutMs });
}

/**
 * Shows the hover at a position of the active editor and returns the whole widget's text
 * (diagnostic parts and provider parts). The parts arrive separately, so pass `match` (a RegExp)
 * to wait until the provider's part is there.
 */
export async function hoverAt(page, line, column, { match, timeoutMs = 20000 } = {}) {
  await goToPosition(page, line, column, timeoutMs);
  await runCommand(page, 'Show or Focus Hover', timeoutMs);
  const handle = await page.waitForFunction(
    ({ source, flags }) => {
      const hover = [...document.querySelectorAll('.monaco-hover')].find((h) => !h.classList.contains('hidden') && h.offsetParent !== null);
      const text = hover?.innerText?.trim();
      if (!text) return false;
      return source === null || new RegExp(source, flags).test(text) ? text : false;
    },
    { source: match ? match.source : null, flags: match ? match.flags : '' },
    { timeout: timeoutMs },
  );
  return handle.jsonValue();
}

/**
 * Opens the Problems panel and waits until its rows satisfy `expect`: `{ count }` marker rows
 * and/or every string of `{ includes }` somewhere in the rows' accessible labels. Returns the
 * marker rows' labels.
 */
export async function waitForProblems(page, expect = {}, timeoutMs = 30000) {
  const panel = page.locator('.markers-panel');
  if (!(await panel.isVisible())) {
    await runCommand(page, 'View: Focus Problems (Errors, Warnings, Infos)', timeoutMs).catch(async () => {
      // The label moved between releases; the keybinding is stable.
      await page.keyboard.press('Control+Shift+M');
    });
    await panel.waitFor({ state: 'visible', timeout: timeoutMs });
  }
  const handle = await page.waitForFunction(
    ({ count, includes }) => {
      const rows = [...document.querySelectorAll('.markers-panel .monaco-list-row')];
      // Marker rows sit under a file row; file rows carry aria-expanded, marker rows do not.
      const markers = rows.filter((r) => !r.hasAttribute('aria-expanded')).map((r) => r.getAttribute('aria-label') || r.textContent || '');
      const all = rows.map((r) => r.getAttribute('aria-label') || r.textContent || '').join('\n');
      if (count !== undefined && markers.length !== count) return false;
      if (includes && !includes.every((s) => all.includes(s))) return false;
      return markers.length > 0 || count === 0 ? markers : false;
    },
    { count: expect.count, includes: expect.includes },
    { timeout: timeoutMs },
  );
  return handle.jsonValue();
}

/** Waits for a notification toast containing `text` and returns its full text. */
export async function waitForNotification(page, text, timeoutMs = 20000) {
  const toast = page.locator('.notifications-toasts .notification-toast', { hasText: text }).first();
  await toast.waitFor({ state: 'visible', timeout: timeoutMs });
  return (await toast.innerText()).trim();
}

/** The content frame of the visible webview: VS Code nests it as iframe.webview.ready → #active-frame. */
export function webviewFrame(page) {
  return page.frameLocator('iframe.webview.ready').frameLocator('#active-frame');
}

/** Saves a full-page screenshot under test/e2e/screenshots/ and returns its path. */
export async function screenshot(page, name) {
  mkdirSync(screenshotDir, { recursive: true });
  const file = path.join(screenshotDir, `${name.replace(/[^a-z0-9._-]+/gi, '-')}.png`);
  await page.screenshot({ path: file });
  return file;
}
