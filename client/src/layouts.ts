// A document's layouts as the language server's parser sees them (`shardlens/layouts`), in
// VS Code's terms. The commands list and pick layouts with it, the panels reveal one, Find Best
// Layout inserts after one: the client never scans `.shard` text itself.

import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import { LayoutsRequest } from '../../server/src/protocol/requests';

export interface LayoutPlace {
  name: string;
  /** The declaration, from the `layout` keyword through its closing brace. */
  range: vscode.Range;
  nameRange: vscode.Range;
}

export class LayoutLocator {
  constructor(private readonly getClient: () => LanguageClient | undefined) {}

  /** The document's layouts, in file order. Waits for a starting server; rejects when there is none. */
  async list(document: vscode.TextDocument): Promise<LayoutPlace[]> {
    const client = this.getClient();
    if (!client) throw new Error('the shardlens language server is not running');
    const found = (await client.sendRequest(LayoutsRequest, { uri: document.uri.toString() })) ?? [];
    const range = (r: (typeof found)[number]['range']) => client.protocol2CodeConverter.asRange(r);
    return found.map((l) => ({ name: l.name, range: range(l.range), nameRange: range(l.nameRange) }));
  }

  async named(document: vscode.TextDocument, name: string): Promise<LayoutPlace | undefined> {
    return (await this.list(document)).find((l) => l.name === name);
  }

  /** The layout whose declaration contains `position`, if any. */
  async at(document: vscode.TextDocument, position: vscode.Position): Promise<LayoutPlace | undefined> {
    return (await this.list(document)).find((l) => l.range.contains(position));
  }
}
