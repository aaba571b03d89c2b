import { describe, expect, it } from 'vitest';
import { chooseRegion, distanceKm } from './choose';

const FRANKFURT = { latitude: 50.11, longitude: 8.68 };
const ASHBURN = { latitude: 39.04, longitude: -77.49 };
const SINGAPORE = { latitude: 1.29, longitude: 103.85 };
const REGIONS = [
  { id: 'eu', location: { country: 'DE', continent: 'EU', ...FRANKFURT } },
  { id: 'us', location: { country: 'US', continent: 'NA', ...ASHBURN } },
  { id: 'ap', location: { country: 'SG', continent: 'AS', ...SINGAPORE } },
];

describe('distanceKm', () => {
  it('measures great-circle distances as published (Frankfurt–Ashburn ≈ 6,500 km, a point to itself 0)', () => {
    expect(distanceKm(FRANKFURT, ASHBURN)).toBeGreaterThan(6400);
    expect(distanceKm(FRANKFURT, ASHBURN)).toBeLessThan(6600);
    expect(distanceKm(FRANKFURT, FRANKFURT)).toBe(0);
    // Antipodes: half the circumference.
    expect(Math.round(distanceKm({ latitude: 0, longitude: 0 }, { latitude: 0, longitude: 180 }))).toBe(20015);
  });
});

describe('chooseRegion', () => {
  it('picks the nearest region by coordinates (Paris → eu, Toronto → us, Sydney → ap)', () => {
    expect(chooseRegion(REGIONS, { country: 'FR', latitude: 48.86, longitude: 2.35 })).toMatchObject({ region: { id: 'eu' }, match: 'nearest' });
    expect(chooseRegion(REGIONS, { country: 'CA', latitude: 43.65, longitude: -79.38 })?.region.id).toBe('us');
    expect(chooseRegion(REGIONS, { country: 'AU', latitude: -33.87, longitude: 151.21 })?.region.id).toBe('ap');
    expect(chooseRegion(REGIONS, { latitude: 48.86, longitude: 2.35 })?.distanceKm).toBeGreaterThan(400);
  });

  it('falls back to the same country, then the same continent, then nothing', () => {
    expect(chooseRegion(REGIONS, { country: 'us' })).toEqual({ region: REGIONS[1], match: 'country' });
    expect(chooseRegion(REGIONS, { country: 'JP', continent: 'AS' })).toEqual({ region: REGIONS[2], match: 'continent' });
    expect(chooseRegion(REGIONS, { country: 'BR', continent: 'SA' })).toBeUndefined();
    expect(chooseRegion(REGIONS, {})).toBeUndefined();
    expect(chooseRegion([], { latitude: 1, longitude: 1 })).toBeUndefined();
  });
});
