/**
 * The probe server's HTTP API (plain and TLS listeners share it), CORS-open so any page embedding netready
 * can call it:
 *   GET  /v1/health                 – liveness
 *   POST /v1/sessions               – open a test session: STUN ports, TURN URLs, short-lived TURN credentials
 *   POST /v1/sessions/:id/peers     – hand an SDP offer to the server-side media peer, get its answer
 *   GET  /v1/sessions/:id/observations – what the probe servers saw for this session (TURN allocations with
 *                                     client addresses and transports, media-peer connections)
 *   GET  /v1/dns/ping               – tiny answer for the DNS lookup-timing fetches (Timing-Allow-Origin: *)
 *   GET  /v1/dns/labels/:label      – what the authoritative DNS server saw for a probe label (resolver address,
 *                                     Client Subnet, query types) and the caller's own address, with GeoIP
 *   GET  /v1/sessions/:id/path-mtu?ip= – the path MTU the server's kernel learned towards an address that used the
 *                                     MTU ladder (an ICMP "fragmentation needed" came back, or not)
 *   GET  /v1/sessions/:id/nat/observations?ip=…[&ip=…] – the Binding requests the nat probe's STUN endpoints answered
 *                                     from those addresses since the session began (source address and port per endpoint)
 *   POST /v1/sessions/:id/nat/filtering – ICE checks from the other endpoints to the browser's mapping: which came back
 *   GET  /v1/sessions/:id/capture.pcapng – what the probe servers received and sent for this session (server/capture)
 * Errors use the one envelope of lib/api/api-error.ts.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ApiError } from '../../lib/api/api-error';
import { NatFilteringRequestSchema, PeerOfferSchema, type NatBindingSeen, type PeerAnswer, type NatRole, type Session, type SessionRegion, type StunEndpoint } from '../../lib/schema/session';
import type { FilteringCheckResult } from '../../lib/protocol/nat/filtering';
import type { SessionRegistry } from './sessions';
import type { LabelRecord } from '../../lib/protocol/dns/label-table';
import { isProbeLabel } from '../../lib/protocol/dns/label-table';
import { GEO_LABEL } from '../../lib/protocol/dns/authority';
import { canonicalIp } from '../../lib/protocol/stun/ip';
import type { GeoInfo } from '../dns/geoip';
import type { TlsHandshakeLog } from '../tls-mirror/handshake-log';
import { canonicalAddress } from '../net/address';
import type { LimitEvent } from '../net/limit-events';
import type { SessionLimitVerdict } from './rate-limit';
import { PROBE_CORS_HEADERS, sendJson } from './send-json';
import { buildSessionMtu, type MtuEndpoints } from '../mtu/session-mtu';
import type { PathMtuReport } from '../mtu/mtu-server';

/** Largest request body accepted (an SDP offer with candidates is ~2–5 KB). */
export const MAX_BODY_BYTES = 32 * 1024;

/** Where clients reach the STUN/TURN listeners (actual bound ports, public addresses). */
export interface ProbeEndpoints {
  /** Host used in `stun:`/`turn:` URLs (an IP literal). */
  publicIp: string;
  /** Host used in `turns:` URLs (a name the certificate covers, or the IP). */
  tlsHost: string;
  turnUdpPort: number;
  turnTcpPort: number;
  turnTlsPort: number;
  /** Extra STUN ports of the matrix. */
  extraStunPorts: Array<{ port: number; role: 'alternate' | 'vendor'; target?: string }>;
  /** The probe DNS zone and the HTTPS port its names reach, when the DNS server runs. */
  dns?: { zone: string; httpsPort: number };
  /** Host names of the vendor targets (config `targets[].hosts`). */
  vendorHosts?: Array<{ target: string; host: string }>;
  /** Base URLs of the plain-HTTP and TLS listeners (echo, TLS mirror, WebSocket echo), once they listen. */
  mirror?: { httpBaseUrl: string; httpsBaseUrl: string };
  /** Where the certificate of the TLS listeners comes from (told to the page in the session document). */
  certificateSource?: 'development' | 'acme' | 'configured';
  /** The passive ICE-TCP endpoint the media peer's TCP-only answers name (config `probe.iceTcp`), once it listens. */
  iceTcp?: { host: string; port: number };
  /** The MTU ladder, when it runs (server/mtu). */
  mtu?: MtuEndpoints;
  /**
   * The deployment's regions (issue 15): every node as the page measures it, and the region this node serves (named in
   * `/v1/dns/ping` answers, so a GeoDNS-routed fetch says which node it reached).
   */
  regions?: { list: SessionRegion[]; node: string };
  /** The nat probe's STUN endpoints (issue 11), public addresses; `filtering`: the server can send the filtering checks. */
  nat?: { endpoints: Array<{ role: NatRole; ip: string; port: number }>; missing: Array<{ role: NatRole; why: string }>; filtering: boolean };
}

