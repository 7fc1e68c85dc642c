// Runs an extension-host test suite (the `run()` module @vscode/test-electron would load) inside
// code-server, with no Electron: the web workbench reads a `payload` query parameter naming the
// extension under development and the tests module, runs the tests in the Node extension host,
// and calls the page function `codeAutomationExit(code)` with the result (the hook @vscode/test-web
// uses). See shared/testing/real-vscode.md.
//
// As a module: `await runExtensionTests({ extensionDevelopmentPath, extensionTestsPath })` → exit code.
// From a shell:
//   node test/e2e/run-extension-tests.mjs --extension DIR --tests FILE.js [--workspace DIR] [--timeout MS]
// exits 0 when the suite passed, 1 when it failed, 2 on a harness problem.

import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { launchBrowser, newPage, startCodeServer, withDeadline } from './harness.mjs';

/**
 * @param {object} opts
 * @param {string} opts.extensionDevelopmentPath  absolute folder of the extension (its package.json)
 * @param {string} opts.extensionTestsPath        absolute path of the module exporting run()
 * @param {string} [opts.workspace]               folder to open (copied into private state)
 * @param {object} [opts.settings]
 * @param {number} [opts.timeoutMs]
 * @param {(line: string) => void} [opts.log]     receives the extension host's console output
 * @returns {Promise<{ exitCode: number, output: string[] }>}
 */
export async function runExtensionTests(opts) {
  const log = opts.log ?? ((line) => process.stdout.write(line + '\n'));
  // code-server does not forward the extension host's console.log to the page, so a suite's
  // reporter output would be lost. The extension host inherits the server's environment: a suite
  // that finds E2E_TEST_LOG appends its output there (see fixtures/hello-ext/test/passing/index.js),
  // and we print the file when the run ends.
  const logDir = mkdtempSync(path.join(tmpdir(), 'shardlens-exttests-'));
  const testLog = path.join(logDir, 'tests.log');
  writeFileSync(testLog, '');
  const server = await startCodeServer({ workspace: opts.workspace, settings: opts.settings, env: { E2E_TEST_LOG: testLog } });
  let browser;
  const output = [];
  try {
    browser = await launchBrowser();
    const { page } = await newPage(browser);
    // The page console carries the error a failing run() throws (with its stack); the rest is
    // workbench chatter, and the offline marketplace lookup always fails here.
    page.on('console', (msg) => {
      const text = msg.text();
      if (msg.type() !== 'error' || text.startsWith('%c') || /Failed to load resource|open-vsx\.org/.test(text)) return;
      const line = `[extension host] ${text}`;
      output.push(line);
      log(line);
    });
    const exit = new Promise((resolve) => {
      page.exposeFunction('codeAutomationExit', (code) => resolve(Number(code)));
    });
    const payload = JSON.stringify([
      ['extensionDevelopmentPath', server.remoteUri(path.resolve(opts.extensionDevelopmentPath))],
      ['extensionTestsPath', server.remoteUri(path.resolve(opts.extensionTestsPath))],
    ]);
    await page.goto(server.workbenchUrl({ payload }));
    const exitCode = await withDeadline(exit, opts.timeoutMs ?? 180000, 'the extension tests did not finish');
    for (const line of readFileSync(testLog, 'utf8').replace(/\n$/, '').split('\n')) {
      if (line === '' && output.length === 0) continue;
      output.push(line);
      log(line);
    }
    return { exitCode, output };
  } catch (e) {
    const tail = server.log().split('\n').slice(-20).join('\n');
    throw new Error(`${e.message}\n--- code-server log (tail) ---\n${tail}`);
  } finally {
    await browser?.close();
    await server.stop();
    rmSync(logDir, { recursive: true, force: true });
  }
}

function parseCli(argv) {
  const opts = {};
  for (let i = 0; i < argv.length; i++) {
    const [flag, value] = [argv[i], argv[i + 1]];
    if (flag === '--extension') opts.extensionDevelopmentPath = path.resolve(value);
    else if (flag === '--tests') opts.extensionTestsPath = path.resolve(value);
    else if (flag === '--workspace') opts.workspace = path.resolve(value);
    else if (flag === '--timeout') opts.timeoutMs = Number(value);
    else throw new Error(`unknown argument '${flag}'`);
    i++;
  }
  if (!opts.extensionDevelopmentPath || !opts.extensionTestsPath) throw new Error('--extension DIR and --tests FILE are required');
  return opts;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    const { exitCode } = await runExtensionTests(parseCli(process.argv.slice(2)));
    console.log(`extension tests exited with ${exitCode}`);
    process.exitCode = exitCode === 0 ? 0 : 1;
  } catch (e) {
    console.error(`run-extension-tests: ${e.message}`);
    process.exitCode = 2;
  }
}
