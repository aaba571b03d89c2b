/**
 * Probe "dns-vendor-hosts": can this browser reach the meeting vendor's own host names (config `targets[].hosts`),
 * and how long did their lookup take. A page can only make the browser resolve a name by fetching from it, and only
 * a host that sends `Timing-Allow-Origin` exposes its lookup time. So for each host the probe fetches
 * `https://<host>/` in `no-cors` mode — any HTTP answer then counts, whatever CORS headers the host sends (the
 * response is opaque: status 0), and only a lookup, connection or TLS failure makes the request fail — and records
 * whether it answered, how long that took, and the lookup/connect phases when the browser exposes them.
 */
import type { Evidence } from '../schema/result';
import { toLookupTiming, type LookupTiming } from './dns-lookup';
import { timedGet, type TimedGet } from './http-get';
import { readSession, SESSION_PROBE_ID } from './session';
import { DNS_PROBE_TIMEOUT_MS } from './dns-lookup';
import { skippedReport, type Probe, type ProbeReport } from './types';

/** Id of the vendor host-name probe. */
export const DNS_VENDOR_HOSTS_PROBE_ID = 'dns-vendor-hosts';

/**
 * What happened for one vendor host: `answered` — the host answered HTTPS (status 0 for the opaque no-cors answer);
 * `error` — the lookup, the connection or the TLS handshake failed (the page cannot tell which).
 */
export interface VendorHostAttempt extends Omit<TimedGet, 'body'> {
  target: string;
  host: string;
  /** Lookup/connect phases when the host sent Timing-Allow-Origin; null otherwise. */
  timing: LookupTiming | null;
}

/** Creates the vendor host-name probe. */
export function createDnsVendorHostsProbe(): Probe {
  return {
    id: DNS_VENDOR_HOSTS_PROBE_ID,
    timeoutMs: DNS_PROBE_TIMEOUT_MS,
    title: "Vendor host names",
    dependsOn: [SESSION_PROBE_ID],
    async run(ctx): Promise<ProbeReport> {
      const hosts = readSession(ctx).vendorHosts ?? [];
      if (hosts.length === 0) return skippedReport('No vendor host names are configured (targets[].hosts).');
      ctx.progress(`Fetching ${hosts.length} vendor host name(s)`);
      const attempts = await Promise.all(
        hosts.map(async ({ target, host }): Promise<VendorHostAttempt> => {
          const url = `https://${host}/`;
          const { body: _body, ...got } = await timedGet(ctx, url, 'no-cors');
          const attempt: VendorHostAttempt = { target, host, ...got, timing: null };
          if (ctx.env.resourceTiming && !attempt.timedOut) {
            const entry = await ctx.env.resourceTiming(url, ctx.signal).catch(() => null);
            attempt.timing = entry ? toLookupTiming(entry) : null;
          }
          return attempt;
        }),
      );
      const evidence: Evidence[] = attempts.map((a) => ({
        probe: DNS_VENDOR_HOSTS_PROBE_ID,
        kind: a.answered ? 'http' : a.timedOut ? 'timeout' : 'http-error',
        summary: `${a.host} (${a.target}): ${
          a.answered ? (a.httpStatus === 0 ? 'answered (opaque no-cors response)' : `HTTP ${a.httpStatus}`) : a.timedOut ? `no answer within ${ctx.timeoutMs} ms` : `fetch failed (${a.error})`
        } after ${a.elapsedMs} ms${a.timing ? `; lookup ${a.timing.lookupMs} ms, connect ${a.timing.connectMs} ms` : '; lookup time not exposed by the host'}`,
        data: { ...a },
      }));
      const data = { hosts: attempts };
      const unanswered = attempts.filter((a) => !a.answered);
      if (unanswered.length === 0) return { status: 'pass', data, evidence };
      return {
        status: 'warn',
        reason: `${unanswered.length} of ${attempts.length} vendor host(s) could not be reached from this browser (the name did not resolve, or the connection or its TLS handshake failed).`,
        data,
        evidence,
      };
    },
  };
}
