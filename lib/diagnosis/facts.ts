/**
 * Typed facts derived once from the raw probe outcomes, shared by every rule and the verdict. Rules never
 * parse probe data themselves, so a probe's data shape is read in exactly one place.
 */
import type { Evidence, ProbeOutcome, ProbeStatus } from '../schema/result';
import { SESSION_PROBE_ID } from '../probes/session';
import type { SlowLinkFacts } from './facts-slow-link';
import { STUN_UDP_PROBE_ID, type StunPortResult } from '../probes/stun-udp';
import { TURN_TRANSPORTS, turnProbeId, type TurnRelayData, type TurnTransport } from '../probes/turn-relay';
import { THRESHOLDS, type Thresholds } from './thresholds';
import { deriveDeploymentFacts, type DeploymentFacts } from './facts-deployment';
import { deriveDnsFacts, type DnsFacts } from './facts-dns';
import { deriveProxyAuthFacts, deriveProxyFacts, type ProxyAuthFacts, type ProxyFacts } from './facts-proxy';
import { deriveQualityFacts, type QualityFacts } from './facts-quality';
import { deriveIceTcpFacts, type IceTcpFacts } from './facts-ice-tcp';
import { deriveMtuFacts, type MtuFacts } from './facts-mtu';
import { derivePathFacts, type PathFacts } from './facts-paths';
import { deriveNatFacts, type NatFacts } from './facts-nat';
import { deriveRegionFacts, type RegionFacts } from './facts-regions';
import type { BrowserFacts } from './facts-browser';

/** What the TURN probe of one transport established. */
export interface TurnFacts {
  transport: TurnTransport;
  /** The probe ran (not skipped/absent). */
  ran: boolean;
  status: ProbeStatus | 'absent';
  url?: string;
  /** A relay candidate was allocated. */
  allocated: boolean;
  /** Data went through the relay and back. */
  carriesData: boolean;
  /** The probe could not tell (our own signalling failed, budget ran out). */
  inconclusive: boolean;
  reason?: string;
  evidence: Evidence[];
}

/** Facts about the transport matrix. */
export interface TransportFacts {
  probeUrl?: string;
  session: { ok: boolean; status: ProbeStatus | 'absent'; reason?: string; evidence: Evidence[] };
  stun: {
    ran: boolean;
    ports: StunPortResult[];
    reachedPorts: number[];
    blockedPorts: number[];
    /** UDP answered on a port real media uses (the TURN port or a vendor media port). */
    mediaPortReached: boolean;
    evidence: Evidence[];
  };
  turn: Record<TurnTransport, TurnFacts>;
  thresholds: Thresholds;
  /** DNS facts (facts-dns.ts); parts are present only when the DNS probes ran. */
  dns?: DnsFacts;
  /** Proxy and TLS-inspection facts (facts-proxy.ts); absent when those probes did not run. */
  proxy?: ProxyFacts;
  /** Proxy sign-in requests seen by the program driving the browser (facts-proxy.ts); absent when none could watch. */
  proxyAuth?: ProxyAuthFacts;
  /** Call-quality measurement (facts-quality.ts); absent when it could not be made. */
  quality?: QualityFacts;
  /** Media over ICE-TCP to netready's media peer (facts-ice-tcp.ts); absent when the probe did not run. */
  iceTcp?: IceTcpFacts;
  /** Packet sizes that get through (facts-mtu.ts); absent when the mtu probe did not run. */
  mtu?: MtuFacts;
  /** Which way the media leaves: egress addresses per server, the selected pair, interfaces, browser policy (facts-paths.ts). */
  paths: PathFacts;
  /** NAT mapping/filtering and IPv6 (facts-nat.ts, issue 11); absent when the nat probe did not run. */
  nat?: NatFacts;
  /** Round trips to every region and the region GeoDNS gave (facts-regions.ts, issue 15); absent with one region. */
  regions?: RegionFacts;
  /** netready's own failures: an untrusted certificate, a server lost mid-run (facts-deployment.ts). */
  deployment: DeploymentFacts;
  /** The browser and how netready was opened in it: no WebRTC, loopback, TURN/TLS by IP not tried (facts-browser.ts, issue 18). */
  browser: BrowserFacts;
  /** A long round trip from the run's first request, and the checks it cut short (facts-slow-link.ts); absent on a fast link. */
  slowLink?: SlowLinkFacts;
  /** The probe outcomes the facts were derived from (after reclassification), for rules that name probes. */
  outcomes: Readonly<Record<string, ProbeOutcome>>;
}

