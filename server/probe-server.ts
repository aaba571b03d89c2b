/**
 * netready's companion servers in one process: STUN/TURN (UDP, TCP, TLS, STUN port matrix), the server-side
 * media peer, and the HTTP(S) API. Built from the validated configuration; `start()` opens every listener
 * (nothing happens in the constructor), `stop()` closes them all.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import type { Config } from '../lib/config/schema';
import { listenerPublicIp, probePublicHttpsUrl, probePublicUrl } from './config/load';
import { DnsAuthority } from '../lib/protocol/dns/authority';
import { DnsServer } from './dns/dns-server';
import { createGeoDns } from './dns/geo-dns';
import { openGeoIp } from './dns/geoip';
import { nodeRegion, regionHttpsUrl } from '../lib/regions/deployment';
import { createProbeApiHandler, type DnsLabelSource, type ProbeEndpoints } from './http/probe-api';
import { SessionCreationLimiter } from './http/rate-limit';
import { SessionRegistry } from './http/sessions';
import { TlsHandshakeLog } from './tls-mirror/handshake-log';
import { ConnectionGuard, LISTEN_BACKLOG } from './net/connection-guard';
import { guardHttpServer } from './net/http-guard';
import { LimitCounters } from './net/limit-events';
import { createMirrorRoutes } from './tls-mirror/mirror-routes';
import { TlsMirrorServer } from './tls-mirror/tls-mirror-server';
import { WebSocketEcho } from './tls-mirror/websocket-echo';
import { MediaPeerServer, type PeerDatagram } from './peer/media-peer';
import { IceTcpMediaPeer } from './ice-tcp/ice-tcp-media-peer';
import { IceTcpServer, type IceTcpEvent } from './ice-tcp/ice-tcp-server';
import { X509Certificate } from 'node:crypto';
import { AcmeCertificates, type AcmeCertificateName } from './acme/acme-certificates';
import { Http01Responder } from './acme/http01-responder';
import { CertificateFileWatcher } from './tls/certificate-files';
import { acmeOrders, loadTls, type TlsMaterial } from './tls/load-tls';
import { mintTurnCredentials } from './turn/credentials';
import { TurnServer } from './turn/turn-server';
import { classifyHandshakeError } from './tls-mirror/handshake-log';
import { logPeerEvent, logTurnEvent } from './ops/event-log';
import { observeHttpExchange, type ExchangeContext } from './ops/http-exchange';
import { isPinoLogger, loggerForSink, type Logger } from './ops/logger';
import { ProbeMetrics } from './ops/probe-metrics';
import { certificateCheck, readinessOf, type Readiness, type ReadinessCheck } from './ops/readiness';
import { sizeOfMtuTurnTag } from '../lib/protocol/mtu/ladder';
import { linkMtuOf } from './mtu/link-mtu';
import { MtuServer } from './mtu/mtu-server';
import { pmtuOptionsSupported } from './mtu/socket-options';
import { NatService } from './nat/nat-service';
import { CaptureStore } from './capture/capture-store';
import { canonicalIp } from '../lib/protocol/stun/ip';

export { loadTls, type TlsMaterial } from './tls/load-tls';

/** Software version reported by the probe server. */
export const PROBE_VERSION = 'netready-probe/0.1.0';

/**
 * Logging sink of the probe server: a pino logger (server/ops/logger.ts; server/main.ts passes one), or a bare
 * message sink (tests), which then receives each line's message.
 */
export interface ProbeLogger {
  info(message: string): void;
  error(message: string, error?: unknown): void;
}

/** Lifecycle of a ProbeServer, for readiness: only `running` is ready. */
export type ProbeServerState = 'new' | 'starting' | 'running' | 'stopping' | 'stopped';

/** Route pattern of a probe API / mirror request path, for log lines and the `route` metric label (bounded). */
export function probeRouteOf(pathname: string): string {
  if (/^\/v1\/sessions\/[^/]+\/peers$/.test(pathname)) return '/v1/sessions/:id/peers';
  if (/^\/v1\/sessions\/[^/]+\/observations$/.test(pathname)) return '/v1/sessions/:id/observations';
  if (/^\/v1\/dns\/labels\/[^/]+$/.test(pathname)) return '/v1/dns/labels/:label';
  if (/^\/v1\/sessions\/[^/]+\/path-mtu$/.test(pathname)) return '/v1/sessions/:id/path-mtu';
  if (/^\/v1\/sessions\/[^/]+\/nat\/observations$/.test(pathname)) return '/v1/sessions/:id/nat/observations';
  if (/^\/v1\/sessions\/[^/]+\/nat\/filtering$/.test(pathname)) return '/v1/sessions/:id/nat/filtering';
  if (/^\/v1\/sessions\/[^/]+\/capture\.pcapng$/.test(pathname)) return '/v1/sessions/:id/capture.pcapng';
  const known = ['/v1/health', '/v1/sessions', '/v1/dns/ping', '/v1/tls/mirror', '/v1/echo', '/ws'];
  return known.includes(pathname) ? pathname : 'other';
}

/** The session a probe API path names (`/v1/sessions/<id>/…`), if any. */
function sessionIdOfPath(pathname: string): string | undefined {
  return /^\/v1\/sessions\/([A-Za-z0-9_-]{1,64})\//.exec(pathname)?.[1];
}

/** The path of a request target, without its query (which may carry a session id), for capture comments. */
function pathOf(url: string | undefined): string {
  return (url ?? '/').split('?')[0] ?? '/';
}

/** What `start()` returns: where everything listens. */
export interface ProbeServerInfo {
  endpoints: ProbeEndpoints;
  httpUrl: string;
  httpsUrl: string;
  tls: TlsMaterial;
  /** Where the authoritative DNS server listens (UDP and TCP), when `dns.zone` is configured. */
  dns?: { zone: string; ip: string; port: number };
}

