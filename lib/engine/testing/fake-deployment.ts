/**
 * A whole netready deployment and network, faked at the browser-API boundary, for tests that run the real engine,
 * the real probes and the real diagnosis end to end: one knob per way a probe can fail. Every knob's default is the
 * open network (everything passes), so a test row names only what breaks. Addresses come from documentation
 * ranges (RFC 5737).
 */
import type { RunEventListener } from '../events';
import { runNetready } from '../run-netready';
import type { Result } from '../../schema/result';
import type { Session } from '../../schema/session';
import { createDefaultPlan } from '../../probes/plan';
import { createMediaQualityProbe, MEDIA_QUALITY_PROBE_ID } from '../../probes/media-quality';
import type { QualityPlan } from '../../probes/media-quality-session';
import type { FakeQualityPeer } from '../../probes/testing/fake-quality-peer';
import { fakeEnvironment, fakeWebSockets, type PeerScript, type WebSocketBehaviour } from '../../probes/testing/fake-webrtc';
import type { FetchLike, MediaAccessReport, PeerConnectionConfigLike, ProxyAuthReportLike, ResourceTimingLike, StatsEntry } from '../../probes/types';
import { readClientHello } from '../../protocol/tls/client-hello';
import { summarizeClientHello, type ClientHelloSummary } from '../../protocol/tls/summary';
import { loadCapture, toRecords } from '../../protocol/tls/testing/fixtures';

/** The probe server's address in fake sessions. */
export const FAKE_SERVER = '203.0.113.10';
/** The client's public address in fake sessions. */
export const FAKE_CLIENT = '198.51.100.7';
/** The probe zone of fake sessions. */
export const FAKE_ZONE = 'probe.netready.test';
/** A vendor host of fake sessions. */
export const FAKE_VENDOR_HOST = 'meet.vendor.example';

/** The media-quality knob of FakeNetwork. */
export type FakeQualityKnob = 'works' | 'no-echo' | 'lossy-up' | 'lossy-down' | 'slow' | 'low-bandwidth' | 'server-overloaded' | 'server-busy';

/** The fake media peer of each quality knob. */
export const FAKE_QUALITY: Record<FakeQualityKnob, FakeQualityPeer> = {
  works: {},
  'no-echo': { up: { dead: true }, down: { dead: true } },
  'lossy-up': { up: { dropEvery: 10 } },
  'lossy-down': { down: { dropEvery: 10 } },
  slow: { up: { delayMs: 180 }, down: { delayMs: 180 } },
  'low-bandwidth': { up: { rateKbps: 900 }, down: { rateKbps: 900 } },
  'server-overloaded': { up: { rateKbps: 900 }, down: { rateKbps: 900 }, load: { cpuBusyRatio: 0.98, loopLagMaxMs: 180, udpReceiveErrors: 0, concurrentBursts: 4 } },
  'server-busy': { refuseBursts: true },
};

/**
 * A short media-quality plan for fake runs (≈ 0.6 s on a clean fake link): 40 packets each way, 4 Mbit/s bursts of
 * 200 ms — above HD video's 2.6 Mbit/s, so a clean link reads "can" everywhere.
 */
export const FAKE_QUALITY_PLAN: QualityPlan = {
  rttPings: 10,
  rttIntervalMs: 5,
  streamPackets: 40,
  streamIntervalMs: 2.5,
  bulkRateKbps: 4000,
  bulkWindowMs: 200,
  bulkPacketBytes: 1000,
  upBufferLimitBytes: 64 * 1024,
  minGapMs: 20,
  maxGapMs: 400,
  answerTimeoutMs: 1500,
};

/** How one TURN transport behaves. */
export type FakeRelay = 'works' | 'no-relay' | 'no-data' | 'connect-failed' | 'quota' | 'not-tried';

