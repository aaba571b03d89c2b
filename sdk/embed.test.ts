// The embed client (sdk/embed.ts, issue 14) against a fake host page: the iframe it makes, the protocol it speaks
// with the check, its callbacks, abort, errors of this and of other protocol versions, and the messages it ignores.
// The repository has no DOM environment for vitest, so the page is the few objects the client touches.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { EMBED_PROTOCOL_VERSION, type EmbedPlan } from '../lib/embed/protocol';
import { check, NetreadyEmbedError, type CheckOptions } from './embed';

const NETREADY = 'https://netready.example.com';
const HOST = 'https://meet.example.com';
const NEWER = EMBED_PROTOCOL_VERSION + 1;

/** The parts of an iframe element the client sets and reads. */
interface FakeFrame {
  src: string;
  title: string;
  referrerPolicy: string;
  allow: string;
  style: { cssText: string; height: string };
  contentWindow: { postMessage: ReturnType<typeof vi.fn> };
  remove(): void;
}

type Listener = (event: { data: unknown; origin: string; source: unknown }) => void;

/** A host page with `#network-check`; `fromCheck` delivers a message as the browser would. */
function fakePage() {
  const listeners = new Set<Listener>();
  const container = { children: [] as FakeFrame[], append: (frame: FakeFrame) => container.children.push(frame) };
  const frames: FakeFrame[] = [];
  const document = {
    querySelector: (selector: string) => (selector === '#network-check' ? container : null),
    createElement: (tag: string) => {
      if (tag !== 'iframe') throw new Error(`the client made a <${tag}>`);
      const frame: FakeFrame = {
        src: '',
        title: '',
        referrerPolicy: '',
        allow: '',
        style: { cssText: '', height: '' },
        contentWindow: { postMessage: vi.fn() },
        remove: () => container.children.splice(container.children.indexOf(frame), 1),
      };
      frames.push(frame);
      return frame;
    },
  };
  const window = {
    addEventListener: (type: string, listener: Listener) => type === 'message' && listeners.add(listener),
    removeEventListener: (type: string, listener: Listener) => type === 'message' && listeners.delete(listener),
  };
  vi.stubGlobal('document', document);
  vi.stubGlobal('window', window);
  vi.stubGlobal('location', { origin: HOST });
  return {
    container,
    /** The check's iframe (the first the client made). */
    get frame(): FakeFrame {
      const frame = frames[0];
      if (!frame) throw new Error('the client made no iframe');
      return frame;
    },
    /** What the client posted into the check's frame: [message, targetOrigin] pairs. */
    posted: (): unknown[][] => frames[0]?.contentWindow.postMessage.mock.calls ?? [],
    listeners: () => listeners.size,
    /** A message to the host's window, by default from the check's frame at netready's origin. */
    fromCheck(data: unknown, from: { origin?: string; source?: unknown } = {}) {
      const event = { data, origin: from.origin ?? NETREADY, source: 'source' in from ? from.source : frames[0]?.contentWindow };
      for (const listener of [...listeners]) listener(event);
    },
  };
}

const ready = (version = EMBED_PROTOCOL_VERSION) => ({ type: 'netready:ready', version, plans: ['connectivity', 'full', 'deep'], locales: ['en', 'de'], targets: [] });
const progress = (completed: number) => ({ type: 'netready:progress', version: EMBED_PROTOCOL_VERSION, runId: 'run-1', atMs: 40 * completed, completed, total: 3, probe: { id: 'dns', title: 'DNS', status: 'pass' } });
const result = (verdict = 'ready') => ({ type: 'netready:result', version: EMBED_PROTOCOL_VERSION, runId: 'run-1', verdict, durationMs: 2100, findings: [] });
const options = (extra: Partial<CheckOptions> = {}): CheckOptions => ({ container: '#network-check', origin: `${NETREADY}/some/path`, ...extra });

afterEach(() => {
  vi.useRealTimers();
  vi.unstubAllGlobals();
});

describe('the iframe', () => {
  it.each<[string, EmbedPlan | undefined, string]>([
    ['the deep plan', 'deep', `camera ${NETREADY}; microphone ${NETREADY}; clipboard-write ${NETREADY}`],
    ['the full plan', 'full', `clipboard-write ${NETREADY}`],
    ['the connectivity plan', 'connectivity', `clipboard-write ${NETREADY}`],
    ['no plan (full)', undefined, `clipboard-write ${NETREADY}`],
  ])('for %s allows exactly: %s', (_name, plan, allow) => {
    const page = fakePage();
    void check(options(plan ? { plan } : {}));
    expect(page.frame.allow).toBe(allow);
  });

  it('goes into the container, loads /embed on the deployment’s origin with the look in its query, and sends the host’s origin as referrer', () => {
    const page = fakePage();
    void check(options({ plan: 'connectivity', locale: 'de', theme: { mode: 'dark', accent: '#f59e0b' }, title: 'Netzwerktest' }));
    expect(page.container.children).toEqual([page.frame]);
    expect(page.frame.src).toBe(`${NETREADY}/embed?plan=connectivity&locale=de&theme=dark&accent=%23f59e0b`);
    expect(page.frame.referrerPolicy).toBe('origin');
    expect(page.frame.title).toBe('Netzwerktest');
  });
});

