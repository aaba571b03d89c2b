/**
 * Probe "nat": how this network's NAT maps and filters UDP (RFC 4787), and whether IPv6 reaches netready (issue 11
 * item 3; shared/DESIGN.md "NAT mapping").
 *
 * - **Mapping.** ONE RTCPeerConnection with every STUN endpoint of the session — the TURN port (primary), another port
 *   of the same address, a second address, and the IPv6 address — so one socket asks them all. Server-reflexive
 *   candidates are told apart by getStats local-candidate `url` (event.url is null in Chromium; Firefox reports no `url`
 *   at all, so there each endpoint's observation of the socket names its srflx: attributeBySeen). Chromium drops a srflx
 *   equal to one it has, so one srflx for three endpoints means identical mappings only where the other endpoints
 *   heard from that socket: the server says which source address and port each endpoint saw
 *   (`GET <observationsPath>`). Gathering stops once every endpoint produced a srflx, or shortly after the first one.
 * - **Filtering.** A second peer connection that contacts only the primary endpoint, given an ice-lite answer whose
 *   ICE credentials the page chose; the server then sends ICE checks to that socket's mapping from the other port and
 *   the other address (`POST <filteringPath>`; lib/protocol/nat/filtering.ts). The browser answers every valid check
 *   that reaches it, so an answer at the server proves the NAT let the unsolicited packet in.
 * - **IPv6.** A v6 srflx (or the server seeing a Binding on its IPv6 endpoint) means IPv6 works. It is judged by STUN
 *   only: netready's TURN relays are IPv4.
 *
 * The probe measures and records; lib/diagnosis/facts-nat.ts decides what it means.
 */
import type { Evidence } from '../schema/result';
import { NatFilteringAnswerSchema, NatObservationsAnswerSchema, type NatBindingSeen, type NatRole, type SessionNat } from '../schema/session';
import { classifyFiltering, classifyMapping, type AddressPort, type NatFiltering, type NatMapping } from './nat-classify';
import { readSession, SESSION_PROBE_ID } from './session';
import { PREFLIGHT_FREE_JSON_HEADERS } from './http-get';
import { skippedReport, type PeerConnectionLike, type Probe, type ProbeContext, type ProbeReport } from './types';
import { CandidateLog, DeadlineError, deadlinePhase, untilAborted, type CandidateInfo } from './webrtc';

/** Id of the nat probe. */
export const NAT_PROBE_ID = 'nat';

/** How long the first srflx may take, ms (Chromium's STUN retransmissions at 250, 500, 1000 ms fit in it). */
export const NAT_FIRST_SRFLX_MS = 2500;
/**
 * How long the other endpoints may take after the first srflx, ms: three round trips of the first answer plus one
 * Chromium retransmission (250 ms), between 500 and 2000 ms — the endpoints were asked at the same moment, so their
 * answers come within about one round trip of each other.
 */
export function settleMsAfter(firstSrflxAtMs: number): number {
  return Math.min(2000, Math.max(500, 3 * firstSrflxAtMs + 250));
}

/** `data` of the nat probe (contract: /work/briefs/i11/contracts.md "Probe nat"). */
export interface NatData {
  /** The STUN endpoints used in the one PeerConnection. */
  endpoints: Array<{ role: NatRole; url: string }>;
  /** Server-reflexive candidates by endpoint (getStats local-candidate `url`; `mappedBy: 'server'`: by what each endpoint saw). */
  mapped: Array<{ role: NatRole; url: string; address: string; port: number; atMs: number }>;
  /** `server` when the browser's stats named no endpoint (Firefox) and the server's observations attributed them. */
  mappedBy?: 'server';
  /** RFC 4787 mapping behaviour, or 'unknown' with `mappingWhy`. */
  mapping: NatMapping;
  mappingWhy?: string;
  /** RFC 4787 filtering behaviour where observed (server-side checks from other endpoints), else 'unknown'. */
  filtering: NatFiltering;
  filteringWhy?: string;
  /** IPv6: a v6 srflx came back ('available'), none did ('unavailable'), or the server offers no IPv6 endpoint. */
  ipv6: { state: 'available' | 'unavailable' | 'not-tested'; why?: string; srflx?: string; relay?: string };
  /** What the server's endpoints saw from this computer (extension: evidence behind the mapping). */
  serverSaw?: NatBindingSeen[];
  /** The filtering checks as the server reported them (extension). */
  filteringChecks?: Array<{ role: 'alt-port' | 'alt-address'; from: string; sent: number; answered: boolean; rttMs?: number }>;
  /** ms from the start to the first srflx, and how long gathering was given (extension: timings). */
  timings?: { firstSrflxMs?: number; gatherMs: number; filteringMs?: number };
}

