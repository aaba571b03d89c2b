import { describe, expect, it } from 'vitest';
import { fakeEnvironment, type PeerScript } from './testing/fake-webrtc';
import type { PeerConnectionLike, StatsEntry } from './types';
import {
  CandidateLog,
  classifyIceError,
  DeadlineError,
  HOSTNAME_FAILURE_SETTLE_MS,
  isIpLiteralIceUrl,
  matchCandidateLine,
  median,
  parseCandidateLine,
  readSelectedPair,
  type CandidateInfo,
} from './webrtc';

describe('parseCandidateLine', () => {
  it.each([
    [
      'candidate:842163049 1 udp 1677729535 198.51.100.7 46154 typ srflx raddr 0.0.0.0 rport 0 generation 0 ufrag abcd network-cost 999',
      { type: 'srflx', protocol: 'udp', address: '198.51.100.7', port: 46154, relatedAddress: '0.0.0.0', relatedPort: 0 },
    ],
    [
      'a=candidate:1 1 UDP 41885439 203.0.113.10 50123 typ relay raddr 198.51.100.7 rport 46154',
      { type: 'relay', protocol: 'udp', address: '203.0.113.10', port: 50123, relatedAddress: '198.51.100.7', relatedPort: 46154 },
    ],
    [
      'candidate:3 1 tcp 1518280447 192.0.2.4 9 typ host tcptype active generation 0',
      { type: 'host', protocol: 'tcp', address: '192.0.2.4', port: 9, tcpType: 'active' },
    ],
    ['candidate:4 1 udp 2122260223 4c1f3d1a-2b9a-4d5e-9f00-1a2b3c4d5e6f.local 54321 typ host', { type: 'host', address: '4c1f3d1a-2b9a-4d5e-9f00-1a2b3c4d5e6f.local', port: 54321 }],
  ])('parses %s', (line, expected) => {
    expect(parseCandidateLine(line)).toMatchObject(expected);
  });

  // Lines as Chromium 156 emits them (network-id / network-cost extensions; masked and raw host candidates).
  it.each([
    [
      'candidate:1 1 udp 2122260223 3f1c2d4e-5a6b-4c7d-8e9f-0a1b2c3d4e5f.local 54321 typ host generation 0 network-id 1 network-cost 999',
      { type: 'host', address: '3f1c2d4e-5a6b-4c7d-8e9f-0a1b2c3d4e5f.local', port: 54321, networkId: 1, networkCost: 999 },
    ],
    [
      'candidate:2 1 udp 2122262783 192.0.2.20 41234 typ host generation 0 ufrag AbCd network-id 2 network-cost 10',
      { type: 'host', address: '192.0.2.20', port: 41234, networkId: 2, networkCost: 10 },
    ],
    [
      'candidate:3 1 udp 1686052607 198.51.100.7 41234 typ srflx raddr 192.0.2.20 rport 41234 generation 0 ufrag AbCd network-id 2 network-cost 10',
      { type: 'srflx', relatedAddress: '192.0.2.20', networkId: 2, networkCost: 10 },
    ],
    [
      'candidate:4 1 udp 25042943 203.0.113.10 50001 typ relay raddr 198.51.100.7 rport 41235 generation 0 ufrag AbCd network-id 2 network-cost 10',
      { type: 'relay', address: '203.0.113.10', networkId: 2, networkCost: 10 },
    ],
  ])('reads network-id and network-cost of %s', (line, expected) => {
    expect(parseCandidateLine(line)).toMatchObject(expected);
  });

  it('keeps unknown extension pairs and malformed network values out of the record', () => {
    const parsed = parseCandidateLine('candidate:1 1 udp 2122260223 192.0.2.20 5000 typ host generation 0 ufrag AbCd network-id x1 network-cost -5 future-thing 7');
    expect(parsed).toEqual({ type: 'host', protocol: 'udp', address: '192.0.2.20', port: 5000 });
  });

  it.each(['', 'candidate:1 1 udp 1 192.0.2.1 5000 type host', 'candidate:1 1 udp 1 192.0.2.1 99999 typ host', 'garbage'])(
    'returns null for the malformed line %j',
    (line) => {
      expect(parseCandidateLine(line)).toBeNull();
    },
  );
});

describe('median', () => {
  it('returns the middle value, the mean of the two middle values, or undefined', () => {
    expect(median([5, 1, 3])).toBe(3);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([])).toBeUndefined();
  });
});

