// The Show Sharding panel: the tiles of the value under the editor's cursor on the mesh of a
// layout that uses its block. It follows the cursor (debounced) in `.shard` editors, asks the
// server what is there (`shardlens/shardingAt`: the client never reads the text), and remembers
// the layout, phase and value chosen, which the next position keeps where it applies. One panel;
// running the command again reveals it at the active editor's cursor.
//
// Security as in chartPanel.ts: the shared fixed HTML template (webviewHtml.ts, through
// webviewPanel.ts), data by postMessage after the `ready` handshake, every message from the
// webview validated (parseShardingWebviewMessage); the choices it can trigger are QuickPicks
// over what the server answered, never names the webview supplies.

import * as path from 'node:path';
import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import { ShardingAtRequest, ShardingRequest, type ShardingAt } from '../../server/src/protocol/requests';
import { parseShardingViewState, parseShardingWebviewMessage, SHARDING_VIEW_TYPE, type ShardingHostMessage, type ShardingViewState, type ShardingWebviewMessage } from '../../server/src/protocol/shardingView';
import { createPanelBeside, restorePanelOptions, WebviewPanelHost } from './webviewPanel';

export interface ShardingPanelServices {
  extensionUri: vscode.Uri;
  output: vscode.OutputChannel;
  getClient(): LanguageClient;
}

type Drawn = Extract<ShardingAt, { kind: 'tiles' }>;

/** Cursor moves closer together than this make one request. */
const FOLLOW_DELAY_MS = 150;

export class ShardingPanel extends WebviewPanelHost<ShardingWebviewMessage> {
  static current: ShardingPanel | undefined;

  /** The message on screen (or to show once ready); re-sent when a hidden webview comes back. */
  private shown: ShardingHostMessage | undefined;
  /** The last answer with tiles: its choices feed the choosers. */
  private last: Drawn | undefined;
  private where: { uri: vscode.Uri; position: vscode.Position } | undefined;
  private preference: Omit<ShardingViewState, 'uri' | 'chip'> = {};
  private generation = 0;
  private timer: ReturnType<typeof setTimeout> | undefined;

  private constructor(
    panel: vscode.WebviewPanel,
    private readonly services: ShardingPanelServices,
    private uri: vscode.Uri,
  ) {
    super(panel, { ...services, bundle: 'sharding', pageTitle: 'shardlens sharding', parse: parseShardingWebviewMessage, logTag: 'sharding' });
    this.disposables.push(
      vscode.window.onDidChangeTextEditorSelection((e) => {
        if (e.textEditor.document.languageId !== 'shard') return;
        this.follow(e.textEditor.document.uri, e.selections[0].active);
      }),
    );
    this.updateTitle();
  }

  static createOrShow(services: ShardingPanelServices, editor: vscode.TextEditor, position = editor.selection.active): void {
    let panel = ShardingPanel.current;
    if (panel) panel.panel.reveal(panel.panel.viewColumn, true);
    else {
      panel = new ShardingPanel(createPanelBeside(SHARDING_VIEW_TYPE, 'Sharding', services.extensionUri), services, editor.document.uri);
      ShardingPanel.current = panel;
    }
    panel.where = { uri: editor.document.uri, position };
    void panel.update();
  }

  /** Restores a panel VS Code kept across a reload: it draws the saved value until the cursor moves. */
  static revive(panel: vscode.WebviewPanel, services: ShardingPanelServices, rawState: unknown): void {
    const state = parseShardingViewState(rawState);
    if (!state) {
      panel.dispose();
      return;
    }
    restorePanelOptions(panel, services.extensionUri);
    ShardingPanel.current?.panel.dispose();
    const revived = new ShardingPanel(panel, services, vscode.Uri.parse(state.uri));
    revived.preference = { layout: state.layout, phase: state.phase, value: state.value };
    ShardingPanel.current = revived;
  }

  static serializers(services: ShardingPanelServices): vscode.Disposable[] {
    const serializer: vscode.WebviewPanelSerializer<ShardingViewState> = {
      async deserializeWebviewPanel(panel: vscode.WebviewPanel, state: unknown) {
        ShardingPanel.revive(panel, services, state);
      },
    };
    return [vscode.window.registerWebviewPanelSerializer(SHARDING_VIEW_TYPE, serializer)];
  }

  override dispose(): void {
    if (ShardingPanel.current === this) ShardingPanel.current = undefined;
    if (this.timer) clearTimeout(this.timer);
    this.generation++;
    super.dispose();
  }

  private updateTitle(): void {
    this.panel.title = `Sharding (${path.posix.basename(this.uri.path)})`;
  }