/** Reads the TURN shared secret from config, else from `<dataDir>/turn-secret`, generating it once. */
export function loadTurnSecret(config: Config): string {
  if (config.turn.secret) return config.turn.secret;
  const file = path.join(config.dataDir, 'turn-secret');
  if (existsSync(file)) {
    const secret = readFileSync(file, 'utf8').trim();
    if (secret.length >= 16) return secret;
  }
  mkdirSync(config.dataDir, { recursive: true });
  const secret = randomBytes(32).toString('base64url');
  writeFileSync(file, `${secret}\n`, { mode: 0o600 });
  chmodSync(file, 0o600);
  return secret;
}

function listenHttp(server: http.Server, ip: string, port: number): Promise<AddressInfo> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen({ port, host: ip, backlog: LISTEN_BACKLOG }, () => {
      server.off('error', reject);
      resolve(server.address() as AddressInfo);
    });
  });
}

/** The probe process's servers. */
export class ProbeServer {
  private readonly config: Config;
  /** Structured log of this server (pino); a bare ProbeLogger is wrapped so it receives the messages. */
  private readonly logger: Logger;
  /** The request being handled (request id, session), so a session opened deep in the API lands in its log line. */
  private readonly requestContext = new AsyncLocalStorage<ExchangeContext>();
  private state: ProbeServerState = 'new';
  /** The certificates served now, by name (readiness: valid for at least a day). */
  private readonly servedCertificates = new Map<'main' | 'zone', string>();
  private turn?: TurnServer;
  private peer?: MediaPeerServer;
  /** The media peer's passive ICE-TCP endpoint (`probe.iceTcp`) and the answerer that uses it. */
  private iceTcp?: IceTcpServer;
  private iceTcpPeer?: IceTcpMediaPeer;
  /** The MTU ladder's UDP listeners (probe.mtu), when they run. */
  private mtu?: MtuServer;
  /** The nat probe's server side (issue 11): Bindings seen per client address, filtering checks. */
  private nat?: NatService;
  private httpServer?: http.Server;
  /** HTTPS listener: TLS terminated in-process, ClientHello captured per connection (server/tls-mirror). */
  private mirror?: TlsMirrorServer;
  private webSocketEcho?: WebSocketEcho;
  private dnsServer?: DnsServer;
  /** The DNS server's protocol logic: DNS-01 challenge records are published here. */
  private dnsAuthority?: DnsAuthority;
  /** ACME certificates (tls.acme): obtained, renewed and swapped into the TLS listeners. */
  private acme?: AcmeCertificates;
  private http01?: Http01Responder;
  /** Reload tls.certFile/keyFile (and the zone pair) when they change on disk. */
  private readonly certificateWatchers: CertificateFileWatcher[] = [];
  private readonly certificateWatchIntervalMs: number;
  private readonly now: () => number;
  private sweepTimer?: ReturnType<typeof setInterval>;
  /** Hourly deletion of captures past the result retention. */
  private retentionTimer?: ReturnType<typeof setInterval>;
  /** Raw ClientHellos already filed in a session's capture (one per connection, however many requests it carries). */
  private readonly capturedHellos = new WeakSet<object>();
  /**
   * The per-session capture (issue 20, server/capture), when `probe.capture.enabled`: what the servers received and
   * sent for each session, served as `GET /v1/sessions/:id/capture.pcapng`.
   */
  readonly captures?: CaptureStore;
  /** Sessions of this server (observations are read from here). */
  readonly sessions: SessionRegistry;
  /** How each client's TLS handshakes ended on the HTTPS listener and TURN over TLS (certificate rejections). */
  readonly tlsHandshakes = new TlsHandshakeLog();
  /**
   * Every connection and session refused, evicted or timed out by a limit, by scope and reason. The hook for
   * metrics: `limits.subscribe(event => …)` or `limits.snapshot()`.
   */
  readonly limits = new LimitCounters();
  /** Prometheus metrics of this server (its own Registry), served by the operations listener (server/ops/). */
  readonly metrics = new ProbeMetrics();
  /** The one connection policy of the TURN/TCP, TURN/TLS, HTTPS and plain-HTTP listeners (`probe.connections`). */
  readonly connections: ConnectionGuard;

  /**
   * Builds the session table and the connection policy from the configuration; opens nothing. `options.now` (ms since
   * the epoch) is the clock of certificate validity and renewal; tests move it forward.
   * `options.certificateWatchIntervalMs`: how often configured certificate files are looked at (default 10000).
   */
  constructor(config: Config, log: ProbeLogger | Logger, options: { now?: () => number; certificateWatchIntervalMs?: number } = {}) {
    this.config = config;
    this.logger = isPinoLogger(log) ? log : loggerForSink(log, config.log.level);
    this.now = options.now ?? Date.now;
    this.certificateWatchIntervalMs = options.certificateWatchIntervalMs ?? 10_000;
    this.sessions = new SessionRegistry({
      ttlMs: config.turn.credentialTtlS * 1000,
      maxSessions: config.probe.maxLiveSessions,
      onCreate: (record) => {
        this.metrics.sessionCreated();
        const context = this.requestContext.getStore();
        if (context) context.sessionId = record.id;
        this.logger.info({ sessionId: record.id, requestId: context?.requestId, clientAddress: record.clientAddress }, 'session created');
      },
    });
    this.connections = new ConnectionGuard({ ...config.probe.connections, onEvent: (event) => this.limits.record(event) });
    if (config.probe.capture.enabled) {
      this.captures = new CaptureStore({
        dir: path.join(config.dataDir, 'captures'),
        snapLengthBytes: config.probe.capture.snapLengthBytes,
        maxBytesPerSession: config.probe.capture.maxBytesPerSession,
        maxLiveCaptures: config.probe.capture.maxLiveCaptures,
        retentionDays: config.results.retentionDays,
        // Listeners bound to 0.0.0.0 / :: are written with the address clients reach.
        unspecifiedAs: { v4: config.probe.publicIp, ...(config.probe.publicIpv6 ? { v6: config.probe.publicIpv6 } : {}) },
        isSessionLive: (id) => this.sessions.get(id) !== null,
        logError: (message, error) => this.logger.error({ err: error }, message),
        now: this.now,
      });
    }
    this.limits.subscribe((event) => {
      this.metrics.observeLimit(event);
      // Debug only: a flood makes thousands of these, and the counters already say how many.
      this.logger.debug({ scope: event.scope, reason: event.reason, clientAddress: event.address }, 'limit reached');
    });
    this.metrics.bind({
      liveSessions: () => this.sessions.size,
      turnTraffic: () => this.turn?.traffic(),
      dnsStats: () => this.dnsAuthority?.stats,
    });
  }

