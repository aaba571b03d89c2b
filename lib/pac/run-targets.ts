/**
 * Which hosts and ports a stored run used, and how the run reached each — the rows the PAC check evaluates
 * FindProxyForURL for and compares with. Read from the result's probe data (session, turn-*, ice-tcp, tls-mirror,
 * proxy-echo, websocket, dns-lookup, dns-turn-lookup, dns-vendor-hosts, proxy-paths, stun-udp) and its findings.
 *
 * The URL each row is evaluated with is the one the browser's proxy resolver is asked: the page's own http(s)
 * URL for web requests, and `https://host:port/` for WebRTC's TCP connections (Chromium resolves the proxy for
 * TURN over TCP/TLS and ICE-TCP as an https URL of the server's host and port). UDP never goes through an HTTP
 * proxy: UDP-only rows are listed for completeness and never flagged. Pure.
 */
import type { Result } from '../schema/result';

/** What the run used a host:port for. */
export type PacTargetRole = 'probe-http' | 'probe-https' | 'websocket' | 'turn-tcp' | 'turn-tls' | 'turn-udp' | 'stun' | 'ice-tcp' | 'dns-zone' | 'vendor-host' | 'asked';

/** How the run reached a target: via a proxy, directly, not at all, over UDP (no proxy applies), or unknown. */
export type ObservedPath = 'proxy' | 'direct' | 'failed' | 'reached' | 'udp' | 'unknown';

/** What the run observed for one target. */
export interface ObservedRoute {
  path: ObservedPath;
  /** One sentence an admin can read: what the run saw and why it concludes this. */
  summary: string;
}

/** One host:port of the run (or one the admin asked about), with the URL the PAC is asked for it. */
export interface PacTarget {
  host: string;
  port: number;
  /** The URL passed to FindProxyForURL. */
  url: string;
  /** `udp` when every use of this host:port was UDP. */
  transport: 'tcp' | 'udp';
  roles: PacTargetRole[];
  observed: ObservedRoute;
}

/** Human labels of the roles (UI and CLI). */
export const ROLE_LABELS: Record<PacTargetRole, string> = {
  'probe-http': 'test server (HTTP)',
  'probe-https': 'test server (HTTPS)',
  websocket: 'WebSocket',
  'turn-tcp': 'TURN over TCP',
  'turn-tls': 'TURN over TLS',
  'turn-udp': 'TURN over UDP',
  stun: 'STUN (UDP)',
  'ice-tcp': 'ICE-TCP',
  'dns-zone': 'DNS test names',
  'vendor-host': 'vendor host',
  asked: 'asked by you',
};

type Data = Record<string, unknown>;

function dataOf(result: Result, probeId: string): Data | null {
  const outcome = result.probes[probeId];
  return outcome ? outcome.data : null;
}

function statusOf(result: Result, probeId: string): string | null {
  return result.probes[probeId]?.status ?? null;
}

