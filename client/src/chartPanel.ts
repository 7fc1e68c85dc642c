// The search chart panel: Show Sweep (Pope Fig. 1, cost against latency with the Pareto frontier)
// and Show Crossover (Pope Fig. 3, FFN communication volume against tokens with the switch
// points). One panel per kind; running the command again retargets it. A sweep may hold several
// layouts of the file, one series each, as Pope Fig. 1 draws one per model.
//
// Unlike Compare, the panel does not follow edits: a search can take seconds and runs only when
// asked (the command, the Run again button, or restoring a panel after a reload). Security as in
// comparePanel.ts: the shared fixed HTML template (webviewHtml.ts, through webviewPanel.ts), data by
// postMessage after the `ready` handshake, every message from the webview validated
// (parseChartWebviewMessage).

import * as path from 'node:path';
import * as vscode from 'vscode';
import { CHART_VIEW_TYPE, parseChartViewState, parseChartWebviewMessage, type ChartHostMessage, type ChartKind, type ChartViewState, type ChartWebviewMessage } from '../../server/src/protocol/chartView';
import type { CrossoverResult, SweepResult } from '../../server/src/protocol/requests';
import type { LayoutLocator } from './layouts';
import type { SearchOutcome } from './searchCommands';
import { createPanelBeside, restorePanelOptions, showLayout, WebviewPanelHost } from './webviewPanel';

export interface ChartPanelServices {
  extensionUri: vscode.Uri;
  output: vscode.OutputChannel;
  layouts: LayoutLocator;
  /** A sweep of each layout (in order; null when the server has no such document), or the crossover of the first. */
  search(kind: 'sweep', document: vscode.TextDocument, layouts: string[]): Promise<SearchOutcome<(SweepResult | null)[]>>;
  search(kind: 'crossover', document: vscode.TextDocument, layouts: string[]): Promise<SearchOutcome<CrossoverResult | null>>;
}

const TITLES: Record<ChartKind, string> = { sweep: 'Sweep', crossover: 'FFN Crossover' };

export class ChartPanel extends WebviewPanelHost<ChartWebviewMessage> {
  static readonly current = new Map<ChartKind, ChartPanel>();

  /** The message on screen (or to show once ready); re-sent when a hidden webview comes back. */
  private shown: ChartHostMessage | undefined;
  private generation = 0;
  private searched = false;

  private constructor(
    panel: vscode.WebviewPanel,
    private readonly services: ChartPanelServices,
    private readonly kind: ChartKind,
    private uri: vscode.Uri,
    private layouts: string[],
  ) {
    super(panel, { ...services, bundle: 'chart', pageTitle: 'shardlens chart', parse: parseChartWebviewMessage, logTag: 'chart' });
    this.updateTitle();
  }

  static async createOrShow(services: ChartPanelServices, kind: ChartKind, document: vscode.TextDocument, layouts: string[]): Promise<void> {
    let panel = ChartPanel.current.get(kind);
    if (panel) {
      panel.panel.reveal(panel.panel.viewColumn, true);
      panel.uri = document.uri;
      panel.layouts = layouts;
      panel.updateTitle();
    } else {
      const webviewPanel = createPanelBeside(CHART_VIEW_TYPE, TITLES[kind], services.extensionUri);
      panel = new ChartPanel(webviewPanel, services, kind, document.uri, layouts);
      ChartPanel.current.set(kind, panel);
    }
    await panel.run();
  }

  /** Restores a panel VS Code kept across a reload; it searches again once its webview is ready. */
  static revive(panel: vscode.WebviewPanel, services: ChartPanelServices, rawState: unknown): void {
    const state = parseChartViewState(rawState);
    if (!state) {
      panel.dispose();
      return;
    }
    restorePanelOptions(panel, services.extensionUri);
    ChartPanel.current.get(state.kind)?.panel.dispose();
    ChartPanel.current.set(state.kind, new ChartPanel(panel, services, state.kind, vscode.Uri.parse(state.uri), state.layouts));
  }

  static serializers(services: ChartPanelServices): vscode.Disposable[] {
    const serializer: vscode.WebviewPanelSerializer<ChartViewState> = {
      async deserializeWebviewPanel(panel: vscode.WebviewPanel, state: unknown) {
        ChartPanel.revive(panel, services, state);
      },
    };
    return [vscode.window.registerWebviewPanelSerializer(CHART_VIEW_TYPE, serializer)];
  }

  override dispose(): void {
    if (ChartPanel.current.get(this.kind) === this) ChartPanel.current.delete(this.kind);
    this.generation++;
    super.dispose();
  }

  private updateTitle(): void {
    const names = this.layouts.length <= 2 ? this.layouts.join(', ') : `${this.layouts.length} layouts`;
    this.panel.title = `${TITLES[this.kind]}: ${names} (${path.posix.basename(this.uri.path)})`;
  }

  private post(message: ChartHostMessage): void {
    if (message.type !== 'status') this.shown = message;
    if (this.ready) void this.panel.webview.postMessage(message);
  }

  private async run(): Promise<void> {
    const generation = ++this.generation;
    this.searched = true;
    const { uri, kind } = this;
    const layouts = [...this.layouts];
    const names = layouts.join(', ');
    this.post({ type: 'status', state: 'loading', text: `${kind === 'sweep' ? 'Sweeping' : 'Measuring the FFN layouts for'} ${names}…` });
    const base = { uri: uri.toString(), fileName: path.posix.basename(uri.path) };
    let message: ChartHostMessage | undefined;
    let cancelled = false;
    try {
      const document = await vscode.workspace.openTextDocument(uri);
      if (kind === 'sweep') {
        const outcome = await this.services.search('sweep', document, layouts);
        if (outcome === 'cancelled') cancelled = true;
        else {
          const results = outcome.result.filter((r): r is SweepResult => r !== null);
          if (results.length > 0) message = { type: 'sweep', ...base, results };
        }
      } else {
        const outcome = await this.services.search('crossover', document, layouts.slice(0, 1));
        if (outcome === 'cancelled') cancelled = true;
        else if (outcome.result) message = { type: 'crossover', ...base, layout: layouts[0], result: outcome.result };
      }
    } catch (e) {
      if (generation !== this.generation) return;
      const text = e instanceof Error ? e.message : String(e);
      this.services.output.appendLine(`[${kind}] ${names} in ${uri.toString()}: ${text}`);
      this.post({ type: 'status', state: 'error', text: `No ${kind}: ${text}` });
      return;
    }
    // Retargeted or closed while the search ran: that newer request owns the view.
    if (generation !== this.generation) return;
    if (cancelled) this.post({ type: 'status', state: 'error', text: 'Cancelled. Use Run again to search.' });
    else if (!message) this.post({ type: 'status', state: 'error', text: 'The language server does not have this file open.' });
    else this.post(message);
  }

  protected onMessage(message: ChartWebviewMessage): void {
    switch (message.type) {
      case 'ready':
        this.ready = true;
        if (this.shown) void this.panel.webview.postMessage(this.shown);
        // A restored panel has nothing yet: search once.
        else if (!this.searched) void this.run();
        return;
      case 'rerun':
        void this.run();
        return;
      case 'revealLayout':
        // Only this panel's layouts; the webview cannot make us open anything else.
        if (this.layouts.includes(message.name)) void showLayout(this.services.layouts, this.uri, message.name);
        return;
    }
  }
}
