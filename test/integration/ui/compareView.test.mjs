// The Compare Layouts view in a real VS Code (code-server + Chromium), installed from the VSIX a
// release would ship: the table and the three charts drawn under the webview's strict CSP with no
// violation, a click revealing the layout in the editor, the status-bar figure, SVG export
// through the save dialog, and the charts redrawn in a light theme. Screenshots go to
// test/e2e/screenshots/ to be looked at.
//
// Run: node --test test/integration/ui/   (after `node esbuild.mjs`; code-server from scripts/setup-code-server.sh)

import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { openFile, runCommand, screenshot, screenshotDir, waitUntil, webviewFrame } from '../../e2e/harness.mjs';
import { openExamplesWorkbench } from '../../e2e/fixtures/shardlens/support.mjs';

/** Eight layouts: more than the view draws without asking which. */
const MANY_LAYOUTS = [
  'mesh pod64 = tpu_v4 { x = 4, y = 4, z = 4 }',
  'workload chat { batch = 64, prompt = 2048, generate = 64 }',
  ...['ws1d', 'ws2d', 'wg_x', 'wg_xy'].flatMap((ffn) =>
    ['heads', 'batch'].map((attention) => `layout ${ffn}_${attention} { model = palm_540b, mesh = pod64, workload = chat, ffn = ${ffn}, attention = ${attention} }`),
  ),
].join('\n');

