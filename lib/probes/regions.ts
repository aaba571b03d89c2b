/**
 * Probe "regions" (issue 15): in a deployment with probe nodes in several regions, how far each one is from this
 * browser, and which one DNS sends it to. For every region, in parallel: the round trip over UDP of ICE's STUN
 * connectivity checks to the node's media peer (a session of the page's own on that node; getStats
 * `currentRoundTripTime`) and an HTTPS round trip (two requests to the node's ping URL on one connection; the
 * second's request → first byte, by Resource Timing), for networks without UDP. Then a fresh name under the GeoDNS
 * name `media.<zone>` is fetched through the browser's own resolver: the node that answers names its region, and the
 * home node's DNS server says which rule chose it (client subnet, resolver address, default).
 *
 * Records only; diagnosis/rules/geodns-wrong-region.ts decides what it means. A region whose node does not answer is
 * `unreachable` here and never fails the probe: netready's own node may be down, which is not this network's doing.
 */
import type { Evidence } from '../schema/result';
import { SessionSchema, type SessionRegion } from '../schema/session';
import type { GeoRule } from '../protocol/dns/label-table';
import { describeGeoChoice } from '../regions/choose';
import { makeProbeLabel } from './dns-lookup';
import { LabelReportSchema } from './dns-resolver';
import { readSession, SESSION_PROBE_ID } from './session';
import { skippedReport, type Probe, type ProbeContext, type ProbeReport } from './types';
import { PREFLIGHT_FREE_JSON_HEADERS, timedGet, type TimedGet } from './http-get';
import { postMediaOffer } from './media-peer-offer';
import { CandidateLog, DeadlineError, readSelectedPair, waitForOpen, type SelectedPairInfo } from './webrtc';

/** Id of the regions probe. */
export const REGIONS_PROBE_ID = 'regions';

/** How one region measured. */
export interface RegionMeasurement {
  id: string;
  label: string;
  location: SessionRegion['location'];
  /** The region of the node this run's session lives on. */
  home: boolean;
  /** Round trip over UDP, ms: ICE's STUN connectivity checks to the node's media peer (getStats, pairRttMs). */
  udpRttMs?: number;
  /** Why there is no UDP round trip (no session, no UDP answer, the deadline). */
  udpError?: string;
  /** HTTPS round trip on an open connection, ms. */
  httpsRttMs?: number;
  /** Why the HTTPS requests got no answer (the browser's words, or the deadline). */
  httpsError?: string;
  /** The node answered over UDP or HTTPS. */
  reachable: boolean;
}

/** What the GeoDNS name told about this browser's resolver. */
export interface RegionsDnsData {
  /** The fresh label fetched under `media.<zone>`. */
  label: string;
  /** The region whose node answered the fetch (the region DNS gave this browser). */
  region?: string;
  /** How netready's DNS server chose it, and for which resolver and client subnet. */
  rule?: GeoRule;
  resolverIp?: string;
  clientSubnet?: string;
  /** Why the region DNS gave could not be learnt. */
  error?: string;
}

/** `data` of the regions probe. */
export interface RegionsData {
  home: string;
  regions: RegionMeasurement[];
  /** How the regions were compared: UDP round trips when every reachable region answered over UDP, else HTTPS. */
  compareBy?: 'udp' | 'https';
  /** The reachable region with the shortest round trip by `compareBy`. */
  nearest?: string;
  dns?: RegionsDnsData;
}

/** The round trip a region is compared by, or undefined when it has none by that method. */
export function regionRttMs(region: RegionMeasurement, by: 'udp' | 'https'): number | undefined {
  return by === 'udp' ? region.udpRttMs : region.httpsRttMs;
}

/**
 * A selected pair's round trip, ms: `currentRoundTripTime` (the latest check) when above 0, else the mean of its checks
 * (`totalRoundTripTime / responsesReceived`). The latest check first: the first ones wait on a browser busy starting
 * its connections (Chromium in the lab: 1–3 ms current, a 12–17 ms mean, to the near region on a LAN). Firefox ESR 153,
 * read when the channel opens, gave neither (the media-quality probe, reading seconds later, gets its checks' totals), so
 * a 0 is "not measured", not a round trip; its regions are then compared by HTTPS.
 */
export function pairRttMs(pair: SelectedPairInfo | undefined): number | undefined {
  if (!pair) return undefined;
  if (pair.currentRoundTripTimeMs !== undefined && pair.currentRoundTripTimeMs > 0) return pair.currentRoundTripTimeMs;
  return pair.checks && pair.checks.responses > 0 && pair.checks.totalRoundTripMs > 0 ? Math.round((pair.checks.totalRoundTripMs / pair.checks.responses) * 10) / 10 : undefined;
}

