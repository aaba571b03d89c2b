import { describe, expect, it } from 'vitest';
import { DecodeError } from './errors';
import { canonicalIp, formatEndpoint, formatIp, ipFamily, parseIp } from './ip';

describe('IP text', () => {
  it.each([
    ['192.0.2.1', '192.0.2.1'],
    ['2001:db8::1', '2001:db8::1'],
    ['2001:DB8:0:0:0:0:0:1', '2001:db8::1'],
    ['2001:db8:0:0:1:0:0:1', '2001:db8::1:0:0:1'],
    ['::', '::'],
    ['::ffff:192.0.2.7', '192.0.2.7'],
    ['2001:db8:1234:5678:11:2233:4455:6677', '2001:db8:1234:5678:11:2233:4455:6677'],
  ])('canonicalises %s as %s', (input, expected) => {
    expect(canonicalIp(input)).toBe(expected);
  });

  it.each(['256.1.1.1', '1.2.3', '2001:db8::1::2', 'example.org', '', '1:2:3:4:5:6:7:8:9'])('rejects %j with DecodeError', (text) => {
    expect(() => parseIp(text)).toThrow(DecodeError);
    expect(ipFamily(text)).toBeNull();
  });

  it('round-trips bytes through text', () => {
    const bytes = Uint8Array.from([0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1]);
    expect(parseIp(formatIp(bytes))).toEqual(bytes);
  });

  it('brackets IPv6 endpoints', () => {
    expect(formatEndpoint({ ip: '2001:db8::1', port: 3478 })).toBe('[2001:db8::1]:3478');
    expect(formatEndpoint({ ip: '192.0.2.1', port: 3478 })).toBe('192.0.2.1:3478');
  });
});