/** host (brackets stripped), port and scheme of a URL-like string (`turn:h:p?transport=tcp` included), or null. */
export function endpointOf(text: string): { host: string; port: number; scheme: string } | null {
  const match = /^([a-z][a-z0-9+.-]*):(?:\/\/)?(\[[^\]]+\]|[^:/?#]+)(?::(\d{1,5}))?/i.exec(text);
  if (!match?.[1] || !match[2]) return null;
  const scheme = match[1].toLowerCase();
  const defaults: Record<string, number> = { http: 80, ws: 80, https: 443, wss: 443, turn: 3478, stun: 3478, turns: 5349 };
  const port = match[3] !== undefined ? Number(match[3]) : defaults[scheme];
  if (port === undefined || port > 65535) return null;
  return { host: match[2].replace(/^\[|\]$/g, '').toLowerCase(), port, scheme };
}

/** The URL the browser's proxy resolver is asked for a TCP connection to host:port. */
export function proxyUrlFor(host: string, port: number, scheme: 'http' | 'https' = 'https'): string {
  const h = host.includes(':') ? `[${host}]` : host;
  const defaultPort = scheme === 'https' ? 443 : 80;
  return `${scheme}://${h}${port === defaultPort ? '' : `:${port}`}/`;
}

/** The facts about proxies the rows are judged by. */
interface PathFacts {
  srflx: string | null;
  httpClient: string | null;
  proxyHeaders: boolean;
  httpProxyFinding: boolean;
  turnClients: Array<{ transport: string; address: string }>;
}

function pathFacts(result: Result): PathFacts {
  const stun = dataOf(result, 'stun-udp');
  const ports = Array.isArray(stun?.ports) ? (stun.ports as Array<{ srflx?: { address?: unknown } }>) : [];
  const srflx = ports.map((p) => p.srflx?.address).find((a): a is string => typeof a === 'string') ?? null;
  const paths = dataOf(result, 'proxy-paths');
  const echo = dataOf(result, 'proxy-echo');
  const httpClient = typeof paths?.httpClientAddress === 'string' ? paths.httpClientAddress : typeof echo?.clientAddress === 'string' ? echo.clientAddress : null;
  const headers = Array.isArray(echo?.headers) ? (echo.headers as unknown[]) : [];
  const proxyHeaderNames = new Set(['via', 'x-forwarded-for', 'forwarded', 'x-bluecoat-via', 'x-proxy-id', 'proxy-connection']);
  const proxyHeaders = headers.some((h) => Array.isArray(h) && typeof h[0] === 'string' && proxyHeaderNames.has(h[0].toLowerCase()));
  const turnClients = Array.isArray(paths?.turnClients) ? (paths.turnClients as Array<{ transport: string; address: string }>).filter((c) => typeof c?.address === 'string') : [];
  return { srflx, httpClient, proxyHeaders, httpProxyFinding: result.findings.some((f) => f.code === 'http-proxy'), turnClients };
}

function webPath(facts: PathFacts, reached: boolean | null, what: string): ObservedRoute {
  if (reached === false) return { path: 'failed', summary: `The run could not reach the ${what}.` };
  if (facts.proxyHeaders) return { path: 'proxy', summary: `The ${what} was reached through a proxy: the request arrived with proxy headers (Via / X-Forwarded-For).` };
  if (facts.httpProxyFinding) return { path: 'proxy', summary: `The run found an HTTP proxy on the web path (finding http-proxy); the ${what} was reached through it.` };
  if (facts.httpClient && facts.srflx && facts.httpClient === facts.srflx) {
    return { path: 'direct', summary: `The ${what} was reached directly: web requests came from ${facts.httpClient}, the same address as the direct UDP traffic, with no proxy headers.` };
  }
  return reached ? { path: 'reached', summary: `The run reached the ${what}; whether through a proxy it could not tell.` } : { path: 'unknown', summary: `The run did not record how it reached the ${what}.` };
}

function turnPath(result: Result, facts: PathFacts, transport: 'tcp' | 'tls'): ObservedRoute {
  const label = transport === 'tcp' ? 'TURN over TCP' : 'TURN over TLS';
  const status = statusOf(result, `turn-${transport}`);
  if (status === 'fail') return { path: 'failed', summary: `${label} failed in this run.` };
  const clients = facts.turnClients.filter((c) => c.transport === transport).map((c) => c.address);
  if (clients.length > 0 && facts.srflx && clients.every((a) => a === facts.srflx)) {
    return { path: 'direct', summary: `${label} worked directly: it arrived from ${facts.srflx}, the address of the direct UDP traffic.` };
  }
  // A different address alone is no proof (a loopback test server, a multi-address NAT pool): a proxy must have been seen.
  const viaProxy = clients.find((a) => a !== facts.srflx && a === facts.httpClient);
  if (viaProxy && (facts.proxyHeaders || facts.httpProxyFinding)) {
    return { path: 'proxy', summary: `${label} only worked through the proxy: it arrived from ${viaProxy}, the web proxy's address${facts.srflx ? `, not from ${facts.srflx} (the direct UDP traffic's)` : ', while UDP got no answer at all'}.` };
  }
  return status === 'pass' || status === 'warn' ? { path: 'reached', summary: `${label} worked in this run.` } : { path: 'unknown', summary: `${label} was not tested.` };
}

/** Adds (or merges into) the row for host:port. */
function add(rows: Map<string, PacTarget>, host: string, port: number, url: string, transport: 'tcp' | 'udp', role: PacTargetRole, observed: ObservedRoute): void {
  const key = `${host}|${port}`;
  const existing = rows.get(key);
  if (!existing) {
    rows.set(key, { host, port, url, transport, roles: [role], observed });
    return;
  }
  if (!existing.roles.includes(role)) existing.roles.push(role);
  // A TCP use decides the row (its URL and what was observed); UDP never goes through a proxy.
  if (existing.transport === 'udp' && transport === 'tcp') {
    Object.assign(existing, { transport, url, observed });
  } else if (transport === 'tcp' && (existing.observed.path === 'unknown' || existing.observed.path === 'reached') && observed.path !== 'unknown' && observed.path !== 'reached') {
    existing.observed = observed;
  }
}

/** Every host:port the run used (its probe servers, TURN, DNS test names, vendor hosts), with what the run observed. */
export function runTargets(result: Result): PacTarget[] {
  const rows = new Map<string, PacTarget>();
  const facts = pathFacts(result);
  const udp: ObservedRoute = { path: 'udp', summary: 'UDP: browsers never send it through an HTTP proxy, so the PAC does not apply.' };

  const echo = dataOf(result, 'proxy-echo');
  const echoAt = typeof echo?.url === 'string' ? endpointOf(echo.url) : null;
  if (echoAt) add(rows, echoAt.host, echoAt.port, proxyUrlFor(echoAt.host, echoAt.port, 'http'), 'tcp', 'probe-http', webPath(facts, echo?.reached === true ? true : echo?.reached === false ? false : null, 'test server over HTTP'));
  const session = dataOf(result, 'session');
  const sessionAt = typeof session?.url === 'string' ? endpointOf(session.url) : (result.config.probeUrl ? endpointOf(result.config.probeUrl) : null);
  if (sessionAt) {
    const https = sessionAt.scheme === 'https';
    add(rows, sessionAt.host, sessionAt.port, proxyUrlFor(sessionAt.host, sessionAt.port, https ? 'https' : 'http'), 'tcp', https ? 'probe-https' : 'probe-http', webPath(facts, statusOf(result, 'session') === 'pass' ? true : statusOf(result, 'session') === 'fail' ? false : null, 'test server'));
  }
  const mirror = dataOf(result, 'tls-mirror');
  const mirrorAt = typeof mirror?.url === 'string' ? endpointOf(mirror.url) : null;
  if (mirrorAt) add(rows, mirrorAt.host, mirrorAt.port, proxyUrlFor(mirrorAt.host, mirrorAt.port), 'tcp', 'probe-https', webPath(facts, mirror?.reached === true ? true : mirror?.reached === false ? false : null, 'test server over HTTPS'));
  const ws = dataOf(result, 'websocket');
  for (const attempt of Array.isArray(ws?.attempts) ? (ws.attempts as Array<{ url?: unknown; opened?: unknown }>) : []) {
    const at = typeof attempt.url === 'string' ? endpointOf(attempt.url) : null;
    if (at) add(rows, at.host, at.port, proxyUrlFor(at.host, at.port, at.scheme === 'wss' ? 'https' : 'http'), 'tcp', 'websocket', webPath(facts, attempt.opened === true, 'WebSocket'));
  }

  const turn = Array.isArray(session?.turn) ? (session.turn as Array<{ transport?: unknown; url?: unknown }>) : [];
  for (const entry of turn) {
    const at = typeof entry.url === 'string' ? endpointOf(entry.url) : null;
    if (!at) continue;
    if (entry.transport === 'udp') add(rows, at.host, at.port, proxyUrlFor(at.host, at.port), 'udp', 'turn-udp', udp);
    else if (entry.transport === 'tcp' || entry.transport === 'tls') add(rows, at.host, at.port, proxyUrlFor(at.host, at.port), 'tcp', `turn-${entry.transport}`, turnPath(result, facts, entry.transport));
  }
  const turnLookup = dataOf(result, 'dns-turn-lookup');
  for (const pair of Array.isArray(turnLookup?.pairs) ? (turnLookup.pairs as Array<{ transport?: unknown; byName?: { url?: unknown } }>) : []) {
    const at = typeof pair.byName?.url === 'string' ? endpointOf(pair.byName.url) : null;
    if (!at) continue;
    if (pair.transport === 'udp') add(rows, at.host, at.port, proxyUrlFor(at.host, at.port), 'udp', 'turn-udp', udp);
    else if (pair.transport === 'tcp' || pair.transport === 'tls') add(rows, at.host, at.port, proxyUrlFor(at.host, at.port), 'tcp', `turn-${pair.transport}`, turnPath(result, facts, pair.transport));
  }
  for (const entry of Array.isArray(session?.stun) ? (session.stun as Array<{ url?: unknown }>) : []) {
    const at = typeof entry.url === 'string' ? endpointOf(entry.url) : null;
    if (at) add(rows, at.host, at.port, proxyUrlFor(at.host, at.port), 'udp', 'stun', udp);
  }
  const iceTcp = dataOf(result, 'ice-tcp');
  if (typeof iceTcp?.host === 'string' && typeof iceTcp.port === 'number') {
    const status = statusOf(result, 'ice-tcp');
    add(rows, iceTcp.host, iceTcp.port, proxyUrlFor(iceTcp.host, iceTcp.port), 'tcp', 'ice-tcp', status === 'fail' ? { path: 'failed', summary: 'ICE-TCP failed in this run.' } : status === 'pass' ? { path: 'reached', summary: 'ICE-TCP worked in this run.' } : { path: 'unknown', summary: 'ICE-TCP was not tested.' });
  }
  const dns = dataOf(result, 'dns-lookup');
  const firstAttempt = Array.isArray(dns?.attempts) ? (dns.attempts as Array<{ url?: unknown; answered?: unknown }>)[0] : undefined;
  const dnsAt = typeof firstAttempt?.url === 'string' ? endpointOf(firstAttempt.url) : null;
  if (dnsAt) add(rows, dnsAt.host, dnsAt.port, proxyUrlFor(dnsAt.host, dnsAt.port), 'tcp', 'dns-zone', webPath(facts, firstAttempt?.answered === true, `test name ${dnsAt.host}`));
  const vendor = dataOf(result, 'dns-vendor-hosts');
  for (const attempt of Array.isArray(vendor?.hosts) ? (vendor.hosts as Array<{ host?: unknown; answered?: unknown }>) : []) {
    if (typeof attempt.host !== 'string') continue;
    const host = attempt.host.toLowerCase();
    add(rows, host, 443, proxyUrlFor(host, 443), 'tcp', 'vendor-host', attempt.answered === true ? { path: 'reached', summary: `The browser reached ${host} over HTTPS.` } : { path: 'failed', summary: `The browser could not reach ${host} over HTTPS (name, connection or TLS failed).` });
  }
  return [...rows.values()];
}

/** Whether the run saw any sign of an HTTP proxy (used to judge a DIRECT that failed). */
export function runSawProxy(result: Result): boolean {
  const facts = pathFacts(result);
  return facts.proxyHeaders || facts.httpProxyFinding;
}

/**
 * This computer's local IPv4 address as the run recorded it (a raw host candidate of the interfaces probe, seen
 * only with media permission — what a browser's myIpAddress() answers), or null.
 */
export function recordedLocalAddress(result: Result): string | null {
  const data = dataOf(result, 'interfaces');
  const networks = Array.isArray(data?.networks) ? (data.networks as Array<{ hostAddresses?: unknown; selected?: unknown }>) : [];
  const ordered = [...networks.filter((n) => n.selected === true), ...networks.filter((n) => n.selected !== true)];
  for (const network of ordered) {
    for (const address of Array.isArray(network.hostAddresses) ? network.hostAddresses : []) {
      if (typeof address === 'string' && /^\d{1,3}(\.\d{1,3}){3}$/.test(address) && !address.startsWith('127.')) return address;
    }
  }
  return null;
}
