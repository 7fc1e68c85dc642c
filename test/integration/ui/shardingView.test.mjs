// Show Sharding in a real VS Code (code-server + Chromium), installed from the VSIX a release
// would ship: the cursor in examples/palm540b.shard's low_latency layout draws the FFN's first
// weight, w_in of ws2d (SwiGLU), on the 4×4×4 mesh: 64 chips, each labelled with its tile, under
// the webview's strict CSP with no violation; the view follows the cursor off the layout. Then
// Show Step Timeline for the same layout draws one decode layer and the whole step, and its
// Phase buttons switch to prefill. A collective (ffn.c = reduce_scatter(b, x), chosen with the
// value chooser) shows its groups and links; a bar of Compare Layouts' layer-time chart opens the
// timeline of that layout and phase; after Reload Window both views come back with their content.
// The chip grid is driven from the keyboard: the chip the arrows select is announced with the
// tile `shardlens show` prints for it, and is selected again after the reload.
// Screenshots go to test/e2e/screenshots/ to be looked at.
//
// Run: node --test test/integration/ui/shardingView.test.mjs   (after `node esbuild.mjs`)

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { goToPosition, openFile, repoRoot, runCommand, screenshot, screenshotDir, webviewFrame } from '../../e2e/harness.mjs';
import { openExamplesWorkbench } from '../../e2e/fixtures/shardlens/support.mjs';

/** The frame of the webview panel whose tab is active in the last editor group that shows one. */
const lastWebview = (page) => page.locator('iframe.webview.ready').last().contentFrame().locator('#active-frame').contentFrame();