/** The network and deployment, one knob per failure mode; defaults: everything works. */
export interface FakeNetwork {
  /** The session request: refused (no server), or an HTTP 500. */
  session?: 'ok' | 'refused' | 'http-500';
  /** Which STUN ports answer. */
  stun?: { turnPort: boolean; altPort: boolean };
  turn?: Partial<Record<'udp' | 'tcp' | 'tls', FakeRelay>>;
  /**
   * The media-quality path (a fake media peer, lib/probes/testing/fake-quality-peer.ts): clean; every packet lost
   * both ways; 10 % lost towards / from the server; 180 ms each way; a 900 kbit/s bottleneck each way; the same
   * bottleneck while netready's server reports a saturated CPU; the server refusing the burst as busy.
   */
  quality?: FakeQualityKnob;
  /** Fresh zone names: all fetched, all failing at once, one failing, one/all timing out. */
  dnsLookup?: 'ok' | 'all-fail' | 'one-fails' | 'one-times-out' | 'all-time-out';
  /** TURN by the zone's name. */
  turnByName?: 'ok' | 'lookup-error' | 'silent';
  vendorHost?: 'ok' | 'unreachable';
  /** The TLS mirror on the HTTPS port: answers, fails at once, or never answers. */
  mirror?: 'ok' | 'fails' | 'times-out';
  /** The plain-HTTP echo. */
  echo?: 'ok' | 'fails';
  websocket?: { wss?: WebSocketBehaviour; ws?: WebSocketBehaviour };
  /** The proxy sign-in watch (the CLI's DevTools hook): absent, clean, or a proxy that asked for credentials. */
  proxyAuth?: 'unwatched' | 'none' | 'challenged';
  /** The server at the end of the run: answers, gone, or restarted (no longer knows the session). */
  serverView?: 'ok' | 'gone' | 'restarted';
  /** TLS handshakes the server saw this client reject with a certificate alert, by listener. */
  certificateRejectedOn?: Array<'https' | 'turn-tls'>;
  /** Completed TURN-over-TLS handshakes the server saw, with the SNI each named (`null`: none, a URL by IP address). */
  turnTlsCompleted?: Array<string | null>;
  certificate?: 'development' | 'acme' | 'configured';
  /**
   * ICE-TCP to the media peer (issue 10): works; `refused` — the browser gives up on the TCP connection (ICE failed);
   * `silent` — nothing comes back until the probe's deadline (a firewall dropping the SYNs);
   * `no-data` — the connection comes up, the echoes never come back; `signalling` — netready refuses the TCP offer;
   * `unoffered` — the session names no ICE-TCP endpoint (an older server).
   */
  iceTcp?: 'works' | 'refused' | 'silent' | 'no-data' | 'signalling' | 'unoffered';
  /** The MTU ladder (issue 10; see FakeMtu). Default: every size and fragments arrive, the upstream echo works. */
  mtu?: FakeMtu;
  /** NAT behaviour and IPv6 (issue 11; see FakeNat). Default: endpoint-independent mapping and filtering, no IPv6 offered. */
  nat?: FakeNat;
  /**
   * The interfaces probe's peer connection (issue 11): `masked` — default mode, one network behind an mDNS name;
   * `deep` — raw addresses on an Ethernet and a VPN network, ICE selecting the VPN's; `no-pair` — candidates, but no
   * pair connects before the deadline; `ice-failed` — ICE gives up; `no-data` — connected, no echo comes back;
   * `signalling` — netready's media peer refuses the offer. Default `masked`.
   */
  interfaces?: 'masked' | 'deep' | 'no-pair' | 'ice-failed' | 'no-data' | 'signalling';
  /** How the deep check's media permission ended (the runner's report); absent: not requested. */
  mediaAccess?: MediaAccessReport;
  // Issue 18: the browser and how netready was opened in it.
  /**
   * WebRTC in the browser: there (default); `missing` — no RTCPeerConnection global (Firefox with
   * media.peerconnection.enabled=false); `throws` — the constructor throws (a policy or extension replacing it).
   */
  webrtc?: 'available' | 'missing' | 'throws';
  /**
   * netready opened on loopback: every STUN/TURN/media address of the session is 127.0.0.1 and the browser gathers
   * nothing (Firefox's default): each peer connection ends gathering at once, ICE fails.
   */
  loopback?: boolean;
}

/** How the fake network's NAT maps and filters, and whether IPv6 reaches the server (the nat probe). */
export interface FakeNat {
  /** RFC 4787 mapping. Default `endpoint-independent` (one srflx; the server saw the same mapping on every endpoint). */
  mapping?: 'endpoint-independent' | 'address-dependent' | 'address-and-port-dependent';
  /** RFC 4787 filtering: which unsolicited checks get in. Default `endpoint-independent`. */
  filtering?: 'endpoint-independent' | 'address-dependent' | 'address-and-port-dependent';
  /** IPv6: the server offers an IPv6 endpoint and it answers, or not; `not-offered` (default): no IPv6 endpoint. */
  ipv6?: 'available' | 'unavailable' | 'not-offered';
}

/**
 * How the fake network treats packet sizes (the mtu probe). Sizes are IP datagram bytes.
 */
export interface FakeMtu {
  /** Largest Don't-Fragment datagram that arrives directly (and through TURN). Default: all. */
  largestBytes?: number;
  /** Whether an ICMP "fragmentation needed" reached the server (its kernel then knows `largestBytes`). Default `none`. */
  icmp?: 'none' | 'learned';
  /** IP fragments. Default `arrive`. */
  fragments?: 'arrive' | 'dropped';
  /** The upstream check's large DataChannel message. Default `echoes`. */
  upstream?: 'echoes' | 'lost';
  /** The ladder's own UDP ports (blocked: only TURN/UDP can carry it). Default open unless no UDP works at all. */
  ports?: 'open' | 'blocked';
}

/** First port of the fake MTU ladder (the default 3490: eight sizes, then two fragment sizes). */
const FAKE_MTU_FIRST_PORT = 3490;
const FAKE_MTU_SIZES = [576, 1200, 1280, 1348, 1400, 1448, 1480, 1500];
const FAKE_MTU_FRAGMENT_SIZES = [1600, 2000];

const auth = { username: '1800000000:S1', credential: 'c2VjcmV0' };

