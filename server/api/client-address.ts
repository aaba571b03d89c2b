/**
 * Which network address a request to the web app came from, for the per-client limits of POST /api/results.
 *
 * Under `next start` a route handler sees no socket. Next.js 16 (node_modules/next/dist/server/base-server.js,
 * handleRequestImpl) fills `x-forwarded-for` with the TCP peer address only when the request carries none
 * (`req.headers['x-forwarded-for'] ??= socket.remoteAddress`): a client that sends its own X-Forwarded-For
 * replaces its address with any text it likes, and the peer address is lost. `NextRequest` has no `ip` either
 * (removed in Next 15). So the web process records the TCP peer itself, in PEER_ADDRESS_HEADER, when Node emits
 * the request and before Next.js reads it (installPeerAddressCapture, called from instrumentation.ts). The header
 * is overwritten on every request, so a client cannot supply it.
 */
import type { IncomingMessage } from 'node:http';
import { isIPv4, isIPv6 } from 'node:net';
import { hookServerRequests } from '../net/request-hook';

/** Request header holding the TCP peer address, set by the web process itself on every request. */
export const PEER_ADDRESS_HEADER = 'x-netready-peer-address';

/** The client address when none can be determined (capture not installed): all such requests share one budget. */
export const UNKNOWN_CLIENT = 'unknown';

const INSTALLED = Symbol.for('netready.peerAddressCapture');

/** Writes the request's TCP peer address into PEER_ADDRESS_HEADER, replacing whatever the client sent. */
export function stampPeerAddress(req: IncomingMessage): void {
  req.headers[PEER_ADDRESS_HEADER] = req.socket?.remoteAddress ?? '';
}

/**
 * Makes every HTTP(S) server of this process stamp the peer address on each request before its listeners run
 * (Next.js creates its server itself and offers no hook; wrapping `emit` on the prototypes reaches it). Idempotent.
 * Requests emitted before the call (the first one during start-up) carry no stamp and count as UNKNOWN_CLIENT.
 * Returns the function that removes the wrapper again (tests).
 */
export function installPeerAddressCapture(): () => void {
  return hookServerRequests(INSTALLED, stampPeerAddress);
}

/** Strips a port and brackets (`[2001:db8::1]:443`, `192.0.2.1:5678`) and the IPv4-mapped prefix (`::ffff:`). */
function normalizeAddress(raw: string): string {
  let address = raw.trim();
  const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(address);
  if (bracketed) address = bracketed[1]!;
  else if (/^[\d.]+:\d+$/.test(address)) address = address.slice(0, address.lastIndexOf(':'));
  if (/^::ffff:[\d.]+$/i.test(address)) address = address.slice(7);
  return address;
}

/**
 * The client address of a request. The chain is X-Forwarded-For's entries followed by the TCP peer: each trusted
 * reverse proxy appended the address it received the request from, and the peer is the last proxy (or the client).
 * With `trustedProxyHops` 0 (default) the answer is the TCP peer, and nothing the client sends counts; with N, the
 * entry N places left of the peer. A chain shorter than that gives its leftmost entry.
 */
export function clientAddressOf(headers: Headers, trustedProxyHops: number): string {
  const peer = headers.get(PEER_ADDRESS_HEADER)?.trim() || UNKNOWN_CLIENT;
  if (trustedProxyHops === 0) return peer === UNKNOWN_CLIENT ? peer : normalizeAddress(peer);
  const forwarded = (headers.get('x-forwarded-for') ?? '')
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '');
  const chain = [...forwarded, peer];
  const chosen = chain[Math.max(0, chain.length - 1 - trustedProxyHops)]!;
  return chosen === UNKNOWN_CLIENT ? chosen : normalizeAddress(chosen);
}

/** Expands an IPv6 address to its eight 16-bit groups. */
function ipv6Groups(address: string): number[] {
  const [head = '', tail = ''] = address.split('::', 2) as [string, string?];
  const parse = (part: string | undefined): number[] => {
    if (!part) return [];
    const groups: number[] = [];
    for (const piece of part.split(':')) {
      if (isIPv4(piece)) {
        const [a, b, c, d] = piece.split('.').map(Number) as [number, number, number, number];
        groups.push((a << 8) | b, (c << 8) | d);
      } else {
        groups.push(parseInt(piece, 16));
      }
    }
    return groups;
  };
  const front = parse(head);
  const back = address.includes('::') ? parse(tail) : [];
  return [...front, ...new Array<number>(8 - front.length - back.length).fill(0), ...back];
}

/**
 * The key a client is limited under: an IPv4 address as it is, an IPv6 address by its /64 (one subscriber's
 * network gets a whole /64, so per-address limits alone would give it 2^64 budgets).
 */
export function limitKeyOf(address: string): string {
  if (!isIPv6(address)) return address;
  const prefix = ipv6Groups(address.split('%')[0]!).slice(0, 4).map((group) => group.toString(16));
  return `${prefix.join(':')}::/64`;
}
