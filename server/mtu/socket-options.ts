/**
 * Path-MTU socket options Node has no API for (Linux), through the `sockopt` native addon (2.0.1, ISC, prebuilt
 * for linux x64/arm64, so `npm install` on a fresh machine needs no compiler):
 *
 * - `IP_MTU_DISCOVER` / `IPV6_MTU_DISCOVER` = `IP_PMTUDISC_PROBE`: every datagram leaves with Don't-Fragment set and
 *   the kernel never fragments it, whatever path MTU it has learned. The default mode (`IP_PMTUDISC_WANT`) also sets
 *   DF, but after one ICMP "fragmentation needed" it fragments later datagrams to that client itself — a false pass
 *   on every later run (shared/DESIGN.md "MTU"). `IP_PMTUDISC_DONT` clears DF: the kernel fragments, which is how
 *   the fragment rungs test whether IP fragments arrive at all.
 * - `IP_MTU` / `IPV6_MTU` on a connected socket: the path MTU the kernel knows towards an address — below the link
 *   MTU only after an ICMP "fragmentation needed" / ICMPv6 "packet too big" came back (the kernel records it whatever
 *   the socket's mode), which tells a small MTU with working path-MTU discovery from a black hole.
 *
 * sockopt reads the descriptor from `socket._handle.fd`; on a dgram socket that getter is deprecated (DEP0112) and
 * prints a warning. We take the descriptor from the socket's internal state handle instead (the same UDPWrap, whose
 * own `fd` accessor is not deprecated) and give sockopt a stand-in object: no warning, and no global
 * `process.noDeprecation` switch hiding other deprecations.
 */
import type dgram from 'node:dgram';
import { getsockopt, setsockopt } from 'sockopt';

/** Linux <netinet/in.h>: IPPROTO_IP. */
const IPPROTO_IP = 0;
/** Linux <netinet/in.h>: IPPROTO_IPV6. */
const IPPROTO_IPV6 = 41;
/** Linux <linux/in.h>: IP_MTU_DISCOVER. */
const IP_MTU_DISCOVER = 10;
/** Linux <linux/in.h>: IP_MTU (getsockopt only, connected sockets). */
const IP_MTU = 14;
/** Linux <linux/in6.h>: IPV6_MTU_DISCOVER. */
const IPV6_MTU_DISCOVER = 23;
/** Linux <linux/in6.h>: IPV6_MTU. */
const IPV6_MTU = 24;
/** Linux <linux/in.h> / <linux/in6.h>: the PMTU discovery modes (same numbers for IPv4 and IPv6). */
const PMTUDISC = { dont: 0, want: 1, probe: 3 } as const;

/** How a socket treats Don't-Fragment: `probe` DF always, never fragment; `dont` no DF, the kernel fragments; `want` the Linux default. */
export type PmtuMode = keyof typeof PMTUDISC;

/** Why a socket option could not be used. */
export type SocketOptionErrorCode = 'unsupported-platform' | 'no-descriptor' | 'setsockopt-failed' | 'getsockopt-failed';

/** A socket option that could not be set or read. */
export class SocketOptionError extends Error {
  /** Machine-readable reason. */
  readonly code: SocketOptionErrorCode;
  /** Creates the error; `message` names the option and the reason. */
  constructor(code: SocketOptionErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'SocketOptionError';
    this.code = code;
  }
}

/** Whether this platform has the options above (Linux only: macOS and Windows spell DF differently). */
export function pmtuOptionsSupported(): boolean {
  return process.platform === 'linux';
}

/** The file descriptor of a bound or connected dgram socket, read without the deprecated `_handle` getter. */
function descriptorOf(socket: dgram.Socket): { _handle: { fd: number } } {
  // Node keeps a dgram socket's state (with its UDPWrap handle) under a private symbol, `Symbol(state symbol)`
  // (lib/internal/dgram.js since Node 12). The handle's `fd` accessor is the supported one.
  const symbol = Object.getOwnPropertySymbols(socket).find((s) => s.description === 'state symbol');
  const handle = symbol ? (socket as unknown as Record<symbol, { handle?: { fd?: unknown } } | undefined>)[symbol]?.handle : undefined;
  const fd = handle?.fd;
  if (typeof fd !== 'number' || fd < 0) {
    throw new SocketOptionError('no-descriptor', 'the UDP socket has no file descriptor (not bound yet, closed, or a Node version whose dgram internals differ)');
  }
  return { _handle: { fd } };
}

/** Sets the PMTU discovery mode of a bound UDP socket of `family`. Throws SocketOptionError. */
export function setPmtuMode(socket: dgram.Socket, family: 'ipv4' | 'ipv6', mode: PmtuMode): void {
  if (!pmtuOptionsSupported()) throw new SocketOptionError('unsupported-platform', `IP_PMTUDISC_${mode.toUpperCase()} needs Linux; this is ${process.platform}`);
  const target = descriptorOf(socket);
  const [level, option] = family === 'ipv6' ? [IPPROTO_IPV6, IPV6_MTU_DISCOVER] : [IPPROTO_IP, IP_MTU_DISCOVER];
  try {
    setsockopt(target, level, option, PMTUDISC[mode]);
  } catch (cause) {
    throw new SocketOptionError('setsockopt-failed', `setsockopt(${family === 'ipv6' ? 'IPV6_MTU_DISCOVER' : 'IP_MTU_DISCOVER'}, ${mode}) failed: ${(cause as Error).message}`, { cause });
  }
}

/** Reads the PMTU discovery mode of a bound UDP socket (for tests and start-up checks). Throws SocketOptionError. */
export function getPmtuMode(socket: dgram.Socket, family: 'ipv4' | 'ipv6'): PmtuMode | number {
  if (!pmtuOptionsSupported()) throw new SocketOptionError('unsupported-platform', `IP_MTU_DISCOVER needs Linux; this is ${process.platform}`);
  const [level, option] = family === 'ipv6' ? [IPPROTO_IPV6, IPV6_MTU_DISCOVER] : [IPPROTO_IP, IP_MTU_DISCOVER];
  let value: number;
  try {
    value = getsockopt(descriptorOf(socket), level, option);
  } catch (cause) {
    throw new SocketOptionError('getsockopt-failed', `getsockopt(MTU_DISCOVER) failed: ${(cause as Error).message}`, { cause });
  }
  const name = (Object.keys(PMTUDISC) as PmtuMode[]).find((key) => PMTUDISC[key] === value);
  return name ?? value;
}

/** The path MTU the kernel knows towards the peer of a CONNECTED UDP socket (IP_MTU / IPV6_MTU). Throws SocketOptionError. */
export function connectedPathMtu(socket: dgram.Socket, family: 'ipv4' | 'ipv6'): number {
  if (!pmtuOptionsSupported()) throw new SocketOptionError('unsupported-platform', `IP_MTU needs Linux; this is ${process.platform}`);
  const [level, option] = family === 'ipv6' ? [IPPROTO_IPV6, IPV6_MTU] : [IPPROTO_IP, IP_MTU];
  try {
    return getsockopt(descriptorOf(socket), level, option);
  } catch (cause) {
    throw new SocketOptionError('getsockopt-failed', `getsockopt(${family === 'ipv6' ? 'IPV6_MTU' : 'IP_MTU'}) failed: ${(cause as Error).message}`, { cause });
  }
}