/** The session document of the fake deployment. */
export function fakeSession(network: FakeNetwork): Session {
  return {
    sessionId: 'S1',
    expiresAt: '2026-11-25T10:00:00.000Z',
    stun: [
      { port: 3478, url: `stun:${FAKE_SERVER}:3478`, role: 'turn' },
      { port: 3479, url: `stun:${FAKE_SERVER}:3479`, role: 'alternate' },
    ],
    turn: [
      { transport: 'udp', url: `turn:${FAKE_SERVER}:3478?transport=udp`, ...auth },
      { transport: 'tcp', url: `turn:${FAKE_SERVER}:3478?transport=tcp`, ...auth },
      { transport: 'tls', url: `turns:${FAKE_SERVER}:5349?transport=tcp`, ...auth },
    ],
    peerPath: '/v1/sessions/S1/peers',
    ...(network.iceTcp === 'unoffered' ? {} : { iceTcp: { host: FAKE_SERVER, port: 7881 } }),
    certificate: { source: network.certificate ?? 'configured' },
    dns: {
      zone: FAKE_ZONE,
      lookupUrl: `https://{label}.${FAKE_ZONE}:8443/v1/dns/ping`,
      labelsPath: '/v1/dns/labels',
      turnByName: [
        { transport: 'udp', url: `turn:turn.${FAKE_ZONE}:3478?transport=udp`, ...auth },
        { transport: 'tcp', url: `turn:turn.${FAKE_ZONE}:3478?transport=tcp`, ...auth },
        { transport: 'tls', url: `turns:turn.${FAKE_ZONE}:5349?transport=tcp`, ...auth },
      ],
    },
    vendorHosts: [{ target: 'Vendor', host: FAKE_VENDOR_HOST }],
    mirror: {
      tlsMirrorUrl: `https://${FAKE_SERVER}:8443/v1/tls/mirror`,
      httpsEchoUrl: `https://${FAKE_SERVER}:8443/v1/echo`,
      echoUrl: `http://${FAKE_SERVER}:8080/v1/echo`,
      wssUrl: `wss://${FAKE_SERVER}:8443/ws`,
      wsUrl: `ws://${FAKE_SERVER}:8080/ws`,
    },
    // MTU ladder (issue 10): rungs on 3490–3499, one TURN username per size.
    mtu: {
      rungs: [...FAKE_MTU_SIZES.map((sizeBytes) => ({ sizeBytes, df: true })), ...FAKE_MTU_FRAGMENT_SIZES.map((sizeBytes) => ({ sizeBytes, df: false }))].map((r, i) => ({
        family: 'ipv4' as const,
        ...r,
        port: FAKE_MTU_FIRST_PORT + i,
        url: `stun:${FAKE_SERVER}:${FAKE_MTU_FIRST_PORT + i}`,
      })),
      notOffered: [],
      ipv6Missing: 'the test server has no IPv6 address configured (probe.mtu.ipv6)',
      turn: FAKE_MTU_SIZES.map((sizeBytes) => ({ sizeBytes, url: `turn:${FAKE_SERVER}:3478?transport=udp`, username: `1800000000:S1:mtu${sizeBytes}`, credential: 'c2VjcmV0' })),
      pathMtuPath: '/v1/sessions/S1/path-mtu',
      linkMtuBytes: { ipv4: 1500 },
    },
    // NAT behaviour (issue 11): the TURN port, the alternate port, a second address and (when the knob says) IPv6.
    nat: {
      endpoints: [
        { role: 'primary', ip: FAKE_SERVER, port: 3478, url: `stun:${FAKE_SERVER}:3478` },
        { role: 'alt-port', ip: FAKE_SERVER, port: 3479, url: `stun:${FAKE_SERVER}:3479` },
        { role: 'alt-address', ip: FAKE_SERVER_ALT, port: 3478, url: `stun:${FAKE_SERVER_ALT}:3478` },
        ...((network.nat?.ipv6 ?? 'not-offered') === 'not-offered' ? [] : [{ role: 'ipv6' as const, ip: FAKE_SERVER_V6, port: 3478, url: `stun:[${FAKE_SERVER_V6}]:3478` }]),
      ],
      ...((network.nat?.ipv6 ?? 'not-offered') === 'not-offered' ? { missing: [{ role: 'ipv6' as const, why: 'the test server has no IPv6 address configured (probe.publicIpv6)' }] } : {}),
      observationsPath: '/v1/sessions/S1/nat/observations',
      filteringPath: '/v1/sessions/S1/nat/filtering',
    },
  };
}

/** The fake probe server's second IPv4 address (probe.stunAltIp) and its IPv6 address (probe.publicIpv6). */
export const FAKE_SERVER_ALT = '203.0.113.11';
export const FAKE_SERVER_V6 = '2001:db8::10';
/** The client's mapped ports in the nat probe: towards the primary, the alternate port, the second address. */
const NAT_PORTS = { primary: 45000, 'alt-port': 45001, 'alt-address': 45002 } as const;
/** The offer of the fake browser: the nat probe's filtering check reads its ICE credentials. */
const FAKE_OFFER_SDP = 'v=0\r\na=mid:0\r\na=ice-ufrag:fAkE\r\na=ice-pwd:fakefakefakefakefakefake\r\n';

/** The client's mapping per endpoint role under the knob (the same port for every role where the mapping is independent). */
function natMappedPort(network: FakeNetwork, role: 'primary' | 'alt-port' | 'alt-address'): number {
  switch (network.nat?.mapping ?? 'endpoint-independent') {
    case 'endpoint-independent':
      return NAT_PORTS.primary;
    case 'address-dependent':
      return role === 'alt-address' ? NAT_PORTS['alt-address'] : NAT_PORTS.primary;
    case 'address-and-port-dependent':
      return NAT_PORTS[role];
  }
}

