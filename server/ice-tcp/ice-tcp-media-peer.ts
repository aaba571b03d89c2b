/**
 * The media peer as the probe API sees it, with ICE-TCP: an offer that asks for it (`iceTcp: true`, the ice-tcp
 * probe's) is answered by the UDP media peer as usual, and the answer is then rewritten to offer only the passive
 * ICE-TCP endpoint and registered with it; every other offer passes through untouched. The UDP media peer
 * (server/peer/media-peer.ts) needs no change: what it must not do for such an offer — reach the browser's UDP
 * candidates itself — is taken care of by removing them from the offer it gets.
 */
import { readIceCredentials, udpHostCandidatePort, withOnlyPassiveTcpCandidate, withoutRemoteCandidates } from '../../lib/protocol/ice-tcp/sdp';
import type { Endpoint } from '../../lib/protocol/stun/ip';
import type { IceTcpServer } from './ice-tcp-server';

/** What the probe API passes with an offer. */
export interface PeerOfferMeta {
  sessionId: string;
  label?: string;
  /** Answer with only the passive ICE-TCP candidate (the page asked for it). */
  iceTcp?: boolean;
}

/** The UDP media peer (server/peer/media-peer.ts MediaPeerServer). */
export interface UdpMediaPeer {
  answer(offerSdp: string, meta: { sessionId: string; label?: string }): Promise<{ peerId: string; sdp: string }>;
}

/** Thrown when an offer asks for ICE-TCP from a server that has none (an old page, a misconfiguration). */
export class IceTcpUnavailableError extends Error {
  /** For the probe API's code→status map: a bad request. */
  readonly code = 'bad-offer';

  /** Creates the error. */
  constructor(message: string) {
    super(message);
    this.name = 'IceTcpUnavailableError';
  }
}

/** Options of {@link IceTcpMediaPeer}. */
export interface IceTcpMediaPeerOptions {
  mediaPeer: UdpMediaPeer;
  /** The ICE-TCP endpoint; absent when ICE-TCP is not offered. */
  iceTcp?: IceTcpServer;
  /** The address the answer's passive candidate names (the probe's public IP) and its port. */
  advertised?: Endpoint;
  /** Where the media peer's UDP sockets are reachable from this process: its bind IP, or 127.0.0.1 for a wildcard. */
  mediaIp: string;
  /** How long an answer stays registered (the media peer's peer TTL), ms. */
  answerTtlMs: number;
}

/** The probe API's media peer with ICE-TCP answers. Construct once; `answer()` per offer. */
export class IceTcpMediaPeer {
  readonly #options: IceTcpMediaPeerOptions;

  /** Stores the options. */
  constructor(options: IceTcpMediaPeerOptions) {
    this.#options = options;
  }

  /** Answers an offer; with `meta.iceTcp`, with only the passive ICE-TCP candidate (see the module comment). */
  async answer(offerSdp: string, meta: PeerOfferMeta): Promise<{ peerId: string; sdp: string }> {
    const { mediaPeer, iceTcp, advertised } = this.#options;
    const peerMeta = { sessionId: meta.sessionId, ...(meta.label === undefined ? {} : { label: meta.label }) };
    if (!meta.iceTcp) return mediaPeer.answer(offerSdp, peerMeta);
    if (!iceTcp || !advertised) throw new IceTcpUnavailableError('this probe server offers no ICE-TCP endpoint');
    const answer = await mediaPeer.answer(withoutRemoteCandidates(offerSdp), peerMeta);
    const credentials = readIceCredentials(answer.sdp);
    const udpPort = udpHostCandidatePort(answer.sdp);
    if (!credentials || udpPort === null) {
      // werift always writes both; without them the shim would have nowhere to go.
      throw new Error('the media peer answered without ICE credentials or a UDP host candidate');
    }
    iceTcp.register({
      peerId: answer.peerId,
      sessionId: meta.sessionId,
      ufrag: credentials.ufrag,
      password: credentials.password,
      mediaAddress: { ip: this.#options.mediaIp, port: udpPort },
      ttlMs: this.#options.answerTtlMs,
    });
    return { peerId: answer.peerId, sdp: withOnlyPassiveTcpCandidate(answer.sdp, advertised.ip, advertised.port) };
  }

  /** The peer closed: its ICE-TCP connections end too. */
  peerClosed(peerId: string): void {
    this.#options.iceTcp?.unregister(peerId);
  }
}
