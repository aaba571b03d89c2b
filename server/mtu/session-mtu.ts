/**
 * The MTU part of a session document (lib/schema/session.ts `mtu`): which rungs the page may probe directly, which
 * sizes the server cannot offer and why, and — where the TURN ladder is on — one TURN username per size.
 */
import type { MtuFamily } from '../../lib/protocol/mtu/padding';
import { mtuTurnTag } from '../../lib/protocol/mtu/ladder';
import type { SessionMtu } from '../../lib/schema/session';
import type { MtuRungAddress } from './mtu-server';

/** What the probe server knows about its ladder once listening (ProbeEndpoints.mtu). */
export interface MtuEndpoints {
  /** Address clients reach the IPv4 rungs at. */
  publicIpv4: string;
  /** The IPv6 address of the IPv6 rungs, when configured. */
  ipv6?: string;
  /** Bound rungs. */
  rungs: MtuRungAddress[];
  /** The server's own link MTU per family (null: unknown, then every size is offered). */
  linkMtuBytes: Record<MtuFamily, number | null>;
  /** Sizes offered through TURN over UDP (empty: no TURN ladder). */
  turnSizes: number[];
  /** The TURN listener's own link MTU (null: unknown). */
  turnLinkMtuBytes: number | null;
}

/** Why a Don't-Fragment rung of `sizeBytes` cannot be offered on a link of `linkMtu` bytes, or null when it can. */
function tooLargeForLink(sizeBytes: number, df: boolean, linkMtu: number | null): string | null {
  if (!df || linkMtu === null || sizeBytes <= linkMtu) return null;
  return `larger than the test server's own link MTU (${linkMtu} bytes): it could never leave the server with Don't-Fragment set`;
}

/** Builds the session's `mtu` for one session; `mintTagged` mints TURN credentials with a username tag. */
export function buildSessionMtu(
  endpoints: MtuEndpoints,
  options: { sessionId: string; turnUrl: string; mintTagged: (tag: string) => { username: string; credential: string } },
): SessionMtu {
  const rungs: SessionMtu['rungs'] = [];
  const notOffered: SessionMtu['notOffered'] = [];
  for (const rung of endpoints.rungs) {
    const reason = tooLargeForLink(rung.sizeBytes, rung.df, endpoints.linkMtuBytes[rung.family]);
    if (reason) {
      notOffered.push({ family: rung.family, sizeBytes: rung.sizeBytes, df: rung.df, reason });
      continue;
    }
    const host = rung.family === 'ipv6' ? `[${endpoints.ipv6 ?? rung.ip}]` : endpoints.publicIpv4;
    rungs.push({ family: rung.family, sizeBytes: rung.sizeBytes, df: rung.df, port: rung.port, url: `stun:${host}:${rung.port}` });
  }
  const turnSizes = endpoints.turnSizes.filter((size) => tooLargeForLink(size, true, endpoints.turnLinkMtuBytes) === null);
  const linkMtuBytes: NonNullable<SessionMtu['linkMtuBytes']> = {};
  if (endpoints.linkMtuBytes.ipv4 !== null) linkMtuBytes.ipv4 = endpoints.linkMtuBytes.ipv4;
  if (endpoints.linkMtuBytes.ipv6 !== null) linkMtuBytes.ipv6 = endpoints.linkMtuBytes.ipv6;
  return {
    rungs,
    notOffered,
    ...(endpoints.ipv6 ? {} : { ipv6Missing: 'the test server has no IPv6 address configured (probe.mtu.ipv6)' }),
    ...(turnSizes.length > 0
      ? { turn: turnSizes.map((sizeBytes) => ({ sizeBytes, url: options.turnUrl, ...options.mintTagged(mtuTurnTag(sizeBytes)) })) }
      : {}),
    pathMtuPath: `/v1/sessions/${options.sessionId}/path-mtu`,
    ...(Object.keys(linkMtuBytes).length > 0 ? { linkMtuBytes } : {}),
  };
}