/**
 * The nat probe's mapping peer connection (every nat endpoint in one configuration, told apart by the second address's
 * URL): one srflx per distinct mapping — Chromium drops duplicates — with getStats `url`. Null for every other one.
 */
function natPeerScript(network: FakeNetwork, config: PeerConnectionConfigLike): PeerScript | null {
  const urls = config.iceServers.flatMap((s) => (Array.isArray(s.urls) ? s.urls : [s.urls]));
  if (!urls.includes(`stun:${FAKE_SERVER_ALT}:3478`)) return null;
  const noUdp = network.stun !== undefined && !network.stun.turnPort && !network.stun.altPort;
  if (noUdp) return { offerSdp: FAKE_OFFER_SDP };
  const candidates: NonNullable<PeerScript['candidates']> = [];
  const stats: NonNullable<PeerScript['stats']> = [];
  for (const role of ['primary', 'alt-port', 'alt-address'] as const) {
    const port = natMappedPort(network, role);
    if (candidates.some((c) => c.line === SRFLX(port))) continue;
    candidates.push({ afterMs: 2 + candidates.length, line: SRFLX(port) });
    const url = role === 'alt-address' ? `stun:${FAKE_SERVER_ALT}:3478` : `stun:${FAKE_SERVER}:${role === 'primary' ? 3478 : 3479}`;
    stats.push({ id: `S-${role}`, type: 'local-candidate', candidateType: 'srflx', address: FAKE_CLIENT, port, url });
  }
  if (network.nat?.ipv6 === 'available') {
    candidates.push({ afterMs: 4, line: `candidate:3 1 udp 1677729535 2001:db8::7 45003 typ srflx raddr :: rport 0` });
    stats.push({ id: 'S-ipv6', type: 'local-candidate', candidateType: 'srflx', address: '2001:db8::7', port: 45003, url: `stun:[${FAKE_SERVER_V6}]:3478` });
  }
  return { candidates, stats, offerSdp: FAKE_OFFER_SDP };
}

/**
 * The mtu probe's peer connections, told apart by their configuration: a single `stun:` URL on a ladder port, a
 * single TURN URL with an `:mtu<size>` username, or the upstream check's two servers (the TURN port's `stun:` URL and
 * TURN/UDP; the call-quality probe uses four). Null for every other peer connection.
 */
function mtuPeerScript(network: FakeNetwork, config: PeerConnectionConfigLike): PeerScript | null {
  const mtu = network.mtu ?? {};
  const largest = mtu.largestBytes ?? Infinity;
  const first = config.iceServers[0];
  const url = Array.isArray(first?.urls) ? first.urls[0] : first?.urls;
  if (config.iceServers.length === 1 && url) {
    const port = Number(/^stun:[^:]+:(\d+)$/.exec(url)?.[1]);
    const index = port - FAKE_MTU_FIRST_PORT;
    if (index >= 0 && index < FAKE_MTU_SIZES.length + FAKE_MTU_FRAGMENT_SIZES.length) {
      const noUdp = network.stun !== undefined && !network.stun.turnPort && !network.stun.altPort;
      if ((mtu.ports ?? (noUdp ? 'blocked' : 'open')) === 'blocked') return {};
      const df = index < FAKE_MTU_SIZES.length;
      const size = df ? FAKE_MTU_SIZES[index]! : FAKE_MTU_FRAGMENT_SIZES[index - FAKE_MTU_SIZES.length]!;
      const arrives = df ? size <= largest : (mtu.fragments ?? 'arrive') === 'arrive';
      return arrives ? { candidates: [{ afterMs: 2, line: SRFLX(41000 + index) }] } : {};
    }
    const tagged = /:mtu(\d+)$/.exec(first?.username ?? '');
    if (tagged) {
      if ((network.turn?.udp ?? 'works') !== 'works') return relayScript(network.turn?.udp ?? 'works', url);
      return Number(tagged[1]) <= largest ? { candidates: [{ afterMs: 2, line: RELAY }] } : {};
    }
  }
  if (config.iceServers.length === 2 && config.iceServers[1]?.username !== undefined) {
    const udpWorks = network.stun === undefined || network.stun.turnPort || (network.turn?.udp ?? 'works') === 'works';
    if (!udpWorks) return {};
    return { candidates: [{ afterMs: 2, line: SRFLX(40000) }], dataFlows: true, ...((mtu.upstream ?? 'echoes') === 'lost' ? { dropLargerThan: 1000 } : {}) };
  }
  return null;
}

const HOST_MDNS = (port: number): string => `candidate:0 1 udp 2113937151 6f1c2d3e-4b5a-4c6d-8e7f-90a1b2c3d4e5.local ${port} typ host generation 0 network-cost 999`;
const SRFLX = (port: number): string => `candidate:1 1 udp 1677729535 ${FAKE_CLIENT} ${port} typ srflx raddr 0.0.0.0 rport 0`;
const RELAY = `candidate:2 1 udp 41885439 ${FAKE_SERVER} 50000 typ relay raddr ${FAKE_CLIENT} rport 40000`;

/** What the TLS mirror reports for a handshake nobody touched: Chromium 156's real ClientHello (testdata/tls). */
function untouchedChromeHello(): { clientHello: ClientHelloSummary; userAgent: string; ja4: string } {
  const capture = loadCapture('chromium-156-direct');
  const read = readClientHello(toRecords(capture.handshake));
  if (read.status !== 'complete') throw new Error('testdata/tls/chromium-156-direct.json does not hold a complete ClientHello');
  return { clientHello: summarizeClientHello(read.hello, read.handshake.length), userAgent: capture.userAgent, ja4: capture.ja4 };
}

