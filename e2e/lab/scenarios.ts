/**
 * The lab's scenario table, as data: one row per corporate network. Each row says how the network is built
 * (`network`, `client`), what netready must conclude (`expect`: verdict, finding codes that must and must not
 * appear, what each TURN transport must do), what the servers must have seen (`expect.server`), what the
 * network itself must demonstrably do, checked independently of netready (`expect.ground`), and which
 * expectations need probes not built yet (`pending`: printed as PENDING, never as passed).
 *
 * Expectations come from shared/LAB.md (what Chromium did in these networks) and the diagnosis rules; where
 * they disagree with what netready says, the row fails and the report says why — rows are never bent to pass.
 */
import { ADDR, PORTS, type NetworkSpec } from './topology';

/** What one TURN transport must do. */
export type RelayExpectation =
  /** A relay was allocated and every echo came back. */
  | 'data'
  /** No relay candidate at all. */
  | 'no-relay'
  /** A relay was allocated, but the echoes did not all come back. */
  | 'allocated-no-data';

/** A verdict of the result schema. */
export type Verdict = 'ready' | 'degraded' | 'blocked' | 'inconclusive';

/** Facts about the network itself, checked from the client namespace with tools other than netready. */
export type GroundCheck =
  /** Lookup of `turn.netready.lab` at the client's resolver: answers, NXDOMAIN, no answer, or answers late. */
  | { kind: 'dns'; expect: 'resolves' | 'nxdomain' | 'timeout' | 'slow' }
  /** A STUN Binding to coturn (UDP 3478, turnutils_stunclient) gets an answer or not. */
  | { kind: 'coturn-udp'; expect: 'answered' | 'no-answer' }
  /** The router's UDP mappings (conntrack) towards the probe keep the client's source port or not. */
  | { kind: 'nat-mapping'; expect: 'port-preserving' | 'port-changing' }
  /** The squid the client used logged requests matching each pattern (e.g. `TCP_DENIED/407 .* CONNECT 10.213.2.10:443`). */
  | { kind: 'proxy-log'; proxy: 'plain' | 'auth' | 'bump'; patterns: string[] }
  /** A STUN Binding round trip to coturn takes at least this long (the lab really delays). */
  | { kind: 'min-rtt'; minMs: number };

/** What the TURN server and HTTP API must have seen for the run's session. */
export interface ServerExpectation {
  /** Address the HTTP API saw the session request from. */
  sessionFrom: string;
  /** Per transport: the client address of the allocation(s) the TURN server created, or null for none. */
  allocations: Record<'udp' | 'tcp' | 'tls', string | null>;
}

/** A capability a row needs that netready does not have yet. */
export interface Pending {
  /** Capability (and issue) it waits for. */
  capability: string;
  /** Finding codes the row will expect once the capability exists. */
  findings: string[];
  /** What to assert then. */
  note: string;
}

/** One scenario. */
export interface Scenario {
  id: string;
  /** One line: what network this reproduces. */
  title: string;
  network: NetworkSpec;
  client: {
    /** Chromium's proxy (`--proxy-server`), or the environment's (`http_proxy`/`no_proxy`). */
    proxy?: { via: 'flag' | 'env'; url: string; noProxy?: string };
    /** Trust the ssl-bump squid's CA in the client's NSS DB (--trust-ca). */
    trustInspectionCa?: boolean;
    /**
     * Load the page exactly as deployed: plain HTTP from a non-localhost address, not a secure context. By
     * default the lab's Chromium treats the web app's origin as secure (`--unsafely-treat-insecure-origin-as-
     * secure`), because the runner needs a secure context today; one row runs without it to keep that visible.
     */
    insecureOrigin?: boolean;
  };
  expect: {
    verdict: Verdict;
    /** Finding codes that must appear. */
    findings: string[];
    /** Finding codes that must not appear. */
    absent: string[];
    /** No finding of these severities at all (the `open` row: nothing to warn about). */
    noFindingsOfSeverity?: Array<'warning' | 'blocker'>;
    relays: Record<'udp' | 'tcp' | 'tls', RelayExpectation>;
    /** UDP STUN ports that must answer / must not answer (the port matrix). */
    stunAnswered: number[];
    stunSilent: number[];
    server: ServerExpectation;
    ground: GroundCheck[];
  };
  pending: Pending[];
}

