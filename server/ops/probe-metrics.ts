/**
 * The probe process's Prometheus metrics (prom-client): one Registry per ProbeServer, nothing registered globally.
 *
 * Two ways in, neither of which changes how the servers work:
 * - events the servers already emit (TURN allocations and refusals, media-peer connections, connection limits,
 *   TLS handshakes, sessions, certificates) are counted as they happen;
 * - counters the protocol cores keep themselves (STUN/TURN messages and relayed bytes, DNS answers) and gauges of
 *   live state (sessions) are read when Prometheus scrapes, through {@link ProbeMetricSources}.
 * Metric names and labels are listed in README "Operations"; dashboards key on them, so treat them as API.
 */
import { Counter, Gauge, Registry } from 'prom-client';
import type { DnsAuthorityStats } from '../../lib/protocol/dns/authority';
import type { TurnEvent, TurnTrafficSnapshot, TurnTransport } from '../../lib/protocol/turn/server';
import type { LimitEvent } from '../net/limit-events';
import type { MediaPeerEvent } from '../peer/media-peer';
import type { HandshakeOutcome, TlsListener } from '../tls-mirror/handshake-log';
import { addProcessMetrics } from './process-metrics';
import { certificateNotAfterMs } from './readiness';

/** Live state read at scrape time; each source may be absent (a server not started, no DNS zone). */
export interface ProbeMetricSources {
  /** The TURN core's message and relay counters. */
  turnTraffic?: () => TurnTrafficSnapshot | undefined;
  /** Live test sessions. */
  liveSessions?: () => number;
  /** The authoritative DNS server's answer counters (only with `dns.zone`). */
  dnsStats?: () => DnsAuthorityStats | undefined;
}

const TRANSPORTS: readonly TurnTransport[] = ['udp', 'tcp', 'tls'];

/** RFC 1035 §4.1.1 / RFC 6891 response codes by name, for the `answer` label of DNS queries. */
const DNS_RCODE_NAMES: Readonly<Record<number, string>> = { 0: 'noerror', 1: 'formerr', 2: 'servfail', 3: 'nxdomain', 4: 'notimp', 5: 'refused' };

/** Allocate error codes (RFC 8656 §7.2 / §18) by the reason name used in `netready_turn_allocations_refused_total`. */
const ALLOCATION_REFUSAL_REASONS: Readonly<Record<number, string>> = {
  400: 'bad-request',
  440: 'address-family-not-supported',
  442: 'unsupported-transport',
  486: 'quota-reached',
  508: 'insufficient-capacity',
};

/** The class of an HTTP status for the `status_class` label: `2xx` … `5xx`. */
export function statusClassOf(status: number): string {
  return status >= 100 && status < 600 ? `${Math.floor(status / 100)}xx` : 'other';
}

/** The probe's metrics. Created with the ProbeServer; `registry.metrics()` is what `/metrics` serves. */
export class ProbeMetrics {
  /** This probe server's registry (never prom-client's global default one). */
  readonly registry = new Registry();
  private sources: ProbeMetricSources = {};
  private readonly sessionsCreated: Counter;
  private readonly sessionsRefused: Counter<'reason'>;
  private readonly allocationsCreated: Counter<'transport'>;
  private readonly allocationsActive: Gauge<'transport'>;
  private readonly allocationsEnded: Counter<'transport' | 'reason'>;
  private readonly allocationsRefused: Counter<'transport' | 'reason'>;
  private readonly authFailures: Counter<'transport' | 'reason'>;
  private readonly permissionsRefused: Counter<'reason'>;
  private readonly connectionLimits: Counter<'listener' | 'reason'>;
  private readonly handshakes: Counter<'listener' | 'outcome'>;
  private readonly peersCreated: Counter;
  private readonly peerConnections: Counter<'candidate_type'>;
  private readonly peersClosed: Counter<'reason'>;
  private readonly peersActive: Gauge;
  private readonly certificateExpiry: Gauge<'certificate'>;
  private readonly acmeRenewalFailures: Counter<'certificate'>;
  private readonly httpResponses: Counter<'listener' | 'route' | 'status_class'>;
  private processMetrics = false;

