// The install path a user takes: package the fixture extension into a VSIX with vsce, install it
// with `code-server --install-extension`, and check that it activates from the palette.

import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { launchBrowser, newPage, openWorkbench, packageVsix, repoRoot, runCommand, startCodeServer, waitForNotification } from '../harness.mjs';

describe('hello-ext installed from a VSIX', { timeout: 240000 }, () => {
  let out;
  let server;
  let browser;

  before(async () => {
    out = mkdtempSync(path.join(tmpdir(), 'shardlens-vsix-'));
    const vsix = packageVsix(path.join(repoRoot, 'test/e2e/fixtures/hello-ext'), path.join(out, 'hello-ext.vsix'));
    server = await startCodeServer({ extensions: [{ vsix }] });
    browser = await launchBrowser();
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
    if (out) rmSync(out, { recursive: true, force: true });
  });

  it('is unpacked into the extensions folder under its publisher.name-version', () => {
    assert.ok(readdirSync(server.dirs.extensions).includes('shardlens-e2e.hello-ext-0.0.1'), readdirSync(server.dirs.extensions).join(', '));
  });

  it('runs its command in the workbench', async () => {
    const { page } = await newPage(browser);
    await openWorkbench(page, server);
    await runCommand(page, 'Hello Ext: Say Hello');
    await waitForNotification(page, 'Hello from hello-ext');
  });
});
