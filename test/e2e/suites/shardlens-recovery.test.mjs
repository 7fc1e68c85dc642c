// The language server dies (SIGKILL, as the OOM killer would) while a .shard file is open in a
// real VS Code (code-server + Chromium, the packaged VSIX installed): the client tells the user,
// starts a new server, and the document gets diagnostics again, including fresh ones for an edit
// made after the restart. After too many crashes in a row it stops and offers a Restart button.

import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  goToPosition,
  launchBrowser,
  newPage,
  openFile,
  openWorkbench,
  repoRoot,
  runCommand,
  startCodeServer,
  waitForProblems,
  waitUntil,
} from '../harness.mjs';
import { SERVER_NODE_OPTIONS } from '../../../scripts/server-options.mjs';
import { languageServers, packageShardlens, shot, waitForOutput } from '../fixtures/shardlens/support.mjs';

const RESTARTED = 'The shardlens language server stopped unexpectedly and was restarted.';

describe('shardlens: the language server crashes and the client recovers', { timeout: 360000 }, () => {
  let scratch;
  let server;
  let browser;
  let page;

  /** The one running language server of this code-server, checked to be the extension host's child. */
  async function theServer(notPid) {
    const found = await waitUntil(() => {
      const list = languageServers(server).filter((p) => p.pid !== notPid);
      return list.length === 1 ? list[0] : false;
    }, { timeoutMs: 30000, message: `exactly one shardlens language server${notPid ? ` other than ${notPid}` : ''} runs` });
    assert.match(found.parent?.args ?? '', /--type=extensionHost/, `parent of ${found.pid}: ${found.parent?.args}`);
    for (const option of SERVER_NODE_OPTIONS) assert.ok(found.args.includes(option), `the server runs with ${option}: ${found.args}`);
    return found;
  }

  function kill(pid) {
    process.kill(pid, 'SIGKILL');
  }

  async function dismissNotifications() {
    await runCommand(page, 'Notifications: Clear All Notifications');
    await page.locator('.notifications-toasts .notification-toast').first().waitFor({ state: 'detached', timeout: 10000 });
  }

  // The finding palm540b.shard always has in Problems: decode_heads_sharded's better-layout hint
  // (the bound notes are in the lenses and hovers, not in Problems).
  const BETTER = 'would cut decode latency';

  before(async () => {
    scratch = mkdtempSync(path.join(tmpdir(), 'shardlens-recovery-'));
    const { file: vsix } = packageShardlens(path.join(scratch, 'shardlens.vsix'));
    const workspace = path.join(scratch, 'ws');
    cpSync(path.join(repoRoot, 'examples'), path.join(workspace, 'examples'), { recursive: true });
    server = await startCodeServer({ workspace, extensions: [{ vsix }] });
    browser = await launchBrowser();
    ({ page } = await newPage(browser, { viewport: { width: 1500, height: 940 } }));
    await openWorkbench(page, server);
    await openFile(page, 'examples/palm540b.shard');
    await waitForProblems(page, { includes: [BETTER] }, 60000);
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  });

  it('restarts a killed server, says so, and diagnoses an edit made after the restart', async () => {
    const first = await theServer();
    const killedAt = Date.now();
    kill(first.pid);
    const toast = await (async () => {
      const t = page.locator('.notifications-toasts .notification-toast', { hasText: RESTARTED }).first();
      await t.waitFor({ state: 'visible', timeout: 30000 });
      return t.innerText();
    })();
    assert.match(toast, /Show Output/, toast);
    const second = await theServer(first.pid);
    console.log(`# SIGKILL ${first.pid} → notification and new server ${second.pid} in ${Date.now() - killedAt} ms`);

    // The new server has the document (the client opens it again) and diagnoses an edit to it.
    await goToPosition(page, 84, 1);
    await page.keyboard.press('Control+End');
    await page.keyboard.press('Enter');
    await page.keyboard.type('model after_restart = no_such_model');
    await page.keyboard.press('Escape'); // a suggestion list may be open
    const rows = await waitForProblems(page, { includes: ['no model named', 'no_such_model', BETTER] }, 30000);
    console.log(`# fresh diagnostics after the restart: ${Date.now() - killedAt} ms after the kill`);
    assert.ok(rows.some((r) => /no model named .?no_such_model/.test(r)), rows.join('\n'));
    await shot(page, 'recovery-after-restart');
    const log = await waitForOutput(page, runCommand, /the server stopped unexpectedly; restarting \(1\/4\)/);
    assert.ok(log);
    // Undo the edit so the next test starts from the file as shipped.
    await page.locator('.editor-instance .monaco-editor textarea').first().focus();
    await page.keyboard.press('Control+Shift+K');
    await page.keyboard.press('Backspace');
    await dismissNotifications();
  });

  it('after repeated crashes stops restarting, and its Restart button brings the server back', async () => {
    // One crash is counted already; three more are restarted (2/4 … 4/4) and the fifth is not.
    let pid = (await theServer()).pid;
    for (let crash = 2; crash <= 4; crash++) {
      kill(pid);
      await waitForOutput(page, runCommand, new RegExp(`restarting \\(${crash}/4\\)`));
      pid = (await theServer(pid)).pid;
    }
    await dismissNotifications();
    kill(pid);
    const gaveUp = page.locator('.notifications-toasts .notification-toast', { hasText: 'crashed 5 times in a few minutes and was not restarted' }).first();
    await gaveUp.waitFor({ state: 'visible', timeout: 30000 });
    await waitUntil(() => languageServers(server).length === 0, { timeoutMs: 10000, message: 'no language server runs' });
    // A stopped client takes its diagnostics with it, so their return below is the new server's work.
    await waitForProblems(page, { count: 0 }, 20000);
    await shot(page, 'recovery-gave-up');
    await gaveUp.locator('.monaco-button', { hasText: /^Restart$/ }).click();
    const revived = await theServer(pid);
    assert.notEqual(revived.pid, pid);
    // The revived server diagnoses the file again.
    await waitForProblems(page, { includes: [BETTER] }, 30000);
  });
});
