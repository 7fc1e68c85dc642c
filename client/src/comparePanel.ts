// The Compare Layouts panel: a webview beside the editor that shows every layout of one `.shard`
// file side by side (table and charts) and follows the file as it is edited.
//
// Security: the HTML is a fixed template with a per-panel crypto nonce and a CSP that allows
// only our bundled script and stylesheet; no text from the file is ever put into HTML. Data
// goes to the webview by postMessage after its `ready` handshake, and every message back is
// validated (parseWebviewMessage) and acted on only for names the current report contains.

import * as path from 'node:path';
import { selectionAfterEdit } from './layoutSelection';
import * as vscode from 'vscode';
import { COMPARE_VIEW_TYPE, parseViewState, parseWebviewMessage, type CompareViewState, type ExportChartMessage, type HostToWebviewMessage, type WebviewToHostMessage } from '../../server/src/protocol/compareView';
import { LAYOUT_NAME } from '../../server/src/protocol/messageChecks';
import type { DecodeContext, ReportJson } from '../../server/src/protocol/requests';
import { decodeDataUrl } from './dataUrl';
import type { LayoutLocator } from './layouts';
import type { ReportCache } from './reports';
import { createPanelBeside, restorePanelOptions, showLayout, WebviewPanelHost } from './webviewPanel';

/** Above this many layouts the panel asks which to draw: more bars than this stop being readable. */
export const QUICK_PICK_THRESHOLD = 6;
const REFRESH_DELAY_MS = 300;

export interface ComparePanelServices {
  extensionUri: vscode.Uri;
  reports: ReportCache;
  layouts: LayoutLocator;
  output: vscode.OutputChannel;
  decodeContext(): DecodeContext;
}

export class ComparePanel extends WebviewPanelHost<WebviewToHostMessage> {
  /** One panel at a time; opening Compare for another file retargets it. */
  static current: ComparePanel | undefined;

  private pending: HostToWebviewMessage | undefined;
  private refreshTimer: ReturnType<typeof setTimeout> | undefined;
  private report: ReportJson | undefined;
  /** The layout names of the last report: a name not among them is a layout the file just gained. */
  private knownNames: Set<string> | undefined;
  private refreshGeneration = 0;
  /** While the layout quick pick is open, reports wait for the choice instead of drawing everything. */
  private choosing = false;

  private constructor(
    panel: vscode.WebviewPanel,
    private readonly services: ComparePanelServices,
    private uri: vscode.Uri,
    private selected: string[] | null,
    private focus: string | null,
  ) {
    // A hidden webview drops messages; the next `ready` (sent when it is shown and its script
    // runs again) triggers a fresh report.
    super(panel, { ...services, bundle: 'main', pageTitle: 'Compare Layouts', parse: parseWebviewMessage, logTag: 'compare' });
    this.disposables.push(
      vscode.workspace.onDidChangeTextDocument((e) => {
        if (e.document.uri.toString() === this.uri.toString() && e.contentChanges.length > 0) this.scheduleRefresh();
      }),
      vscode.workspace.onDidOpenTextDocument((d) => {
        if (d.uri.toString() === this.uri.toString()) this.scheduleRefresh();
      }),
    );
    this.updateTitle();
  }

  static async createOrShow(services: ComparePanelServices, document: vscode.TextDocument, focus: string | null): Promise<void> {
    const existing = ComparePanel.current;
    if (existing) {
      // Stay in the group the user put the panel in.
      existing.panel.reveal(existing.panel.viewColumn, true);
      const sameFile = existing.uri.toString() === document.uri.toString();
      existing.uri = document.uri;
      existing.focus = focus;
      if (!sameFile) {
        existing.selected = null;
        // Another file's layouts are not layouts this file gained.
        existing.knownNames = undefined;
      }
      existing.updateTitle();
      await existing.refresh({ askWhenMany: !sameFile });
      return;
    }
    const panel = createPanelBeside(COMPARE_VIEW_TYPE, 'Compare Layouts', services.extensionUri);
    ComparePanel.current = new ComparePanel(panel, services, document.uri, null, focus);
    // The webview sends `ready` when its script has run; the first report goes then.
    await ComparePanel.current.refresh({ askWhenMany: true });
  }