  /** Creates and registers every metric (no I/O). */
  constructor() {
    const registers = [this.registry];
    const sources = (): ProbeMetricSources => this.sources;
    this.sessionsCreated = new Counter({ name: 'netready_sessions_created_total', help: 'Test sessions opened (POST /v1/sessions answered 201).', registers });
    this.sessionsRefused = new Counter({ name: 'netready_sessions_refused_total', help: 'Test sessions refused, by limit (sessions-per-address, sessions-per-subnet, sessions-full).', labelNames: ['reason'], registers });
    new Gauge({
      name: 'netready_sessions_live',
      help: 'Test sessions not yet expired.',
      registers,
      collect() {
        const live = sources().liveSessions?.();
        if (live !== undefined) this.set(live);
      },
    });
    this.allocationsCreated = new Counter({ name: 'netready_turn_allocations_created_total', help: 'TURN allocations made, by client transport (udp, tcp, tls).', labelNames: ['transport'], registers });
    this.allocationsActive = new Gauge({ name: 'netready_turn_allocations_active', help: 'TURN allocations alive now, by client transport.', labelNames: ['transport'], registers });
    this.allocationsEnded = new Counter({ name: 'netready_turn_allocations_ended_total', help: 'TURN allocations ended, by client transport and reason (expired, deleted, connection-closed, server-closed).', labelNames: ['transport', 'reason'], registers });
    this.allocationsRefused = new Counter({
      name: 'netready_turn_allocations_refused_total',
      help: 'Allocate requests refused after authentication, by client transport and reason (quota-reached, insufficient-capacity, bad-request, unsupported-transport, address-family-not-supported).',
      labelNames: ['transport', 'reason'],
      registers,
    });
    this.authFailures = new Counter({ name: 'netready_turn_auth_failures_total', help: 'TURN requests with credentials that failed, by client transport and reason (expired-username, bad-integrity …).', labelNames: ['transport', 'reason'], registers });
    this.permissionsRefused = new Counter({ name: 'netready_turn_permissions_refused_total', help: 'TURN peers refused (403 or dropped), by reason (loopback, private, no-permission …).', labelNames: ['reason'], registers });
    for (const transport of TRANSPORTS) {
      this.allocationsCreated.inc({ transport }, 0);
      this.allocationsActive.set({ transport }, 0);
    }
    new Counter({
      name: 'netready_stun_requests_total',
      help: 'STUN/TURN requests answered and indications received, by client transport, class (request, indication), method and response (success, an error code, none for indications).',
      labelNames: ['transport', 'class', 'method', 'response'],
      registers,
      collect() {
        const traffic = sources().turnTraffic?.();
        if (!traffic) return;
        this.reset();
        for (const m of traffic.messages) this.inc({ transport: m.transport, class: m.cls, method: m.method, response: m.response }, m.count);
      },
    });
    const relayed = (field: 'bytes' | 'packets', help: string) =>
      new Counter({
        name: field === 'bytes' ? 'netready_turn_relayed_bytes_total' : 'netready_turn_relayed_datagrams_total',
        help,
        labelNames: ['transport', 'direction'],
        registers,
        collect() {
          const traffic = sources().turnTraffic?.();
          if (!traffic) return;
          this.reset();
          for (const transport of TRANSPORTS) {
            const c = traffic.relayed[transport];
            this.inc({ transport, direction: 'client_to_peer' }, field === 'bytes' ? c.bytesToPeer : c.packetsToPeer);
            this.inc({ transport, direction: 'peer_to_client' }, field === 'bytes' ? c.bytesFromPeer : c.packetsFromPeer);
          }
        },
      });
    relayed('bytes', 'Payload bytes relayed by TURN, by client transport and direction (client_to_peer, peer_to_client).');
    relayed('packets', 'Datagrams relayed by TURN, by client transport and direction (client_to_peer, peer_to_client).');
    new Counter({
      name: 'netready_turn_relay_dropped_datagrams_total',
      help: 'Datagrams TURN did not relay (no permission for the peer, peer refused), by client transport.',
      labelNames: ['transport'],
      registers,
      collect() {
        const traffic = sources().turnTraffic?.();
        if (!traffic) return;
        this.reset();
        for (const transport of TRANSPORTS) this.inc({ transport }, traffic.relayed[transport].packetsDropped);
      },
    });
    this.connectionLimits = new Counter({
      name: 'netready_connection_limit_events_total',
      help: 'Connections refused, evicted or closed by a limit, by listener (turn-tcp, turn-tls, https, http) and reason (per-address, handshake-timeout …).',
      labelNames: ['listener', 'reason'],
      registers,
    });
    this.handshakes = new Counter({ name: 'netready_tls_handshakes_total', help: 'TLS handshakes on the HTTPS listener and TURN over TLS, by listener and outcome (completed, certificate-rejected, failed).', labelNames: ['listener', 'outcome'], registers });
    this.peersCreated = new Counter({ name: 'netready_media_peers_created_total', help: 'Server-side media peers created for a page (an SDP answer given).', registers });
    this.peerConnections = new Counter({ name: 'netready_media_peer_connections_total', help: 'Media peers whose ICE connected, by the remote candidate type (relay, prflx, srflx, host).', labelNames: ['candidate_type'], registers });
    this.peersClosed = new Counter({ name: 'netready_media_peers_closed_total', help: 'Media peers closed, by reason (ttl, connect-timeout, ice-failed, channel-closed …).', labelNames: ['reason'], registers });
    this.peersActive = new Gauge({ name: 'netready_media_peers_active', help: 'Media peers alive now.', registers });
    new Counter({
      name: 'netready_dns_queries_total',
      help: 'Queries to the authoritative DNS server (with dns.zone), by answer (noerror, nxdomain, refused, formerr, servfail, notimp, or ignored-<reason> when none was sent).',
      labelNames: ['answer'],
      registers,
      collect() {
        const stats = sources().dnsStats?.();
        if (!stats) return;
        this.reset();
        for (const [rcode, count] of Object.entries(stats.byRcode)) this.inc({ answer: DNS_RCODE_NAMES[Number(rcode)] ?? `rcode-${rcode}` }, count);
        for (const [reason, count] of Object.entries(stats.ignored)) this.inc({ answer: `ignored-${reason}` }, count);
      },
    });
    new Counter({
      name: 'netready_dns_truncated_responses_total',
      help: 'DNS answers sent truncated (TC) over UDP, so the resolver retries over TCP.',
      registers,
      collect() {
        const stats = sources().dnsStats?.();
        if (!stats) return;
        this.reset();
        this.inc(stats.truncated);
      },
    });
    this.certificateExpiry = new Gauge({ name: 'netready_certificate_expiry_timestamp_seconds', help: 'When the served certificate expires (Unix time, seconds), by certificate (main; zone for the probe zone names).', labelNames: ['certificate'], registers });
    this.acmeRenewalFailures = new Counter({ name: 'netready_acme_renewal_failures_total', help: 'ACME renewals that failed (the current certificate stays in use; retried an hour later), by certificate.', labelNames: ['certificate'], registers });
    this.httpResponses = new Counter({
      name: 'netready_probe_http_responses_total',
      help: 'Answers of the probe HTTP API and mirror endpoints, by listener (http, https), route and status class.',
      labelNames: ['listener', 'route', 'status_class'],
      registers,
    });
  }

