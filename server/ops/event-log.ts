/**
 * Log lines for what the TURN server and the media peer report: one line per allocation made, ended or refused,
 * failed authentication, refused peer, and media-peer lifecycle step, each with the `sessionId` it concerns. Chatty
 * steps (refreshes, permissions, channels) are `debug`; Binding requests are not logged at all (metrics count them).
 * Never logged: the TURN username's credential (the events carry none), relay ports beyond the number.
 */
import type { TurnEvent } from '../../lib/protocol/turn/server';
import type { MediaPeerEvent } from '../peer/media-peer';
import type { Logger } from './logger';

/** Writes the log line of a TURN server event (none for Binding). */
export function logTurnEvent(logger: Logger, event: TurnEvent): void {
  switch (event.type) {
    case 'allocation-created':
      logger.info(
        { sessionId: event.sessionId, allocationId: event.allocationId, transport: event.transport, clientAddress: event.client.ip, relayPort: event.relay.port, lifetimeS: event.lifetimeS },
        'turn allocation created',
      );
      break;
    case 'allocation-ended':
      logger.info(
        {
          sessionId: event.sessionId,
          allocationId: event.allocationId,
          transport: event.transport,
          reason: event.reason,
          bytesToPeer: event.counters.bytesToPeer,
          bytesFromPeer: event.counters.bytesFromPeer,
          packetsDropped: event.counters.packetsDropped,
        },
        'turn allocation ended',
      );
      break;
    case 'allocation-refused':
      logger.info({ sessionId: event.sessionId, transport: event.transport, clientAddress: event.client.ip, code: event.code, reason: event.reason }, 'turn allocation refused');
      break;
    case 'auth-failed':
      logger.info({ sessionId: event.sessionId, transport: event.transport, clientAddress: event.client.ip, reason: event.reason }, 'turn authentication failed');
      break;
    case 'permission-refused':
      logger.info({ sessionId: event.sessionId, allocationId: event.allocationId, via: event.via, peerAddress: event.peer.ip, reason: event.reason }, 'turn peer refused');
      break;
    case 'allocation-refreshed':
      logger.debug({ sessionId: event.sessionId, allocationId: event.allocationId, lifetimeS: event.lifetimeS }, 'turn allocation refreshed');
      break;
    case 'permission-created':
      logger.debug({ sessionId: event.sessionId, allocationId: event.allocationId, peerAddress: event.peerIp }, 'turn permission created');
      break;
    case 'channel-bound':
      logger.debug({ sessionId: event.sessionId, allocationId: event.allocationId, channel: event.channel, peerAddress: event.peer.ip }, 'turn channel bound');
      break;
    case 'binding':
      break;
  }
}

/** Writes the log line of a media-peer event. */
export function logPeerEvent(logger: Logger, event: MediaPeerEvent): void {
  switch (event.type) {
    case 'peer-created':
      logger.info({ sessionId: event.sessionId, peerId: event.peerId, label: event.label, answerMs: event.answerMs }, 'media peer created');
      break;
    case 'peer-connected':
      logger.info(
        { sessionId: event.sessionId, peerId: event.peerId, candidateType: event.remoteCandidateType, peerAddress: event.remoteAddress, connectMs: event.connectMs },
        'media peer connected',
      );
      break;
    case 'peer-path-switched':
      logger.debug({ sessionId: event.sessionId, peerId: event.peerId, candidateType: event.remoteCandidateType, peerAddress: event.remoteAddress, pathSwitches: event.pathSwitches }, 'media peer path switched');
      break;
    case 'channel-open':
      logger.debug({ sessionId: event.sessionId, peerId: event.peerId, channelLabel: event.channelLabel }, 'media peer channel open');
      break;
    case 'peer-closed':
      logger.info(
        { sessionId: event.sessionId, peerId: event.peerId, reason: event.reason, echoedMessages: event.echoedMessages, droppedMessages: event.droppedMessages, lifetimeMs: event.lifetimeMs },
        'media peer closed',
      );
      break;
  }
}
