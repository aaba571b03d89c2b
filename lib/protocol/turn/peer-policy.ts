/**
 * Which peers a netready allocation may reach. netready's TURN server is never an open relay: a peer must be
 * one of this server's own active relay addresses (two test clients talking relay-to-relay) or inside a
 * configured media-peer range. RFC 8656 §10.2, §11.2 and §12.2 all let the server "impose restrictions on the
 * IP address and port values allowed in the XOR-PEER-ADDRESS attribute" and answer 403 (Forbidden).
 */
import { parseIpv4, type Endpoint } from '../stun/ip';

/** A media peer the relay may reach: one IP and an inclusive port range. */
export interface AllowedPeerRange {
  /** IPv4 address. */
  ip: string;
  /** Lowest allowed port. */
  portMin: number;
  /** Highest allowed port. */
  portMax: number;
}

/** What kind of address a refused peer is (evidence for "what the server saw"). */
export type PeerAddressClass =
  | 'loopback'
  | 'private'
  | 'shared'
  | 'link-local'
  | 'metadata'
  | 'unspecified'
  | 'multicast'
  | 'reserved'
  | 'ipv6'
  | 'public';

/** Why a peer was refused: its class, or `not-allowed` for a public address outside every allowed range. */
export type PeerRefusalReason = Exclude<PeerAddressClass, 'public'> | 'not-allowed';

/** Classifies an IP (text) by the special-purpose registries (RFC 6890, RFC 5735, RFC 6598). */
export function classifyPeerIp(ip: string): PeerAddressClass {
  if (ip.includes(':')) return 'ipv6';
  let b: Uint8Array;
  try {
    b = parseIpv4(ip);
  } catch {
    return 'reserved';
  }
  const [a = 0, c = 0] = [b[0], b[1]];
  if (ip === '169.254.169.254') return 'metadata';
  if (a === 0) return 'unspecified';
  if (a === 127) return 'loopback';
  if (a === 10 || (a === 172 && c >= 16 && c <= 31) || (a === 192 && c === 168)) return 'private';
  if (a === 100 && c >= 64 && c <= 127) return 'shared';
  if (a === 169 && c === 254) return 'link-local';
  if (a >= 224 && a <= 239) return 'multicast';
  if (a >= 240) return 'reserved';
  return 'public';
}

/** Decides peer access for one server. Pure: the live relay set is read through `isActiveRelay`. */
export class PeerPolicy {
  private readonly relayIps: ReadonlySet<string>;
  private readonly allowed: readonly AllowedPeerRange[];
  private readonly isActiveRelay: (endpoint: Endpoint) => boolean;

  /** `relayIps` are the IPs this server allocates relays on; `isActiveRelay` tells a live relay address. */
  constructor(options: { relayIps: readonly string[]; allowedPeers: readonly AllowedPeerRange[]; isActiveRelay: (endpoint: Endpoint) => boolean }) {
    this.relayIps = new Set(options.relayIps);
    this.allowed = options.allowedPeers;
    this.isActiveRelay = options.isActiveRelay;
  }

  private refusal(ip: string): PeerRefusalReason {
    const cls = classifyPeerIp(ip);
    return cls === 'public' ? 'not-allowed' : cls;
  }

  /**
   * CreatePermission is IP-only (RFC 8656 §9: "only addresses are compared and port numbers are not
   * considered"): the IP must be one of our relay IPs or an allowed media-peer IP. Null means allowed.
   */
  checkIp(ip: string): PeerRefusalReason | null {
    if (this.relayIps.has(ip) || this.allowed.some((r) => r.ip === ip)) return null;
    return this.refusal(ip);
  }

  /**
   * ChannelBind, Send and inbound data carry a port: the exact address must be a live relay of this server or
   * inside an allowed range. This holds even when our relay IP is loopback — only the exact relay ports pass.
   */
  checkEndpoint(peer: Endpoint): PeerRefusalReason | null {
    // Runs per relayed datagram: the allowed ranges first, in a plain loop (no closure, no key string), then
    // the live-relay lookup. Either one allows, so the order does not change the answer.
    for (let i = 0; i < this.allowed.length; i++) {
      const r = this.allowed[i]!;
      if (r.ip === peer.ip && peer.port >= r.portMin && peer.port <= r.portMax) return null;
    }
    if (this.isActiveRelay(peer)) return null;
    return this.refusal(peer.ip);
  }
}
