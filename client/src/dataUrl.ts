// Host side of chart export: turns a data URL the webview sent (already validated by
// parseWebviewMessage) into the bytes written to disk.

export function decodeDataUrl(dataUrl: string): Uint8Array {
  const comma = dataUrl.indexOf(',');
  const meta = dataUrl.slice(0, comma);
  const payload = dataUrl.slice(comma + 1);
  if (meta.endsWith(';base64')) return new Uint8Array(Buffer.from(payload, 'base64'));
  return new TextEncoder().encode(decodeURIComponent(payload));
}
