/**
 * Probe "dns-lookup": how long this network takes to resolve a name nobody has looked up before. The page
 * fetches `https://<fresh label>.<probe zone>/v1/dns/ping` for a few unique labels at once; netready's own
 * authoritative server answers the names and the HTTPS listener sends `Timing-Allow-Origin`, so Resource
 * Timing exposes `domainLookupStart/End` and `connectStart/End` of each. Records the median and worst lookup,
 * failures and timeouts, and whether fresh names showed 0 ms lookup AND 0 ms connect — what Chromium reports
 * when an HTTP proxy resolved the name and the connection was already open to the proxy (DESIGN.md).
 * Records only; diagnosis/rules/dns-*.ts decide what it means.
 */
import type { Evidence } from '../schema/result';
import { timedGet } from './http-get';
import { readSession, SESSION_PROBE_ID } from './session';
import { skippedReport, type Probe, type ProbeContext, type ProbeReport, type ResourceTimingLike } from './types';
import { median } from './webrtc';

/**
 * Deadline of the DNS probes, ms: a resolver's own timeouts (≈ 3 s before Chromium's first retry, LAB.md) and a slow
 * resolver's answers (2 s in the lab) do not scale with the path's round trip, so these probes keep their own, shorter
 * than the run budget and longer than the adaptive deadline of the transport probes on a LAN.
 */
export const DNS_PROBE_TIMEOUT_MS = 5000;

/** Id of the lookup-timing probe. */
export const DNS_LOOKUP_PROBE_ID = 'dns-lookup';
/** Fresh names fetched per run. */
export const DNS_LOOKUP_NAMES = 3;

/** A fresh probe label from a random id: `nr-` + up to 32 lower-case letters/digits (the server records these). */
export function makeProbeLabel(randomId: string): string {
  const body = randomId.toLowerCase().replace(/[^a-z0-9]/g, '').slice(0, 32);
  return `nr-${body.padEnd(8, '0')}`;
}

/** Connection phases of one fetch, from Resource Timing, in ms (0.1 ms resolution). */
export interface LookupTiming {
  lookupMs: number;
  connectMs: number;
  /** Part of connectMs spent on the TLS handshake. */
  tlsMs?: number;
  /** From fetch start to the first response byte. */
  firstByteMs: number;
  nextHopProtocol: string;
}

/** What happened to one fresh name. */
export interface LookupAttempt {
  label: string;
  url: string;
  /** The fetch got an HTTP response. */
  answered: boolean;
  httpStatus?: number;
  /** The probe's deadline passed before an answer. */
  timedOut: boolean;
  /** Browser's error text when the fetch failed (a failed lookup and a refused connection look alike here). */
  error?: string;
  elapsedMs: number;
  /** null: the browser exposed no timing for this fetch, or it shared another name's connection. */
  timing: LookupTiming | null;
  /**
   * The request went over an HTTP/2 connection opened for another name (the server saw a different TLS server
   * name): Chromium pools connections across names with the same address and a fitting certificate, and then
   * reports 0 ms lookup and connect — not a measurement, so the timing is left out.
   */
  sharedConnection?: true;
}

/** `data` of the lookup-timing probe. */
export interface DnsLookupData {
  zone: string;
  attempts: LookupAttempt[];
  answered: number;
  failed: number;
  timedOut: number;
  /** Whether Resource Timing was available for at least one answered name. */
  timingAvailable: boolean;
  lookupMedianMs?: number;
  lookupWorstMs?: number;
  connectMedianMs?: number;
  /**
   * Every answered fresh name showed a 0 ms lookup: a name never seen before cannot come from a cache, so the
   * browser did not resolve it — a proxy did. (The connect time is no signal: through a CONNECT tunnel Chromium
   * counts the TLS handshake in it.) Firefox times a tunnelled request differently: a 0–11 ms "lookup" and a 0–1 ms
   * "connect" (the hop to the proxy) and a TLS phase of 0 ms — the handshake inside the tunnel is not timed — so a
   * fresh name whose TLS phase is 0 counts too. Firefox ESR 153 in the lab, lookup/connect/TLS ms: through squid
   * (proxy-only, tls-inspect) 1/1/0, 0/0/0, 0/1/0, with each name in squid's log as a CONNECT; direct 0/6/5, 4/16/15,
   * 0/24/24 — its lookup is sometimes 0 for a fresh name without any proxy, its TLS phase never. A name sent over
   * another name's connection never gets here (`sharedConnection` above).
   */
  resolvedByProxy: boolean;
}

const round1 = (ms: number): number => Math.round(ms * 10) / 10;

/** Reduces a Resource Timing entry to lookup/connect phases; null when the phases are hidden (no TAO). */
export function toLookupTiming(entry: ResourceTimingLike): LookupTiming | null {
  // Without Timing-Allow-Origin the cross-origin phase fields are all 0 — not "0 ms", just hidden.
  if (entry.domainLookupStart === 0 && entry.connectStart === 0 && entry.requestStart === 0) return null;
  const timing: LookupTiming = {
    lookupMs: round1(Math.max(0, entry.domainLookupEnd - entry.domainLookupStart)),
    connectMs: round1(Math.max(0, entry.connectEnd - entry.connectStart)),
    firstByteMs: round1(Math.max(0, entry.responseStart - entry.fetchStart)),
    nextHopProtocol: entry.nextHopProtocol,
  };
  if (entry.secureConnectionStart > 0) timing.tlsMs = round1(Math.max(0, entry.connectEnd - entry.secureConnectionStart));
  return timing;
}

