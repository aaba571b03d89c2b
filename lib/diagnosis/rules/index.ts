/**
 * Every diagnosis rule, in the order findings are listed when severities tie.
 */
import type { Rule } from '../types';
import { dnsLookupFailed } from './dns-lookup-failed';
import { dnsResolverRemote } from './dns-resolver-remote';
import { dnsOverHttps } from './dns-over-https';
import { dnsSlow } from './dns-slow';
import { geodnsWrongRegion } from './geodns-wrong-region';
import { dnsTurnLookupFailed } from './dns-turn-lookup-failed';
import { httpProxy } from './http-proxy';
import { iceTcpFailed } from './ice-tcp-failed';
import { ipFragmentsDropped } from './ip-fragments-dropped';
import { mtuBlackhole } from './mtu-blackhole';
import { probeCertificateUntrusted } from './probe-certificate-untrusted';
import { probeHttpsBlocked } from './probe-https-blocked';
import { proxyAuthRequired } from './proxy-auth-required';
import { highJitter, highRtt, packetLoss } from './quality';
import { lowBandwidth } from './low-bandwidth';
import { probeServerOverloaded } from './probe-server-overloaded';
import { relayOnly } from './relay-only';
import { serverUnreachable } from './server-unreachable';
import { tlsInterception } from './tls-interception';
import { turnTcpFailed, turnTlsFailed, turnUdpFailed } from './turn-transport-failed';
import { udpBlocked } from './udp-blocked';
import { udpPortsRestricted } from './udp-ports-restricted';
import { vendorHostUnreachable } from './vendor-host-unreachable';
import { websocketBlocked } from './websocket-blocked';
import { mediaEgressDiffers } from './media-egress-differs';
import { vpnPath } from './vpn-path';
import { webrtcIpHandlingRestricted } from './webrtc-ip-handling-restricted';
import { symmetricNat } from './symmetric-nat';
import { ipv6Unavailable } from './ipv6-unavailable';
// The browser and how netready was opened in it (issue 18).
import { webrtcUnavailable } from './webrtc-unavailable';
import { probeOnLoopback } from './probe-on-loopback';
import { turnTlsNeedsHostname } from './turn-tls-needs-hostname';

/** All rules. */
export const RULES: readonly Rule[] = [
  serverUnreachable,
  probeCertificateUntrusted,
  // The browser and how netready was opened in it (issue 18): before every network rule.
  webrtcUnavailable,
  probeOnLoopback,
  turnTlsNeedsHostname,
  // The browser's own policy first: where it keeps WebRTC off UDP, the UDP rules below stay silent.
  webrtcIpHandlingRestricted,
  udpBlocked,
  udpPortsRestricted,
  turnUdpFailed,
  turnTcpFailed,
  turnTlsFailed,
  relayOnly,
  iceTcpFailed,
  packetLoss,
  highRtt,
  highJitter,
  // MTU (issue 10): after the transport findings it explains, which stay and mention it.
  mtuBlackhole,
  ipFragmentsDropped,
  lowBandwidth,
  probeServerOverloaded,
  dnsTurnLookupFailed,
  dnsLookupFailed,
  dnsSlow,
  dnsResolverRemote,
  // Regions (issue 15).
  geodnsWrongRegion,
  dnsOverHttps,
  vendorHostUnreachable,
  tlsInterception,
  httpProxy,
  proxyAuthRequired,
  websocketBlocked,
  probeHttpsBlocked,
  // Paths and interfaces (issue 11).
  vpnPath,
  mediaEgressDiffers,
  // NAT behaviour and IPv6 (issue 11): information, listed after the rest.
  symmetricNat,
  ipv6Unavailable,
];