  /** Where the server is in its life: `running` between a successful start() and stop(). */
  get lifecycle(): ProbeServerState {
    return this.state;
  }

  /**
   * Ready to serve: started and not stopping, every listener still bound, and every served certificate valid for at
   * least a day. Each check is named, so /readyz can say what is not ready.
   */
  readiness(): Readiness {
    const checks: ReadinessCheck[] = [
      { name: 'lifecycle', ok: this.state === 'running', ...(this.state === 'running' ? {} : { detail: this.state === 'stopping' || this.state === 'stopped' ? 'shutting down' : 'starting' }) },
    ];
    if (this.state !== 'running') return readinessOf(checks);
    const listener = (name: string, bound: boolean): ReadinessCheck => ({ name: `listener ${name}`, ok: bound, ...(bound ? {} : { detail: 'not listening' }) });
    for (const state of this.turn?.listenerStates() ?? []) checks.push(listener(state.name, state.bound));
    for (const state of this.mtu?.listenerStates() ?? []) checks.push(listener(state.name, state.bound));
    checks.push(listener('http', this.httpServer?.listening ?? false));
    checks.push(listener('https', this.mirror?.listening ?? false));
    checks.push(listener('ice-tcp', this.iceTcp?.listening ?? false));
    if (this.config.dns.zone) checks.push(listener('dns', this.dnsServer !== undefined));
    if (this.config.tls.acme?.challenge === 'http-01') checks.push(listener('acme-http-01', this.http01?.address() != null));
    for (const [name, certPem] of this.servedCertificates) checks.push(certificateCheck(name, certPem, this.now()));
    return readinessOf(checks);
  }

