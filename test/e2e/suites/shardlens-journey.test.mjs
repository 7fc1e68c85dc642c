// What a user sees on a first day with shardlens, in a real VS Code (code-server + Chromium):
// the VSIX `npm run package` builds, installed with `--install-extension`; PaLM 540B's example
// highlighted, its diagnostics in the Problems panel and its layouts' code lenses; the cost of
// one step of a user-written block in a hover; completion of built-in names; and Compare Layouts
// drawing its charts under the webview's CSP. Prints how long the server took to be ready and
// the VSIX's size. Screenshots: test/e2e/screenshots/, or docs/screenshots/ for the README's
// with SHARDLENS_UPDATE_SCREENSHOTS=1.

import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  goToPosition,
  hoverAt,
  launchBrowser,
  newPage,
  openFile,
  openWorkbench,
  repoRoot,
  runCommand,
  startCodeServer,
  waitForProblems,
  waitUntil,
  webviewFrame,
} from '../harness.mjs';
import { animationsDone, codeLensTexts, problemsText, fixturesDir, packageShardlens, shot, waitForOutput } from '../fixtures/shardlens/support.mjs';

const MAX_VSIX_BYTES = 8 * 1024 * 1024;

describe('shardlens: a user journey in code-server', { timeout: 420000 }, () => {
  let scratch;
  let vsix;
  let server;
  let browser;
  let page;
  let diagnostics;

  before(async () => {
    scratch = mkdtempSync(path.join(tmpdir(), 'shardlens-journey-'));
    // SHARDLENS_VSIX: a VSIX packaged beforehand (`npm run package -- --out FILE`), for a loaded machine.
    vsix = process.env.SHARDLENS_VSIX
      ? { file: process.env.SHARDLENS_VSIX, bytes: statSync(process.env.SHARDLENS_VSIX).size, ms: 0 }
      : packageShardlens(path.join(scratch, 'shardlens.vsix'));
    console.log(`# VSIX: ${(vsix.bytes / 1024).toFixed(1)} KiB (${vsix.bytes} bytes), packaged in ${(vsix.ms / 1000).toFixed(1)} s`);
    const workspace = path.join(scratch, 'ws');
    cpSync(path.join(repoRoot, 'examples'), path.join(workspace, 'examples'), { recursive: true });
    cpSync(path.join(fixturesDir, 'journey'), path.join(workspace, 'mine'), { recursive: true });
    server = await startCodeServer({ workspace, extensions: [{ vsix: vsix.file }] });
    browser = await launchBrowser();
    ({ page, diagnostics } = await newPage(browser, { viewport: { width: 1500, height: 940 } }));
    await openWorkbench(page, server);
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  });

  it('the packaged VSIX is under 8 MB', () => {
    assert.ok(vsix.bytes < MAX_VSIX_BYTES, `VSIX is ${vsix.bytes} bytes`);
  });

  it('opening palm540b.shard activates the extension and its diagnostics reach the Problems panel', async () => {
    // The Problems panel is open and empty first, so the wait below times the file's opening,
    // the extension's activation, the server's start and its first diagnostics together.
    await waitForProblems(page, { count: 0 });
    const opened = Date.now();
    await openFile(page, 'examples/palm540b.shard');
    // The example is clean: its one Problems row is the actionable finding, decode_heads_sharded's
    // better-layout hint (published once the document is quiet); the bound notes are in the lenses.
    const rows = await waitForProblems(page, { includes: ['2D weight-stationary (ws2d + batch) would cut decode latency'] }, 60000);
    const firstDiagnosticsMs = Date.now() - opened;
    assert.equal(rows.length, 1, `Problems rows:\n${rows.join('\n')}`);
    assert.ok(!rows.some((r) => /memory-bound in decode/.test(r)), rows.join('\n'));
    const logged = await waitForOutput(page, runCommand, /server ready in (\d+) ms/);
    console.log(`# open palm540b.shard → first diagnostics in the Problems panel: ${firstDiagnosticsMs} ms`);
    console.log(`# extension log: activate() → language server ready: ${logged[1]} ms`);
    assert.ok(Number(logged[1]) < firstDiagnosticsMs, 'the server was ready before its diagnostics were shown');
  });

  it('highlights the file with TextMate and semantic tokens', async () => {
    await openFile(page, 'mine/my_ws2d.shard');
    // Line 11: `  a = all_gather(h, yz)       : BLE_x`. The tokens are coloured spans (mtkN classes).
    await goToPosition(page, 11, 7);
    const line = page.locator('.editor-instance .view-line', { hasText: 'all_gather(h, yz)' }).first();
    const classes = await waitUntil(async () => {
      const c = new Set(await line.locator('span > span').evaluateAll((spans) => spans.map((s) => s.className)));
      return c.size >= 4 ? c : false;
    }, { timeoutMs: 20000, message: 'the all_gather line has at least four token colours' });
    assert.ok(classes.size >= 4, [...classes].join(' '));
    // The token inspector shows both layers for `all_gather`: the grammar's scope and the server's token.
    await runCommand(page, 'Developer: Inspect Editor Tokens and Scopes');
    const inspector = page.locator('.token-inspect-widget');
    await inspector.filter({ hasText: 'semantic token type' }).waitFor({ timeout: 20000 });
    const text = (await inspector.innerText()).replace(/\s+/g, ' ');
    assert.match(text, /semantic token type collective/, text);
    assert.match(text, /support\.function\.collective\.shard/, text);
    await page.keyboard.press('Escape');
    await inspector.waitFor({ state: 'hidden', timeout: 10000 });
  });

  it('shows each layout\'s prefill and decode time, what bounds them, MFU and memory in a code lens', async () => {
    await openFile(page, 'examples/palm540b.shard');
    await goToPosition(page, 39, 8); // `layout low_latency`: its lens and its diagnostic in view
    const lens = /prefill [\d.]+ (s|ms|µs) \w+-bound · decode [\d.]+ (ms|µs)\/token \w+-bound · MFU [\d.]+% · [\d.]+ [KMG]iB \/ [\d.]+ [KMG]iB HBM/;
    let seen = [];
    const lenses = await waitUntil(async () => {
      seen = await codeLensTexts(page);
      return seen.some((t) => lens.test(t)) ? seen : false;
    }, { timeoutMs: 30000, message: 'a code lens with decode time, MFU and memory' }).catch((e) => {
      throw new Error(`${e.message}; code lenses: ${JSON.stringify(seen)}`);
    });
    assert.ok(lenses.some((t) => /Compare/.test(t) && /Explain/.test(t)), lenses.join('\n'));
    await waitForProblems(page, { includes: ['would cut decode latency'] });
    await shot(page, 'editor-diagnostics-codelens', { readme: true });
  });

  it('hovering an operation of a user-written block shows its cost: time, bytes and what bounds it', async () => {
    await openFile(page, 'mine/my_ws2d.shard');
    // The lenses first (the layout's figures, and "Show sharding" above the block): arriving
    // while the hover fades in, they move the lines under it and the hover is drawn again.
    await waitUntil(async () => (await codeLensTexts(page)).some((t) => /Show sharding/.test(t)), { timeoutMs: 30000, message: 'the Show sharding lens above the block' });
    // Line 12: `  b = einsum(a, w_in)  : BLF_yz (partialsum-x)`, column 7 is the einsum.
    const text = await hoverAt(page, 12, 7, { match: /time [\d.]+ (ns|µs|ms|s) \((compute|memory|comm)-bound\)/, timeoutMs: 30000 });
    assert.match(text, /mine · decode/, text);
    assert.match(text, /per chip: .* → [\d.]+ (B|KiB|MiB|GiB) \(bf16\)/, text);
    assert.match(text, /FLOPs [\d.]+ [kMGTP]?FLOP · HBM [\d.]+ (B|KiB|MiB|GiB) · time [\d.]+ (ns|µs|ms|s) \((compute|memory)-bound\)/, text);
    await animationsDone(page, '.monaco-hover:not(.hidden)');
    await shot(page, 'hover-cost', { readme: true });
    await page.keyboard.press('Escape');
  });

  it('completes built-in hardware names', async () => {
    await goToPosition(page, 27, 2); // the layout's closing brace
    await page.keyboard.press('Control+End');
    await page.keyboard.press('Enter');
    await page.keyboard.type('mesh probe = ');
    const suggest = page.locator('.editor-widget.suggest-widget.visible');
    // `=` and space are trigger characters; Ctrl+Space asks again if the widget closed meanwhile.
    await suggest.waitFor({ state: 'visible', timeout: 5000 }).catch(() => page.keyboard.press('Control+Space'));
    const labels = await waitUntil(async () => {
      const rows = await suggest.locator('.monaco-list-row .label-name').allInnerTexts().catch(() => []);
      return rows.includes('tpu_v4') && rows.includes('h100') ? rows : false;
    }, { timeoutMs: 20000, message: 'the suggest widget lists tpu_v4 and h100' });
    assert.ok(labels.length >= 2, labels.join(', '));
    await shot(page, 'completion', { readme: true });
    await page.keyboard.press('Escape');
    await suggest.waitFor({ state: 'hidden', timeout: 10000 });
    // Take the probe line out again and see the server drop its errors.
    await waitForProblems(page, { includes: ['mesh probe needs a hardware'] });
    await page.keyboard.press('Control+Shift+K');
    await page.keyboard.press('Backspace');
    await waitUntil(async () => !(await problemsText(page)).includes('mesh probe'), { timeoutMs: 20000, message: 'the probe line\'s errors are gone' });
  });

  it('Compare Layouts draws the table and three charts with no CSP violation or console error', async () => {
    await openFile(page, 'examples/palm540b.shard');
    await runCommand(page, 'shardlens: Compare Layouts');
    const frame = webviewFrame(page);
    await frame.locator('table.compare tbody tr').nth(3).waitFor({ timeout: 60000 });
    await frame.locator('.chart svg').nth(2).waitFor({ timeout: 30000 });
    for (const id of ['layer-time', 'memory', 'latency-cost']) {
      const paths = await frame.locator(`.chart-${id} svg path`).count();
      assert.ok(paths > 0, `${id} chart has ${paths} paths`);
    }
    // The README's picture gives the view the whole window: the Problems panel is closed and
    // the Compare group maximized, so the table shows every column.
    await runCommand(page, 'View: Hide Panel');
    await page.locator('.part.panel').waitFor({ state: 'hidden', timeout: 10000 });
    await maximizeCompare(page);
    await chartsFitTheirCards(frame);
    await assertLegible(frame, 'dark');
    await shot(page, 'compare-layouts', { readme: true });
    await runCommand(page, 'View: Toggle Maximize Editor Group');
    assert.deepEqual(diagnostics.webview().csp, [], 'no CSP violation in the webview');
    assert.deepEqual(diagnostics.webview().errors, [], 'no console error in the webview');
    assert.deepEqual(diagnostics.csp, [], 'no CSP violation anywhere');
  });

  it('Compare Layouts in a light theme: the charts take the theme\'s colours and stay legible', async () => {
    // A webview drawn before the switch stays composited in its old colours in headless
    // Chromium's page screenshots (compareView.test.mjs): close it, and open the view afresh after.
    await runCommand(page, 'View: Close All Editors');
    // Switch `workbench.colorTheme` in the user's settings.json. code-server's theme picker does
    // not write it back to that file, and the workbench does not watch it: a reload reads it, and
    // also repaints the whole window (headless Chromium can keep compositing parts of it in the
    // old colours after a live theme change).
    const settingsFile = path.join(server.dirs.data, 'User/settings.json');
    writeFileSync(settingsFile, JSON.stringify({ ...JSON.parse(readFileSync(settingsFile, 'utf8')), 'workbench.colorTheme': 'Default Light Modern' }, null, 2));
    const reloaded = page.waitForEvent('load', { timeout: 60000 });
    await runCommand(page, 'Developer: Reload Window');
    await reloaded;
    await page.locator('.monaco-workbench.vs').waitFor({ timeout: 60000 });
    await openFile(page, 'examples/palm540b.shard', 60000);
    // The extension activates again after the reload: its command is retried until registered.
    await runCommand(page, 'shardlens: Compare Layouts', 60000);
    const frame = webviewFrame(page);
    await frame.locator('table.compare tbody tr').nth(3).waitFor({ timeout: 60000 });
    await frame.locator('.chart svg').nth(2).waitFor({ timeout: 30000 });
    assert.match(await frame.locator('body').getAttribute('class'), /\bvscode-light\b/);
    await maximizeCompare(page);
    await chartsFitTheirCards(frame);
    await assertLegible(frame, 'light');
    // The workbench around the view is painted dark in headless Chromium's page screenshots even
    // after the reload (its own DOM says light): the README's light picture is the view alone.
    const chrome = await page.locator('.part.activitybar').evaluate((e) => getComputedStyle(e).backgroundColor).catch(() => '?');
    console.log(`# light theme: activity bar background ${chrome}`);
    await shot(page, 'compare-layouts-light', { readme: true, element: page.locator('iframe.webview.ready').first() });
    assert.deepEqual(diagnostics.webview().csp, [], 'no CSP violation in the webview');
    assert.deepEqual(diagnostics.webview().errors, [], 'no console error in the webview');
  });
});

