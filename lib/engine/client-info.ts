/**
 * Describes the client from its User-Agent string (ua-parser-js 1.x — MIT; 2.x is AGPL, never upgrade) and the
 * WebRTC capabilities the browser adapter read from its globals (issue 18: the browser is part of the diagnosis).
 */
import { UAParser } from 'ua-parser-js';
import type { ClientInfo, WebRtcCapabilities } from '../schema/result';

/** The engine a User-Agent names: ua-parser-js spells them Blink, Gecko, WebKit. */
function engineOf(name: string | undefined): ClientInfo['engine'] {
  switch (name?.toLowerCase()) {
    case 'blink':
      return 'blink';
    case 'gecko':
      return 'gecko';
    case 'webkit':
      return 'webkit';
    default:
      return name ? 'other' : undefined;
  }
}

/** Parses a User-Agent into the result's `client` block, with the WebRTC capabilities when they were read. */
export function describeClient(userAgent: string, webrtc?: WebRtcCapabilities): ClientInfo {
  const parsed = new UAParser(userAgent).getResult();
  const client: ClientInfo = { userAgent: userAgent.slice(0, 1000) };
  if (parsed.browser.name) client.browser = parsed.browser.name;
  if (parsed.browser.version) client.browserVersion = parsed.browser.version;
  if (parsed.os.name) client.os = parsed.os.name;
  if (parsed.os.version) client.osVersion = parsed.os.version;
  const engine = engineOf(parsed.engine.name);
  if (engine) client.engine = engine;
  if (parsed.engine.version) client.engineVersion = parsed.engine.version;
  if (webrtc) client.webrtc = webrtc;
  return client;
}

/** The globals detectWebRtcCapabilities reads (a browser's `globalThis`; a plain object in tests). */
export interface WebRtcScope {
  RTCPeerConnection?: unknown;
  RTCIceCandidate?: unknown;
  RTCPeerConnectionIceErrorEvent?: unknown;
}

function hasOnPrototype(ctor: unknown, name: string): boolean {
  const proto = typeof ctor === 'function' ? (ctor as { prototype?: object }).prototype : undefined;
  return typeof proto === 'object' && proto !== null && name in proto;
}

/**
 * Reads what the browser offers of WebRTC. A missing `RTCPeerConnection` (Firefox's `media.peerconnection.enabled`
 * set to false removes the global) and a constructor that throws (a policy or an extension replacing it) both mean
 * no WebRTC at all; one peer connection is made and closed at once to tell — it starts no network work until an
 * offer is made.
 */
export function detectWebRtcCapabilities(scope: WebRtcScope): WebRtcCapabilities {
  const Ctor = scope.RTCPeerConnection;
  if (typeof Ctor !== 'function') return { peerConnection: false, error: 'RTCPeerConnection is not defined' };
  const caps: WebRtcCapabilities = {
    peerConnection: true,
    getStats: hasOnPrototype(Ctor, 'getStats'),
    relayProtocol: hasOnPrototype(scope.RTCIceCandidate, 'relayProtocol'),
    candidateAddress: hasOnPrototype(scope.RTCIceCandidate, 'address'),
    iceErrorEvent: typeof scope.RTCPeerConnectionIceErrorEvent === 'function',
  };
  try {
    const pc = new (Ctor as new () => { close(): void })();
    pc.close();
  } catch (error) {
    return { ...caps, peerConnection: false, error: (error instanceof Error ? `${error.name}: ${error.message}` : String(error)).slice(0, 300) };
  }
  return caps;
}
