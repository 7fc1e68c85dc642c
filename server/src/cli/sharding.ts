// `shardlens show` and `shardlens timeline`: the tiles every chip holds of one value, and where a
// step's time goes. The engine computes both (service.tiles, service.timeline) and renders them;
// this file picks the layout and value, writes the files asked for and decides the exit status.

import { renderChartsToSvg, renderShowPage, renderTileTable, renderTimelinePage, renderTimelineText, ValueRefError, VALUE_ROLES, type Phase, type ShardService } from '../engine/index';
import { usageError } from './errors';
import { withLayout } from './layouts';
import { writeOut } from './output';
import { load, statusOf } from './report';
import type { Io } from './io';

const VALUE_PATTERN = new RegExp(`^(${VALUE_ROLES.join('|')})\\.[A-Za-z_][A-Za-z0-9_]*$`);

export interface ShowOptions {
  layout: string;
  value: string;
  phase: Phase;
  svg?: string;
  html?: string;
}

export async function runShow(service: ShardService, file: string, opts: ShowOptions, io: Io): Promise<number> {
  if (!VALUE_PATTERN.test(opts.value)) {
    throw usageError(`--value must be ROLE.VALUE with ROLE ${VALUE_ROLES.join(', ')} (e.g. ffn.w_in), not '${opts.value}'`, 'show');
  }
  const loaded = await load(service, file, [opts.layout], 'show');
  const map = withLayout(loaded.input.name, 'show', () => {
    try {
      return service.tiles(loaded.analysis, opts.layout, opts.phase, opts.value);
    } catch (e) {
      if (e instanceof ValueRefError) throw usageError(`${e.message}; its values are ${e.available.join(', ')}`, 'show');
      throw e;
    }
  });
  io.out(renderTileTable(map));
  if (opts.svg) {
    writeOut(opts.svg, renderChartsToSvg('sharding', map)[0].svg);
    io.note(`wrote ${opts.svg}\n`);
  }
  if (opts.html) {
    writeOut(opts.html, renderShowPage(map));
    io.note(`wrote ${opts.html}\n`);
  }
  return statusOf(loaded, undefined, io, `layout '${opts.layout}' is shown all the same`);
}

export interface TimelineOptions {
  layout: string;
  phase: Phase;
  svg?: string;
  html?: string;
}

/** `OUT` for the first chart, `OUT` with `-ID` before its extension for the others. */
function svgPath(out: string, id: string, first: boolean): string {
  if (first) return out;
  const dot = out.toLowerCase().endsWith('.svg') ? out.length - 4 : out.length;
  return `${out.slice(0, dot)}-${id.replace(/^timeline-/, '')}${out.slice(dot) || '.svg'}`;
}

export async function runTimeline(service: ShardService, file: string, opts: TimelineOptions, io: Io): Promise<number> {
  const loaded = await load(service, file, [opts.layout], 'timeline');
  const t = withLayout(loaded.input.name, 'timeline', () => service.timeline(loaded.analysis, opts.layout, opts.phase));
  io.out(renderTimelineText(t));
  if (opts.svg) {
    const charts = renderChartsToSvg('timeline', t);
    const paths = charts.map((c, i) => svgPath(opts.svg!, c.id, i === 0));
    charts.forEach((c, i) => writeOut(paths[i], c.svg));
    io.note(`wrote ${paths.join(', ')}\n`);
  }
  if (opts.html) {
    writeOut(opts.html, renderTimelinePage(t));
    io.note(`wrote ${opts.html}\n`);
  }
  return statusOf(loaded, undefined, io, `layout '${opts.layout}' is drawn all the same`);
}
