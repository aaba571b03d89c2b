import { describe, expect, it } from 'vitest';
import type { Session } from '../schema/session';
import { fakeEnvironment, type PeerScript } from './testing/fake-webrtc';
import type { FetchLike, ProbeContext } from './types';
import { createIceTcpProbe, type IceTcpData } from './ice-tcp';

const SESSION = { sessionId: 'S1', expiresAt: '', stun: [], turn: [], peerPath: '/v1/sessions/S1/peers', iceTcp: { host: '203.0.113.10', port: 7881 } } as Session;

function context(script: PeerScript, fetch: FetchLike, session: Session = SESSION, timeoutMs = 500): { ctx: ProbeContext; env: ReturnType<typeof fakeEnvironment> } {
  const env = fakeEnvironment(() => script, fetch);
  const ctx: ProbeContext = {
    env,
    signal: AbortSignal.timeout(timeoutMs),
    timeoutMs,
    probeUrl: 'http://203.0.113.10:8080',
    deps: {},
    handoffs: { session },
    progress: () => undefined,
  };
  return { ctx, env };
}

describe('the ice-tcp probe', () => {
  it('asks for a TCP-only answer, uses no ICE server, and passes when echoes come back over a TCP pair', async () => {
    const bodies: string[] = [];
    const fetch: FetchLike = async (url, init) => {
      if (url.endsWith('/peers')) {
        bodies.push(init.body ?? '');
        return { status: 200, json: async () => ({ type: 'answer', sdp: 'v=0\r\n', peerId: 'p1' }) };
      }
      return { status: 200, json: async () => ({ clientAddress: '198.51.100.7', observations: [{ kind: 'ice-tcp-accepted', data: { peerId: 'p1', remoteAddress: '198.51.100.7', remotePort: 40100 } }] }) };
    };
    const { ctx, env } = context({ dataFlows: true, selectedPair: { local: { protocol: 'tcp', tcpType: 'active' }, remote: { protocol: 'tcp', tcpType: 'passive' } } }, fetch);
    const report = await createIceTcpProbe().run(ctx);
    expect(report.status).toBe('pass');
    expect(JSON.parse(bodies[0]!)).toMatchObject({ type: 'offer', label: 'ice-tcp', iceTcp: true });
    expect(env.peers[0]!.config.iceServers).toEqual([]);
    expect(env.peers[0]!.closed).toBe(true);
    const data = report.data as unknown as IceTcpData;
    expect(data.dataChannel).toMatchObject({ sent: 5, echoed: 5 });
    expect(data.serverSaw).toEqual({ tcpClientAddress: '198.51.100.7', tcpClientPort: 40100, httpClientAddress: '198.51.100.7' });
  });

  it('fails at once, not at its deadline, when the browser gives up on the TCP connection', async () => {
    const fetch: FetchLike = async () => ({ status: 200, json: async () => ({ type: 'answer', sdp: 'v=0\r\n', peerId: 'p1' }) });
    const { ctx } = context({ iceFailsAfterMs: 10 }, fetch, SESSION, 5000);
    const started = performance.now();
    const report = await createIceTcpProbe().run(ctx);
    expect(report.status).toBe('fail');
    expect(performance.now() - started).toBeLessThan(1000);
    expect(report.reason).toMatch(/203\.0\.113\.10:7881/);
  });

  it('fails with a timeout when nothing happens before its deadline', async () => {
    const fetch: FetchLike = async () => ({ status: 200, json: async () => ({ type: 'answer', sdp: 'v=0\r\n', peerId: 'p1' }) });
    const { ctx } = context({}, fetch, SESSION, 200);
    const report = await createIceTcpProbe().run(ctx);
    expect(report.status).toBe('fail');
    expect(report.evidence.map((e) => e.kind)).toContain('timeout');
  });

  it('is inconclusive when netready refuses the offer (its own failure, not the network\u2019s)', async () => {
    const fetch: FetchLike = async () => ({ status: 503, json: async () => ({ error: { code: 'peer_unavailable', message: 'at capacity' } }) });
    const { ctx } = context({ dataFlows: true }, fetch);
    const report = await createIceTcpProbe().run(ctx);
    expect(report.status).toBe('inconclusive');
    expect(report.reason).toContain('peer_unavailable');
  });

  it('is inconclusive when data flowed but the browser reports a UDP pair', async () => {
    const fetch: FetchLike = async () => ({ status: 200, json: async () => ({ type: 'answer', sdp: 'v=0\r\n', peerId: 'p1' }) });
    const { ctx } = context({ dataFlows: true, selectedPair: { local: { protocol: 'udp' } } }, fetch);
    expect((await createIceTcpProbe().run(ctx)).status).toBe('inconclusive');
  });

  it('is skipped against a server without an ICE-TCP endpoint', async () => {
    const { ctx } = context({}, async () => ({ status: 500, json: async () => null }), { ...SESSION, iceTcp: undefined } as Session);
    expect((await createIceTcpProbe().run(ctx)).status).toBe('skipped');
  });
});
