// @vitest-environment happy-dom
// The Step Timeline view: its message checks (server/src/protocol/timelineView.ts) and its DOM
// (client/webview/timelineRender.ts) under happy-dom, from a real engine timeline with a hostile
// file name: names come out as text only, the critical path is listed in the engine's order,
// and the phase and layout choosers are buttons that call the host.

import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { analyze, sharedShardService, sourceFromText, type Timeline } from '../../../server/src/engine/index';
import { renderTimeline, renderTimelineStatus, type TimelineViewActions } from '../../../client/webview/timelineRender';
import { isTimelineHostMessage, parseTimelineViewState, parseTimelineWebviewMessage, type TimelineMessage } from '../../../server/src/protocol/timelineView';

const HOSTILE = '<img src=x onerror=alert(1)>';
const SMALL = readFileSync(path.join(__dirname, '../../lsp/fixtures/small.shard'), 'utf8');

let timeline: Timeline;
beforeAll(() => {
  timeline = sharedShardService().timeline(analyze(sourceFromText(SMALL, 'file:///w/small.shard')), 'fast', 'decode');
});

const message = (): TimelineMessage => ({ type: 'timeline', uri: 'file:///w/small.shard', fileName: `${HOSTILE}.shard`, timeline: { ...timeline, ffn: HOSTILE } });

describe('Step Timeline messages', () => {
  it('accepts exactly the known messages from the webview', () => {
    expect(parseTimelineWebviewMessage({ type: 'choosePhase', phase: 'prefill' })).toEqual({ type: 'choosePhase', phase: 'prefill' });
    expect(parseTimelineWebviewMessage({ type: 'chooseLayout' })).toEqual({ type: 'chooseLayout' });
    expect(parseTimelineWebviewMessage({ type: 'revealOp', key: 'ffn.b' })).toEqual({ type: 'revealOp', key: 'ffn.b' });
    expect(parseTimelineWebviewMessage({ type: 'revealOp', key: `ffn.${HOSTILE}` })).toBeUndefined();
    expect(parseTimelineWebviewMessage({ type: 'revealOp', key: 'shell.rm' })).toBeUndefined();
    expect(parseTimelineWebviewMessage({ type: 'ready', state: { uri: 'file:///a.shard', layout: 'fast', phase: 'decode' } })).toEqual({ type: 'ready', state: { uri: 'file:///a.shard', layout: 'fast', phase: 'decode' } });
    for (const bad of [null, { type: 'choosePhase', phase: 'both' }, { type: 'ready', state: { uri: 'file:///a', layout: HOSTILE, phase: 'decode' } }, { type: 'revealLayout', name: 'fast' }]) {
      expect(parseTimelineWebviewMessage(bad)).toBeUndefined();
    }
    expect(parseTimelineViewState({ uri: '', layout: 'fast', phase: 'decode' })).toBeUndefined();
  });

  it('lets the webview ignore malformed host messages', () => {
    expect(isTimelineHostMessage(message())).toBe(true);
    expect(isTimelineHostMessage({ ...message(), timeline: { ...timeline, layer: { bars: 'x' } } })).toBe(false);
    expect(isTimelineHostMessage({ type: 'status', state: 'loading', text: 'x' })).toBe(true);
  });
});

describe('renderTimeline', () => {
  let root: HTMLElement;
  let calls: string[];
  const actions = (): TimelineViewActions => ({ chooseLayout: () => calls.push('layout'), choosePhase: (p) => calls.push(p) });
  beforeEach(() => {
    document.body.replaceChildren();
    root = document.createElement('main');
    document.body.append(root);
    calls = [];
  });

  it('writes hostile names as text and gives both charts a slot', () => {
    const slots = renderTimeline(root, message(), actions());
    expect(root.querySelector('img')).toBeNull();
    expect(root.textContent).toContain(`${HOSTILE}.shard`);
    expect(root.textContent).toContain(`ffn ${HOSTILE}`);
    expect(slots.map((s) => s.id)).toEqual(['timeline', 'timeline-step']);
  });

  it('lists the critical path in order, one line per op on it', () => {
    renderTimeline(root, message(), actions());
    const items = [...root.querySelectorAll('ol.critical-path li')].map((li) => li.textContent ?? '');
    expect(items).toHaveLength(timeline.layer.criticalPath.length);
    const keys = timeline.layer.criticalPath.map((id) => timeline.layer.bars.find((b) => b.id === id)!.key);
    items.forEach((text, i) => expect(text.startsWith(`${keys[i]} (`)).toBe(true));
    // `fast` does not overlap (no `overlap =`): every op is on the path, my2d's gather before its einsum.
    expect(timeline.overlap).toBe('none');
    expect(keys.indexOf('ffn.a')).toBeGreaterThanOrEqual(0);
    expect(keys.indexOf('ffn.a')).toBeLessThan(keys.indexOf('ffn.b'));
  });

  it('marks the shown phase pressed and calls the host from the buttons', () => {
    renderTimeline(root, message(), actions());
    const phases = [...root.querySelectorAll<HTMLButtonElement>('.phases button')];
    expect(phases.map((b) => [b.textContent, b.getAttribute('aria-pressed')])).toEqual([['prefill', 'false'], ['decode', 'true']]);
    phases[0].click();
    root.querySelector<HTMLButtonElement>('button.layout-chooser')!.click();
    expect(calls).toEqual(['prefill', 'layout']);
    renderTimelineStatus(root, { type: 'status', state: 'error', text: HOSTILE });
    expect(root.querySelector('.status')!.textContent).toBe(HOSTILE);
    expect(root.querySelector('img')).toBeNull();
  });
});
