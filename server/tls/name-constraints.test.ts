import { describe, expect, it } from 'vitest';
import {
  decodeNameConstraints,
  describeSubtrees,
  encodeNameConstraints,
  ipToBytes,
  NameConstraintsError,
  permitsDnsName,
  permitsIp,
  type PermittedSubtrees,
} from './name-constraints';

const SCOPE: PermittedSubtrees = {
  dns: ['localhost', 'probe.example.org'],
  ip: [
    { ip: '127.0.0.0', prefixLength: 8 },
    { ip: '::1', prefixLength: 128 },
    { ip: '192.0.2.10', prefixLength: 32 },
    { ip: '2001:db8::', prefixLength: 32 },
  ],
};

describe('name constraints DER', () => {
  it('encodes the RFC 5280 structure byte for byte for one DNS and one IPv4 subtree', () => {
    const der = Buffer.from(encodeNameConstraints({ dns: ['a.org'], ip: [{ ip: '10.1.2.3', prefixLength: 8 }] }));
    expect(der.toString('hex')).toBe(
      [
        '3017', // NameConstraints SEQUENCE (23 bytes)
        'a015', // permittedSubtrees [0] (21 bytes)
        '3007', '8205', Buffer.from('a.org').toString('hex'), // GeneralSubtree { dNSName "a.org" }
        '300a', '8708', '0a000000', 'ff000000', // GeneralSubtree { iPAddress 10.0.0.0 mask 255.0.0.0 }
      ].join(''),
    );
  });

  it('decodes what it encodes, with host bits cleared and IPv6 in canonical form', () => {
    expect(decodeNameConstraints(encodeNameConstraints(SCOPE))).toEqual(SCOPE);
    expect(decodeNameConstraints(encodeNameConstraints({ dns: [], ip: [{ ip: '198.51.100.77', prefixLength: 24 }] })).ip).toEqual([
      { ip: '198.51.100.0', prefixLength: 24 },
    ]);
  });

  it('rejects excluded subtrees and truncated input with NameConstraintsError', () => {
    expect(() => decodeNameConstraints(new Uint8Array([0x30, 0x04, 0xa1, 0x02, 0x30, 0x00]))).toThrow(NameConstraintsError);
    expect(() => decodeNameConstraints(new Uint8Array([0x30, 0x09, 0xa0]))).toThrow(/truncated/);
  });

  it('is read by OpenSSL as critical permitted subtrees (a dev CA made with a scope)', async () => {
    const { mkdtemp, rm } = await import('node:fs/promises');
    const { tmpdir } = await import('node:os');
    const path = await import('node:path');
    const { ensureDevCertificate } = await import('./dev-ca');
    const dataDir = await mkdtemp(path.join(tmpdir(), 'netready-nc-'));
    try {
      const cert = await ensureDevCertificate({ dataDir, hostNames: ['probe.example.org'], ipAddresses: ['192.0.2.10'], caScope: { hostNames: [], ipAddresses: [] } });
      const { execFileSync } = await import('node:child_process');
      const printed = execFileSync('openssl', ['x509', '-noout', '-ext', 'nameConstraints'], { input: cert.caPem, encoding: 'utf8' });
      expect(printed).toContain('critical');
      expect(printed).toMatch(/Permitted:\s+DNS:localhost\s+DNS:probe\.example\.org\s+IP:127\.0\.0\.0\/255\.0\.0\.0\s+IP:0:0:0:0:0:0:0:1\/FFFF:FFFF:FFFF:FFFF:FFFF:FFFF:FFFF:FFFF\s+IP:192\.0\.2\.10\/255\.255\.255\.255\s*$/);
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});

describe('permitsDnsName', () => {
  it.each<[string, boolean]>([
    ['localhost', true],
    ['a.localhost', true],
    ['probe.example.org', true],
    ['turn.probe.example.org', true],
    ['*.probe.example.org', true],
    ['PROBE.example.org.', true],
    ['example.org', false],
    ['xprobe.example.org', false],
    ['evil.example', false],
  ])('%s → %s', (name, expected) => {
    expect(permitsDnsName(SCOPE, name)).toBe(expected);
  });
});

describe('permitsIp', () => {
  it.each<[string, boolean]>([
    ['127.0.0.1', true],
    ['127.255.0.9', true],
    ['::1', true],
    ['192.0.2.10', true],
    ['192.0.2.11', false],
    ['2001:db8:1::5', true],
    ['2001:db9::1', false],
    ['::ffff:127.0.0.1', false],
    ['203.0.113.1', false],
  ])('%s → %s', (ip, expected) => {
    expect(permitsIp(SCOPE, ip)).toBe(expected);
  });

  it('expands :: and embedded IPv4 tails to 16 bytes', () => {
    expect(ipToBytes('::1')).toEqual([...Array<number>(15).fill(0), 1]);
    expect(ipToBytes('::ffff:192.0.2.1').slice(10)).toEqual([0xff, 0xff, 192, 0, 2, 1]);
    expect(() => ipToBytes('not-an-ip')).toThrow(NameConstraintsError);
  });
});

describe('describeSubtrees', () => {
  it('lists names then networks', () => {
    expect(describeSubtrees({ dns: ['localhost'], ip: [{ ip: '::1', prefixLength: 128 }] })).toBe('localhost, ::1/128');
  });
});