// --- Interfaces (issue 11) ---------------------------------------------------------------------------------------

/** A fake candidate of the interfaces probe: its line and its getStats local-candidate entry. */
function fakeLocal(id: string, line: string, networkType: string, extra: Record<string, unknown> = {}): { line: string; relayProtocol?: string; stats: StatsEntry } {
  const [, , protocol, , address, port, , type] = line.split(' ');
  const relayProtocol = extra.relayProtocol as string | undefined;
  return {
    line,
    ...(relayProtocol ? { relayProtocol } : {}),
    stats: { id, type: 'local-candidate', candidateType: type!, protocol: protocol!.toLowerCase(), address, port: Number(port), networkType, ...extra },
  };
}

/**
 * One network's candidates: a host, a srflx and a relay per TURN transport. As Chromium 156 writes them: masked
 * (no permission) lines carry `network-cost 999` and no `network-id`; after the permission, `network-id` and no cost.
 */
function fakeNetworkCandidates(networkId: number, masked: boolean, networkType: string, host: string, egress: string, basePort: number): ReturnType<typeof fakeLocal>[] {
  const tail = masked ? 'generation 0 network-cost 999' : `generation 0 network-id ${networkId}`;
  return [
    fakeLocal(`H${networkId}`, `candidate:1 1 udp 2122260223 ${host} ${basePort} typ host ${tail}`, networkType),
    fakeLocal(`S${networkId}`, `candidate:2 1 udp 1686052607 ${egress} ${basePort + 1} typ srflx raddr 0.0.0.0 rport 0 ${tail}`, networkType, { url: `stun:${FAKE_SERVER}:3478` }),
    ...(['udp', 'tcp', 'tls'] as const).map((t, i) =>
      fakeLocal(`R${networkId}${t}`, `candidate:${3 + i} 1 udp ${25042943 - i} ${FAKE_SERVER} ${50010 + networkId * 10 + i} typ relay raddr ${egress} rport ${basePort + 2 + i} ${tail}`, networkType, {
        relayProtocol: t,
        url: t === 'tls' ? `turns:${FAKE_SERVER}:5349?transport=tcp` : `turn:${FAKE_SERVER}:3478?transport=${t}`,
      }),
    ),
  ];
}

/** A masked host name of the fake default-mode network. */
export const FAKE_MDNS_HOST = '3f1c2d4e-5a6b-4c7d-8e9f-0a1b2c3d4e5f.local';
/** The fake deep check's Ethernet and VPN host addresses, and the VPN's egress. */
export const FAKE_ETHERNET_HOST = '192.0.2.20';
export const FAKE_VPN_HOST = '192.0.2.66';
export const FAKE_VPN_EGRESS = '203.0.113.77';

/**
 * The interfaces probe's peer connection, told apart by its configuration: `iceTransportPolicy: 'all'` set
 * explicitly with STUN and TURN servers (the media-quality probe leaves the policy at its default). Null otherwise.
 */
function interfacesPeerScript(network: FakeNetwork, config: PeerConnectionConfigLike): PeerScript | null {
  if (config.iceTransportPolicy !== 'all' || config.iceServers.length < 2) return null;
  const knob = network.interfaces ?? 'masked';
  const locals =
    knob === 'deep'
      ? [...fakeNetworkCandidates(1, false, 'ethernet', FAKE_ETHERNET_HOST, FAKE_CLIENT, 40010), ...fakeNetworkCandidates(2, false, 'vpn', FAKE_VPN_HOST, FAKE_VPN_EGRESS, 40020)]
      : fakeNetworkCandidates(1, true, 'unknown', FAKE_MDNS_HOST, FAKE_CLIENT, 40010);
  // ICE selects the srflx of the last network (the VPN's in `deep`): what a lower-metric VPN interface does.
  const chosen = locals.filter((l) => l.stats.candidateType === 'srflx').at(-1)!.stats;
  const script: PeerScript = {
    // Every network's host candidate first, then srflx, then relays — the order Chromium gathers in.
    candidates: locals.map((l, i) => ({ afterMs: { host: 1, srflx: 5, relay: 10 }[l.stats.candidateType as 'host' | 'srflx' | 'relay'] + i, line: l.line, ...(l.relayProtocol ? { relayProtocol: l.relayProtocol } : {}) })),
    stats: locals.map((l) => l.stats),
    selectedPair: { local: { ...chosen, id: 'L', relayProtocol: undefined }, remote: { candidateType: 'host', protocol: 'udp', address: FAKE_SERVER, port: 60000 } },
  };
  switch (knob) {
    case 'no-pair':
    case 'signalling':
      return script;
    case 'ice-failed':
      return { ...script, iceFailsAfterMs: 20 };
    case 'no-data':
      return { ...script, dataFlows: true, dropEvery: 1 };
    default:
      return { ...script, dataFlows: true };
  }
}

function urlOf(config: PeerConnectionConfigLike): string {
  if (config.iceServers.length > 1) return 'quality:';
  // Only the ice-tcp probe's peer connection has no ICE server (its only candidate is the answer's passive TCP one).
  if (config.iceServers.length === 0) return 'ice-tcp:';
  const urls = config.iceServers[0]?.urls;
  return Array.isArray(urls) ? urls[0]! : urls!;
}

