// Editors that never answer `workspace/configuration` (they do not offer it, or answer null
// because they have no `shardlens` section) still set shardlens's settings: with the
// `initializationOptions` they send at start, in the same `{ shardlens: {...} }` shape that
// `didChangeConfiguration` pushes (docs/editors.md, "Settings").

import { afterEach, describe, expect, it } from 'vitest';
import type { InlayHint } from 'vscode-languageserver-protocol';
import { fixture, positionOf, startInMemory, type ClientOptions, type TestClient } from './harness';

const URI = 'file:///work/initialization-options.shard';
const TEXT = fixture('small.shard');
const WHOLE_FILE = { start: { line: 0, character: 0 }, end: { line: TEXT.split('\n').length, character: 0 } };
/** With the default `inlayHints.detail` (`type`) this line has the hint `: BLF_xyz`. */
const TYPED_LINE = 'd = gelu';
/** With `inlayHints.detail` `time` this line has its collective's time; with `type`, nothing. */
const COLLECTIVE_LINE = 'a = all_gather';
const HINTS_OFF = { shardlens: { inlayHints: { detail: 'off' } } };
const HINTS_TIME = { shardlens: { inlayHints: { detail: 'time' } } };

describe('settings from initializationOptions', () => {
  let client: TestClient | undefined;
  /** How many workspace/configuration requests the server sent this client. */
  let configurationRequests = 0;

  afterEach(async () => {
    await client?.close();
    client = undefined;
  });

  /** Starts a client and opens the fixture; `answer` replaces the client's configuration answer. */
  async function start(options: ClientOptions, answer?: () => unknown): Promise<TestClient> {
    configurationRequests = 0;
    client = await startInMemory(options);
    const settings = client.settings;
    client.connection.onRequest('workspace/configuration', (p: { items: unknown[] }) => {
      configurationRequests++;
      return p.items.map(() => (answer ? answer() : settings));
    });
    await client.open(URI, TEXT);
    await client.diagnosticsOfVersion(URI, 1);
    return client;
  }

  async function hintsOn(c: TestClient, needle: string): Promise<string[]> {
    const hints = await c.request<InlayHint[]>('textDocument/inlayHint', { textDocument: { uri: URI }, range: WHOLE_FILE });
    return hints.filter((h) => h.position.line === positionOf(TEXT, needle).line).map((h) => String(h.label));
  }

  it('apply when the client does not offer workspace/configuration', async () => {
    // Without options the same client sees the default detail, so the options are what changed it.
    const plain = await start({ answersConfiguration: false });
    expect(await hintsOn(plain, TYPED_LINE)).toEqual([': BLF_xyz']);
    await plain.close();

    const configured = await start({ answersConfiguration: false, initializationOptions: HINTS_OFF });
    expect(await hintsOn(configured, TYPED_LINE)).toEqual([]);
    expect(configurationRequests).toBe(0);
  });

  it('apply when the client answers workspace/configuration with null (it has no shardlens section)', async () => {
    const c = await start({ initializationOptions: HINTS_TIME }, () => null);
    const timed = await hintsOn(c, COLLECTIVE_LINE);
    expect(configurationRequests).toBeGreaterThan(0);
    expect(timed).toHaveLength(1);
    // Each label names its layout and phase, then the time.
    expect(timed[0]).toMatch(/^\S+ · (prefill|decode): [0-9.]+ (ns|µs|ms) comm$/);
  });

  it('give way to an answered workspace/configuration section', async () => {
    const c = await start({ settings: { inlayHints: { detail: 'type' } }, initializationOptions: HINTS_OFF });
    expect(await hintsOn(c, TYPED_LINE)).toEqual([': BLF_xyz']);
  });

  it('give way to settings pushed later with didChangeConfiguration', async () => {
    const c = await start({ answersConfiguration: false, initializationOptions: HINTS_OFF });
    expect(await hintsOn(c, TYPED_LINE)).toEqual([]);
    await c.connection.sendNotification('workspace/didChangeConfiguration', { settings: HINTS_TIME });
    expect(await hintsOn(c, COLLECTIVE_LINE)).toHaveLength(1);
  });

  it('read only the shardlens section, and fall back to the defaults for ill-typed values', async () => {
    const c = await start({ answersConfiguration: false, initializationOptions: { other: { inlayHints: { detail: 'off' } }, shardlens: { inlayHints: { detail: 42 } } } });
    expect(await hintsOn(c, TYPED_LINE)).toEqual([': BLF_xyz']);
  });
});
