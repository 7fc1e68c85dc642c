// Settings per resource. With a client that answers `workspace/configuration`, each document's
// `shardlens` section is asked for once and cached until the configuration changes. Otherwise
// (no such capability, an error, or a null answer: the client has no `shardlens` section) one
// set applies to every document: the `shardlens` section of `initializationOptions`, replaced by
// what `didChangeConfiguration` pushes. Both carry the same `{ shardlens: {...} }` object, so
// editors whose only setting is "options sent at start" (Helix's `config`, Neovim's
// `init_options`) need nothing else.

import type { Connection } from 'vscode-languageserver/node';
import { DEFAULT_SETTINGS, settingsFromConfiguration, type FeatureSettings } from '../engine/index';

export const SETTINGS_SECTION = 'shardlens';

export class SettingsStore {
  private readonly perResource = new Map<string, Promise<FeatureSettings>>();
  private global: FeatureSettings = DEFAULT_SETTINGS;

  constructor(
    private readonly connection: Connection,
    private readonly clientAnswersConfiguration: () => boolean,
  ) {}

  for(uri: string): Promise<FeatureSettings> {
    if (!this.clientAnswersConfiguration()) return Promise.resolve(this.global);
    let cached = this.perResource.get(uri);
    if (!cached) {
      cached = this.connection.workspace
        .getConfiguration({ scopeUri: uri, section: SETTINGS_SECTION })
        .then((section: unknown) => (section === null || section === undefined ? this.global : settingsFromConfiguration(section)), () => this.global);
      this.perResource.set(uri, cached);
    }
    return cached;
  }

  /** At `initialize`: the client's `initializationOptions`, the first settings it gives. */
  initialized(initializationOptions: unknown): void {
    this.adopt(initializationOptions);
  }

  /** After `workspace/didChangeConfiguration`: forget every cached answer. */
  changed(pushed: unknown): void {
    this.perResource.clear();
    this.adopt(pushed);
  }

  /** Takes the `shardlens` section of a pushed `{ shardlens: {...} }` object, when it has one. */
  private adopt(pushed: unknown): void {
    const section = pushed && typeof pushed === 'object' ? (pushed as Record<string, unknown>)[SETTINGS_SECTION] : undefined;
    if (section !== undefined) this.global = settingsFromConfiguration(section);
  }

  forget(uri: string): void {
    this.perResource.delete(uri);
  }
}
