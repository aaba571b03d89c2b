import { describe, expect, it } from 'vitest';
import { median, parseCandidateLine } from './webrtc';

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