const ALL_UDP = [PORTS.turnUdp, PORTS.stunAlt];
const PROXY_FLAG = (port: number): Scenario['client'] => ({ proxy: { via: 'flag', url: `http://${ADDR.routerClientSide}:${port}` } });
const OPEN: NetworkSpec = { egress: { kind: 'all' }, nat: 'port-preserving', dns: 'records' };
const NO_WARNINGS: Array<'warning' | 'blocker'> = ['warning', 'blocker'];
const TRANSPORT_FINDINGS = ['udp-blocked', 'udp-ports-restricted', 'turn-udp-failed', 'turn-tcp-failed', 'turn-tls-failed', 'relay-only'];
const natAll = (from: string): ServerExpectation => ({ sessionFrom: from, allocations: { udp: from, tcp: from, tls: from } });
const RX_PROBE = ADDR.probe.replace(/\./g, '\\.');
/** What the CONNECT-443-only squid must have logged: the :443 tunnel, and :80 refused. */
const PLAIN_PROXY_LOG: GroundCheck = {
  kind: 'proxy-log',
  proxy: 'plain',
  patterns: [`TCP_TUNNEL/200 .*CONNECT ${RX_PROBE}:443`, `TCP_DENIED/403 .*CONNECT ${RX_PROBE}:80`],
};
const PROXY_PENDING: Pending = {
  capability: 'proxy detection (issue 5)',
  findings: ['http-proxy'],
  note: 'HTTP client IP differs from the relay path; 0 ms DNS/connect in Resource Timing',
};

