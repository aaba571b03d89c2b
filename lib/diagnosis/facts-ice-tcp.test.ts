import { describe, expect, it } from 'vitest';
import type { ProbeOutcome } from '../schema/result';
import { deriveIceTcpFacts } from './facts-ice-tcp';
import type { ProxyFacts } from './facts-proxy';

function outcome(status: ProbeOutcome['status'], serverSaw?: Record<string, string>): Record<string, ProbeOutcome> {
  return { 'ice-tcp': { status, durationMs: 10, data: { host: '203.0.113.10', port: 7881, stage: 'done', timedOut: false, ...(serverSaw ? { serverSaw } : {}) }, evidence: [] } };
}

const proxy = (score: number): ProxyFacts => ({ signals: [], score, proxyHeaders: [], httpClientAddresses: ['192.0.2.3'], tls: null, websocket: null });

describe('ICE-TCP facts', () => {
  it.each([
    { name: 'no proxy: direct', saw: { tcpClientAddress: '198.51.100.7', httpClientAddress: '198.51.100.7' }, proxy: undefined, path: 'direct' },
    { name: 'a proxy, TCP from its address: through the proxy', saw: { tcpClientAddress: '192.0.2.3', httpClientAddress: '192.0.2.3' }, proxy: proxy(3), path: 'proxy' },
    { name: 'a proxy, TCP from elsewhere: direct', saw: { tcpClientAddress: '198.51.100.7', httpClientAddress: '192.0.2.3' }, proxy: proxy(3), path: 'direct' },
    { name: 'weak proxy signals only: direct', saw: { tcpClientAddress: '192.0.2.3', httpClientAddress: '192.0.2.3' }, proxy: proxy(1), path: 'direct' },
    { name: 'no server view: unknown', saw: undefined, proxy: proxy(3), path: 'unknown' },
  ])('tells the path: $name', ({ saw, proxy: p, path }) => {
    expect(deriveIceTcpFacts(outcome('pass', saw), p)?.path).toBe(path);
  });

  it.each([
    { status: 'pass' as const, works: true, failed: false, inconclusive: false },
    { status: 'fail' as const, works: false, failed: true, inconclusive: false },
    { status: 'warn' as const, works: false, failed: true, inconclusive: false },
    { status: 'inconclusive' as const, works: false, failed: false, inconclusive: true },
  ])('reads status $status', ({ status, ...expected }) => {
    expect(deriveIceTcpFacts(outcome(status), undefined)).toMatchObject({ ...expected, host: '203.0.113.10', port: 7881 });
  });

  it('has no facts for a skipped or absent probe', () => {
    expect(deriveIceTcpFacts(outcome('skipped'), undefined)).toBeUndefined();
    expect(deriveIceTcpFacts({}, undefined)).toBeUndefined();
  });
});
