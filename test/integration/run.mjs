// Builds the extension and the integration suite, then runs the suite in a real VS Code
// (code-server) through the e2e harness's payload runner. Exit code: 0 passed, 1 failed,
// 2 harness problem. Usage: node test/integration/run.mjs  (npm run test:integration)

import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';
import { runExtensionTests } from '../e2e/run-extension-tests.mjs';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const outDir = path.join(repoRoot, 'out/integration');

await esbuild.build({
  entryPoints: [path.join(repoRoot, 'test/integration/index.ts'), path.join(repoRoot, 'test/integration/extension.test.ts')],
  outdir: outDir,
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  // VS Code provides `vscode`; Mocha is loaded from the repository's node_modules at run time.
  external: ['vscode', 'mocha'],
  sourcemap: 'inline',
  logLevel: 'warning',
});

// The workspace holds a copy of examples/, so the suite edits nothing in the repository.
const workspace = mkdtempSync(path.join(tmpdir(), 'shardlens-integration-ws-'));
cpSync(path.join(repoRoot, 'examples'), path.join(workspace, 'examples'), { recursive: true });

let exitCode = 2;
try {
  const result = await runExtensionTests({
    extensionDevelopmentPath: repoRoot,
    extensionTestsPath: path.join(outDir, 'index.js'),
    workspace,
    timeoutMs: 240000,
  });
  exitCode = result.exitCode === 0 ? 0 : 1;
} catch (e) {
  console.error(`integration tests could not run: ${e instanceof Error ? e.message : String(e)}`);
} finally {
  rmSync(workspace, { recursive: true, force: true });
}
process.exit(exitCode);
