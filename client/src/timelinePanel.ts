// The Step Timeline panel: one layer of a layout op by op (compute, memory and communication of
// each, overlap and the critical path) and the whole pass, for the layout at the cursor (or
// chosen) and a phase. One panel; running the command again retargets it. Like the search
// charts it does not follow edits: the Phase buttons and the layout button ask again.
//
// Security as in chartPanel.ts: the shared fixed HTML template, data by postMessage after the
// `ready` handshake, every message from the webview validated (parseTimelineWebviewMessage); the
// layout chooser is a QuickPick over the layouts the server lists, never a name the webview sends.

import * as path from 'node:path';
import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import { OpLocationRequest, TimelineRequest } from '../../server/src/protocol/requests';
import { parseTimelineViewState, parseTimelineWebviewMessage, TIMELINE_VIEW_TYPE, type TimelineHostMessage, type TimelineViewState, type TimelineWebviewMessage } from '../../server/src/protocol/timelineView';

type Phase = TimelineViewState['phase'];
import type { LayoutLocator } from './layouts';
import { createPanelBeside, restorePanelOptions, WebviewPanelHost } from './webviewPanel';

export interface TimelinePanelServices {
  extensionUri: vscode.Uri;
  output: vscode.OutputChannel;
  layouts: LayoutLocator;
  getClient(): LanguageClient;
}

export class TimelinePanel extends WebviewPanelHost<TimelineWebviewMessage> {
  static current: TimelinePanel | undefined;

  private shown: TimelineHostMessage | undefined;
  private generation = 0;

  private constructor(
    panel: vscode.WebviewPanel,
    private readonly services: TimelinePanelServices,
    private target: TimelineViewState,
  ) {
    super(panel, { ...services, bundle: 'timeline', pageTitle: 'shardlens timeline', parse: parseTimelineWebviewMessage, logTag: 'timeline' });
    this.updateTitle();
  }

  static createOrShow(services: TimelinePanelServices, document: vscode.TextDocument, layout: string, phase: Phase = 'decode'): void {
    const target = { uri: document.uri.toString(), layout, phase };
    let panel = TimelinePanel.current;
    if (panel) {
      panel.panel.reveal(panel.panel.viewColumn, true);
      panel.target = target;
    } else {
      panel = new TimelinePanel(createPanelBeside(TIMELINE_VIEW_TYPE, 'Timeline', services.extensionUri), services, target);
      TimelinePanel.current = panel;
    }
    void panel.run();
  }

  static serializers(services: TimelinePanelServices): vscode.Disposable[] {
    const serializer: vscode.WebviewPanelSerializer<TimelineViewState> = {
      async deserializeWebviewPanel(panel: vscode.WebviewPanel, raw: unknown) {
        const state = parseTimelineViewState(raw);
        if (!state) {
          panel.dispose();
          return;
        }
        restorePanelOptions(panel, services.extensionUri);
        TimelinePanel.current?.panel.dispose();
        TimelinePanel.current = new TimelinePanel(panel, services, state);
      },
    };
    return [vscode.window.registerWebviewPanelSerializer(TIMELINE_VIEW_TYPE, serializer)];
  }

  override dispose(): void {
    if (TimelinePanel.current === this) TimelinePanel.current = undefined;
    this.generation++;
    super.dispose();
  }

  private updateTitle(): void {
    this.panel.title = `Timeline: ${this.target.layout} (${path.posix.basename(vscode.Uri.parse(this.target.uri).path)})`;
  }

  private post(message: TimelineHostMessage): void {
    this.shown = message;
    if (this.ready) void this.panel.webview.postMessage(message);
  }

  private async run(): Promise<void> {
    const generation = ++this.generation;
    const target = { ...this.target };
    this.updateTitle();
    const uri = vscode.Uri.parse(target.uri);
    try {
      // A restored panel's file may not be open yet: opening it sends it to the server.
      await vscode.workspace.openTextDocument(uri);
      const timeline = await this.services.getClient().sendRequest(TimelineRequest, target);
      if (generation !== this.generation) return;
      if (!timeline) this.post({ type: 'status', state: 'error', text: `Layout '${target.layout}' is not a costed layout of this file (see its diagnostics).` });
      else this.post({ type: 'timeline', uri: target.uri, fileName: path.posix.basename(uri.path), timeline });
    } catch (e) {
      if (generation !== this.generation) return;
      const text = e instanceof Error ? e.message : String(e);
      this.services.output.appendLine(`[timeline] ${target.layout} in ${target.uri}: ${text}`);
      this.post({ type: 'status', state: 'error', text: `No timeline: ${text}` });
    }
  }

  private async chooseLayout(): Promise<void> {
    const document = await vscode.workspace.openTextDocument(vscode.Uri.parse(this.target.uri));
    const names = (await this.services.layouts.list(document)).map((l) => l.name);
    const picked = await vscode.window.showQuickPick(names, { placeHolder: 'Show the timeline of which layout?' });
    if (!picked) return;
    this.target = { ...this.target, layout: picked };
    await this.run();
  }

  /** Selects the statement of a clicked bar; only keys of the timeline on screen, and only where the server knows the place. */
  private async revealOp(key: string): Promise<void> {
    const shown = this.shown;
    if (shown?.type !== 'timeline' || !shown.timeline.layer.bars.some((b) => b.key === key)) return;
    const { uri, layout, phase } = this.target;
    try {
      const range = await this.services.getClient().sendRequest(OpLocationRequest, { uri, layout, phase, key });
      if (!range) {
        vscode.window.setStatusBarMessage(`${key} is in a built-in block: go to definition on the block's name in the layout to read it.`, 5000);
        return;
      }
      const document = await vscode.workspace.openTextDocument(vscode.Uri.parse(uri));
      const selection = this.services.getClient().protocol2CodeConverter.asRange(range);
      const visible = vscode.window.visibleTextEditors.find((e) => e.document.uri.toString() === uri);
      const editor = await vscode.window.showTextDocument(document, { viewColumn: visible?.viewColumn ?? vscode.ViewColumn.One, selection });
      editor.revealRange(selection, vscode.TextEditorRevealType.InCenterIfOutsideViewport);
    } catch (e) {
      this.services.output.appendLine(`[timeline] reveal ${key}: ${e instanceof Error ? e.message : String(e)}`);
    }
  }

  protected onMessage(message: TimelineWebviewMessage): void {
    switch (message.type) {
      case 'ready':
        this.ready = true;
        if (this.shown) void this.panel.webview.postMessage(this.shown);
        else void this.run();
        return;
      case 'choosePhase':
        this.target = { ...this.target, phase: message.phase };
        void this.run();
        return;
      case 'chooseLayout':
        void this.chooseLayout();
        return;
      case 'revealOp':
        void this.revealOp(message.key);
        return;
    }
  }
}
