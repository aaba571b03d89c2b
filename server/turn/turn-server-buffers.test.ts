import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { TurnServer } from './turn-server';

const servers: TurnServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

/** A TURN server on loopback, port 0, with the given receive buffer (none: the kernel's). */
async function start(udpReceiveBufferBytes?: number): Promise<TurnServer> {
  const server = new TurnServer({
    realm: 'r',
    secret: 'buffer-test-secret-0123',
    udp: [{ ip: '127.0.0.1', port: 0 }],
    tcp: [],
    relayIp: '127.0.0.1',
    relayPortMin: 41500,
    relayPortMax: 41510,
    ...(udpReceiveBufferBytes === undefined ? {} : { udpReceiveBufferBytes }),
  });
  servers.push(server);
  await server.listen();
  return server;
}

describe('TurnServer UDP receive buffer (issue 16: load)', () => {
  it('gives its UDP listeners the receive buffer it was configured with, larger than the kernel default', async () => {
    const kernelDefault = (await start()).listenerStates()[0]!.receiveBufferBytes!;
    const configured = (await start(1_048_576)).listenerStates()[0]!.receiveBufferBytes!;
    // Linux caps SO_RCVBUF at net.core.rmem_max and reports twice what it kept.
    const rmemMax = Number(readFileSync('/proc/sys/net/core/rmem_max', 'utf8'));
    expect(configured).toBeGreaterThanOrEqual(2 * Math.min(1_048_576, rmemMax));
    if (rmemMax > kernelDefault) expect(configured).toBeGreaterThan(kernelDefault);
  });
});
