/**
 * Test helper: the `probe` section of a configuration for a ProbeServer on loopback with every listener on port 0
 * and its relay and media-peer UDP ranges in a test's own slice of 41000–41999 (test files run in parallel).
 */
import type { ConfigInput } from '../../../lib/config/schema';

/** `probe` config: loopback, ports 0 (MTU ladder too), no alternate STUN port, the given relay and peer port ranges, plus `extra`. */
export function loopbackProbeSection(relay: [number, number], peer: [number, number], extra: Partial<NonNullable<ConfigInput['probe']>> = {}): NonNullable<ConfigInput['probe']> {
  return {
    turnUdp: { port: 0 },
    turnTcp: { port: 0 },
    turnTls: { port: 0 },
    iceTcp: { port: 0 },
    stunAltPorts: [],
    http: { port: 0 },
    https: { port: 0 },
    relayPortMin: relay[0],
    relayPortMax: relay[1],
    peerPortMin: peer[0],
    peerPortMax: peer[1],
    // The MTU ladder on free ports too (its default 3490–3499 would clash between test files running in parallel).
    mtu: { firstPort: 0 },
    ...extra,
  };
}
