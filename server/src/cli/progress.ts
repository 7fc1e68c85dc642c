// A one-line progress bar for the long searches (`best  [#####.....] 52%`), drawn on standard
// error only when it is a terminal: redirected output and CI logs must not fill up with carriage
// returns. The bar is redrawn in place with `\r` and erased when the search ends, so the line it
// used is free again for the result or an error message.

/** The part of a stream the bar needs; process.stderr fits, tests pass a fake. */
export interface ProgressStream {
  write(text: string): unknown;
  isTTY?: boolean;
}

const BAR_WIDTH = 20;

export class ProgressBar {
  private shown = '';
  private lastPercent = -1;

  constructor(
    private readonly label: string,
    private readonly stream: ProgressStream,
  ) {}

  /** Whether anything will be drawn; decided once, from the stream. */
  get enabled(): boolean {
    return this.stream.isTTY === true;
  }

  update(done: number, total: number): void {
    if (!this.enabled) return;
    const fraction = total > 0 ? Math.min(1, Math.max(0, done / total)) : 0;
    const percent = Math.floor(fraction * 100);
    // Redraw only when the number changes: a search reports thousands of steps per second.
    if (percent === this.lastPercent) return;
    this.lastPercent = percent;
    const filled = Math.round(fraction * BAR_WIDTH);
    const line = `${this.label}  [${'#'.repeat(filled)}${'.'.repeat(BAR_WIDTH - filled)}] ${percent}%`;
    // Pad with spaces over any longer previous line instead of relying on terminal escapes.
    this.stream.write(`\r${line.padEnd(this.shown.length)}`);
    this.shown = line;
  }

  /** Erases the bar; safe to call when nothing was drawn. */
  clear(): void {
    if (!this.shown) return;
    this.stream.write(`\r${' '.repeat(this.shown.length)}\r`);
    this.shown = '';
    this.lastPercent = -1;
  }
}
