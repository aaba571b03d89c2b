import { describe, expect, it } from 'vitest';
import { classifyPeerIp, PeerPolicy } from './peer-policy';
import { computeRestPassword, NonceIssuer, parseRestUsername } from './rest-auth';
import { testCrypto } from '../stun/testing/node-crypto';

describe('classifyPeerIp', () => {
  it.each([
    ['127.0.0.1', 'loopback'],
    ['10.1.2.3', 'private'],
    ['172.16.0.1', 'private'],
    ['172.31.255.255', 'private'],
    ['192.168.1.1', 'private'],
    ['100.64.0.1', 'shared'],
    ['169.254.169.254', 'metadata'],
    ['169.254.1.1', 'link-local'],
    ['0.0.0.0', 'unspecified'],
    ['224.0.0.1', 'multicast'],
    ['255.255.255.255', 'reserved'],
    ['2001:db8::1', 'ipv6'],
    ['203.0.113.9', 'public'],
    ['172.32.0.1', 'public'],
  ])('classifies %s as %s', (ip, cls) => {
    expect(classifyPeerIp(ip)).toBe(cls);
  });
});

describe('PeerPolicy', () => {
  const relays = new Set(['203.0.113.5|50000']);
  const policy = new PeerPolicy({
    relayIps: ['203.0.113.5'],
    allowedPeers: [{ ip: '198.51.100.7', portMin: 60000, portMax: 60010 }],
    isActiveRelay: (e) => relays.has(`${e.ip}|${e.port}`),
  });

  it.each([
    { ip: '203.0.113.5', expected: null },
    { ip: '198.51.100.7', expected: null },
    { ip: '127.0.0.1', expected: 'loopback' },
    { ip: '203.0.113.6', expected: 'not-allowed' },
  ])('permits IP $ip → $expected', ({ ip, expected }) => {
    expect(policy.checkIp(ip)).toBe(expected);
  });

  it.each([
    { peer: { ip: '203.0.113.5', port: 50000 }, expected: null },
    { peer: { ip: '203.0.113.5', port: 50001 }, expected: 'not-allowed' },
    { peer: { ip: '198.51.100.7', port: 60010 }, expected: null },
    { peer: { ip: '198.51.100.7', port: 60011 }, expected: 'not-allowed' },
    { peer: { ip: '169.254.169.254', port: 80 }, expected: 'metadata' },
  ])('permits endpoint $peer.ip:$peer.port → $expected', ({ peer, expected }) => {
    expect(policy.checkEndpoint(peer)).toBe(expected);
  });

  it('refuses other loopback ports even when the relay IP itself is loopback', () => {
    const loopback = new PeerPolicy({ relayIps: ['127.0.0.1'], allowedPeers: [], isActiveRelay: (e) => e.ip === '127.0.0.1' && e.port === 50000 });
    expect(loopback.checkIp('127.0.0.1')).toBeNull();
    expect(loopback.checkEndpoint({ ip: '127.0.0.1', port: 50000 })).toBeNull();
    expect(loopback.checkEndpoint({ ip: '127.0.0.1', port: 22 })).toBe('loopback');
  });
});

describe('TURN REST credentials', () => {
  it('parses the expiry and session id from the username', () => {
    expect(parseRestUsername('1700000000:abc')).toEqual({ username: '1700000000:abc', expiresAtS: 1700000000, sessionId: 'abc', tag: null });
    // A second colon starts the tag (netready's session ids never contain one): `mtu1280` pads the Allocate response.
    expect(parseRestUsername('1700000000:abc:mtu1280')).toEqual({ username: '1700000000:abc:mtu1280', expiresAtS: 1700000000, sessionId: 'abc', tag: 'mtu1280' });
    expect(parseRestUsername('1700000000:abc:d:e')).toMatchObject({ sessionId: 'abc', tag: 'd:e' });
    expect(parseRestUsername('1700000000')).toEqual({ username: '1700000000', expiresAtS: 1700000000, sessionId: null, tag: null });
  });

  it.each(['alice', ':x', 'x1700000000:s', ''])('rejects the non-REST username %j', (username) => {
    expect(() => parseRestUsername(username)).toThrow(expect.objectContaining({ where: 'USERNAME/expiry' }));
  });

  it('computes base64(HMAC-SHA1(secret, username)) like coturn', () => {
    // echo -n '1700000000:s1' | openssl dgst -sha1 -hmac 'north' -binary | base64
    expect(computeRestPassword(testCrypto, 'north', '1700000000:s1')).toBe('QvP5NTCoHOiDw4o+Ut4C0xnk7uk=');
  });
});

describe('NonceIssuer', () => {
  const issuer = new NonceIssuer({ crypto: testCrypto, key: new Uint8Array(32).fill(9), ttlS: 60 });
  it('accepts its own nonce until it expires, for the same client IP only', () => {
    const nonce = issuer.issue(1_000, '192.0.2.1');
    expect(issuer.check(nonce, 1_000, '192.0.2.1')).toBe('valid');
    expect(issuer.check(nonce, 60_999, '192.0.2.1')).toBe('valid');
    expect(issuer.check(nonce, 61_000, '192.0.2.1')).toBe('expired');
    expect(issuer.check(nonce, 1_000, '192.0.2.2')).toBe('invalid');
  });
  it.each(['', 'abc', 'zz.00', `${'1'.repeat(13)}.x`])('treats the forged nonce %j as invalid', (nonce) => {
    expect(issuer.check(nonce, 0, '192.0.2.1')).toBe('invalid');
  });
});
