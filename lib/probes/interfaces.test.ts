import { describe, expect, it } from 'vitest';
import { FAKE_CLIENT, FAKE_ETHERNET_HOST, FAKE_MDNS_HOST, FAKE_SERVER, FAKE_VPN_EGRESS, FAKE_VPN_HOST, runFakeDeployment } from '../engine/testing/fake-deployment';
import { classifyEnumeration, classifyKind, describeVisibility, groupNetworks, hostIsItsOwnEgress, joinLocalStats, type InterfacesData } from './interfaces';
import { parseCandidateLine, type CandidateInfo } from './webrtc';

const line = (text: string, atMs = 0): CandidateInfo => ({ ...parseCandidateLine(text)!, atMs });

describe('classifyEnumeration', () => {
  it.each([
    ['raw host addresses', ['candidate:1 1 udp 2122260223 192.0.2.20 5000 typ host network-id 1 network-cost 10'], 'all'],
    ['mDNS names only', [`candidate:1 1 udp 2122260223 ${FAKE_MDNS_HOST} 5000 typ host network-id 1 network-cost 999`], 'masked'],
    ['no host candidate (a relay only)', [`candidate:1 1 udp 25042943 ${FAKE_SERVER} 50000 typ relay raddr 0.0.0.0 rport 0`], 'none'],
    ['nothing at all', [], 'none'],
  ])('%s → %s', (_what, lines, expected) => {
    expect(classifyEnumeration(lines.map((l) => line(l)))).toBe(expected);
  });
});

describe('classifyKind', () => {
  it.each([
    ['vpn', ['192.0.2.66'], { kind: 'likely-vpn' }],
    ['ethernet', ['192.0.2.20'], { kind: 'ethernet' }],
    ['wifi', ['192.0.2.21'], { kind: 'wifi' }],
    ['cellular', ['2001:db8::5'], { kind: 'cellular' }],
    ['unknown', ['127.0.0.1'], { kind: 'loopback' }],
    ['unknown', [FAKE_MDNS_HOST], { kind: 'unknown' }],
    [undefined, [], { kind: 'unknown' }],
    ['wimax', ['192.0.2.22'], { kind: 'unknown' }],
  ] as const)('networkType %s with hosts %j → %j', (networkType, hosts, expected) => {
    expect(classifyKind(networkType, hosts)).toMatchObject(expected);
  });

  it('says why a network is only likely a VPN', () => {
    expect(classifyKind('vpn', []).vpnHint).toMatch(/tun\*.*utun\*.*ipsec\*.*tap\*/);
  });
});

describe('groupNetworks', () => {
  it('groups by network-id in gathering order, with STUN egress, a relay per transport and the selected network', () => {
    const candidates = joinLocalStats(
      [
        line('candidate:1 1 udp 2122260223 192.0.2.20 40010 typ host generation 0 network-id 1 network-cost 10', 1),
        line('candidate:2 1 udp 2122194687 192.0.2.66 40020 typ host generation 0 network-id 2 network-cost 10', 2),
        line('candidate:3 1 udp 1686052607 198.51.100.7 40011 typ srflx raddr 192.0.2.20 rport 40010 generation 0 network-id 1 network-cost 10', 30),
        { ...line('candidate:4 1 udp 25042943 203.0.113.10 50020 typ relay raddr 203.0.113.77 rport 40022 generation 0 network-id 2 network-cost 10', 45), relayProtocol: 'tcp' },
        line('candidate:5 1 udp 1686052607 203.0.113.77 40021 typ srflx raddr 192.0.2.66 rport 40020 generation 0 network-id 2 network-cost 10', 31),
      ],
      [
        { id: 'a', type: 'local-candidate', candidateType: 'host', protocol: 'udp', address: '192.0.2.20', port: 40010, networkType: 'wifi' },
        { id: 'b', type: 'local-candidate', candidateType: 'host', protocol: 'udp', address: '192.0.2.66', port: 40020, networkType: 'vpn' },
        { id: 'c', type: 'local-candidate', candidateType: 'srflx', protocol: 'udp', address: '198.51.100.7', port: 40011, networkType: 'wifi', url: 'stun:203.0.113.10:3478' },
      ],
    );
    const networks = groupNetworks(candidates, 2);
    expect(networks).toEqual([
      { networkId: 1, networkType: 'wifi', networkCost: 10, kind: 'wifi', hostAddresses: ['192.0.2.20'], families: ['ipv4'], stun: { srflx: { address: '198.51.100.7', port: 40011 }, atMs: 30 }, turn: {}, selected: false },
      {
        networkId: 2,
        networkType: 'vpn',
        networkCost: 10,
        kind: 'likely-vpn',
        vpnHint: expect.stringContaining('vpn'),
        hostAddresses: ['192.0.2.66'],
        families: ['ipv4'],
        stun: { srflx: { address: '203.0.113.77', port: 40021 }, atMs: 31 },
        turn: { tcp: { relay: { address: '203.0.113.10', port: 50020 }, atMs: 45 } },
        selected: true,
      },
    ]);
  });

  it('groups by host address when the lines carry no network-id (Firefox), srflx by its related address', () => {
    const networks = groupNetworks([
      line('candidate:0 1 UDP 2122252543 192.0.2.20 5000 typ host', 1),
      line('candidate:1 1 UDP 2122187007 2001:db8::20 5001 typ host', 2),
      line('candidate:2 1 UDP 1686052863 198.51.100.7 6000 typ srflx raddr 192.0.2.20 rport 5000', 3),
    ]);
    expect(networks.map((n) => [n.networkId, n.hostAddresses, n.families, n.stun.srflx?.address])).toEqual([
      [null, ['192.0.2.20'], ['ipv4'], '198.51.100.7'],
      [null, ['2001:db8::20'], ['ipv6'], undefined],
    ]);
  });
});

