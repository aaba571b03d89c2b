import { describe, expect, it } from 'vitest';
import { sampleResult } from '../../lib/api/testing/sample-result';
import { buildIceModel, CANDIDATE_COLUMNS, PAIR_COLUMNS } from './ice-model';
import { outcome, REAL_DEEP_RUN } from './testing/real-results';

describe('buildIceModel', () => {
  it('lists the selected pair of every WebRTC check of a real run, with its ICE server, network and round trip', () => {
    const pairs = buildIceModel(REAL_DEEP_RUN.probes).pairs!;
    expect(pairs.columns).toEqual(PAIR_COLUMNS);
    expect(pairs.groups.map((g) => g.heading)).toEqual(['']);
    expect(pairs.groups[0]!.rows).toEqual([
      ['TURN relay over UDP', 'relay udp 127.0.0.1:24298 (relay over udp)', 'turn:127.0.0.1:24003?transport=udp', 'ethernet, network 1', 'host udp 127.0.0.1:24404', '294 ms (checks: 334 ms avg of 4)'],
      ['TURN relay over TCP', 'relay udp 127.0.0.1:24377 (relay over tcp)', 'turn:127.0.0.1:24003?transport=tcp', 'ethernet, network 1', 'host udp 127.0.0.1:24405', '376 ms (checks: 297 ms avg of 6)'],
      ['Call quality on the path a call would take', 'host udp 192.0.2.2:38612', '—', 'ethernet, network 1', 'host udp 127.0.0.1:24400', '37 ms (checks: 194 ms avg of 5)'],
      ['Media over TCP to a media server (ICE-TCP)', 'prflx tcp active 127.0.0.1:45046', '—', '—', 'host tcp passive 127.0.0.1:24007', '—'],
      ['Network interfaces and the path ICE chose', 'host udp 192.0.2.2:34045', '—', 'ethernet, network 1', 'host udp 127.0.0.1:24403', '109 ms'],
    ]);
  });

  it('lists the candidates each TURN check gathered with the one TURN URL it was given, and says why STUN gave none', () => {
    const candidates = buildIceModel(REAL_DEEP_RUN.probes).candidates!;
    expect(candidates.columns).toEqual(CANDIDATE_COLUMNS);
    const tcp = candidates.groups.find((g) => g.probeId === 'turn-tcp')!;
    expect(tcp.rows).toEqual([['relay', 'udp', '127.0.0.1:24377', 'turn:127.0.0.1:24003?transport=tcp', 'tcp', 'network 1', '819 ms']]);
    expect(tcp.notes).toEqual(['Given one ICE server: turn:127.0.0.1:24003?transport=tcp (relay only).', 'Gathering ended after 824 ms.']);
    const stun = candidates.groups.find((g) => g.probeId === 'stun-udp')!;
    expect(stun.rows).toEqual([]);
    expect(stun.notes[0]).toBe("stun:127.0.0.1:24003: no server-reflexive candidate; the server answered this computer's own address (no NAT) (4 host candidates gathered).");
    expect(candidates.groups.find((g) => g.probeId === 'nat')!.notes[0]).toMatch(/^Recorded mapping: no-nat \(the test server saw this computer's own address 192\.0\.2\.2:\d+\)/);
  });

  it('shows a failed relay with its ICE errors and no candidate, a srflx per answering port, and brackets IPv6', () => {
    const model = buildIceModel({
      'stun-udp': outcome({ ports: [{ port: 3478, url: 'stun:203.0.113.10:3478', srflx: { address: '2001:db8::7', port: 50000 }, srflxMs: 41, hostCandidates: 2, timedOut: false, errors: [] }, { port: 3479, url: 'stun:203.0.113.10:3479', timedOut: true, hostCandidates: 2, errors: [] }] }, 'warn'),
      'turn-udp': outcome({ url: 'turn:203.0.113.10:3478?transport=udp', candidates: [], errors: [{ errorCode: 701, errorText: 'TURN allocate request timed out.', url: 'turn:203.0.113.10:3478?transport=udp', atMs: 3001 }] }, 'fail'),
    });
    expect(model.pairs).toBeNull();
    const [stun, turn] = model.candidates!.groups;
    expect(stun!.rows).toEqual([['srflx', 'udp', '[2001:db8::7]:50000', 'stun:203.0.113.10:3478', '—', '—', '41 ms']]);
    expect(stun!.notes).toEqual(['stun:203.0.113.10:3479: no server-reflexive candidate before the deadline (2 host candidates gathered).']);
    expect(turn!.notes).toEqual([
      'Given one ICE server: turn:203.0.113.10:3478?transport=udp (relay only).',
      'ICE error 701 "TURN allocate request timed out." from turn:203.0.113.10:3478?transport=udp after 3001 ms',
      'No candidate gathered.',
    ]);
  });

  it('treats fields of the wrong type as not recorded, never as values', () => {
    const model = buildIceModel({
      'turn-tcp': outcome({ url: 'turn:203.0.113.10:3478?transport=tcp', candidates: [{ type: 7, address: ['<b>x</b>'], port: '80' }, 'junk'], selectedPair: { local: { candidateType: 'relay', address: { toString: 1 } }, remote: null } }),
    });
    expect(model.candidates!.groups[0]!.rows).toEqual([['—', '—', '—', '—', '—', '—', '—']]);
    expect(model.pairs!.groups[0]!.rows).toEqual([['TURN relay over TCP', 'relay — —', '—', '—', '—', '—']]);
    // A hidden address is reported as '': not recorded either.
    expect(buildIceModel({ 'ice-tcp': outcome({ selectedPair: { local: { candidateType: 'prflx', protocol: 'tcp', tcpType: 'active', address: '', port: 51192 } } }) }).pairs!.groups[0]!.rows[0]![1]).toBe('prflx tcp active port 51192');
  });

  it('has nothing to show for a result whose checks recorded no candidate or pair', () => {
    expect(buildIceModel({ session: outcome({ clientIp: '198.51.100.23' }) })).toEqual({ candidates: null, pairs: null });
    // The sample's TURN checks record a relay but no candidate list: only what is there is shown.
    expect(buildIceModel(sampleResult.probes).pairs).toBeNull();
  });
});