function relayScript(behaviour: FakeRelay, url: string): PeerScript {
  switch (behaviour) {
    case 'works':
      return { candidates: [{ afterMs: 2, line: RELAY }], dataFlows: true };
    case 'no-data':
      return { candidates: [{ afterMs: 2, line: RELAY }] };
    case 'no-relay':
      return {};
    case 'connect-failed':
      return { errors: [{ afterMs: 3, errorCode: 701, errorText: 'Failed to establish connection', url }] };
    case 'quota':
      return { errors: [{ afterMs: 3, errorCode: 486, errorText: 'Allocation Quota Reached', url }] };
    case 'not-tried':
      // Issue 18: Firefox skips an IP-literal turns: URL — gathering ends at once, no candidate, no error.
      return { endOfCandidatesAfterMs: 2 };
  }
}

function peerScript(network: FakeNetwork, url: string): PeerScript {
  if (url === 'quality:') {
    return { candidates: [{ afterMs: 2, line: SRFLX(40000) }], dataFlows: true, quality: FAKE_QUALITY[network.quality ?? 'works'] };
  }
  if (url === 'ice-tcp:') {
    const tcpPair = { local: { protocol: 'tcp', candidateType: 'prflx', tcpType: 'active' }, remote: { protocol: 'tcp', candidateType: 'host', tcpType: 'passive', port: 7881 } };
    switch (network.iceTcp ?? 'works') {
      case 'works':
        return { dataFlows: true, selectedPair: tcpPair };
      case 'no-data':
        return { dataFlows: true, dropEvery: 1, selectedPair: tcpPair };
      case 'refused':
        return { iceFailsAfterMs: 20 };
      default:
        return {};
    }
  }
  if (url.startsWith('stun:')) {
    const stun = network.stun ?? { turnPort: true, altPort: true };
    const answers = url.endsWith(':3478') ? stun.turnPort : stun.altPort;
    // Chromium always offers its (mDNS-masked) host candidate first, whether or not STUN answers.
    const host = { afterMs: 1, line: HOST_MDNS(url.endsWith(':3478') ? 40000 : 40001) };
    return { candidates: answers ? [host, { afterMs: 2, line: SRFLX(url.endsWith(':3478') ? 40000 : 40001) }] : [host], offerSdp: FAKE_OFFER_SDP };
  }
  const transport = url.startsWith('turns:') ? 'tls' : url.includes('transport=tcp') ? 'tcp' : 'udp';
  if (url.includes(`turn.${FAKE_ZONE}`)) {
    switch (network.turnByName ?? 'ok') {
      case 'ok':
        break;
      case 'lookup-error':
        return { errors: [{ afterMs: 3, errorCode: 701, errorText: 'TURN host lookup received error.', url }] };
      case 'silent':
        return {};
    }
  }
  return relayScript(network.turn?.[transport] ?? 'works', url);
}

/** Resource Timing of a fresh-name fetch: a 20 ms lookup and a 2 ms connect. */
function timingOf(url: string): ResourceTimingLike {
  return {
    name: url,
    startTime: 100,
    fetchStart: 100,
    domainLookupStart: 100,
    domainLookupEnd: 120,
    connectStart: 120,
    secureConnectionStart: 121,
    connectEnd: 122,
    requestStart: 122,
    responseStart: 123,
    responseEnd: 124,
    nextHopProtocol: url.includes(FAKE_ZONE) ? 'http/1.1' : 'h2',
  };
}

/** A promise that never settles until `signal` aborts, then rejects like fetch does. */
function hang(signal: AbortSignal | undefined): Promise<never> {
  return new Promise((_resolve, reject) => {
    signal?.addEventListener('abort', () => reject(new DOMException('The operation was aborted.', 'AbortError')), { once: true });
  });
}