/** Most addresses one observations request may name (the page's mappings, the session's address, host addresses). */
export const MAX_NAT_OBSERVATION_IPS = 8;
/** Filtering runs one session may ask for (one per run is all the nat probe needs; a retry is allowed). */
export const MAX_NAT_FILTERING_PER_SESSION = 2;

/** What the API needs from the DNS server: the label table and GeoIP. */
export interface DnsLabelSource {
  /** What was seen for a label (null: nothing yet, or expired). */
  label(label: string): LabelRecord | null;
  /** Where an address is, as far as is known. */
  geo(ip: string): GeoInfo;
}

/** The media peer as the API needs it. */
export interface MediaPeerLike {
  /** `iceTcp`: answer with only the passive ICE-TCP candidate (server/ice-tcp/ice-tcp-media-peer.ts). */
  answer(offerSdp: string, meta: { sessionId: string; label?: string; iceTcp?: boolean }): Promise<{ peerId: string; sdp: string; quality?: PeerAnswer['quality'] }>;
}

/** The per-session capture as the API needs it (server/capture/capture-store.ts). */
export interface CaptureLike {
  /** Starts capturing a new session; false when it is not captured (at the limit of live captures). */
  open(sessionId: string): boolean;
  /** The session's pcapng file, or null when there is none (unknown, never captured, deleted with the retention). */
  read(sessionId: string): Promise<Uint8Array | null>;
  /** Ties a client transport address the page named as its own to the session. */
  tie(transport: 'udp' | 'tcp', client: { ip: string; port: number }, sessionId: string): void;
}

/** Dependencies of the API handler. */
export interface ProbeApiOptions {
  sessions: SessionRegistry;
  endpoints: ProbeEndpoints;
  mediaPeer: MediaPeerLike;
  /** Mints TURN REST credentials for a session; `tag` (e.g. `mtu1280`) is appended to the username and signed. */
  mintCredentials(sessionId: string, tag?: string): { username: string; credential: string; expiresAtMs: number };
  /** Limits session creation per client IP and per /24 (/48) (a {@link SessionCreationLimiter}). */
  sessionLimiter: { take(address: string): SessionLimitVerdict };
  /** Receives every refused session creation with its reason (the probe server's limit counters). */
  onLimit?: (event: LimitEvent) => void;
  /** Software version reported to clients. */
  version: string;
  /** Logs unexpected errors. */
  logError(message: string, error: unknown): void;
  /** The DNS server's label observations; absent when no probe zone is configured. */
  dns?: DnsLabelSource;
  /** TLS handshakes the TLS listeners saw per client address (server/tls-mirror/handshake-log.ts). */
  tlsHandshakes?: Pick<TlsHandshakeLog, 'since'>;
  /** The MTU ladder's path-MTU answers (server/mtu/mtu-server.ts); absent when no ladder runs. */
  mtu?: { pathMtuTo(ip: string): Promise<PathMtuReport | null> };
  /** The nat probe's server side (server/nat/nat-service.ts); absent on servers without it. */
  nat?: {
    bindingsSince(ips: string[], sinceMs: number): NatBindingSeen[];
    runFiltering(input: { target: { ip: string; port: number }; browserUfrag: string; browserPwd: string; serverUfrag: string; sinceMs: number }): Promise<{ checks: FilteringCheckResult[]; waitedMs: number }>;
  };
  /** The server's side of the capture (issue 20); absent when `probe.capture.enabled` is false. */
  capture?: CaptureLike;
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > MAX_BODY_BYTES) throw new ApiError('payload_too_large', `request body exceeds ${MAX_BODY_BYTES} bytes`);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) throw new ApiError('payload_too_large', `request body exceeds ${MAX_BODY_BYTES} bytes`);
    chunks.push(chunk as Buffer);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  if (text.trim() === '') return {};
  try {
    return JSON.parse(text);
  } catch {
    throw new ApiError('invalid_json', 'request body is not valid JSON');
  }
}

