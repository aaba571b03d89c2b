import { createSocket, Socket } from 'node:dgram';
import dns from 'node:dns';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { RTCPeerConnection, type RTCDataChannel } from 'werift';
import {
  MediaPeerError,
  MediaPeerServer,
  type MediaPeerEvent,
  type MediaPeerServerOptions,
  type PeerDatagram,
} from './media-peer';

/** A port range of its own per run, so parallel test files and other engineers' runs rarely collide. */
const PORT_MIN = 42_000 + Math.floor(Math.random() * 200) * 50;
const PORT_MAX = PORT_MIN + 49;

/** Collects a server's events and waits for one. */
class EventLog {
  readonly events: MediaPeerEvent[] = [];
  readonly #waiters: { match: (e: MediaPeerEvent) => boolean; resolve: (e: MediaPeerEvent) => void }[] = [];

  readonly listener = (event: MediaPeerEvent): void => {
    this.events.push(event);
    for (const waiter of [...this.#waiters]) {
      if (waiter.match(event)) {
        this.#waiters.splice(this.#waiters.indexOf(waiter), 1);
        waiter.resolve(event);
      }
    }
  };

  waitFor<T extends MediaPeerEvent['type']>(
    type: T,
    peerId: string,
    timeoutMs = 5_000,
  ): Promise<Extract<MediaPeerEvent, { type: T }>> {
    const match = (e: MediaPeerEvent): boolean => e.type === type && e.peerId === peerId;
    const seen = this.events.find(match);
    if (seen) return Promise.resolve(seen as Extract<MediaPeerEvent, { type: T }>);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no ${type} event for ${peerId} within ${timeoutMs} ms`)), timeoutMs);
      this.#waiters.push({
        match,
        resolve: (e) => {
          clearTimeout(timer);
          resolve(e as Extract<MediaPeerEvent, { type: T }>);
        },
      });
    });
  }
}

const servers: MediaPeerServer[] = [];
const clients: RTCPeerConnection[] = [];
const sockets: Socket[] = [];

afterEach(async () => {
  await Promise.allSettled(clients.splice(0).map((c) => c.close()));
  await Promise.allSettled(servers.splice(0).map((s) => s.close()));
  await Promise.allSettled(sockets.splice(0).map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
});

function startServer(options: Partial<MediaPeerServerOptions> = {}): { server: MediaPeerServer; log: EventLog } {
  const log = new EventLog();
  const server = new MediaPeerServer({
    bindIp: '127.0.0.1',
    publicIp: '127.0.0.1',
    portMin: PORT_MIN,
    portMax: PORT_MAX,
    onEvent: log.listener,
    ...options,
  });
  servers.push(server);
  return { server, log };
}

/** A werift offerer on loopback only, like a browser with one host candidate. */
async function createOffer(
  channelOptions: Parameters<RTCPeerConnection['createDataChannel']>[1] = {},
): Promise<{ client: RTCPeerConnection; channel: RTCDataChannel; offer: string }> {
  const client = new RTCPeerConnection({
    iceServers: [],
    iceUseIpv4: false,
    iceUseIpv6: false,
    iceAdditionalHostAddresses: ['127.0.0.1'],
    iceInterfaceAddresses: { udp4: '127.0.0.1' },
  });
  clients.push(client);
  const channel = client.createDataChannel('ping', channelOptions);
  withoutDefaultStun(client);
  await client.setLocalDescription(await client.createOffer());
  return { client, channel, offer: client.localDescription?.sdp ?? '' };
}

async function connect(
  server: MediaPeerServer,
  sessionId = 'session-1',
): Promise<{ client: RTCPeerConnection; channel: RTCDataChannel; peerId: string; answer: string }> {
  const { client, channel, offer } = await createOffer();
  const { peerId, sdp } = await server.answer(offer, { sessionId });
  await client.setRemoteDescription({ type: 'answer', sdp });
  await waitOpen(channel);
  return { client, channel, peerId, answer: sdp };
}

/** The test client must not query werift's fallback STUN server (stun.l.google.com) either. */
function withoutDefaultStun(client: RTCPeerConnection): void {
  for (const transport of client.iceTransports) transport.connection.stunServer = undefined;
}

function waitOpen(channel: RTCDataChannel, timeoutMs = 5_000): Promise<void> {
  if (channel.readyState === 'open') return Promise.resolve();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('channel did not open')), timeoutMs);
    channel.stateChanged.subscribe((state) => {
      if (state === 'open') {
        clearTimeout(timer);
        resolve();
      }
    });
  });
}

function candidateLines(sdp: string): string[] {
  return sdp.split(/\r?\n/).filter((line) => line.startsWith('a=candidate:'));
}

describe('MediaPeerServer', () => {
  it('answers with exactly one UDP host candidate on the public IP and a port in the range', async () => {
    const { server } = startServer({ bindIp: '0.0.0.0', publicIp: '203.0.113.7' });
    const { offer } = await createOffer();

    const { sdp } = await server.answer(offer, { sessionId: 's' });

    const candidates = candidateLines(sdp);
    expect(candidates).toHaveLength(1);
    const fields = candidates[0]!.split(' ');
    expect(fields[2]).toBe('udp');
    expect(fields[4]).toBe('203.0.113.7');
    expect(Number(fields[5])).toBeGreaterThanOrEqual(PORT_MIN);
    expect(Number(fields[5])).toBeLessThanOrEqual(PORT_MAX);
    expect(fields[7]).toBe('host');
    expect(sdp).toContain('a=end-of-candidates');
  });

  it('sends nothing anywhere while answering, not even to the fallback STUN server of werift', async () => {
    const { server } = startServer({ bindIp: '0.0.0.0', publicIp: '203.0.113.7' });
    const { offer } = await createOffer();
    // werift resolves STUN server names with node:dns promises.lookup before sending, so watch both.
    const lookup = vi.spyOn(dns.promises, 'lookup');
    const send = vi.spyOn(Socket.prototype, 'send');

    try {
      await server.answer(offer, { sessionId: 's' });
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(lookup).not.toHaveBeenCalled();
      // The only datagrams allowed are ICE checks to the offer's candidate (127.0.0.1).
      const destinations = send.mock.calls.map((args) => args.find((arg) => typeof arg === 'string'));
      expect(destinations.filter((host) => host !== '127.0.0.1')).toEqual([]);
    } finally {
      lookup.mockRestore();
      send.mockRestore();
    }
  });

  it('answers as the DTLS server so the browser starts the handshake', async () => {
    const { server } = startServer();
    const { offer } = await createOffer();

    const { sdp } = await server.answer(offer, { sessionId: 's' });

    expect(sdp).toMatch(/^a=setup:passive\r?$/m);
    expect(sdp).not.toMatch(/^a=setup:active/m);
  });

  it('binds and advertises an IPv6 address when configured with one', async () => {
    const { server } = startServer({ bindIp: '::1', publicIp: '::1' });
    const client = new RTCPeerConnection({
      iceServers: [],
      iceUseIpv4: false,
      iceUseIpv6: false,
      iceAdditionalHostAddresses: ['::1'],
      iceInterfaceAddresses: { udp6: '::1' },
    });
    clients.push(client);
    const channel = client.createDataChannel('ping');
    withoutDefaultStun(client);
    await client.setLocalDescription(await client.createOffer());

    const { sdp } = await server.answer(client.localDescription?.sdp ?? '', { sessionId: 's' });
    await client.setRemoteDescription({ type: 'answer', sdp });
    await waitOpen(channel);
    const echoed = new Promise<string | Buffer>((resolve) => channel.onMessage.subscribe(resolve));
    channel.send('ping6');

    expect(candidateLines(sdp).map((line) => line.split(' ')[4])).toEqual(['::1']);
    await expect(echoed).resolves.toBe('ping6');
  });

  it('echoes 20 text and binary messages back on the same channel and reports what it saw', async () => {
    const { server, log } = startServer();
    const { client, channel, peerId } = await connect(server);

    const received: (string | Buffer)[] = [];
    const allBack = new Promise<void>((resolve) => {
      channel.onMessage.subscribe((data) => {
        received.push(data);
        if (received.length === 20) resolve();
      });
    });
    const sent: (string | Buffer)[] = [];
    for (let i = 0; i < 20; i++) {
      const message = i % 2 === 0 ? `ping ${i}` : Buffer.from([i, 0xff, 0x00, i]);
      sent.push(message);
      channel.send(message);
    }
    await allBack;

    expect(received).toEqual(sent);
    const connected = await log.waitFor('peer-connected', peerId);
    const localPort = client.iceTransports[0]?.connection.nominated?.localCandidate.port;
    expect(connected).toMatchObject({ sessionId: 'session-1', remoteAddress: '127.0.0.1', remotePort: localPort });
    const sentBytes = sent.reduce((sum, m) => sum + (typeof m === 'string' ? Buffer.byteLength(m) : m.byteLength), 0);
    expect(server.getPeer(peerId)).toMatchObject({ echoedMessages: 20, echoedBytes: sentBytes });
  });

  it('hands every datagram of an answered peer to onDatagram both ways: ICE checks, then DTLS and the echo, with both sockets\' addresses', async () => {
    const datagrams: PeerDatagram[] = [];
    const { server } = startServer({ onDatagram: (d) => datagrams.push(d) });
    const { client, channel, peerId } = await connect(server, 'session-tap');
    const echoed = new Promise<void>((resolve) => channel.onMessage.subscribe(() => resolve()));
    channel.send('tapped');
    await echoed;

    const peerPort = server.getPeer(peerId)?.localPort;
    const clientPort = client.iceTransports[0]?.connection.nominated?.localCandidate.port;
    expect(datagrams.length).toBeGreaterThan(4);
    for (const d of datagrams) {
      expect(d.sessionId).toBe('session-tap');
      expect(d.local).toEqual({ ip: '127.0.0.1', port: peerPort });
      expect(d.remote).toEqual({ ip: '127.0.0.1', port: clientPort });
    }
    const stun = (d: PeerDatagram): boolean => d.data.length >= 20 && d.data[4] === 0x21 && d.data[5] === 0x12 && d.data[6] === 0xa4 && d.data[7] === 0x42;
    // ICE connectivity checks both ways, then DTLS records (content types 20–23) both ways.
    for (const inbound of [true, false]) {
      expect(datagrams.some((d) => d.inbound === inbound && stun(d))).toBe(true);
      expect(datagrams.some((d) => d.inbound === inbound && !stun(d) && d.data[0]! >= 20 && d.data[0]! <= 23)).toBe(true);
    }
  });

  it('closes the peer and reports the echo counts when the client closes its channel', async () => {
    const { server, log } = startServer();
    const { channel, peerId } = await connect(server);
    const echoed = new Promise<void>((resolve) => channel.onMessage.subscribe(() => resolve()));
    channel.send('ping');
    await echoed;

    channel.close();

    const closed = await log.waitFor('peer-closed', peerId);
    expect(closed).toMatchObject({ reason: 'channel-closed', echoedMessages: 1, echoedBytes: 4, droppedMessages: 0 });
    expect(server.activePeers).toBe(0);
  });

  it('closes a connected peer after peerTtlMs', async () => {
    // Long enough to connect on a busy 2-core machine, short enough to keep the suite quick.
    const { server, log } = startServer({ peerTtlMs: 1_500 });
    const { peerId } = await connect(server);

    const closed = await log.waitFor('peer-closed', peerId);

    expect(closed.reason).toBe('ttl');
    expect(closed.lifetimeMs).toBeGreaterThanOrEqual(1_500);
    expect(server.getPeer(peerId)).toBeUndefined();
  });

  it('releases its UDP port when a peer closes', async () => {
    const { server, log } = startServer({ peerTtlMs: 200 });
    const { offer } = await createOffer();
    const { peerId, sdp } = await server.answer(offer, { sessionId: 's' });
    const port = Number(candidateLines(sdp)[0]!.split(' ')[5]);
    await log.waitFor('peer-closed', peerId);

    const socket = createSocket('udp4');
    sockets.push(socket);
    const bound = new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.bind(port, '127.0.0.1', resolve);
    });

    await expect(bound).resolves.toBeUndefined();
  });

  it('closes a peer whose offerer never connects after connectTimeoutMs', async () => {
    const { server, log } = startServer({ connectTimeoutMs: 200 });
    const { offer } = await createOffer();

    const { peerId } = await server.answer(offer, { sessionId: 's' });

    await expect(log.waitFor('peer-closed', peerId)).resolves.toMatchObject({ reason: 'connect-timeout' });
  });

  it('rejects an offer beyond maxPeers with capacity and accepts again once a peer closed', async () => {
    const { server, log } = startServer({ maxPeers: 1 });
    const first = await connect(server);
    const { offer } = await createOffer();

    await expect(server.answer(offer, { sessionId: 's2' })).rejects.toMatchObject({
      name: 'MediaPeerError',
      code: 'capacity',
    });

    first.channel.close();
    await log.waitFor('peer-closed', first.peerId);
    await expect(server.answer(offer, { sessionId: 's2' })).resolves.toHaveProperty('sdp');
  });

  it.each([
    ['an empty string', ''],
    ['plain text', 'hello'],
    ['an audio-only offer', 'v=0\r\no=- 1 0 IN IP4 0.0.0.0\r\ns=-\r\nt=0 0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 0\r\n'],
    ['a DataChannel offer without ICE credentials', 'v=0\r\nm=application 9 UDP/DTLS/SCTP webrtc-datachannel\r\n'],
  ])('rejects %s with bad-offer and keeps no peer', async (_name, offer) => {
    const { server } = startServer();

    await expect(server.answer(offer, { sessionId: 's' })).rejects.toMatchObject({ code: 'bad-offer' });
    expect(server.activePeers).toBe(0);
  });

  it('rejects an offer with no candidate and a=end-of-candidates with ice-failed, saying the offer had no candidate', async () => {
    const { server } = startServer();
    const { offer } = await createOffer();
    const bare = offer.split(/\r?\n/).filter((line) => !line.startsWith('a=candidate:')).join('\r\n');
    expect(bare).toContain('a=end-of-candidates');
    const attempt = server.answer(bare, { sessionId: 'session-1' });
    await expect(attempt).rejects.toBeInstanceOf(MediaPeerError);
    await expect(attempt).rejects.toMatchObject({ code: 'ice-failed', message: expect.stringContaining('the offer carries no ICE candidate') });
  });

  it('rejects an offer larger than maxOfferBytes with bad-offer', async () => {
    const { server } = startServer({ maxOfferBytes: 100 });
    const { offer } = await createOffer();

    await expect(server.answer(offer, { sessionId: 's' })).rejects.toMatchObject({ code: 'bad-offer' });
  });

  it('answers 10 concurrent offers on 10 distinct ports in the range', async () => {
    const { server } = startServer();
    const offers = await Promise.all(Array.from({ length: 10 }, () => createOffer()));

    const answers = await Promise.all(offers.map(({ offer }, i) => server.answer(offer, { sessionId: `s${i}` })));

    const ports = answers.map(({ sdp }) => Number(candidateLines(sdp)[0]!.split(' ')[5]));
    expect(new Set(ports).size).toBe(10);
    for (const port of ports) expect(port).toBeGreaterThanOrEqual(PORT_MIN);
    for (const port of ports) expect(port).toBeLessThanOrEqual(PORT_MAX);
    expect(server.activePeers).toBe(10);
  });

  it('rejects with no-candidate when every port in the range is in use', async () => {
    const ports = [PORT_MIN + 10, PORT_MIN + 11];
    for (const port of ports) {
      const socket = createSocket('udp4');
      sockets.push(socket);
      await new Promise<void>((resolve) => socket.bind(port, '127.0.0.1', resolve));
    }
    const { server } = startServer({ portMin: ports[0]!, portMax: ports[1]! });
    const { offer } = await createOffer();

    await expect(server.answer(offer, { sessionId: 's' })).rejects.toMatchObject({ code: 'no-candidate' });
    expect(server.activePeers).toBe(0);
  });

  it('closes every peer on close() and then rejects offers with closed', async () => {
    const { server, log } = startServer();
    const { peerId } = await connect(server);

    await server.close();

    expect(server.activePeers).toBe(0);
    await expect(log.waitFor('peer-closed', peerId)).resolves.toMatchObject({ reason: 'server-closed' });
    const { offer } = await createOffer();
    await expect(server.answer(offer, { sessionId: 's' })).rejects.toMatchObject({ code: 'closed' });
  });

  it('rejects an answer in progress with closed when the server closes meanwhile', async () => {
    const { server } = startServer();
    const { offer } = await createOffer();

    const pending = server.answer(offer, { sessionId: 's' });
    const closing = server.close();

    await expect(pending).rejects.toMatchObject({ code: 'closed' });
    await closing;
    expect(server.activePeers).toBe(0);
  });

  it.each<[string, Partial<MediaPeerServerOptions>]>([
    ['a host name as bindIp', { bindIp: 'localhost' }],
    ['an IPv6 publicIp with an IPv4 bindIp', { publicIp: '2001:db8::1' }],
    ['a wildcard publicIp', { bindIp: '0.0.0.0', publicIp: '0.0.0.0' }],
    ['an empty port range', { portMin: 50_000, portMax: 50_000 }],
    ['a port above 65535', { portMin: 65_000, portMax: 70_000 }],
    ['a zero maxPeers', { maxPeers: 0 }],
  ])('refuses %s at construction with config', (_name, options) => {
    expect(() => startServer(options)).toThrow(MediaPeerError);
    expect(() => startServer(options)).toThrow(expect.objectContaining({ code: 'config' }));
  });
});
