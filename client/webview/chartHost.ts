// What both webview scripts (main.ts for Compare Layouts, chart.ts for the search charts) do with
// ECharts and the VS Code theme: read the chart colours from the theme's CSS variables, draw into
// the slots the renderer returned, keep the charts sized to their containers, and redraw when
// the theme changes.

import type { EChartsType } from 'echarts/core';
import { echarts, themeFromCssVariables, type ChartTheme } from '../../server/src/engine/index';

export function readTheme(): ChartTheme {
  const style = getComputedStyle(document.body);
  return themeFromCssVariables((name) => style.getPropertyValue(name));
}

export interface DrawnChart<S extends { container: HTMLElement }> {
  slot: S;
  chart: EChartsType;
}

/** The charts on screen: each follows its container's size, and all are disposed before the next draw. */
export class DrawnCharts<S extends { container: HTMLElement }> {
  private entries: DrawnChart<S>[] = [];
  private readonly resizeObserver = new ResizeObserver((observed) => {
    for (const entry of observed) this.entries.find((d) => d.slot.container === entry.target)?.chart.resize();
  });

  get all(): readonly DrawnChart<S>[] {
    return this.entries;
  }

  slots(): S[] {
    return this.entries.map((d) => d.slot);
  }

  clear(): void {
    for (const d of this.entries) d.chart.dispose();
    this.entries = [];
  }

  /** Draws `option` into the slot's container. */
  draw(slot: S, option: Parameters<EChartsType['setOption']>[0]): EChartsType {
    // SVG: crisp at any zoom, and no canvas sizing through inline styles.
    const chart = echarts.init(slot.container, null, { renderer: 'svg' });
    chart.setOption(option);
    this.resizeObserver.observe(slot.container);
    this.entries.push({ slot, chart });
    return chart;
  }
}

/**
 * Calls `redraw` with the new colours whenever VS Code swaps the body's theme class
 * (vscode-light, vscode-dark, vscode-high-contrast…): the charts' colours come from CSS variables.
 */
export function onThemeChange(redraw: (theme: ChartTheme) => void): void {
  new MutationObserver(() => redraw(readTheme())).observe(document.body, { attributes: true, attributeFilter: ['class'] });
}