const errorText = (error: unknown): string => (error instanceof Error ? error.message : String(error));

/** An ICE server URL reduced for comparison: scheme, host and port, lower case, no query. */
export function normaliseIceUrl(url: string): string {
  return url.trim().toLowerCase().replace(/\?.*$/, '');
}

/** A srflx candidate by its `url` (getStats local-candidate), with address, port and its base (`relatedAddress`). */
export interface SrflxStat {
  url: string;
  address: string;
  port: number;
  /** The local address the Binding left from (unmasked only with the deep check's permission), '' when hidden. */
  base: string;
}

/** The srflx candidates of a peer connection by their `url` (getStats local-candidate). */
async function srflxByUrl(pc: PeerConnectionLike): Promise<SrflxStat[]> {
  const report = await pc.getStats();
  const out: SrflxStat[] = [];
  report.forEach((entry) => {
    if (entry.type !== 'local-candidate' || entry.candidateType !== 'srflx') return;
    const address = typeof entry.address === 'string' ? entry.address : typeof entry.ip === 'string' ? entry.ip : undefined;
    const related = typeof entry.relatedAddress === 'string' && entry.relatedAddress !== '0.0.0.0' && entry.relatedAddress !== '::' ? entry.relatedAddress : '';
    if (typeof entry.url === 'string' && address && typeof entry.port === 'number') out.push({ url: entry.url, address, port: entry.port, base: related });
  });
  return out;
}

/**
 * The srflx candidates of ONE local base: the mapping is a property of one socket's way out, and with the deep check's
 * permission the browser gathers on every interface — a VPN's and Ethernet's srflx side by side would read as a NAT
 * giving each destination its own address (lab `vpn-split+deep`: 10.213.2.1 from Ethernet, 10.213.2.3 from the VPN
 * taken for a symmetric NAT). The base that reached the most endpoints wins; a tie goes to the one listed first.
 */
export function oneBase(stats: readonly SrflxStat[]): SrflxStat[] {
  const urls = new Map<string, Set<string>>();
  for (const s of stats) urls.set(s.base, (urls.get(s.base) ?? new Set()).add(s.url));
  let best: string | undefined;
  for (const [base, reached] of urls) if (best === undefined || reached.size > urls.get(best)!.size) best = base;
  return stats.filter((s) => s.base === best);
}

/** Resolves when the log holds `count` srflx candidates; rejects with DeadlineError when `signal` aborts first. */
function untilSrflxCount(pc: PeerConnectionLike, log: CandidateLog, count: number, signal: AbortSignal): Promise<void> {
  return untilAborted<void>(
    signal,
    (resolve) => {
      const check = (): void => {
        if (log.candidates.filter((c) => c.type === 'srflx').length >= count) resolve();
      };
      pc.addEventListener('icecandidate', check);
      check();
    },
    'more server-reflexive candidates',
  );
}

/** Raw host candidates and non-zero related addresses: this computer's own sockets, where the browser shows them. */
function localAddresses(candidates: CandidateInfo[]): AddressPort[] {
  const out: AddressPort[] = [];
  for (const c of candidates) {
    if (c.type === 'host' && !c.address.endsWith('.local')) out.push({ address: c.address, port: c.port });
    if (c.relatedAddress && c.relatedAddress !== '0.0.0.0' && c.relatedAddress !== '::' && c.relatedPort !== undefined) out.push({ address: c.relatedAddress, port: c.relatedPort });
  }
  return out;
}

/**
 * Firefox reports no `url` on its local-candidate stats (Firefox ESR 153), so its srflx candidates cannot be told apart
 * by endpoint from the page; the server can: each endpoint recorded the source address and port it saw
 * (askNatObservations). A srflx candidate equal to what an endpoint saw is that endpoint's mapping. Used only when
 * the browser attributed none itself. Exported for tests.
 */