  /** Opens every listener. Rejects (after closing what was opened) when a port cannot be bound. */
  async start(): Promise<ProbeServerInfo> {
    const { config } = this;
    const probe = config.probe;
    this.state = 'starting';
    try {
      const tls = await loadTls(config, this.now());
      for (const notice of tls.notices ?? []) this.logger.info(`netready: ${notice}`);
      const secret = loadTurnSecret(config);
      if (config.regions.length > 1 && !config.turn.secret) {
        // Issue 15: every node mints TURN credentials; only a shared secret makes them valid on every node.
        this.logger.warn(
          `netready: ${config.regions.length} regions are configured but turn.secret is not: this node uses its own secret (${path.join(config.dataDir, 'turn-secret')}), so TURN credentials minted by another node are refused here. Set the same turn.secret on every node.`,
        );
      }
      const relayIp = probe.relayIp ?? probe.bindIp;
      const vendorPorts = config.targets.flatMap((t) => t.mediaUdpPorts.map((port) => ({ port, target: t.name })));
      // MTU ladder (issue 10): needs Linux's IP_PMTUDISC_PROBE; the TURN ladder pads tagged Allocate responses, which the
      // TURN UDP listener then sends with Don't-Fragment in probe mode (never fragmenting, whatever PMTU it learned).
      const mtuConfig = probe.mtu;
      const mtuRuns = mtuConfig.enabled && pmtuOptionsSupported();
      if (mtuConfig.enabled && !mtuRuns) this.logger.info(`netready: the MTU ladder is off: it needs Linux (IP_PMTUDISC_PROBE), this is ${process.platform}`);
      const turnLadder = mtuRuns && mtuConfig.turn;
      const turnUdpIp = probe.turnUdp.ip ?? probe.bindIp;
      const natExtraListeners = [
        ...(probe.stunAltIp ? [{ ip: probe.stunAltIp, port: probe.turnUdp.port, stunOnly: true }] : []),
        ...(probe.publicIpv6 ? [{ ip: probe.publicIpv6, port: probe.turnUdp.port, stunOnly: true }] : []),
      ];
      this.turn = new TurnServer({
        realm: config.turn.realm,
        secret,
        software: PROBE_VERSION,
        udp: [
          { ip: turnUdpIp, port: probe.turnUdp.port, ...(turnLadder ? { pmtuMode: 'probe' as const } : {}) },
          ...probe.stunAltPorts.map((port) => ({ ip: probe.bindIp, port, stunOnly: true })),
          ...vendorPorts.map(({ port }) => ({ ip: probe.bindIp, port, stunOnly: true })),
          // NAT behaviour (issue 11): the second address and the IPv6 address, on the TURN port (any port in tests).
          ...natExtraListeners,
        ],
        tcp: [
          { ip: probe.turnTcp.ip ?? probe.bindIp, port: probe.turnTcp.port, name: 'turn-tcp' },
          { ip: probe.turnTls.ip ?? probe.bindIp, port: probe.turnTls.port, name: 'turn-tls' },
        ],
        guard: this.connections,
        tls: { cert: tls.certPem, key: tls.keyPem },
        relayIp,
        relayPortMin: probe.relayPortMin,
        relayPortMax: probe.relayPortMax,
        maxAllocationsPerClient: config.turn.maxAllocationsPerClient,
        maxLifetimeS: config.turn.maxLifetimeS,
        udpReceiveBufferBytes: config.turn.udpReceiveBufferBytes,
        allowedPeers: [{ ip: probe.publicIp, portMin: probe.peerPortMin, portMax: probe.peerPortMax }],
        ...(turnLadder
          ? {
              allocateResponseSize: (tag: string) => {
                const size = sizeOfMtuTurnTag(tag);
                return size !== null && mtuConfig.sizes.includes(size) ? size : null;
              },
            }
          : {}),
        onEvent: (event) => {
          // A TURN ladder client may ask what path MTU the kernel learned towards it (GET …/path-mtu).
          if (event.type === 'allocation-created' && event.paddedToBytes !== undefined) this.mtu?.remember(event.client.ip);
          if (event.type === 'binding' && event.transport === 'udp') this.nat?.recordBinding(event.client, event.server);
          this.metrics.observeTurnEvent(event);
          logTurnEvent(this.logger, event);
          this.observe('turn', event);
        },
        tlsHandshakes: this.handshakeRecorder(),
        udpTap: (data, tuple) => this.nat?.tap(data, tuple) ?? false,
        ...(this.captures ? { capture: this.captures } : {}),
      });
      await this.turn.listen();
      this.peer = new MediaPeerServer({
        bindIp: probe.bindIp,
        publicIp: probe.publicIp,
        portMin: probe.peerPortMin,
        portMax: probe.peerPortMax,
        quality: {
          limits: { bulkRateKbps: probe.quality.bulkRateKbps, bulkWindowMs: probe.quality.bulkWindowMs },
          maxConcurrentBursts: probe.quality.maxConcurrentBursts,
        },
        onEvent: (event) => {
          this.metrics.observePeerEvent(event);
          logPeerEvent(this.logger, event);
          this.observe('peer', event);
          if (event.type === 'peer-closed') this.iceTcpPeer?.peerClosed(event.peerId);
        },
        ...(this.captures ? { onDatagram: this.peerDatagramRecorder(this.captures) } : {}),
      });
      await this.peer.warmUp();
      // ICE-TCP (issue 10): one passive TCP port in front of the UDP media peer, guarded like the other TCP listeners.
      this.iceTcp = new IceTcpServer({
        ip: probe.iceTcp.ip ?? probe.bindIp,
        port: probe.iceTcp.port,
        guard: this.connections,
        onEvent: (event) => this.onIceTcpEvent(event),
      });
      const iceTcpBound = await this.iceTcp.listen();
      this.iceTcpPeer = new IceTcpMediaPeer({
        mediaPeer: this.peer,
        iceTcp: this.iceTcp,
        advertised: { ip: probe.publicIp, port: iceTcpBound.port },
        // werift binds bindIp; a wildcard is reached on loopback.
        mediaIp: probe.bindIp === '0.0.0.0' ? '127.0.0.1' : probe.bindIp,
        // The media peer's own peer TTL (its default); the answer's registration never outlives its peer.
        answerTtlMs: 60_000,
      });
      this.logger.info(`netready ICE-TCP: passive endpoint of the media peer on ${iceTcpBound.ip}:${iceTcpBound.port} (advertised as ${probe.publicIp}:${iceTcpBound.port})`);
      const bound = this.turn.addresses();
      const udpPorts = bound.udp.map((a) => a.port);
      const tcpPorts = bound.tcp.map((a) => a.port);
      const endpoints: ProbeEndpoints = {
        publicIp: probe.publicIp,
        tlsHost: probe.publicHost ?? probe.publicIp,
        turnUdpPort: udpPorts[0]!,
        turnTcpPort: tcpPorts[0]!,
        turnTlsPort: tcpPorts[1]!,
        extraStunPorts: [
          ...probe.stunAltPorts.map((_, i) => ({ port: udpPorts[1 + i]!, role: 'alternate' as const })),
          ...vendorPorts.map((v, i) => ({ port: udpPorts[1 + probe.stunAltPorts.length + i]!, role: 'vendor' as const, target: v.target })),
        ],
        vendorHosts: config.targets.flatMap((t) => t.hosts.map((host) => ({ target: t.name, host }))),
        certificateSource: config.tls.acme ? 'acme' : tls.devCaPem ? 'development' : 'configured',
        iceTcp: { host: probe.publicIp, port: iceTcpBound.port },
      };
      // NAT behaviour (issue 11): the endpoints are UDP listeners of the TURN server, appended after the others.
      const turnUdp = this.turn;
      const natBase = 1 + probe.stunAltPorts.length + vendorPorts.length;
      const natBound = {
        primary: bound.udp[0]!,
        altPort: probe.stunAltPorts.length > 0 ? bound.udp[1]! : undefined,
        altAddress: probe.stunAltIp ? bound.udp[natBase]! : undefined,
        ipv6: probe.publicIpv6 ? bound.udp[natBase + (probe.stunAltIp ? 1 : 0)]! : undefined,
      };
      this.nat = new NatService({
        endpoints: [
          { role: 'primary' as const, bound: natBound.primary },
          ...(natBound.altPort ? [{ role: 'alt-port' as const, bound: natBound.altPort }] : []),
          ...(natBound.altAddress ? [{ role: 'alt-address' as const, bound: natBound.altAddress }] : []),
          ...(natBound.ipv6 ? [{ role: 'ipv6' as const, bound: natBound.ipv6 }] : []),
        ],
        send: (from, to, data) => turnUdp.sendUdpFrom(from, to, data),
      });
      endpoints.nat = {
        endpoints: [
          { role: 'primary', ip: probe.publicIp, port: natBound.primary.port },
          ...(natBound.altPort ? [{ role: 'alt-port' as const, ip: probe.publicIp, port: natBound.altPort.port }] : []),
          ...(natBound.altAddress ? [{ role: 'alt-address' as const, ip: natBound.altAddress.ip, port: natBound.altAddress.port }] : []),
          ...(natBound.ipv6 ? [{ role: 'ipv6' as const, ip: natBound.ipv6.ip, port: natBound.ipv6.port }] : []),
        ],
        missing: [
          ...(natBound.altPort ? [] : [{ role: 'alt-port' as const, why: 'the test server has no alternate STUN port (probe.stunAltPorts is empty)' }]),
          ...(natBound.altAddress ? [] : [{ role: 'alt-address' as const, why: 'the test server has no second IPv4 address configured (probe.stunAltIp)' }]),
          ...(natBound.ipv6 ? [] : [{ role: 'ipv6' as const, why: 'the test server has no IPv6 address configured (probe.publicIpv6)' }]),
        ],
        filtering: this.nat.filteringRoles().length > 0,
      };
      if (mtuRuns) {
        const ladderIp = mtuConfig.ip ?? probe.bindIp;
        // probe.publicIpv6 (issue 11) is the ladder's IPv6 address unless probe.mtu.ipv6 names another.
        const ladderIpv6 = mtuConfig.ipv6 ?? probe.publicIpv6;
        this.mtu = new MtuServer({ ipv4: ladderIp, ...(ladderIpv6 ? { ipv6: ladderIpv6 } : {}), firstPort: mtuConfig.firstPort, sizes: mtuConfig.sizes, fragmentSizes: mtuConfig.fragmentSizes });
        await this.mtu.listen();
        endpoints.mtu = {
          publicIpv4: listenerPublicIp(config, { ip: mtuConfig.ip }),
          ...(ladderIpv6 ? { ipv6: ladderIpv6 } : {}),
          rungs: this.mtu.rungs(),
          linkMtuBytes: { ipv4: this.mtu.linkMtu('ipv4'), ipv6: this.mtu.linkMtu('ipv6') },
          turnSizes: turnLadder ? [...mtuConfig.sizes] : [],
          turnLinkMtuBytes: linkMtuOf(turnUdpIp),
        };
      }
      let dnsSource: DnsLabelSource | undefined;
      // The region this node serves (issue 15): the GeoDNS's default, and named in the session's regions.
      const node = nodeRegion(config);
      if (config.dns.zone) {
        const geo = await openGeoIp(config.dns.geoipMmdb, (message) => this.logger.info(message));
        const authority = new DnsAuthority({
          zone: config.dns.zone,
          ipv4: [config.dns.answerIp ?? listenerPublicIp(config, probe.https)],
          // STUN/TURN names point where those listeners are, which may differ from the HTTPS listener's address.
          ipv4ByLabel: { turn: [probe.publicIp], stun: [probe.publicIp] },
          ...(config.dns.answerIpv6 ? { ipv6: [config.dns.answerIpv6] } : {}),
          ttlS: config.dns.ttlS,
          rateLimit: { queriesPerSecond: config.dns.maxQueriesPerSecondPerSource, burst: 2 * config.dns.maxQueriesPerSecondPerSource },
          // GeoDNS (issue 15): `media.<zone>` names the region a GeoDNS would choose, this node's by default.
          ...(node ? { geo: createGeoDns(config.regions, node.id, geo) } : {}),
        });
        this.dnsAuthority = authority;
        this.dnsServer = new DnsServer({
          authority,
          ip: config.dns.listen.ip ?? probe.bindIp,
          port: config.dns.listen.port,
          onError: (message, error) => this.logger.error({ err: error }, message),
          ...(this.captures ? { onMessage: this.captures.dnsMessage.bind(this.captures) } : {}),
        });
        await this.dnsServer.listen();
        const bound = this.dnsServer.address();
        this.logger.info(
          `netready DNS: authoritative for ${config.dns.zone} on ${bound.ip}:${bound.port} (UDP and TCP)` +
            (node ? `; GeoDNS for media.${config.dns.zone} over ${config.regions.map((r) => r.id).join(', ')} (default ${node.id})` : ''),
        );
        dnsSource = { label: (label) => authority.labels.get(label, Date.now()), geo: (ip) => geo.lookup(ip) };
      }
      const handler = createProbeApiHandler({
        sessions: this.sessions,
        endpoints,
        mediaPeer: this.iceTcpPeer,
        mintCredentials: (sessionId, tag) => {
          const creds = mintTurnCredentials({ secret, sessionId, ttlS: config.turn.credentialTtlS, nowMs: Date.now(), ...(tag === undefined ? {} : { tag }) });
          return { username: creds.username, credential: creds.credential, expiresAtMs: creds.expiresAt };
        },
        sessionLimiter: new SessionCreationLimiter({ perAddress: config.probe.maxSessionsPerMinute, perSubnet: config.probe.maxSessionsPerMinutePerSubnet }),
        onLimit: (event) => this.limits.record(event),
        version: PROBE_VERSION,
        logError: (message, error) => this.logger.error({ err: error, requestId: this.requestContext.getStore()?.requestId }, message),
        tlsHandshakes: this.tlsHandshakes,
        ...(dnsSource ? { dns: dnsSource } : {}),
        ...(this.mtu ? { mtu: this.mtu } : {}),
        ...(this.nat ? { nat: this.nat } : {}),
        ...(this.captures ? { capture: this.captures } : {}),
      });
      // Echo (both listeners), TLS mirror (HTTPS) and WebSocket echo `/ws` (both) in front of the probe API.
      const observe = (sessionId: string, observation: { source: 'http'; kind: string; data: Record<string, unknown> }): void =>
        this.sessions.observe(sessionId, observation);
      const plainRoutes = createMirrorRoutes({ listener: 'http', observe });
      const dnsZone = config.dns.zone?.toLowerCase();
      const inZone = (name: string): boolean => dnsZone !== undefined && name.toLowerCase().endsWith(`.${dnsZone}`);
      // Zone names get HTTP/1.1 only: an HTTP/2 connection to one fresh name could carry the next one's request.
      const http1Only = inZone;
      const tlsRoutes = createMirrorRoutes({
        listener: 'https',
        observe,
        clientHelloOf: (req) => this.mirror?.clientHelloOf(req) ?? null,
        offersH2: (req) => {
          const name = (req.socket as { servername?: string | false }).servername;
          return !(typeof name === 'string' && http1Only(name));
        },
      });
      const webSocketEcho = new WebSocketEcho();
      this.webSocketEcho = webSocketEcho;
      this.httpServer = http.createServer((req, res) => {
        this.serveObserved('http', req, res, () => {
          if (!plainRoutes(req, res)) handler(req, res);
        });
      });
      this.httpServer.on('upgrade', (req, socket, head) => webSocketEcho.handleUpgrade(req, socket, head));
      guardHttpServer(this.httpServer, this.connections, 'http');
      this.mirror = new TlsMirrorServer({
        cert: tls.certPem,
        key: tls.keyPem,
        ...(tls.zone && dnsZone ? { zoneTls: { cert: tls.zone.certPem, key: tls.zone.keyPem, matches: inZone } } : {}),
        // HTTP/2 requests reach the probe API through Node's compat layer, which has the same surface it uses.
        onRequest: (req, res) => {
          this.serveObserved('https', req, res, () => {
            if (!tlsRoutes(req, res)) handler(req as http.IncomingMessage, res as http.ServerResponse);
          });
        },
        onUpgrade: (req, socket, head) => webSocketEcho.handleUpgrade(req, socket, head),
        http1OnlyFor: http1Only,
        handshakes: this.handshakeRecorder(),
        guard: this.connections,
        name: 'https',
        keepRawClientHello: this.captures !== undefined,
      });
      const httpAddr = await listenHttp(this.httpServer, probe.http.ip ?? probe.bindIp, probe.http.port);
      const httpsAddr = await this.mirror.listen(probe.https.port, probe.https.ip ?? probe.bindIp);
      // Mirror/echo/WebSocket URLs name the bound ports (port 0 in tests); no request arrives before start() returns.
      endpoints.mirror = {
        httpBaseUrl: probePublicUrl(config, httpAddr.port),
        httpsBaseUrl: probePublicHttpsUrl(config, httpsAddr.port),
      };
      // Lookup URLs name the bound HTTPS port (port 0 in tests); no request can arrive before start() returns.
      if (config.dns.zone) endpoints.dns = { zone: config.dns.zone, httpsPort: httpsAddr.port };
      // Regions (issue 15): every node as configured; this node's own as it listens (bound ports, in tests port 0).
      if (node) {
        endpoints.regions = {
          node: node.id,
          list: config.regions.map((region) => {
            const own = region.id === node.id;
            const stun = own ? `stun:${probe.publicIp}:${udpPorts[0]!}` : `stun:${region.publicIp}:${region.stunPort}`;
            const https = own ? endpoints.mirror!.httpsBaseUrl : regionHttpsUrl(region);
            return { id: region.id, label: region.label, location: { ...region.location }, stunUrl: stun, pingUrl: `${https}/v1/dns/ping`, apiUrl: https };
          }),
        };
      }
      if (config.tls.acme) await this.startAcme(tls);
      else if (config.tls.certFile && config.tls.keyFile) this.watchCertificateFiles(tls);
      this.sweepTimer = setInterval(() => {
        this.sessions.sweep();
        this.nat?.sweep();
        this.captures?.sweep();
      }, 30_000);
      this.sweepTimer.unref();
      if (this.captures) {
        // Captures live as long as results (results.retentionDays): deleted once now and then hourly.
        const captures = this.captures;
        const sweepRetention = (): void => {
          captures.sweepRetention().catch((error: unknown) => this.logger.error({ err: error }, 'netready capture: retention sweep failed'));
        };
        sweepRetention();
        this.retentionTimer = setInterval(sweepRetention, 3_600_000);
        this.retentionTimer.unref();
      }
      this.certificateServed('main', tls.certPem);
      if (tls.zone) this.certificateServed('zone', tls.zone.certPem);
      this.state = 'running';
      return {
        endpoints,
        httpUrl: probePublicUrl(config, httpAddr.port),
        httpsUrl: probePublicHttpsUrl(config, httpsAddr.port),
        tls,
        ...(this.dnsServer && config.dns.zone ? { dns: { zone: config.dns.zone, ...this.dnsServer.address() } } : {}),
      };
    } catch (error) {
      await this.stop();
      throw error;
    }
  }

