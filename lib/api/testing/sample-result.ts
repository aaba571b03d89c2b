/**
 * A realistic Result for tests and screenshots only (not imported by the app): a network that drops all
 * outbound UDP, so calls fall back to TURN over TCP/TLS — verdict "degraded". Addresses are documentation
 * ranges (RFC 5737).
 */
import type { Result } from '../../schema/result';

/** Sample run: UDP blocked, TURN over TCP and TLS work. */
export const sampleResult: Result = {
  schemaVersion: 1,
  id: '5b0e2c7a-4f1d-4d8e-9a43-2f6c1b7d9e01',
  startedAt: '2025-11-25T09:14:03.512Z',
  durationMs: 4312,
  config: { name: 'Acme Meetings', probeUrl: 'https://probe.example.net', budgetMs: 10000 },
  client: {
    userAgent:
      'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0.0.0 Safari/537.36',
    browser: 'Chrome',
    browserVersion: '156.0.0.0',
    os: 'Linux',
  },
  verdict: 'degraded',
  findings: [
    {
      code: 'relay-only',
      severity: 'info',
      title: 'Media goes through a relay server',
      detail:
        'Direct connections are not possible from this network, so every call is relayed through a TURN server. This adds a little delay and depends on the relay being reachable.',
      remediation: 'No change is required for calls to work. Allowing UDP (see above) removes the need for a relay.',
      evidence: [],
    },
    {
      code: 'udp-blocked',
      severity: 'warning',
      title: 'Outbound UDP is blocked',
      detail:
        'No STUN answer arrived on any tested UDP port (3478, 3479) within 3 s, and TURN over UDP failed too. Calls will fall back to TCP or TLS, which raises delay and makes audio choppy when the network is busy.',
      remediation:
        'Allow outbound UDP from client devices to 203.0.113.10 on ports 3478–3479 and the media range 49152–59999, and allow the replies (stateful rule). If a proxy or VPN agent carries the traffic, exclude these destinations from it.',
      evidence: [
        { probe: 'stun-udp', kind: 'timeout', summary: 'no STUN response on udp/3478 after 3000 ms', data: { port: 3478, timeoutMs: 3000 } },
        { probe: 'stun-udp', kind: 'timeout', summary: 'no STUN response on udp/3479 after 3000 ms', data: { port: 3479, timeoutMs: 3000 } },
        {
          probe: 'turn-udp',
          kind: 'ice-error',
          summary: 'turn:203.0.113.10:3478?transport=udp: 701 TURN allocate request timed out.',
          data: { errorCode: 701, errorText: 'TURN allocate request timed out.', url: 'turn:203.0.113.10:3478?transport=udp' },
        },
      ],
    },
    {
      code: 'high-rtt',
      severity: 'warning',
      title: 'High round-trip time through the relay',
      detail: 'Data sent through the TCP relay took 212 ms to come back. Above 150 ms, people start talking over each other.',
      remediation: 'Check whether traffic to 203.0.113.10 leaves through a distant proxy or VPN concentrator, and route it locally instead.',
      evidence: [{ probe: 'turn-tcp', kind: 'data-echo', summary: '20 of 20 messages echoed, median RTT 212 ms', data: { echoed: 20, sent: 20, rttMs: 212 } }],
    },
  ],
  probes: {
    session: {
      status: 'pass',
      durationMs: 84,
      data: { probeUrl: 'https://probe.example.net', httpStatus: 200, clientIp: '198.51.100.23' },
      evidence: [{ kind: 'http', summary: 'POST https://probe.example.net/session → 200 in 84 ms' }],
    },
    'stun-udp': {
      status: 'fail',
      durationMs: 3004,
      reason: 'No STUN response on any of 2 UDP ports within 3000 ms.',
      data: {
        ports: [
          { port: 3478, error: 'timeout', durationMs: 3001 },
          { port: 3479, error: 'timeout', durationMs: 3004 },
        ],
      },
      evidence: [
        { kind: 'timeout', summary: 'no srflx candidate for stun:203.0.113.10:3478' },
        { kind: 'timeout', summary: 'no srflx candidate for stun:203.0.113.10:3479' },
      ],
    },
    'turn-udp': {
      status: 'fail',
      durationMs: 3002,
      reason: 'No relay candidate within 3000 ms; the allocate request timed out.',
      data: {
        url: 'turn:203.0.113.10:3478?transport=udp',
        errors: [{ errorCode: 701, errorText: 'TURN allocate request timed out.', url: 'turn:203.0.113.10:3478?transport=udp' }],
        timedOut: true,
      },
      evidence: [{ kind: 'ice-error', summary: '701 TURN allocate request timed out.', data: { errorCode: 701 } }],
    },
    'turn-tcp': {
      status: 'warn',
      durationMs: 1187,
      reason: 'Relay over TCP works, with a high round-trip time (212 ms).',
      data: {
        url: 'turn:203.0.113.10:3478?transport=tcp',
        relay: { address: '203.0.113.10', port: 50412, relayProtocol: 'tcp' },
        dataChannel: { echoed: 20, sent: 20, rttMs: 212 },
        errors: [],
      },
      evidence: [
        { kind: 'candidate', summary: 'relay 203.0.113.10:50412 via turn:203.0.113.10:3478?transport=tcp', data: { type: 'relay', relayProtocol: 'tcp' } },
        { kind: 'data-echo', summary: '20/20 echoed, median RTT 212 ms' },
      ],
    },
    'turn-tls': {
      status: 'pass',
      durationMs: 1342,
      data: {
        url: 'turns:probe.example.net:443?transport=tcp',
        relay: { address: '203.0.113.10', port: 50418, relayProtocol: 'tls' },
        dataChannel: { echoed: 20, sent: 20, rttMs: 96 },
        errors: [],
      },
      evidence: [{ kind: 'candidate', summary: 'relay 203.0.113.10:50418 via turns:probe.example.net:443?transport=tcp' }],
    },
  },
};
