// Chart palettes. The light palette is what `shardlens compare --html/--svg` prints (a page
// read outside the editor); `themeFromCssVariables` builds the editor's palette from the
// variables VS Code defines in every webview, so the charts follow light, dark and
// high-contrast themes.

import type { ChartTheme } from './types';

export const LIGHT_THEME: ChartTheme = {
  foreground: '#1f2328',
  mutedForeground: '#59636e',
  background: '#ffffff',
  gridLine: '#d1d9e0',
  fontFamily: "system-ui, -apple-system, 'Segoe UI', sans-serif",
  category: { compute: '#3a78c2', memory: '#d9822b', comm: '#2f9e77' },
  allToAll: '#b8960b',
  weights: '#3a78c2',
  kvCache: '#9c5fc7',
  activations: '#d9822b',
  hbmLine: '#cf222e',
  phase: { prefill: '#3a78c2', decode: '#d9822b' },
};

/**
 * Reads a theme from CSS custom properties. `read(name)` returns the variable's computed value
 * (possibly empty); an unset variable keeps the light palette's colour, so the charts never
 * draw in an invisible default.
 */
export function themeFromCssVariables(read: (name: string) => string, fallback: ChartTheme = LIGHT_THEME): ChartTheme {
  const pick = (names: string[], otherwise: string): string => {
    for (const n of names) {
      const v = read(n).trim();
      if (v) return v;
    }
    return otherwise;
  };
  // The chart colours come from the terminal's ANSI palette and the chart colours VS Code
  // defines for its own charts: every built-in theme, high contrast included, sets them to
  // colours that read on its background.
  const blue = pick(['--vscode-charts-blue', '--vscode-terminal-ansiBlue'], fallback.category.compute);
  const orange = pick(['--vscode-charts-orange', '--vscode-terminal-ansiYellow'], fallback.category.memory);
  const green = pick(['--vscode-charts-green', '--vscode-terminal-ansiGreen'], fallback.category.comm);
  const purple = pick(['--vscode-charts-purple', '--vscode-terminal-ansiMagenta'], fallback.kvCache);
  const yellow = pick(['--vscode-charts-yellow', '--vscode-terminal-ansiBrightYellow'], fallback.allToAll);
  const red = pick(['--vscode-charts-red', '--vscode-errorForeground'], fallback.hbmLine);
  return {
    foreground: pick(['--vscode-editor-foreground', '--vscode-foreground'], fallback.foreground),
    mutedForeground: pick(['--vscode-descriptionForeground', '--vscode-foreground'], fallback.mutedForeground),
    background: pick(['--vscode-editor-background'], fallback.background),
    gridLine: pick(['--vscode-editorWidget-border', '--vscode-widget-border', '--vscode-panel-border'], fallback.gridLine),
    fontFamily: pick(['--vscode-font-family'], fallback.fontFamily),
    category: { compute: blue, memory: orange, comm: green },
    allToAll: yellow,
    weights: blue,
    kvCache: purple,
    activations: orange,
    hbmLine: red,
    phase: { prefill: blue, decode: orange },
  };
}
