// The monitored sites config (issue 19): monitor.sites; default none, refusals naming the field.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './load';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'netready-config-monitor-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function withFile(config: unknown): void {
  writeFileSync(path.join(dir, 'netready.config.json'), JSON.stringify(config));
}

const BERLIN = { name: 'Berlin office', tokenSha256: 'a'.repeat(64) };
const ZURICH = { name: 'Zurich', tokenSha256: 'b'.repeat(64) };

describe('monitor config', () => {
  it('lists no sites by default: no monitor can store checks', () => {
    expect(loadConfig({ env: {}, cwd: dir }).monitor.sites).toEqual([]);
  });

  it('takes sites with their token hashes', () => {
    withFile({ monitor: { sites: [BERLIN, ZURICH] } });
    expect(loadConfig({ env: {}, cwd: dir }).monitor.sites).toEqual([BERLIN, ZURICH]);
  });

  it.each([
    { name: 'a site listed twice (any case)', config: { monitor: { sites: [BERLIN, { ...ZURICH, name: 'berlin OFFICE' }] } }, field: 'monitor.sites.1.name', words: /listed twice/ },
    { name: 'one token for two sites', config: { monitor: { sites: [BERLIN, { ...ZURICH, tokenSha256: BERLIN.tokenSha256 }] } }, field: 'monitor.sites.1.tokenSha256', words: /one per site/ },
    { name: 'a token instead of its hash', config: { monitor: { sites: [{ ...BERLIN, tokenSha256: 'nrs_secret' }] } }, field: 'monitor.sites.0.tokenSha256', words: /npx netready site-token/ },
    { name: 'a site name with markup', config: { monitor: { sites: [{ ...BERLIN, name: '<b>HQ</b>' }] } }, field: 'monitor.sites.0.name', words: /at most 64 letters/ },
    { name: 'an unknown field', config: { monitor: { sites: [{ ...BERLIN, token: 'x' }] } }, field: 'monitor.sites.0', words: /token/ },
  ])('stops start-up naming the field for $name', ({ config, field, words }) => {
    withFile(config);
    expect(() => loadConfig({ env: {}, cwd: dir })).toThrow(ConfigError);
    expect(() => loadConfig({ env: {}, cwd: dir })).toThrow(field);
    expect(() => loadConfig({ env: {}, cwd: dir })).toThrow(words);
  });
});
