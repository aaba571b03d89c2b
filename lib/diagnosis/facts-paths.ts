/**
 * Path facts (issue 11): which way a call really leaves this network. Derived once from the probe outcomes:
 *  - where each netready server saw this client come from: the HTTP API (the web traffic's egress), STUN on each
 *    port (the media egress over UDP), every TURN allocation per transport;
 *  - the candidate pair ICE selected towards netready's media peer (the media-quality probe's and, in the deep check,
 *    the interfaces probe's), with the local side's type, protocol, relay protocol, network type and cost;
 *  - in the deep check (media permission granted, every interface enumerated): each network interface, whether STUN
 *    and TURN work through it, its egress address, and whether ICE chose it;
 *  - whether the browser's own IP-handling policy, not the network, keeps WebRTC off UDP or off host addresses.
 * Read in exactly this one place; the rules (vpn-path, media-egress-differs, webrtc-ip-handling-restricted) and the
 * result page's path picture use these facts.
 *
 * Why each inference holds (measured in the lab, Chromium 156):
 *  - Without media permission Chromium gathers on the default route only (one `.local` host candidate, network-cost
 *    999): the media egress is the default route's, which a VPN with the lower metric owns. An HTTP egress that
 *    differs from it (same IP family, no proxy) is the mark of a split tunnel — or of a firewall with several public
 *    addresses — so alone it is information, never a claim about a VPN.
 *  - With permission every interface gathers (raw host addresses, `network-id`). A network whose traffic reaches
 *    netready from the same address as the web traffic is a path that works without the selected one; when ICE chose
 *    another network, media takes the detour the seed describes (the VPN comes first in the browser's network order).
 *    Chromium reports `networkType: "vpn"` only on some systems (on Linux every wired interface, tun devices
 *    included, is "ethernet"), so "likely VPN" also rests on the egress evidence, and says so.
 *  - Browser policy: `disable_non_proxied_udp` (Chrome/Edge `WebRtcIPHandlingPolicy`) makes WebRTC gather no UDP
 *    candidate at all — no host candidate, no srflx — while a firewall that drops UDP still leaves the host
 *    candidate. A client without a default route gathers no host candidate either, so the policy is claimed only
 *    with proof of a direct route (a TURN/TCP allocation that did not come through a proxy) or of enumeration
 *    (permission granted and still no host candidate). `default_public_interface_only` gives srflx candidates but
 *    never a host candidate.
 */
import { PROXY_PATHS_PROBE_ID } from '../probes/proxy-paths';
import { SERVER_VIEW_PROBE_ID } from '../probes/server-view';
import { STUN_UDP_PROBE_ID, type StunPortResult } from '../probes/stun-udp';
import { TURN_TRANSPORTS, turnProbeId, type TurnTransport } from '../probes/turn-relay';
import type { Evidence, ProbeOutcome } from '../schema/result';
import { plainAddress, type ProxyFacts } from './facts-proxy';

/** Id of the probe that enumerates interfaces (lib/probes/interfaces.ts). */
export const INTERFACES_PROBE_ID = 'interfaces';
/** Id of the call-quality probe, whose selected pair is the default-mode media path. */
const MEDIA_QUALITY_PROBE_ID = 'media-quality';

/** How a network interface is classified. */
export type NetworkKind = 'ethernet' | 'wifi' | 'cellular' | 'likely-vpn' | 'loopback' | 'unknown';

/** One network interface the browser gathered on (deep check), with what got through it. */
export interface NetworkPath {
  /** Position in the browser's network order (0 = first = preferred). */
  index: number;
  networkId: number | null;
  networkType?: string;
  networkCost?: number;
  /** The probe's classification, refined here: `likely-vpn` also when the egress evidence shows a detour. */
  kind: NetworkKind;
  /** Why `likely-vpn`, in words. */
  vpnReasons: string[];
  hostAddresses: string[];
  /** The address netready's STUN server saw this network's packets come from. */
  egress?: string;
  stunWorks: boolean;
  /** TURN relays allocated through this network, per transport. */
  turn: Record<TurnTransport, boolean>;
  /** ICE's selected pair uses this network. */
  selected: boolean;
}