export function attributeBySeen(candidates: readonly CandidateInfo[], seen: readonly NatBindingSeen[], endpoints: SessionNat['endpoints']): NatData['mapped'] {
  const mapped: NatData['mapped'] = [];
  for (const endpoint of endpoints) {
    const saw = seen.filter((s) => s.role === endpoint.role);
    const candidate = candidates.find((c) => c.type === 'srflx' && saw.some((s) => s.address === c.address && s.port === c.port));
    if (candidate) mapped.push({ role: endpoint.role, url: endpoint.url, address: candidate.address, port: candidate.port, atMs: candidate.atMs });
  }
  return mapped;
}

/** What the mapping phase gathered. */
interface Gathered {
  mapped: NatData['mapped'];
  candidates: CandidateInfo[];
  firstSrflxMs?: number;
  gatherMs: number;
  error?: string;
}

/** The mapping phase: one peer connection, every endpoint (see the file comment). */
async function gatherMappings(ctx: ProbeContext, nat: SessionNat): Promise<Gathered> {
  const started = ctx.env.now();
  let pc: PeerConnectionLike;
  try {
    pc = ctx.env.createPeerConnection({ iceServers: nat.endpoints.map((e) => ({ urls: e.url })) });
  } catch (error) {
    return { mapped: [], candidates: [], gatherMs: 0, error: errorText(error) };
  }
  const log = new CandidateLog(pc, ctx.env, started);
  try {
    pc.createDataChannel('netready-nat');
    await pc.setLocalDescription(await pc.createOffer());
    const first = deadlinePhase(ctx.signal, Math.min(NAT_FIRST_SRFLX_MS, ctx.timeoutMs * 0.5));
    let firstSrflx: CandidateInfo | undefined;
    try {
      firstSrflx = await log.waitForType('srflx', first.signal);
    } catch (error) {
      if (!(error instanceof DeadlineError)) throw error;
    } finally {
      first.done();
    }
    if (firstSrflx) {
      const settle = deadlinePhase(ctx.signal, settleMsAfter(firstSrflx.atMs));
      await untilSrflxCount(pc, log, nat.endpoints.length, settle.signal).catch((error: unknown) => {
        if (!(error instanceof DeadlineError)) throw error;
      });
      settle.done();
    }
    const byUrl = new Map(nat.endpoints.map((e) => [normaliseIceUrl(e.url), e]));
    const mapped: NatData['mapped'] = [];
    for (const s of oneBase(await srflxByUrl(pc))) {
      const endpoint = byUrl.get(normaliseIceUrl(s.url));
      if (!endpoint || mapped.some((m) => m.role === endpoint.role)) continue;
      const seen = log.candidates.find((c) => c.type === 'srflx' && c.address === s.address && c.port === s.port);
      mapped.push({ role: endpoint.role, url: endpoint.url, address: s.address, port: s.port, atMs: seen?.atMs ?? Math.round(ctx.env.now() - started) });
    }
    return { mapped, candidates: [...log.candidates], ...(firstSrflx ? { firstSrflxMs: firstSrflx.atMs } : {}), gatherMs: Math.round(ctx.env.now() - started) };
  } catch (error) {
    return { mapped: [], candidates: [...log.candidates], gatherMs: Math.round(ctx.env.now() - started), error: errorText(error) };
  } finally {
    pc.close();
  }
}

/** The value of an SDP attribute line (`a=<name>:<value>`), first occurrence. */
function sdpAttribute(sdp: string, name: string): string | undefined {
  return new RegExp(`^a=${name}:(.+)$`, 'm').exec(sdp)?.[1]?.trim();
}

/** ICE characters (RFC 8839 §5.4: ALPHA / DIGIT / "+" / "/") from a random id. */
function iceChars(seed: string, length: number): string {
  const chars = seed.replace(/[^A-Za-z0-9]/g, '');
  return (chars + chars + chars + 'netreadyicecharacters0').slice(0, length);
}

/**
 * An ice-lite answer with the server's ICE credentials and no candidates (RFC 8445 §2.5: a lite agent only answers;
 * the browser becomes controlling and answers our checks). The fingerprint is never used: no DTLS ever starts, because
 * no check of the browser's is ever answered with integrity.
 */