  /**
   * ACME: the HTTP-01 listener (http-01), then stored certificates kept or missing ones obtained (with progress lines)
   * before start() returns, renewals scheduled. Every new certificate goes to HTTPS and TURN/TLS at once.
   */
  private async startAcme(tls: TlsMaterial): Promise<void> {
    const { config } = this;
    const acmeConfig = config.tls.acme!;
    if (acmeConfig.challenge === 'http-01') {
      this.http01 = new Http01Responder({
        ip: config.probe.bindIp,
        port: acmeConfig.http01Port,
        onRequest: (token, answered, from) =>
          this.logger.info({ clientAddress: from, token, answered }, `netready: ACME: the http-01 token ${token} was asked for${answered ? '' : ' (not pending: 404)'}`),
      });
      const bound = await this.http01.listen();
      this.logger.info(`netready: ACME: http-01 listener on ${bound.address}:${bound.port}`);
      if (config.dns.zone) {
        this.logger.info(`netready: ACME: the probe zone's names (*.${config.dns.zone}) need a wildcard certificate, which http-01 cannot prove; they keep the development certificate (set tls.acme.challenge to "dns-01" for a trusted one)`);
      }
    }
    if (tls.acmePending) this.logger.info('netready: ACME: no stored certificate yet; obtaining one before the probe is ready');
    this.acme = new AcmeCertificates({
      acme: acmeConfig,
      dataDir: config.dataDir,
      orders: acmeOrders(config),
      ...(this.http01 ? { http01: this.http01 } : {}),
      ...(acmeConfig.challenge === 'dns-01' && this.dnsAuthority ? { dns01: this.dnsAuthority } : {}),
      now: this.now,
      log: { info: (message) => this.logger.info(`netready: ${message}`), error: (message, error) => this.logger.error({ err: error }, `netready: ${message}`) },
      onCertificate: (name, certificate) => this.serveCertificate(name, { cert: certificate.certPem, key: certificate.keyPem }),
      onRenewalFailed: (name) => this.metrics.acmeRenewalFailed(name),
    });
    const current = await this.acme.start();
    const main = current.get('main');
    if (main) Object.assign(tls, { certPem: main.certPem, keyPem: main.keyPem, certFile: path.join(config.dataDir, 'acme', 'main', 'cert.pem'), acmePending: false });
    const zone = current.get('zone');
    if (zone) tls.zone = { certPem: zone.certPem, keyPem: zone.keyPem, certFile: path.join(config.dataDir, 'acme', 'zone', 'cert.pem') };
  }

