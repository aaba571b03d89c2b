import { describe, expect, it } from 'vitest';
import { FindingSchema } from '../schema/result';
import { diagnose } from './diagnose';
import { outcomesFor, type NetworkShape } from './testing/outcomes';

interface Case {
  name: string;
  shape: NetworkShape;
  verdict: string;
  codes: string[];
}

const CASES: Case[] = [
  { name: 'an open network is ready with no findings', shape: {}, verdict: 'ready', codes: [] },
  {
    name: 'an unreachable probe server is inconclusive with server-unreachable only',
    shape: { sessionOk: false },
    verdict: 'inconclusive',
    codes: ['server-unreachable'],
  },
  {
    name: 'no UDP but TCP and TLS relays is degraded: udp-blocked and relay-only',
    shape: { stun: [{ port: 3478, role: 'turn', ok: false }, { port: 3479, ok: false }], turn: { udp: 'no-relay' } },
    verdict: 'degraded',
    codes: ['udp-blocked', 'relay-only'],
  },
  {
    name: 'UDP 3478 blocked with other UDP open gives turn-udp-failed and udp-ports-restricted, not udp-blocked',
    shape: { stun: [{ port: 3478, role: 'turn', ok: false }, { port: 3479, ok: true }], turn: { udp: 'no-relay' } },
    verdict: 'degraded',
    codes: ['udp-ports-restricted', 'turn-udp-failed', 'relay-only'],
  },
  {
    name: 'only TLS relay failing keeps the verdict ready with turn-tls-failed',
    shape: { turn: { tls: 'no-relay' } },
    verdict: 'ready',
    codes: ['turn-tls-failed'],
  },
  {
    name: 'a TCP relay that allocates but carries no data is reported as turn-tcp-failed',
    shape: { turn: { tcp: 'no-data' } },
    verdict: 'ready',
    codes: ['turn-tcp-failed'],
  },
  {
    name: 'nothing working at all is blocked',
    shape: { stun: [{ port: 3478, role: 'turn', ok: false }], turn: { udp: 'no-relay', tcp: 'no-relay', tls: 'no-relay' } },
    verdict: 'blocked',
    codes: ['udp-blocked', 'turn-tcp-failed', 'turn-tls-failed'],
  },
  {
    name: 'nothing working but one relay inconclusive is not claimed as blocked',
    shape: { stun: [{ port: 3478, role: 'turn', ok: false }], turn: { udp: 'no-relay', tcp: 'no-relay', tls: 'inconclusive' } },
    verdict: 'inconclusive',
    codes: ['udp-blocked', 'turn-tcp-failed'],
  },
  {
    name: 'a vendor media port blocked while the TURN port answers is ready with udp-ports-restricted',
    shape: { stun: [{ port: 3478, role: 'turn', ok: true }, { port: 10000, role: 'vendor', ok: false }] },
    verdict: 'ready',
    codes: ['udp-ports-restricted'],
  },
];

describe('diagnose', () => {
  it.each(CASES)('$name', ({ shape, verdict, codes }) => {
    const diagnosis = diagnose(outcomesFor(shape), { probeUrl: 'http://203.0.113.10:8080' });
    expect(diagnosis.verdict).toBe(verdict);
    expect(diagnosis.findings.map((f) => f.code).sort()).toEqual([...codes].sort());
  });

  it('orders blockers before warnings and every finding validates against the schema', () => {
    const { findings } = diagnose(
      outcomesFor({ stun: [{ port: 3478, role: 'turn', ok: false }], turn: { udp: 'no-relay', tcp: 'no-relay', tls: 'no-relay' } }),
    );
    expect(findings[0]?.severity).toBe('blocker');
    expect(findings[0]?.code).toBe('udp-blocked');
    for (const finding of findings) {
      expect(FindingSchema.safeParse(finding).success).toBe(true);
      expect(finding.evidence.length).toBeGreaterThan(0);
      expect(finding.remediation.length).toBeGreaterThan(20);
    }
  });

  it('names the blocked port and the server address in the udp-ports-restricted remediation', () => {
    const { findings } = diagnose(outcomesFor({ stun: [{ port: 3478, role: 'turn', ok: false }, { port: 3479, ok: true }], turn: { udp: 'no-relay' } }));
    const finding = findings.find((f) => f.code === 'udp-ports-restricted');
    expect(finding?.remediation).toContain('203.0.113.10');
    expect(finding?.remediation).toContain('3478');
    expect(finding?.detail).toContain('3479');
  });

  it('makes udp-blocked a warning when a TCP relay works and a blocker when nothing does', () => {
    const withFallback = diagnose(outcomesFor({ stun: [{ port: 3478, role: 'turn', ok: false }], turn: { udp: 'no-relay' } }));
    expect(withFallback.findings.find((f) => f.code === 'udp-blocked')?.severity).toBe('warning');
    const without = diagnose(outcomesFor({ stun: [{ port: 3478, role: 'turn', ok: false }], turn: { udp: 'no-relay', tcp: 'no-relay', tls: 'no-relay' } }));
    expect(without.findings.find((f) => f.code === 'udp-blocked')?.severity).toBe('blocker');
  });
});
