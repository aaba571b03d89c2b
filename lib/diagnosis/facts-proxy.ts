/**
 * Proxy and TLS-inspection facts, derived once from the probe outcomes: every signal with its weight and the
 * evidence behind it, one score per question ("is there an HTTP proxy?", "is TLS being intercepted?"), and the
 * WebSocket reachability next to its controls. Weights and thresholds are data (below); the rules only compare
 * scores with thresholds and write the words.
 *
 * Signals, and why each weighs what it does:
 *  - proxy-added headers on the plain-HTTP echo or inside TLS (Via, X-Forwarded-For, Forwarded, X-BlueCoat-Via …):
 *    only a proxy writes them — decisive alone (3).
 *  - the HTTP client address differs from the STUN server-reflexive address (same IP family): a proxy egresses
 *    web traffic elsewhere, but so do VPN split tunnels and multi-address NAT pools — supporting only (1).
 *  - TURN over TCP/TLS arrived from the HTTP address, not the srflx one: WebRTC's TCP went the proxy's way (1).
 *  - the first request to the TLS mirror (a fresh origin) shows no DNS and no connect phase: Chrome reports
 *    none behind a proxy (shared/DESIGN.md) — but also for a reused connection, so only on a fresh origin (1).
 *  - a WebSocket failed where an ordinary request to the same port worked: typical of proxies (1).
 *  http-proxy needs 3: headers alone, or three independent weak signals together.
 * TLS interception: the ClientHello the server received, compared with the User-Agent's browser profile
 * (lib/diagnosis/browser-tls-profiles.ts; missing + foreign feature weights), plus 2 when the browser reports
 * http/1.1 although the server offers h2 (inspecting proxies talk http/1.1). tls-interception needs 4, and a
 * known browser family — an unknown client is never accused.
 */
import type { ClientHelloSummary } from '../protocol/tls/summary';
import { distinctChallenges, PROXY_AUTH_PROBE_ID, type ProxyAuthData } from '../probes/proxy-auth';
import { PROXY_ECHO_PROBE_ID, type ProxyEchoData } from '../probes/proxy-echo';
import { PROXY_PATHS_PROBE_ID, type ProxyPathsData } from '../probes/proxy-paths';
import { TLS_MIRROR_PROBE_ID, type TlsMirrorData } from '../probes/tls-mirror';
import type { ProxyAuthChallengeLike } from '../probes/types';
import { WEBSOCKET_PROBE_ID, type WebSocketAttempt } from '../probes/websocket';
import type { Evidence, ProbeOutcome } from '../schema/result';
import { compareWithProfile, identifyBrowser, type TlsProfileComparison } from './browser-tls-profiles';

/** Header names only a proxy or gateway adds (lower case). */
export const PROXY_HEADER_NAMES: readonly string[] = [
  'via',
  'x-forwarded-for',
  'forwarded',
  'x-forwarded-host',
  'x-forwarded-proto',
  'x-forwarded-port',
  'x-forwarded-server',
  'x-real-ip',
  'client-ip',
  'x-client-ip',
  'x-bluecoat-via',
  'x-proxy-id',
  'proxy-connection',
  'x-authenticated-user',
  'x-authenticated-groups',
];

/** Signal weights and decision thresholds (data; see the module comment for the reasoning). */
export const PROXY_DECISION = {
  weights: {
    proxyHeaders: 3,
    httpAddressNotSrflx: 1,
    turnTcpFromHttpAddress: 1,
    noConnectPhaseOnFreshOrigin: 1,
    webSocketBlocked: 1,
    /** TLS: the browser reports http/1.1 where the server offers h2. */
    http1WhereH2Offered: 2,
  },
  /** Score at which `http-proxy` is reported. */
  httpProxyMinScore: 3,
  /** TLS score (profile mismatch + http/1.1) at which `tls-interception` is reported. */
  tlsInterceptionMinScore: 4,
} as const;

/** One observed proxy signal. */
export interface ProxySignal {
  id: keyof typeof PROXY_DECISION.weights;
  weight: number;
  /** One sentence: what was seen. */
  summary: string;
  evidence: Evidence[];
}

/** What the TLS mirror showed. */
export interface TlsFacts {
  /** host:port of the TLS mirror. */
  endpoint: string;
  reached: boolean;
  clientHello: ClientHelloSummary | null;
  ja4: string | null;
  negotiatedAlpn: string | null;
  nextHopProtocol: string | null;
  /** Comparison with the User-Agent's browser profile; null when the client is not a known browser family. */
  comparison: TlsProfileComparison | null;
  http1WhereH2Offered: boolean;
  /** mismatchScore + http/1.1 weight. */
  score: number;
  evidence: Evidence[];
}

/** WebSocket reachability next to its control request. */
export interface WebSocketFacts {
  attempts: WebSocketAttempt[];
  /** wss:// failed while an HTTPS request to the same host and port worked. */
  wssBlocked: WebSocketAttempt | null;
  /** ws:// failed while a plain-HTTP request to the same host and port worked. */
  wsBlocked: WebSocketAttempt | null;
  evidence: Evidence[];
}