/** The fake probe server, HTTP side: routes every URL the probes fetch. */
function fakeFetch(network: FakeNetwork, session: Session): FetchLike {
  const chrome = untouchedChromeHello();
  let nameIndex = 0;
  const fetchedLabels: string[] = [];
  return async (url, init) => {
    const json = (status: number, body: unknown) => ({ status, json: async () => body });
    if (url.endsWith('/v1/sessions')) {
      if (network.session === 'refused') throw new TypeError('Failed to fetch');
      if (network.session === 'http-500') return json(500, { error: { code: 'internal_error', message: 'internal error' } });
      return json(201, session);
    }
    if (url.endsWith('/peers')) {
      if (network.interfaces === 'signalling' && init.body?.includes('"label":"interfaces"')) return json(503, { error: { code: 'peer_unavailable', message: 'the media peer is full' } });
      if (network.iceTcp === 'signalling' && init.body?.includes('"iceTcp":true')) return json(400, { error: { code: 'invalid_request', message: 'the SDP offer was not accepted' } });
      return json(200, { type: 'answer', sdp: 'v=0\r\n', peerId: 'p1' });
    }
    // NAT behaviour (issue 11): what the nat endpoints saw, and which filtering checks got in.
    if (url.includes('/nat/observations')) {
      const ports = (['primary', 'alt-port', 'alt-address'] as const).map((role) => ({ role, address: FAKE_CLIENT, port: natMappedPort(network, role), atMs: 5 }));
      return json(200, { bindings: network.loopback || (network.stun !== undefined && !network.stun.turnPort && !network.stun.altPort) ? [] : ports });
    }
    if (url.includes('/nat/filtering')) {
      const filtering = network.nat?.filtering ?? 'endpoint-independent';
      return json(200, {
        checks: [
          { role: 'alt-port', from: `${FAKE_SERVER}:3479`, sent: filtering === 'address-and-port-dependent' ? 4 : 1, answered: filtering !== 'address-and-port-dependent', ...(filtering !== 'address-and-port-dependent' ? { rttMs: 3 } : {}) },
          { role: 'alt-address', from: `${FAKE_SERVER_ALT}:3478`, sent: filtering === 'endpoint-independent' ? 1 : 4, answered: filtering === 'endpoint-independent', ...(filtering === 'endpoint-independent' ? { rttMs: 3 } : {}) },
        ],
        waitedMs: filtering === 'endpoint-independent' ? 3 : 1500,
      });
    }
    if (url.includes('/path-mtu?ip=')) {
      // The kernel of the fake server knows the small path MTU only when an ICMP "fragmentation needed" came back.
      const ip = new URL(url).searchParams.get('ip') ?? '';
      const learned = network.mtu?.icmp === 'learned' && network.mtu.largestBytes !== undefined;
      return json(200, { ip, linkMtuBytes: 1500, pathMtuBytes: learned ? network.mtu!.largestBytes! : 1500 });
    }
    if (url.endsWith('/observations')) {
      const view = network.serverView ?? 'ok';
      if (view === 'gone') throw new TypeError('Failed to fetch');
      if (view === 'restarted') return json(404, { error: { code: 'not_found', message: 'no such test session (unknown or expired)' } });
      const tlsHandshakes = (network.certificateRejectedOn ?? []).map((listener) => ({
        listener,
        outcome: 'certificate-rejected',
        alert: 'certificate_unknown',
        alertNumber: 46,
        atMs: 1,
      }));
      for (const serverName of network.turnTlsCompleted ?? []) tlsHandshakes.push({ listener: 'turn-tls', outcome: 'completed', serverName, atMs: 2 } as never);
      return json(200, {
        clientAddress: FAKE_CLIENT,
        observations: [
          { source: 'turn', kind: 'allocation-created', atMs: 10, data: { transport: 'tcp', client: { ip: FAKE_CLIENT, port: 40002 } } },
          ...(['works', 'no-data', undefined].includes(network.iceTcp) ? [{ source: 'peer', kind: 'ice-tcp-accepted', atMs: 11, data: { peerId: 'p1', remoteAddress: FAKE_CLIENT, remotePort: 40100 } }] : []),
        ],
        tlsHandshakes,
      });
    }
    if (url.includes('/v1/dns/ping')) {
      const index = nameIndex++;
      const mode = network.dnsLookup ?? 'ok';
      if (mode === 'all-fail' || (mode === 'one-fails' && index === 0)) throw new TypeError('Failed to fetch');
      if (mode === 'all-time-out' || (mode === 'one-times-out' && index === 0)) return hang(init.signal);
      const host = new URL(url).hostname;
      fetchedLabels.push(host.split('.')[0]!);
      return json(200, { ok: true, host, connectionServerName: host });
    }
    const label = /\/v1\/dns\/labels\/([^/]+)$/.exec(url)?.[1];
    if (label) {
      const seen = fetchedLabels.includes(label);
      const unknown = { status: 'unknown', reason: 'no GeoIP database is configured (dns.geoipMmdb)' };
      return json(200, {
        label,
        queries: seen ? [{ atMs: 1, resolverIp: FAKE_CLIENT, resolverPort: 5353, transport: 'udp', qtype: 'A', edns: true }] : [],
        resolvers: seen ? [{ ip: FAKE_CLIENT, geo: unknown }] : [],
        httpClient: { ip: FAKE_CLIENT, geo: unknown },
      });
    }
    if (url.startsWith(session.mirror!.tlsMirrorUrl)) {
      if (network.mirror === 'fails') throw new TypeError('Failed to fetch');
      if (network.mirror === 'times-out') return hang(init.signal);
      return json(200, {
        listener: 'https',
        clientAddress: FAKE_CLIENT,
        clientPort: 50000,
        httpVersion: '2.0',
        method: 'GET',
        headers: [['user-agent', chrome.userAgent]],
        negotiatedAlpn: 'h2',
        serverOffersH2: true,
        clientHello: chrome.clientHello,
        ja4: chrome.ja4,
        ja4Raw: 't13d1516h2_…',
        handshakeBase64: 'AQAB',
      });
    }
    if (url.startsWith(session.mirror!.echoUrl)) {
      if (network.echo === 'fails') throw new TypeError('Failed to fetch');
      return json(200, { listener: 'http', clientAddress: FAKE_CLIENT, httpVersion: '1.1', method: 'GET', headers: [['host', `${FAKE_SERVER}:8080`]] });
    }
    if (url === `https://${FAKE_VENDOR_HOST}/`) {
      if (network.vendorHost === 'unreachable') throw new TypeError('Failed to fetch');
      return json(0, undefined);
    }
    return json(404, { error: { code: 'not_found', message: `no route for ${url}` } });
  };
}

