/**
 * A hand-made result for the PAC check's tests: a network that drops outbound UDP and sends web traffic through an
 * HTTP proxy (proxy.corp.example, egress 198.51.100.20), where TURN over TCP and TLS only worked through that proxy,
 * and the vendor host media.meet.example could not be reached. Documentation addresses only.
 */
import type { Result } from '../../schema/result';

const outcome = (status: Result['probes'][string]['status'], data: Record<string, unknown>): Result['probes'][string] => ({ status, durationMs: 800, data, evidence: [] });

/** UDP blocked, HTTP proxy, TURN/TCP and TURN/TLS through the proxy. */
export const PROXIED_RUN: Result = {
  schemaVersion: 1,
  id: 'pac-proxied-run',
  startedAt: '2026-12-06T03:00:00.000Z',
  durationMs: 5200,
  config: { name: 'Acme Meetings', probeUrl: 'https://probe.netready.example:8443' },
  client: { userAgent: 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0.0.0 Safari/537.36' },
  verdict: 'degraded',
  findings: [
    { code: 'http-proxy', severity: 'warning', title: 'Web traffic goes through an HTTP proxy', detail: 'Via: 1.1 proxy.corp.example', remediation: 'Let media bypass the proxy.', evidence: [] },
    { code: 'udp-blocked', severity: 'warning', title: 'UDP is blocked', detail: 'No STUN answer arrived.', remediation: 'Allow UDP 3478.', evidence: [] },
  ],
  probes: {
    session: outcome('pass', {
      url: 'https://probe.netready.example:8443/v1/sessions',
      stun: [{ port: 3478, url: 'stun:203.0.113.10:3478', role: 'turn' }],
      turn: [
        { transport: 'udp', url: 'turn:turn.netready.example:3478?transport=udp' },
        { transport: 'tcp', url: 'turn:turn.netready.example:3478?transport=tcp' },
        { transport: 'tls', url: 'turns:turn.netready.example:5349?transport=tcp' },
      ],
    }),
    'stun-udp': outcome('fail', { ports: [{ port: 3478, url: 'stun:203.0.113.10:3478', timedOut: true }] }),
    'turn-udp': outcome('fail', { transport: 'udp', url: 'turn:turn.netready.example:3478?transport=udp' }),
    'turn-tcp': outcome('pass', { transport: 'tcp', url: 'turn:turn.netready.example:3478?transport=tcp' }),
    'turn-tls': outcome('pass', { transport: 'tls', url: 'turns:turn.netready.example:5349?transport=tcp' }),
    'proxy-echo': outcome('pass', { url: 'http://probe.netready.example:8080/v1/echo?session=s', reached: true, clientAddress: '198.51.100.20', headers: [['via', '1.1 proxy.corp.example (squid/5.7)']] }),
    'tls-mirror': outcome('pass', { url: 'https://probe.netready.example:8443/v1/tls/mirror?session=s', reached: true }),
    'proxy-paths': outcome('pass', {
      httpClientAddress: '198.51.100.20',
      turnClients: [
        { transport: 'tcp', address: '198.51.100.20', port: 40100 },
        { transport: 'tls', address: '198.51.100.20', port: 40101 },
      ],
    }),
    'dns-vendor-hosts': outcome('warn', { hosts: [{ target: 'Acme Meetings', host: 'media.meet.example', answered: false }] }),
  },
};
