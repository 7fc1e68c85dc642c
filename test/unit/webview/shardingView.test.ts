// @vitest-environment happy-dom
// The Show Sharding view: its message checks (server/src/protocol/shardingView.ts: the host drops
// anything not exactly a known message) and its DOM (client/webview/shardingRender.ts) under
// happy-dom, from a real engine answer with hostile names put in: names come out as text only,
// every chip's tile is listed as the engine cut it, and the choosers are buttons.

import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { analyze, sharedShardService, sourceFromText, type ShardingAt } from '../../../server/src/engine/index';
import { renderSharding, renderShardingStatus, type ShardingViewActions } from '../../../client/webview/shardingRender';
import { isShardingHostMessage, parseShardingViewState, parseShardingWebviewMessage, type ShardingMessage } from '../../../server/src/protocol/shardingView';

const HOSTILE = '<img src=x onerror=alert(1)>';
const SMALL = readFileSync(path.join(__dirname, '../../lsp/fixtures/small.shard'), 'utf8');

let drawn: Extract<ShardingAt, { kind: 'tiles' }>;
beforeAll(() => {
  const analysis = analyze(sourceFromText(SMALL, 'file:///w/small.shard'));
  const r = sharedShardService().shardingAt(analysis, SMALL.indexOf('w_in  :') + 1);
  if (r.kind !== 'tiles') throw new Error(r.reason);
  drawn = r;
});

const message = (): ShardingMessage => ({
  type: 'sharding',
  uri: 'file:///w/small.shard',
  fileName: `${HOSTILE}.shard`,
  result: { ...drawn, chosen: { layout: HOSTILE, phase: 'decode' }, tiles: { ...drawn.tiles, block: HOSTILE, mesh: { ...drawn.tiles.mesh, name: HOSTILE } } },
});

describe('Show Sharding messages', () => {
  it('accepts exactly the known messages from the webview', () => {
    expect(parseShardingWebviewMessage({ type: 'ready', state: null })).toEqual({ type: 'ready', state: null });
    expect(parseShardingWebviewMessage({ type: 'chooseLayout' })).toEqual({ type: 'chooseLayout' });
    expect(parseShardingWebviewMessage({ type: 'chooseValue', value: 'x' })).toEqual({ type: 'chooseValue' });
    for (const bad of [null, 'ready', [], { type: 'revealLayout', name: 'a' }, { type: 'ready', state: { layout: 'a' } }, { type: 42 }]) {
      expect(parseShardingWebviewMessage(bad)).toBeUndefined();
    }
  });

  it('keeps only the well-formed parts of a saved state', () => {
    expect(parseShardingViewState({ uri: 'file:///a.shard', layout: 'fast', phase: 'prefill', value: 'ffn.w_in' })).toEqual({ uri: 'file:///a.shard', layout: 'fast', phase: 'prefill', value: 'ffn.w_in' });
    expect(parseShardingViewState({ uri: 'file:///a.shard', layout: HOSTILE, phase: 'both', value: 'ffn.w_in; rm' })).toEqual({ uri: 'file:///a.shard' });
    expect(parseShardingViewState({ uri: '' })).toBeUndefined();
    expect(parseShardingViewState({ uri: 'x'.repeat(5000) })).toBeUndefined();
  });

  it('lets the webview ignore malformed host messages', () => {
    expect(isShardingHostMessage(message())).toBe(true);
    expect(isShardingHostMessage({ type: 'status', state: 'empty', text: 'nothing' })).toBe(true);
    expect(isShardingHostMessage({ type: 'status', state: 'weird', text: 'x' })).toBe(false);
    expect(isShardingHostMessage({ ...message(), result: { kind: 'none', reason: 'x' } })).toBe(false);
    expect(isShardingHostMessage({ ...message(), result: { ...drawn, tiles: { ...drawn.tiles, chips: 'all' } } })).toBe(false);
  });
});