  /** Restores a panel VS Code kept across a reload (WebviewPanelSerializer). */
  static revive(panel: vscode.WebviewPanel, services: ComparePanelServices, rawState: unknown): void {
    const state = parseViewState(rawState);
    if (!state) {
      // Nothing to compare: an empty panel would only confuse.
      panel.dispose();
      return;
    }
    restorePanelOptions(panel, services.extensionUri);
    ComparePanel.current?.panel.dispose();
    ComparePanel.current = new ComparePanel(panel, services, vscode.Uri.parse(state.uri), state.selected, null);
  }

  override dispose(): void {
    if (ComparePanel.current === this) ComparePanel.current = undefined;
    clearTimeout(this.refreshTimer);
    super.dispose();
  }

  /** Called when a setting the view shows changes. */
  settingsChanged(): void {
    void this.refresh({ askWhenMany: false });
  }

  private updateTitle(): void {
    this.panel.title = `Compare: ${path.posix.basename(this.uri.path)}`;
  }

  private scheduleRefresh(): void {
    clearTimeout(this.refreshTimer);
    this.refreshTimer = setTimeout(() => void this.refresh({ askWhenMany: false }), REFRESH_DELAY_MS);
  }

  private post(message: HostToWebviewMessage): void {
    if (!this.ready) {
      // Only the latest state matters; older reports are superseded.
      this.pending = message;
      return;
    }
    void this.panel.webview.postMessage(message);
  }

  private async refresh(opts: { askWhenMany: boolean }): Promise<void> {
    const generation = ++this.refreshGeneration;
    let report: ReportJson | null;
    try {
      const document = await vscode.workspace.openTextDocument(this.uri);
      this.post({ type: 'status', state: 'loading', text: `Costing ${path.posix.basename(this.uri.path)}…` });
      report = await this.services.reports.get(document);
    } catch (e) {
      if (generation !== this.refreshGeneration) return;
      const text = e instanceof Error ? e.message : String(e);
      this.services.output.appendLine(`[compare] no report for ${this.uri.toString()}: ${text}`);
      this.post({ type: 'status', state: 'error', text: `No report: ${text}` });
      return;
    }
    // An edit made while the server worked has started a newer refresh; drop this result.
    if (generation !== this.refreshGeneration) return;
    if (!report) {
      this.post({ type: 'status', state: 'error', text: 'The language server has no report for this file.' });
      return;
    }
    this.report = report;
    const names = report.layouts.map((l) => l.name);
    if (opts.askWhenMany && this.selected === null && names.length > QUICK_PICK_THRESHOLD) {
      await this.chooseLayouts();
      return;
    }
    this.sendReport();
  }

  private sendReport(): void {
    const report = this.report;
    if (!report || this.choosing) return;
    const names = report.layouts.map((l) => l.name);
    this.selected = selectionAfterEdit(this.selected, this.knownNames, names);
    this.knownNames = new Set(names);
    // A saved choice may name layouts that were since renamed or deleted.
    const selected = this.selected?.filter((n) => names.includes(n)) ?? null;
    const chosen = selected && selected.length > 0 ? new Set(selected) : null;
    const shownReport = { ...report, layouts: chosen ? report.layouts.filter((l) => chosen.has(l.name)) : report.layouts };
    this.post({
      type: 'report',
      uri: this.uri.toString(),
      fileName: path.posix.basename(this.uri.path),
      report: { file: report.file, layouts: shownReport.layouts },
      shown: shownReport.layouts.map((l) => l.name),
      total: names.length,
      selected: chosen ? [...chosen] : null,
      decodeContext: this.services.decodeContext(),
      errorCount: report.diagnostics.filter((d) => d.severity === 'error').length,
      focus: this.focus,
    });
  }