export function buildIceLiteAnswer(offerSdp: string, ice: { ufrag: string; pwd: string }): string {
  const mid = sdpAttribute(offerSdp, 'mid') ?? '0';
  const fingerprint = Array.from({ length: 32 }, (_, i) => ((i * 37 + 11) % 256).toString(16).padStart(2, '0').toUpperCase()).join(':');
  return [
    'v=0',
    'o=netready-nat 1 1 IN IP4 0.0.0.0',
    's=-',
    't=0 0',
    `a=group:BUNDLE ${mid}`,
    'a=ice-lite',
    'm=application 9 UDP/DTLS/SCTP webrtc-datachannel',
    'c=IN IP4 0.0.0.0',
    `a=mid:${mid}`,
    `a=ice-ufrag:${ice.ufrag}`,
    `a=ice-pwd:${ice.pwd}`,
    `a=fingerprint:sha-256 ${fingerprint}`,
    'a=setup:passive',
    'a=sctp-port:5000',
    '',
  ].join('\r\n');
}

/** What the filtering phase established. */
interface FilteringOutcome {
  filtering: NatFiltering;
  why?: string;
  checks?: NatData['filteringChecks'];
  ms?: number;
}

/** The filtering phase (see the file comment). */
async function checkFiltering(ctx: ProbeContext, nat: SessionNat, missingWhy: Partial<Record<NatRole, string>>): Promise<FilteringOutcome> {
  const primary = nat.endpoints.find((e) => e.role === 'primary');
  if (!nat.filteringPath) return { filtering: 'unknown', why: 'the test server cannot send filtering checks: it has no alternate STUN port (probe.stunAltPorts) or second address (probe.stunAltIp)' };
  if (!primary) return { filtering: 'unknown', why: 'the test server offers no primary STUN endpoint' };
  const started = ctx.env.now();
  let pc: PeerConnectionLike;
  try {
    pc = ctx.env.createPeerConnection({ iceServers: [{ urls: primary.url }] });
  } catch (error) {
    return { filtering: 'unknown', why: `the browser refused a peer connection: ${errorText(error)}` };
  }
  const log = new CandidateLog(pc, ctx.env, started);
  const wait = deadlinePhase(ctx.signal, Math.min(NAT_FIRST_SRFLX_MS, ctx.timeoutMs * 0.5));
  try {
    pc.createDataChannel('netready-nat-filtering');
    const offer = await pc.createOffer();
    await pc.setLocalDescription(offer);
    const sdp = pc.localDescription?.sdp ?? offer.sdp ?? '';
    const ufrag = sdpAttribute(sdp, 'ice-ufrag');
    const pwd = sdpAttribute(sdp, 'ice-pwd');
    if (!ufrag || !pwd) return { filtering: 'unknown', why: 'the browser\'s offer carries no ICE credentials' };
    const server = { ufrag: iceChars(ctx.env.randomId(), 8), pwd: iceChars(ctx.env.randomId(), 24) };
    // The answer before any check can arrive: the browser then knows the server's ufrag and answers at once.
    await pc.setRemoteDescription({ type: 'answer', sdp: buildIceLiteAnswer(sdp, server) });
    let srflx: CandidateInfo;
    try {
      srflx = await log.waitForType('srflx', wait.signal);
    } catch (error) {
      if (!(error instanceof DeadlineError)) throw error;
      return { filtering: 'unknown', why: 'no server-reflexive candidate from the primary endpoint, so there was no mapping to send checks to' };
    } finally {
      wait.done();
    }
    const response = await ctx.env.fetch(`${ctx.probeUrl}${nat.filteringPath}`, {
      method: 'POST',
      headers: { ...PREFLIGHT_FREE_JSON_HEADERS },
      body: JSON.stringify({ ufrag, pwd, serverUfrag: server.ufrag, address: srflx.address, port: srflx.port }),
      signal: ctx.signal,
    });
    const body = await response.json().catch(() => null);
    const parsed = NatFilteringAnswerSchema.safeParse(body);
    if (response.status !== 200 || !parsed.success) {
      const message = (body as { error?: { message?: string } } | null)?.error?.message;
      return { filtering: 'unknown', why: `the test server did not run the filtering checks (HTTP ${response.status}${message ? `: ${message}` : ''})` };
    }
    const verdict = classifyFiltering(parsed.data.checks, missingWhy);
    return { filtering: verdict.filtering, ...(verdict.why ? { why: verdict.why } : {}), checks: parsed.data.checks, ms: Math.round(ctx.env.now() - started) };
  } catch (error) {
    return { filtering: 'unknown', why: error instanceof DeadlineError ? 'the probe\'s deadline passed during the filtering checks' : `the filtering checks failed: ${errorText(error)}` };
  } finally {
    wait.done();
    pc.close();
  }
}