/**
 * Gives the Compare panel the whole window: the side bar closed and its editor group maximized
 * (its tab clicked first, so that its group is the active one).
 */
async function maximizeCompare(page) {
  if (await page.locator('.part.sidebar').isVisible()) await runCommand(page, 'View: Close Primary Side Bar');
  await page.locator('.tabs-container .tab', { hasText: /^Compare/ }).first().click({ timeout: 20000 });
  await runCommand(page, 'View: Toggle Maximize Editor Group');
  await waitUntil(async () => ((await page.locator('iframe.webview.ready').first().boundingBox())?.width ?? 0) > 900, { timeoutMs: 20000, message: "the Compare view fills the editor area" });
}

/** Waits until every chart's SVG has the width of its card (drawn again after the view was resized). */
async function chartsFitTheirCards(frame) {
  await waitUntil(
    () => frame.locator('.chart').evaluateAll((charts) => charts.length >= 3 && charts.every((c) => {
      const svg = c.querySelector('svg');
      return svg && Math.abs(svg.getBoundingClientRect().width - c.getBoundingClientRect().width) <= 2;
    })),
    { timeoutMs: 20000, message: 'the charts were redrawn at their cards\' width' },
  );
}

/**
 * The charts' background is the theme's editor background, and every text of every chart reads
 * on it: a WCAG contrast ratio of at least 3 (large-text level; axis labels are small but bold
 * enough in practice) between its fill and the chart's background.
 */
