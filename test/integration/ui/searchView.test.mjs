// The search chart views in a real VS Code (code-server + Chromium), installed from the VSIX a
// release would ship (so the search thread's bundle and the chart webview's files must be in it):
// Show Sweep from the palette for every layout of a file (one series each), both Pope-Fig.-1
// charts drawn under the webview's strict CSP with the frontiers labelled, a point's tooltip kept
// inside its chart, the FFN crossover with its switch points, and Find Best Layout's ranked
// results and inserted text. Screenshots go to test/e2e/screenshots/ to be looked at.
//
// Run: node --test test/integration/ui/searchView.test.mjs  (after `node esbuild.mjs`)

import assert from 'node:assert/strict';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { openFile, repoRoot, runCommand, screenshot, waitForNotification, waitUntil, webviewFrame } from '../../e2e/harness.mjs';
import { openExamplesWorkbench } from '../../e2e/fixtures/shardlens/support.mjs';

describe('search charts in code-server', { timeout: 300000 }, () => {
  let session;
  let page;
  let diagnostics;

  before(async () => {
    session = await openExamplesWorkbench({ name: 'search' });
    ({ page, diagnostics } = session);
  });

  after(async () => {
    await session?.close();
  });

  it('shows a sweep of every layout: one series each, the frontiers labelled with chips and batch, no CSP violation', async () => {
    // The cursor is not in a layout: the command asks which, all of them checked.
    await runCommand(page, 'shardlens: Show Sweep', 20000, { opensQuickInput: true });
    await page.locator('.quick-input-list .monaco-list-row', { hasText: 'high_throughput' }).waitFor({ timeout: 30000 });
    await page.keyboard.press('Enter');
    const frame = webviewFrame(page);
    await frame.locator('h1', { hasText: 'Sweep of low_latency, high_throughput, low_latency_bf16, decode_heads_sharded' }).waitFor({ timeout: 120000 });
    await frame.locator('.chart-sweep-prefill svg').waitFor({ timeout: 30000 });
    const labels = await frame.locator('.chart-sweep-decode svg text').allTextContents();
    assert.ok(labels.some((t) => /^C\d+ B\d+$/.test(t)), `frontier labels: ${labels.join(', ')}`);
    assert.ok(labels.includes('latency per generated token (ms)'), labels.join(', '));
    for (const name of ['low_latency', 'high_throughput', 'low_latency_bf16', 'decode_heads_sharded']) assert.ok(labels.includes(name), `legend has ${name}`);
    const frontiers = await frame.locator('[data-chart="sweep-decode"] .frontier').allInnerTexts();
    assert.equal(frontiers.length, 4);
    assert.match(frontiers[0], /^Frontier of low_latency: (C\d+ B\d+|no point fits)/);
    // The layout as declared is marked; titles are said once (the card's, none in the chart).
    assert.ok(labels.some((t) => /as declared$/.test(t)), `a mark for the layout as declared: ${labels.join(', ')}`);
    const cardTitles = await frame.locator('[data-chart="sweep-decode"] h2').allInnerTexts();
    for (const t of cardTitles) assert.ok(!labels.includes(t), `the chart repeats its card's title "${t}"`);
    // Points left out: a compact grid per layout, not a line per point.
    assert.ok((await frame.locator('table.left-out').count()) > 0, 'a grid of the points left out');
    assert.equal(await frame.locator('ul.reasons li').count(), 0);
    await screenshot(page, 'sweep-dark');
    await frame.locator('#app').screenshot({ path: path.join(repoRoot, 'test/e2e/screenshots', 'sweep-webview.png') });
  });

  it('opens a point\'s tooltip inside the chart, even for the leftmost point', async () => {
    const frame = webviewFrame(page);
    const chart = frame.locator('.chart-sweep-decode');
    const box = await chart.boundingBox();
    assert.ok(box, 'the decode chart is on screen');
    // The points are the small symbols above the x axis (the legend's icons lie below it); the
    // leftmost is the one whose tooltip once opened at x = -365 px.
    const points = await chart.locator('svg path').evaluateAll((paths) =>
      paths.map((p) => p.getBoundingClientRect()).filter((r) => r.width > 2 && r.width <= 16 && r.height > 2 && r.height <= 16).map((r) => ({ x: r.x + r.width / 2, y: r.y + r.height / 2 })),
    );
    // Coordinates inside the frame: the frame's own offset on the page is the chart box's minus the element's.
    const offset = await chart.evaluate((el) => { const r = el.getBoundingClientRect(); return { x: r.x, y: r.y }; });
    const inGrid = points.filter((p) => p.y - offset.y < box.height - 90);
    assert.ok(inGrid.length > 0, 'points to hover');
    const leftmost = inGrid.reduce((a, b) => (b.x < a.x ? b : a));
    await page.mouse.move(box.x - offset.x + leftmost.x, box.y - offset.y + leftmost.y);
    const tip = chart.locator('svg text', { hasText: /^cost [\d.,]+ chip-ms per token$/ }).first();
    await tip.waitFor({ timeout: 10000 });
    const tipBox = await tip.boundingBox();
    assert.ok(tipBox && tipBox.x >= box.x - 1 && tipBox.x + tipBox.width <= box.x + box.width + 1 && tipBox.y >= box.y - 1, `tooltip ${JSON.stringify(tipBox)} inside the chart ${JSON.stringify(box)}`);
    await screenshot(page, 'sweep-tooltip');
    assert.deepEqual(diagnostics.webview().csp, [], 'no CSP violation in the webview');
    assert.deepEqual(diagnostics.webview().errors, [], 'no console error in the webview');
  });

  it('shows the FFN crossover with its switch points', async () => {
    // One webview on screen at a time, so the frame locator finds exactly one.
    await runCommand(page, 'View: Close All Editors');
    await openFile(page, 'examples/palm540b.shard');
    await runCommand(page, 'shardlens: Show FFN Crossover', 20000, { opensQuickInput: true });
    await page.locator('.quick-input-list .monaco-list-row', { hasText: 'low_latency_bf16' }).waitFor({ timeout: 30000 });
    await page.keyboard.type('high_throughput');
    await page.keyboard.press('Enter');
    const frame = webviewFrame(page);
    await frame.locator('.chart-crossover svg').waitFor({ timeout: 60000 });
    const switches = await frame.locator('ul.switches li').allInnerTexts();
    assert.ok(switches.length > 0 && switches.every((s) => / → .* at [\d,]+ tokens/.test(s)), switches.join(' | '));
    await frame.locator('#app').screenshot({ path: path.join(repoRoot, 'test/e2e/screenshots', 'crossover-webview.png') });
    assert.deepEqual(diagnostics.webview().csp, []);
  });

  it('Find Best Layout asks what to minimise, then for a latency limit, and ranks by cost within it', async () => {
    await runCommand(page, 'View: Close All Editors');
    await openFile(page, 'examples/palm540b.shard');
    await runCommand(page, 'shardlens: Find Best Layout', 20000, { opensQuickInput: true });
    // Which layout (the cursor is in none), then what the best layout should minimise.
    await page.locator('.quick-input-list .monaco-list-row', { hasText: 'low_latency_bf16' }).waitFor({ timeout: 30000 });
    await page.keyboard.type('low_latency_bf16');
    await page.keyboard.press('Enter');
    const rows = page.locator('.quick-input-list .monaco-list-row');
    await rows.filter({ hasText: 'Lowest cost within a latency limit' }).waitFor({ timeout: 30000 });
    const goals = await rows.allInnerTexts();
    assert.equal(goals.length, 3, goals.join(' | '));
    assert.match(goals[0], /Lowest latency/);
    assert.match(goals[1], /Lowest cost per token/);
    await screenshot(page, 'find-best-goal');
    await page.keyboard.type('within');
    await page.keyboard.press('Enter');
    // The limit, written as on the command line; a wrong one is explained as it is typed.
    const box = page.locator('.quick-input-widget .quick-input-box input');
    await page.locator('.quick-input-widget .quick-input-title', { hasText: 'latency limit' }).waitFor({ timeout: 20000 });
    await box.fill('fast');
    await page.locator('.quick-input-widget .quick-input-message', { hasText: "'fast' is not a duration" }).waitFor({ timeout: 10000 });
    await screenshot(page, 'find-best-limit-invalid');
    await box.fill('5s');
    await page.keyboard.press('Enter');
    // Which weight dtypes it may choose: none ticked (Enter) keeps the layout's bf16.
    await page.locator('.quick-input-widget .quick-input-title', { hasText: 'which weight dtypes' }).waitFor({ timeout: 20000 });
    await screenshot(page, 'find-best-dtypes');
    await page.keyboard.press('Enter');
    // The candidates, ranked by cost per token, all within 5 s a request, all in bf16.
    const title = page.locator('.quick-input-widget .quick-input-title', { hasText: 'lowest cost per token within 5 s' });
    await title.waitFor({ timeout: 120000 });
    const candidates = await rows.allInnerTexts();
    assert.ok(candidates.length > 0, 'candidates are listed');
    for (const c of candidates) {
      const m = /#\d+\s+([0-9.]+) (ms|s) per request/.exec(c);
      assert.ok(m, c);
      assert.ok(Number(m[1]) * (m[2] === 'ms' ? 1e-3 : 1) <= 5, `within the limit: ${c}`);
      assert.match(c, /· bf16 weights ·/);
    }
    // Each row against the layout as declared; the progress notification has closed.
    for (const c of candidates) assert.match(c, /\((?:[+−]\d+%|±0%) latency, (?:[+−]\d+%|±0%) cost\)/, c);
    await waitUntil(async () => (await page.locator('.notifications-toasts .notification-toast', { hasText: 'finding the best layout' }).count()) === 0, { timeoutMs: 5000, message: 'the progress notification stays open over the results' });
    await screenshot(page, 'find-best-candidates');
    // Insert the first: its text reuses the file's mesh and workload where they are the same,
    // and says what it changes, in a comment and in a notification.
    await page.keyboard.press('Enter');
    const note = await waitForNotification(page, 'Inserted low_latency_bf16_best1');
    assert.match(note, /after low_latency_bf16: (it changes |it is low_latency_bf16 as declared)/);
    await page.locator('.view-lines', { hasText: 'layout low_latency_bf16_best1' }).waitFor({ timeout: 10000 });
    // Monaco draws spaces as no-break spaces.
    const text = (await page.locator('.view-lines').first().innerText()).replace(/\u00a0/g, ' ');
    assert.match(text, /# (changes from low_latency_bf16: |the configuration of low_latency_bf16 itself)/, text);
    assert.match(text, /workload = table2/, text);
    await screenshot(page, 'find-best-inserted');
  });
});
