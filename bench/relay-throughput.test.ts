import { afterEach, describe, expect, it } from 'vitest';
import { TurnServer, type AllowedPeerRange } from '../server/turn/turn-server';
import { measureRelayThroughput } from './relay-throughput';

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

  it('rejects, naming the refusal, when the server does not allow the peer', async () => {
    const target = await startServer([]);
    await expect(measureRelayThroughput({ server: target, secret: SECRET, peerPort: PEER_PORT, durationMs: 100 })).rejects.toThrow(/ChannelBind refused with 403/);
  });
});
