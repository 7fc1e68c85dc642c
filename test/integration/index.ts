// Extension-host test entry (the `extensionTestsPath` module): VS Code loads it in the extension
// host and calls run(), as @vscode/test-electron does. test/integration/run.mjs bundles it and
// runs it inside code-server through the e2e harness's payload runner.

import * as fs from 'node:fs';
import * as path from 'node:path';
import * as util from 'node:util';
import Mocha from 'mocha';

/**
 * code-server does not forward the extension host's console, so the runner names a file in
 * E2E_TEST_LOG and prints it afterwards. Mocha's reporters print through Base.consoleLog,
 * which is looked up at each call.
 */
function teeReporterOutput(): void {
  const file = process.env.E2E_TEST_LOG;
  if (!file) return;
  const base = Mocha.reporters.Base as unknown as { consoleLog: (...args: unknown[]) => void };
  const original = base.consoleLog;
  base.consoleLog = (...args: unknown[]) => {
    fs.appendFileSync(file, util.format(...args) + '\n');
    original(...args);
  };
}

export function run(): Promise<void> {
  teeReporterOutput();
  const mocha = new Mocha({ ui: 'tdd', color: false, timeout: 60000 });
  mocha.addFile(path.join(__dirname, 'extension.test.js'));
  return new Promise((resolve, reject) => {
    mocha.run((failures) => (failures ? reject(new Error(`${failures} integration test(s) failed`)) : resolve()));
  });
}
