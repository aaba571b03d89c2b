/**
 * Every diagnosis rule, in the order findings are listed when severities tie.
 */
import type { Rule } from '../types';
import { dnsResolverRemote } from './dns-resolver-remote';
import { dnsSlow } from './dns-slow';
import { dnsTurnLookupFailed } from './dns-turn-lookup-failed';
import { httpProxy } from './http-proxy';
import { proxyAuthRequired } from './proxy-auth-required';
import { highJitter, highRtt, packetLoss } from './quality';
import { relayOnly } from './relay-only';
import { serverUnreachable } from './server-unreachable';
import { tlsInterception } from './tls-interception';
import { turnTcpFailed, turnTlsFailed, turnUdpFailed } from './turn-transport-failed';
import { udpBlocked } from './udp-blocked';
import { udpPortsRestricted } from './udp-ports-restricted';
import { websocketBlocked } from './websocket-blocked';

/** All rules. */
export const RULES: readonly Rule[] = [
  serverUnreachable,
  udpBlocked,
  udpPortsRestricted,
  turnUdpFailed,
  turnTcpFailed,
  turnTlsFailed,
  relayOnly,
  packetLoss,
  highRtt,
  highJitter,
  dnsTurnLookupFailed,
  dnsSlow,
  dnsResolverRemote,
  tlsInterception,
  httpProxy,
  proxyAuthRequired,
  websocketBlocked,
];
