import { describe, expect, it } from 'vitest';
import { runFakeDeployment, type FakeNetwork } from '../../engine/testing/fake-deployment';
import type { Finding } from '../../schema/result';

async function findingsOf(network: FakeNetwork): Promise<Record<string, Finding>> {
  const result = await runFakeDeployment(network);
  return Object.fromEntries(result.findings.map((f) => [f.code, f]));
}

describe('symmetric-nat', () => {
  it.each(['address-dependent', 'address-and-port-dependent'] as const)('is information for a %s mapping that says a relay is needed peer-to-peer, not that calls fail', async (mapping) => {
    const { 'symmetric-nat': finding } = await findingsOf({ nat: { mapping } });
    expect(finding).toMatchObject({ severity: 'info', title: 'The NAT maps each destination separately (symmetric NAT)' });
    expect(finding?.detail).toContain(`(${mapping} mapping)`);
    expect(finding?.detail).toContain('Calls through a media server');
    expect(finding?.detail).toContain('need a relay (TURN)');
    expect(finding?.detail).not.toMatch(/calls (will )?fail/i);
    expect(finding?.remediation).toContain('RFC 4787 REQ-1');
    expect(finding?.probes).toEqual(['nat']);
    expect(finding?.evidence.some((e) => e.kind === 'nat-mapping')).toBe(true);
  });

  it('names the distinct mapped ports the endpoints saw', async () => {
    const { 'symmetric-nat': finding } = await findingsOf({ nat: { mapping: 'address-and-port-dependent' } });
    expect(finding?.detail).toContain('198.51.100.7:45000, 198.51.100.7:45001, 198.51.100.7:45002');
  });

  it('gives no finding for endpoint-independent mapping, whatever the filtering', async () => {
    const findings = await findingsOf({ nat: { mapping: 'endpoint-independent', filtering: 'address-and-port-dependent' } });
    expect(Object.keys(findings)).toEqual([]);
  });
});

describe('ipv6-unavailable', () => {
  it('is information, only when the server offered IPv6 and IPv4 worked', async () => {
    const { 'ipv6-unavailable': finding } = await findingsOf({ nat: { ipv6: 'unavailable' } });
    expect(finding).toMatchObject({ severity: 'info', title: 'No IPv6 path to the test server' });
    expect(finding?.detail).toContain('Calls will use IPv4 only');
    expect(finding?.evidence.map((e) => e.kind)).toEqual(['nat-ipv6']);
  });

  it('says nothing when the server offers no IPv6, or when no UDP works at all', async () => {
    expect((await findingsOf({ nat: { ipv6: 'not-offered' } }))['ipv6-unavailable']).toBeUndefined();
    expect((await findingsOf({ nat: { ipv6: 'unavailable' }, stun: { turnPort: false, altPort: false }, turn: { udp: 'no-relay' } }))['ipv6-unavailable']).toBeUndefined();
  });
});
