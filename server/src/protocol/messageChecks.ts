// What every message check of the two webview protocols (compareView.ts, chartView.ts) and the
// client's command arguments rely on. Messages from a webview are untrusted: each is checked
// field by field and anything not exactly a known message is dropped.

/** Layout names as the language defines them (language.md §1); nothing else is ever revealed. */
export const LAYOUT_NAME = /^[a-z_][a-z0-9_]*$/;

export const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
