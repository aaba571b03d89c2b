import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { PEER_ADDRESS_HEADER, UNKNOWN_CLIENT, clientAddressOf, installPeerAddressCapture, limitKeyOf } from './client-address';

describe('clientAddressOf', () => {
  it.each([
    ['the TCP peer when no proxy is trusted', { peer: '198.51.100.7' }, 0, '198.51.100.7'],
    ['the TCP peer even when the client sends X-Forwarded-For', { peer: '198.51.100.7', xff: '203.0.113.1' }, 0, '198.51.100.7'],
    ['an IPv4-mapped peer as plain IPv4', { peer: '::ffff:198.51.100.7' }, 0, '198.51.100.7'],
    ['the entry a trusted proxy appended', { peer: '127.0.0.1', xff: '192.0.2.1, 203.0.113.9' }, 1, '203.0.113.9'],
    ['the entry two trusted proxies away', { peer: '10.0.0.2', xff: '192.0.2.1, 203.0.113.9, 10.0.0.1' }, 2, '203.0.113.9'],
    ['the leftmost entry when the chain is shorter than the trusted hops', { peer: '127.0.0.1', xff: '203.0.113.9' }, 5, '203.0.113.9'],
    ['a proxy entry without its port', { peer: '127.0.0.1', xff: '203.0.113.9:51234' }, 1, '203.0.113.9'],
    ['a bracketed IPv6 proxy entry without its port', { peer: '127.0.0.1', xff: '[2001:db8::5]:443' }, 1, '2001:db8::5'],
    ['unknown without a stamped peer address', {}, 0, UNKNOWN_CLIENT],
    ['unknown without a peer, behind a proxy that added nothing', {}, 1, UNKNOWN_CLIENT],
  ])('gives %s', (_name, { peer, xff }: { peer?: string; xff?: string }, hops, expected) => {
    const headers = new Headers();
    if (peer) headers.set(PEER_ADDRESS_HEADER, peer);
    if (xff) headers.set('x-forwarded-for', xff);
    expect(clientAddressOf(headers, hops)).toBe(expected);
  });
});

describe('limitKeyOf', () => {
  it.each([
    ['198.51.100.7', '198.51.100.7'],
    ['2001:db8:1:2:3:4:5:6', '2001:db8:1:2::/64'],
    ['2001:db8:1:2::99', '2001:db8:1:2::/64'],
    ['2001:db8::1', '2001:db8:0:0::/64'],
    ['::1', '0:0:0:0::/64'],
    ['fe80::1%eth0', 'fe80:0:0:0::/64'],
    [UNKNOWN_CLIENT, UNKNOWN_CLIENT],
  ])('limits %s as %s', (address, key) => {
    expect(limitKeyOf(address)).toBe(key);
  });

  it('gives every address of one /64 the same key', () => {
    expect(limitKeyOf('2001:db8:aa:bb::1')).toBe(limitKeyOf('2001:db8:aa:bb:ffff:ffff:ffff:ffff'));
    expect(limitKeyOf('2001:db8:aa:bb::1')).not.toBe(limitKeyOf('2001:db8:aa:bc::1'));
  });
});

describe('installPeerAddressCapture', () => {
  let uninstall: (() => void) | undefined;
  let server: http.Server | undefined;
  afterEach(async () => {
    uninstall?.();
    uninstall = undefined;
    if (server) await new Promise<void>((resolve) => server!.close(() => resolve()));
    server = undefined;
  });

  /** Starts a loopback server that answers with the peer header it saw, and requests it with `headers`. */
  async function seenPeerHeader(headers: Record<string, string>): Promise<string | undefined> {
    server = http.createServer((req, res) => res.end(JSON.stringify({ peer: req.headers[PEER_ADDRESS_HEADER] ?? null })));
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const response = await fetch(`http://127.0.0.1:${port}/`, { headers });
    const { peer } = (await response.json()) as { peer: string | null };
    return peer ?? undefined;
  }

  it('stamps the TCP peer address over a header of the same name that the client sent', async () => {
    uninstall = installPeerAddressCapture();
    expect(await seenPeerHeader({ [PEER_ADDRESS_HEADER]: '203.0.113.66', 'x-forwarded-for': '203.0.113.66' })).toBe('127.0.0.1');
  });

  it('passes a client-sent header through untouched when not installed (what the capture prevents)', async () => {
    expect(await seenPeerHeader({ [PEER_ADDRESS_HEADER]: '203.0.113.66' })).toBe('203.0.113.66');
  });

  it('installs once however often it is called, and uninstalls cleanly', async () => {
    uninstall = installPeerAddressCapture();
    const again = installPeerAddressCapture();
    again();
    expect(await seenPeerHeader({})).toBe('127.0.0.1');
    uninstall();
    uninstall = undefined;
    expect(await seenPeerHeader({ [PEER_ADDRESS_HEADER]: '203.0.113.66' })).toBe('203.0.113.66');
  });
});
