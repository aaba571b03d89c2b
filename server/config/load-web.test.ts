// The web tier's abuse limits and embedding config (issue 12): defaults, env overrides, and refusals naming the field.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './load';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'netready-config-web-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('web limits and embedding config', () => {
  it('defaults to 30 posts a minute, 64 MiB a day, no trusted proxy and no embedding origin', () => {
    const config = loadConfig({ env: {}, cwd: dir });
    expect(config.web.maxResultsPerMinute).toBe(30);
    expect(config.web.maxResultBytesPerDay).toBe(64 * 1024 * 1024);
    expect(config.web.trustedProxyHops).toBe(0);
    expect(config.embed.allowedOrigins).toEqual([]);
  });

  it('reads the limits, the proxy hops and a comma-separated origin list from the environment', () => {
    const config = loadConfig({
      env: {
        NETREADY_MAX_RESULTS_PER_MINUTE: '5',
        NETREADY_MAX_RESULT_BYTES_PER_DAY: '1048576',
        NETREADY_TRUSTED_PROXY_HOPS: '1',
        NETREADY_EMBED_ALLOWED_ORIGINS: 'https://meet.example.com, https://*.example.org:8443',
      },
      cwd: dir,
    });
    expect(config.web).toMatchObject({ maxResultsPerMinute: 5, maxResultBytesPerDay: 1048576, trustedProxyHops: 1 });
    expect(config.embed.allowedOrigins).toEqual(['https://meet.example.com', 'https://*.example.org:8443']);
  });

  it.each([
    [{ web: { maxResultsPerMinute: 0 } }, 'web.maxResultsPerMinute'],
    [{ web: { maxResultBytes: 262144, maxResultBytesPerDay: 100000 } }, 'web.maxResultBytesPerDay'],
    [{ web: { trustedProxyHops: -1 } }, 'web.trustedProxyHops'],
    [{ embed: { allowedOrigins: ['https://meet.example.com/path'] } }, 'embed.allowedOrigins.0'],
    [{ embed: { allowedOrigins: ["'self'"] } }, 'embed.allowedOrigins.0'],
    [{ embed: { allowedOrigins: ['https://a.example.com; script-src *'] } }, 'embed.allowedOrigins.0'],
  ])('stops with an error naming the field for %j', (raw, field) => {
    writeFileSync(path.join(dir, 'netready.config.json'), JSON.stringify(raw));
    expect(() => loadConfig({ env: {}, cwd: dir })).toThrow(ConfigError);
    expect(() => loadConfig({ env: {}, cwd: dir })).toThrow(field);
  });
});
