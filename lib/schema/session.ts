/**
 * The probe server's session contract: `POST /v1/sessions` answers with this document, which tells the page
 * which STUN ports and TURN URLs to probe and carries short-lived TURN credentials minted for this session.
 * `POST /v1/sessions/:id/peers` takes `PeerOfferSchema` and answers `PeerAnswerSchema` (server-side media peer).
 */
import * as z from 'zod/mini';

/** One STUN endpoint of the UDP port matrix. */
export const StunEndpointSchema = z.object({
  port: z.number(),
  /** `stun:<ip>:<port>` */
  url: z.string(),
  /** Why this port is in the matrix: the TURN port, an alternate port, or a vendor's media port. */
  role: z.enum(['turn', 'alternate', 'vendor']),
  /** Vendor target name when role is 'vendor'. */
  target: z.optional(z.string()),
});
/** One STUN endpoint. */
export type StunEndpoint = z.infer<typeof StunEndpointSchema>;

/** One TURN URL to probe, with the session's credentials. */
export const TurnEndpointSchema = z.object({
  transport: z.enum(['udp', 'tcp', 'tls']),
  /** `turn:<ip>:<port>?transport=udp|tcp` or `turns:<host>:<port>?transport=tcp` */
  url: z.string(),
  username: z.string(),
  credential: z.string(),
});
/** One TURN URL with credentials. */
export type TurnEndpoint = z.infer<typeof TurnEndpointSchema>;

/** Response of POST /v1/sessions. */
export const SessionSchema = z.object({
  sessionId: z.string(),
  /** When the TURN credentials expire (ISO 8601). */
  expiresAt: z.string(),
  stun: z.array(StunEndpointSchema),
  turn: z.array(TurnEndpointSchema),
  /** Path (relative to the probe URL) to POST the media-peer offer to. */
  peerPath: z.string(),
  /** Probe server software version. */
  serverVersion: z.optional(z.string()),
});
/** A probe session. */
export type Session = z.infer<typeof SessionSchema>;

/** Body of POST /v1/sessions/:id/peers. */
export const PeerOfferSchema = z.object({
  type: z.literal('offer'),
  sdp: z.string().check(z.minLength(10), z.maxLength(20000)),
  /** Which probe asks (e.g. "turn-tls"), recorded by the server. */
  label: z.optional(z.string().check(z.maxLength(64))),
});

/** Response of POST /v1/sessions/:id/peers. */
export const PeerAnswerSchema = z.object({
  type: z.literal('answer'),
  sdp: z.string(),
  peerId: z.string(),
});