/** The candidate pair ICE selected towards netready's media peer. */
export interface SelectedPathFacts {
  /** Which probe's connection: the deep check's own, or the call-quality stream's. */
  source: 'interfaces' | 'media-quality';
  candidateType: string;
  protocol: string;
  relayProtocol?: string;
  networkType?: string;
  networkCost?: number;
  /** Local address of the pair (a host address, a `.local` name, the srflx mapping or the relay address). */
  localAddress?: string;
  /** The address the media leaves this network from, as netready's servers saw it (srflx mapping; for a relay,
   * the TURN allocation's client address of that transport). */
  egress?: string;
  remoteAddress?: string;
  rttMs?: number;
}

/** The browser's WebRTC IP-handling policy, when the evidence shows one. */
export interface IpHandlingFacts {
  /** The Chrome/Edge policy value that produces what was seen. */
  policy: 'disable_non_proxied_udp' | 'default_public_interface_only';
  /** One sentence: what was seen. */
  observed: string;
  /** Probes whose failures it explains. */
  explains: string[];
  evidence: Evidence[];
}

/** Path facts. */
export interface PathFacts {
  /** The address the HTTP API saw (the web traffic's egress). */
  httpEgress?: string;
  /** Distinct addresses STUN saw (srflx), in order of first sight. */
  stunEgress: string[];
  /** Client addresses of the TURN allocations per transport (as the TURN server saw them). */
  turnEgress: Record<TurnTransport, string[]>;
  selected?: SelectedPathFacts;
  /**
   * The web traffic and the media leave from different addresses of the same IP family: the HTTP egress is none of
   * the STUN egresses (default mode) or not the selected network's (deep check).
   */
  egressDiffers: boolean;
  /** What the browser exposed of its interfaces: all (permission), masked (default route, mDNS), none, or unknown. */
  enumeration: 'all' | 'masked' | 'none' | 'unknown';
  /** The deep check's permission, when the interfaces probe ran. */
  mediaAccess?: { requested: boolean; state: string; error?: string };
  /** Every interface (deep check; empty in default mode). */
  networks: NetworkPath[];
  /** The detour: ICE chose `via` although `direct` reach netready too, from the web traffic's address. */
  detour?: { via: NetworkPath; direct: NetworkPath[]; basis: 'network-type' | 'egress' };
  ipHandling?: IpHandlingFacts;
  evidence: Evidence[];
}

type Dict = Record<string, unknown>;
const isDict = (v: unknown): v is Dict => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);
const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);

/** The IP family of an address literal, or null for a name. */
export function ipFamily(address: string): 'ipv4' | 'ipv6' | null {
  const plain = plainAddress(address);
  if (/^\d{1,3}(\.\d{1,3}){3}$/.test(plain)) return 'ipv4';
  return plain.includes(':') ? 'ipv6' : null;
}


/** A usable outcome's data: not skipped, not set aside as netready's own failure. */
function dataOf(outcome: ProbeOutcome | undefined): Dict | null {
  return outcome && outcome.status !== 'skipped' && !outcome.reclassified ? outcome.data : null;
}

function httpEgressOf(probes: Readonly<Record<string, ProbeOutcome>>): string | undefined {
  const paths = dataOf(probes[PROXY_PATHS_PROBE_ID]);
  const view = dataOf(probes[SERVER_VIEW_PROBE_ID]);
  const address = str(paths?.httpClientAddress) ?? str(view?.clientAddress);
  return address ? plainAddress(address) : undefined;
}

function turnEgressOf(probes: Readonly<Record<string, ProbeOutcome>>): Record<TurnTransport, string[]> {
  const out: Record<TurnTransport, string[]> = { udp: [], tcp: [], tls: [] };
  const clients = dataOf(probes[PROXY_PATHS_PROBE_ID])?.turnClients;
  if (!Array.isArray(clients)) return out;
  for (const c of clients) {
    if (!isDict(c)) continue;
    const transport = str(c.transport) as TurnTransport | undefined;
    const address = str(c.address);
    if (transport && address && transport in out && !out[transport].includes(plainAddress(address))) out[transport].push(plainAddress(address));
  }
  return out;
}

