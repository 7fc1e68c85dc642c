// The payload runner (run-extension-tests.mjs) on the fixture suites: a passing Mocha suite must
// give exit code 0 and its reporter output; a failing one must give 1 and the assertion text, so a
// broken suite can never pass silently.

import assert from 'node:assert/strict';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { repoRoot } from '../harness.mjs';
import { runExtensionTests } from '../run-extension-tests.mjs';

const ext = path.join(repoRoot, 'test/e2e/fixtures/hello-ext');
const quiet = () => {};

describe('extension-host tests through the payload parameter', { timeout: 240000 }, () => {
  it('passes a passing Mocha suite and returns its report', async () => {
    const { exitCode, output } = await runExtensionTests({
      extensionDevelopmentPath: ext,
      extensionTestsPath: path.join(ext, 'test/passing/index.js'),
      workspace: path.join(repoRoot, 'test/e2e/fixtures/workspace'),
      log: quiet,
    });
    assert.equal(exitCode, 0, output.join('\n'));
    assert.ok(output.some((l) => /✔ runs in VS Code 1\.100 on the Node extension host/.test(l)), output.join('\n'));
    assert.ok(output.some((l) => /\b3 passing\b/.test(l)), output.join('\n'));
  });

  it('fails a failing suite and carries the assertion back', async () => {
    const { exitCode, output } = await runExtensionTests({
      extensionDevelopmentPath: ext,
      extensionTestsPath: path.join(ext, 'test/failing/index.js'),
      log: quiet,
    });
    assert.equal(exitCode, 1);
    assert.ok(output.some((l) => l.includes('deliberate failure from the failing fixture suite')), output.join('\n'));
  });
});
