import { describe, expect, it } from 'vitest';
import { compareWithRun, type PacCheckResponse } from '../../lib/pac/compare';
import { runSawProxy, runTargets } from '../../lib/pac/run-targets';
import { PROXIED_RUN } from '../../lib/pac/testing/proxied-run';
import { attachedPacView, buildPacRequest, pacCheckView, pacErrorMessage, pacTextProblem } from './pac-check-model';
import { REAL_DEEP_RUN } from './testing/real-results';

describe('buildPacRequest', () => {
  it("asks about every host and port of the run by URL and sends this computer's address when the run recorded it", () => {
    const request = buildPacRequest(REAL_DEEP_RUN, 'function FindProxyForURL(u, h) { return "DIRECT"; }');
    expect(request.hosts).toEqual(['http://127.0.0.1:24001/', 'https://127.0.0.1:24002/', 'https://127.0.0.1:24003/', 'https://127.0.0.1:24004/', 'https://127.0.0.1:24005/', 'https://127.0.0.1:24007/']);
    expect(request.myIpAddress).toBe('192.0.2.2');
    expect(buildPacRequest(PROXIED_RUN, 'x').myIpAddress).toBeUndefined();
  });

  it('refuses an empty PAC text and one over 1 MiB before sending', () => {
    expect(pacTextProblem('  ')).toMatch(/Paste/);
    expect(pacTextProblem('x'.repeat(1024 * 1024 + 1))).toMatch(/larger than 1 MiB/);
    expect(pacTextProblem('function FindProxyForURL() {}')).toBeNull();
  });
});

describe('pacCheckView', () => {
  it('puts the decision next to what the run observed and counts the contradictions', () => {
    const targets = runTargets(PROXIED_RUN);
    const response: PacCheckResponse = {
      results: compareWithRun(targets, targets.map(() => ({ decision: 'DIRECT', dnsQuestions: [], askedMyIp: false })), false),
      notes: ['a note'],
      dnsQuestions: [],
      myIpAddress: { address: '127.0.0.1', source: 'assumed', asked: false },
      alerts: [],
      elapsedMs: 3,
    };
    const view = pacCheckView(PROXIED_RUN, response);
    expect(view.rows.map((r) => [r.host, r.port, r.usedFor, r.decision, r.routeLabel, r.contradiction !== null])).toEqual([
      ['probe.netready.example', '8080/tcp', 'test server (HTTP)', 'DIRECT', 'Direct', true],
      ['probe.netready.example', '8443/tcp', 'test server (HTTPS)', 'DIRECT', 'Direct', true],
      ['turn.netready.example', '3478/tcp', 'TURN over UDP, TURN over TCP', 'DIRECT', 'Direct', true],
      ['turn.netready.example', '5349/tcp', 'TURN over TLS', 'DIRECT', 'Direct', true],
      ['203.0.113.10', '3478/udp', 'STUN (UDP)', 'DIRECT', 'Direct', false],
      ['media.meet.example', '443/tcp', 'vendor host', 'DIRECT', 'Direct', runSawProxy(PROXIED_RUN)],
    ]);
    expect(view.contradictions).toBe(5);
    expect(view.notes).toEqual(['a note']);
  });
});

describe('pacErrorMessage', () => {
  it("says a stopped PAC was stopped, in the API's words", () => {
    expect(pacErrorMessage(422, { error: { code: 'pac_timeout', message: 'ran past the time limit' } })).toBe('The PAC file was stopped: ran past the time limit');
    expect(pacErrorMessage(502, 'gateway')).toBe('The check failed (HTTP 502).');
  });
});

describe('attachedPacView', () => {
  it("shows an attached check's rows as the server compared them when it was attached", () => {
    const targets = runTargets(PROXIED_RUN);
    const check: PacCheckResponse = {
      results: compareWithRun(targets, targets.map(() => ({ decision: 'DIRECT', dnsQuestions: [], askedMyIp: false })), true),
      notes: [],
      dnsQuestions: [],
      myIpAddress: { address: '127.0.0.1', source: 'assumed', asked: false },
      alerts: [],
      elapsedMs: 3,
    };
    const view = attachedPacView({ pac: 'x', check, attachedAt: '2026-12-06T03:00:00.000Z' });
    expect(view.rows[2]).toMatchObject({ host: 'turn.netready.example', port: '3478/tcp', decision: 'DIRECT', routeLabel: 'Direct' });
    expect(view.contradictions).toBe(5);
  });
});