function stunPorts(probes: Readonly<Record<string, ProbeOutcome>>): StunPortResult[] {
  const ports = dataOf(probes[STUN_UDP_PROBE_ID])?.ports;
  return Array.isArray(ports) ? (ports.filter((p) => isDict(p) && typeof p.port === 'number') as unknown as StunPortResult[]) : [];
}

const KINDS: readonly NetworkKind[] = ['ethernet', 'wifi', 'cellular', 'likely-vpn', 'loopback', 'unknown'];

function readNetworks(data: Dict | null): NetworkPath[] {
  const list = data?.networks;
  if (!Array.isArray(list)) return [];
  const out: NetworkPath[] = [];
  for (const [index, n] of list.slice(0, 32).entries()) {
    if (!isDict(n)) continue;
    const stun = isDict(n.stun) ? n.stun : {};
    const hostAddresses = Array.isArray(n.hostAddresses) ? n.hostAddresses.filter((a): a is string => typeof a === 'string').slice(0, 8) : [];
    // No NAT on the path: the server saw the host address itself, and Chromium offers no srflx equal to a host candidate.
    const srflx = isDict(stun.srflx) ? str(stun.srflx.address) : stun.egressIsHost === true ? hostAddresses.find((a) => ipFamily(a) !== null) : undefined;
    const turn = isDict(n.turn) ? n.turn : {};
    const kind = KINDS.includes(n.kind as NetworkKind) ? (n.kind as NetworkKind) : 'unknown';
    const networkType = str(n.networkType);
    const path: NetworkPath = {
      index,
      networkId: num(n.networkId) ?? null,
      kind,
      vpnReasons: [],
      hostAddresses,
      stunWorks: srflx !== undefined,
      turn: { udp: isDict(turn.udp), tcp: isDict(turn.tcp), tls: isDict(turn.tls) },
      selected: n.selected === true,
    };
    if (networkType) path.networkType = networkType;
    const cost = num(n.networkCost);
    if (cost !== undefined) path.networkCost = cost;
    if (srflx) path.egress = plainAddress(srflx);
    if (networkType === 'vpn' || kind === 'likely-vpn') {
      path.kind = 'likely-vpn';
      path.vpnReasons.push(str(n.vpnHint) ?? 'the browser reports this interface as a VPN');
    }
    out.push(path);
  }
  return out;
}

function readSelected(data: Dict | null, source: SelectedPathFacts['source'], turnEgress: Record<TurnTransport, string[]>): SelectedPathFacts | undefined {
  const pair = source === 'interfaces' ? data?.selected : data?.path;
  if (!isDict(pair) || !isDict(pair.local)) return undefined;
  const local = pair.local;
  const candidateType = str(local.candidateType);
  const protocol = str(local.protocol);
  if (!candidateType || !protocol) return undefined;
  const selected: SelectedPathFacts = { source, candidateType, protocol };
  const relayProtocol = str(local.relayProtocol);
  if (relayProtocol) selected.relayProtocol = relayProtocol;
  const networkType = str(local.networkType);
  if (networkType) selected.networkType = networkType;
  const cost = num(local.networkCost);
  if (cost !== undefined) selected.networkCost = cost;
  const address = str(local.address);
  if (address) selected.localAddress = address;
  if (isDict(pair.remote) && str(pair.remote.address)) selected.remoteAddress = str(pair.remote.address)!;
  const rtt = num(pair.rttMs) ?? num(pair.currentRoundTripTimeMs);
  if (rtt !== undefined) selected.rttMs = rtt;
  if ((candidateType === 'srflx' || candidateType === 'prflx' || candidateType === 'host') && address && ipFamily(address)) selected.egress = plainAddress(address);
  else if (candidateType === 'relay') {
    const transport: TurnTransport = relayProtocol === 'tls' ? 'tls' : relayProtocol === 'tcp' ? 'tcp' : 'udp';
    if (turnEgress[transport].length === 1) selected.egress = turnEgress[transport][0];
  }
  return selected;
}

