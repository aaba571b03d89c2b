// The regions config (issue 15): regions[], probe.region; defaults, env override, refusals naming the field.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { nodeRegion, regionHttpsUrl } from '../../lib/regions/deployment';
import { ConfigError, loadConfig } from './load';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'netready-config-regions-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function withFile(config: unknown): void {
  writeFileSync(path.join(dir, 'netready.config.json'), JSON.stringify(config));
}

const EU = { id: 'eu-central', label: 'Frankfurt', publicIp: '203.0.113.10', location: { continent: 'EU', country: 'DE', latitude: 50.11, longitude: 8.68 } };
const US = { id: 'us-east', label: 'Ashburn', publicIp: '198.51.100.20', httpsUrl: 'https://us.probe.example.org:8443/', location: { continent: 'NA', latitude: 39.04, longitude: -77.49 } };

describe('regions config', () => {
  it('has no regions by default: one machine, no node region', () => {
    const config = loadConfig({ env: {}, cwd: dir });
    expect(config.regions).toEqual([]);
    expect(nodeRegion(config)).toBeUndefined();
  });

  it('serves the first region unless probe.region (or NETREADY_PROBE_REGION) names another', () => {
    withFile({ regions: [EU, US] });
    const config = loadConfig({ env: {}, cwd: dir });
    expect(nodeRegion(config)?.id).toBe('eu-central');
    expect(config.regions[0]!.stunPort).toBe(3478);
    expect(regionHttpsUrl(config.regions[0]!)).toBe('https://203.0.113.10:8443');
    expect(regionHttpsUrl(config.regions[1]!)).toBe('https://us.probe.example.org:8443');
    expect(nodeRegion(loadConfig({ env: { NETREADY_PROBE_REGION: 'us-east' }, cwd: dir }))?.id).toBe('us-east');
  });

  it.each([
    { name: 'a region id used twice', config: { regions: [EU, { ...US, id: 'eu-central' }] }, field: 'regions.1.id', words: /used twice/ },
    { name: 'a region id with capitals', config: { regions: [{ ...EU, id: 'EU' }] }, field: 'regions.0.id', words: /region id/ },
    { name: 'a latitude beyond the pole', config: { regions: [{ ...EU, location: { ...EU.location, latitude: 91 } }] }, field: 'regions.0.location.latitude', words: /./ },
    { name: 'an unknown continent', config: { regions: [{ ...EU, location: { ...EU.location, continent: 'XX' } }] }, field: 'regions.0.location.continent', words: /./ },
    { name: 'a node region that is not configured', config: { regions: [EU], probe: { region: 'ap-south' } }, field: 'probe.region', words: /one of the configured regions \(eu-central\)/ },
    { name: 'a node region without any regions', config: { probe: { region: 'eu-central' } }, field: 'probe.region', words: /no regions are configured/ },
  ])('stops start-up naming the field for $name', ({ config, field, words }) => {
    withFile(config);
    expect(() => loadConfig({ env: {}, cwd: dir })).toThrow(ConfigError);
    expect(() => loadConfig({ env: {}, cwd: dir })).toThrow(field);
    expect(() => loadConfig({ env: {}, cwd: dir })).toThrow(words);
  });
});
