import { describe, expect, it } from 'vitest';
import { compactOfferSdp, postMediaOffer, SignallingError } from './media-peer-offer';
import type { FetchLike } from './types';

const OFFER = [
  'v=0',
  'o=- 4611731400430051336 2 IN IP4 127.0.0.1',
  's=-',
  't=0 0',
  'a=group:BUNDLE 0',
  'm=application 9 UDP/DTLS/SCTP webrtc-datachannel',
  'c=IN IP4 0.0.0.0',
  'a=candidate:1 1 udp 2122260223 192.0.2.10 50000 typ host generation 0',
  'a=candidate:2 1 udp 1686052607 198.51.100.7 40000 typ srflx raddr 192.0.2.10 rport 50000 generation 0',
  'a=candidate:3 1 udp 41885439 203.0.113.10 50001 typ relay raddr 198.51.100.7 rport 40000 generation 0',
  'a=end-of-candidates',
  'a=ice-ufrag:abcd',
  'a=ice-pwd:0123456789abcdefghijklmn',
  'a=fingerprint:sha-256 AA:BB',
  'a=setup:actpass',
  'a=mid:0',
  'a=sctp-port:5000',
  '',
].join('\r\n');

describe('compactOfferSdp', () => {
  it('drops every candidate and end-of-candidates line and keeps the rest, line endings included', () => {
    const compact = compactOfferSdp(OFFER);
    expect(compact).not.toContain('a=candidate:');
    expect(compact).not.toContain('a=end-of-candidates');
    for (const kept of ['a=ice-ufrag:abcd', 'a=ice-pwd:', 'a=fingerprint:sha-256 AA:BB', 'a=sctp-port:5000', 'm=application 9']) expect(compact).toContain(kept);
    expect(compact.split('\r\n')).toHaveLength(OFFER.split('\r\n').length - 4);
    // Small enough that the whole request fits one segment below a 1280-byte path MTU.
    expect(compact.length).toBeLessThan(OFFER.length - 250);
  });
});

describe('postMediaOffer', () => {
  it('posts the compacted offer with the label (and iceTcp when asked) and returns the answer', async () => {
    const bodies: unknown[] = [];
    const fetch: FetchLike = async (_url, init) => {
      bodies.push(JSON.parse(init.body ?? '{}'));
      return { status: 200, json: async () => ({ type: 'answer', sdp: 'v=0 answer', peerId: 'p1' }) };
    };
    const ctx = { env: { fetch } as never, probeUrl: 'http://203.0.113.10:8080', signal: new AbortController().signal };
    await expect(postMediaOffer(ctx, '/v1/sessions/S/peers', OFFER, { label: 'ice-tcp', iceTcp: true })).resolves.toEqual({ sdp: 'v=0 answer', peerId: 'p1' });
    expect(bodies[0]).toMatchObject({ type: 'offer', label: 'ice-tcp', iceTcp: true });
    expect((bodies[0] as { sdp: string }).sdp).not.toContain('a=candidate:');
  });

  it('rejects with SignallingError naming the server\'s error when the offer is refused', async () => {
    const fetch: FetchLike = async () => ({ status: 503, json: async () => ({ error: { code: 'peer_unavailable', message: 'busy' } }) });
    const ctx = { env: { fetch } as never, probeUrl: 'http://203.0.113.10:8080', signal: new AbortController().signal };
    const attempt = postMediaOffer(ctx, '/p', OFFER, { label: 'turn-udp' });
    await expect(attempt).rejects.toBeInstanceOf(SignallingError);
    await expect(attempt).rejects.toThrow(/peer_unavailable/);
  });

  it('carries the server\'s message for an offer it could not use, so the page shows why (issue 18)', async () => {
    const message = 'ICE failed while answering: the offer carries no ICE candidate the media peer could use';
    const fetch: FetchLike = async () => ({ status: 422, json: async () => ({ error: { code: 'offer_unusable', message } }) });
    const ctx = { env: { fetch } as never, probeUrl: 'http://203.0.113.10:8080', signal: new AbortController().signal };
    await expect(postMediaOffer(ctx, '/p', OFFER, { label: 'turn-udp' })).rejects.toThrow(`the test server did not accept the media offer: ${message} (offer_unusable, HTTP 422)`);
  });
});