/**
 * Builds the session document for a new session. `mintTagged` mints credentials whose username carries a tag (the MTU
 * ladder's TURN rungs); without it the session offers no TURN ladder.
 */
export function buildSession(
  endpoints: ProbeEndpoints,
  sessionId: string,
  creds: { username: string; credential: string; expiresAtMs: number },
  version: string,
  mintTagged?: (tag: string) => { username: string; credential: string },
): Session {
  const { publicIp, tlsHost } = endpoints;
  const stun: StunEndpoint[] = [
    { port: endpoints.turnUdpPort, url: `stun:${publicIp}:${endpoints.turnUdpPort}`, role: 'turn' },
    ...endpoints.extraStunPorts.map((p) => ({
      port: p.port,
      url: `stun:${publicIp}:${p.port}`,
      role: p.role,
      ...(p.target ? { target: p.target } : {}),
    })),
  ];
  const auth = { username: creds.username, credential: creds.credential };
  return {
    sessionId,
    expiresAt: new Date(creds.expiresAtMs).toISOString(),
    stun,
    turn: [
      { transport: 'udp', url: `turn:${publicIp}:${endpoints.turnUdpPort}?transport=udp`, ...auth },
      { transport: 'tcp', url: `turn:${publicIp}:${endpoints.turnTcpPort}?transport=tcp`, ...auth },
      { transport: 'tls', url: `turns:${tlsHost}:${endpoints.turnTlsPort}?transport=tcp`, ...auth },
    ],
    peerPath: `/v1/sessions/${sessionId}/peers`,
    serverVersion: version,
    ...(endpoints.certificateSource ? { certificate: { source: endpoints.certificateSource } } : {}),
    ...(endpoints.dns ? { dns: buildSessionDns(endpoints, endpoints.dns, auth, sessionId) } : {}),
    ...(endpoints.vendorHosts && endpoints.vendorHosts.length > 0 ? { vendorHosts: endpoints.vendorHosts } : {}),
    ...(endpoints.mirror ? { mirror: buildSessionMirror(endpoints.mirror) } : {}),
    ...(endpoints.iceTcp ? { iceTcp: { ...endpoints.iceTcp } } : {}),
    // MTU ladder (issue 10): direct rungs, and TURN rungs with one tagged username per size.
    ...(endpoints.mtu
      ? {
          mtu: buildSessionMtu(
            mintTagged ? endpoints.mtu : { ...endpoints.mtu, turnSizes: [] },
            { sessionId, turnUrl: `turn:${publicIp}:${endpoints.turnUdpPort}?transport=udp`, mintTagged: mintTagged ?? (() => auth) },
          ),
        }
      : {}),
    // NAT behaviour (issue 11).
    ...(endpoints.nat ? { nat: buildSessionNat(endpoints.nat, sessionId) } : {}),
    ...(endpoints.regions ? { regions: buildSessionRegions(endpoints.regions, endpoints.dns) } : {}),
  };
}

/** The regions part of a session: every node, this node's region, and the GeoDNS name when there is a probe zone. */
function buildSessionRegions(regions: NonNullable<ProbeEndpoints['regions']>, dns: ProbeEndpoints['dns']): NonNullable<Session['regions']> {
  return {
    list: regions.list,
    home: regions.node,
    ...(dns ? { mediaLookupUrl: `https://{label}.${GEO_LABEL}.${dns.zone}:${dns.httpsPort}/v1/dns/ping` } : {}),
  };
}

/** The nat part of a session: the STUN endpoints by role, and where to ask what the server saw. */
function buildSessionNat(nat: NonNullable<ProbeEndpoints['nat']>, sessionId: string): NonNullable<Session['nat']> {
  return {
    endpoints: nat.endpoints.map((e) => ({ role: e.role, ip: e.ip, port: e.port, url: e.ip.includes(':') ? `stun:[${e.ip}]:${e.port}` : `stun:${e.ip}:${e.port}` })),
    ...(nat.missing.length > 0 ? { missing: nat.missing } : {}),
    observationsPath: `/v1/sessions/${sessionId}/nat/observations`,
    ...(nat.filtering ? { filteringPath: `/v1/sessions/${sessionId}/nat/filtering` } : {}),
  };
}

