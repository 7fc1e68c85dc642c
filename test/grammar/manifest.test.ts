// The extension manifest (package.json `contributes` and friends) against the files and code it
// points at: a command the client registers but the manifest forgets does not show in the
// palette, and a wrong path silently drops the grammar, snippets or icon.

import { existsSync, readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const pkg = JSON.parse(readFileSync(path.join(repoRoot, 'package.json'), 'utf8'));
const contributes = pkg.contributes;
const exists = (p: string) => existsSync(path.join(repoRoot, p));

describe('extension manifest', () => {
  it('contributes the shard language with its configuration, grammar, snippets and icons', () => {
    const [language] = contributes.languages;
    expect(language).toMatchObject({ id: 'shard', extensions: ['.shard'] });
    expect(exists(language.configuration)).toBe(true);
    expect(exists(language.icon.light) && exists(language.icon.dark)).toBe(true);
    const grammar = contributes.grammars.find((g: { language: string }) => g.language === 'shard');
    expect(grammar.scopeName).toBe('source.shard');
    expect(JSON.parse(readFileSync(path.join(repoRoot, grammar.path), 'utf8')).scopeName).toBe('source.shard');
    expect(exists(contributes.snippets[0].path)).toBe(true);
  });

  it('declares every command the client registers, and the client registers every declared command', () => {
    // Commands are registered across the client's files, by literal id or by a constant.
    const dir = path.join(repoRoot, 'client/src');
    const source = readdirSync(dir)
      .filter((f) => f.endsWith('.ts'))
      .map((f) => readFileSync(path.join(dir, f), 'utf8'))
      .join('\n');
    const constants = new Map([...source.matchAll(/const (\w+) = '(shardlens\.[\w.]+)'/g)].map((m) => [m[1], m[2]]));
    const registered = [...source.matchAll(/registerCommand\((?:'([^']+)'|(\w+))/g)].map((m) => m[1] ?? constants.get(m[2]) ?? m[2]).sort();
    const declared = contributes.commands.map((c: { command: string }) => c.command).sort();
    expect(registered).toEqual(declared);
    expect(declared).toEqual([
      'shardlens.compareLayouts',
      'shardlens.explainLayout',
      'shardlens.findBestLayout',
      'shardlens.restartServer',
      'shardlens.showCrossover',
      'shardlens.showOutput',
      'shardlens.showSharding',
      'shardlens.showSweep',
      'shardlens.showTimeline',
    ]);
    const titleButton = contributes.menus['editor/title'][0];
    expect(titleButton).toMatchObject({ command: 'shardlens.compareLayouts', when: 'resourceLangId == shard' });
  });

  it('declares the settings the client and server read', () => {
    const props = contributes.configuration.properties;
    expect(props['shardlens.inlayHints.detail'].enum).toEqual(['off', 'type', 'time', 'volume']);
    expect(props['shardlens.hints.severity'].enum).toEqual(['off', 'hint', 'information', 'warning']);
    expect(props['shardlens.decode.context'].enum).toEqual(['mean', 'last']);
    // vscode-languageclient reads `<client id>.trace.server`; the client id is `shardlens`.
    expect(props['shardlens.trace.server'].enum).toEqual(['off', 'messages', 'verbose']);
  });

  it('restores the compare panel, supports restricted and virtual workspaces, and packages bundled', () => {
    expect(pkg.activationEvents).toContain('onWebviewPanel:shardlens.compare');
    expect(pkg.capabilities.untrustedWorkspaces.supported).toBe(true);
    expect(pkg.capabilities.virtualWorkspaces).toBe(true);
    expect(pkg.vsce).toEqual({ dependencies: false });
    expect(pkg.icon).toMatch(/\.png$/);
    const icon = readFileSync(path.join(repoRoot, pkg.icon));
    expect(icon.subarray(1, 4).toString()).toBe('PNG');
    expect([icon.readUInt32BE(16), icon.readUInt32BE(20)]).toEqual([128, 128]);
    expect(pkg.scripts.package).toMatch(/vsce package --no-dependencies/);
  });

  it('keeps @types/vscode within engines.vscode, as vsce requires', () => {
    const engine = pkg.engines.vscode.replace(/^\^/, '');
    const types = pkg.devDependencies['@types/vscode'].replace(/^[~^]/, '');
    expect(types.split('.').slice(0, 2)).toEqual(engine.split('.').slice(0, 2));
  });
});
