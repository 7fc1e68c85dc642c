// Durations as people write them (`50ms`, `2s`, `800us`; a bare number is seconds): read the same
// way by `shardlens best --max-latency` and by Find Best Layout's input box in the editor, and
// shown back in the engine's human units.

export { formatSeconds } from '../engine/index';

const DURATION_UNITS: Record<string, number> = { ns: 1e-9, us: 1e-6, 'µs': 1e-6, ms: 1e-3, s: 1, min: 60 };

/** Seconds, or why the text is not a positive duration (for the caller's message). */
export function readDuration(text: string): { seconds: number } | { problem: 'not-a-duration' | 'not-positive' } {
  const m = /^\s*(\d+(?:\.\d*)?|\.\d+)(?:[eE]([+-]?\d+))?\s*([a-zµ]*)\s*$/i.exec(text);
  const unit = m ? m[3].toLowerCase() : '';
  if (!m || (unit !== '' && DURATION_UNITS[unit] === undefined)) return { problem: 'not-a-duration' };
  const seconds = Number(`${m[1]}${m[2] !== undefined ? `e${m[2]}` : ''}`) * (unit === '' ? 1 : DURATION_UNITS[unit]);
  if (!(seconds > 0) || !Number.isFinite(seconds)) return { problem: 'not-positive' };
  return { seconds };
}
