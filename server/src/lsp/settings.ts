// Settings per resource. With a client that answers `workspace/configuration`, each document's
// `shardlens` section is asked for once and cached until the configuration changes; otherwise
// the settings pushed with `didChangeConfiguration` apply to every document.

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
        .then(settingsFromConfiguration, () => this.global);
      this.perResource.set(uri, cached);
    }
    return cached;
  }

  /** After `workspace/didChangeConfiguration`: forget every cached answer. */
  changed(pushed: unknown): void {
    this.perResource.clear();
    const section = pushed && typeof pushed === 'object' ? (pushed as Record<string, unknown>)[SETTINGS_SECTION] : undefined;
    if (section !== undefined) this.global = settingsFromConfiguration(section);
  }

  forget(uri: string): void {
    this.perResource.delete(uri);
  }
}
