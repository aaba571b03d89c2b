import dgram from 'node:dgram';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { TurnServer, type AllowedPeerRange } from '../server/turn/turn-server';
import { makeCountingSink, measureGeneratorCeiling, measureRelayThroughput } from './relay-throughput';

const SECRET = 'bench-secret-0123456789';
const PEER_PORT = 41650;

let server: TurnServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function startServer(allowedPeers: AllowedPeerRange[]): Promise<{ ip: string; port: number }> {
  server = new TurnServer({ realm: 'bench', secret: SECRET, udp: [{ ip: '127.0.0.1', port: 0 }], tcp: [], relayIp: '127.0.0.1', relayPortMin: 41660, relayPortMax: 41680, allowedPeers });
  await server.listen();
  return { ip: '127.0.0.1', port: server.addresses().udp[0]!.port };
}

describe('measureRelayThroughput', () => {
  it('refuses a non-loopback target', async () => {
    await expect(measureRelayThroughput({ server: { ip: '192.0.2.1', port: 3478 }, secret: SECRET, peerPort: PEER_PORT, durationMs: 100 })).rejects.toThrow(/loopback/);
  });

  it('counts only what the peer received through netready’s relay, and the server agrees it relayed at least that', async () => {
    const target = await startServer([{ ip: '127.0.0.1', portMin: PEER_PORT, portMax: PEER_PORT }]);
    const result = await measureRelayThroughput({ server: target, secret: SECRET, peerPort: PEER_PORT, durationMs: 200, packetBytes: 500 });
    expect(result.packetBytes).toBe(500);
    expect(result.received).toBeGreaterThan(0);
    expect(result.received).toBeLessThanOrEqual(result.sent);
    expect(result.gbps).toBeGreaterThan(0);
    const relayed = server!.traffic().relayed.udp;
    expect(relayed.packetsToPeer).toBeGreaterThanOrEqual(result.received);
    expect(relayed.bytesToPeer).toBe(relayed.packetsToPeer * 500);
  });

  it('counts only what the client received from the peer through netready’s relay, and the server agrees it relayed at least that', async () => {
    const target = await startServer([{ ip: '127.0.0.1', portMin: PEER_PORT, portMax: PEER_PORT }]);
    const result = await measureRelayThroughput({ server: target, secret: SECRET, peerPort: PEER_PORT, durationMs: 200, packetBytes: 700, direction: 'from-peer' });
    expect(result.direction).toBe('from-peer');
    expect(result.received).toBeGreaterThan(0);
    expect(result.received).toBeLessThanOrEqual(result.sent);
    const relayed = server!.traffic().relayed.udp;
    expect(relayed.packetsToPeer).toBe(0);
    expect(relayed.packetsFromPeer).toBeGreaterThanOrEqual(result.received);
    expect(relayed.bytesFromPeer).toBe(relayed.packetsFromPeer * 700);
  });

  it('counts echoes that went through netready’s relay both ways, never more than the relay carried either way', async () => {
    const target = await startServer([{ ip: '127.0.0.1', portMin: PEER_PORT, portMax: PEER_PORT }]);
    const result = await measureRelayThroughput({ server: target, secret: SECRET, peerPort: PEER_PORT, durationMs: 200, packetBytes: 300, direction: 'echo' });
    expect(result.direction).toBe('echo');
    expect(result.received).toBeGreaterThan(0);
    const relayed = server!.traffic().relayed.udp;
    expect(relayed.packetsFromPeer).toBeGreaterThanOrEqual(result.received);
    expect(relayed.packetsToPeer).toBeGreaterThanOrEqual(relayed.packetsFromPeer);
  });

  it('rejects, naming the refusal, when the server does not allow the peer', async () => {
    const target = await startServer([]);
    await expect(measureRelayThroughput({ server: target, secret: SECRET, peerPort: PEER_PORT, durationMs: 100 })).rejects.toThrow(/ChannelBind refused with 403/);
  });
});

describe('makeCountingSink', () => {
  it('counts every datagram that reaches the socket once its one-datagram buffer is full, without reading any', async () => {
    const sink = dgram.createSocket('udp4');
    const sender = dgram.createSocket('udp4');
    await new Promise<void>((resolve) => sink.bind(0, '127.0.0.1', () => resolve()));
    let read = 0;
    sink.on('message', () => read++);
    try {
      const delivered = makeCountingSink(sink);
      const port = sink.address().port;
      const send = (n: number): void => {
        for (let i = 0; i < n; i++) sender.send(Buffer.alloc(1200), port, '127.0.0.1');
      };
      // The first datagrams fill the buffer and are not counted; from then on each one is.
      send(10);
      await vi.waitFor(() => expect(delivered()).toBeGreaterThanOrEqual(8));
      const before = delivered();
      send(100);
      await vi.waitFor(() => expect(delivered() - before).toBe(100));
      expect(read).toBe(0);
    } finally {
      await new Promise<void>((resolve) => sender.close(() => resolve()));
      await new Promise<void>((resolve) => sink.close(() => resolve()));
    }
  });
});

describe('measureGeneratorCeiling', () => {
  it('reports what the sender delivered to a sink with no relay between', async () => {
    const result = await measureGeneratorCeiling({ durationMs: 100, packetBytes: 1200 });
    expect(result.packetBytes).toBe(1200);
    expect(result.packetsPerSecond).toBeGreaterThan(0);
    expect(result.gbps).toBeCloseTo((result.packetsPerSecond * 1200 * 8) / 1e9, 2);
  });

  it('refuses a packet size the measurement cannot send', async () => {
    await expect(measureGeneratorCeiling({ durationMs: 100, packetBytes: 70_000 })).rejects.toThrow(/packetBytes/);
  });
});