function isLoopback(address: string): boolean {
  const plain = plainAddress(address);
  return plain.startsWith('127.') || plain === '::1';
}

/**
 * Whether two egress addresses can be compared: the same IP family, and neither a loopback address — a test server
 * on this very computer sees web requests from 127.0.0.1 but WebRTC (which leaves loopback out) from a LAN address,
 * and that says nothing about the network's paths.
 */
function sameFamily(a: string, b: string): boolean {
  const fa = ipFamily(a);
  return fa !== null && fa === ipFamily(b) && !isLoopback(a) && !isLoopback(b);
}

/** Finds the detour (see the module comment), and marks the detour network `likely-vpn` with its reason. */
function findDetour(networks: NetworkPath[], httpEgress: string | undefined): PathFacts['detour'] {
  const via = networks.find((n) => n.selected);
  if (!via) return undefined;
  const reaching = networks.filter((n) => n !== via && (n.stunWorks || TURN_TRANSPORTS.some((t) => n.turn[t])));
  if (reaching.length === 0) return undefined;
  if (via.kind === 'likely-vpn') {
    const direct = reaching.filter((n) => n.kind !== 'likely-vpn');
    if (direct.length > 0) return { via, direct, basis: 'network-type' };
  }
  if (!httpEgress || !via.egress || !sameFamily(via.egress, httpEgress) || via.egress === httpEgress) return undefined;
  const direct = reaching.filter((n) => n.egress === httpEgress);
  if (direct.length === 0) return undefined;
  if (via.kind !== 'likely-vpn') {
    via.kind = 'likely-vpn';
    via.vpnReasons.push(
      `its traffic reaches netready from ${via.egress}, while your web traffic and another interface reach it from ${httpEgress} — ` +
        'the pattern of a VPN that carries everything but the web',
    );
  }
  return { via, direct, basis: 'egress' };
}

function udpSilent(ports: StunPortResult[]): boolean {
  return ports.length > 0 && ports.every((p) => !p.srflx && p.hostCandidates === 0);
}

function ipHandlingOf(
  probes: Readonly<Record<string, ProbeOutcome>>,
  ports: StunPortResult[],
  enumeration: PathFacts['enumeration'],
  networks: NetworkPath[],
  mediaAccess: PathFacts['mediaAccess'],
  turnEgress: Record<TurnTransport, string[]>,
  httpEgress: string | undefined,
  stunEgress: string[],
  proxyHeadersSeen: boolean,
): IpHandlingFacts | undefined {
  const stunEvidence = probes[STUN_UDP_PROBE_ID]?.evidence ?? [];
  const noHostAnywhere = ports.length > 0 && ports.every((p) => p.hostCandidates === 0) && networks.every((n) => n.hostAddresses.length === 0) && enumeration !== 'all' && enumeration !== 'masked';
  if (!noHostAnywhere) return undefined;
  if (stunEgress.length > 0) {
    return {
      policy: 'default_public_interface_only',
      observed: `STUN answered (your public address ${stunEgress.join(', ')}), but the browser offered no local address at all — not even the masked one browsers normally show`,
      explains: [],
      evidence: stunEvidence.slice(0, 4),
    };
  }
  if (!udpSilent(ports)) return undefined;
  const udpRelay = dataOf(probes[turnProbeId('udp')])?.relay;
  if (udpRelay) return undefined;
  // Proof that the host can reach netready directly, so "no default route" does not explain the silence: a TURN
  // allocation over TCP/TLS that arrived from the web traffic's own address (a proxy's would be its address too, so
  // also require that no relay was reached only through a proxy: the TCP egress equals the UDP-less host's NAT, i.e.
  // the address the HTTP API saw without proxy headers), or permission granted and still no local address.
  const tcpEgress = [...turnEgress.tcp, ...turnEgress.tls];
  const direct = !proxyHeadersSeen && httpEgress !== undefined && tcpEgress.includes(httpEgress);
  const enumerated = mediaAccess?.state === 'granted';
  if (!direct && !enumerated) return undefined;
  const proof = enumerated
    ? 'even with media permission granted, which makes the browser list every interface'
    : `although TURN over TCP reached netready directly from ${httpEgress}`;
  return {
    policy: 'disable_non_proxied_udp',
    observed: `the browser gathered no UDP candidate of any kind — no local address, no STUN answer, no UDP relay — ${proof}`,
    explains: ['stun-udp', 'turn-udp', 'mtu', 'nat', INTERFACES_PROBE_ID, 'dns-turn-lookup'],
    evidence: [...stunEvidence.slice(0, 3), ...(probes[turnProbeId('tcp')]?.evidence ?? []).slice(0, 2)],
  };
}