/** Where the proxy/TLS-inspection probes go (server/tls-mirror routes on both listeners). */
function buildSessionMirror({ httpBaseUrl, httpsBaseUrl }: { httpBaseUrl: string; httpsBaseUrl: string }): NonNullable<Session['mirror']> {
  const ws = (base: string): string => base.replace(/^http/, 'ws');
  return {
    tlsMirrorUrl: `${httpsBaseUrl}/v1/tls/mirror`,
    httpsEchoUrl: `${httpsBaseUrl}/v1/echo`,
    echoUrl: `${httpBaseUrl}/v1/echo`,
    wssUrl: `${ws(httpsBaseUrl)}/ws`,
    wsUrl: `${ws(httpBaseUrl)}/ws`,
  };
}

/**
 * The DNS part of a session: lookup URL template and the TURN URLs naming `turn.<zone>`. The lookup URL names the
 * session (issue 20): the request for a fresh name then ties that name's DNS queries to the session's capture.
 */
function buildSessionDns(endpoints: ProbeEndpoints, dns: { zone: string; httpsPort: number }, auth: { username: string; credential: string }, sessionId: string): NonNullable<Session['dns']> {
  const turnHost = `turn.${dns.zone}`;
  return {
    zone: dns.zone,
    lookupUrl: `https://{label}.${dns.zone}:${dns.httpsPort}/v1/dns/ping?session=${sessionId}`,
    labelsPath: '/v1/dns/labels',
    turnByName: [
      { transport: 'udp', url: `turn:${turnHost}:${endpoints.turnUdpPort}?transport=udp`, ...auth },
      { transport: 'tcp', url: `turn:${turnHost}:${endpoints.turnTcpPort}?transport=tcp`, ...auth },
      { transport: 'tls', url: `turns:${turnHost}:${endpoints.turnTlsPort}?transport=tcp`, ...auth },
    ],
  };
}

/** Host name the request asked for (HTTP/2 :authority or Host), lower case, without the port; null when absent. */
function requestHost(req: IncomingMessage): string | null {
  const raw = req.headers[':authority'] ?? req.headers.host;
  const value = Array.isArray(raw) ? raw[0] : raw;
  if (typeof value !== 'string' || value === '') return null;
  return value.replace(/:\d+$/, '').replace(/^\[(.*)\]$/, '$1').toLowerCase();
}

/** TLS server name (SNI) the request's connection was opened with; null on plain HTTP or without SNI. */
function connectionServerName(req: IncomingMessage): string | null {
  const name = (req.socket as { servername?: unknown }).servername;
  return typeof name === 'string' && name !== '' ? name.toLowerCase() : null;
}

/** An address in canonical form (`::ffff:192.0.2.1` → `192.0.2.1`); anything unparsable unchanged. */
function clientIpOf(raw: string): string {
  try {
    return canonicalIp(raw);
  } catch {
    return raw;
  }
}

function clientIp(req: IncomingMessage): string {
  return clientIpOf(req.socket.remoteAddress ?? '');
}