  /** Reloads the configured certificate files when they change (server/tls/certificate-files.ts). */
  private watchCertificateFiles(tls: TlsMaterial): void {
    const { tls: files } = this.config;
    const pairs: { name: AcmeCertificateName; certFile: string; keyFile: string; current: { cert: string; key: string } }[] = [
      { name: 'main', certFile: files.certFile!, keyFile: files.keyFile!, current: { cert: tls.certPem, key: tls.keyPem } },
    ];
    if (files.zoneCertFile && files.zoneKeyFile && tls.zone) {
      pairs.push({ name: 'zone', certFile: files.zoneCertFile, keyFile: files.zoneKeyFile, current: { cert: tls.zone.certPem, key: tls.zone.keyPem } });
    }
    for (const pair of pairs) {
      const watcher = new CertificateFileWatcher({
        ...pair,
        intervalMs: this.certificateWatchIntervalMs,
        onChange: (changed) => this.serveCertificate(pair.name, changed),
        onProblem: (message) => this.logger.error(`netready: ${message}`),
      });
      watcher.start();
      this.certificateWatchers.push(watcher);
    }
  }

  /** Serves a new certificate from now on: new TLS connections get it, open ones keep theirs. */
  private serveCertificate(name: AcmeCertificateName, pair: { cert: string; key: string }): void {
    try {
      if (name === 'main') {
        this.mirror?.setCertificate(pair);
        this.turn?.setCertificate(pair);
      } else this.mirror?.setZoneCertificate(pair);
      this.certificateServed(name, pair.cert);
      this.logger.info(`netready: now serving the ${name} certificate with serial ${new X509Certificate(pair.cert).serialNumber} (HTTPS${name === 'main' ? ' and TURN over TLS' : ', probe zone names'})`);
    } catch (error) {
      this.logger.error({ err: error }, `netready: the new ${name} certificate could not be loaded; still serving the previous one`);
    }
  }

