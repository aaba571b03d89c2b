import { describe, expect, it } from 'vitest';
import { runFakeDeployment, type FakeNetwork } from '../../engine/testing/fake-deployment';
import type { Finding } from '../../schema/result';

async function findingsOf(network: FakeNetwork): Promise<Record<string, Finding>> {
  const result = await runFakeDeployment(network);
  return Object.fromEntries(result.findings.map((f) => [f.code, f]));
}

describe('mtu-blackhole', () => {
  it('names the largest size that arrived and where it breaks, and how to fix it', async () => {
    const { 'mtu-blackhole': finding } = await findingsOf({ mtu: { largestBytes: 1280 } });
    expect(finding).toMatchObject({ severity: 'warning', category: 'network', title: 'Packets larger than 1280 bytes are silently lost (MTU black hole)' });
    expect(finding?.detail).toContain('up to 1280 bytes arrived; 1348 bytes and larger did not');
    expect(finding?.detail).toContain('no ICMP "fragmentation needed" reached the test server');
    expect(finding?.detail).toContain('TURN over TCP and TLS allocate but carry nothing');
    expect(finding?.detail).toContain('still fit');
    expect(finding?.remediation).toContain('type 3 code 4');
    expect(finding?.remediation).toContain('ICMPv6 "packet too big" (type 2)');
    expect(finding?.remediation).toContain('clamp TCP MSS on the tunnel to 1240 bytes');
    expect(finding?.probes).toEqual(['mtu']);
    expect(finding?.evidence.some((e) => e.kind === 'path-mtu')).toBe(true);
  });

  it('says media is lost too when the path loses packets of the size browsers send', async () => {
    const { 'mtu-blackhole': finding } = await findingsOf({ mtu: { largestBytes: 1200 } });
    expect(finding?.detail).toContain('media packets above 1200 bytes are lost too');
  });

  it('lists the stalled TURN relays and HTTPS it explains, whose own findings stay and mention the measurement', async () => {
    const findings = await findingsOf({ mtu: { largestBytes: 1280 }, turn: { tcp: 'no-data', tls: 'no-relay' }, mirror: 'times-out', websocket: { wss: 'silent' } });
    expect(findings['mtu-blackhole']?.probes).toEqual(['mtu', 'turn-tcp', 'turn-tls', 'tls-mirror', 'websocket']);
    expect(findings['mtu-blackhole']?.detail).toContain('TURN over TCP allocated a relay but carried no data');
    for (const code of ['turn-tcp-failed', 'turn-tls-failed', 'probe-https-blocked']) {
      expect(findings[code]?.detail).toContain('packets larger than 1280 bytes are silently lost on this network');
    }
  });

  it('leaves a TURN relay refused at once (701) to its own finding, without the MTU', async () => {
    const findings = await findingsOf({ mtu: { largestBytes: 1280 }, turn: { tcp: 'connect-failed' } });
    expect(findings['mtu-blackhole']?.probes).toEqual(['mtu']);
    expect(findings['turn-tcp-failed']?.detail).not.toContain('netready measured it');
  });

  it('reports a black hole on the way out of this network from the upstream check alone', async () => {
    const { 'mtu-blackhole': finding } = await findingsOf({ mtu: { upstream: 'lost' } });
    expect(finding?.title).toBe('The largest packets this computer sends are silently lost (MTU black hole)');
    expect(finding?.detail).toContain('did not arrive, while a small message over the same connection did');
    expect(finding?.evidence.map((e) => e.kind)).toEqual(['mtu-upstream']);
  });

  it('does not blame upstream when the echo, as large as the message, is lost downstream already', async () => {
    const { 'mtu-blackhole': finding } = await findingsOf({ mtu: { largestBytes: 1200, upstream: 'lost' } });
    expect(finding?.title).toBe('Packets larger than 1200 bytes are silently lost (MTU black hole)');
    expect(finding?.detail).not.toContain('From this computer');
    expect(finding?.evidence.map((e) => e.kind)).not.toContain('mtu-upstream');
  });

  it.each<[string, FakeNetwork]>([
    ['an open network', {}],
    ['a smaller MTU whose ICMP came back', { mtu: { largestBytes: 1400, icmp: 'learned' } }],
    ['no UDP at all (nothing measured)', { stun: { turnPort: false, altPort: false }, turn: { udp: 'no-relay' } }],
  ])('is not reported on %s', async (_name, network) => {
    const findings = await findingsOf(network);
    expect(findings['mtu-blackhole']).toBeUndefined();
    expect(findings['ip-fragments-dropped']).toBeUndefined();
  });
});

describe('ip-fragments-dropped', () => {
  it('is information while the path carries full-size packets', async () => {
    const { 'ip-fragments-dropped': finding } = await findingsOf({ mtu: { fragments: 'dropped' } });
    expect(finding).toMatchObject({ severity: 'info', probes: ['mtu'] });
    expect(finding?.detail).toContain('Test packets of 1600 and 2000 bytes sent without Don\'t-Fragment');
    expect(finding?.evidence.every((e) => (e.data as { df?: boolean }).df === false)).toBe(true);
  });

  it('is a warning when the path also loses packets of media size', async () => {
    const findings = await findingsOf({ mtu: { fragments: 'dropped', largestBytes: 1200 } });
    expect(findings['ip-fragments-dropped']?.severity).toBe('warning');
    expect(findings['mtu-blackhole']).toBeDefined();
  });
});