/** The frame of the first webview (of several open) that shows `selector`, waiting for one to. */
async function frameWith(page, selector, timeoutMs = 60000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const frames = page.locator('iframe.webview.ready');
    const n = await frames.count();
    for (let i = 0; i < n; i++) {
      const frame = frames.nth(i).contentFrame().locator('#active-frame').contentFrame();
      if ((await frame.locator(selector).count().catch(() => 0)) > 0) return frame;
    }
    if (Date.now() > deadline) throw new Error(`no webview shows ${selector}`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

/** Focuses the editor tab of `name` (it may be open in more than one group). */
async function focusTab(page, name) {
  await page.locator('.tabs-container .tab', { hasText: name }).first().click({ timeout: 30000 });
}

describe('Show Sharding in code-server', { timeout: 300000 }, () => {
  let session;
  let page;
  let diagnostics;

  before(async () => {
    session = await openExamplesWorkbench({ name: 'sharding' });
    ({ page, diagnostics } = session);
  });

  after(async () => {
    await session?.close();
  });

  it('draws w_in of ws2d on 64 chips, each labelled with its tile, with no CSP violation', async () => {
    // `decode  { ffn = ws2d, attention = batch }` of layout low_latency: the cursor on `ws2d`.
    await goToPosition(page, 49, 19);
    await runCommand(page, 'shardlens: Show Sharding');
    const frame = webviewFrame(page);
    await frame.locator('.chart-sharding svg').waitFor({ timeout: 60000 }).catch(async (e) => {
      await screenshot(page, 'sharding-failed');
      throw e;
    });
    assert.equal(await frame.locator('button.value-chooser').innerText(), 'ffn.w_in');
    assert.equal(await frame.locator('button.layout-chooser').innerText(), 'low_latency · decode');
    const texts = (await frame.locator('.chart-sharding svg text').allTextContents()).map((t) => t.trim());
    const chips = texts.filter((t) => /^\(\d,\d,\d\)$/.test(t));
    assert.equal(chips.length, 64, `64 chips drawn: ${chips.join(' ')}`);
    // w_in : E_x F_yz of PaLM 540B (E = 18432, F = 73728) on 4×4×4: E in 4 shards of 4608 over x,
    // F in 16 of 4608 over yz, y major. Chip (1, 2, 3): E [4608, 9216), F shard 2·4 + 3 = 11.
    const at = texts.indexOf('(1,2,3)');
    assert.deepEqual(texts.slice(at + 1, at + 3), ['E 4608:9216', 'F 50688:55296']);
    const row = await frame.locator('tr[data-chip="27"] td.label').textContent();
    assert.equal(row, 'E 4608:9216 · F 50688:55296');
    await screenshot(page, 'sharding-w_in');
    assert.deepEqual(diagnostics.webview().csp, [], 'no CSP violation in the webview');
    assert.deepEqual(diagnostics.webview().errors, [], 'no console error in the webview');
  });

  it('moves a selected chip with the keyboard and announces its tile as the engine\'s tile table has it', async () => {
    const frame = webviewFrame(page);
    const grid = frame.locator('.chart-sharding');
    await grid.locator('svg').waitFor({ timeout: 30000 });
    assert.equal(await grid.getAttribute('tabindex'), '0');
    // Home: chip (0,0,0); then right along z and down along y: (0,1,1), chip 0·16 + 1·4 + 1 = 5.
    await grid.press('Home');
    await grid.press('ArrowRight');
    await grid.press('ArrowDown');
    const live = frame.locator('.chip-selected');
    await live.filter({ hasText: /^chip 5 / }).waitFor({ timeout: 10000 });
    const announced = await live.innerText();
    // The engine's tile table for the same value, as `shardlens show` prints it: chip x y z tile E F.
    const table = execFileSync(process.execPath, [path.join(repoRoot, 'dist/cli.js'), 'show', path.join(repoRoot, 'examples/palm540b.shard'), '--layout', 'low_latency', '--value', 'ffn.w_in'], { encoding: 'utf8' });
    const row = table.split('\n').map((l) => l.trim().split(/\s+/)).find((cells) => cells[0] === '5');
    assert.deepEqual(row.slice(0, 4), ['5', '0', '1', '1']);
    assert.equal(announced, `chip 5 (x = 0, y = 1, z = 1): E ${row[5]} · F ${row[6]}`);
    // The grid shows it has the focus (VS Code's focus colour), and the chart outlines the chip.
    const ring = await grid.evaluate((g) => {
      const s = getComputedStyle(g);
      return { focused: document.activeElement === g, style: s.outlineStyle, color: s.outlineColor, focus: getComputedStyle(document.body).getPropertyValue('--vscode-focusBorder').trim() };
    });
    assert.ok(ring.focused && ring.style === 'solid', JSON.stringify(ring));
    assert.equal(await grid.locator('svg path[stroke-width="3"]').count(), 1, 'one chip outlined');
    assert.equal(await frame.locator('tr.selected').getAttribute('data-chip'), '5');
    await screenshot(page, 'sharding-keyboard');
    await grid.screenshot({ path: path.join(screenshotDir, 'sharding-keyboard-grid.png') });
    assert.deepEqual(diagnostics.webview().csp, [], 'no CSP violation in the webview');
    assert.deepEqual(diagnostics.webview().errors, [], 'no console error in the webview');
    // Back to the editor, as a user would click it, for the tests that move its cursor.
    await focusTab(page, 'palm540b.shard');
  });

  it('follows the cursor: off any layout or block it says why there is nothing to draw', async () => {
    await goToPosition(page, 1, 3);
    const frame = webviewFrame(page);
    await frame.locator('.status', { hasText: 'Put the cursor on a value' }).waitFor({ timeout: 30000 });
    await goToPosition(page, 70, 19);
    // high_throughput decodes with ws2d too, at batch 512.
    await frame.locator('button.layout-chooser', { hasText: 'high_throughput · decode' }).waitFor({ timeout: 30000 });
    assert.deepEqual(diagnostics.webview().csp, []);
  });

  it('shows the step timeline of the layout at the cursor, and switches phase with its buttons', async () => {
    await goToPosition(page, 49, 19);
    await runCommand(page, 'shardlens: Show Step Timeline');
    // The timeline opens in its own panel: the frame that shows the timeline charts.
    const frame = page.locator('iframe.webview.ready').last().contentFrame().locator('#active-frame').contentFrame();
    await frame.locator('.chart-timeline svg').waitFor({ timeout: 60000 });
    await frame.locator('.chart-timeline-step svg').waitFor({ timeout: 30000 });
    assert.equal(await frame.locator('button.layout-chooser').innerText(), 'low_latency');
    assert.equal(await frame.locator('.phases button[aria-pressed="true"]').innerText(), 'decode');
    assert.ok((await frame.locator('ol.critical-path li').count()) > 5, 'the critical path of one decode layer is listed');
    await screenshot(page, 'timeline-decode');
    await frame.locator('.phases button', { hasText: 'prefill' }).click();
    await frame.locator('.phases button[aria-pressed="true"]', { hasText: 'prefill' }).waitFor({ timeout: 30000 });
    await frame.locator('.chart-timeline svg').waitFor({ timeout: 30000 });
    assert.deepEqual(diagnostics.webview().csp, [], 'no CSP violation in the webviews');
    assert.deepEqual(diagnostics.webview().errors, [], 'no console error in the webviews');
  });

  it('reveals the statement of a clicked bar of a block written in the file', async () => {
    await openFile(page, 'examples/fig2_ffn_layouts.shard');
    // `layout fig3_ws2d_2k { … ffn = my_ws2d, attention = none }`, whose block is written at line 36.
    await goToPosition(page, 126, 10);
    await runCommand(page, 'shardlens: Show Step Timeline');
    const frame = page.locator('iframe.webview.ready').last().contentFrame().locator('#active-frame').contentFrame();
    await frame.locator('button.layout-chooser', { hasText: 'fig3_ws2d_2k' }).waitFor({ timeout: 60000 });
    const texts = frame.locator('.chart-timeline svg text');
    await texts.first().waitFor({ timeout: 30000 });
    // The bar's note is drawn level with its row label `ffn.b einsum`: click it.
    const index = await texts.evaluateAll((all) => {
      const y = (t) => Math.round(t.getBoundingClientRect().top + t.getBoundingClientRect().height / 2);
      const label = all.find((t) => t.textContent.trim() === 'ffn.b einsum');
      return all.findIndex((t) => t !== label && t.textContent.includes('µs') && Math.abs(y(t) - y(label)) <= 3);
    });
    assert.ok(index >= 0, 'the note of ffn.b is drawn');
    await texts.nth(index).click();
    // `  b = einsum(a, w_in)          : BLF_yz (partialsum-x)` selected at line 41.
    await page.locator('.statusbar-item', { hasText: /Ln 41, Col \d+ \(\d+ selected\)/ }).first().waitFor({ timeout: 20000 });
    await screenshot(page, 'timeline-reveal');
    assert.deepEqual(diagnostics.webview().csp, []);
  });
  it('shows a collective: ffn.c = reduce_scatter(b, x) of ws2d, its 16 groups of 4 along x', async () => {
    await focusTab(page, 'palm540b.shard');
    await goToPosition(page, 49, 19);
    await runCommand(page, 'shardlens: Show Sharding');
    let frame = await frameWith(page, '.chart-sharding');
    // The panel keeps the value last looked at when the block has it (ffn.b, after the timeline
    // test revealed it), else the block's first weight: either way, choose ffn.c next.
    await frame.locator('button.value-chooser', { hasText: /^ffn\./ }).waitFor({ timeout: 60000 });
    await frame.locator('button.value-chooser').click();
    const input = page.locator('.quick-input-widget .quick-input-box input');
    await input.waitFor({ state: 'visible', timeout: 20000 });
    await input.fill('ffn.c');
    await page.locator('.quick-input-widget .monaco-list-row', { hasText: 'ffn.c' }).first().waitFor({ timeout: 10000 });
    await page.keyboard.press('Enter');
    frame = await frameWith(page, 'button.value-chooser');
    await frame.locator('button.value-chooser', { hasText: 'ffn.c' }).waitFor({ timeout: 60000 });
    await frame.locator('.chart-sharding svg').waitFor({ timeout: 30000 });
    // 4×4×4: the chips that differ only in x, x·16 + y·4 + z; F = 73728 over xyz, 1152 a chip.
    const what = await frame.locator('.collective-what').innerText();
    assert.match(what, /reduce_scatter\(b : BLF_yz \(partialsum-x\)\) over x: 16 groups of 4 chips/);
    assert.match(what, /F shard \(1152 of 73728\)/);
    assert.match(await frame.locator('.collective-links').innerText(), /x: ring of 4 \(wraparound, both directions\)/);
    // Chip 27 = (1, 2, 3): the group of (y, z) = (2, 3), the 12th (groups are numbered by their x = 0 chip, y·4 + z + 1).
    assert.equal(await frame.locator('tr[data-chip="27"] td.group').textContent(), '12 (0…3, 2, 3)');
    const labels = (await frame.locator('.chart-sharding svg text').allTextContents()).map((t) => t.trim());
    assert.ok(labels.includes('⇄ group 12/16'), 'each chip is labelled with its exchange group');
    await screenshot(page, 'sharding-collective');
    assert.deepEqual(diagnostics.webview().csp, [], 'no CSP violation in the webview');
  });

  it('opens the timeline of a layout and phase from its bar in Compare Layouts', async () => {
    await focusTab(page, 'palm540b.shard');
    await runCommand(page, 'shardlens: Compare Layouts');
    const compare = await frameWith(page, '.chart-layer-time svg');
    await compare.locator('.chart-layer-time svg').waitFor({ timeout: 60000 });
    // The widest stack segment (legend icons at the foot are 25 px wide; bars end in their totals).
    const bars = compare.locator('.chart-layer-time svg path[fill]');
    const index = await bars.evaluateAll((all) => {
      const boxes = all.map((p, i) => ({ i, r: p.getBoundingClientRect(), fill: p.getAttribute('fill') }));
      const shown = (p) => p.getAttribute('fill-opacity') !== '0' && p.getAttribute('opacity') !== '0' && getComputedStyle(p).visibility !== 'hidden';
      const solid = boxes.filter((b) => b.r.width > 8 && b.r.height > 6 && b.r.height < 40 && b.fill !== 'none' && b.fill !== 'transparent' && !/^rgba\(0, ?0, ?0, ?0\)$/.test(b.fill) && shown(all[b.i]));
      solid.sort((a, b) => b.r.width - a.r.width);
      return solid.length ? solid[0].i : -1;
    });
    assert.ok(index >= 0, 'a bar of the layer-time chart is drawn');
    await bars.nth(index).click({ force: true });
    const timeline = await frameWith(page, '.chart-timeline svg');
    assert.equal(await timeline.locator('.phases button[aria-pressed="true"]').innerText(), 'decode');
    const name = await timeline.locator('button.layout-chooser').innerText();
    assert.ok(['low_latency', 'high_throughput', 'low_latency_bf16', 'decode_heads_sharded'].includes(name), name);
    await screenshot(page, 'compare-to-timeline');
    assert.deepEqual(diagnostics.webview().csp, [], 'no CSP violation in the webviews');
  });

  it('brings Show Sharding and the timeline back with their content after Reload Window', async () => {
    // Both panels open (the sharding of ffn.c, the timeline of the layout at the cursor); reload, as compareView.test.mjs does.
    await focusTab(page, 'palm540b.shard');
    await goToPosition(page, 49, 19);
    await runCommand(page, 'shardlens: Show Step Timeline');
    await frameWith(page, '.chart-timeline svg');
    const reloaded = page.waitForEvent('load', { timeout: 60000 });
    await runCommand(page, 'Developer: Reload Window');
    await reloaded;
    await page.waitForSelector('.monaco-workbench', { timeout: 60000 });
    await page.locator('.tabs-container .tab', { hasText: /^Sharding/ }).first().click({ timeout: 60000 });
    const sharding = await frameWith(page, '.chart-sharding svg');
    assert.equal(await sharding.locator('button.value-chooser').innerText(), 'ffn.c');
    assert.equal(await sharding.locator('tr[data-chip]').count(), 64);
    // The chip selected with the keyboard before the reload, (0,1,1), is selected again.
    assert.match(await sharding.locator('.chip-selected').innerText(), /^chip 5 \(x = 0, y = 1, z = 1\): /);
    await page.locator('.tabs-container .tab', { hasText: 'Timeline:' }).first().click({ timeout: 30000 });
    const timeline = await frameWith(page, '.chart-timeline svg');
    await timeline.locator('.chart-timeline-step svg').waitFor({ timeout: 30000 });
    assert.ok((await timeline.locator('ol.critical-path li').count()) > 5, 'the restored timeline lists the critical path');
    await screenshot(page, 'restored-after-reload');
    assert.deepEqual(diagnostics.webview().csp, [], 'no CSP violation after the reload');
  });
});
