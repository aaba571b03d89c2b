import { describe, expect, it, vi } from 'vitest';
import { claimedParentOrigin, createEmbedBridge, type BridgeMessageEvent, type BridgeWindow } from './embed-bridge';

const HOST = 'https://meet.example.com';

/** A framed window whose parent records what is posted to it. */
function framedWindow(options: { ancestorOrigins?: string[]; referrer?: string; framed?: boolean } = {}) {
  const posted: Array<{ message: unknown; targetOrigin: string }> = [];
  const listeners: Array<(event: BridgeMessageEvent) => void> = [];
  const parent = { postMessage: (message: unknown, targetOrigin: string) => posted.push({ message, targetOrigin }) };
  const win: BridgeWindow = {
    parent,
    location: options.ancestorOrigins ? { ancestorOrigins: Object.assign([...options.ancestorOrigins], { length: options.ancestorOrigins.length }) } : {},
    document: { referrer: options.referrer ?? '' },
    addEventListener: (_type, listener) => listeners.push(listener),
    removeEventListener: (_type, listener) => listeners.splice(listeners.indexOf(listener), 1),
  };
  if (options.framed === false) win.parent = win as unknown as BridgeWindow['parent'];
  const deliver = (data: unknown, origin = HOST, source: unknown = win.parent) => listeners.forEach((listener) => listener({ data, origin, source }));
  return { win, posted, deliver, listeners };
}

describe('the embed bridge', () => {
  it('posts to the parent’s allowed origin, never "*", stamping the protocol version', () => {
    const { win, posted } = framedWindow({ ancestorOrigins: [HOST] });
    const bridge = createEmbedBridge(win, { allowedOrigins: [HOST], targets: [], onStart: vi.fn() });
    expect(bridge.connected).toBe(true);
    bridge.post({ type: 'netready:resize', height: 300 });
    expect(posted).toEqual([{ message: { type: 'netready:resize', height: 300, version: 1 }, targetOrigin: HOST }]);
  });

  it('learns the parent from the referrer when the browser has no ancestorOrigins (Firefox)', () => {
    const { win, posted } = framedWindow({ referrer: `${HOST}/join/42` });
    createEmbedBridge(win, { allowedOrigins: [HOST], targets: [], onStart: vi.fn() }).post({ type: 'netready:resize', height: 1 });
    expect(posted[0]?.targetOrigin).toBe(HOST);
    expect(claimedParentOrigin({ location: {}, document: { referrer: 'not a url' } })).toBeNull();
  });

  it('posts nothing to a parent whose origin is not allowed, and ignores its start', () => {
    const onStart = vi.fn();
    const { win, posted, deliver } = framedWindow({ ancestorOrigins: ['https://evil.example'] });
    const bridge = createEmbedBridge(win, { allowedOrigins: [HOST], targets: [], onStart });
    expect(bridge.connected).toBe(false);
    bridge.post({ type: 'netready:resize', height: 1 });
    deliver({ type: 'netready:start', version: 1 }, 'https://evil.example');
    deliver({ type: 'netready:start', version: 9 }, 'https://evil.example');
    expect(onStart).not.toHaveBeenCalled();
    expect(posted).toEqual([]);
  });

  it('ignores messages from other windows even when their origin is allowed', () => {
    const onStart = vi.fn();
    const { win, deliver } = framedWindow({ ancestorOrigins: [HOST] });
    createEmbedBridge(win, { allowedOrigins: [HOST], targets: [], onStart });
    deliver({ type: 'netready:start', version: 1 }, HOST, { some: 'popup' });
    expect(onStart).not.toHaveBeenCalled();
  });

  it('starts on a valid start from the allowed parent, answers a bad one with netready:error to that origin', () => {
    const onStart = vi.fn();
    const { win, posted, deliver } = framedWindow();
    const bridge = createEmbedBridge(win, { allowedOrigins: [HOST], targets: [], onStart });
    // No ancestorOrigins, no referrer: the parent's own message tells its origin.
    expect(bridge.connected).toBe(false);
    deliver({ type: 'netready:start', version: 1, options: { plan: 'connectivity' } });
    expect(onStart).toHaveBeenCalledWith({ plan: 'connectivity', share: false });
    expect(bridge.connected).toBe(true);
    deliver({ type: 'netready:start', version: 3 });
    expect(posted).toEqual([{ message: expect.objectContaining({ type: 'netready:error', code: 'unsupported-version', version: 1 }), targetOrigin: HOST }]);
  });

  it('does nothing in a page that is not framed, and stops listening when closed', () => {
    const onStart = vi.fn();
    const { win, deliver, listeners } = framedWindow({ framed: false, referrer: `${HOST}/` });
    const bridge = createEmbedBridge(win, { allowedOrigins: [HOST], targets: [], onStart });
    expect(bridge.connected).toBe(false);
    deliver({ type: 'netready:start', version: 1 }, HOST, win);
    expect(onStart).not.toHaveBeenCalled();
    bridge.close();
    expect(listeners).toHaveLength(0);
  });
});