async function assertLegible(frame, kind) {
  const result = await frame.locator('body').evaluate(() => {
    // The colours ECharts writes: #rgb, #rrggbb(aa) or rgb()/rgba() (no DOM probe: the CSP stays untouched).
    const rgb = (colour) => {
      const c = (colour ?? '').trim().toLowerCase();
      let m = /^#([0-9a-f]{3,4})$/.exec(c);
      if (m) return [...m[1].slice(0, 3)].map((h) => parseInt(h + h, 16));
      m = /^#([0-9a-f]{6})([0-9a-f]{2})?$/.exec(c);
      if (m) return [0, 2, 4].map((i) => parseInt(m[1].slice(i, i + 2), 16));
      m = /^rgba?\(([^)]*)\)$/.exec(c);
      if (m) return m[1].split(/[\s,/]+/).slice(0, 3).map(Number);
      return null;
    };
    const lum = ([r, g, b]) => {
      const c = [r, g, b].map((v) => { const s = v / 255; return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4; });
      return 0.2126 * c[0] + 0.7152 * c[1] + 0.0722 * c[2];
    };
    const ratio = (a, b) => { const [x, y] = [lum(a), lum(b)].sort((p, q) => q - p); return (x + 0.05) / (y + 0.05); };
    const editorBg = getComputedStyle(document.body).getPropertyValue('--vscode-editor-background').trim();
    const bad = [];
    const backgrounds = [];
    for (const chart of document.querySelectorAll('.chart')) {
      const svg = chart.querySelector('svg');
      const bgFill = svg?.querySelector('rect')?.getAttribute('fill');
      backgrounds.push(bgFill);
      const bg = rgb(bgFill ?? editorBg);
      for (const t of svg?.querySelectorAll('text') ?? []) {
        const fill = t.getAttribute('fill');
        const c = fill && rgb(fill);
        if (!c || !t.textContent.trim()) continue;
        const r = ratio(c, bg);
        if (r < 3) bad.push(`${t.textContent.trim()} (${fill} on ${bgFill}: ${r.toFixed(2)})`);
      }
    }
    return { editorBg: rgb(editorBg), backgrounds: backgrounds.map((b) => rgb(b)), bad };
  });
  const light = lum255(result.editorBg) > 0.5;
  assert.equal(light, kind === 'light', `${kind} theme: editor background ${result.editorBg}`);
  for (const b of result.backgrounds) assert.deepEqual(b, result.editorBg, 'each chart is drawn on the editor background');
  assert.deepEqual(result.bad, [], `chart texts that do not read on the ${kind} background`);
}

/** Relative luminance of an [r, g, b] colour (0–255), roughly: enough to tell light from dark. */
function lum255([r, g, b]) {
  return (0.2126 * r + 0.7152 * g + 0.0722 * b) / 255;
}