function isStunPort(value: unknown): value is StunPortResult {
  return typeof value === 'object' && value !== null && typeof (value as StunPortResult).port === 'number';
}

function turnFacts(transport: TurnTransport, outcome: ProbeOutcome | undefined, thresholds: Thresholds): TurnFacts {
  if (!outcome) return { transport, ran: false, status: 'absent', allocated: false, carriesData: false, inconclusive: false, evidence: [] };
  const data = outcome.data as Partial<TurnRelayData>;
  const echoed = data.dataChannel?.echoed ?? 0;
  const facts: TurnFacts = {
    transport,
    ran: outcome.status !== 'skipped',
    status: outcome.status,
    allocated: Boolean(data.relay),
    carriesData: outcome.status === 'pass' && echoed >= thresholds.minEchoes,
    inconclusive: outcome.status === 'inconclusive',
    evidence: outcome.evidence,
  };
  if (typeof data.url === 'string') facts.url = data.url;
  if (outcome.reason) facts.reason = outcome.reason;
  return facts;
}

/**
 * Derives the facts from the probe outcomes. `deployment` are the deployment facts of the raw outcomes (diagnose()
 * derives them before reclassifying); by default they are derived from `probes`. `browser` likewise (facts-browser.ts;
 * default: none, as when the client block is unknown).
 */
export function deriveFacts(
  probes: Record<string, ProbeOutcome>,
  probeUrl?: string,
  thresholds: Thresholds = THRESHOLDS,
  deployment: DeploymentFacts = deriveDeploymentFacts(probes),
  browser: BrowserFacts = {},
  slowLink?: SlowLinkFacts,
): TransportFacts {
  const session = probes[SESSION_PROBE_ID];
  const stun = probes[STUN_UDP_PROBE_ID];
  const ports = Array.isArray(stun?.data.ports) ? stun.data.ports.filter(isStunPort) : [];
  const reached = ports.filter((p) => p.srflx);
  const turn = Object.fromEntries(
    TURN_TRANSPORTS.map((t) => [t, turnFacts(t, probes[turnProbeId(t)], thresholds)]),
  ) as Record<TurnTransport, TurnFacts>;
  const proxy = deriveProxyFacts(probes, reached.map((p) => p.srflx!.address), probeUrl);
  const facts: TransportFacts = {
    session: {
      ok: session?.status === 'pass',
      status: session?.status ?? 'absent',
      evidence: session?.evidence ?? [],
    },
    stun: {
      ran: Boolean(stun) && stun?.status !== 'skipped' && stun?.status !== 'inconclusive',
      ports,
      reachedPorts: reached.map((p) => p.port),
      blockedPorts: ports.filter((p) => !p.srflx).map((p) => p.port),
      mediaPortReached: reached.some((p) => p.role === 'turn' || p.role === 'vendor'),
      evidence: stun?.evidence ?? [],
    },
    turn,
    thresholds,
    paths: derivePathFacts(probes, proxy ?? undefined),
    deployment,
    browser,
    outcomes: probes,
  };
  if (slowLink) facts.slowLink = slowLink;
  facts.dns = deriveDnsFacts(probes, [...new Set(reached.map((p) => p.srflx!.address))]);
  if (proxy) facts.proxy = proxy;
  const proxyAuth = deriveProxyAuthFacts(probes);
  if (proxyAuth) facts.proxyAuth = proxyAuth;
  const quality = deriveQualityFacts(probes, thresholds);
  if (quality) facts.quality = quality;
  const iceTcp = deriveIceTcpFacts(probes, proxy);
  if (iceTcp) facts.iceTcp = iceTcp;
  const mtu = deriveMtuFacts(probes);
  if (mtu) facts.mtu = mtu;
  // NAT behaviour and IPv6 (issue 11).
  const nat = deriveNatFacts(probes);
  if (nat) facts.nat = nat;
  const regions = deriveRegionFacts(probes);
  if (regions) facts.regions = regions;
  if (probeUrl) facts.probeUrl = probeUrl;
  if (session?.reason) facts.session.reason = session.reason;
  return facts;
}

/** Host (IP or name) and port of a `stun:`/`turn:`/`turns:` URL, for remediation text. */
export function describeIceUrl(url: string): { host: string; port: string } {
  const match = /^(?:stuns?|turns?):(\[[^\]]+\]|[^:?]+)(?::(\d+))?/.exec(url);
  return { host: match?.[1] ?? url, port: match?.[2] ?? (url.startsWith('turns:') ? '5349' : '3478') };
}