describe('describeVisibility', () => {
  const base: Pick<InterfacesData, 'mediaAccess' | 'enumeration'> = { mediaAccess: { requested: false, state: 'not-requested' }, enumeration: 'masked' };
  it.each([
    [{ ...base }, /default-route interface.*mDNS.*deep check/],
    [{ ...base, mediaAccess: { requested: true, state: 'denied', error: 'NotAllowedError: Permission denied' } }, /^Media permission was denied \(NotAllowedError: Permission denied\)\..*could not be seen/],
    [{ ...base, mediaAccess: { requested: true, state: 'unavailable', error: 'the page is http://192.0.2.5:3000/' } }, /could not be asked for: the page is http/],
    [{ ...base, enumeration: 'none' }, /no host candidate at all/],
  ] as const)('says what could not be seen: %j', (data, words) => {
    expect(describeVisibility(data)).toMatch(words);
  });

  it('says nothing when every interface was shown', () => {
    expect(describeVisibility({ mediaAccess: { requested: true, state: 'granted' }, enumeration: 'all' })).toBeUndefined();
  });
});

describe('the interfaces probe against the fake deployment', () => {
  it('passes in default mode with one masked network, its STUN egress and three relays, selected by ICE', async () => {
    const result = await runFakeDeployment({});
    const outcome = result.probes.interfaces!;
    expect(outcome.status, outcome.reason).toBe('pass');
    const data = outcome.data as unknown as InterfacesData;
    expect(data).toMatchObject({ mediaAccess: { requested: false, state: 'not-requested' }, enumeration: 'masked', dataFlows: true });
    expect(data.networks).toHaveLength(1);
    expect(data.networks[0]).toMatchObject({
      networkId: null,
      networkType: 'unknown',
      networkCost: 999,
      kind: 'unknown',
      hostAddresses: [FAKE_MDNS_HOST],
      stun: { srflx: { address: FAKE_CLIENT } },
      selected: true,
    });
    expect(Object.keys(data.networks[0]!.turn).sort()).toEqual(['tcp', 'tls', 'udp']);
    expect(data.selected?.local).toMatchObject({ candidateType: 'srflx', protocol: 'udp', networkCost: 999, networkType: 'unknown' });
    expect(data.selected?.local).not.toHaveProperty('networkId');
    expect(outcome.evidence.find((e) => e.kind === 'visibility')?.summary).toContain('deep check');
  });

  it('records every network after the deep check, the VPN as likely-vpn and selected', async () => {
    const result = await runFakeDeployment({ interfaces: 'deep', mediaAccess: { requested: true, state: 'granted' } });
    const data = result.probes.interfaces!.data as unknown as InterfacesData;
    expect(result.probes.interfaces!.status).toBe('pass');
    expect(data.enumeration).toBe('all');
    expect(data.mediaAccess.state).toBe('granted');
    expect(data.selected?.local).toMatchObject({ networkId: 2, networkType: 'vpn' });
    expect(data.networks.map((n) => [n.kind, n.hostAddresses[0], n.stun.srflx?.address, n.selected])).toEqual([
      ['ethernet', FAKE_ETHERNET_HOST, FAKE_CLIENT, false],
      ['likely-vpn', FAKE_VPN_HOST, FAKE_VPN_EGRESS, true],
    ]);
    expect(result.probes.interfaces!.evidence.some((e) => e.kind === 'visibility')).toBe(false);
  });

  it('finishes well inside its deadline once every network is complete and the echoes are back', async () => {
    const result = await runFakeDeployment({}, { probeTimeoutMs: 3000 });
    expect(result.probes.interfaces!.durationMs).toBeLessThan(1000);
  });
});