/** Creates the request handler of the probe API. */
export function createProbeApiHandler(options: ProbeApiOptions): (req: IncomingMessage, res: ServerResponse) => void {
  const route = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://probe.invalid');
    const method = req.method ?? 'GET';
    if (method === 'OPTIONS') {
      res.writeHead(204, { ...PROBE_CORS_HEADERS });
      res.end();
      return;
    }
    if (url.pathname === '/v1/health') {
      if (method !== 'GET') throw new ApiError('method_not_allowed', 'use GET');
      sendJson(res, 200, { ok: true, version: options.version });
      return;
    }
    if (url.pathname === '/v1/sessions') {
      if (method !== 'POST') throw new ApiError('method_not_allowed', 'use POST');
      await readJson(req);
      const client = canonicalAddress(req.socket.remoteAddress);
      const refuse = (reason: LimitEvent['reason'], error: ApiError): never => {
        options.onLimit?.({ reason, scope: 'sessions', address: client });
        throw error;
      };
      // Full before rate limits: a refused creation should not use up the caller's allowance. The error is made only
      // when it is thrown: an Error captures a stack trace, 1 % of the probe's CPU under load when made per request.
      const busy = (): ApiError => new ApiError('server_busy', 'this probe server has as many test sessions running as it can take; try again in a minute');
      if (options.sessions.isFull()) refuse('sessions-full', busy());
      const verdict = options.sessionLimiter.take(client);
      if (verdict === 'sessions-per-address') refuse(verdict, new ApiError('rate_limited', 'too many test sessions from this address; try again in a minute'));
      if (verdict === 'sessions-per-subnet') refuse(verdict, new ApiError('rate_limited', 'too many test sessions from this network; try again in a minute'));
      const record = options.sessions.create(client) ?? refuse('sessions-full', busy());
      const creds = options.mintCredentials(record.id);
      record.expiresAtMs = Math.min(record.expiresAtMs, creds.expiresAtMs);
      const session = buildSession(options.endpoints, record.id, creds, options.version, (tag) => options.mintCredentials(record.id, tag));
      if (options.capture?.open(record.id)) session.capturePath = `/v1/sessions/${record.id}/capture.pcapng`;
      sendJson(res, 201, session);
      return;
    }
    const captured = /^\/v1\/sessions\/([A-Za-z0-9_-]{1,64})\/capture\.pcapng$/.exec(url.pathname);
    if (captured) {
      // GET /v1/sessions/:id/capture.pcapng – the session's server-side capture, for whoever holds its id (the result link).
      if (method !== 'GET') throw new ApiError('method_not_allowed', 'use GET');
      if (!options.capture) throw new ApiError('capture_disabled', 'this probe server records no captures (probe.capture.enabled is false)');
      const bytes = await options.capture.read(captured[1]!);
      if (!bytes) throw new ApiError('not_found', 'no capture for this test session (unknown, not captured, or deleted with the result retention)');
      res.writeHead(200, {
        ...PROBE_CORS_HEADERS,
        'content-type': 'application/vnd.tcpdump.pcap',
        'content-disposition': `attachment; filename="netready-${captured[1]!}.pcapng"`,
        'content-length': bytes.length,
        'cache-control': 'no-store',
      });
      res.end(bytes);
      return;
    }
    const observed = /^\/v1\/sessions\/([A-Za-z0-9_-]{1,64})\/observations$/.exec(url.pathname);
    if (observed) {
      if (method !== 'GET') throw new ApiError('method_not_allowed', 'use GET');
      const session = options.sessions.get(observed[1]!);
      if (!session) throw new ApiError('not_found', 'no such test session (unknown or expired)');
      // The TLS handshakes from the address that opened the session, since it was opened: a browser that rejected
      // netready's certificate shows up here, where the page itself only saw "failed".
      const tlsHandshakes = options.tlsHandshakes?.since(clientIpOf(session.clientAddress), session.createdAtMs) ?? [];
      sendJson(res, 200, { sessionId: session.id, clientAddress: session.clientAddress, observations: session.observations, tlsHandshakes });
      return;
    }
    if (url.pathname === '/v1/dns/ping') {
      // GET /v1/dns/ping – answered on every name of the probe zone; the page reads its Resource Timing. It also says
      // which name the connection was opened for (TLS SNI): Chromium sends a request for one name over an HTTP/2
      // connection opened for another when the address and certificate fit, and then reports no lookup at all.
      if (method !== 'GET') throw new ApiError('method_not_allowed', 'use GET');
      sendJson(res, 200, { ok: true, host: requestHost(req), connectionServerName: connectionServerName(req), ...(options.endpoints.regions ? { region: options.endpoints.regions.node } : {}) });
      return;
    }
    const pathMtu = /^\/v1\/sessions\/([A-Za-z0-9_-]{1,64})\/path-mtu$/.exec(url.pathname);
    if (pathMtu) {
      // GET /v1/sessions/:id/path-mtu?ip= – did an ICMP "fragmentation needed" come back for this client's MTU ladder?
      if (method !== 'GET') throw new ApiError('method_not_allowed', 'use GET');
      if (!options.sessions.get(pathMtu[1]!)) throw new ApiError('not_found', 'no such test session (unknown or expired)');
      if (!options.mtu) throw new ApiError('not_found', 'this server runs no MTU ladder (probe.mtu)');
      const ip = url.searchParams.get('ip') ?? '';
      let canonical: string;
      try {
        canonical = canonicalIp(ip);
      } catch {
        throw new ApiError('invalid_request', 'ip must be an IPv4 or IPv6 address');
      }
      const report = await options.mtu.pathMtuTo(canonical);
      if (!report) throw new ApiError('not_found', `${canonical} has not used this server's MTU ladder in the last minutes`);
      sendJson(res, 200, report);
      return;
    }
    const natObserved = /^\/v1\/sessions\/([A-Za-z0-9_-]{1,64})\/nat\/observations$/.exec(url.pathname);
    if (natObserved) {
      // GET /v1/sessions/:id/nat/observations?ip=… – which mapping each nat endpoint saw from these addresses.
      if (method !== 'GET') throw new ApiError('method_not_allowed', 'use GET');
      const session = options.sessions.get(natObserved[1]!);
      if (!session) throw new ApiError('not_found', 'no such test session (unknown or expired)');
      if (!options.nat) throw new ApiError('not_found', 'this server runs no nat endpoints');
      const ips = url.searchParams.getAll('ip');
      if (ips.length > MAX_NAT_OBSERVATION_IPS) throw new ApiError('invalid_request', `at most ${MAX_NAT_OBSERVATION_IPS} ip parameters`);
      const canonical = ips.map((ip) => {
        try {
          return canonicalIp(ip);
        } catch {
          throw new ApiError('invalid_request', 'each ip must be an IPv4 or IPv6 address');
        }
      });
      // Without an ip, the address that opened the session.
      if (canonical.length === 0) canonical.push(clientIpOf(session.clientAddress));
      sendJson(res, 200, { bindings: options.nat.bindingsSince(canonical, session.createdAtMs) });
      return;
    }
    const natFiltering = /^\/v1\/sessions\/([A-Za-z0-9_-]{1,64})\/nat\/filtering$/.exec(url.pathname);
    if (natFiltering) {
      // POST /v1/sessions/:id/nat/filtering – ICE checks to the browser's mapping from the other endpoints.
      if (method !== 'POST') throw new ApiError('method_not_allowed', 'use POST');
      const session = options.sessions.get(natFiltering[1]!);
      if (!session) throw new ApiError('not_found', 'no such test session (unknown or expired)');
      if (!options.nat) throw new ApiError('not_found', 'this server runs no nat endpoints');
      const parsed = NatFilteringRequestSchema.safeParse(await readJson(req));
      if (!parsed.success) {
        const issue = parsed.error.issues[0];
        throw new ApiError('invalid_request', `invalid filtering request: ${issue?.path.join('.') || 'body'}: ${issue?.message ?? 'invalid'}`);
      }
      let address: string;
      try {
        address = canonicalIp(parsed.data.address);
      } catch {
        throw new ApiError('invalid_request', 'address must be an IPv4 or IPv6 address');
      }
      const earlier = session.observations.filter((o) => o.kind === 'nat-filtering').length;
      if (earlier >= MAX_NAT_FILTERING_PER_SESSION) throw new ApiError('rate_limited', `at most ${MAX_NAT_FILTERING_PER_SESSION} filtering checks per session`);
      // The page named this mapping as its own: its STUN traffic belongs in the session's capture (issue 20).
      options.capture?.tie('udp', { ip: address, port: parsed.data.port }, session.id);
      // Counted when it starts, so parallel requests cannot exceed the cap.
      options.sessions.observe(session.id, { source: 'turn', kind: 'nat-filtering', data: { target: `${address}:${parsed.data.port}` } });
      let answer: { checks: FilteringCheckResult[]; waitedMs: number };
      try {
        answer = await options.nat.runFiltering({
          target: { ip: address, port: parsed.data.port },
          browserUfrag: parsed.data.ufrag,
          browserPwd: parsed.data.pwd,
          serverUfrag: parsed.data.serverUfrag,
          sinceMs: session.createdAtMs,
        });
      } catch (error) {
        const code = (error as { code?: unknown }).code;
        const message = error instanceof Error ? error.message : String(error);
        if (code === 'mapping-not-seen') throw new ApiError('invalid_request', message, { cause: error });
        if (code === 'busy') throw new ApiError('server_busy', message, { cause: error });
        if (code === 'no-endpoints') throw new ApiError('not_found', message, { cause: error });
        throw error;
      }
      options.sessions.observe(session.id, { source: 'turn', kind: 'nat-filtering-result', data: { target: `${address}:${parsed.data.port}`, checks: answer.checks, waitedMs: answer.waitedMs } });
      sendJson(res, 200, answer);
      return;
    }
    const dnsLabel = /^\/v1\/dns\/labels\/([A-Za-z0-9-]{1,63})$/.exec(url.pathname);
    if (dnsLabel) {
      // GET /v1/dns/labels/:label – which resolver asked for this probe label, and who is asking now.
      if (method !== 'GET') throw new ApiError('method_not_allowed', 'use GET');
      if (!options.dns) throw new ApiError('not_found', 'DNS probing is not configured on this server (dns.zone)');
      const label = dnsLabel[1]!.toLowerCase();
      if (!isProbeLabel(label)) throw new ApiError('invalid_request', 'not a probe label (nr- followed by 6–56 letters or digits)');
      const dns = options.dns;
      const record = dns.label(label);
      const queries = record?.queries ?? [];
      const resolverIps = [...new Set(queries.map((q) => q.resolverIp))];
      const http = clientIp(req);
      sendJson(res, 200, {
        label,
        queries,
        droppedQueries: record?.droppedQueries ?? 0,
        resolvers: resolverIps.map((ip) => ({ ip, geo: dns.geo(ip) })),
        httpClient: { ip: http, geo: dns.geo(http) },
      });
      return;
    }
    const peers = /^\/v1\/sessions\/([A-Za-z0-9_-]{1,64})\/peers$/.exec(url.pathname);
    if (peers) {
      if (method !== 'POST') throw new ApiError('method_not_allowed', 'use POST');
      const session = options.sessions.get(peers[1]!);
      if (!session) throw new ApiError('not_found', 'no such test session (unknown or expired)');
      const parsed = PeerOfferSchema.safeParse(await readJson(req));
      if (!parsed.success) {
        const issue = parsed.error.issues[0];
        throw new ApiError('invalid_request', `invalid offer: ${issue?.path.join('.') || 'body'}: ${issue?.message ?? 'invalid'}`);
      }
      let answer: { peerId: string; sdp: string; quality?: PeerAnswer['quality'] };
      try {
        answer = await options.mediaPeer.answer(parsed.data.sdp, {
          sessionId: session.id,
          ...(parsed.data.label ? { label: parsed.data.label } : {}),
          ...(parsed.data.iceTcp ? { iceTcp: true } : {}),
        });
      } catch (error) {
        const code = (error as { code?: unknown }).code;
        if (code === 'capacity') throw new ApiError('peer_unavailable', 'the media peer is at capacity; try again shortly', { cause: error });
        if (code === 'bad-offer') throw new ApiError('invalid_request', 'the SDP offer was not accepted', { cause: error });
        // Issue 18: an offer ICE cannot use is the offer's fault (4xx with the reason the page shows), and a media peer
        // with no free port or shutting down is busy (503) — neither is an internal error.
        if (code === 'ice-failed') throw new ApiError('offer_unusable', error instanceof Error ? error.message : 'ICE failed while answering the offer', { cause: error });
        if (code === 'no-candidate') throw new ApiError('peer_unavailable', 'the media peer has no free port right now; try again shortly', { cause: error });
        if (code === 'closed') throw new ApiError('peer_unavailable', 'the media peer is shutting down; try again shortly', { cause: error });
        throw error;
      }
      session.peers++;
      sendJson(res, 200, { type: 'answer', sdp: answer.sdp, peerId: answer.peerId, ...(answer.quality ? { quality: answer.quality } : {}) } satisfies PeerAnswer);
      return;
    }
    throw new ApiError('not_found', `no route for ${method} ${url.pathname}`);
  };
  return (req, res) => {
    route(req, res).catch((error: unknown) => {
      if (res.headersSent) {
        res.destroy();
        return;
      }
      if (error instanceof ApiError) {
        sendJson(res, error.status, error.toEnvelope());
        return;
      }
      options.logError(`probe API ${req.method} ${req.url}`, error);
      sendJson(res, 500, { error: { code: 'internal_error', message: 'internal error' } });
    });
  };
}