describe('renderSharding', () => {
  let root: HTMLElement;
  let calls: string[];
  const actions = (): ShardingViewActions => ({ chooseLayout: () => calls.push('layout'), chooseValue: () => calls.push('value') });
  beforeEach(() => {
    document.body.replaceChildren();
    root = document.createElement('main');
    document.body.append(root);
    calls = [];
  });

  it('writes hostile names as text, never as markup', () => {
    renderSharding(root, message(), actions());
    expect(root.querySelector('img')).toBeNull();
    expect(root.textContent).toContain(`${HOSTILE}.shard`);
    expect(root.textContent).toContain(`block ${HOSTILE}`);
    expect(root.querySelector('.layout-chooser')!.textContent).toBe(`${HOSTILE} · decode`);
  });

  it('lists every chip with the tile the engine cut for it', () => {
    const slot = renderSharding(root, message(), actions());
    expect(slot.container.classList.contains('chart-sharding')).toBe(true);
    const rows = root.querySelectorAll('details.tile-table tr[data-chip]');
    expect(rows).toHaveLength(64);
    // w_in : E_x F_yz, E = 1024 and F = 4096 on 4×4×4: chip 27 = (1, 2, 3) holds E [256, 512) and
    // F shard 2·4 + 3 = 11 of 256, [2816, 3072); every axis shards a dim, so no copies.
    const row = root.querySelector('tr[data-chip="27"]')!;
    expect([...row.querySelectorAll('td')].map((td) => td.textContent)).toEqual(['27', '1', '2', '3', 'E 256:512 · F 2816:3072']);
  });

  it('makes the choosers buttons that call the host', () => {
    renderSharding(root, message(), actions());
    const layout = root.querySelector<HTMLButtonElement>('button.layout-chooser')!;
    const value = root.querySelector<HTMLButtonElement>('button.value-chooser')!;
    expect(value.textContent).toBe('ffn.w_in');
    layout.click();
    value.click();
    expect(calls).toEqual(['layout', 'value']);
  });

  it('replaces the view with the reason when the cursor is on nothing drawable', () => {
    renderSharding(root, message(), actions());
    renderShardingStatus(root, { type: 'status', state: 'empty', text: HOSTILE });
    expect(root.querySelector('img')).toBeNull();
    expect(root.querySelector('.status')!.textContent).toBe(HOSTILE);
    expect(root.querySelector('.chart')).toBeNull();
  });
});

describe('renderSharding on a collective and a partial sum', () => {
  let root: HTMLElement;
  const none: ShardingViewActions = { chooseLayout: () => undefined, chooseValue: () => undefined };
  const at = (needle: string): ShardingMessage => {
    const analysis = analyze(sourceFromText(SMALL, 'file:///w/small.shard'));
    const r = sharedShardService().shardingAt(analysis, SMALL.indexOf(needle) + 1);
    if (r.kind !== 'tiles') throw new Error(r.reason);
    return { type: 'sharding', uri: 'file:///w/small.shard', fileName: 'small.shard', result: r };
  };
  beforeEach(() => {
    document.body.replaceChildren();
    root = document.createElement('main');
    document.body.append(root);
  });

  it('says which chips exchange what in `a = all_gather(h, yz)`, and lists each chip’s group', () => {
    renderSharding(root, at('a = all_gather'), none);
    // h : BLE_xyz holds E = 1024 / 64 = 16 a chip; a : BLE_x holds 1024 / 4 = 256; 4 groups (one per x) of 16.
    const what = root.querySelector('.collective-what')!.textContent!;
    expect(what).toContain('all_gather(h : BLE_xyz) over yz: 4 groups of 16 chips');
    expect(what).toContain('each chip sends its E shard (16 of 1024) to the other 15 chips of its group');
    expect(root.querySelector('.collective-links')!.textContent).toContain('y: ring of 4 (wraparound, both directions)');
    // Chip 27 = (1, 2, 3) is in the group of x = 1, the second.
    const cells = [...root.querySelectorAll('tr[data-chip="27"] td')].map((td) => td.textContent);
    expect(cells[cells.length - 1]).toBe('2 (1, 0…3, 0…3)');
  });

  it('says what each chip sums in `b = einsum(a, w_in)` (partialsum-x)', () => {
    renderSharding(root, at('b = einsum'), none);
    expect(root.querySelector('.partials')!.textContent).toContain('each chip holds the sum over its own part of E');
    // Chip 27 = (1, 2, 3): E = 1024 in 4 over x, its quarter [256, 512).
    expect(root.querySelector('tr[data-chip="27"] td.label')!.textContent).toContain('Σ E 256:512');
  });
});

