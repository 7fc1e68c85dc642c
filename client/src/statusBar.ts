// The status-bar item: the decode time per token of the layout under the cursor, so the cost of
// an edit shows while typing. Hidden outside `.shard` files and outside layouts. The server
// finds the layout and formats its figures (`shardlens/layoutStatus`); this file lays them out.

import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import { LayoutStatusRequest, type DecodeContext, type LayoutStatus } from '../../server/src/protocol/requests';

const UPDATE_DELAY_MS = 200;

export class LayoutStatusBar implements vscode.Disposable {
  private readonly item: vscode.StatusBarItem;
  private readonly disposables: vscode.Disposable[] = [];
  private timer: ReturnType<typeof setTimeout> | undefined;
  private generation = 0;

  constructor(
    private readonly getClient: () => LanguageClient | undefined,
    private readonly decodeContext: () => DecodeContext,
  ) {
    this.item = vscode.window.createStatusBarItem('shardlens.layoutCost', vscode.StatusBarAlignment.Right, 100);
    this.item.name = 'shardlens: layout cost';
    this.disposables.push(
      this.item,
      vscode.window.onDidChangeActiveTextEditor(() => this.schedule()),
      vscode.window.onDidChangeTextEditorSelection((e) => {
        if (e.textEditor === vscode.window.activeTextEditor) this.schedule();
      }),
      vscode.workspace.onDidChangeTextDocument((e) => {
        if (e.document === vscode.window.activeTextEditor?.document) this.schedule();
      }),
    );
    this.schedule();
  }

  /** Recompute soon; cursor moves come in bursts. */
  schedule(): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.update(), UPDATE_DELAY_MS);
  }

  private async update(): Promise<void> {
    const generation = ++this.generation;
    const editor = vscode.window.activeTextEditor;
    const client = this.getClient();
    if (!editor || editor.document.languageId !== 'shard' || !client?.isRunning()) {
      this.item.hide();
      return;
    }
    const context = this.decodeContext();
    let status: LayoutStatus | null;
    try {
      const position = client.code2ProtocolConverter.asPosition(editor.selection.active);
      status = await client.sendRequest(LayoutStatusRequest, { uri: editor.document.uri.toString(), position, decodeContext: context });
    } catch {
      // The server is starting or restarting; the next cursor move or edit tries again.
      if (generation === this.generation) this.item.hide();
      return;
    }
    if (generation !== this.generation) return;
    if (!status) {
      this.item.hide();
      return;
    }
    const name = status.layout;
    if (!status.costed) {
      this.item.text = `$(circle-slash) ${name}: not costed`;
      this.item.tooltip = status.reason ? `${name} could not be costed: ${status.reason}` : `${name} could not be costed`;
    } else {
      const { decode, prefill } = status;
      // A recorded result goes beside the prediction (the nominal model is a lower bound).
      // Then whether the figures are a nominal roofline or calibrated (the tooltip names the hardware).
      this.item.text = `$(dashboard) ${name}: ${decode.time}/token${status.measured ? ` · ${status.measured}` : ''} · ${status.basis.kind}`;
      const tooltip = new vscode.MarkdownString(undefined, true);
      tooltip.appendMarkdown(`\`${name}\`\n\n`);
      tooltip.appendMarkdown(`- decode: ${decode.time} per token (${context === 'last' ? 'last step' : 'mean context'}), MFU ${decode.mfu}, ${decode.bound}-bound\n`);
      tooltip.appendMarkdown(`- prefill: ${prefill.time}, MFU ${prefill.mfu}, ${prefill.bound}-bound\n`);
      if (status.measured) tooltip.appendMarkdown(`- ${status.measured}\n`);
      tooltip.appendMarkdown(`- figures: ${status.basis.label}\n`);
      tooltip.appendMarkdown('\n');
      tooltip.appendMarkdown('Click to compare layouts.');
      this.item.tooltip = tooltip;
    }
    this.item.command = { title: 'Compare Layouts', command: 'shardlens.compareLayouts', arguments: [name] };
    this.item.show();
  }

  dispose(): void {
    clearTimeout(this.timer);
    while (this.disposables.length) this.disposables.pop()?.dispose();
  }
}
