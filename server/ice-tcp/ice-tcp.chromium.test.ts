/**
 * Real headless Chromium ↔ netready's passive ICE-TCP endpoint ↔ the werift media peer: proves that an answer
 * offering only `tcptype passive` makes Chromium connect over TCP (RFC 6544, RFC 4571 framing), and that ICE, DTLS,
 * SCTP and the DataChannel echo run through the endpoint's loopback shim to werift's UDP socket. Fails, saying what
 * to install, when /usr/bin/chromium is absent.
 */
import { existsSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import net, { type AddressInfo } from 'node:net';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { CHROMIUM_ARGS } from '../../cli/chromium';
import { MediaPeerServer, type MediaPeerEvent } from '../peer/media-peer';
import { IceTcpMediaPeer } from './ice-tcp-media-peer';
import { IceTcpServer, type IceTcpEvent } from './ice-tcp-server';

const CHROMIUM_PATH = '/usr/bin/chromium';
const PORT_MIN = 41_000 + Math.floor(Math.random() * 40) * 20;
const PORT_MAX = PORT_MIN + 19;
const PEER_IP = '127.0.0.1';

/** What the page reports. */
interface PageRun {
  openMs: number;
  echoed: number;
  sent: number;
  local: Record<string, unknown> | null;
  remote: Record<string, unknown> | null;
  iceState: string;
}

let browser: Browser | undefined;
let site: Server | undefined;
let siteUrl = '';
const cleanups: Array<() => Promise<unknown>> = [];
const pages: Page[] = [];

beforeAll(async () => {
  if (!existsSync(CHROMIUM_PATH)) throw new Error(`Chromium not found at ${CHROMIUM_PATH}: apt-get install chromium (npm test installs it as root).`);
  site = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end('<!doctype html><html><head><title>netready ICE-TCP check</title></head><body></body></html>');
  });
  await new Promise<void>((resolve) => site?.listen(0, '127.0.0.1', resolve));
  siteUrl = `http://127.0.0.1:${(site.address() as AddressInfo).port}/`;
  browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
}, 30_000);

afterEach(async () => {
  await Promise.allSettled(pages.splice(0).map((p) => p.close()));
  await Promise.allSettled(cleanups.splice(0).reverse().map((cleanup) => cleanup()));
});

afterAll(async () => {
  await browser?.close();
  await new Promise<void>((resolve) => (site ? site.close(() => resolve()) : resolve()));
});

async function startStack(): Promise<{ answerer: IceTcpMediaPeer; peerEvents: MediaPeerEvent[]; tcpEvents: IceTcpEvent[]; tcpPort: number }> {
  const peerEvents: MediaPeerEvent[] = [];
  const tcpEvents: IceTcpEvent[] = [];
  const iceTcp = new IceTcpServer({ ip: PEER_IP, port: 0, onEvent: (e) => tcpEvents.push(e) });
  const { port: tcpPort } = await iceTcp.listen();
  const closedPeers: { onClosed?: (peerId: string) => void } = {};
  const peer = new MediaPeerServer({
    bindIp: PEER_IP,
    publicIp: PEER_IP,
    portMin: PORT_MIN,
    portMax: PORT_MAX,
    onEvent: (e) => {
      peerEvents.push(e);
      if (e.type === 'peer-closed') closedPeers.onClosed?.(e.peerId);
    },
  });
  const answerer = new IceTcpMediaPeer({ mediaPeer: peer, iceTcp, advertised: { ip: PEER_IP, port: tcpPort }, mediaIp: PEER_IP, answerTtlMs: 60_000 });
  closedPeers.onClosed = (peerId) => answerer.peerClosed(peerId);
  cleanups.push(() => iceTcp.close(), () => peer.close());
  return { answerer, peerEvents, tcpEvents, tcpPort };
}

