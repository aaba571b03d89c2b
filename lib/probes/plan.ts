/**
 * The default probe plan of a netready run: the session first, then every network probe in parallel.
 */
import { createDnsLookupProbe } from './dns-lookup';
import { createDnsResolverProbe } from './dns-resolver';
import { createDnsTurnLookupProbe } from './dns-turn-lookup';
import { createDnsVendorHostsProbe } from './dns-vendor-hosts';
import { createIceTcpProbe } from './ice-tcp';
import { createInterfacesProbe } from './interfaces';
import { createMediaQualityProbe } from './media-quality';
import { createMtuProbe } from './mtu';
import { createNatProbe } from './nat';
import { createProxyAuthProbe } from './proxy-auth';
import { createProxyEchoProbe } from './proxy-echo';
import { createProxyPathsProbe } from './proxy-paths';
import { createRegionsProbe } from './regions';
import { createServerViewProbe } from './server-view';
import { createSessionProbe } from './session';
import { createStunUdpProbe } from './stun-udp';
import { createTlsMirrorProbe } from './tls-mirror';
import { createTurnRelayProbe, TURN_TRANSPORTS } from './turn-relay';
import type { Probe } from './types';
import { createWebSocketProbe } from './websocket';

/** Options of createDefaultPlan. */
export interface PlanOptions {
  /** Run the call-quality stream (default true). Without it the run checks connectivity only (an embed's `connectivity` plan). */
  quality?: boolean;
  /** Vendor targets to check (config `targets[].name`); default all (createSessionProbe). */
  targets?: readonly string[];
}

/**
 * Creates the default plan: session → (STUN port matrix, TURN over UDP, TCP, TLS, call quality, MTU ladder, DNS lookups →
 * resolver, TURN by name, vendor hosts, proxy and TLS inspection) → what the server saw, last.
 */
export function createDefaultPlan(options: PlanOptions = {}): Probe[] {
  return [
    createSessionProbe(options.targets ? { targets: options.targets } : {}),
    createStunUdpProbe(),
    ...TURN_TRANSPORTS.map((transport) => createTurnRelayProbe(transport)),
    ...(options.quality === false ? [] : [createMediaQualityProbe()]),
    // ICE-TCP (issue 10): in parallel from the start — ≈ 0.2 s where it works, and its own 5 s deadline where it
    // does not stays under the TURN probes' 6 s, so it never lengthens the run.
    createIceTcpProbe(),
    // MTU: padded STUN answers of exact sizes (direct, else TURN/UDP), fragments, and the largest upstream packet.
    createMtuProbe(),
    // NAT behaviour and IPv6 (issue 11): one socket to every STUN endpoint, filtering checks from the server; ≈ 1–2 s.
    createNatProbe(),
    // Interfaces (issue 11): one peer connection on every network the browser shows (all of them after the deep
    // check's media permission), what STUN and TURN did through each, and which one ICE selected.
    createInterfacesProbe(),
    // DNS: skipped (with the reason) unless the server has a probe zone / vendor host names.
    createDnsLookupProbe(),
    createDnsResolverProbe(),
    createDnsTurnLookupProbe(),
    createDnsVendorHostsProbe(),
    // Regions (issue 15): round trips to every region's node and the region the GeoDNS name gives; skipped with one.
    createRegionsProbe(),
    // Proxy and TLS inspection: TLS mirror, plain-HTTP header echo, WebSockets, then the servers' view of the addresses;
    // proxy sign-ins only where a program drives the browser (the CLI), else skipped with the reason.
    createTlsMirrorProbe(),
    createProxyEchoProbe(),
    createWebSocketProbe(),
    createProxyPathsProbe(),
    createProxyAuthProbe(),
    // Last: whether the test server still answers, and how this browser's TLS handshakes with it ended.
    createServerViewProbe(),
  ];
}

/** Titles of the default plan's probes by id, for results shown without their run's `run-started` event. */
export const DEFAULT_PROBE_TITLES: Readonly<Record<string, string>> = Object.freeze(
  Object.fromEntries(createDefaultPlan().map((probe) => [probe.id, probe.title])),
);