describe('a run', () => {
  it('starts once the check is ready, in this version, with the host’s options, posted to the deployment’s origin only', () => {
    const page = fakePage();
    const onReady = vi.fn();
    void check(options({ plan: 'connectivity', share: true, targets: [], onReady }));
    expect(page.posted()).toEqual([]);
    page.fromCheck(ready());
    expect(onReady).toHaveBeenCalledWith(ready());
    expect(page.posted()).toEqual([[{ type: 'netready:start', version: EMBED_PROTOCOL_VERSION, options: { plan: 'connectivity', targets: [], share: true } }, NETREADY]]);
  });

  it('leaves the start to the person with autostart false', () => {
    const page = fakePage();
    const onReady = vi.fn();
    void check(options({ autostart: false, onReady }));
    page.fromCheck(ready());
    expect(onReady).toHaveBeenCalledTimes(1);
    expect(page.posted()).toEqual([]);
  });

  it('calls onProgress for each progress, sizes the iframe, and resolves with the result it also gives onResult', async () => {
    const page = fakePage();
    const onProgress = vi.fn();
    const onResult = vi.fn();
    const onError = vi.fn();
    const run = check(options({ onProgress, onResult, onError }));
    page.fromCheck(ready());
    page.fromCheck(progress(1));
    page.fromCheck(progress(2));
    page.fromCheck({ type: 'netready:resize', version: EMBED_PROTOCOL_VERSION, height: 312.4 });
    page.fromCheck(result('degraded'));
    await expect(run).resolves.toEqual(result('degraded'));
    expect(onProgress.mock.calls).toEqual([[progress(1)], [progress(2)]]);
    expect(page.frame.style.height).toBe('312px');
    expect(onResult).toHaveBeenCalledWith(result('degraded'));
    // A later run the person starts with "Check again" reaches onResult too.
    page.fromCheck(result('ready'));
    expect(onResult).toHaveBeenLastCalledWith(result('ready'));
    expect(onResult).toHaveBeenCalledTimes(2);
    expect(onError).not.toHaveBeenCalled();
  });

  it('rejects with busy, calling onError, when the check already runs a check', async () => {
    const page = fakePage();
    const onError = vi.fn();
    const run = check(options({ onError }));
    page.fromCheck(ready());
    page.fromCheck({ type: 'netready:error', version: EMBED_PROTOCOL_VERSION, code: 'busy', message: 'a check is already running; wait for its netready:result' });
    await expect(run).rejects.toThrow(new NetreadyEmbedError('busy', 'a check is already running; wait for its netready:result'));
    await expect(run).rejects.toMatchObject({ code: 'busy', name: 'NetreadyEmbedError' });
    expect(onError).toHaveBeenCalledTimes(1);
    expect(onError.mock.calls[0]![0]).toMatchObject({ code: 'busy' });
  });
});

describe('another protocol version', () => {
  it('asks a newer check anyway and rejects with its unsupported-version at once, not with a load timeout', async () => {
    vi.useFakeTimers();
    const page = fakePage();
    const onError = vi.fn();
    const onReady = vi.fn();
    const run = check(options({ onError, onReady, loadTimeoutMs: 5000 }));
    page.fromCheck(ready(NEWER));
    // Its ready is not read (its fields may mean other things), but the check is asked in this client's version…
    expect(onReady).not.toHaveBeenCalled();
    expect(page.posted()).toEqual([[expect.objectContaining({ type: 'netready:start', version: EMBED_PROTOCOL_VERSION }), NETREADY]]);
    // …and its refusal, in its own version, reaches the host.
    const refusal = `this check speaks protocol version ${NEWER}; the host sent ${EMBED_PROTOCOL_VERSION}. Load the loader (/embed.js) from this deployment.`;
    page.fromCheck({ type: 'netready:error', version: NEWER, code: 'unsupported-version', message: refusal });
    await expect(run).rejects.toMatchObject({ code: 'unsupported-version', message: refusal });
    expect(onError).toHaveBeenCalledTimes(1);
    // The load timer is gone: no second error later.
    vi.advanceTimersByTime(10_000);
    expect(onError).toHaveBeenCalledTimes(1);
  });

  it('ignores every other message of another version', async () => {
    const page = fakePage();
    const onProgress = vi.fn();
    const onResult = vi.fn();
    const run = check(options({ onProgress, onResult }));
    page.fromCheck(ready());
    page.fromCheck({ ...progress(1), version: NEWER });
    page.fromCheck({ type: 'netready:resize', version: NEWER, height: 999 });
    page.fromCheck({ ...result('blocked'), version: NEWER });
    expect(onProgress).not.toHaveBeenCalled();
    expect(onResult).not.toHaveBeenCalled();
    expect(page.frame.style.height).not.toBe('999px');
    // The run still ends with this version's result.
    page.fromCheck(result('ready'));
    await expect(run).resolves.toMatchObject({ verdict: 'ready' });
  });

  it('without autostart, names the check’s version when the load timer ends, not the allowlist', async () => {
    vi.useFakeTimers();
    const page = fakePage();
    const run = check(options({ autostart: false, loadTimeoutMs: 5000 }));
    page.fromCheck(ready(NEWER));
    expect(page.posted()).toEqual([]);
    vi.advanceTimersByTime(5000);
    await expect(run).rejects.toMatchObject({ code: 'unsupported-version', message: expect.stringContaining(`version ${NEWER}, this client version ${EMBED_PROTOCOL_VERSION}`) });
    await expect(run).rejects.not.toMatchObject({ message: expect.stringContaining('allowedOrigins') });
  });
});

