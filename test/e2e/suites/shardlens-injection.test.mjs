// Markup where the Compare Layouts webview shows user data, in a real VS Code (code-server +
// Chromium, the packaged VSIX installed). Names in the language are `[a-z_][a-z0-9_]*`, so what
// can carry markup into the view is the file's name: its heading, its loading line and the note
// an export leaves (client/webview/render.ts, client/src/comparePanel.ts). The file sits in a
// folder whose name is markup too, and its comments hold more. The view must show the
// characters as text: no element is created from them, no dialog opens, and the CSP is never
// violated (an injected inline handler would be).

import assert from 'node:assert/strict';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { launchBrowser, newPage, openWorkbench, runCommand, startCodeServer, waitUntil, webviewFrame } from '../harness.mjs';
import { fixturesDir, packageShardlens, shot } from '../fixtures/shardlens/support.mjs';

const FOLDER = `"><svg onload=alert('folder')>`;
const FILE_BASE = `"><img src=x onerror=alert(1)>'`;
const FILE = `${FILE_BASE}.shard`;

describe('shardlens: markup in names reaches the Compare Layouts view only as text', { timeout: 300000 }, () => {
  let scratch;
  let server;
  let browser;
  let page;
  let diagnostics;
  const dialogs = [];

  before(async () => {
    scratch = mkdtempSync(path.join(tmpdir(), 'shardlens-injection-'));
    const { file: vsix } = packageShardlens(path.join(scratch, 'shardlens.vsix'));
    const workspace = path.join(scratch, 'ws');
    mkdirSync(path.join(workspace, FOLDER), { recursive: true });
    cpSync(path.join(fixturesDir, 'injection/hostile.shard'), path.join(workspace, FOLDER, FILE));
    assert.ok(existsSync(path.join(workspace, FOLDER, FILE)), 'the filesystem takes the hostile names');
    server = await startCodeServer({ workspace, extensions: [{ vsix }] });
    browser = await launchBrowser();
    ({ page, diagnostics } = await newPage(browser, { viewport: { width: 1500, height: 940 } }));
    page.on('dialog', (d) => {
      dialogs.push(`${d.type()}: ${d.message()}`);
      void d.dismiss().catch(() => undefined);
    });
    await openWorkbench(page, server);
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  });

  it('shows the hostile file name as literal text in the view', async () => {
    // Quick Open by a plain part of the name: the palette's fuzzy match does not need the markup.
    await page.keyboard.press('Control+P');
    const input = page.locator('.quick-input-widget .quick-input-box input');
    await input.waitFor({ state: 'visible', timeout: 20000 });
    await input.fill('onerror');
    await page.locator('.quick-input-list .monaco-list-row', { hasText: 'onerror' }).first().waitFor({ timeout: 20000 });
    await page.keyboard.press('Enter');
    await page.locator('.tabs-container .tab.active', { hasText: 'onerror' }).waitFor({ timeout: 20000 });
    await runCommand(page, 'shardlens: Compare Layouts');

    const frame = webviewFrame(page);
    await frame.locator('table.compare tbody tr').nth(1).waitFor({ timeout: 60000 });
    const heading = await frame.locator('h1').innerText();
    assert.equal(heading, `Compare layouts · ${FILE}`);
    assert.deepEqual(await frame.locator('table.compare tbody td.name').allInnerTexts(), ['x_img_src_onerror_alert', 'script_alert_1']);
    // The file has an error (script_alert_1 does not fit), so the summary line says so.
    await frame.locator('.summary.has-errors', { hasText: '1 error in the file' }).waitFor({ timeout: 20000 });
    await frame.locator('.chart svg').nth(2).waitFor({ timeout: 30000 });
    // The tab title (the workbench's) carries the same literal name.
    await page.locator('.tabs-container .tab', { hasText: `Compare: ${FILE}` }).waitFor({ timeout: 20000 });
    await shot(page, 'injection-compare');
  });

  it('leaves no element made from the markup and fires no dialog or CSP violation', async () => {
    const frame = webviewFrame(page);
    const injected = await frame.locator('body').evaluate((body) => ({
      imgs: body.querySelectorAll('img').length,
      handlers: [...body.querySelectorAll('*')].filter((e) => [...e.attributes].some((a) => /^on/i.test(a.name))).map((e) => e.outerHTML.slice(0, 120)),
      // VS Code puts its own script in the head (acquireVsCodeApi); the body has the view's only.
      scripts: [...body.querySelectorAll('script')].map((s) => s.getAttribute('src') ?? 'inline'),
      headingChildren: body.querySelector('h1').children.length,
    }));
    assert.equal(injected.imgs, 0, 'no img element in the view');
    assert.deepEqual(injected.handlers, [], 'no element with an inline event handler');
    assert.equal(injected.headingChildren, 0, 'the heading holds text only');
    assert.equal(injected.scripts.length, 1, `one script in the body, the view's own: ${injected.scripts.join(', ')}`);
    assert.match(injected.scripts[0], /\/dist\/webview\/main\.js$/);
    assert.deepEqual(dialogs, [], 'no alert/confirm/prompt');
    assert.deepEqual(diagnostics.csp, [], 'no CSP violation in any frame');
    assert.deepEqual(diagnostics.webview().errors, [], 'no console error in the webview');
  });

  it('shows the saved export\'s hostile name as text in the chart\'s note', async () => {
    const frame = webviewFrame(page);
    await frame.locator('section[data-chart="memory"] button', { hasText: 'SVG' }).click();
    const input = page.locator('.quick-input-widget .quick-input-box input');
    const expected = `${FILE_BASE}-memory.svg`;
    await waitUntil(async () => (await input.inputValue().catch(() => '')).endsWith(expected), { timeoutMs: 20000, message: `save dialog suggests ${expected}` });
    await page.keyboard.press('Enter');
    const saved = path.join(server.dirs.workspace, FOLDER, expected);
    await waitUntil(() => existsSync(saved) && readFileSync(saved, 'utf8').includes('</svg>'), { timeoutMs: 20000, message: `${saved} written` });
    const note = frame.locator('section[data-chart="memory"] .note');
    await waitUntil(async () => (await note.innerText()) === `Saved ${expected}`, { timeoutMs: 20000, message: 'the note names the saved file' });
    assert.equal(await note.evaluate((n) => n.children.length), 0, 'the note holds text only');
    assert.equal(await frame.locator('img').count(), 0);
    assert.deepEqual(dialogs, []);
    assert.deepEqual(diagnostics.csp, []);
  });
});