/** Proxy and inspection facts. */
export interface ProxyFacts {
  signals: ProxySignal[];
  /** Sum of the signals' weights. */
  score: number;
  /** Proxy-added header lines seen (plain HTTP and inside TLS). */
  proxyHeaders: Array<[string, string]>;
  /** Addresses the HTTP listeners saw this client come from. */
  httpClientAddresses: string[];
  tls: TlsFacts | null;
  websocket: WebSocketFacts | null;
}

/**
 * An outcome's data, or null when the probe did not run or the diagnosis set it aside as netready's own failure (its
 * data then says nothing about the network: a WebSocket that failed because the server went away is no proxy sign).
 */
function dataOf<T>(outcome: ProbeOutcome | undefined): Partial<T> | null {
  return outcome && outcome.status !== 'skipped' && !outcome.reclassified ? (outcome.data as Partial<T>) : null;
}

/** An IPv4-mapped IPv6 address (`::ffff:192.0.2.1`) as the IPv4 address it carries; anything else unchanged. */
export function plainAddress(address: string): string {
  return address.startsWith('::ffff:') && address.includes('.') ? address.slice(7) : address;
}

const isIpv4 = (address: string): boolean => /^\d{1,3}(\.\d{1,3}){3}$/.test(address);

function hostPort(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return url;
  }
}

function originOf(url: string): string | null {
  try {
    return new URL(url).origin;
  } catch {
    return null;
  }
}

/**
 * Derives the proxy/inspection facts. `srflxAddresses` are the STUN server-reflexive addresses (UDP's public
 * face); `probeUrl` tells which origin the page already had a connection to.
 */
