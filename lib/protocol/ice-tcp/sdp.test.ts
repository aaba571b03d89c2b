import { describe, expect, it } from 'vitest';
import { parseCandidateLine } from '../../probes/webrtc';
import { PASSIVE_HOST_TCP_PRIORITY, readIceCredentials, udpHostCandidatePort, withOnlyPassiveTcpCandidate, withoutRemoteCandidates } from './sdp';

const OFFER = [
  'v=0',
  'o=- 1 2 IN IP4 127.0.0.1',
  's=-',
  't=0 0',
  'm=application 9 UDP/DTLS/SCTP webrtc-datachannel',
  'c=IN IP4 0.0.0.0',
  'a=candidate:1 1 udp 2122260223 198.51.100.7 50000 typ host generation 0',
  'a=candidate:2 1 tcp 1518280447 198.51.100.7 9 typ host tcptype active generation 0',
  'a=end-of-candidates',
  'a=ice-ufrag:brwsr',
  'a=ice-pwd:browser-password-0123456789',
  'a=fingerprint:sha-256 AA:BB',
  '',
].join('\r\n');

const ANSWER = [
  'v=0',
  'm=application 60000 UDP/DTLS/SCTP webrtc-datachannel',
  'a=ice-ufrag:srvUfrag',
  'a=ice-pwd:server-password-0123456789',
  'a=candidate:a1 1 udp 2130706431 203.0.113.10 60001 typ host',
  'a=setup:passive',
  '',
].join('\r\n');

describe('ICE-TCP SDP edits', () => {
  it('removes every remote candidate and end-of-candidates from an offer, keeping everything else', () => {
    const stripped = withoutRemoteCandidates(OFFER);
    expect(stripped).not.toContain('a=candidate');
    expect(stripped).not.toContain('a=end-of-candidates');
    expect(stripped).toContain('a=ice-ufrag:brwsr\r\n');
    expect(stripped.endsWith('\r\n')).toBe(true);
  });

  it('reads the answer\'s ICE credentials and the media peer\'s UDP port', () => {
    expect(readIceCredentials(ANSWER)).toEqual({ ufrag: 'srvUfrag', password: 'server-password-0123456789' });
    expect(udpHostCandidatePort(ANSWER)).toBe(60001);
    expect(readIceCredentials('v=0\r\na=ice-ufrag:x\r\n')).toBeNull();
    expect(udpHostCandidatePort('v=0\r\n')).toBeNull();
  });

  it('replaces the answer\'s candidates with one RFC 6544 passive TCP host candidate', () => {
    const answer = withOnlyPassiveTcpCandidate(ANSWER, '203.0.113.10', 7881);
    const candidates = answer.split('\r\n').filter((line) => line.startsWith('a=candidate:'));
    expect(candidates).toHaveLength(1);
    expect(parseCandidateLine(candidates[0]!)).toEqual({ type: 'host', protocol: 'tcp', address: '203.0.113.10', port: 7881, tcpType: 'passive' });
    expect(answer).toContain('a=end-of-candidates');
    expect(answer).toContain('a=setup:passive');
  });

  it('gives the passive candidate the RFC 6544 §4.2 host priority (type 126, passive direction 4)', () => {
    expect(PASSIVE_HOST_TCP_PRIORITY).toBe(2124414975);
    expect(PASSIVE_HOST_TCP_PRIORITY >>> 24).toBe(126);
  });
});