  /** Remembers the certificate served as `name` (readiness) and publishes its expiry (metrics). */
  private certificateServed(name: 'main' | 'zone', certPem: string): void {
    this.servedCertificates.set(name, certPem);
    try {
      this.metrics.certificateServed(name, certPem);
    } catch (error) {
      this.logger.error({ err: error }, `netready: cannot read the expiry of the ${name} certificate`);
    }
  }

  /** What the TLS listeners report handshakes to: the per-address log (diagnosis evidence) and the metrics. */
  private handshakeRecorder(): Pick<TlsHandshakeLog, 'completed' | 'failed'> {
    return {
      completed: (address, listener, serverName) => {
        this.tlsHandshakes.completed(address, listener, serverName);
        this.metrics.tlsHandshake(listener, 'completed');
      },
      failed: (address, listener, error, serverName) => {
        this.tlsHandshakes.failed(address, listener, error, serverName);
        const { outcome, alert } = classifyHandshakeError(error);
        this.metrics.tlsHandshake(listener, outcome);
        // Debug: scanners and untrusting browsers make many; the counters and the session evidence say enough.
        this.logger.debug({ listener, outcome, alert, clientAddress: address }, 'tls handshake failed');
      },
    };
  }

  /** Handles one request of the HTTP(S) API inside its request context: request id, log line, counted answer. */
  private serveObserved(listener: 'http' | 'https', req: http.IncomingMessage | import('node:http2').Http2ServerRequest, res: http.ServerResponse | import('node:http2').Http2ServerResponse, handle: () => void): void {
    let pathname = '/';
    try {
      pathname = new URL(req.url ?? '/', 'http://probe.invalid').pathname;
    } catch {
      // Unparsable targets are answered 404 by the handler; "/" is only the log's name for them.
    }
    const route = probeRouteOf(pathname);
    const context = observeHttpExchange(req, res, {
      logger: this.logger,
      route,
      clientAddress: req.socket.remoteAddress ?? 'unknown',
      // Preflights and DNS-timing pings are many per run and say little.
      level: req.method === 'OPTIONS' || route === '/v1/dns/ping' ? 'debug' : 'info',
      onAnswer: (status) => this.metrics.httpAnswer(listener, route, status),
    });
    const sessionId = sessionIdOfPath(pathname) ?? (/[?&]session=([A-Za-z0-9_-]{1,64})/.exec(req.url ?? '')?.[1]);
    if (sessionId) context.sessionId = sessionId;
    // The capture's own download is not part of the run it records.
    if (sessionId && this.captures && route !== '/v1/sessions/:id/capture.pcapng') this.captureRequest(listener, sessionId, req);
    this.requestContext.run(context, handle);
  }

