/**
 * Signalling with netready's server-side media peer (`POST <peerPath>`): one function for every probe that connects to
 * it (TURN relays, call quality, the MTU upstream check, ICE-TCP).
 *
 * The offer goes without its ICE candidates. The media peer does not need them — it learns the browser's addresses as
 * peer-reflexive candidates from the browser's own connectivity checks (the browser, as offerer, is the controlling
 * agent and checks every pair towards the answer's candidates) — and a small request is one that survives the networks
 * netready diagnoses: an offer with host, server-reflexive and relay candidates plus the browser's headers is 1.5–2 KB,
 * i.e. a full-size TCP segment, which an MTU black hole upstream swallows (seen in the lab's mtu-1280-icmp-blocked row:
 * relay-only offers got through, full offers stalled until the deadline). Without candidates the offer needs no
 * gathering either, so it can be posted at once.
 */
import { readErrorEnvelope } from '../api/api-error';
import { PeerAnswerSchema, type PeerAnswer } from '../schema/session';
import { PREFLIGHT_FREE_JSON_HEADERS } from './http-get';
import type { ProbeContext } from './types';

/** The media peer did not accept an offer: netready's own signalling failed, which says nothing about the network. */
export class SignallingError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SignallingError';
  }
}

/** What the offer says besides its SDP. */
export interface MediaOfferOptions {
  /** Which probe asks (recorded by the server, e.g. `turn-tls`). */
  label: string;
  /** Ask for an answer whose only candidate is the passive ICE-TCP one (probe `ice-tcp`). */
  iceTcp?: boolean;
  /** Cancels the request; default the probe's signal. */
  signal?: AbortSignal;
}

/** The media peer's answer. */
export interface MediaAnswer {
  sdp: string;
  peerId: string;
  /** The media-quality protocol and limits the peer announced with its answer (newer servers). */
  quality?: PeerAnswer['quality'];
}

/** The offer without what the media peer does not need: every `a=candidate` and `a=end-of-candidates` line. */
export function compactOfferSdp(sdp: string): string {
  const eol = sdp.includes('\r\n') ? '\r\n' : '\n';
  return sdp
    .split(/\r?\n/)
    .filter((line) => !line.startsWith('a=candidate:') && line !== 'a=end-of-candidates')
    .join(eol);
}

/** Posts a (compacted) offer to the media peer and returns its answer; rejects with SignallingError when refused. */
export async function postMediaOffer(ctx: Pick<ProbeContext, 'env' | 'probeUrl' | 'signal'>, peerPath: string, sdp: string, options: MediaOfferOptions): Promise<MediaAnswer> {
  const response = await ctx.env.fetch(`${ctx.probeUrl}${peerPath}`, {
    method: 'POST',
    headers: { ...PREFLIGHT_FREE_JSON_HEADERS },
    body: JSON.stringify({ type: 'offer', sdp: compactOfferSdp(sdp), label: options.label, ...(options.iceTcp ? { iceTcp: true } : {}) }),
    signal: options.signal ?? ctx.signal,
  });
  const body = await response.json().catch(() => null);
  const parsed = PeerAnswerSchema.safeParse(body);
  if (response.status !== 200 || !parsed.success) {
    // The server's own words first (issue 18: "the offer carries no ICE candidate …"), then its code for support.
    const envelope = readErrorEnvelope(body);
    const detail = envelope ? `${envelope.message} (${envelope.code}, HTTP ${response.status})` : `HTTP ${response.status}`;
    throw new SignallingError(`the test server did not accept the ${options.iceTcp ? 'ICE-TCP ' : 'media '}offer: ${detail}`);
  }
  return { sdp: parsed.data.sdp, peerId: parsed.data.peerId, ...(parsed.data.quality ? { quality: parsed.data.quality } : {}) };
}