describe('Compare Layouts in code-server', { timeout: 300000 }, () => {
  let session;
  let server;
  let page;
  let diagnostics;

  before(async () => {
    session = await openExamplesWorkbench({ name: 'compare', extraFiles: { 'examples/many.shard': MANY_LAYOUTS } });
    ({ server, page, diagnostics } = session);
  });

  after(async () => {
    await session?.close();
  });

  it('draws every layout in the table and the three charts, with no CSP violation', async () => {
    await runCommand(page, 'shardlens: Compare Layouts');
    const frame = webviewFrame(page);
    await frame.locator('table.compare tbody tr').nth(3).waitFor({ timeout: 60000 });
    const names = await frame.locator('table.compare tbody td.name').allInnerTexts();
    assert.deepEqual(names, ['low_latency', 'high_throughput', 'low_latency_bf16', 'decode_heads_sharded']);
    const headers = await frame.locator('table.compare thead th').allInnerTexts();
    const firstRow = await frame.locator('table.compare tbody tr').first().locator('td').allInnerTexts();
    const cell = (header) => firstRow[headers.indexOf(header)];
    assert.match(cell('decode / token'), /^\d+(\.\d+)? ms$/, `decode per token: ${firstRow.join(' | ')}`);
    assert.equal(cell('chips'), '64');
    assert.equal(cell('batch p / d'), '1 / 64', 'low_latency prefills one sequence and decodes 64');
    await frame.locator('.chart svg').nth(2).waitFor({ timeout: 30000 });
    // Each chart drew its data: bars in the first two, labelled points in the scatter.
    const layerLabels = await frame.locator('.chart-layer-time svg text').allTextContents();
    assert.ok(layerLabels.includes('communication-bound') && layerLabels.includes('high_throughput'), layerLabels.join(', '));
    // Every layout is labelled in the scatter, which comes first.
    const scatterLabels = (await frame.locator('.chart-latency-cost svg text').allTextContents()).join('\n');
    for (const name of names) assert.ok(scatterLabels.includes(name), `${name} labelled in the scatter: ${scatterLabels}`);
    const memoryLabels = await frame.locator('.chart-memory svg text').allTextContents();
    assert.ok(memoryLabels.some((t) => /^HBM 32 GiB$/.test(t)), memoryLabels.join(', '));
    await screenshot(page, 'compare-layouts-dark');
    assert.deepEqual(diagnostics.webview().csp, [], 'no CSP violation in the webview');
    assert.deepEqual(diagnostics.webview().errors, [], 'no console error in the webview');
  });

  it('reveals a layout in the editor when its name is clicked, and the status bar shows its decode time', async () => {
    const frame = webviewFrame(page);
    await frame.locator('table.compare tbody td.name button', { hasText: 'high_throughput' }).click();
    // The reveal selects the layout's name in the editor: 15 characters.
    await page.locator('.statusbar-item', { hasText: /Ln \d+, Col \d+ \(15 selected\)/ }).first().waitFor({ timeout: 20000 });
    const item = page.locator('.statusbar-item', { hasText: /high_throughput: [\d.]+ (ms|µs|s)\/token/ }).first();
    await item.waitFor({ timeout: 20000 });
    await screenshot(page, 'compare-layouts-reveal');
  });

  it('exports a chart as SVG through the save dialog', async () => {
    const frame = webviewFrame(page);
    await frame.locator('section[data-chart="memory"] button', { hasText: 'SVG' }).click();
    // code-server's save dialog is a quick input holding the suggested path.
    const input = page.locator('.quick-input-widget .quick-input-box input');
    // The dialog fills in the folder first and the suggested name a moment later.
    await waitUntil(async () => /palm540b-memory\.svg$/.test(await input.inputValue().catch(() => '')), { timeoutMs: 20000, message: 'save dialog suggests palm540b-memory.svg' });
    await page.keyboard.press('Enter');
    const saved = path.join(server.dirs.workspace, 'examples', 'palm540b-memory.svg');
    await waitUntil(() => existsSync(saved) && readFileSync(saved, 'utf8').includes('</svg>'), { timeoutMs: 20000, message: `${saved} written` });
    const svg = readFileSync(saved, 'utf8');
    assert.match(svg, /^<svg[\s\S]*HBM 32 GiB[\s\S]*<\/svg>\s*$/);
    await frame.locator('section[data-chart="memory"] .note', { hasText: 'Saved palm540b-memory.svg' }).waitFor({ timeout: 20000 });
  });

  it('exports a chart as PNG drawn on an off-screen canvas', async () => {
    const frame = webviewFrame(page);
    await frame.locator('section[data-chart="latency-cost"] button', { hasText: 'PNG' }).click();
    const input = page.locator('.quick-input-widget .quick-input-box input');
    await waitUntil(async () => /palm540b-latency-cost\.png$/.test(await input.inputValue().catch(() => '')), { timeoutMs: 20000, message: 'save dialog suggests palm540b-latency-cost.png' });
    await page.keyboard.press('Enter');
    const saved = path.join(server.dirs.workspace, 'examples', 'palm540b-latency-cost.png');
    await frame.locator('section[data-chart="latency-cost"] .note', { hasText: 'Saved palm540b-latency-cost.png' }).waitFor({ timeout: 20000 });
    const png = readFileSync(saved);
    assert.deepEqual([...png.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], 'a PNG file');
    // Drawn at twice the chart's size, and not blank.
    assert.ok(png.readUInt32BE(16) > 800 && png.length > 20000, `PNG ${png.readUInt32BE(16)}×${png.readUInt32BE(20)}, ${png.length} bytes`);
    assert.deepEqual(diagnostics.webview().csp, []);
  });

  it('redraws the charts in the colours of a light theme', async () => {
    const frame = webviewFrame(page);
    const background = () => frame.locator('.chart-memory svg rect').first().getAttribute('fill');
    const dark = await background();
    await runCommand(page, 'Preferences: Toggle between Light/Dark Themes');
    await waitUntil(async () => (await background()) !== dark, { timeoutMs: 20000, message: 'chart background changed with the theme' });
    // The page follows too: its background is the light editor background.
    const pageBackground = () => frame.locator('body').evaluate((b) => getComputedStyle(b).backgroundColor);
    await waitUntil(async () => {
      const [r, g, b] = ((await pageBackground()).match(/\d+/g) ?? []).map(Number);
      return r + g + b > 600;
    }, { timeoutMs: 20000, message: 'webview page background is light' });
    assert.equal(await background(), await frame.locator('body').evaluate(() => getComputedStyle(document.body).getPropertyValue('--vscode-editor-background').trim()));
    await frame.locator('.chart svg').nth(2).waitFor();
    // Headless Chromium keeps compositing the webview's out-of-process frame from before the
    // theme change in page screenshots; a screenshot of the frame's own content is current.
    await frame.locator('#app').screenshot({ path: path.join(screenshotDir, 'compare-layouts-light-webview.png') });
    assert.deepEqual(diagnostics.webview().csp, []);
  });

  it('asks which layouts to draw when a file has more than six', async () => {
    await openFile(page, 'examples/many.shard');
    await runCommand(page, 'shardlens: Compare Layouts', 20000, { opensQuickInput: true });
    const pick = page.locator('.quick-input-widget', { hasText: 'Compare Layouts: 8 layouts in many.shard' });
    await pick.waitFor({ state: 'visible', timeout: 30000 });
    // The first six come checked; uncheck one more and accept.
    const rows = page.locator('.quick-input-list .monaco-list-row');
    await rows.filter({ hasText: 'ws2d_heads' }).locator('input[type=checkbox], .monaco-checkbox, .quick-input-list-checkbox').first().click();
    await page.keyboard.press('Enter');
    const frame = webviewFrame(page);
    await frame.locator('h1', { hasText: 'many.shard' }).waitFor({ timeout: 30000 });
    await frame.locator('.summary', { hasText: '5 of 8 layouts' }).waitFor({ timeout: 30000 });
    assert.deepEqual(await frame.locator('table.compare tbody td.name').allInnerTexts(), ['ws1d_heads', 'ws1d_batch', 'ws2d_batch', 'wg_x_heads', 'wg_x_batch']);
    await screenshot(page, 'compare-layouts-chosen');
  });

  it('restores the panel after the window reloads', async () => {
    // Reload Window shuts the workbench down properly, which is when it saves webview state; a
    // bare page reload can lose the state saved since the last periodic flush.
    const reloaded = page.waitForEvent('load', { timeout: 60000 });
    await runCommand(page, 'Developer: Reload Window');
    await reloaded;
    await page.waitForSelector('.monaco-workbench', { timeout: 60000 });
    // The serializer revives the panel (activation event onWebviewPanel:shardlens.compare) when
    // its tab is shown, and the webview asks for the report again from its saved state.
    await page.locator('.tabs-container .tab', { hasText: 'Compare:' }).first().click({ timeout: 30000 });
    const frame = webviewFrame(page);
    // The choice made in the quick pick survives too.
    await frame.locator('table.compare tbody tr').nth(4).waitFor({ timeout: 60000 });
    assert.deepEqual(await frame.locator('table.compare tbody td.name').allInnerTexts(), ['ws1d_heads', 'ws1d_batch', 'ws2d_batch', 'wg_x_heads', 'wg_x_batch']);
    await frame.locator('.chart svg').nth(2).waitFor({ timeout: 30000 });
  });
});
