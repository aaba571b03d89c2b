import { describe, expect, it } from 'vitest';
import { describeClient, detectWebRtcCapabilities } from './client-info';

const FIREFOX_153 = 'Mozilla/5.0 (X11; Linux x86_64; rv:153.0) Gecko/20100101 Firefox/153.0';
const SAFARI_18 = 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Safari/605.1.15';
const CHROME_156 = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0.0.0 Safari/537.36';

describe('describeClient', () => {
  it.each([
    [FIREFOX_153, 'Firefox', 'gecko', '153.0'],
    [SAFARI_18, 'Safari', 'webkit', '605.1.15'],
    [CHROME_156, 'Chrome', 'blink', '156.0.0.0'],
  ])('names the engine of %s', (ua, browser, engine, engineVersion) => {
    expect(describeClient(ua)).toMatchObject({ browser, engine, engineVersion });
  });

  it('records the WebRTC capabilities it is given, and none when it is given none', () => {
    expect(describeClient(FIREFOX_153, { peerConnection: false, error: 'RTCPeerConnection is not defined' }).webrtc).toEqual({ peerConnection: false, error: 'RTCPeerConnection is not defined' });
    expect(describeClient(FIREFOX_153).webrtc).toBeUndefined();
  });
});

describe('detectWebRtcCapabilities', () => {
  class FakeCandidate {
    get address(): string {
      return '';
    }
  }

  it('reports no peer connection when the RTCPeerConnection global is missing (media.peerconnection.enabled=false)', () => {
    expect(detectWebRtcCapabilities({})).toEqual({ peerConnection: false, error: 'RTCPeerConnection is not defined' });
  });

  it('reports no peer connection, with the error, when the constructor throws (a policy or extension)', () => {
    class Blocked {
      constructor() {
        throw new DOMException('blocked by policy', 'NotAllowedError');
      }
      getStats(): void {}
    }
    expect(detectWebRtcCapabilities({ RTCPeerConnection: Blocked, RTCIceCandidate: FakeCandidate })).toMatchObject({ peerConnection: false, error: 'NotAllowedError: blocked by policy', getStats: true });
  });

  it('reads which fields the engine offers and closes the peer connection it made', () => {
    const closed: boolean[] = [];
    class Pc {
      close(): void {
        closed.push(true);
      }
      getStats(): void {}
    }
    // Firefox 153 has no RTCIceCandidate.relayProtocol (measured with real Firefox ESR in this worktree's check).
    expect(detectWebRtcCapabilities({ RTCPeerConnection: Pc, RTCIceCandidate: FakeCandidate, RTCPeerConnectionIceErrorEvent: class {} })).toEqual({
      peerConnection: true,
      getStats: true,
      relayProtocol: false,
      candidateAddress: true,
      iceErrorEvent: true,
    });
    expect(closed).toEqual([true]);
  });
});
