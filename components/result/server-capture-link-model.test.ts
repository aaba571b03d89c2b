import { describe, expect, it } from 'vitest';
import type { ProbeOutcome } from '../../lib/schema/result';
import { serverCaptureUrl } from './server-capture-link-model';

function withCaptureUrl(captureUrl: unknown): Record<string, ProbeOutcome> {
  return { session: { status: 'pass', durationMs: 10, data: { sessionId: 'abc', captureUrl }, evidence: [] } };
}

describe('serverCaptureUrl', () => {
  it('returns the probe API capture URL the session recorded', () => {
    const url = 'https://probe.example.org:8443/v1/sessions/Qm9ndXNTZXNzaW9uSWQx/capture.pcapng';
    expect(serverCaptureUrl(withCaptureUrl(url))).toBe(url);
    expect(serverCaptureUrl(withCaptureUrl('http://192.0.2.10:8080/v1/sessions/abc_-9/capture.pcapng'))).toBe('http://192.0.2.10:8080/v1/sessions/abc_-9/capture.pcapng');
  });

  it.each([
    ['a result without one', undefined],
    ['a javascript: link', 'javascript:alert(1)//v1/sessions/abc/capture.pcapng'],
    ['another path', 'https://attacker.example/download.exe'],
    ['credentials in the URL', 'https://user:pw@probe.example.org/v1/sessions/abc/capture.pcapng'],
    ['a query', 'https://probe.example.org/v1/sessions/abc/capture.pcapng?x=1'],
    ['not a string', 42],
  ])('returns null for %s', (_, value) => {
    expect(serverCaptureUrl(withCaptureUrl(value))).toBeNull();
  });

  it('returns null when the run has no session check', () => {
    expect(serverCaptureUrl({})).toBeNull();
  });
});
