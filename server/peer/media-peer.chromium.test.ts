/**
 * Real headless Chromium ↔ MediaPeerServer, direct (no TURN): proves the answer SDP, ICE, DTLS, SCTP and the
 * echo work with the browser the product targets. Runs under vitest beside its source (Playwright's runner only
 * looks in e2e/); it drives Chromium through playwright-core and fails, saying what to install, when /usr/bin/chromium is absent.
 */
import { existsSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { CHROMIUM_ARGS } from '../../cli/chromium';
import { MediaPeerServer, type MediaPeerEvent } from './media-peer';

const CHROMIUM_PATH = '/usr/bin/chromium';
const PORT_MIN = 43_000 + Math.floor(Math.random() * 200) * 20;
const PORT_MAX = PORT_MIN + 19;
/**
 * Where the peer listens. Chromium offers only mDNS (`.local`) host candidates, which the server drops; its
 * checks to 127.0.0.1 arrive from 127.0.0.1 and become a peer-reflexive remote candidate.
 */
const PEER_IP = '127.0.0.1';

/** What the page reports after its ping run. */
interface PageRun {
  /** setRemoteDescription(answer) → 'ping' channel open. */
  openMs: number;
  rttMs: number[];
  echoed: number;
  /** Echoes received on the unordered, maxRetransmits 0 channel. */
  lossEchoed: number;
  textOk: boolean;
  binaryOk: boolean;
  selectedRemote: { address: string; port: number; candidateType: string } | null;
}

let browser: Browser | undefined;
let site: Server | undefined;
let siteUrl = '';
const servers: MediaPeerServer[] = [];
const pages: Page[] = [];

beforeAll(async () => {
  // Never skip to go green: without Chromium this suite fails and says what to install.
  if (!existsSync(CHROMIUM_PATH)) throw new Error(`Chromium not found at ${CHROMIUM_PATH}: apt-get install chromium (npm test installs it as root).`);
  site = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end('<!doctype html><html><head><title>netready peer check</title></head><body></body></html>');
  });
  await new Promise<void>((resolve) => site?.listen(0, '127.0.0.1', resolve));
  siteUrl = `http://127.0.0.1:${(site.address() as AddressInfo).port}/`;
  browser = await chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: CHROMIUM_ARGS,
  });
}, 30_000);

afterEach(async () => {
  await Promise.allSettled(pages.splice(0).map((p) => p.close()));
  await Promise.allSettled(servers.splice(0).map((s) => s.close()));
});

afterAll(async () => {
  await browser?.close();
  await new Promise<void>((resolve) => (site ? site.close(() => resolve()) : resolve()));
});

describe('MediaPeerServer with real Chromium', () => {
  it('connects Chromium without ICE servers and echoes 20 pings on a reliable and an unreliable channel', async () => {
    const events: MediaPeerEvent[] = [];
    const server = new MediaPeerServer({
      bindIp: PEER_IP,
      publicIp: PEER_IP,
      portMin: PORT_MIN,
      portMax: PORT_MAX,
      onEvent: (e) => events.push(e),
    });
    servers.push(server);
    const page = await browser!.newPage();
    pages.push(page);
    await page.goto(siteUrl);

    const offer = await page.evaluate(makeOffer);
    const answerStartedAt = performance.now();
    const { peerId, sdp } = await server.answer(offer.sdp, { sessionId: 'chromium-1', label: 'direct' });
    const answerMs = performance.now() - answerStartedAt;
    const run = await page.evaluate(pingThroughPeer, { answerSdp: sdp, count: 20 });

    expect(run.echoed).toBe(20);
    expect(run.lossEchoed).toBe(20);
    expect(run.textOk).toBe(true);
    expect(run.binaryOk).toBe(true);
    const connected = events.find((e) => e.type === 'peer-connected' && e.peerId === peerId);
    expect(connected).toMatchObject({ type: 'peer-connected', sessionId: 'chromium-1' });
    // Chromium offered only mDNS host candidates; the server learnt the real address from Chromium's checks.
    expect(connected).toMatchObject({ remoteAddress: PEER_IP, remoteCandidateType: 'prflx' });
    expect(server.getPeer(peerId)?.echoedMessages).toBe(42);
    expect(run.selectedRemote).toMatchObject({ address: PEER_IP, candidateType: 'host' });
    expect(run.selectedRemote!.port).toBeGreaterThanOrEqual(PORT_MIN);
    expect(run.selectedRemote!.port).toBeLessThanOrEqual(PORT_MAX);

    const sorted = [...run.rttMs].sort((a, b) => a - b);
    console.info(
      `[media-peer chromium] offer ${offer.ms.toFixed(1)} ms, answer() ${answerMs.toFixed(1)} ms, ` +
        `setRemoteDescription→open ${run.openMs.toFixed(1)} ms, echo RTT median ${sorted[10]!.toFixed(2)} ms ` +
        `(min ${sorted[0]!.toFixed(2)}, max ${sorted[19]!.toFixed(2)}), server saw ${JSON.stringify(connected)}`,
    );
  }, 20_000);

  it.each(['its channels', 'its PeerConnection'])('closes the server peer when the page closes %s', async (what) => {
    let onClosed!: (e: MediaPeerEvent) => void;
    const closed = new Promise<MediaPeerEvent>((resolve) => (onClosed = resolve));
    const server = new MediaPeerServer({
      bindIp: PEER_IP,
      publicIp: PEER_IP,
      portMin: PORT_MIN,
      portMax: PORT_MAX,
      onEvent: (e) => {
        if (e.type === 'peer-closed') onClosed(e);
      },
    });
    servers.push(server);
    const page = await browser!.newPage();
    pages.push(page);
    await page.goto(siteUrl);

    const offer = await page.evaluate(makeOffer);
    const { sdp } = await server.answer(offer.sdp, { sessionId: 'chromium-2' });
    const run = await page.evaluate(pingThroughPeer, { answerSdp: sdp, count: 1 });
    await page.evaluate((closeWhat) => {
      const g = globalThis as unknown as {
        netreadyPc: RTCPeerConnection;
        netreadyChannel: RTCDataChannel;
        netreadyLossChannel: RTCDataChannel;
      };
      if (closeWhat === 'its PeerConnection') {
        g.netreadyPc.close();
      } else {
        g.netreadyChannel.close();
        g.netreadyLossChannel.close();
      }
    }, what);

    expect(run.echoed).toBe(1);
    await expect(closed).resolves.toMatchObject({ reason: 'channel-closed', echoedMessages: 2 });
    expect(server.activePeers).toBe(0);
  }, 20_000);
});