/**
 * A peer connection of Firefox (default prefs) against netready on 127.0.0.1, as measured with Firefox ESR 153: no
 * candidate at all, gathering over at once, ICE failing; `turn:` URLs (not `turns:`) also get ICE error 701.
 */
function loopbackPeerScript(url: string): PeerScript {
  const errors = url.startsWith('turn:') ? [{ afterMs: 2, errorCode: 701, errorText: 'TURN server could not be reached', url }] : [];
  return { endOfCandidatesAfterMs: 1, iceFailsAfterMs: 20, offerSdp: FAKE_OFFER_SDP, errors };
}

/**
 * The longest own deadline a probe keeps against the fakes, ms. The DNS probes wait 5 s and the server check 2.5 s
 * for a real network's resolver retries and a slow server; the fakes answer in milliseconds and a silent fake stays
 * silent whatever the wait, so the full waits only cost test time (five seconds for each silent-lookup row). Still
 * far above every fake's answer time, so what arrives and what does not is the same. The quality stream keeps its
 * own: its phases are timed against it (FAKE_QUALITY_PLAN).
 */
export const FAKE_OWN_DEADLINE_CAP_MS = 1000;

/** Options of runFakeDeployment. */
export interface FakeRunOptions {
  /** Include the media-quality probe, with FAKE_QUALITY_PLAN (default false: most rows are about other probes). */
  withQuality?: boolean;
  /** Each probe's deadline (default 300 ms). */
  probeTimeoutMs?: number;
  /** Receives the run's events. */
  onEvent?: RunEventListener;
}

/** Runs the real engine, probes and diagnosis against the fake deployment and network. */
export async function runFakeDeployment(network: FakeNetwork, options: FakeRunOptions = {}): Promise<Result> {
  // Issue 18: on loopback every address of the session is 127.0.0.1 (the documentation address swapped out).
  const session: Session = network.loopback ? (JSON.parse(JSON.stringify(fakeSession(network)).replaceAll(FAKE_SERVER, '127.0.0.1')) as Session) : fakeSession(network);
  const base = fakeEnvironment(
    (config) =>
      network.loopback
        ? loopbackPeerScript(urlOf(config))
        : (natPeerScript(network, config) ?? mtuPeerScript(network, config) ?? interfacesPeerScript(network, config) ?? peerScript(network, urlOf(config))),
    fakeFetch(network, session),
    async (url) => timingOf(url),
  );
  const webrtc = network.webrtc ?? 'available';
  if (webrtc !== 'available') {
    // What the browser adapter's createPeerConnection does without WebRTC: the global is missing, or it throws.
    base.createPeerConnection = () => {
      throw webrtc === 'missing' ? new ReferenceError('RTCPeerConnection is not defined') : new DOMException('RTCPeerConnection is disabled by policy', 'NotSupportedError');
    };
  }
  const sockets = fakeWebSockets((url) => (url.startsWith('wss:') ? (network.websocket?.wss ?? 'echo') : (network.websocket?.ws ?? 'echo')));
  const proxyAuth = network.proxyAuth ?? 'none';
  const env = {
    ...base,
    webrtc:
      webrtc === 'available'
        ? { peerConnection: true, getStats: true, relayProtocol: true, candidateAddress: true, iceErrorEvent: true }
        : { peerConnection: false, error: webrtc === 'missing' ? 'RTCPeerConnection is not defined' : 'NotSupportedError: RTCPeerConnection is disabled by policy' },
    createWebSocket: sockets.createWebSocket,
    ...(network.mediaAccess ? { mediaAccess: () => network.mediaAccess! } : {}),
    ...(proxyAuth === 'unwatched'
      ? {}
      : {
          proxyAuthReport: async (): Promise<ProxyAuthReportLike> => ({
            requestsWatched: 12,
            challenges:
              proxyAuth === 'challenged'
                ? [{ proxy: 'http://192.0.2.3:3128', scheme: 'basic', realm: 'corp', url: `https://nr-x.${FAKE_ZONE}:8443/v1/dns/ping` }]
                : [],
          }),
        }),
  };
  const plan = createDefaultPlan()
    .filter((probe) => options.withQuality || probe.id !== MEDIA_QUALITY_PROBE_ID)
    .map((probe) => (probe.id === MEDIA_QUALITY_PROBE_ID ? createMediaQualityProbe(FAKE_QUALITY_PLAN) : probe))
    .map((probe) => (probe.timeoutMs !== undefined && probe.timeoutMs > FAKE_OWN_DEADLINE_CAP_MS && probe.id !== MEDIA_QUALITY_PROBE_ID ? { ...probe, timeoutMs: FAKE_OWN_DEADLINE_CAP_MS } : probe));
  return runNetready({
    env,
    probeUrl: `http://${FAKE_SERVER}:8080`,
    budgetMs: 8000,
    probeTimeoutMs: options.probeTimeoutMs ?? 300,
    // The fakes answer in milliseconds: keep their short fixed deadlines (lib/engine/deadlines.ts adapts real runs).
    fixedTimeouts: true,
    configName: 'test',
    userAgent: 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0.0.0 Safari/537.36',
    startedAt: '2026-11-25T09:00:00.000Z',
    plan,
    ...(options.onEvent ? { onEvent: options.onEvent } : {}),
  });
}