/**
 * The UDP round trip to a region's node as ICE measures it: a session of the page's own on that node (on the home
 * node, the run's own session), one peer connection with the node's `stun:` URL (its server-reflexive candidate goes into the offer), the node's media peer
 * answers, and once the data channel is open the selected pair's `currentRoundTripTime` — the round trip of ICE's own
 * STUN connectivity checks over UDP. (The time to a server-reflexive candidate is no measure: a browser starting many
 * connections takes 100–250 ms before its Bindings leave, more than a LAN's whole round trip.)
 */
async function iceRtt(ctx: ProbeContext, region: SessionRegion, own: { peerPath: string } | undefined): Promise<{ rttMs?: number; error?: string }> {
  // The home node already holds this run's session: its media peer answers there (one session per run, not two).
  const base = own ? ctx.probeUrl : region.apiUrl;
  let peerPath = own?.peerPath;
  if (!peerPath) {
    let created: unknown;
    try {
      const response = await ctx.env.fetch(`${base}/v1/sessions`, { method: 'POST', headers: { ...PREFLIGHT_FREE_JSON_HEADERS }, body: '{}', signal: ctx.signal });
      created = await response.json().catch(() => null);
    } catch (error) {
      return { error: ctx.signal.aborted ? 'no session before the deadline' : `no session: ${error instanceof Error ? error.message : String(error)}` };
    }
    const session = SessionSchema.safeParse(created);
    if (!session.success) return { error: 'the node did not open a session' };
    peerPath = session.data.peerPath;
  }
  const started = ctx.env.now();
  const pc = ctx.env.createPeerConnection({ iceServers: [{ urls: region.stunUrl }] });
  try {
    const log = new CandidateLog(pc, ctx.env, started);
    const channel = pc.createDataChannel('netready-region', { ordered: true });
    await pc.setLocalDescription(await pc.createOffer());
    // The offer must name an address the node can answer: the server-reflexive one (no answer over UDP: no UDP here).
    await log.waitForType('srflx', ctx.signal);
    const offer = pc.localDescription?.sdp;
    if (!offer) return { error: 'the browser produced no offer' };
    const answer = await postMediaOffer({ ...ctx, probeUrl: base }, peerPath, offer, { label: REGIONS_PROBE_ID });
    await pc.setRemoteDescription({ type: 'answer', sdp: answer.sdp });
    await waitForOpen(channel, ctx.signal);
    const rttMs = pairRttMs(await readSelectedPair(pc, log.candidates));
    return rttMs !== undefined ? { rttMs } : { error: 'this browser reports no round trip for the connection (getStats candidate-pair)' };
  } catch (error) {
    if (error instanceof DeadlineError || ctx.signal.aborted) return { error: 'no UDP path before the deadline' };
    return { error: error instanceof Error ? error.message : String(error) };
  } finally {
    pc.close();
  }
}

/** Why a GET got no answer, in the probe's words. */
function unanswered(got: TimedGet): string {
  return got.timedOut ? 'no answer before the deadline' : (got.error ?? 'no answer');
}

async function httpsRtt(ctx: ProbeContext, pingUrl: string): Promise<{ rttMs?: number; error?: string }> {
  // The first request opens the connection; the second, on it, is one round trip (plus the server's microseconds).
  const first = await timedGet(ctx, `${pingUrl}?n=1`);
  if (!first.answered) return { error: unanswered(first) };
  const url = `${pingUrl}?n=2`;
  const second = await timedGet(ctx, url);
  if (!second.answered) return { error: unanswered(second) };
  const entry = ctx.env.resourceTiming ? await ctx.env.resourceTiming(url, ctx.signal).catch(() => null) : null;
  const timed = entry && entry.requestStart > 0 && entry.responseStart >= entry.requestStart ? entry.responseStart - entry.requestStart : undefined;
  return { rttMs: Math.round((timed ?? second.elapsedMs) * 10) / 10 };
}

async function measureRegion(ctx: ProbeContext, region: SessionRegion, home: string, peerPath: string): Promise<RegionMeasurement> {
  const [udp, https] = await Promise.all([iceRtt(ctx, region, region.id === home ? { peerPath } : undefined), httpsRtt(ctx, region.pingUrl)]);
  const out: RegionMeasurement = { id: region.id, label: region.label, location: region.location, home: region.id === home, reachable: udp.rttMs !== undefined || https.rttMs !== undefined };
  if (udp.rttMs !== undefined) out.udpRttMs = udp.rttMs;
  if (udp.error !== undefined) out.udpError = udp.error;
  if (https.rttMs !== undefined) out.httpsRttMs = https.rttMs;
  if (https.error !== undefined) out.httpsError = https.error;
  return out;
}

