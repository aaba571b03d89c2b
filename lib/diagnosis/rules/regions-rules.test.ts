import { describe, expect, it } from 'vitest';
import type { RegionMeasurement, RegionsData } from '../../probes/regions';
import type { ProbeOutcome } from '../../schema/result';
import { deriveFacts } from '../facts';
import { geodnsWrongRegion } from './geodns-wrong-region';

const region = (id: string, label: string, udpRttMs: number | undefined, httpsRttMs?: number): RegionMeasurement => ({
  id,
  label,
  location: { continent: 'EU', latitude: 0, longitude: 0 },
  home: id === 'eu',
  reachable: udpRttMs !== undefined || httpsRttMs !== undefined,
  ...(udpRttMs !== undefined ? { udpRttMs } : {}),
  ...(httpsRttMs !== undefined ? { httpsRttMs } : {}),
});

function facts(data: RegionsData, status: ProbeOutcome['status'] = 'pass') {
  const outcome: ProbeOutcome = { status, durationMs: 100, data: data as unknown as Record<string, unknown>, evidence: [{ probe: 'regions', kind: 'region-rtt', summary: 'x' }] };
  return deriveFacts({ regions: outcome });
}

const EU = region('eu', 'Frankfurt', 12, 14);
const US = region('us', 'Ashburn', 105, 110);

describe('geodns-wrong-region', () => {
  it('warns when DNS chose a region 93 ms slower than the nearest, naming both, the rule and the remedy', () => {
    const finding = geodnsWrongRegion.evaluate(facts({ home: 'eu', regions: [EU, US], compareBy: 'udp', nearest: 'eu', dns: { label: 'nr-1', region: 'us', rule: 'resolver', resolverIp: '192.0.2.53' } }));
    expect(finding).toMatchObject({ code: 'geodns-wrong-region', severity: 'warning', title: 'DNS sends this network to Ashburn, but Frankfurt is nearer' });
    expect(finding?.detail).toContain('105 ms');
    expect(finding?.detail).toContain('12 ms');
    expect(finding?.detail).toContain('192.0.2.53');
    expect(finding?.remediation).toContain('EDNS Client Subnet');
    expect(finding?.evidence).toHaveLength(1);
  });

  it('compares over HTTPS when that is how the regions were measured', () => {
    const finding = geodnsWrongRegion.evaluate(facts({ home: 'eu', regions: [region('eu', 'Frankfurt', undefined, 14), region('us', 'Ashburn', undefined, 110)], compareBy: 'https', nearest: 'eu', dns: { label: 'nr-1', region: 'us', rule: 'default' } }));
    expect(finding?.detail).toContain('over HTTPS');
    expect(finding?.detail).toContain('by default');
  });

  it('stays silent when DNS chose the nearest region, a region about as near, or one it could not measure', () => {
    expect(geodnsWrongRegion.evaluate(facts({ home: 'eu', regions: [EU, US], compareBy: 'udp', nearest: 'eu', dns: { label: 'nr-1', region: 'eu', rule: 'client-subnet', clientSubnet: '198.51.100.0/24' } }))).toBeNull();
    // 10 ms and 25 ms: 2.5 × but only 15 ms apart; 70 ms and 101 ms: 31 ms apart but only 1.44 ×.
    expect(geodnsWrongRegion.evaluate(facts({ home: 'eu', regions: [region('eu', 'F', 10), region('nl', 'A', 25)], compareBy: 'udp', nearest: 'eu', dns: { label: 'nr-1', region: 'nl', rule: 'resolver' } }))).toBeNull();
    expect(geodnsWrongRegion.evaluate(facts({ home: 'eu', regions: [region('eu', 'F', 70), region('nl', 'A', 101)], compareBy: 'udp', nearest: 'eu', dns: { label: 'nr-1', region: 'nl', rule: 'resolver' } }))).toBeNull();
    expect(geodnsWrongRegion.evaluate(facts({ home: 'eu', regions: [EU, region('us', 'Ashburn', undefined)], compareBy: 'udp', nearest: 'eu', dns: { label: 'nr-1', region: 'us', rule: 'resolver' } }))).toBeNull();
    expect(geodnsWrongRegion.evaluate(facts({ home: 'eu', regions: [EU, US], compareBy: 'udp', nearest: 'eu', dns: { label: 'nr-1', error: 'no answer' } }))).toBeNull();
    expect(geodnsWrongRegion.evaluate(facts({ home: 'eu', regions: [EU, US], compareBy: 'udp', nearest: 'eu', dns: { label: 'nr-1', region: 'us', rule: 'resolver' } }, 'skipped'))).toBeNull();
  });
});
