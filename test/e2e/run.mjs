// `npm run test:vscode`: the real-VS-Code suites. Installs code-server on first use (offline,
// scripts/setup-code-server.sh), checks for Debian's Chromium, then runs every
// test/e2e/suites/*.test.mjs with node's test runner, one file at a time (each starts its own
// code-server and browser; two at once would only fight over two cores).
//
//   node test/e2e/run.mjs [FILTER]   FILTER: run only suite files whose name contains it

import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import * as path from 'node:path';
import { assertCodeServerInstalled, chromiumPath, repoRoot } from './harness.mjs';

function fail(message) {
  console.error(`test:vscode: ${message}`);
  process.exit(2);
}

const started = Date.now();
const setup = spawnSync('bash', [path.join(repoRoot, 'scripts/setup-code-server.sh')], { stdio: 'inherit' });
if (setup.status !== 0) fail('installing code-server failed (see above)');
try {
  assertCodeServerInstalled();
  console.log(`test:vscode: chromium at ${chromiumPath()}`);
} catch (e) {
  fail(e.message);
}

const filter = process.argv[2] ?? '';
const suiteDir = path.join(repoRoot, 'test/e2e/suites');
const files = readdirSync(suiteDir)
  .filter((f) => f.endsWith('.test.mjs') && f.includes(filter))
  .sort()
  .map((f) => path.join('test/e2e/suites', f));
if (files.length === 0) fail(`no suite matches '${filter}'`);

const run = spawnSync(process.execPath, ['--test', '--test-concurrency=1', '--test-reporter=spec', ...files], {
  cwd: repoRoot,
  stdio: 'inherit',
});
const seconds = ((Date.now() - started) / 1000).toFixed(1);
console.log(`test:vscode: ${files.length} suite file(s), exit ${run.status ?? run.signal}, ${seconds} s (screenshots in test/e2e/screenshots/)`);
process.exit(run.status ?? 1);
