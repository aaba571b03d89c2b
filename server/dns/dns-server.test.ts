import dgram from 'node:dgram';
import { Resolver } from 'node:dns/promises';
import net from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DnsAuthority } from '../../lib/protocol/dns/authority';
import { mulberry32, mutateQuery, seedQueries } from '../../lib/protocol/dns/testing/fuzz';
import { ANSWER_V4, ZONE, buildQuery, decodeResponse } from '../../lib/protocol/dns/testing/queries';
import { DnsServer } from './dns-server';

/** Sends one datagram and resolves with the first reply, or null when none comes within `waitMs`. */
async function udpExchange(port: number, query: Uint8Array, waitMs = 2000): Promise<Uint8Array | null> {
  const socket = dgram.createSocket('udp4');
  try {
    await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', () => resolve()));
    return await new Promise<Uint8Array | null>((resolve) => {
      const timer = setTimeout(() => resolve(null), waitMs);
      socket.once('message', (message) => {
        clearTimeout(timer);
        resolve(new Uint8Array(message));
      });
      socket.send(query, port, '127.0.0.1');
    });
  } finally {
    socket.close();
  }
}

/** Sends length-prefixed queries over one TCP connection and resolves with the replies. */
async function tcpExchange(port: number, queries: Uint8Array[]): Promise<Uint8Array[]> {
  const socket = net.connect(port, '127.0.0.1');
  try {
    return await new Promise<Uint8Array[]>((resolve, reject) => {
      const replies: Uint8Array[] = [];
      let buffered = Buffer.alloc(0);
      socket.on('error', reject);
      socket.on('data', (chunk: Buffer) => {
        buffered = Buffer.concat([buffered, chunk]);
        while (buffered.length >= 2 && buffered.length >= 2 + buffered.readUInt16BE(0)) {
          const length = buffered.readUInt16BE(0);
          replies.push(new Uint8Array(buffered.subarray(2, 2 + length)));
          buffered = buffered.subarray(2 + length);
        }
        if (replies.length === queries.length) resolve(replies);
      });
      // Write the queries split at odd places, to exercise reassembly.
      const framed = Buffer.concat(queries.map((q) => Buffer.concat([Buffer.from([q.length >> 8, q.length & 0xff]), q])));
      socket.write(framed.subarray(0, 3));
      socket.write(framed.subarray(3));
    });
  } finally {
    socket.destroy();
  }
}

describe('DnsServer on loopback', () => {
  let server: DnsServer;
  let authority: DnsAuthority;

  beforeEach(async () => {
    authority = new DnsAuthority({ zone: ZONE, ipv4: [ANSWER_V4], rateLimit: { queriesPerSecond: 1e6, burst: 1e6 } });
    server = new DnsServer({ authority, ip: '127.0.0.1', port: 0 });
    await server.listen();
  });
  afterEach(async () => {
    await server.close();
  });

  it('answers over UDP and TCP on the same port', async () => {
    const { port } = server.address();
    const udp = await udpExchange(port, buildQuery(`turn.${ZONE}`));
    expect(decodeResponse(udp!).answers?.[0]).toMatchObject({ type: 'A', data: ANSWER_V4 });
    const [a, b] = await tcpExchange(port, [buildQuery(`stun.${ZONE}`, { id: 1 }), buildQuery('example.com', { id: 2 })]);
    expect(decodeResponse(a!)).toMatchObject({ id: 1, rcode: 'NOERROR' });
    expect(decodeResponse(b!)).toMatchObject({ id: 2, rcode: 'REFUSED' });
  });

  it('serves a stub resolver that falls back to TCP after a truncated UDP answer', async () => {
    const resolver = new Resolver({ timeout: 2000, tries: 1 });
    resolver.setServers([`127.0.0.1:${server.address().port}`]);
    expect(await resolver.resolve4(`nr-abcdef0123456789.${ZONE}`)).toEqual([ANSWER_V4]);
    const txt = await resolver.resolveTxt(`big.${ZONE}`);
    expect(txt.flat().join('').length).toBe(1200);
    await expect(resolver.resolve4('example.com')).rejects.toMatchObject({ code: 'EREFUSED' });
    expect(authority.stats.truncated).toBeGreaterThanOrEqual(1);
    expect(authority.labels.get('nr-abcdef0123456789', Date.now())?.queries[0]).toMatchObject({ resolverIp: '127.0.0.1', transport: 'udp', qtype: 'A' });
  });

  it('answers every one of 3,000 random and mutated datagrams through the real socket without failing', async () => {
    const { port } = server.address();
    const random = mulberry32(0xd15c);
    const seeds = seedQueries();
    const socket = dgram.createSocket('udp4');
    let pings = 0;
    try {
      await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', () => resolve()));
      // Batches of 100, each followed by a valid query whose answer proves the server is still up and has
      // worked through the batch (sender and server share one event loop; unpaced, the kernel drops datagrams).
      for (let batch = 0; batch < 30; batch++) {
        for (let i = 0; i < 100; i++) {
          const query = mutateQuery(random, seeds);
          await new Promise<void>((resolve) => socket.send(query, port, '127.0.0.1', () => resolve()));
        }
        const reply = await udpExchange(port, buildQuery(`probe.${ZONE}`, { id: batch }));
        pings++;
        expect(decodeResponse(reply!)).toMatchObject({ id: batch, rcode: 'NOERROR' });
      }
    } finally {
      socket.close();
    }
    expect(authority.stats.queries).toBe(3000 + pings);
    expect(authority.stats.byRcode[2] ?? 0).toBe(0);
  });

  it('closes an idle TCP connection', async () => {
    await server.close();
    server = new DnsServer({ authority, ip: '127.0.0.1', port: 0, tcpIdleMs: 200 });
    await server.listen();
    const socket = net.connect(server.address().port, '127.0.0.1');
    const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
    await closed;
    expect(socket.destroyed).toBe(true);
  });
});
