// Cost reports fetched from the language server, one per document version: the compare view asks
// on every edit, and asks again for a version only when the previous request failed.

import type * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import { ReportRequest, type ReportJson } from '../../server/src/protocol/requests';

interface Entry {
  version: number;
  report: Promise<ReportJson | null>;
}

export class ReportCache {
  private readonly entries = new Map<string, Entry>();

  constructor(private readonly getClient: () => LanguageClient | undefined) {}

  /** The report of this version of the document; null when the server has none. */
  get(document: vscode.TextDocument): Promise<ReportJson | null> {
    const key = document.uri.toString();
    const cached = this.entries.get(key);
    if (cached && cached.version === document.version) return cached.report;
    const client = this.getClient();
    if (!client || !client.isRunning()) return Promise.reject(new Error('the shardlens language server is not running'));
    const report = client.sendRequest(ReportRequest, { uri: key }).then((r) => r ?? null);
    const entry = { version: document.version, report };
    this.entries.set(key, entry);
    // A failed request is not cached, so the next caller tries again.
    report.catch(() => {
      if (this.entries.get(key) === entry) this.entries.delete(key);
    });
    return report;
  }

  forget(uri: vscode.Uri): void {
    this.entries.delete(uri.toString());
  }

  clear(): void {
    this.entries.clear();
  }
}
