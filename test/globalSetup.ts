// Builds the bundles once before any test file runs: several suites exercise what users get
// (dist/cli.js, dist/server.js), and one build avoids two concurrent builds racing on dist/.
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';

export default function setup(): void {
  const root = resolve(__dirname, '..');
  const b = spawnSync(process.execPath, ['esbuild.mjs'], { cwd: root, encoding: 'utf8' });
  if (b.status !== 0) throw new Error(`build failed: ${b.stderr}`);
}