describe('ICE-TCP with real Chromium', () => {
  it('connects Chromium to a passive-TCP-only answer and echoes DataChannel messages over the TCP pair', async () => {
    const { answerer, peerEvents, tcpEvents, tcpPort } = await startStack();
    const page = await browser!.newPage();
    pages.push(page);
    await page.goto(siteUrl);
    const offerSdp = await page.evaluate(makeOffer);
    const { peerId, sdp } = await answerer.answer(offerSdp, { sessionId: 'chromium-tcp', label: 'ice-tcp', iceTcp: true });
    expect(sdp).toMatch(new RegExp(`a=candidate:\\S+ 1 tcp \\d+ 127\\.0\\.0\\.1 ${tcpPort} typ host tcptype passive`));
    expect(sdp).not.toMatch(/a=candidate:\S+ 1 udp /);
    const run = await page.evaluate(echoOverAnswer, { answerSdp: sdp, count: 10 });

    expect(run.echoed).toBe(10);
    // The browser's own view (getStats): the selected pair is its active TCP candidate to our passive one.
    expect(run.local).toMatchObject({ protocol: 'tcp', tcpType: 'active' });
    expect(run.remote).toMatchObject({ protocol: 'tcp', tcpType: 'passive', address: PEER_IP, port: tcpPort });
    // The server's view: one accepted TCP connection for this answer, and werift connected via the shim.
    expect(tcpEvents).toContainEqual(expect.objectContaining({ type: 'ice-tcp-accepted', peerId, sessionId: 'chromium-tcp', remoteAddress: PEER_IP }));
    expect(peerEvents).toContainEqual(expect.objectContaining({ type: 'peer-connected', peerId, remoteAddress: PEER_IP, remoteCandidateType: 'prflx' }));
    console.info(`[ice-tcp chromium] setRemoteDescription→open ${run.openMs.toFixed(1)} ms; local ${JSON.stringify(run.local)}; remote ${JSON.stringify(run.remote)}`);
  }, 30_000);

  it('goes through the browser\'s HTTP proxy with CONNECT to the ICE-TCP port, and the server sees the proxy\'s connection', async () => {
    const { answerer, tcpEvents, tcpPort } = await startStack();
    // A minimal CONNECT proxy on loopback that only tunnels to loopback, and records what it was asked for.
    const connects: string[] = [];
    const tunnels: net.Socket[] = [];
    // Plain requests through it (the test page itself) get the page: the proxy stands in for the whole web.
    const proxy = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      res.end('<!doctype html><html><head><title>netready ICE-TCP check</title></head><body></body></html>');
    });
    proxy.on('connect', (req, client: net.Socket, head: Buffer) => {
      connects.push(req.url ?? '');
      const [host, port] = (req.url ?? '').split(':');
      if (host !== '127.0.0.1') {
        client.end('HTTP/1.1 403 Forbidden\r\n\r\n');
        return;
      }
      const upstream = net.connect(Number(port), host, () => {
        client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
        upstream.write(head);
        upstream.pipe(client);
        client.pipe(upstream);
      });
      tunnels.push(upstream, client);
      upstream.on('error', () => client.destroy());
      client.on('error', () => upstream.destroy());
    });
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
    cleanups.push(
      () =>
        new Promise<void>((resolve) => {
          for (const socket of tunnels) socket.destroy();
          proxy.close(() => resolve());
        }),
    );
    const proxyPort = (proxy.address() as AddressInfo).port;
    // Chromium bypasses the proxy for loopback unless told otherwise (`<-loopback>`).
    const proxied = await chromium.launch({ executablePath: CHROMIUM_PATH, args: [...CHROMIUM_ARGS, `--proxy-server=http://127.0.0.1:${proxyPort}`, '--proxy-bypass-list=<-loopback>'] });
    cleanups.push(() => proxied.close());
    const page = await proxied.newPage();
    await page.goto(siteUrl);
    const offerSdp = await page.evaluate(makeOffer);
    const { peerId, sdp } = await answerer.answer(offerSdp, { sessionId: 'chromium-tcp-proxy', iceTcp: true });
    const run = await page.evaluate(echoOverAnswer, { answerSdp: sdp, count: 3 });
    expect(run.echoed).toBe(3);
    expect(run.local).toMatchObject({ protocol: 'tcp' });
    expect(connects).toContain(`127.0.0.1:${tcpPort}`);
    const accepted = tcpEvents.find((e) => e.type === 'ice-tcp-accepted' && e.peerId === peerId);
    // The endpoint saw the tunnel's connection: its source port is one of the proxy's upstream sockets.
    expect(tunnels.map((socket) => socket.localPort)).toContain(accepted?.type === 'ice-tcp-accepted' ? accepted.remotePort : -1);
    console.info(`[ice-tcp chromium] through a CONNECT proxy: ${connects.join(', ')}; open after ${run.openMs.toFixed(1)} ms`);
  }, 30_000);

  it('streams a DataChannel echo over ICE-TCP at a rate of the same order as over UDP (the shim\'s cost)', async () => {
    const { answerer } = await startStack();
    const results: Record<string, { ms: number; bytes: number }> = {};
    for (const iceTcp of [false, true]) {
      const page = await browser!.newPage();
      pages.push(page);
      await page.goto(siteUrl);
      const offerSdp = await page.evaluate(makeOffer);
      const { sdp } = await answerer.answer(offerSdp, { sessionId: `bulk-${iceTcp}`, iceTcp });
      await page.evaluate(echoOverAnswer, { answerSdp: sdp, count: 1 });
      results[iceTcp ? 'ice-tcp' : 'udp'] = await page.evaluate(bulkEcho, { windowMs: 2000 });
    }
    const mbit = (r: { ms: number; bytes: number }): number => (r.bytes * 8) / r.ms / 1000;
    console.info(`[ice-tcp chromium] echo stream for 2 s on loopback: UDP ${mbit(results.udp!).toFixed(1)} Mbit/s, ICE-TCP ${mbit(results['ice-tcp']!).toFixed(1)} Mbit/s each way`);
    // Loopback on a shared 2-core machine: only the order of magnitude is asserted.
    expect(mbit(results['ice-tcp']!)).toBeGreaterThan(mbit(results.udp!) / 10);
    expect(mbit(results['ice-tcp']!)).toBeGreaterThan(1);
  }, 60_000);

  it('closes the TCP connection when the page closes its PeerConnection', async () => {
    const { answerer, tcpEvents } = await startStack();
    const page = await browser!.newPage();
    pages.push(page);
    await page.goto(siteUrl);
    const offerSdp = await page.evaluate(makeOffer);
    const { peerId, sdp } = await answerer.answer(offerSdp, { sessionId: 'chromium-tcp-2', iceTcp: true });
    const run = await page.evaluate(echoOverAnswer, { answerSdp: sdp, count: 1 });
    expect(run.echoed).toBe(1);
    await page.evaluate(() => (globalThis as unknown as { netreadyPc: RTCPeerConnection }).netreadyPc.close());
    await expect.poll(() => tcpEvents.find((e) => e.type === 'ice-tcp-closed' && e.peerId === peerId), { timeout: 10_000 }).toMatchObject({ type: 'ice-tcp-closed' });
  }, 30_000);
});

