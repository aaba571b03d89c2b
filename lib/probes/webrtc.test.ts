import { describe, expect, it } from 'vitest';
import { fakeEnvironment, type PeerScript } from './testing/fake-webrtc';
import { CandidateLog, classifyIceError, DeadlineError, HOSTNAME_FAILURE_SETTLE_MS, isIpLiteralIceUrl, median, parseCandidateLine } from './webrtc';

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

  it('rejects with DeadlineError when nothing decides before the deadline', async () => {
    await expect(waitWith('turn:203.0.113.10:3478?transport=udp', {}, 100)).rejects.toBeInstanceOf(DeadlineError);
  });
});