describe('the chip grid from the keyboard', () => {
  let root: HTMLElement;
  let selected: number[];
  const actions = (): ShardingViewActions => ({ chooseLayout: () => undefined, chooseValue: () => undefined, selectChip: (chip) => selected.push(chip) });
  const press = (target: HTMLElement, key: string) => {
    const event = new KeyboardEvent('keydown', { key, bubbles: true, cancelable: true });
    target.dispatchEvent(event);
    return event.defaultPrevented;
  };
  const label = (chip: number) => root.querySelector(`tr[data-chip="${chip}"] td.label`)!.textContent;
  beforeEach(() => {
    document.body.replaceChildren();
    root = document.createElement('main');
    document.body.append(root);
    selected = [];
  });

  it('is focusable, described, and says what the selected chip holds in a live region', () => {
    const slot = renderSharding(root, message(), actions());
    expect(slot.container.tabIndex).toBe(0);
    expect(slot.container.getAttribute('aria-describedby')).toBe('chip-keys');
    expect(root.querySelector('#chip-keys')!.textContent).toContain('arrow keys');
    const live = root.querySelector('.chip-selected')!;
    expect(live.getAttribute('aria-live')).toBe('polite');
    // Chip 0 = (0, 0, 0) holds E [0, 256) and F [0, 256) (E = 1024 in 4 over x, F = 4096 in 16 over yz).
    expect(live.textContent).toBe('chip 0 (x = 0, y = 0, z = 0): E 0:256 · F 0:256');
  });

  it('moves the selected chip with the arrows, PageDown and ], and announces the tile of the tile table', () => {
    const slot = renderSharding(root, message(), actions());
    const live = root.querySelector('.chip-selected')!;
    // The drawing: slices x, rows y, columns z; chip x·16 + y·4 + z.
    expect(press(slot.container, 'ArrowRight')).toBe(true); // (0,0,1) = 1
    expect(press(slot.container, 'ArrowDown')).toBe(true); // (0,1,1) = 5
    expect(press(slot.container, 'PageDown')).toBe(true); // (1,1,1) = 21
    expect(selected).toEqual([1, 5, 21]);
    expect(slot.selected).toBe(21);
    // (1,1,1): E [256, 512); F shard 1·4 + 1 = 5 of 256, [1280, 1536).
    expect(label(21)).toBe('E 256:512 · F 1280:1536');
    expect(live.textContent).toBe(`chip 21 (x = 1, y = 1, z = 1): ${label(21)}`);
    expect(root.querySelector('tr.selected')!.getAttribute('data-chip')).toBe('21');
    press(slot.container, ']'); // (2,1,1) = 37: E [512, 768)
    expect(live.textContent).toBe(`chip 37 (x = 2, y = 1, z = 1): E 512:768 · F 1280:1536`);
    press(slot.container, 'Home');
    expect(slot.selected).toBe(0);
    expect(selected).toEqual([1, 5, 21, 37, 0]);
  });

  it('stops at the edge and says so; leaves other keys alone', () => {
    const slot = renderSharding(root, message(), actions());
    press(slot.container, 'ArrowLeft');
    expect(slot.selected).toBe(0);
    expect(selected).toEqual([]);
    expect(root.querySelector('.chip-selected')!.textContent).toMatch(/^chip 0 \(x = 0, y = 0, z = 0\): .* \(edge of the mesh: no chip to the left\)$/);
    expect(press(slot.container, 'a')).toBe(false);
    expect(press(slot.container, 'Tab')).toBe(false);
  });

  it('starts from the chip saved in the state, or chip 0 when it is not on this mesh', () => {
    expect(renderSharding(root, message(), actions(), 27).selected).toBe(27);
    expect(root.querySelector('.chip-selected')!.textContent).toBe(`chip 27 (x = 1, y = 2, z = 3): ${label(27)}`);
    expect(renderSharding(root, message(), actions(), 64).selected).toBe(0);
    expect(parseShardingViewState({ uri: 'file:///a.shard', chip: 27 })).toEqual({ uri: 'file:///a.shard', chip: 27 });
    expect(parseShardingViewState({ uri: 'file:///a.shard', chip: -1 })).toEqual({ uri: 'file:///a.shard' });
  });
});
