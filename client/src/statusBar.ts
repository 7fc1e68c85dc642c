// The status-bar item: the decode time per token of the layout under the cursor, so the cost of
// an edit shows while typing. Hidden outside `.shard` files and outside layouts.

import * as vscode from 'vscode';
import { decodeSecondsPerToken, type DecodeContext } from '../../server/src/engine/charts/options';
import { isCostedLayout } from '../../server/src/engine/charts/types';
import { formatPercent, formatSeconds } from '../../server/src/engine/report/format';
import { layoutAt } from './layoutRanges';
import type { ReportCache } from './reports';

const UPDATE_DELAY_MS = 200;

export class LayoutStatusBar implements vscode.Disposable {
  private readonly item: vscode.StatusBarItem;
  private readonly disposables: vscode.Disposable[] = [];
  private timer: ReturnType<typeof setTimeout> | undefined;
  private generation = 0;

  constructor(
    private readonly reports: ReportCache,
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
    if (!editor || editor.document.languageId !== 'shard') {
      this.item.hide();
      return;
    }
    const document = editor.document;
    const layout = layoutAt(document.getText(), document.offsetAt(editor.selection.active));
    if (!layout) {
      this.item.hide();
      return;
    }
    let report;
    try {
      report = await this.reports.get(document);
    } catch {
      // The server is starting or restarting; the next cursor move or edit tries again.
      if (generation === this.generation) this.item.hide();
      return;
    }
    if (generation !== this.generation) return;
    const entry = report?.layouts.find((l) => l.name === layout.name);
    if (!entry) {
      this.item.hide();
      return;
    }
    const context = this.decodeContext();
    if (!isCostedLayout(entry)) {
      this.item.text = `$(circle-slash) ${layout.name}: not costed`;
      this.item.tooltip = entry.reason ? `${layout.name} could not be costed: ${entry.reason}` : `${layout.name} could not be costed`;
    } else {
      const perToken = decodeSecondsPerToken(entry.decode, context);
      this.item.text = `$(dashboard) ${layout.name}: ${formatSeconds(perToken)}/token`;
      const tooltip = new vscode.MarkdownString(undefined, true);
      tooltip.appendMarkdown(`\`${layout.name}\`\n\n`);
      tooltip.appendMarkdown(`- decode: ${formatSeconds(perToken)} per token (${context === 'last' ? 'last step' : 'mean context'}), MFU ${formatPercent(entry.decode.mfu ?? 0)}, ${entry.decode.bound}-bound\n`);
      tooltip.appendMarkdown(`- prefill: ${formatSeconds(entry.prefill.latency_s ?? 0)}, MFU ${formatPercent(entry.prefill.mfu ?? 0)}, ${entry.prefill.bound}-bound\n\n`);
      tooltip.appendMarkdown('Click to compare layouts.');
      this.item.tooltip = tooltip;
    }
    this.item.command = { title: 'Compare Layouts', command: 'shardlens.compareLayouts', arguments: [layout.name] };
    this.item.show();
  }

  dispose(): void {
    clearTimeout(this.timer);
    while (this.disposables.length) this.disposables.pop()?.dispose();
  }
}