/** In the page: a PeerConnection without ICE servers, one channel, offer after gathering (bounded 2 s). */
async function makeOffer(): Promise<{ sdp: string; ms: number }> {
  const startedAt = performance.now();
  const pc = new RTCPeerConnection();
  const channel = pc.createDataChannel('ping');
  // The loss-measurement channel shape from DESIGN.md: unordered, no retransmissions.
  const lossChannel = pc.createDataChannel('loss', { ordered: false, maxRetransmits: 0 });
  Object.assign(globalThis, { netreadyPc: pc, netreadyChannel: channel, netreadyLossChannel: lossChannel });
  await pc.setLocalDescription();
  await new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, 2_000);
    pc.addEventListener('icegatheringstatechange', () => {
      if (pc.iceGatheringState === 'complete') {
        clearTimeout(timer);
        resolve();
      }
    });
    if (pc.iceGatheringState === 'complete') resolve();
  });
  return { sdp: pc.localDescription!.sdp, ms: performance.now() - startedAt };
}

/** In the page: apply the answer, wait for the channel, send pings, one text and one binary, measure RTT. */
async function pingThroughPeer({ answerSdp, count }: { answerSdp: string; count: number }): Promise<PageRun> {
  const {
    netreadyPc: pc,
    netreadyChannel: channel,
    netreadyLossChannel: lossChannel,
  } = globalThis as unknown as {
    netreadyPc: RTCPeerConnection;
    netreadyChannel: RTCDataChannel;
    netreadyLossChannel: RTCDataChannel;
  };
  channel.binaryType = 'arraybuffer';
  const startedAt = performance.now();
  await pc.setRemoteDescription({ type: 'answer', sdp: answerSdp });
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`channel not open: ice ${pc.iceConnectionState}`)), 10_000);
    if (channel.readyState === 'open') resolve();
    channel.addEventListener('open', () => {
      clearTimeout(timer);
      resolve();
    });
  });
  const openMs = performance.now() - startedAt;

  const nextMessage = (): Promise<string | ArrayBuffer> =>
    new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('no echo within 2 s')), 2_000);
      channel.addEventListener(
        'message',
        (event: MessageEvent<string | ArrayBuffer>) => {
          clearTimeout(timer);
          resolve(event.data);
        },
        { once: true },
      );
    });
  const rttMs: number[] = [];
  let echoed = 0;
  for (let seq = 0; seq < count; seq++) {
    const message = JSON.stringify({ seq, t: performance.now() });
    const reply = nextMessage();
    const sentAt = performance.now();
    channel.send(message);
    if ((await reply) === message) {
      rttMs.push(performance.now() - sentAt);
      echoed++;
    }
  }
  let textOk = true;
  let binaryOk = true;
  if (count > 1) {
    const text = 'ünïcode ✓';
    const reply = nextMessage();
    channel.send(text);
    textOk = (await reply) === text;
    const bytes = new Uint8Array([0, 1, 2, 253, 254, 255]);
    const binaryReply = nextMessage();
    channel.send(bytes);
    const got = await binaryReply;
    binaryOk = got instanceof ArrayBuffer && new Uint8Array(got).join() === bytes.join();
  }

  // Unreliable channel: on loopback nothing is lost, so every datagram-like message comes back.
  let lossEchoed = 0;
  if (lossChannel.readyState !== 'open') {
    await new Promise<void>((resolve) => lossChannel.addEventListener('open', () => resolve(), { once: true }));
  }
  const lossDone = new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, 1_000);
    lossChannel.addEventListener('message', () => {
      lossEchoed++;
      if (lossEchoed === count) {
        clearTimeout(timer);
        resolve();
      }
    });
  });
  for (let seq = 0; seq < count; seq++) lossChannel.send(`loss ${seq}`);
  await lossDone;

  let selectedRemote: PageRun['selectedRemote'] = null;
  const stats = await pc.getStats();
  stats.forEach((report: { type: string; state?: string; nominated?: boolean; remoteCandidateId?: string }) => {
    if (report.type !== 'candidate-pair' || report.state !== 'succeeded' || !report.nominated) return;
    const remote = stats.get(report.remoteCandidateId ?? '') as
      | { address: string; port: number; candidateType: string }
      | undefined;
    if (remote) selectedRemote = { address: remote.address, port: remote.port, candidateType: remote.candidateType };
  });
  return { openMs, rttMs, echoed, lossEchoed, textOk, binaryOk, selectedRemote };
}
