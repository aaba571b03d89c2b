import { describe, expect, it } from 'vitest';
import { FAKE_SERVER, runFakeDeployment, type FakeNetwork } from '../../engine/testing/fake-deployment';

const NO_UDP_NO_TURN: FakeNetwork = { stun: { turnPort: false, altPort: false }, turn: { udp: 'no-relay', tcp: 'no-relay', tls: 'no-relay' } };

describe('ICE-TCP diagnosis', () => {
  it('calls a network degraded, not blocked, where only media over TCP to the media server works', async () => {
    const result = await runFakeDeployment(NO_UDP_NO_TURN);
    expect(result.probes['ice-tcp']?.status).toBe('pass');
    expect(result.verdict).toBe('degraded');
    const udp = result.findings.find((f) => f.code === 'udp-blocked');
    expect(udp?.severity).toBe('warning');
    expect(udp?.detail).toContain('accept TCP directly (ICE-TCP');
    expect(result.findings.map((f) => f.code)).not.toContain('ice-tcp-failed');
  });

  it('stays blocked when ICE-TCP fails too, and names the port to open', async () => {
    const result = await runFakeDeployment({ ...NO_UDP_NO_TURN, iceTcp: 'refused' });
    expect(result.verdict).toBe('blocked');
    const finding = result.findings.find((f) => f.code === 'ice-tcp-failed');
    expect(finding).toMatchObject({ severity: 'warning', probes: ['ice-tcp'] });
    expect(finding?.remediation).toContain(`${FAKE_SERVER} port 7881`);
    expect(finding?.evidence.some((e) => e.kind === 'ice-failed')).toBe(true);
    expect(result.findings.find((f) => f.code === 'udp-blocked')?.severity).toBe('blocker');
  });

  it('reports ICE-TCP failing as information only where UDP works', async () => {
    const result = await runFakeDeployment({ iceTcp: 'refused' });
    expect(result.verdict).toBe('ready');
    expect(result.findings.find((f) => f.code === 'ice-tcp-failed')?.severity).toBe('info');
  });

  it('says the TCP connection opened but carried nothing when the echoes do not come back', async () => {
    const result = await runFakeDeployment({ iceTcp: 'no-data' });
    expect(result.findings.find((f) => f.code === 'ice-tcp-failed')?.title).toMatch(/opened but no data/);
  }, 15_000);

  it('mentions ICE-TCP in relay-only when it works besides a relay', async () => {
    const result = await runFakeDeployment({ stun: { turnPort: false, altPort: false }, turn: { udp: 'no-relay' } });
    expect(result.findings.find((f) => f.code === 'relay-only')?.detail).toContain('ICE-TCP');
  });

  it('does not claim blocked when ICE-TCP could not be tested and nothing else worked', async () => {
    const result = await runFakeDeployment({ ...NO_UDP_NO_TURN, iceTcp: 'signalling' });
    expect(result.probes['ice-tcp']?.status).toBe('inconclusive');
    expect(result.verdict).toBe('inconclusive');
  });

  it('records the server view of the TCP connection on a pass: direct, from the client address itself', async () => {
    const result = await runFakeDeployment({});
    const data = result.probes['ice-tcp']?.data as { serverSaw?: { tcpClientAddress?: string }; selectedPair?: { local?: { protocol?: string }; remote?: { tcpType?: string } } };
    expect(data.serverSaw?.tcpClientAddress).toBe('198.51.100.7');
    expect(data.selectedPair?.local?.protocol).toBe('tcp');
    expect(data.selectedPair?.remote?.tcpType).toBe('passive');
  });

  it('skips the probe, with the reason, against a server that offers no ICE-TCP', async () => {
    const result = await runFakeDeployment({ iceTcp: 'unoffered' });
    expect(result.probes['ice-tcp']).toMatchObject({ status: 'skipped', reason: expect.stringMatching(/no ICE-TCP endpoint/) });
  });
});
