import { describe, expect, it } from 'vitest';
import type { RegionConfig } from '../../lib/config/schema';
import { createGeoDns } from './geo-dns';
import type { GeoInfo, GeoIpLookup } from './geoip';

const REGIONS: RegionConfig[] = [
  { id: 'eu', label: 'Frankfurt', location: { continent: 'EU', country: 'DE', latitude: 50.11, longitude: 8.68 }, publicIp: '203.0.113.10', stunPort: 3478 },
  { id: 'us', label: 'Ashburn', location: { continent: 'NA', country: 'US', latitude: 39.04, longitude: -77.49 }, publicIp: '203.0.113.20', stunPort: 3478 },
];

/** A GeoIP database in a table: Paris and Toronto networks, and a resolver network in Virginia. */
const GEOIP: GeoIpLookup = {
  lookup(ip): GeoInfo {
    if (ip.startsWith('198.51.100.')) return { status: 'known', country: 'FR', continent: 'EU', latitude: 48.86, longitude: 2.35 };
    if (ip.startsWith('192.0.2.')) return { status: 'known', country: 'US', continent: 'NA', latitude: 38.9, longitude: -77.0 };
    if (ip.startsWith('100.64.')) return { status: 'known', country: 'BR', continent: 'SA' };
    return { status: 'unknown', reason: 'address not in the GeoIP database' };
  },
};

describe('createGeoDns', () => {
  const geo = createGeoDns(REGIONS, 'eu', GEOIP);

  it('chooses by the client subnet first: a Paris subnet behind a Virginia resolver goes to eu', () => {
    expect(geo.choose('192.0.2.53', '198.51.100.0/24')).toEqual({ region: 'eu', rule: 'client-subnet', ipv4: ['203.0.113.10'] });
  });

  it('chooses by the resolver when there is no usable subnet: absent, /0 (the client opted out), or not in the database', () => {
    expect(geo.choose('192.0.2.53', undefined)).toEqual({ region: 'us', rule: 'resolver', ipv4: ['203.0.113.20'] });
    expect(geo.choose('192.0.2.53', '0.0.0.0/0')).toMatchObject({ region: 'us', rule: 'resolver' });
    expect(geo.choose('192.0.2.53', '203.0.113.0/24')).toMatchObject({ region: 'us', rule: 'resolver' });
  });

  it('falls back to the default region when neither is placed, or placed where no region matches', () => {
    expect(geo.choose('10.0.0.53', undefined)).toEqual({ region: 'eu', rule: 'default', ipv4: ['203.0.113.10'] });
    expect(geo.choose('100.64.0.53', '100.64.1.0/24')).toMatchObject({ region: 'eu', rule: 'default' });
    expect(createGeoDns(REGIONS, 'us', GEOIP).choose('10.0.0.53', undefined)).toMatchObject({ region: 'us', rule: 'default' });
  });
});
