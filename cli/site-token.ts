/**
 * `netready site-token "<site>"` (issue 19): makes a token for one monitored site and prints what goes where — the
 * token for the monitor (`netready monitor --token`, or NETREADY_MONITOR_TOKEN in its service's environment file) and
 * the `monitor.sites` entry for the server's config, which holds only the token's SHA-256.
 */
import { randomBytes } from 'node:crypto';
import { isSiteName } from '../lib/monitor/sites';
import { siteTokenHash } from '../server/api/monitor-runs-api';

/** Prefix of site tokens: recognisable in a secret scanner's rules and in a config review. */
export const SITE_TOKEN_PREFIX = 'nrs_';

/** A new site token: the prefix and 32 random bytes, base64url. */
export function generateSiteToken(): string {
  return `${SITE_TOKEN_PREFIX}${randomBytes(32).toString('base64url')}`;
}

/** Runs the command; resolves with the exit code (0, or 3 for a missing or invalid site name). */
export async function runSiteToken(args: readonly string[], out: (line: string) => void, err: (line: string) => void): Promise<number> {
  if (args.length !== 1 || args[0] === '--help' || args[0] === '-h') {
    const usage = 'Usage: netready site-token "<site name>"   (letters, digits, space, . _ -; at most 64)';
    if (args[0] === '--help' || args[0] === '-h') {
      out(usage);
      return 0;
    }
    err(`netready site-token: give one site name.\n${usage}`);
    return 3;
  }
  const site = args[0]!;
  if (!isSiteName(site)) {
    err(`netready site-token: ${JSON.stringify(site)} is not a site name: use at most 64 letters, digits, spaces, dots, dashes or underscores, without a leading or trailing space`);
    return 3;
  }
  const token = generateSiteToken();
  out(`Token for the monitor at "${site}" (shown once; keep it secret):\n\n  ${token}\n`);
  out(`Give it to the monitor in its environment (the systemd unit's /etc/netready/monitor.env), not on its command line:`);
  out(`  NETREADY_MONITOR_TOKEN=${token}`);
  out(`  netready monitor --url <deployment> --site "${site}" --interval 5m\n`);
  out('Add this entry to monitor.sites in the server\'s netready.config.json and restart it:\n');
  out(`  ${JSON.stringify({ name: site, tokenSha256: siteTokenHash(token) })}`);
  return 0;
}