/**
 * Derives the path facts. `proxy` (facts-proxy.ts), when known, tells whether the web traffic came through a proxy
 * (its headers), so a TURN/TCP allocation from the web traffic's address is not mistaken for a direct route.
 */
export function derivePathFacts(probes: Readonly<Record<string, ProbeOutcome>>, proxy?: Pick<ProxyFacts, 'proxyHeaders'>): PathFacts {
  const httpEgress = httpEgressOf(probes);
  const turnEgress = turnEgressOf(probes);
  const ports = stunPorts(probes);
  const stunEgress: string[] = [];
  for (const p of ports) if (p.srflx && !stunEgress.includes(plainAddress(p.srflx.address))) stunEgress.push(plainAddress(p.srflx.address));
  const interfaces = dataOf(probes[INTERFACES_PROBE_ID]);
  const networks = readNetworks(interfaces);
  for (const n of networks) if (n.egress && !stunEgress.includes(n.egress)) stunEgress.push(n.egress);
  const enumerationValue = str(interfaces?.enumeration);
  const enumeration: PathFacts['enumeration'] = enumerationValue === 'all' || enumerationValue === 'masked' || enumerationValue === 'none' ? enumerationValue : 'unknown';
  const facts: PathFacts = { stunEgress, turnEgress, egressDiffers: false, enumeration, networks, evidence: [] };
  if (httpEgress) facts.httpEgress = httpEgress;
  if (isDict(interfaces?.mediaAccess)) {
    const m = interfaces.mediaAccess;
    facts.mediaAccess = { requested: m.requested === true, state: str(m.state) ?? 'not-requested', ...(str(m.error) ? { error: str(m.error)! } : {}) };
  }
  const deepSelected = enumeration === 'all' ? readSelected(interfaces, 'interfaces', turnEgress) : undefined;
  const selected = deepSelected ?? readSelected(dataOf(probes[MEDIA_QUALITY_PROBE_ID]), 'media-quality', turnEgress) ?? readSelected(interfaces, 'interfaces', turnEgress);
  if (selected) facts.selected = selected;
  if (httpEgress) {
    if (enumeration === 'all' && networks.length > 0) {
      const via = networks.find((n) => n.selected);
      facts.egressDiffers = Boolean(via?.egress && sameFamily(via.egress, httpEgress) && via.egress !== httpEgress);
    } else {
      const media = selected?.egress ? [selected.egress] : stunEgress;
      const comparable = media.filter((a) => sameFamily(a, httpEgress));
      facts.egressDiffers = comparable.length > 0 && !comparable.includes(httpEgress);
    }
  }
  const detour = enumeration === 'all' ? findDetour(networks, httpEgress) : undefined;
  if (detour) facts.detour = detour;
  const ipHandling = ipHandlingOf(probes, ports, enumeration, networks, facts.mediaAccess, turnEgress, httpEgress, stunEgress, (proxy?.proxyHeaders.length ?? 0) > 0);
  if (ipHandling) facts.ipHandling = ipHandling;
  facts.evidence = [
    ...(probes[PROXY_PATHS_PROBE_ID]?.evidence ?? []),
    ...(probes[STUN_UDP_PROBE_ID]?.evidence ?? []).filter((e) => e.kind === 'candidate').slice(0, 3),
    ...(probes[INTERFACES_PROBE_ID]?.evidence ?? []).slice(0, 6),
  ];
  return facts;
}