describe('groupNetworks on Chromium 156\'s masked lines (captured in default mode: network-cost 999, no network-id)', () => {
  it('puts the default route\'s masked hosts, its srflx and its relays in one network', () => {
    const networks = groupNetworks(
      joinLocalStats(
        [
          line('candidate:3352175344 1 udp 2113937151 84d958c2-d7ee-401c-b1f9-aafe97edafe7.local 35693 typ host generation 0 ufrag jmiT network-cost 999', 1),
          line('candidate:3233566272 1 udp 2113942271 4c312509-8b3a-4bf5-9a5f-4395d2896eae.local 51499 typ host generation 0 ufrag jmiT network-cost 999', 1),
          line('candidate:1503915236 1 udp 1677729535 198.51.100.7 35693 typ srflx raddr 0.0.0.0 rport 0 generation 0 ufrag jmiT network-cost 999', 40),
          { ...line('candidate:753010329 1 udp 50340351 203.0.113.10 41107 typ relay raddr 198.51.100.7 rport 35693 generation 0 ufrag jmiT network-cost 999', 60), relayProtocol: 'udp' },
        ],
        [{ id: 'h', type: 'local-candidate', candidateType: 'host', protocol: 'udp', address: '', port: 35693, networkType: 'unknown' }],
      ),
    );
    expect(networks).toEqual([
      {
        networkId: null,
        networkType: 'unknown',
        networkCost: 999,
        kind: 'unknown',
        hostAddresses: ['84d958c2-d7ee-401c-b1f9-aafe97edafe7.local', '4c312509-8b3a-4bf5-9a5f-4395d2896eae.local'],
        families: ['ipv4'],
        stun: { srflx: { address: '198.51.100.7', port: 35693 }, atMs: 40 },
        turn: { udp: { relay: { address: '203.0.113.10', port: 41107 }, atMs: 60 } },
        selected: false,
      },
    ]);
  });
});

describe('hostIsItsOwnEgress (Chromium drops a srflx equal to its host candidate)', () => {
  const host = line('candidate:78215776 1 udp 2122194687 192.0.2.2 46835 typ host generation 0 ufrag 3dRn network-id 1');
  const relayFrom = (raddr: string, rport: number): CandidateInfo => ({
    ...line(`candidate:4018494985 1 udp 58597887 203.0.113.10 41151 typ relay raddr ${raddr} rport ${rport} generation 0 ufrag 3dRn network-id 1`),
    relayProtocol: 'udp',
  });
  it('marks the network\'s STUN egress as its host address', () => {
    expect(groupNetworks([host, relayFrom('192.0.2.2', 46835)])[0]?.stun).toEqual({ egressIsHost: true });
    expect(groupNetworks([host, relayFrom('198.51.100.7', 46835)])[0]?.stun).toEqual({});
  });

  it.each([
    ['the TURN server saw the host address and port', [host, relayFrom('192.0.2.2', 46835)], true],
    ['the TURN server saw a translated address', [host, relayFrom('198.51.100.7', 46835)], false],
    ['no UDP relay', [host], false],
  ] as const)('%s → %s', (_what, members, expected) => {
    expect(hostIsItsOwnEgress(members)).toBe(expected);
  });
});

describe('the interfaces probe\'s waits', () => {
  it('connects only after every network\'s candidates are in, and says what ended the wait', async () => {
    const result = await runFakeDeployment({ interfaces: 'deep', mediaAccess: { requested: true, state: 'granted' } }, { probeTimeoutMs: 3000 });
    const wait = result.probes.interfaces!.evidence.find((e) => e.kind === 'candidates')?.data as { waitEnded: { by: string; atMs: number } };
    expect(wait.waitEnded.by).toBe('every-network-complete');
    const data = result.probes.interfaces!.data as unknown as InterfacesData;
    const lastCandidateMs = Math.max(...data.networks.flatMap((n) => Object.values(n.turn).map((t) => t!.atMs)));
    expect(data.connectMs).toBeGreaterThanOrEqual(lastCandidateMs);
  });

  it('still records the networks it saw when no pair connects before the deadline', async () => {
    const result = await runFakeDeployment({ interfaces: 'no-pair' }, { probeTimeoutMs: 1000 });
    const outcome = result.probes.interfaces!;
    expect(outcome.status).toBe('inconclusive');
    expect(outcome.durationMs).toBeLessThan(1000);
    expect((outcome.data as unknown as InterfacesData).networks).toHaveLength(1);
    expect((outcome.data as unknown as InterfacesData).enumeration).toBe('masked');
  });
});