async function fetchName(ctx: ProbeContext, label: string, url: string): Promise<LookupAttempt> {
  const got = await timedGet(ctx, url);
  const attempt: LookupAttempt = { label, url, answered: got.answered, timedOut: got.timedOut, elapsedMs: got.elapsedMs, timing: null };
  if (got.httpStatus !== undefined) attempt.httpStatus = got.httpStatus;
  if (got.error !== undefined) attempt.error = got.error;
  // Servers since this check say which name the connection was opened for (null: none, e.g. an address).
  const body = typeof got.body === 'object' && got.body !== null ? (got.body as Record<string, unknown>) : {};
  if ('connectionServerName' in body && body.connectionServerName !== new URL(url).hostname.toLowerCase()) {
    attempt.sharedConnection = true;
    return attempt;
  }
  if (attempt.answered && ctx.env.resourceTiming) {
    const entry = await ctx.env.resourceTiming(url, ctx.signal).catch(() => null);
    attempt.timing = entry ? toLookupTiming(entry) : null;
  }
  return attempt;
}

/**
 * Whether one fresh name's timing says the browser did not resolve it or open its own connection: no lookup (Chromium
 * through a proxy), or an untimed TLS handshake (Firefox through a proxy), or no connection at all. See
 * `DnsLookupData.resolvedByProxy`.
 */
function isTunnelled(t: LookupTiming): boolean {
  return t.lookupMs === 0 || t.tlsMs === 0 || (t.tlsMs === undefined && t.connectMs === 0);
}

/** Summarises the attempts into the probe's data. */
export function summariseLookups(zone: string, attempts: LookupAttempt[]): DnsLookupData {
  const timed = attempts.filter((a) => a.answered && a.timing).map((a) => a.timing!);
  const lookups = timed.map((t) => t.lookupMs);
  const data: DnsLookupData = {
    zone,
    attempts,
    answered: attempts.filter((a) => a.answered).length,
    failed: attempts.filter((a) => !a.answered && !a.timedOut).length,
    timedOut: attempts.filter((a) => a.timedOut).length,
    timingAvailable: timed.length > 0,
    resolvedByProxy: timed.length > 0 && timed.every(isTunnelled),
  };
  if (lookups.length > 0) {
    data.lookupMedianMs = round1(median(lookups)!);
    data.lookupWorstMs = Math.max(...lookups);
    data.connectMedianMs = round1(median(timed.map((t) => t.connectMs))!);
  }
  return data;
}

/** Creates the lookup-timing probe. */
export function createDnsLookupProbe(): Probe {
  return {
    id: DNS_LOOKUP_PROBE_ID,
    timeoutMs: DNS_PROBE_TIMEOUT_MS,
    title: 'Name lookups (DNS timing)',
    dependsOn: [SESSION_PROBE_ID],
    async run(ctx): Promise<ProbeReport> {
      const session = readSession(ctx);
      if (!session.dns) {
        return skippedReport('DNS probing is not configured on the test server (no dns.zone), so name lookups were not measured.');
      }
      const dns = session.dns;
      const labels = Array.from({ length: DNS_LOOKUP_NAMES }, () => makeProbeLabel(ctx.env.randomId()));
      ctx.progress(`Looking up ${labels.length} fresh names under ${dns.zone}`);
      const attempts = await Promise.all(labels.map((label) => fetchName(ctx, label, dns.lookupUrl.replace('{label}', label))));
      const data = summariseLookups(dns.zone, attempts);
      const evidence: Evidence[] = attempts.map((a) => ({
        probe: DNS_LOOKUP_PROBE_ID,
        kind: a.answered ? 'dns-lookup' : a.timedOut ? 'timeout' : 'http-error',
        summary: a.answered
          ? a.timing
            ? `${a.label}.${dns.zone}: lookup ${a.timing.lookupMs} ms, connect ${a.timing.connectMs} ms (HTTP ${a.httpStatus} after ${a.elapsedMs} ms)`
            : a.sharedConnection
              ? `${a.label}.${dns.zone}: HTTP ${a.httpStatus} after ${a.elapsedMs} ms over a connection the browser had opened for another name (no lookup to time)`
              : `${a.label}.${dns.zone}: HTTP ${a.httpStatus} after ${a.elapsedMs} ms (no timing exposed)`
          : a.timedOut
            ? `${a.label}.${dns.zone}: no answer within ${ctx.timeoutMs} ms`
            : `${a.label}.${dns.zone}: failed after ${a.elapsedMs} ms: ${a.error}`,
        data: { ...a },
      }));
      const record = data as unknown as Record<string, unknown>;
      if (data.answered === 0) {
        return {
          status: 'fail',
          reason: `None of ${attempts.length} fresh names under ${dns.zone} could be fetched (${data.timedOut} timed out, ${data.failed} failed).`,
          data: record,
          evidence,
        };
      }
      if (data.answered < attempts.length) {
        return { status: 'warn', reason: `${data.answered} of ${attempts.length} fresh names could be fetched.`, data: record, evidence };
      }
      return { status: 'pass', data: record, evidence };
    },
  };
}