/** The scenario table. */
export const SCENARIOS: Scenario[] = [
  {
    id: 'open',
    title: 'NAT, nothing blocked',
    network: OPEN,
    client: {},
    expect: {
      verdict: 'ready',
      findings: [],
      absent: [...TRANSPORT_FINDINGS, 'server-unreachable'],
      noFindingsOfSeverity: NO_WARNINGS,
      relays: { udp: 'data', tcp: 'data', tls: 'data' },
      stunAnswered: ALL_UDP,
      stunSilent: [],
      server: natAll(ADDR.nat),
      ground: [{ kind: 'dns', expect: 'resolves' }, { kind: 'coturn-udp', expect: 'answered' }, { kind: 'nat-mapping', expect: 'port-preserving' }],
    },
    pending: [],
  },
  {
    id: 'open-insecure-origin',
    title: 'as open, but the page is loaded as deployed: http://<lab IP>, not a secure context',
    network: OPEN,
    client: { insecureOrigin: true },
    expect: {
      verdict: 'ready',
      findings: [],
      absent: [...TRANSPORT_FINDINGS, 'server-unreachable'],
      noFindingsOfSeverity: NO_WARNINGS,
      relays: { udp: 'data', tcp: 'data', tls: 'data' },
      stunAnswered: ALL_UDP,
      stunSilent: [],
      server: natAll(ADDR.nat),
      ground: [],
    },
    pending: [],
  },
  {
    id: 'no-udp',
    title: 'UDP dropped; only TCP 80/443 out',
    network: { ...OPEN, egress: { kind: 'tcp-ports', ports: [80, 443] } },
    client: {},
    expect: {
      verdict: 'degraded',
      findings: ['udp-blocked', 'relay-only'],
      absent: ['udp-ports-restricted', 'turn-tcp-failed', 'turn-tls-failed', 'server-unreachable'],
      relays: { udp: 'no-relay', tcp: 'data', tls: 'data' },
      stunAnswered: [],
      stunSilent: ALL_UDP,
      server: { sessionFrom: ADDR.nat, allocations: { udp: null, tcp: ADDR.nat, tls: ADDR.nat } },
      ground: [{ kind: 'coturn-udp', expect: 'no-answer' }],
    },
    pending: [],
  },
  {
    id: 'udp-3478-blocked',
    title: 'UDP to port 3478 dropped, other UDP open',
    network: { ...OPEN, egress: { kind: 'drop-udp-ports', ports: [PORTS.turnUdp] } },
    client: {},
    expect: {
      verdict: 'degraded',
      findings: ['turn-udp-failed', 'udp-ports-restricted'],
      absent: ['udp-blocked', 'turn-tcp-failed', 'turn-tls-failed', 'server-unreachable'],
      relays: { udp: 'no-relay', tcp: 'data', tls: 'data' },
      stunAnswered: [PORTS.stunAlt],
      stunSilent: [PORTS.turnUdp],
      server: { sessionFrom: ADDR.nat, allocations: { udp: null, tcp: ADDR.nat, tls: ADDR.nat } },
      ground: [{ kind: 'coturn-udp', expect: 'no-answer' }],
    },
    pending: [],
  },
  {
    id: 'proxy-only',
    title: 'no direct egress; squid explicit proxy, CONNECT to 443 only',
    network: { ...OPEN, egress: { kind: 'none' }, proxy: 'plain' },
    client: PROXY_FLAG(PORTS.squidPlain),
    expect: {
      verdict: 'degraded',
      findings: ['udp-blocked', 'turn-tcp-failed', 'relay-only'],
      absent: ['turn-tls-failed', 'udp-ports-restricted', 'server-unreachable'],
      relays: { udp: 'no-relay', tcp: 'no-relay', tls: 'data' },
      stunAnswered: [],
      stunSilent: ALL_UDP,
      // Only the :443 relay, and it came through the proxy (squid's own address), not the NAT.
      server: { sessionFrom: ADDR.proxyEgress, allocations: { udp: null, tcp: null, tls: ADDR.proxyEgress } },
      ground: [{ kind: 'coturn-udp', expect: 'no-answer' }, PLAIN_PROXY_LOG],
    },
    pending: [PROXY_PENDING],
  },
  {
    id: 'proxy-auth',
    title: 'no direct egress but the intranet test page; squid requires proxy authentication (browser has no credentials)',
    network: {
      ...OPEN,
      egress: { kind: 'none', allowTcp: [{ ip: ADDR.web, port: PORTS.web }, { ip: ADDR.api, port: PORTS.api }] },
      proxy: 'auth',
    },
    client: { proxy: { via: 'env', url: `http://${ADDR.routerClientSide}:${PORTS.squidAuth}`, noProxy: `${ADDR.web},${ADDR.api}` } },
    expect: {
      verdict: 'blocked',
      findings: ['udp-blocked', 'turn-tcp-failed', 'turn-tls-failed'],
      absent: ['relay-only', 'server-unreachable'],
      relays: { udp: 'no-relay', tcp: 'no-relay', tls: 'no-relay' },
      stunAnswered: [],
      stunSilent: ALL_UDP,
      server: { sessionFrom: ADDR.nat, allocations: { udp: null, tcp: null, tls: null } },
      // Chromium did try the proxy (from the environment) for TURN, and was refused with 407.
      ground: [{ kind: 'coturn-udp', expect: 'no-answer' }, { kind: 'proxy-log', proxy: 'auth', patterns: [`TCP_DENIED/407 .*CONNECT ${RX_PROBE}:443`] }],
    },
    pending: [
      { capability: 'proxy detection (issue 5)', findings: ['proxy-auth-required', 'http-proxy'], note: 'TURN CONNECTs answered 407 by the proxy' },
    ],
  },
  {
    id: 'tls-inspect',
    title: 'no direct egress; squid ssl-bump (CONNECT 80/443, non-TLS tunnelled), its CA trusted by the browser',
    network: { ...OPEN, egress: { kind: 'none' }, proxy: 'bump' },
    client: { ...PROXY_FLAG(PORTS.squidBump), trustInspectionCa: true },
    expect: {
      verdict: 'degraded',
      findings: ['udp-blocked', 'turn-tls-failed', 'relay-only'],
      absent: ['turn-tcp-failed', 'server-unreachable'],
      relays: { udp: 'no-relay', tcp: 'data', tls: 'no-relay' },
      stunAnswered: [],
      stunSilent: ALL_UDP,
      server: { sessionFrom: ADDR.proxyEgress, allocations: { udp: null, tcp: ADDR.proxyEgress, tls: null } },
      ground: [{ kind: 'coturn-udp', expect: 'no-answer' }, { kind: 'proxy-log', proxy: 'bump', patterns: [`CONNECT ${RX_PROBE}:443`, `TCP_TUNNEL/200 .* ${RX_PROBE}:80 `] }],
    },
    pending: [
      { capability: 'TLS-interception detection (issue 5)', findings: ['tls-interception', 'http-proxy'], note: 'ClientHello/JA4 differs from Chrome; issuer is not netready\'s CA' },
    ],
  },
  {
    id: 'dns-nxdomain',
    title: 'resolver has no records for the lab zone (NXDOMAIN); IP traffic open',
    network: { ...OPEN, dns: 'nxdomain' },
    client: {},
    expect: {
      verdict: 'ready',
      findings: [],
      absent: [...TRANSPORT_FINDINGS, 'server-unreachable'],
      noFindingsOfSeverity: NO_WARNINGS,
      relays: { udp: 'data', tcp: 'data', tls: 'data' },
      stunAnswered: ALL_UDP,
      stunSilent: [],
      server: natAll(ADDR.nat),
      ground: [{ kind: 'dns', expect: 'nxdomain' }],
    },
    pending: [
      {
        capability: 'hostname TURN URLs + DNS probes (issue 4)',
        findings: ['dns-turn-lookup-failed'],
        note: 'hostname TURN URL gives 701 "TURN host lookup received error." in < 0.1 s while the IP literal works',
      },
    ],
  },
  {
    id: 'dns-dropped-with-proxy',
    title: 'DNS to the resolver dropped, no direct egress, squid explicit proxy (CONNECT 443)',
    network: { ...OPEN, egress: { kind: 'none' }, proxy: 'plain', dns: 'dropped' },
    client: PROXY_FLAG(PORTS.squidPlain),
    expect: {
      verdict: 'degraded',
      findings: ['udp-blocked', 'turn-tcp-failed', 'relay-only'],
      absent: ['turn-tls-failed', 'server-unreachable'],
      relays: { udp: 'no-relay', tcp: 'no-relay', tls: 'data' },
      stunAnswered: [],
      stunSilent: ALL_UDP,
      server: { sessionFrom: ADDR.proxyEgress, allocations: { udp: null, tcp: null, tls: ADDR.proxyEgress } },
      ground: [{ kind: 'dns', expect: 'timeout' }, PLAIN_PROXY_LOG],
    },
    pending: [
      {
        capability: 'hostname TURN URLs + DNS probes (issue 4)',
        findings: ['dns-turn-lookup-failed'],
        note: 'hostname TURN-TCP relays only after ~13 s via CONNECT with the name; IP literal in 0.1 s',
      },
      PROXY_PENDING,
    ],
  },
  {
    id: 'dns-slow',
    title: `resolver answers after ${1500} ms; IP traffic open`,
    network: { ...OPEN, dns: 'slow' },
    client: {},
    expect: {
      verdict: 'ready',
      findings: [],
      absent: [...TRANSPORT_FINDINGS, 'server-unreachable'],
      noFindingsOfSeverity: NO_WARNINGS,
      relays: { udp: 'data', tcp: 'data', tls: 'data' },
      stunAnswered: ALL_UDP,
      stunSilent: [],
      server: natAll(ADDR.nat),
      ground: [{ kind: 'dns', expect: 'slow' }],
    },
    pending: [{ capability: 'DNS timing probe (issue 4)', findings: ['dns-slow'], note: 'Resource Timing DNS phase ≥ threshold on unique labels' }],
  },
  {
    id: 'mtu-1280-icmp-blocked',
    title: '1280-byte path MTU router→servers (upstream), ICMP "fragmentation needed" dropped',
    network: { ...OPEN, mtuBlackhole: { mtu: 1280 } },
    client: {},
    expect: {
      // LAB.md: UDP fine; TURN-TCP allocates but data stalls; TURN-TLS never completes (1.9 KB ClientHello).
      verdict: 'ready',
      findings: ['turn-tcp-failed', 'turn-tls-failed'],
      absent: ['udp-blocked', 'udp-ports-restricted', 'turn-udp-failed', 'server-unreachable'],
      relays: { udp: 'data', tcp: 'allocated-no-data', tls: 'no-relay' },
      stunAnswered: ALL_UDP,
      stunSilent: [],
      server: { sessionFrom: ADDR.nat, allocations: { udp: ADDR.nat, tcp: ADDR.nat, tls: null } },
      ground: [{ kind: 'coturn-udp', expect: 'answered' }],
    },
    pending: [{ capability: 'MTU probe', findings: ['mtu-blackhole'], note: 'padded STUN responses: srflx appears only up to 1280 bytes' }],
  },
  {
    id: 'symmetric-nat',
    title: 'NAT with MASQUERADE/SNAT --random-fully (endpoint-dependent mapping)',
    network: { ...OPEN, nat: 'random-fully' },
    client: {},
    expect: {
      verdict: 'ready',
      findings: [],
      absent: [...TRANSPORT_FINDINGS, 'server-unreachable'],
      noFindingsOfSeverity: NO_WARNINGS,
      relays: { udp: 'data', tcp: 'data', tls: 'data' },
      stunAnswered: ALL_UDP,
      stunSilent: [],
      server: natAll(ADDR.nat),
      ground: [{ kind: 'nat-mapping', expect: 'port-changing' }],
    },
    pending: [{ capability: 'NAT mapping probe', findings: ['symmetric-nat'], note: 'three STUN endpoints in one PeerConnection give distinct mapped ports' }],
  },
  {
    id: 'vpn-split',
    title: '"VPN" interface with the lower-metric default route; split route to the web app and API',
    network: { ...OPEN, vpnSplit: true },
    client: {},
    expect: {
      verdict: 'ready',
      findings: [],
      absent: [...TRANSPORT_FINDINGS, 'server-unreachable'],
      relays: { udp: 'data', tcp: 'data', tls: 'data' },
      stunAnswered: ALL_UDP,
      stunSilent: [],
      // The HTTP API saw the physical path's NAT address; the TURN server saw the VPN's.
      server: { sessionFrom: ADDR.nat, allocations: { udp: ADDR.vpnEgress, tcp: ADDR.vpnEgress, tls: ADDR.vpnEgress } },
      ground: [],
    },
    pending: [
      { capability: 'interface/VPN mapping (getUserMedia path)', findings: ['vpn-path'], note: 'selected pair\'s local candidate on tun0 (networkType vpn); HTTP IP ≠ srflx IP' },
    ],
  },
  {
    id: 'lossy-latent',
    title: 'netem on the client link: 100 ms ± 10 ms delay and 2 % loss each way',
    network: { ...OPEN, netem: { delayMs: 100, jitterMs: 10, lossPct: 2 } },
    client: {},
    expect: {
      verdict: 'ready',
      findings: [],
      absent: ['udp-blocked', 'udp-ports-restricted', 'turn-udp-failed', 'server-unreachable'],
      relays: { udp: 'data', tcp: 'data', tls: 'data' },
      stunAnswered: ALL_UDP,
      stunSilent: [],
      server: natAll(ADDR.nat),
      ground: [{ kind: 'min-rtt', minMs: 180 }, { kind: 'coturn-udp', expect: 'answered' }],
    },
    pending: [
      { capability: 'quality probe (media peer RTT/loss)', findings: ['high-rtt', 'packet-loss'], note: 'RTT ≈ 200 ms, loss ≈ 4 % round trip' },
    ],
  },
];
