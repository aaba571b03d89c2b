import dgram from 'node:dgram';
import { afterEach, describe, expect, it } from 'vitest';
import { readAttribute, XOR_MAPPED_ADDRESS } from '../../lib/protocol/stun/attributes';
import { METHOD_BINDING } from '../../lib/protocol/stun/constants';
import { decodeMessage, encodeMessage } from '../../lib/protocol/stun/message';
import { MtuServer } from './mtu-server';
import { getPmtuMode } from './socket-options';

const servers: MtuServer[] = [];
const sockets: dgram.Socket[] = [];

afterEach(async () => {
  for (const socket of sockets.splice(0)) socket.close();
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function start(options: Partial<ConstructorParameters<typeof MtuServer>[0]> = {}): Promise<MtuServer> {
  const server = new MtuServer({ ipv4: '127.0.0.1', firstPort: 0, sizes: [576, 1280, 1500], fragmentSizes: [2000], ...options });
  servers.push(server);
  await server.listen();
  return server;
}

/** Sends one Binding request from a fresh socket and resolves with the first answer's bytes and the socket's port. */
async function bind(family: 'udp4' | 'udp6', ip: string, port: number): Promise<{ answer: Buffer; clientPort: number }> {
  const socket = dgram.createSocket(family);
  sockets.push(socket);
  await new Promise<void>((resolve) => socket.bind(0, family === 'udp6' ? '::1' : '127.0.0.1', resolve));
  const transactionId = Uint8Array.from({ length: 12 }, (_, i) => i + 7);
  const answer = new Promise<Buffer>((resolve) => socket.once('message', (message) => resolve(message)));
  socket.send(encodeMessage({ cls: 'request', method: METHOD_BINDING, transactionId, attributes: [] }, { fingerprint: true }), port, ip);
  return { answer: await answer, clientPort: socket.address().port };
}

describe('MtuServer on loopback', () => {
  it('answers each rung with a datagram of exactly its size, mapping the client', async () => {
    const server = await start();
    for (const rung of server.rungs()) {
      const { answer, clientPort } = await bind('udp4', '127.0.0.1', rung.port);
      expect(answer.length + 28).toBe(rung.sizeBytes);
      expect(readAttribute(decodeMessage(new Uint8Array(answer)), XOR_MAPPED_ADDRESS)).toEqual({ ip: '127.0.0.1', port: clientPort });
    }
    expect(server.stats().map((s) => [s.sizeBytes, s.requests])).toEqual([[576, 1], [1280, 1], [1500, 1], [2000, 1]]);
  });

  it('sends ladder rungs with Don\'t-Fragment in probe mode and fragment rungs without it', async () => {
    const server = await start();
    const modes = (server as unknown as { rungList: Array<{ socket: dgram.Socket; df: boolean }> }).rungList.map((r) => [r.df, getPmtuMode(r.socket, 'ipv4')]);
    expect(modes).toEqual([[true, 'probe'], [true, 'probe'], [true, 'probe'], [false, 'dont']]);
  });

  it('gives rung i the port firstPort + i', async () => {
    // A port the kernel just handed out and took back is free, and so (almost surely) are the next two.
    const probe = dgram.createSocket('udp4');
    await new Promise<void>((resolve) => probe.bind(0, '127.0.0.1', resolve));
    const first = probe.address().port;
    await new Promise<void>((resolve) => probe.close(() => resolve()));
    const server = await start({ firstPort: first, sizes: [576, 1280], fragmentSizes: [1600] });
    expect(server.rungs().map((r) => r.port)).toEqual([first, first + 1, first + 2]);
  });

  it('counts the 40-byte header on IPv6 rungs, on the same port numbers', async () => {
    const server = await start({ ipv6: '::1', sizes: [1280], fragmentSizes: [] });
    const v6 = server.rungs().find((r) => r.family === 'ipv6')!;
    const { answer } = await bind('udp6', '::1', v6.port);
    expect(answer.length + 48).toBe(1280);
  });

  it('reports the path MTU only for a client that used the ladder', async () => {
    const server = await start({ sizes: [576], fragmentSizes: [] });
    expect(await server.pathMtuTo('127.0.0.1')).toBeNull();
    await bind('udp4', '127.0.0.1', server.rungs()[0]!.port);
    const report = await server.pathMtuTo('127.0.0.1');
    // Loopback: no ICMP ever lowers it, so it is the loopback MTU (IP_MTU caps at 65535).
    expect(report).toMatchObject({ ip: '127.0.0.1', pathMtuBytes: 65535 });
    expect(report?.linkMtuBytes).toBe(65536);
    expect(await server.pathMtuTo('not an address')).toBeNull();
  });

  it('forgets clients after the memory time', async () => {
    let now = 1_000;
    const server = await start({ sizes: [576], fragmentSizes: [], now: () => now, clientMemoryMs: 100 });
    server.remember('127.0.0.1');
    now += 101;
    expect(await server.pathMtuTo('127.0.0.1')).toBeNull();
  });

  it('sets the socket options without Node\'s DEP0112 deprecation warning', async () => {
    const warnings: string[] = [];
    const onWarning = (warning: Error & { code?: string }): void => void warnings.push(warning.code ?? warning.name);
    process.on('warning', onWarning);
    try {
      await start();
      // Warnings are emitted on the next tick.
      await new Promise((resolve) => setImmediate(resolve));
    } finally {
      process.off('warning', onWarning);
    }
    expect(warnings).not.toContain('DEP0112');
  });

  it('refuses to start when a rung port is taken, closing what it opened', async () => {
    const taken = dgram.createSocket('udp4');
    sockets.push(taken);
    await new Promise<void>((resolve) => taken.bind(0, '127.0.0.1', resolve));
    const server = new MtuServer({ ipv4: '127.0.0.1', firstPort: taken.address().port - 1, sizes: [576, 1280], fragmentSizes: [] });
    servers.push(server);
    await expect(server.listen()).rejects.toThrow(/EADDRINUSE/);
    expect(server.listenerStates().every((s) => !s.bound)).toBe(true);
  });
});
