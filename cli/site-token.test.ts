import { describe, expect, it } from 'vitest';
import { ConfigSchema } from '../lib/config/schema';
import { siteOfToken } from '../server/api/monitor-runs-api';
import { SITE_TOKEN_PREFIX, runSiteToken } from './site-token';

async function run(args: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runSiteToken(args, (line) => out.push(line), (line) => err.push(line));
  return { code, out: out.join('\n'), err: err.join('\n') };
}

describe('netready site-token', () => {
  it('prints a fresh token and a monitor.sites entry the config accepts and the API matches to the site', async () => {
    const first = await run(['Berlin office']);
    expect(first.code).toBe(0);
    const token = new RegExp(`${SITE_TOKEN_PREFIX}[A-Za-z0-9_-]{43}`).exec(first.out)?.[0];
    expect(token).toBeDefined();
    const entry = JSON.parse(/\{"name".*\}/.exec(first.out)![0]) as { name: string; tokenSha256: string };
    expect(entry.name).toBe('Berlin office');
    const config = ConfigSchema.parse({ monitor: { sites: [entry] } });
    expect(siteOfToken(token!, config.monitor.sites)?.name).toBe('Berlin office');
    // The config holds the hash, never the token.
    expect(JSON.stringify(entry)).not.toContain(token!);
    const second = await run(['Berlin office']);
    expect(second.out).not.toContain(token!);
  });

  it.each([[[]], [['a', 'b']], [[' padded']], [['<script>']]])('refuses %j with exit code 3 and says what a site name is', async (args) => {
    const result = await run(args);
    expect(result.code).toBe(3);
    expect(result.out).toBe('');
    expect(result.err).toMatch(/site name/);
  });
});
