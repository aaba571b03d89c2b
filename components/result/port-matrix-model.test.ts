import { describe, expect, it } from 'vitest';
import type { ProbeOutcome } from '../../lib/schema/result';
import { buildPortMatrix, portOfUrl } from './port-matrix-model';

const outcome = (status: ProbeOutcome['status'], data: Record<string, unknown>, extra: Partial<ProbeOutcome> = {}): ProbeOutcome => ({ status, durationMs: 1, data, evidence: [], ...extra });

describe('the transport × port matrix', () => {
  it.each([
    ['stun:203.0.113.10:3478', 3478],
    ['turn:203.0.113.10:80?transport=tcp', 80],
    ['turns:probe.example.net:443?transport=tcp', 443],
    ['turn:[2001:db8::1]:3478?transport=udp', 3478],
    ['https://x', null],
  ])('reads the port of %s', (url, port) => {
    expect(portOfUrl(url)).toBe(port);
  });

  it('shows each transport on its ports: UDP blocked but for one port, relays over TCP and TLS, TURN/UDP not decided', () => {
    const matrix = buildPortMatrix({
      'stun-udp': outcome('warn', { ports: [{ port: 3478 }, { port: 3479, srflx: { address: '198.51.100.7', port: 5000 } }, { port: 10000 }] }),
      'turn-udp': outcome('inconclusive', { url: 'turn:203.0.113.10:3478?transport=udp' }),
      'turn-tcp': outcome('pass', { url: 'turn:203.0.113.10:443?transport=tcp' }),
      'turn-tls': outcome('fail', { url: 'turns:203.0.113.10:5349?transport=tcp' }),
      'ice-tcp': outcome('fail', { host: '203.0.113.10', port: 7881 }, { reclassified: { from: 'fail', because: 'probe-server-overloaded' } }),
    });
    expect(matrix).toEqual({
      ports: [443, 3478, 3479, 5349, 7881, 10000],
      rows: [
        { label: 'STUN over UDP', cells: { 3478: 'blocked', 3479: 'open', 10000: 'blocked' } },
        { label: 'TURN over UDP', cells: { 3478: 'undecided' } },
        { label: 'TURN over TCP', cells: { 443: 'open' } },
        { label: 'TURN over TLS', cells: { 5349: 'blocked' } },
        { label: 'ICE over TCP (no relay)', cells: { 7881: 'undecided' } },
      ],
    });
  });

  it('has nothing to draw without transport probes', () => {
    expect(buildPortMatrix({ session: outcome('pass', {}) })).toBeNull();
  });
});