  private follow(uri: vscode.Uri, position: vscode.Position): void {
    this.where = { uri, position };
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.update(), FOLLOW_DELAY_MS);
  }

  private post(message: ShardingHostMessage): void {
    this.shown = message;
    if (this.ready) void this.panel.webview.postMessage(message);
  }

  private show(uri: vscode.Uri, result: ShardingAt | null): void {
    if (!result) {
      this.post({ type: 'status', state: 'error', text: 'The language server does not have this file open.' });
      return;
    }
    if (result.kind === 'none') {
      this.post({ type: 'status', state: 'empty', text: result.reason });
      return;
    }
    this.last = result;
    this.preference = { layout: result.chosen.layout, phase: result.chosen.phase, value: result.value };
    this.post({ type: 'sharding', uri: uri.toString(), fileName: path.posix.basename(uri.path), result });
  }

  /** Asks the server what is at the cursor, keeping the last choice where it applies. */
  private async update(): Promise<void> {
    const where = this.where;
    if (!where) return;
    const generation = ++this.generation;
    this.uri = where.uri;
    this.updateTitle();
    try {
      const params = { uri: where.uri.toString(), position: { line: where.position.line, character: where.position.character }, ...this.preference };
      const result = await this.services.getClient().sendRequest(ShardingAtRequest, params);
      if (generation === this.generation) this.show(where.uri, result);
    } catch (e) {
      if (generation !== this.generation) return;
      const text = e instanceof Error ? e.message : String(e);
      this.services.output.appendLine(`[sharding] ${where.uri.toString()}: ${text}`);
      this.post({ type: 'status', state: 'error', text: `No sharding: ${text}` });
    }
  }

  /** Draws `value` of the chosen layout and phase, whatever the cursor is on (the value chooser, a restored panel). */
  private async drawValue(layout: string, phase: 'prefill' | 'decode', value: string): Promise<void> {
    const generation = ++this.generation;
    const uri = this.uri;
    try {
      // A restored panel's file may not be open yet: opening it sends it to the server.
      await vscode.workspace.openTextDocument(uri);
      const r = await this.services.getClient().sendRequest(ShardingRequest, { uri: uri.toString(), layout, phase, value });
      if (generation !== this.generation) return;
      if (!r || 'error' in r) {
        this.show(uri, r ? { kind: 'none', reason: r.error } : { kind: 'none', reason: `Layout '${layout}' is not a costed layout of this file (or the file is not open).` });
        return;
      }
      const choices = this.last?.choices ?? [{ layout, phase }];
      this.show(uri, { kind: 'tiles', value, choices, chosen: { layout, phase }, values: this.last?.values ?? [value], tiles: r.tiles });
    } catch (e) {
      if (generation === this.generation) this.post({ type: 'status', state: 'error', text: `No sharding: ${e instanceof Error ? e.message : String(e)}` });
    }
  }

  private async chooseLayout(): Promise<void> {
    const last = this.last;
    if (!last) return;
    const items = last.choices.map((c) => ({ label: `${c.layout} · ${c.phase}`, picked: c.layout === last.chosen.layout && c.phase === last.chosen.phase, choice: c }));
    const picked = await vscode.window.showQuickPick(items, { placeHolder: `Which layout and phase uses block ${last.tiles.block}?` });
    if (!picked) return;
    this.preference = { ...this.preference, layout: picked.choice.layout, phase: picked.choice.phase };
    if (this.where) await this.update();
    else if (this.preference.value) await this.drawValue(picked.choice.layout, picked.choice.phase, this.preference.value);
  }

  private async chooseValue(): Promise<void> {
    const last = this.last;
    if (!last) return;
    const picked = await vscode.window.showQuickPick(last.values, { placeHolder: `Draw which value of ${last.chosen.layout} (${last.chosen.phase})?` });
    if (!picked) return;
    await this.drawValue(last.chosen.layout, last.chosen.phase, picked);
  }

  protected onMessage(message: ShardingWebviewMessage): void {
    switch (message.type) {
      case 'ready':
        this.ready = true;
        if (this.shown) void this.panel.webview.postMessage(this.shown);
        else if (this.where) void this.update();
        else {
          // A restored panel: the saved value, if the state had one.
          const { layout, phase, value } = this.preference;
          if (layout && value) void this.drawValue(layout, phase ?? 'decode', value);
          else this.post({ type: 'status', state: 'empty', text: 'Move the cursor onto a value of a block to see its tiles.' });
        }
        return;
      case 'chooseLayout':
        void this.chooseLayout();
        return;
      case 'chooseValue':
        void this.chooseValue();
        return;
    }
  }
}
