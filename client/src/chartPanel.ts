// The search chart panel: Show Sweep (Pope Fig. 1, cost against latency with the Pareto frontier)
// and Show Crossover (Pope Fig. 3, FFN communication volume against tokens with the switch
// points). One panel per kind; running the command again retargets it.
//
// Unlike Compare, the panel does not follow edits: a search can take seconds and runs only when
// asked (the command, the Run again button, or restoring a panel after a reload). Security as in
// comparePanel.ts: the shared fixed HTML template (webviewHtml.ts), data by postMessage after the
// `ready` handshake, every message from the webview validated (parseChartWebviewMessage).

import * as path from 'node:path';
import * as vscode from 'vscode';
import { CHART_VIEW_TYPE, parseChartViewState, parseChartWebviewMessage, type ChartHostMessage, type ChartKind, type ChartViewState } from './chartProtocol';
import { findLayoutRanges } from './layoutRanges';
import type { CrossoverResult, SweepResult } from './lspProtocol';
import type { SearchOutcome } from './searchCommands';
import { webviewHtml, webviewOptions } from './webviewHtml';

export interface ChartPanelServices {
  extensionUri: vscode.Uri;
  output: vscode.OutputChannel;
  search(kind: ChartKind, document: vscode.TextDocument, layout: string): Promise<SearchOutcome<SweepResult | CrossoverResult | null>>;
}

const TITLES: Record<ChartKind, string> = { sweep: 'Sweep', crossover: 'FFN Crossover' };

export class ChartPanel {
  static readonly current = new Map<ChartKind, ChartPanel>();

  private readonly disposables: vscode.Disposable[] = [];
  private ready = false;
  /** The message on screen (or to show once ready); re-sent when a hidden webview comes back. */
  private shown: ChartHostMessage | undefined;
  private generation = 0;
  private searched = false;

  private constructor(
    private readonly panel: vscode.WebviewPanel,
    private readonly services: ChartPanelServices,
    private readonly kind: ChartKind,
    private uri: vscode.Uri,
    private layout: string,
  ) {
    panel.webview.html = webviewHtml(panel.webview, services.extensionUri, 'chart', 'shardlens chart');
    panel.iconPath = vscode.Uri.joinPath(services.extensionUri, 'icons', 'shardlens.png');
    this.disposables.push(
      panel.onDidDispose(() => this.dispose()),
      panel.webview.onDidReceiveMessage((raw: unknown) => this.onMessage(raw)),
      // A hidden webview drops messages and reloads its script when shown; it says `ready` again.
      panel.onDidChangeViewState(() => {
        if (!panel.visible) this.ready = false;
      }),
    );
    this.updateTitle();
  }

  static async createOrShow(services: ChartPanelServices, kind: ChartKind, document: vscode.TextDocument, layout: string): Promise<void> {
    let panel = ChartPanel.current.get(kind);
    if (panel) {
      panel.panel.reveal(panel.panel.viewColumn, true);
      panel.uri = document.uri;
      panel.layout = layout;
      panel.updateTitle();
    } else {
      const column = vscode.window.activeTextEditor ? vscode.ViewColumn.Beside : vscode.ViewColumn.Active;
      const webviewPanel = vscode.window.createWebviewPanel(CHART_VIEW_TYPE, TITLES[kind], { viewColumn: column, preserveFocus: true }, webviewOptions(services.extensionUri));
      panel = new ChartPanel(webviewPanel, services, kind, document.uri, layout);
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
    panel.webview.options = webviewOptions(services.extensionUri);
    ChartPanel.current.get(state.kind)?.panel.dispose();
    ChartPanel.current.set(state.kind, new ChartPanel(panel, services, state.kind, vscode.Uri.parse(state.uri), state.layout));
  }

  static serializers(services: ChartPanelServices): vscode.Disposable[] {
    const serializer: vscode.WebviewPanelSerializer<ChartViewState> = {
      async deserializeWebviewPanel(panel: vscode.WebviewPanel, state: unknown) {
        ChartPanel.revive(panel, services, state);
      },
    };
    return [vscode.window.registerWebviewPanelSerializer(CHART_VIEW_TYPE, serializer)];
  }

  dispose(): void {
    if (ChartPanel.current.get(this.kind) === this) ChartPanel.current.delete(this.kind);
    this.generation++;
    this.panel.dispose();
    while (this.disposables.length) this.disposables.pop()?.dispose();
  }

  /** What the panel shows now (for tests and the integration suite). */
  get state(): { kind: ChartKind; uri: string; layout: string; shown: ChartHostMessage['type'] | undefined } {
    return { kind: this.kind, uri: this.uri.toString(), layout: this.layout, shown: this.shown?.type };
  }

  private updateTitle(): void {
    this.panel.title = `${TITLES[this.kind]}: ${this.layout} (${path.posix.basename(this.uri.path)})`;
  }

  private post(message: ChartHostMessage): void {
    if (message.type !== 'status') this.shown = message;
    if (this.ready) void this.panel.webview.postMessage(message);
  }

  private async run(): Promise<void> {
    const generation = ++this.generation;
    this.searched = true;
    const { uri, layout, kind } = this;
    this.post({ type: 'status', state: 'loading', text: `${kind === 'sweep' ? 'Sweeping' : 'Measuring the FFN layouts for'} ${layout}…` });
    let outcome: SearchOutcome<SweepResult | CrossoverResult | null>;
    try {
      const document = await vscode.workspace.openTextDocument(uri);
      outcome = await this.services.search(kind, document, layout);
    } catch (e) {
      if (generation !== this.generation) return;
      const text = e instanceof Error ? e.message : String(e);
      this.services.output.appendLine(`[${kind}] ${layout} in ${uri.toString()}: ${text}`);
      this.post({ type: 'status', state: 'error', text: `No ${kind}: ${text}` });
      return;
    }
    // Retargeted or closed while the search ran: that newer request owns the view.
    if (generation !== this.generation) return;
    if (outcome === 'cancelled') {
      this.post({ type: 'status', state: 'error', text: 'Cancelled. Use Run again to search.' });
      return;
    }
    const result = outcome.result;
    if (!result) {
      this.post({ type: 'status', state: 'error', text: 'The language server does not have this file open.' });
      return;
    }
    const base = { uri: uri.toString(), fileName: path.posix.basename(uri.path), layout };
    this.post(kind === 'sweep' ? { type: 'sweep', ...base, result: result as SweepResult } : { type: 'crossover', ...base, result: result as CrossoverResult });
  }

  private onMessage(raw: unknown): void {
    const message = parseChartWebviewMessage(raw);
    if (!message) {
      this.services.output.appendLine(`[chart] ignored a malformed message from the webview`);
      return;
    }
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
        // Only this panel's layout; the webview cannot make us open anything else.
        if (message.name === this.layout) void this.reveal();
        return;
    }
  }

  private async reveal(): Promise<void> {
    const document = await vscode.workspace.openTextDocument(this.uri);
    const range = findLayoutRanges(document.getText()).find((r) => r.name === this.layout);
    if (!range) return;
    const selection = new vscode.Range(document.positionAt(range.nameStart), document.positionAt(range.nameEnd));
    const visible = vscode.window.visibleTextEditors.find((e) => e.document.uri.toString() === this.uri.toString());
    await vscode.window.showTextDocument(document, { viewColumn: visible?.viewColumn ?? vscode.ViewColumn.One, selection });
  }
}