describe('classifyIceError', () => {
  it.each([
    [701, 'TURN host lookup received error.', 'lookup'],
    [701, 'Failed to establish connection', 'connect-failed'],
    [486, 'Allocation Quota Reached', 'server-error'],
    [300, 'Try Alternate', 'server-error'],
    [699, 'whatever', 'server-error'],
    [700, 'STUN host lookup failed', 'other'],
    [0, '', 'other'],
  ] as const)('classifies %i "%s" as %s', (errorCode, errorText, kind) => {
    expect(classifyIceError({ errorCode, errorText })).toBe(kind);
  });
});

describe('isIpLiteralIceUrl', () => {
  it.each([
    ['turns:203.0.113.10:5349?transport=tcp', true],
    ['turn:[2001:db8::1]:3478?transport=udp', true],
    ['stun:198.51.100.1', true],
    ['turns:turn.probe.example.org:443?transport=tcp', false],
    ['turn:localhost:3478', false],
  ] as const)('%s is an IP literal: %s', (url, expected) => {
    expect(isIpLiteralIceUrl(url)).toBe(expected);
  });
});

describe('CandidateLog.waitForRelayOrDecided', () => {
  const RELAY = 'candidate:2 1 udp 41885439 203.0.113.10 50000 typ relay raddr 198.51.100.7 rport 40000';

  async function waitWith(url: string, script: PeerScript, deadlineMs = 3000) {
    const env = fakeEnvironment(() => script, async () => ({ status: 404, json: async () => ({}) }));
    const pc = env.createPeerConnection({ iceServers: [{ urls: url }], iceTransportPolicy: 'relay' });
    const started = performance.now();
    const log = new CandidateLog(pc, env, started);
    await pc.setLocalDescription(await pc.createOffer());
    const signal = AbortSignal.timeout(deadlineMs);
    try {
      const result = await log.waitForRelayOrDecided(url, signal);
      return { result, elapsedMs: performance.now() - started };
    } finally {
      pc.close();
    }
  }

  it('ends at once when an IP-literal URL reports a failed connection (701), long before the deadline', async () => {
    const url = 'turns:203.0.113.10:5349?transport=tcp';
    const { result, elapsedMs } = await waitWith(url, { errors: [{ afterMs: 20, errorCode: 701, errorText: 'Failed to establish connection', url }] });
    expect(result).toMatchObject({ kind: 'decided', errorKind: 'connect-failed', error: { errorCode: 701 } });
    expect(elapsedMs).toBeLessThan(1000);
  });

  it('ends at once when the TURN server answers with a STUN error', async () => {
    const url = 'turn:203.0.113.10:3478?transport=udp';
    const { result } = await waitWith(url, { errors: [{ afterMs: 10, errorCode: 486, errorText: 'Allocation Quota Reached', url }] });
    expect(result).toMatchObject({ kind: 'decided', errorKind: 'server-error' });
  });

  it('waits out a host-lookup 701 and still takes the relay that follows (the AAAA false alarm)', async () => {
    const url = 'turn:turn.probe.example.org:3478?transport=udp';
    const { result } = await waitWith(url, {
      errors: [{ afterMs: 5, errorCode: 701, errorText: 'TURN host lookup received error.', url }],
      candidates: [{ afterMs: 60, line: RELAY }],
    });
    expect(result.kind).toBe('relay');
  });

  it('gives a host-name URL time for its other address before deciding on a failed connection', async () => {
    const url = 'turns:turn.probe.example.org:5349?transport=tcp';
    const relayLater = await waitWith(url, {
      errors: [{ afterMs: 5, errorCode: 701, errorText: 'Failed to establish connection', url }],
      candidates: [{ afterMs: 5 + HOSTNAME_FAILURE_SETTLE_MS / 2, line: RELAY }],
    });
    expect(relayLater.result.kind).toBe('relay');
    const noRelay = await waitWith(url, { errors: [{ afterMs: 5, errorCode: 701, errorText: 'Failed to establish connection', url }] });
    expect(noRelay.result.kind).toBe('decided');
    expect(noRelay.elapsedMs).toBeGreaterThanOrEqual(HOSTNAME_FAILURE_SETTLE_MS);
    expect(noRelay.elapsedMs).toBeLessThan(HOSTNAME_FAILURE_SETTLE_MS + 1000);
  });

  it('ends when the browser ends gathering with no relay and no error (Firefox and a turns: IP literal), not at the deadline', async () => {
    const url = 'turns:203.0.113.10:5349?transport=tcp';
    const { result, elapsedMs } = await waitWith(url, { endOfCandidatesAfterMs: 20 });
    expect(result).toMatchObject({ kind: 'ended' });
    expect(elapsedMs).toBeLessThan(1000);
  });

  it('decides by the failed connection it reported when gathering ends before a host name\'s settle time', async () => {
    const url = 'turns:turn.probe.example.org:5349?transport=tcp';
    const { result, elapsedMs } = await waitWith(url, { errors: [{ afterMs: 5, errorCode: 701, errorText: 'Failed to establish connection', url }], endOfCandidatesAfterMs: 30 });
    expect(result).toMatchObject({ kind: 'decided', errorKind: 'connect-failed' });
    expect(elapsedMs).toBeLessThan(HOSTNAME_FAILURE_SETTLE_MS);
  });

  it('rejects with DeadlineError when nothing decides before the deadline', async () => {
    await expect(waitWith('turn:203.0.113.10:3478?transport=udp', {}, 100)).rejects.toBeInstanceOf(DeadlineError);
  });
});

