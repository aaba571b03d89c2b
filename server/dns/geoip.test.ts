import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openGeoIp } from './geoip';
import { MmdbDouble, writeMmdb } from './testing/mmdb-writer';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'netready-geoip-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function database(): string {
  const file = path.join(dir, 'test.mmdb');
  writeFileSync(
    file,
    writeMmdb([
      { cidr: '198.51.100.0/24', value: { country: { iso_code: 'DE' }, continent: { code: 'EU' }, autonomous_system_number: 64500 } },
      { cidr: '203.0.113.0/24', value: { country: { iso_code: 'US' }, continent: { code: 'NA' } } },
      // A City record with coordinates, and an organisation's own entry for one of its private networks.
      { cidr: '192.0.2.128/25', value: { country: { iso_code: 'SG' }, continent: { code: 'AS' }, location: { latitude: new MmdbDouble(1.2897), longitude: new MmdbDouble(103.8501) } } },
      { cidr: '10.20.0.0/16', value: { country: { iso_code: 'FR' }, continent: { code: 'EU' }, location: { latitude: new MmdbDouble(48.8566), longitude: new MmdbDouble(2.3522) } } },
    ]),
  );
  return file;
}

describe('openGeoIp', () => {
  it('reads country, continent and network from a MaxMind database with the maxmind package', async () => {
    const geo = await openGeoIp(database());
    expect(geo.lookup('198.51.100.7')).toEqual({ status: 'known', country: 'DE', continent: 'EU', asn: 64500 });
    expect(geo.lookup('203.0.113.9')).toEqual({ status: 'known', country: 'US', continent: 'NA' });
  });

  it('reads coordinates (a City database), also for a private network the database itself holds', async () => {
    const geo = await openGeoIp(database());
    expect(geo.lookup('192.0.2.200')).toEqual({ status: 'known', country: 'SG', continent: 'AS', latitude: 1.2897, longitude: 103.8501 });
    expect(geo.lookup('10.20.5.5')).toEqual({ status: 'known', country: 'FR', continent: 'EU', latitude: 48.8566, longitude: 2.3522 });
  });

  it('says unknown, with the reason, for an address the database does not hold and for private addresses', async () => {
    const geo = await openGeoIp(database());
    expect(geo.lookup('192.0.2.1')).toMatchObject({ status: 'unknown', reason: 'address not in the GeoIP database' });
    expect(geo.lookup('10.1.2.3')).toMatchObject({ status: 'unknown', reason: 'private or loopback address' });
  });

  it('says unknown without a configured database, and logs a database that cannot be opened', async () => {
    expect((await openGeoIp(undefined)).lookup('198.51.100.7')).toMatchObject({ status: 'unknown', reason: expect.stringContaining('dns.geoipMmdb') });
    const logged: string[] = [];
    const broken = path.join(dir, 'broken.mmdb');
    writeFileSync(broken, 'not a database');
    expect((await openGeoIp(broken, (m) => logged.push(m))).lookup('198.51.100.7')).toMatchObject({ status: 'unknown' });
    expect(logged.join('\n')).toContain(broken);
  });
});
