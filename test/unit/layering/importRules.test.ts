// The import rules of .dependency-cruiser.cjs catch what they are for: `npm run lint:imports`'s
// command, run on a small tree laid out like the repository with one forbidden import of each
// kind and the allowed ones beside them, reports exactly the forbidden ones and fails.

import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const DEPCRUISE = join(REPO_ROOT, 'node_modules/dependency-cruiser/bin/dependency-cruise.mjs');
/** The arguments `npm run lint:imports` passes to depcruise, with the config file made absolute. */
const LINT_ARGS = (JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts['lint:imports']
  .split(/\s+/)
  .slice(1)
  .map((arg) => (arg.endsWith('.cjs') ? join(REPO_ROOT, arg) : arg));

/** The fixture tree: every file imports what its comment says. */
const FILES: Record<string, string> = {
  // Allowed: the engine imports itself and type-only LSP packages.
  'server/src/engine/index.ts': "export { chart } from './charts/chart';\n",
  'server/src/engine/charts/chart.ts': "import type { Range } from 'vscode-languageserver-types';\nexport const chart = (r?: Range) => r;\n",
  // Forbidden: Node, the language server and VS Code from the engine.
  'server/src/engine/leaky.ts': "import { readFileSync } from 'node:fs';\nimport { serve } from '../lsp/server';\nimport * as vscode from 'vscode';\nexport const leaky = [readFileSync, serve, vscode];\n",
  // Allowed: the protocol names the engine entry's types.
  'server/src/protocol/requests.ts': "import type { chart } from '../engine/index';\nexport type Chart = typeof chart;\n",
  // Forbidden: the language server reaching past the engine entry.
  'server/src/lsp/server.ts': "import { chart } from '../engine/index';\nimport { leaky } from '../engine/leaky';\nexport const serve = [chart, leaky];\n",
  // Allowed: the client imports the protocol. Forbidden: the client importing the engine.
  'client/src/extension.ts': "import type { Chart } from '../../server/src/protocol/requests';\nimport { chart } from '../../server/src/engine/index';\nexport const activate = (c: Chart) => [c, chart];\n",
  // Allowed: the entry and the protocol. Forbidden: an engine internal and Node.
  'client/webview/main.ts':
    "import { chart } from '../../server/src/engine/index';\nimport type { Chart } from '../../server/src/protocol/requests';\nimport { chart as direct } from '../../server/src/engine/charts/chart';\nimport { join } from 'node:path';\nexport const draw = (c: Chart) => [c, chart, direct, join];\n",
};

/** Runs the lint in `root`; its violations as `rule: from → to`. */
function lintImports(root: string): { status: number | null; violations: string[] } {
  const run = spawnSync(process.execPath, [DEPCRUISE, ...LINT_ARGS], { cwd: root, encoding: 'utf8' });
  const violations = [...run.stdout.matchAll(/^\s*error (\S+: \S+ → \S+)$/gm)].map((m) => m[1]);
  return { status: run.status, violations };
}

describe('import rules', () => {
  const root = mkdtempSync(join(tmpdir(), 'shardlens-layering-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));
  for (const [path, text] of Object.entries(FILES)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  }

  it('report every forbidden import, and nothing else, and fail', () => {
    const { status, violations } = lintImports(root);
    expect(violations.sort()).toEqual(
      [
        // dependency-cruiser names Node built-ins without the `node:` prefix.
        'engine-imports-node: server/src/engine/leaky.ts → fs',
        'engine-imports-front-end: server/src/engine/leaky.ts → server/src/lsp/server.ts',
        'engine-imports-vscode: server/src/engine/leaky.ts → vscode',
        'front-end-imports-engine-internals: server/src/lsp/server.ts → server/src/engine/leaky.ts',
        'client-imports-beyond-protocol: client/src/extension.ts → server/src/engine/index.ts',
        'webview-imports-beyond-entry-and-protocol: client/webview/main.ts → server/src/engine/charts/chart.ts',
        'webview-imports-node: client/webview/main.ts → path',
      ].sort(),
    );
    expect(status).not.toBe(0);
  }, 60_000);
});
