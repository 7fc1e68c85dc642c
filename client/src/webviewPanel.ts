// What both shardlens webview panels (comparePanel.ts, chartPanel.ts) do the same way around a
// vscode.WebviewPanel: the fixed HTML template with its CSP and nonce (webviewHtml.ts), the icon,
// the `ready` flag that a hidden webview clears, every message from the webview validated before
// it reaches the panel, and showing one of the file's layouts in the editor.
//
// Security: the webview is another security domain. A message that its protocol's parser does not
// accept is logged and dropped; what a valid one may do (which names it may reveal) is still for
// the panel to check.

import * as vscode from 'vscode';
import type { LayoutLocator } from './layouts';
import { webviewHtml, webviewOptions } from './webviewHtml';

export interface WebviewPanelSetup<M> {
  extensionUri: vscode.Uri;
  output: vscode.OutputChannel;
  /** The script bundle (dist/webview/`bundle`.js) and the page title, a fixed string. */
  bundle: 'main' | 'chart' | 'sharding' | 'timeline';
  pageTitle: string;
  /** The protocol's validator: the message, or undefined when it is malformed. */
  parse(raw: unknown): M | undefined;
  /** Names the panel in the output channel. */
  logTag: string;
}

export abstract class WebviewPanelHost<M> {
  protected readonly disposables: vscode.Disposable[] = [];
  /** Whether the webview's script has said `ready` since it was last shown. */
  protected ready = false;

  protected constructor(
    protected readonly panel: vscode.WebviewPanel,
    setup: WebviewPanelSetup<M>,
  ) {
    panel.webview.html = webviewHtml(panel.webview, setup.extensionUri, setup.bundle, setup.pageTitle);
    panel.iconPath = vscode.Uri.joinPath(setup.extensionUri, 'icons', 'shardlens.png');
    this.disposables.push(
      panel.onDidDispose(() => this.dispose()),
      panel.webview.onDidReceiveMessage((raw: unknown) => {
        const message = setup.parse(raw);
        if (!message) {
          setup.output.appendLine(`[${setup.logTag}] ignored a malformed message from the webview`);
          return;
        }
        this.onMessage(message);
      }),
      // A hidden webview drops messages and reloads its script when shown; it says `ready` again.
      panel.onDidChangeViewState(() => {
        if (!panel.visible) this.ready = false;
      }),
    );
  }

  /** A message from the webview that its protocol accepted. */
  protected abstract onMessage(message: M): void;

  dispose(): void {
    this.panel.dispose();
    while (this.disposables.length) this.disposables.pop()?.dispose();
  }
}

/** A new panel beside the active editor (or in the active group when there is none), keeping the editor's focus. */
export function createPanelBeside(viewType: string, title: string, extensionUri: vscode.Uri): vscode.WebviewPanel {
  const column = vscode.window.activeTextEditor ? vscode.ViewColumn.Beside : vscode.ViewColumn.Active;
  return vscode.window.createWebviewPanel(viewType, title, { viewColumn: column, preserveFocus: true }, webviewOptions(extensionUri));
}

/** Re-applies the options of a panel VS Code kept across a reload, so `localResourceRoots` points at this install's files. */
export function restorePanelOptions(panel: vscode.WebviewPanel, extensionUri: vscode.Uri): void {
  panel.webview.options = webviewOptions(extensionUri);
}

/**
 * Opens `uri` with the layout `name`'s name selected, in the group that already shows the file (or
 * the first); nothing when the file has no such layout. `center` also scrolls it to the middle
 * when it is out of view.
 */
export async function showLayout(layouts: LayoutLocator, uri: vscode.Uri, name: string, opts: { center?: boolean } = {}): Promise<void> {
  const document = await vscode.workspace.openTextDocument(uri);
  // Without the server there is nowhere to go: the panel stays as it is.
  const place = await layouts.named(document, name).catch(() => undefined);
  if (!place) return;
  const selection = place.nameRange;
  const visible = vscode.window.visibleTextEditors.find((e) => e.document.uri.toString() === uri.toString());
  const editor = await vscode.window.showTextDocument(document, { viewColumn: visible?.viewColumn ?? vscode.ViewColumn.One, selection, preserveFocus: false });
  if (opts.center) editor.revealRange(selection, vscode.TextEditorRevealType.InCenterIfOutsideViewport);
}