  /**
   * Issue 20: the media peer's datagrams into their session's capture — except those with netready's own relay
   * addresses, which the TURN server records as relayed (one packet, one record).
   */
  private peerDatagramRecorder(captures: CaptureStore): (datagram: PeerDatagram) => void {
    const { publicIp, relayPortMin, relayPortMax } = this.config.probe;
    return ({ sessionId, local, remote, data, inbound }) => {
      if (remote.ip === publicIp && remote.port >= relayPortMin && remote.port <= relayPortMax) return;
      captures.peerDatagram(sessionId, local, remote, data, inbound);
    };
  }

  /**
   * Issue 20: a request naming a session goes into its capture — over TLS the connection's ClientHello records (once
   * per connection), over plain HTTP the request head as the server parsed it — and a probe DNS name it was sent to
   * ties that label to the session, filing the DNS queries that led here. Never throws into the request.
   */
  private captureRequest(listener: 'http' | 'https', sessionId: string, req: http.IncomingMessage | import('node:http2').Http2ServerRequest): void {
    const captures = this.captures!;
    try {
      if (!captures.captureOf(sessionId)) return;
      const host = (req.headers[':authority'] ?? req.headers.host ?? '').toString().toLowerCase();
      const label = host.split('.')[0] ?? '';
      if (label.startsWith('nr-') && host.includes('.')) captures.tieLabel(label, sessionId);
      if (listener === 'https') {
        const raw = this.mirror?.rawClientHelloOf(req);
        if (!raw || this.capturedHellos.has(raw)) return;
        this.capturedHellos.add(raw);
        const sni = (req.socket as { servername?: unknown }).servername;
        captures.sessionSegment(sessionId, 'https', raw.client, raw.server, raw.bytes, `TLS ClientHello${typeof sni === 'string' && sni ? ` (SNI ${sni})` : ' (no SNI)'}`, raw.atMs);
        return;
      }
      const socket = req.socket;
      if (!socket.remoteAddress || !socket.localAddress) return;
      const lines = [`${req.method ?? 'GET'} ${req.url ?? '/'} HTTP/${req.httpVersion}`];
      for (let i = 0; i + 1 < req.rawHeaders.length; i += 2) lines.push(`${req.rawHeaders[i]}: ${req.rawHeaders[i + 1]}`);
      const head = new TextEncoder().encode(`${lines.join('\r\n')}\r\n\r\n`);
      const client = { ip: canonicalIp(socket.remoteAddress), port: socket.remotePort ?? 0 };
      const server = { ip: canonicalIp(socket.localAddress), port: socket.localPort ?? 0 };
      captures.sessionSegment(sessionId, 'http', client, server, head, `${req.method ?? 'GET'} ${pathOf(req.url)} (the request head as the server parsed it)`);
    } catch (error) {
      this.logger.debug({ err: error, sessionId }, 'netready capture: a request could not be recorded');
    }
  }

  /** ICE-TCP events: logged, and filed under the session as the media peer's (what the server saw). */
  private onIceTcpEvent(event: IceTcpEvent): void {
    switch (event.type) {
      case 'ice-tcp-accepted':
        this.logger.info({ sessionId: event.sessionId, peerId: event.peerId, clientAddress: event.remoteAddress, firstMessageMs: event.firstMessageMs }, 'ice-tcp connection accepted');
        break;
      case 'ice-tcp-closed':
        this.logger.info({ sessionId: event.sessionId, peerId: event.peerId, clientAddress: event.remoteAddress, reason: event.reason, lifetimeMs: event.lifetimeMs }, 'ice-tcp connection closed');
        break;
      case 'ice-tcp-refused':
        // Debug: scanners make many; nothing was forwarded.
        this.logger.debug({ clientAddress: event.remoteAddress, reason: event.reason }, 'ice-tcp connection refused');
        break;
    }
    this.observe('peer', event);
  }

  /** Files a server event that names a session (TURN username, media-peer offer) under that session. */
  private observe(source: 'turn' | 'peer', event: { type: string }): void {
    const { type, ...data } = event as { type: string } & Record<string, unknown>;
    if (typeof data.sessionId === 'string') this.sessions.observe(data.sessionId, { source, kind: type, data });
  }

  /** Closes every listener and peer; safe to call more than once. */
  async stop(): Promise<void> {
    // Not ready from the first moment of shutting down, so a load balancer stops sending before listeners close.
    if (this.state !== 'new') this.state = 'stopping';
    if (this.sweepTimer) clearInterval(this.sweepTimer);
    if (this.retentionTimer) clearInterval(this.retentionTimer);
    this.acme?.stop();
    this.acme = undefined;
    for (const watcher of this.certificateWatchers.splice(0)) watcher.stop();
    const closeHttp = (server?: http.Server): Promise<void> =>
      new Promise((resolve) => {
        if (!server || !server.listening) return resolve();
        server.close(() => resolve());
        server.closeAllConnections();
      });
    this.webSocketEcho?.close();
    this.webSocketEcho = undefined;
    this.nat?.close();
    this.nat = undefined;
    await Promise.allSettled([closeHttp(this.httpServer), this.mirror?.close(), this.peer?.close(), this.iceTcp?.close(), this.turn?.close(), this.mtu?.close(), this.dnsServer?.close(), this.http01?.close()]);
    // Live captures are written out (a restart must not lose the captures of runs just finished).
    await this.captures?.close().catch((error: unknown) => this.logger.error({ err: error }, 'netready capture: could not write the live captures'));
    this.mtu = undefined;
    this.http01 = undefined;
    this.dnsAuthority = undefined;
    this.dnsServer = undefined;
    this.httpServer = undefined;
    this.mirror = undefined;
    this.peer = undefined;
    this.iceTcp = undefined;
    this.iceTcpPeer = undefined;
    this.turn = undefined;
    if (this.state === 'stopping') this.state = 'stopped';
  }
}
