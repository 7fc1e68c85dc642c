// Builds the extension and the integration suite, then runs the suite in a real VS Code: the
// desktop build through @vscode/test-electron when VSCODE_EXECUTABLE_PATH names one (nothing is
// downloaded), otherwise code-server through the e2e harness's payload runner. Both load the same
// `run()` entry (test/integration/index.ts). Exit code: 0 passed, 1 failed, 2 harness problem.
// Usage: node test/integration/run.mjs  (npm run test:integration)

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
const electron = process.env.VSCODE_EXECUTABLE_PATH;
try {
  if (electron) {
    // A developer's installed VS Code: test-electron skips its download when given the path.
    const { runTests } = await import('@vscode/test-electron');
    const code = await runTests({
      vscodeExecutablePath: electron,
      extensionDevelopmentPath: repoRoot,
      extensionTestsPath: path.join(outDir, 'index.js'),
      launchArgs: [workspace, '--disable-extensions', '--disable-workspace-trust'],
    });
    exitCode = code === 0 ? 0 : 1;
  } else {
    const result = await runExtensionTests({
      extensionDevelopmentPath: repoRoot,
      extensionTestsPath: path.join(outDir, 'index.js'),
      workspace,
      timeoutMs: 240000,
    });
    exitCode = result.exitCode === 0 ? 0 : 1;
  }
} catch (e) {
  console.error(`integration tests could not run: ${e instanceof Error ? e.message : String(e)}`);
} finally {
  rmSync(workspace, { recursive: true, force: true });
}
process.exit(exitCode);
