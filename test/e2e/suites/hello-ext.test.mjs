// Proves the harness on a throwaway extension (test/e2e/fixtures/hello-ext) in a real VS Code:
// palette commands, a webview under a nonce CSP with a postMessage round trip, CSP-violation
// collection, Problems-panel diagnostics and hovers. The shardlens suites reuse the same helpers.

import assert from 'node:assert/strict';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  hoverAt,
  launchBrowser,
  newPage,
  openFile,
  openWorkbench,
  repoRoot,
  runCommand,
  screenshot,
  startCodeServer,
  waitForNotification,
  waitForProblems,
  waitUntil,
  webviewFrame,
} from '../harness.mjs';

const fixtures = path.join(repoRoot, 'test/e2e/fixtures');

describe('hello-ext in code-server (UI)', { timeout: 240000 }, () => {
  let server;
  let browser;
  let page;
  let diagnostics;

  before(async () => {
    server = await startCodeServer({
      workspace: path.join(fixtures, 'workspace'),
      extensions: [{ dir: path.join(fixtures, 'hello-ext') }],
    });
    browser = await launchBrowser();
    ({ page, diagnostics } = await newPage(browser));
    await openWorkbench(page, server);
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('runs a command from the palette and shows its notification', async () => {
    await runCommand(page, 'Hello Ext: Say Hello');
    assert.match(await waitForNotification(page, 'Hello from hello-ext'), /Hello from hello-ext/);
  });

  it('opens a webview whose script runs under the nonce CSP and talks to the host', async () => {
    await runCommand(page, 'Hello Ext: Show Webview');
    const frame = webviewFrame(page);
    // `ready` went to the host, `greet` came back and was rendered, `rendered` went to the host.
    await frame.locator('#greeting.greeted', { hasText: 'Hello from the extension host' }).waitFor({ timeout: 30000 });
    await waitForNotification(page, 'Webview rendered: Hello from the extension host');
    // The stylesheet loaded through cspSource: the greeting takes the theme's link colour.
    const color = await frame.locator('#greeting').evaluate((el) => getComputedStyle(el).color);
    assert.notEqual(color, 'rgb(0, 0, 0)');
    const shot = await screenshot(page, 'hello-ext-webview');
    assert.ok(shot.endsWith('.png'));
    assert.deepEqual(diagnostics.webview().csp, [], 'a correct page has no CSP violations');
    assert.deepEqual(diagnostics.webview().errors, [], 'and no console errors');
  });

  it('catches the CSP violations of a bad webview', async () => {
    const before = diagnostics.csp.length;
    await runCommand(page, 'Hello Ext: Show Webview With CSP Violations');
    await webviewFrame(page).locator('#greeting.greeted').waitFor({ timeout: 30000 });
    // The browser reports violations asynchronously; wait for both to reach the log.
    await waitUntil(
      () => {
        const found = diagnostics.csp.slice(before);
        return found.some((c) => /script-src/.test(c.directive)) && found.some((c) => /style-src/.test(c.directive));
      },
      { message: `CSP violations not reported: ${JSON.stringify(diagnostics.csp)}` },
    );
    await screenshot(page, 'hello-ext-bad-webview');
  });

  it('shows diagnostics in the Problems panel and a hover in the editor', async () => {
    await openFile(page, 'sample.hello');
    const rows = await waitForProblems(page, { count: 1, includes: ["the word 'bad' is not allowed here"] });
    assert.equal(rows.length, 1);
    const hover = await hoverAt(page, 2, 14, { match: /hello-ext hover:/ });
    assert.match(hover, /hello-ext hover:\s*bad/);
    assert.match(hover, /the word 'bad' is not allowed here/);
    await screenshot(page, 'hello-ext-problems-hover');
  });
});
