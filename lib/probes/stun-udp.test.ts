import { describe, expect, it } from 'vitest';
import { FAKE_SERVER, fakeSession } from '../engine/testing/fake-deployment';
import { SESSION_PROBE_ID } from './session';
import { createStunUdpProbe, type StunPortResult } from './stun-udp';
import { fakeEnvironment } from './testing/fake-webrtc';
import type { FetchLike, ProbeContext } from './types';

const HOST = '192.0.2.2';
/** With media permission Chromium shows the real host address; with no NAT it then offers no srflx at all. */
const rawHost = (port: number): string => `candidate:1 1 udp 2122260223 ${HOST} ${port} typ host generation 0 network-id 1`;

async function runStun(seen: Array<{ role: string; address: string; port: number }>) {
  const requests: string[] = [];
  const fetch: FetchLike = async (url) => {
    requests.push(url);
    if (url.includes('/nat/observations')) return { status: 200, json: async () => ({ bindings: seen.map((s) => ({ ...s, atMs: 5 })) }) };
    return { status: 404, json: async () => ({}) };
  };
  const env = fakeEnvironment((config) => {
    const url = String(config.iceServers[0]?.urls);
    return { candidates: [{ afterMs: 1, line: rawHost(url.endsWith(':3478') ? 50000 : 50001) }] };
  }, fetch);
  const ctx: ProbeContext = { env, signal: AbortSignal.timeout(200), timeoutMs: 200, probeUrl: `http://${FAKE_SERVER}:8080`, deps: {}, handoffs: { [SESSION_PROBE_ID]: fakeSession({}) }, progress: () => undefined };
  const report = await createStunUdpProbe().run(ctx);
  return { report, ports: report.data.ports as StunPortResult[], requests };
}

describe('stun-udp without a NAT on the path', () => {
  it('takes the server\'s record of a Binding from the host address itself as the answer Chromium does not show', async () => {
    const { report, ports, requests } = await runStun([
      { role: 'primary', address: HOST, port: 50000 },
      { role: 'alt-port', address: HOST, port: 50001 },
    ]);
    expect(report.status).toBe('pass');
    expect(ports.map((p) => [p.port, p.srflx, p.egressIsHost])).toEqual([
      [3478, { address: HOST, port: 50000 }, true],
      [3479, { address: HOST, port: 50001 }, true],
    ]);
    expect(requests.find((r) => r.includes('/nat/observations'))).toContain(`ip=${HOST}`);
    expect(report.evidence[0]?.summary).toContain('no NAT on the path');
  });

  it('still fails a port whose Binding the server never saw from this computer', async () => {
    const { report, ports } = await runStun([{ role: 'primary', address: HOST, port: 50000 }]);
    expect(report.status).toBe('warn');
    expect(ports.find((p) => p.port === 3479)).toMatchObject({ timedOut: true });
    expect(ports.find((p) => p.port === 3479)?.srflx).toBeUndefined();
  });

  it('does not accept a Binding from another port of the same address', async () => {
    const { ports } = await runStun([{ role: 'primary', address: HOST, port: 61000 }, { role: 'alt-port', address: HOST, port: 50001 }]);
    expect(ports.find((p) => p.port === 3478)?.srflx).toBeUndefined();
  });
});