async function dnsRegion(ctx: ProbeContext, mediaLookupUrl: string, labelsPath: string | undefined): Promise<RegionsDnsData> {
  const label = makeProbeLabel(ctx.env.randomId());
  const got = await timedGet(ctx, mediaLookupUrl.replace('{label}', label));
  const out: RegionsDnsData = { label };
  const body = typeof got.body === 'object' && got.body !== null ? (got.body as Record<string, unknown>) : {};
  if (typeof body.region === 'string') out.region = body.region;
  else out.error = got.answered ? `the node that answered named no region (HTTP ${got.httpStatus})` : unanswered(got);
  if (!labelsPath || !got.answered) return out;
  // The home node's DNS server: which resolver asked for the name, and by which rule it chose the region.
  const report = await timedGet(ctx, `${ctx.probeUrl}${labelsPath}/${label}`);
  const parsed = LabelReportSchema.safeParse(report.body);
  const query = parsed.success ? (parsed.data.queries.find((q) => q.geo && (q.qtype === 'A' || q.qtype === 'AAAA')) ?? parsed.data.queries.find((q) => q.geo)) : undefined;
  if (query?.geo) {
    out.rule = query.geo.rule;
    out.resolverIp = query.resolverIp;
    if (query.clientSubnet) out.clientSubnet = query.clientSubnet;
  }
  return out;
}

/** Which method compares the regions, and the nearest reachable region by it. */
export function nearestRegion(regions: RegionMeasurement[]): { compareBy?: 'udp' | 'https'; nearest?: string } {
  const reachable = regions.filter((r) => r.reachable);
  if (reachable.length === 0) return {};
  const compareBy = reachable.every((r) => r.udpRttMs !== undefined) ? 'udp' : reachable.every((r) => r.httpsRttMs !== undefined) ? 'https' : undefined;
  if (!compareBy) return {};
  const best = reachable.reduce((a, b) => (regionRttMs(b, compareBy)! < regionRttMs(a, compareBy)! ? b : a));
  return { compareBy, nearest: best.id };
}

function describe(r: RegionMeasurement): string {
  if (!r.reachable) return `${r.label} (${r.id}): no answer over UDP or HTTPS${r.httpsError ? ` (${r.httpsError})` : ''}`;
  const parts = [r.udpRttMs !== undefined ? `UDP ${r.udpRttMs} ms (ICE checks)` : `no UDP round trip${r.udpError ? ` (${r.udpError})` : ''}`, r.httpsRttMs !== undefined ? `HTTPS ${r.httpsRttMs} ms` : `no HTTPS answer${r.httpsError ? ` (${r.httpsError})` : ''}`];
  return `${r.label} (${r.id}): ${parts.join(', ')}`;
}

/** Creates the regions probe. */
export function createRegionsProbe(): Probe {
  return {
    id: REGIONS_PROBE_ID,
    title: 'Regions: the nearest server, and where DNS sends you',
    dependsOn: [SESSION_PROBE_ID],
    // Its last steps are the region nodes' answers, and a node that does not answer makes its region `unreachable`,
    // never a network finding: the run's server check need not wait for it. On the lab's 200 ms, 2 %-loss path it took
    // 4.5–7.6 s, and waiting for it pushed the server check past the run's budget (server-unreachable in CI).
    endsWithServerAnswer: true,
    async run(ctx): Promise<ProbeReport> {
      const session = readSession(ctx);
      const regions = session.regions;
      if (!regions || regions.list.length === 0) return skippedReport('This deployment has one region (no regions[] configured), so there is nothing to compare.');
      ctx.progress(`Timing ${regions.list.length} regions over UDP and HTTPS`);
      const [measured, dns] = await Promise.all([
        Promise.all(regions.list.map((region) => measureRegion(ctx, region, regions.home, session.peerPath))),
        regions.mediaLookupUrl ? dnsRegion(ctx, regions.mediaLookupUrl, session.dns?.labelsPath) : Promise.resolve(undefined),
      ]);
      const data: RegionsData = { home: regions.home, regions: measured, ...nearestRegion(measured), ...(dns ? { dns } : {}) };
      const evidence: Evidence[] = measured.map((r) => ({ probe: REGIONS_PROBE_ID, kind: r.reachable ? 'region-rtt' : 'timeout', summary: describe(r), data: { ...r } }));
      if (dns) {
        evidence.push({
          probe: REGIONS_PROBE_ID,
          kind: 'geodns',
          summary: dns.region
            ? `media.${session.dns?.zone ?? '<zone>'} sent this browser to ${dns.region}, ${describeGeoChoice(dns)}`
            : `which region DNS gives this browser is unknown: ${dns.error ?? 'no answer'}`,
          data: { ...dns },
        });
      }
      const record = data as unknown as Record<string, unknown>;
      if (!measured.some((r) => r.reachable)) {
        return { status: 'inconclusive', reason: 'No region\'s server answered over UDP or HTTPS, so the regions could not be compared.', data: record, evidence };
      }
      return { status: 'pass', data: record, evidence };
    },
  };
}