describe('loading', () => {
  it('rejects with load-timeout, naming this page’s origin and the allowlist, when the check never says ready', async () => {
    vi.useFakeTimers();
    const page = fakePage();
    const onError = vi.fn();
    const run = check(options({ loadTimeoutMs: 5000, onError }));
    vi.advanceTimersByTime(4999);
    expect(onError).not.toHaveBeenCalled();
    vi.advanceTimersByTime(1);
    await expect(run).rejects.toMatchObject({ code: 'load-timeout', message: expect.stringContaining(`(${HOST}) in the deployment's embed.allowedOrigins`) });
    expect(onError).toHaveBeenCalledTimes(1);
    expect(page.frame).toBeDefined();
  });

  it('does not time out once the check said ready', async () => {
    vi.useFakeTimers();
    const page = fakePage();
    const onError = vi.fn();
    const run = check(options({ loadTimeoutMs: 5000, onError }));
    page.fromCheck(ready());
    vi.advanceTimersByTime(60_000);
    page.fromCheck(result());
    await expect(run).resolves.toMatchObject({ verdict: 'ready' });
    expect(onError).not.toHaveBeenCalled();
  });

  it('rejects with invalid-options for a container that is not on the page or an origin that is no URL', async () => {
    fakePage();
    await expect(check(options({ container: '#nowhere' }))).rejects.toMatchObject({ code: 'invalid-options', message: expect.stringContaining('#nowhere') });
    await expect(check(options({ origin: 'netready' }))).rejects.toMatchObject({ code: 'invalid-options', message: expect.stringContaining('"netready"') });
  });
});

describe('abort', () => {
  it('removes the iframe, stops listening, and rejects with aborted, calling onError', async () => {
    const page = fakePage();
    const controller = new AbortController();
    const onError = vi.fn();
    const onResult = vi.fn();
    const run = check(options({ signal: controller.signal, onError, onResult }));
    page.fromCheck(ready());
    expect(page.listeners()).toBe(1);
    controller.abort();
    await expect(run).rejects.toMatchObject({ code: 'aborted' });
    expect(onError).toHaveBeenCalledWith(expect.objectContaining({ code: 'aborted' }));
    expect(page.container.children).toEqual([]);
    expect(page.listeners()).toBe(0);
    page.fromCheck(result());
    expect(onResult).not.toHaveBeenCalled();
  });

  it('with a signal already aborted, rejects at once and adds no iframe', async () => {
    const page = fakePage();
    const run = check(options({ signal: AbortSignal.abort() }));
    await expect(run).rejects.toMatchObject({ code: 'aborted' });
    expect(page.container.children).toEqual([]);
    expect(page.listeners()).toBe(0);
  });
});

describe('messages it ignores', () => {
  it('reads nothing from another window or another origin, and nothing that is not the check’s', async () => {
    const page = fakePage();
    const onReady = vi.fn();
    const onProgress = vi.fn();
    const onError = vi.fn();
    const run = check(options({ onReady, onProgress, onError }));
    const elsewhere = { postMessage: vi.fn() };
    // Right origin, wrong window (another frame of netready on the page); right window, wrong origin (the frame
    // navigated away); and other scripts' messages.
    for (const from of [{ source: elsewhere }, { origin: 'https://attacker.example' }, { origin: HOST, source: null }]) {
      page.fromCheck(ready(), from);
      page.fromCheck(progress(1), from);
      page.fromCheck({ type: 'netready:error', version: EMBED_PROTOCOL_VERSION, code: 'run-failed', message: 'forged' }, from);
      page.fromCheck(result('blocked'), from);
    }
    page.fromCheck({ type: 'webpackOk' });
    page.fromCheck('netready:result');
    page.fromCheck({ type: 'netready:error', version: EMBED_PROTOCOL_VERSION, code: 'no such code', message: 'malformed' });
    expect(onReady).not.toHaveBeenCalled();
    expect(onProgress).not.toHaveBeenCalled();
    expect(onError).not.toHaveBeenCalled();
    expect(page.posted()).toEqual([]);
    // The check's own messages still count: the forged result did not settle the run.
    page.fromCheck(ready());
    page.fromCheck(result('ready'));
    await expect(run).resolves.toMatchObject({ verdict: 'ready' });
  });
});
