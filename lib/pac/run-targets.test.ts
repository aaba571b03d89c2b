import { describe, expect, it } from 'vitest';
import { REAL_DEEP_RUN, REAL_DNS_RUN } from './testing/real-runs';
import { endpointOf, recordedLocalAddress, runSawProxy, runTargets } from './run-targets';
import { PROXIED_RUN } from './testing/proxied-run';

const rows = (targets: ReturnType<typeof runTargets>) => targets.map((t) => [`${t.host}:${t.port}`, t.url, t.transport, t.roles.join(','), t.observed.path]);

describe('runTargets', () => {
  it('lists every host and port of a real run with a DNS zone, with the URL the proxy resolver is asked', () => {
    expect(rows(runTargets(REAL_DNS_RUN))).toEqual([
      ['127.0.0.1:28001', 'http://127.0.0.1:28001/', 'tcp', 'probe-http,websocket', 'direct'],
      ['127.0.0.1:28002', 'https://127.0.0.1:28002/', 'tcp', 'probe-https,websocket', 'direct'],
      ['127.0.0.1:28003', 'https://127.0.0.1:28003/', 'tcp', 'turn-udp,turn-tcp,stun', 'direct'],
      ['127.0.0.1:28004', 'https://127.0.0.1:28004/', 'tcp', 'turn-tls', 'direct'],
      ['turn.probe.netready.test:28003', 'https://turn.probe.netready.test:28003/', 'tcp', 'turn-udp,turn-tcp', 'direct'],
      ['turn.probe.netready.test:28004', 'https://turn.probe.netready.test:28004/', 'tcp', 'turn-tls', 'direct'],
      ['127.0.0.1:28005', 'https://127.0.0.1:28005/', 'udp', 'stun', 'udp'],
      ['127.0.0.1:28007', 'https://127.0.0.1:28007/', 'tcp', 'ice-tcp', 'reached'],
      ['nr-9cbf6957881b46ec84f254a26dc4d239.probe.netready.test:28002', 'https://nr-9cbf6957881b46ec84f254a26dc4d239.probe.netready.test:28002/', 'tcp', 'dns-zone', 'direct'],
    ]);
  });

  it('says TURN over TCP and TLS only worked through the proxy on a proxied network, and the vendor host failed', () => {
    const targets = runTargets(PROXIED_RUN);
    expect(rows(targets)).toEqual([
      ['probe.netready.example:8080', 'http://probe.netready.example:8080/', 'tcp', 'probe-http', 'proxy'],
      ['probe.netready.example:8443', 'https://probe.netready.example:8443/', 'tcp', 'probe-https', 'proxy'],
      ['turn.netready.example:3478', 'https://turn.netready.example:3478/', 'tcp', 'turn-udp,turn-tcp', 'proxy'],
      ['turn.netready.example:5349', 'https://turn.netready.example:5349/', 'tcp', 'turn-tls', 'proxy'],
      ['203.0.113.10:3478', 'https://203.0.113.10:3478/', 'udp', 'stun', 'udp'],
      ['media.meet.example:443', 'https://media.meet.example/', 'tcp', 'vendor-host', 'failed'],
    ]);
    expect(runSawProxy(PROXIED_RUN)).toBe(true);
  });

  it('claims no proxy on a loopback run whose TCP came from another address than its UDP', () => {
    expect(runTargets(REAL_DEEP_RUN).map((t) => t.observed.path)).not.toContain('proxy');
    expect(runSawProxy(REAL_DEEP_RUN)).toBe(false);
  });
});

describe('endpointOf and recordedLocalAddress', () => {
  it.each([
    ['turns:turn.example:5349?transport=tcp', { host: 'turn.example', port: 5349, scheme: 'turns' }],
    ['https://[2001:db8::1]/x', { host: '2001:db8::1', port: 443, scheme: 'https' }],
    ['stun:192.0.2.1', { host: '192.0.2.1', port: 3478, scheme: 'stun' }],
    ['nonsense', null],
  ])('reads %s', (text, expected) => {
    expect(endpointOf(text)).toEqual(expected);
  });

  it('finds no local address in a run whose host candidates were masked', () => {
    expect(recordedLocalAddress(REAL_DNS_RUN)).toBeNull();
  });

  it("takes the selected interface's IPv4 host address of a deep run as this computer's address", () => {
    expect(recordedLocalAddress(REAL_DEEP_RUN)).toBe('192.0.2.2');
  });
});