  private async chooseLayouts(): Promise<void> {
    const report = this.report;
    if (!report) return;
    const current = new Set(this.selected ?? report.layouts.slice(0, QUICK_PICK_THRESHOLD).map((l) => l.name));
    if (this.focus) current.add(this.focus);
    const items = report.layouts.map((l) => ({
      label: l.name,
      description: l.costed ? [l.model, l.mesh].filter(Boolean).join(' · ') : 'not costed',
      picked: current.has(l.name),
    }));
    this.choosing = true;
    let picked: readonly { label: string }[] | undefined;
    try {
      picked = await vscode.window.showQuickPick(items, {
        canPickMany: true,
        title: `Compare Layouts: ${report.layouts.length} layouts in ${path.posix.basename(this.uri.path)}`,
        placeHolder: 'Choose the layouts to compare',
        ignoreFocusOut: true,
      });
    } finally {
      this.choosing = false;
    }
    // Escape keeps the previous choice (or the first few, the first time).
    if (picked && picked.length > 0) this.selected = picked.map((p) => p.label);
    else if (this.selected === null) this.selected = [...current];
    this.sendReport();
  }

  protected onMessage(message: WebviewToHostMessage): void {
    switch (message.type) {
      case 'ready': {
        this.ready = true;
        if (message.state && message.state.uri === this.uri.toString() && this.selected === null) this.selected = message.state.selected;
        const pending = this.pending;
        this.pending = undefined;
        if (pending) void this.panel.webview.postMessage(pending);
        // A (re)loaded webview always gets the current numbers.
        void this.refresh({ askWhenMany: false });
        return;
      }
      case 'revealLayout':
        void this.revealLayout(message.name);
        return;
      case 'chooseLayouts':
        void this.chooseLayouts();
        return;
      case 'showTimeline':
        // Only a layout of the report on screen, as for revealLayout.
        if (this.report?.layouts.some((l) => l.name === message.name)) void vscode.commands.executeCommand('shardlens.showTimeline', { uri: this.uri.toString(), layout: message.name, phase: message.phase });
        return;
      case 'exportChart':
        void this.exportChart(message);
        return;
    }
  }

  private async revealLayout(name: string): Promise<void> {
    // Only a layout of the report on screen; the webview cannot make us open anything else.
    if (!LAYOUT_NAME.test(name) || !this.report?.layouts.some((l) => l.name === name)) return;
    await showLayout(this.services.layouts, this.uri, name, { center: true });
  }

  private async exportChart(message: ExportChartMessage): Promise<void> {
    const base = path.posix.basename(this.uri.path).replace(/\.shard$/, '');
    const suggested = `${base}-${message.chart}.${message.format}`;
    const folder = this.uri.scheme === 'file' ? vscode.Uri.joinPath(this.uri, '..') : vscode.workspace.workspaceFolders?.[0]?.uri;
    const target = await vscode.window.showSaveDialog({
      title: `Export chart as ${message.format.toUpperCase()}`,
      defaultUri: folder ? vscode.Uri.joinPath(folder, suggested) : undefined,
      filters: message.format === 'svg' ? { 'SVG image': ['svg'] } : { 'PNG image': ['png'] },
    });
    if (!target) return;
    try {
      await vscode.workspace.fs.writeFile(target, decodeDataUrl(message.dataUrl));
      this.post({ type: 'exportResult', chart: message.chart, ok: true, text: `Saved ${path.posix.basename(target.path)}` });
    } catch (e) {
      const text = e instanceof Error ? e.message : String(e);
      void vscode.window.showErrorMessage(`Could not save the chart: ${text}`);
      this.post({ type: 'exportResult', chart: message.chart, ok: false, text: `Not saved: ${text}` });
    }
  }
}

export function comparePanelSerializer(services: ComparePanelServices): vscode.WebviewPanelSerializer<CompareViewState> {
  return {
    async deserializeWebviewPanel(panel: vscode.WebviewPanel, state: unknown) {
      ComparePanel.revive(panel, services, state);
    },
  };
}