describe('the local side of the selected pair gets its candidate line\'s network-cost and network-id', () => {
  const line = (text: string): CandidateInfo => ({ ...parseCandidateLine(text)!, atMs: 0 });
  const LINES = [
    line('candidate:1 1 udp 2122260223 3f1c2d4e-5a6b-4c7d-8e9f-0a1b2c3d4e5f.local 54321 typ host generation 0 network-id 1 network-cost 999'),
    line('candidate:3 1 udp 1686052607 198.51.100.7 41234 typ srflx raddr 0.0.0.0 rport 0 generation 0 network-id 1 network-cost 999'),
    line('candidate:4 1 udp 25042943 203.0.113.10 50001 typ relay raddr 198.51.100.7 rport 41235 generation 0 network-id 1 network-cost 999'),
    line('candidate:5 1 udp 2122262783 192.0.2.30 54321 typ host generation 0 network-id 3 network-cost 10'),
  ];

  function pcWithLocal(local: Record<string, unknown>): PeerConnectionLike {
    const entries: StatsEntry[] = [
      { id: 'T', type: 'transport', selectedCandidatePairId: 'P' },
      { id: 'P', type: 'candidate-pair', localCandidateId: 'L', remoteCandidateId: 'R' },
      { id: 'L', type: 'local-candidate', ...local },
      { id: 'R', type: 'remote-candidate', candidateType: 'host', protocol: 'udp', address: '203.0.113.10', port: 60000 },
    ];
    return { getStats: async () => ({ forEach: (cb: (e: StatsEntry) => void) => entries.forEach(cb) }) } as unknown as PeerConnectionLike;
  }

  it.each([
    ['a srflx matched by address, port, protocol and type', { candidateType: 'srflx', protocol: 'udp', address: '198.51.100.7', port: 41234 }, { networkId: 1, networkCost: 999 }],
    ['a relay', { candidateType: 'relay', protocol: 'udp', relayProtocol: 'tls', address: '203.0.113.10', port: 50001 }, { networkId: 1, networkCost: 999 }],
    ['a raw host candidate on another network sharing the port', { candidateType: 'host', protocol: 'udp', address: '192.0.2.30', port: 54321 }, { networkId: 3, networkCost: 10 }],
  ])('%s', async (_what, local, expected) => {
    const pair = await readSelectedPair(pcWithLocal(local), LINES);
    expect(pair?.local).toMatchObject({ ...local, ...expected });
  });

  it('gives none where no line matches, or the stats address is hidden and two lines share the port', async () => {
    expect((await readSelectedPair(pcWithLocal({ candidateType: 'prflx', protocol: 'udp', address: '198.51.100.7', port: 1 }), LINES))?.local).not.toHaveProperty('networkId');
    expect(matchCandidateLine({ id: 'L', type: 'local-candidate', candidateType: 'host', protocol: 'udp', port: 54321 }, LINES)).toBeUndefined();
    expect(matchCandidateLine({ id: 'L', type: 'local-candidate', candidateType: 'srflx', protocol: 'udp', port: 41234 }, LINES)?.networkId).toBe(1);
  });

  it('reads the pair as before without candidate lines', async () => {
    const pair = await readSelectedPair(pcWithLocal({ candidateType: 'srflx', protocol: 'udp', address: '198.51.100.7', port: 41234, networkType: 'ethernet' }));
    expect(pair?.local).toEqual({ candidateType: 'srflx', protocol: 'udp', address: '198.51.100.7', port: 41234, networkType: 'ethernet' });
  });
});
