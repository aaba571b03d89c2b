import { describe, expect, it } from 'vitest';
import type { ProbeOutcome } from '../schema/result';
import { diagnose } from './diagnose';
import { isLoopbackHost } from './facts-browser';
import { outcomesFor } from './testing/outcomes';

/** Firefox behind a proxy that lets only CONNECT 443 out, against a deployment giving TURN by IP address (the lab). */
function firefoxBehindConnect443(byNameTls: 'relay' | 'no-relay'): Record<string, ProbeOutcome> {
  const probes = outcomesFor({ stun: [{ port: 3478, role: 'turn', ok: false }], turn: { udp: 'no-relay', tcp: 'no-relay', tls: 'no-relay' } });
  const tls = probes['turn-tls']!;
  // Firefox never tries `turns:<ip>`: gathering ends at once, no error, no relay.
  probes['turn-tls'] = { ...tls, data: { ...tls.data, url: 'turns:203.0.113.10:443?transport=tcp', timedOut: true, errors: [], gatheringCompleteMs: 300 } };
  probes['server-view'] = { status: 'pass', durationMs: 5, data: { reached: true, tlsHandshakes: [{ listener: 'turn-tls', outcome: 'completed', serverName: 'turn.example.test' }] }, evidence: [] };
  const attempt = (outcome: 'relay' | 'no-relay', url: string) => ({ url, outcome, timedOut: outcome !== 'relay', errors: [], ...(outcome === 'relay' ? { relay: { address: '203.0.113.10', port: 50000, relayProtocol: 'tls' }, relayMs: 120 } : {}) });
  probes['dns-turn-lookup'] = {
    status: 'pass',
    durationMs: 900,
    data: { turnHost: 'turn.example.test', pairs: [{ transport: 'tls', byName: attempt(byNameTls, 'turns:turn.example.test:443?transport=tcp'), byIp: attempt('no-relay', 'turns:203.0.113.10:443?transport=tcp') }] },
    evidence: [],
  };
  return probes;
}

describe('turn-tls-needs-hostname', () => {
  it('holds when TURN over TLS by name got a relay through the same port, though TURN over TCP had no way out', () => {
    const d = diagnose(firefoxBehindConnect443('relay'));
    const codes = d.findings.map((f) => f.code);
    expect(codes).toContain('turn-tls-needs-hostname');
    expect(codes).not.toContain('turn-tls-failed');
    expect(d.probes['turn-tls']).toMatchObject({ status: 'inconclusive', reclassified: { because: 'turn-tls-needs-hostname' } });
    expect(d.findings.find((f) => f.code === 'turn-tls-needs-hostname')?.evidence.map((e) => e.summary).join(' ')).toContain('by name (turns:turn.example.test:443?transport=tcp) it got a relay over TLS after 120 ms');
    // TLS was the only way out, and netready's own URL kept this browser from testing it: not "blocked".
    expect(d.verdict).toBe('inconclusive');
  });

  it('does not hold when nothing shows the TLS port open: neither TCP nor TLS by name got through', () => {
    const codes = diagnose(firefoxBehindConnect443('no-relay')).findings.map((f) => f.code);
    expect(codes).toContain('turn-tls-failed');
    expect(codes).not.toContain('turn-tls-needs-hostname');
  });
});

describe('isLoopbackHost', () => {
  it.each([
    ['127.0.0.1', true],
    ['127.8.9.10', true],
    ['::1', true],
    ['localhost', true],
    ['LOCALHOST.', true],
    ['probe.localhost', true],
    ['localhost.example.org', false],
    ['10.77.0.1', false],
    ['nrx.test', false],
  ])('%s → %s (RFC 6761: localhost names are loopback)', (host, loopback) => {
    expect(isLoopbackHost(host)).toBe(loopback);
  });
});