/**
 * In the page: streams 16 KiB messages over the open channel for `windowMs`, keeping at most 256 KiB outstanding (the
 * media peer skips echoes while its own send queue holds over 1 MiB), and counts the bytes echoed back in the window.
 */
async function bulkEcho({ windowMs }: { windowMs: number }): Promise<{ ms: number; bytes: number }> {
  const { netreadyChannel: channel } = globalThis as unknown as { netreadyChannel: RTCDataChannel };
  channel.binaryType = 'arraybuffer';
  const chunk = new Uint8Array(16 * 1024);
  let received = 0;
  let sent = 0;
  let wake: () => void = () => undefined;
  channel.addEventListener('message', (event: MessageEvent) => {
    received += event.data instanceof ArrayBuffer ? event.data.byteLength : 0;
    wake();
  });
  const startedAt = performance.now();
  while (performance.now() - startedAt < windowMs) {
    if (sent - received > 256 * 1024) {
      // Echoes the peer skipped never come back: after 200 ms without one, count them as gone and go on.
      const more = await Promise.race([new Promise<boolean>((resolve) => (wake = () => resolve(true))), new Promise<boolean>((resolve) => setTimeout(() => resolve(false), 200))]);
      if (!more) sent = received;
      continue;
    }
    channel.send(chunk);
    sent += chunk.byteLength;
  }
  return { ms: performance.now() - startedAt, bytes: received };
}

/** In the page: a PeerConnection without ICE servers, one channel, the offer after gathering (bounded 2 s). */
async function makeOffer(): Promise<string> {
  const pc = new RTCPeerConnection();
  const channel = pc.createDataChannel('netready-echo');
  Object.assign(globalThis, { netreadyPc: pc, netreadyChannel: channel });
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
  return pc.localDescription!.sdp;
}

/** In the page: apply the answer, wait for the channel, echo `count` messages, read the selected pair. */
async function echoOverAnswer({ answerSdp, count }: { answerSdp: string; count: number }): Promise<PageRun> {
  const { netreadyPc: pc, netreadyChannel: channel } = globalThis as unknown as { netreadyPc: RTCPeerConnection; netreadyChannel: RTCDataChannel };
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
  let echoed = 0;
  await new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, 3_000);
    channel.addEventListener('message', () => {
      echoed++;
      if (echoed === count) {
        clearTimeout(timer);
        resolve();
      }
    });
    for (let seq = 0; seq < count; seq++) channel.send(`netready-echo ${seq}`);
  });
  const stats = await pc.getStats();
  let local: Record<string, unknown> | null = null;
  let remote: Record<string, unknown> | null = null;
  stats.forEach((report: { type: string; selectedCandidatePairId?: string }) => {
    if (report.type !== 'transport' || !report.selectedCandidatePairId) return;
    const pair = stats.get(report.selectedCandidatePairId) as { localCandidateId: string; remoteCandidateId: string };
    const pick = (entry: Record<string, unknown> | undefined): Record<string, unknown> | null =>
      entry ? Object.fromEntries(['candidateType', 'protocol', 'address', 'port', 'tcpType', 'relayProtocol'].filter((k) => entry[k] !== undefined).map((k) => [k, entry[k]])) : null;
    local = pick(stats.get(pair.localCandidateId));
    remote = pick(stats.get(pair.remoteCandidateId));
  });
  return { openMs, echoed, sent: count, local, remote, iceState: pc.iceConnectionState };
}