  /** Where scrape-time values come from (called by ProbeServer once its servers exist). */
  bind(sources: ProbeMetricSources): void {
    this.sources = { ...this.sources, ...sources };
  }

  /**
   * Adds prom-client's process metrics (CPU, memory, event-loop lag, open files) to this registry. Once per
   * process: the probe's entry point calls it, not every ProbeServer a test makes.
   */
  addProcessMetrics(): void {
    if (this.processMetrics) return;
    this.processMetrics = true;
    addProcessMetrics(this.registry);
  }

  /** Counts a TURN server event (allocations made, ended, refused; failed authentication; refused peers). */
  observeTurnEvent(event: TurnEvent): void {
    switch (event.type) {
      case 'allocation-created':
        this.allocationsCreated.inc({ transport: event.transport });
        this.allocationsActive.inc({ transport: event.transport });
        break;
      case 'allocation-ended':
        this.allocationsActive.dec({ transport: event.transport });
        this.allocationsEnded.inc({ transport: event.transport, reason: event.reason });
        break;
      case 'allocation-refused':
        this.allocationsRefused.inc({ transport: event.transport, reason: ALLOCATION_REFUSAL_REASONS[event.code] ?? `error-${event.code}` });
        break;
      case 'auth-failed':
        this.authFailures.inc({ transport: event.transport, reason: event.reason });
        break;
      case 'permission-refused':
        this.permissionsRefused.inc({ reason: event.reason });
        break;
      default:
        break;
    }
  }

  /** Counts a media-peer event. */
  observePeerEvent(event: MediaPeerEvent): void {
    if (event.type === 'peer-created') {
      this.peersCreated.inc();
      this.peersActive.inc();
    } else if (event.type === 'peer-connected') {
      this.peerConnections.inc({ candidate_type: event.remoteCandidateType });
    } else if (event.type === 'peer-closed') {
      this.peersClosed.inc({ reason: event.reason });
      this.peersActive.dec();
    }
  }

  /** Counts a limit event: session refusals by reason, connection limits by listener and reason. */
  observeLimit(event: LimitEvent): void {
    if (event.scope === 'sessions') this.sessionsRefused.inc({ reason: event.reason });
    else this.connectionLimits.inc({ listener: event.scope, reason: event.reason });
  }

  /** Counts an opened test session. */
  sessionCreated(): void {
    this.sessionsCreated.inc();
  }

  /** Counts how a TLS handshake ended. */
  tlsHandshake(listener: TlsListener, outcome: HandshakeOutcome): void {
    this.handshakes.inc({ listener, outcome });
  }

  /** Records the expiry of the certificate now served as `name`. */
  certificateServed(name: 'main' | 'zone', certPem: string): void {
    this.certificateExpiry.set({ certificate: name }, Math.floor(certificateNotAfterMs(certPem) / 1000));
  }

  /** Counts a failed ACME renewal. */
  acmeRenewalFailed(name: 'main' | 'zone'): void {
    this.acmeRenewalFailures.inc({ certificate: name });
  }

  /** Counts an HTTP answer of the probe's API listeners. */
  httpAnswer(listener: 'http' | 'https', route: string, status: number): void {
    this.httpResponses.inc({ listener, route, status_class: statusClassOf(status) });
  }
}
