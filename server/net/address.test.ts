import { describe, expect, it } from 'vitest';
import { canonicalAddress, subnetKey } from './address';

describe('client address keys', () => {
  it.each([
    ['192.0.2.1', '192.0.2.1'],
    ['::ffff:192.0.2.1', '192.0.2.1'],
    ['2001:DB8:0:0:0:0:0:1', '2001:db8::1'],
    [undefined, 'unknown'],
    ['not-an-ip', 'not-an-ip'],
  ])('spells %s as %s', (raw, key) => {
    expect(canonicalAddress(raw)).toBe(key);
  });

  it.each([
    ['192.0.2.1', '192.0.2.0/24'],
    ['192.0.2.254', '192.0.2.0/24'],
    ['198.51.100.7', '198.51.100.0/24'],
    ['2001:db8:1:2::5', '2001:db8:1::/48'],
    ['2001:db8:1:ffff::1', '2001:db8:1::/48'],
    ['2001:db8::1', '2001:db8:0::/48'],
    ['::1', '0:0:0::/48'],
    ['unknown', 'unknown'],
  ])('puts %s in the network %s', (address, subnet) => {
    expect(subnetKey(address)).toBe(subnet);
  });
});
