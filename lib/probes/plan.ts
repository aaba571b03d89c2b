/**
 * The default probe plan of a netready run: the session first, then every network probe in parallel.
 */
import { createSessionProbe } from './session';
import { createStunUdpProbe } from './stun-udp';
import { createTurnRelayProbe, TURN_TRANSPORTS } from './turn-relay';
import type { Probe } from './types';

/** Creates the default plan: session → (STUN port matrix, TURN over UDP, TCP, TLS). */
export function createDefaultPlan(): Probe[] {
  return [createSessionProbe(), createStunUdpProbe(), ...TURN_TRANSPORTS.map((transport) => createTurnRelayProbe(transport))];
}
