// What every shardlens webview panel shares: the options that let it load only our built bundle,
// and the fixed HTML template with a per-load crypto nonce and a CSP that allows our script and
// stylesheet and nothing else (no inline script or style, no other origin). No text from a file
// is ever put into this HTML: data goes to the webview by postMessage after its `ready`.

import { randomBytes } from 'node:crypto';
import * as vscode from 'vscode';

export function webviewOptions(extensionUri: vscode.Uri): vscode.WebviewOptions & vscode.WebviewPanelOptions {
  return {
    enableScripts: true,
    // Only the built webview bundles (scripts and the stylesheets esbuild emits beside them).
    localResourceRoots: [vscode.Uri.joinPath(extensionUri, 'dist', 'webview')],
  };
}

/** The page of a panel whose script is dist/webview/`bundle`.js (and its stylesheet `bundle`.css). */
export function webviewHtml(webview: vscode.Webview, extensionUri: vscode.Uri, bundle: 'main' | 'chart' | 'sharding' | 'timeline', title: string): string {
  const root = vscode.Uri.joinPath(extensionUri, 'dist', 'webview');
  const script = webview.asWebviewUri(vscode.Uri.joinPath(root, `${bundle}.js`));
  const style = webview.asWebviewUri(vscode.Uri.joinPath(root, `${bundle}.css`));
  const nonce = randomBytes(16).toString('base64');
  const csp = [
    "default-src 'none'",
    `img-src ${webview.cspSource} data:`,
    `style-src ${webview.cspSource}`,
    `script-src 'nonce-${nonce}'`,
  ].join('; ');
  // `title` is one of our fixed strings, never file text.
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link href="${style}" rel="stylesheet">
<title>${title}</title>
</head>
<body>
<main id="app" aria-live="polite"></main>
<script nonce="${nonce}" src="${script}"></script>
</body>
</html>`;
}