export function deriveProxyFacts(probes: Record<string, ProbeOutcome>, srflxAddresses: readonly string[], probeUrl?: string): ProxyFacts | undefined {
  const mirrorOutcome = probes[TLS_MIRROR_PROBE_ID];
  const echoOutcome = probes[PROXY_ECHO_PROBE_ID];
  const wsOutcome = probes[WEBSOCKET_PROBE_ID];
  const pathsOutcome = probes[PROXY_PATHS_PROBE_ID];
  if (!mirrorOutcome && !echoOutcome && !wsOutcome && !pathsOutcome) return undefined;
  const mirror = dataOf<TlsMirrorData>(mirrorOutcome);
  const echo = dataOf<ProxyEchoData>(echoOutcome);
  const paths = dataOf<ProxyPathsData>(pathsOutcome);
  const w = PROXY_DECISION.weights;
  const signals: ProxySignal[] = [];

  // 1. Proxy-added headers.
  const headerSources: Array<[string, Array<[string, string]>, Evidence[]]> = [];
  if (echo?.reached && echo.headers) headerSources.push(['the plain-HTTP echo', echo.headers, echoOutcome?.evidence ?? []]);
  if (mirror?.reached && mirror.headers) headerSources.push(['the HTTPS mirror', mirror.headers, []]);
  const proxyHeaders: Array<[string, string]> = [];
  const headerEvidence: Evidence[] = [];
  for (const [where, headers, evidence] of headerSources) {
    const found = headers.filter(([name]) => PROXY_HEADER_NAMES.includes(name.toLowerCase()));
    if (found.length === 0) continue;
    proxyHeaders.push(...found);
    headerEvidence.push({
      probe: where === 'the plain-HTTP echo' ? PROXY_ECHO_PROBE_ID : TLS_MIRROR_PROBE_ID,
      kind: 'proxy-headers',
      summary: `${where} received ${found.map(([n, v]) => `${n}: ${v}`).join('; ')}`,
      data: { headers: found },
    });
    headerEvidence.push(...evidence.filter((e) => e.kind !== 'http-echo'));
  }
  if (proxyHeaders.length > 0) {
    signals.push({ id: 'proxyHeaders', weight: w.proxyHeaders, summary: `requests arrived with headers a proxy adds (${[...new Set(proxyHeaders.map(([n]) => n))].join(', ')})`, evidence: headerEvidence });
  }

  // 2./3. Addresses: HTTP client vs STUN srflx vs TURN over TCP/TLS.
  const httpAddresses = [...new Set([echo?.clientAddress, mirror?.clientAddress, paths?.httpClientAddress].filter((a): a is string => typeof a === 'string').map(plainAddress))];
  const srflx = [...new Set(srflxAddresses.map(plainAddress))];
  const sameFamily = (a: string, b: string): boolean => isIpv4(a) === isIpv4(b);
  const httpNotSrflx = httpAddresses.filter((h) => srflx.some((s) => sameFamily(h, s)) && !srflx.includes(h));
  if (httpNotSrflx.length > 0) {
    signals.push({
      id: 'httpAddressNotSrflx',
      weight: w.httpAddressNotSrflx,
      summary: `web requests came from ${httpNotSrflx.join(', ')}, UDP from ${srflx.join(', ')}`,
      evidence: [{ kind: 'address-comparison', summary: `HTTP client address ${httpNotSrflx.join(', ')} ≠ STUN server-reflexive address ${srflx.join(', ')}`, data: { http: httpNotSrflx, srflx } }],
    });
    const tcpFromHttp = (paths?.turnClients ?? []).filter((c) => c.transport !== 'udp' && httpNotSrflx.includes(plainAddress(c.address)));
    if (tcpFromHttp.length > 0) {
      signals.push({
        id: 'turnTcpFromHttpAddress',
        weight: w.turnTcpFromHttpAddress,
        summary: `TURN over ${[...new Set(tcpFromHttp.map((c) => c.transport.toUpperCase()))].join('/')} arrived from the web requests' address ${plainAddress(tcpFromHttp[0]!.address)}, not from the UDP one`,
        evidence: pathsOutcome?.evidence ?? [],
      });
    }
  }

  // 4. No connect phase on the first request to a fresh origin.
  const mirrorOrigin = mirror?.url ? originOf(mirror.url) : null;
  const fresh = mirrorOrigin !== null && mirrorOrigin !== (probeUrl ? originOf(probeUrl) : null);
  if (mirror?.reached && fresh && mirror.timing?.noConnectPhase && mirror.timing.dnsMs === 0) {
    signals.push({
      id: 'noConnectPhaseOnFreshOrigin',
      weight: w.noConnectPhaseOnFreshOrigin,
      summary: `the browser reported no DNS and no connect time for its first request to ${hostPort(mirror.url ?? '')}, as it does behind a proxy`,
      evidence: [{ probe: TLS_MIRROR_PROBE_ID, kind: 'resource-timing', summary: `first request to ${mirrorOrigin}: DNS 0 ms, connect 0 ms`, data: { ...mirror.timing } }],
    });
  }

  // 5. WebSockets against their controls.
  let websocket: WebSocketFacts | null = null;
  const attempts = (dataOf<{ attempts: WebSocketAttempt[] }>(wsOutcome)?.attempts ?? []).filter((a) => typeof a?.url === 'string');
  if (attempts.length > 0) {
    const wss = attempts.find((a) => a.scheme === 'wss' && !a.echoed) ?? null;
    const ws = attempts.find((a) => a.scheme === 'ws' && !a.echoed) ?? null;
    websocket = {
      attempts,
      wssBlocked: wss && mirror?.reached ? wss : null,
      wsBlocked: ws && echo?.reached ? ws : null,
      evidence: wsOutcome?.evidence ?? [],
    };
    if (websocket.wssBlocked || websocket.wsBlocked) {
      signals.push({ id: 'webSocketBlocked', weight: w.webSocketBlocked, summary: 'a WebSocket failed where an ordinary request to the same port worked', evidence: websocket.evidence });
    }
  }

  // TLS interception.
  let tls: TlsFacts | null = null;
  if (mirror) {
    const hello = mirror.clientHello ?? null;
    const userAgent = (mirror.headers ?? []).find(([n]) => n === 'user-agent')?.[1];
    const browser = userAgent ? identifyBrowser(userAgent) : null;
    const comparison = hello && browser ? compareWithProfile(hello, browser) : null;
    const nextHop = mirror.timing?.nextHopProtocol || null;
    const http1WhereH2Offered = Boolean(browser) && mirror.serverOffersH2 === true && (nextHop === 'http/1.1' || mirror.negotiatedAlpn === 'http/1.1' || (mirror.reached === true && mirror.negotiatedAlpn === null));
    tls = {
      endpoint: mirror.url ? hostPort(mirror.url) : 'unknown',
      reached: mirror.reached === true,
      clientHello: hello,
      ja4: mirror.ja4 ?? null,
      negotiatedAlpn: mirror.negotiatedAlpn ?? null,
      nextHopProtocol: nextHop,
      comparison,
      http1WhereH2Offered,
      score: comparison ? comparison.mismatchScore + (http1WhereH2Offered ? w.http1WhereH2Offered : 0) : 0,
      evidence: mirrorOutcome?.evidence ?? [],
    };
  }

  return {
    signals,
    score: signals.reduce((sum, s) => sum + s.weight, 0),
    proxyHeaders,
    httpClientAddresses: httpAddresses,
    tls,
    websocket,
  };
}

/** What the proxy-auth probe established (only where a program drives the browser: the CLI). */
export interface ProxyAuthFacts {
  /** Distinct proxy sign-in requests (proxy × scheme × realm). */
  challenges: ProxyAuthChallengeLike[];
  /** How many of the page's requests a proxy challenged in all. */
  challengedRequests: number;
  evidence: Evidence[];
}

/** Derives the proxy sign-in facts; undefined when nobody could watch for them (skipped, absent, inconclusive). */
export function deriveProxyAuthFacts(probes: Record<string, ProbeOutcome>): ProxyAuthFacts | undefined {
  const outcome = probes[PROXY_AUTH_PROBE_ID];
  if (!outcome || (outcome.status !== 'pass' && outcome.status !== 'fail')) return undefined;
  const data = outcome.data as Partial<ProxyAuthData>;
  const challenges = distinctChallenges(Array.isArray(data.challenges) ? data.challenges : []);
  const challengedRequests = typeof data.challengedRequests === 'number' ? Math.max(data.challengedRequests, challenges.length) : challenges.length;
  return { challenges, challengedRequests, evidence: outcome.evidence };
}
