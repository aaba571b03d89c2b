import { describe, expect, it } from 'vitest';
import type { RegionsData } from '../../lib/probes/regions';
import type { ProbeOutcome } from '../../lib/schema/result';
import { buildRegionsModel } from './regions-model';

const outcome = (data: RegionsData, status: ProbeOutcome['status'] = 'pass'): ProbeOutcome => ({ status, durationMs: 300, data: data as unknown as Record<string, unknown>, evidence: [] });
const EU = { id: 'eu', label: 'Frankfurt', location: { continent: 'EU', country: 'DE', latitude: 50.1, longitude: 8.7 }, home: true, reachable: true, udpRttMs: 12, httpsRttMs: 14 };
const US = { id: 'us', label: 'Ashburn', location: { continent: 'NA', country: 'US', latitude: 39, longitude: -77.5 }, home: false, reachable: true, udpRttMs: 120, httpsRttMs: 125 };

describe('buildRegionsModel', () => {
  it('marks the nearest region and the one DNS chose, with bars scaled to the slowest, and says how DNS chose', () => {
    const model = buildRegionsModel(outcome({ home: 'eu', regions: [EU, US], compareBy: 'udp', nearest: 'eu', dns: { label: 'nr-1', region: 'us', rule: 'resolver', resolverIp: '192.0.2.53' } }))!;
    expect(model.rows.map((r) => [r.id, r.place, r.compareMs, r.barFraction, r.nearest, r.dnsChoice, r.home])).toEqual([
      ['eu', 'DE, Europe', 12, 0.1, true, false, true],
      ['us', 'US, North America', 120, 1, false, true, false],
    ]);
    expect(model.dnsNote).toBe('DNS gave this network Ashburn, by the address of the resolver that asked (192.0.2.53).');
  });

  it('keeps an unreachable region without a bar, and says why DNS\'s choice is unknown', () => {
    const model = buildRegionsModel(outcome({ home: 'eu', regions: [EU, { ...US, reachable: false, udpRttMs: undefined, httpsRttMs: undefined } as never], compareBy: 'udp', nearest: 'eu', dns: { label: 'nr-1', error: 'no answer before the deadline' } }))!;
    expect(model.rows[1]).toMatchObject({ reachable: false, nearest: false });
    expect(model.rows[1]).not.toHaveProperty('barFraction');
    expect(model.dnsNote).toContain('unknown: no answer before the deadline');
  });

  it('is null for a one-region deployment (skipped) or a result without the probe', () => {
    expect(buildRegionsModel(undefined)).toBeNull();
    expect(buildRegionsModel({ status: 'skipped', durationMs: 0, reason: 'one region', data: {}, evidence: [] })).toBeNull();
  });
});