/** Asks the server what its nat endpoints saw from these addresses (at most 8; the session's address without any). */
export async function askNatObservations(ctx: ProbeContext, nat: SessionNat, ips: string[]): Promise<{ seen: NatBindingSeen[]; error?: string }> {
  const query = [...new Set(ips)].slice(0, 8).map((ip) => `ip=${encodeURIComponent(ip)}`).join('&');
  try {
    const response = await ctx.env.fetch(`${ctx.probeUrl}${nat.observationsPath}${query ? `?${query}` : ''}`, { method: 'GET', signal: ctx.signal });
    const parsed = NatObservationsAnswerSchema.safeParse(await response.json().catch(() => null));
    if (response.status !== 200 || !parsed.success) return { seen: [], error: `the test server answered HTTP ${response.status}` };
    return { seen: parsed.data.bindings };
  } catch (error) {
    return { seen: [], error: errorText(error) };
  }
}

const ROLE_WORDS: Record<NatRole, string> = { primary: 'the TURN port', 'alt-port': 'another port of the same address', 'alt-address': 'the second address', ipv6: 'the IPv6 address' };

/** Creates the nat probe. */
export function createNatProbe(): Probe {
  return {
    id: NAT_PROBE_ID,
    title: 'NAT behaviour and IPv6',
    dependsOn: [SESSION_PROBE_ID],
    async run(ctx): Promise<ProbeReport> {
      const nat = readSession(ctx).nat;
      if (!nat) return skippedReport('The test server offers no NAT endpoints (an older server).');
      const missingWhy: Partial<Record<NatRole, string>> = Object.fromEntries((nat.missing ?? []).map((m) => [m.role, m.why]));
      ctx.progress(`Asking ${nat.endpoints.length} STUN endpoints from one socket, and checking what gets in`);
      const filteringRun = checkFiltering(ctx, nat, missingWhy);
      const gathered = await gatherMappings(ctx, nat);
      const local = localAddresses(gathered.candidates);
      const srflxIps = gathered.candidates.filter((c) => c.type === 'srflx').map((c) => c.address);
      const { seen, error: observationsError } = await askNatObservations(ctx, nat, [...srflxIps, ...local.map((l) => l.address)]);
      // Firefox: srflx candidates without a url, attributed by what each endpoint saw.
      const mappedBy: 'browser' | 'server' = gathered.mapped.length === 0 && srflxIps.length > 0 ? 'server' : 'browser';
      if (mappedBy === 'server') gathered.mapped = attributeBySeen(gathered.candidates, seen, nat.endpoints);
      const srflx: Partial<Record<NatRole, AddressPort>> = Object.fromEntries(gathered.mapped.map((m) => [m.role, { address: m.address, port: m.port }]));
      const offered = nat.endpoints.map((e) => e.role);
      const verdict = classifyMapping({ srflx, local, seen, offered, missingWhy });
      const filtering = await filteringRun;

      const v6Endpoint = nat.endpoints.find((e) => e.role === 'ipv6');
      const v6Srflx = gathered.mapped.find((m) => m.role === 'ipv6') ?? gathered.mapped.find((m) => m.address.includes(':'));
      const v6Seen = seen.find((s) => s.role === 'ipv6');
      const ipv6: NatData['ipv6'] = !v6Endpoint
        ? { state: 'not-tested', why: missingWhy.ipv6 ?? 'the test server offers no IPv6 endpoint' }
        : v6Srflx
          ? { state: 'available', srflx: v6Srflx.address }
          : v6Seen
            ? { state: 'available', srflx: v6Seen.address, why: 'the test server\'s IPv6 endpoint saw this computer (the browser reported no IPv6 server-reflexive candidate: no NAT)' }
            : { state: 'unavailable', why: 'no IPv6 server-reflexive candidate: this computer has no IPv6 path to the test server, or UDP over IPv6 is blocked' };

      const data: NatData = {
        endpoints: nat.endpoints.map((e) => ({ role: e.role, url: e.url })),
        mapped: gathered.mapped,
        ...(mappedBy === 'server' ? { mappedBy } : {}),
        mapping: verdict.mapping,
        ...(verdict.why ? { mappingWhy: verdict.why } : {}),
        filtering: filtering.filtering,
        ...(filtering.why ? { filteringWhy: filtering.why } : {}),
        ipv6,
        serverSaw: seen,
        ...(filtering.checks ? { filteringChecks: filtering.checks } : {}),
        timings: { ...(gathered.firstSrflxMs !== undefined ? { firstSrflxMs: gathered.firstSrflxMs } : {}), gatherMs: gathered.gatherMs, ...(filtering.ms !== undefined ? { filteringMs: filtering.ms } : {}) },
      };
      const evidence: Evidence[] = [
        ...gathered.mapped.map((m) => ({ probe: NAT_PROBE_ID, kind: 'nat-mapping', summary: `${ROLE_WORDS[m.role]} (${m.url}) saw this computer as ${m.address}:${m.port} after ${m.atMs} ms`, data: { ...m } })),
        ...(['alt-port', 'alt-address'] as const)
          .filter((role) => verdict.resolved[role]?.source === 'server')
          .map((role) => ({ probe: NAT_PROBE_ID, kind: 'nat-mapping-server', summary: `${ROLE_WORDS[role]} saw the same ${verdict.resolved[role]!.address}:${verdict.resolved[role]!.port} (the browser reports one candidate for identical mappings)`, data: { role, ...verdict.resolved[role] } })),
        {
          probe: NAT_PROBE_ID,
          kind: 'nat-verdict',
          summary: `mapping ${verdict.mapping}${verdict.why ? ` (${verdict.why})` : ''}; filtering ${filtering.filtering}${filtering.why ? ` (${filtering.why})` : ''}`,
          data: { mapping: verdict.mapping, filtering: filtering.filtering },
        },
        ...(filtering.checks ?? []).map((c) => ({
          probe: NAT_PROBE_ID,
          kind: 'nat-filtering-check',
          summary: `an unsolicited check from ${ROLE_WORDS[c.role]} (${c.from}) ${c.answered ? `got in (answered after ${c.rttMs} ms)` : `did not get in (${c.sent} sent)`}`,
          data: { ...c },
        })),
        { probe: NAT_PROBE_ID, kind: 'nat-ipv6', summary: `IPv6 ${ipv6.state}${ipv6.srflx ? `: ${ipv6.srflx}` : ''}${ipv6.why ? ` (${ipv6.why})` : ''}`, data: { ...ipv6 } },
        ...(observationsError ? [{ probe: NAT_PROBE_ID, kind: 'nat-observations-error', summary: `could not ask what the server saw: ${observationsError}` }] : []),
        ...(gathered.error ? [{ probe: NAT_PROBE_ID, kind: 'nat-error', summary: `the browser failed: ${gathered.error}` }] : []),
      ];
      const record = data as unknown as Record<string, unknown>;
      // The primary mapping may be known from the server alone: Chromium keeps one srflx for identical mappings, under
      // the url of whichever endpoint answered first — the alternate port's, when it won the race.
      if (verdict.mapping === 'unknown' && !verdict.resolved.primary) {
        return { status: 'inconclusive', reason: gathered.error ? `The browser failed: ${gathered.error}.` : `No mapping could be seen: ${verdict.why}.`, data: record, evidence };
      }
      if (verdict.mapping === 'address-dependent' || verdict.mapping === 'address-and-port-dependent' || verdict.mapping === 'endpoint-dependent') {
        return { status: 'warn', reason: `The NAT maps by destination (${verdict.mapping} mapping): direct peer-to-peer needs a relay.`, data: record, evidence };
      }
      return { status: 'pass', data: record, evidence };
    },
  };
}
