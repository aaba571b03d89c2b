import { describe, expect, it } from 'vitest';
import { buildServerSeenModel, SERVER_SEEN_COLUMNS } from './server-seen-model';
import { outcome, REAL_DEEP_RUN, REAL_DNS_RUN } from './testing/real-results';

describe('buildServerSeenModel', () => {
  it('gives the source each server saw per check of a real run, so a UDP and a TCP egress that differ stand out', () => {
    const table = buildServerSeenModel(REAL_DEEP_RUN.probes)!;
    expect(table.columns).toEqual(SERVER_SEEN_COLUMNS);
    const rows = Object.fromEntries(table.groups.map((g) => [g.probeId, g.rows]));
    expect(rows['stun-udp']).toEqual([
      ['stun:127.0.0.1:24003', '192.0.2.2:52362', "this computer's own address: no NAT on the path"],
      ['stun:127.0.0.1:24005', '192.0.2.2:55433', "this computer's own address: no NAT on the path"],
    ]);
    expect(rows['proxy-paths']!.map((row) => row.slice(0, 2))).toEqual([
      ['TURN over UDP', '192.0.2.2'],
      ['TURN over TCP', '127.0.0.1'],
      ['TURN over TLS', '127.0.0.1'],
      ['HTTP API', '127.0.0.1'],
    ]);
    expect(rows['proxy-paths']![1]![2]).toBe('ports 39010, 39022, 39028 (3 mappings)');
    expect(rows['ice-tcp']).toEqual([
      ['media peer, ICE over TCP (port 24007)', '127.0.0.1:45046', '—'],
      ['HTTP API (signalling)', '127.0.0.1', '—'],
    ]);
    expect(rows['server-view']).toEqual([['HTTPS and TURN over TLS listeners', '127.0.0.1', 'TLS handshakes: HTTPS: 2 completed; TURN over TLS: 3 completed']]);
    expect(rows['nat']![0]![2]).toMatch(/^ports \d+(, \d+){5} and 9 more \(15 mappings\)$/);
    // Checks with nothing the servers recorded leave no group.
    expect(table.groups.map((g) => g.probeId)).not.toContain('turn-udp');
  });

  it('lists the resolvers the DNS server saw, the forwarded client subnet and the HTTP address', () => {
    const rows = buildServerSeenModel(REAL_DNS_RUN.probes)!.groups.find((g) => g.probeId === 'dns-resolver')!.rows;
    expect(rows).toEqual([
      ['DNS server (authoritative)', '127.0.0.3', 'a resolver asking over udp'],
      ['DNS server (authoritative)', '127.0.0.0/24', 'client subnet the resolvers forwarded (EDNS Client Subnet)'],
      ['HTTP API', '127.0.0.1', 'not a resolver address'],
    ]);
  });

  it('is null when no server recorded anything', () => {
    expect(buildServerSeenModel({ 'turn-udp': outcome({ url: 'turn:203.0.113.10:3478', candidates: [] }, 'fail') })).toBeNull();
  });
});
