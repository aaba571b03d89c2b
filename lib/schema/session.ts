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

/**
 * The DNS part of a session, present only when the probe server runs its authoritative DNS server
 * (config `dns.zone`): where the page finds fresh names to look up, and TURN URLs that name the TURN server by
 * host name in the zone (the `turn` list uses IP literals), so WebRTC's own TURN-hostname lookup can be tested.
 */
export const SessionDnsSchema = z.object({
  /** The probe zone, e.g. `probe.example.org`; every single label under it resolves. */
  zone: z.string(),
  /** Lookup URL template: `https://{label}.<zone>:<https port>/v1/dns/ping`; `{label}` is a fresh probe label. */
  lookupUrl: z.string(),
  /** Path (relative to the probe URL) of what the DNS server saw per label: `<labelsPath>/<label>`. */
  labelsPath: z.string(),
  /** One TURN URL per transport naming `turn.<zone>` instead of an IP, with the session's credentials. */
  turnByName: z.array(TurnEndpointSchema),
});
/** The DNS part of a session. */
export type SessionDns = z.infer<typeof SessionDnsSchema>;

/**
 * Where the proxy and TLS-inspection probes go (server/tls-mirror): the TLS mirror and a header echo on the
 * HTTPS listener, a header echo on the plain-HTTP listener, and WebSocket echoes on both. Absent from older
 * probe servers (those probes are then skipped).
 */
export const SessionMirrorSchema = z.object({
  /** `https://<host>:<https port>/v1/tls/mirror`: the ClientHello as the server received it, with JA4. */
  tlsMirrorUrl: z.string(),
  /** `https://<host>:<https port>/v1/echo`: headers and client address over TLS. */
  httpsEchoUrl: z.string(),
  /** `http://<ip>:<http port>/v1/echo`: headers and client address over plain HTTP (where proxies add headers). */
  echoUrl: z.string(),
  /** `wss://<host>:<https port>/ws`: WebSocket echo over TLS. */
  wssUrl: z.string(),
  /** `ws://<ip>:<http port>/ws`: WebSocket echo over plain HTTP. */
  wsUrl: z.string(),
});
/** The proxy/TLS-inspection part of a session. */
export type SessionMirror = z.infer<typeof SessionMirrorSchema>;

/**
 * Where the probe server's TLS certificate (HTTPS listener and TURN over TLS) comes from: `development` — the dev CA
 * netready made itself, which a browser trusts only after `netready trust`; `acme` — issued by an ACME CA such as
 * Let's Encrypt; `configured` — files the operator gave. Tells the diagnosis how likely "this browser does not
 * trust netready's certificate" is when TLS to the probe fails.
 */
export const SessionCertificateSchema = z.object({
  source: z.enum(['development', 'acme', 'configured']),
});
/** The certificate part of a session. */
export type SessionCertificate = z.infer<typeof SessionCertificateSchema>;

/**
 * netready's passive ICE-TCP endpoint (RFC 6544; config `probe.iceTcp`): where the media peer's `tcptype passive`
 * candidate points when an offer asks for it (`PeerOfferSchema.iceTcp`). Absent from older servers (the ice-tcp
 * probe is then skipped).
 */
export const SessionIceTcpSchema = z.object({
  /** The IP address of the passive candidate (the probe's public IP). */
  host: z.string(),
  /** Its TCP port. */
  port: z.number(),
});
/** The ICE-TCP part of a session. */
export type SessionIceTcp = z.infer<typeof SessionIceTcpSchema>;
/** One rung of the MTU ladder the page may probe directly: a `stun:` URL whose answer is exactly `sizeBytes`. */
export const MtuRungSchema = z.object({
  family: z.enum(['ipv4', 'ipv6']),
  /** IP datagram size of the padded Binding success response, bytes. */
  sizeBytes: z.number(),
  /** Sent with Don't-Fragment (a ladder rung) or without (a fragment rung, above any Ethernet MTU). */
  df: z.boolean(),
  port: z.number(),
  /** `stun:<ip>:<port>` or `stun:[<ipv6>]:<port>`. */
  url: z.string(),
});
/** One MTU ladder rung. */
export type MtuRung = z.infer<typeof MtuRungSchema>;

/** One rung of the ladder through TURN over UDP: a username whose Allocate success response is padded to `sizeBytes`. */
export const MtuTurnRungSchema = z.object({
  sizeBytes: z.number(),
  /** `turn:<ip>:<port>?transport=udp`. */
  url: z.string(),
  username: z.string(),
  credential: z.string(),
});
/** One MTU ladder rung through TURN. */
export type MtuTurnRung = z.infer<typeof MtuTurnRungSchema>;

/**
 * The MTU ladder (server/mtu, probe `mtu`; config `probe.mtu`): STUN responders padding their answers to exact IP
 * datagram sizes. Absent when the server runs no ladder (disabled, not Linux, older server): the probe is skipped.
 */
export const SessionMtuSchema = z.object({
  /** Rungs to probe directly, IPv4 and (when the server has an IPv6 address) IPv6. */
  rungs: z.array(MtuRungSchema),
  /** Sizes the server does not offer, and why (e.g. above its own link MTU). */
  notOffered: z.array(z.object({ family: z.enum(['ipv4', 'ipv6']), sizeBytes: z.number(), df: z.boolean(), reason: z.string() })),
  /** Why there is no IPv6 ladder, when there is none. */
  ipv6Missing: z.optional(z.string()),
  /** The same ladder through TURN over UDP, for when direct UDP to the rung ports fails (credentials: never recorded). */
  turn: z.optional(z.array(MtuTurnRungSchema)),
  /** Path (relative to the probe URL) of `GET …?ip=<address>`: the path MTU the server's kernel learned towards it. */
  pathMtuPath: z.string(),
  /** The server's own link MTU per family, bytes, where known. */
  linkMtuBytes: z.optional(z.object({ ipv4: z.optional(z.number()), ipv6: z.optional(z.number()) })),
});
/** The MTU part of a session. */
export type SessionMtu = z.infer<typeof SessionMtuSchema>;

/** What `GET /v1/sessions/:id/path-mtu?ip=` answers. */
export const PathMtuAnswerSchema = z.object({
  ip: z.string(),
  /** The server's link MTU towards it, bytes (null: unknown). */
  linkMtuBytes: z.nullable(z.number()),
  /** The path MTU the kernel knows (IP_MTU): lower than the link MTU only after an ICMP "fragmentation needed" came back. */
  pathMtuBytes: z.number(),
});

// NAT behaviour (issue 11): the nat probe's endpoints and the server's side of its checks.
/** Role of a STUN endpoint of the nat probe (RFC 4787 §4.1 needs the same address on another port, and another address). */
export const NatRoleSchema = z.enum(['primary', 'alt-port', 'alt-address', 'ipv6']);
/** Role of a nat-probe endpoint. */
export type NatRole = z.infer<typeof NatRoleSchema>;

/**
 * The nat probe's STUN endpoints (server/nat; config `probe.stunAltIp`, `probe.publicIpv6`), and where to ask what the
 * server saw. Absent from older servers (the nat probe is then skipped).
 */
export const SessionNatSchema = z.object({
  /** `primary` is the TURN UDP port, `alt-port` the first alternate STUN port on the same address, `alt-address` the
   *  second address (`probe.stunAltIp`), `ipv6` the IPv6 address (`probe.publicIpv6`); each present only when configured. */
  endpoints: z.array(z.object({ role: NatRoleSchema, url: z.string(), ip: z.string(), port: z.number() })),
  /** Why an endpoint role is missing (the config field to set), by role. */
  missing: z.optional(z.array(z.object({ role: NatRoleSchema, why: z.string() }))),
  /** Path (relative to the probe URL) of `GET …?ip=<address>[&ip=…]`: the Binding requests each endpoint answered from those addresses since the session began. */
  observationsPath: z.string(),
  /** Path of `POST` {@link NatFilteringRequestSchema}: the server sends ICE checks to the browser's mapping from the other endpoints. Absent when the server cannot. */
  filteringPath: z.optional(z.string()),
});
/** The NAT part of a session. */
export type SessionNat = z.infer<typeof SessionNatSchema>;

/** One Binding request a nat-probe endpoint answered: from which address and port (the client's mapping towards it). */
export const NatBindingSeenSchema = z.object({
  role: NatRoleSchema,
  /** Source address and port of the request as the server saw it. */
  address: z.string(),
  port: z.number(),
  /** ms after the session was opened. */
  atMs: z.number(),
});
/** One Binding request seen. */
export type NatBindingSeen = z.infer<typeof NatBindingSeenSchema>;

/** What `GET <observationsPath>?ip=…` answers. */
export const NatObservationsAnswerSchema = z.object({
  bindings: z.array(NatBindingSeenSchema),
});

/** Body of `POST <filteringPath>`: the browser's ICE credentials and the mapping the primary endpoint saw. */
export const NatFilteringRequestSchema = z.object({
  /** The browser's ICE ufrag and password (a=ice-ufrag / a=ice-pwd of its offer, RFC 8839 §5.4). */
  ufrag: z.string().check(z.minLength(4), z.maxLength(256)),
  pwd: z.string().check(z.minLength(22), z.maxLength(256)),
  /** The ufrag the page put in its ice-lite answer for the server (RFC 8445 §7.2.2 USERNAME = browser:server). */
  serverUfrag: z.string().check(z.minLength(4), z.maxLength(256)),
  /** The browser's server-reflexive address and port towards the primary endpoint. */
  address: z.string().check(z.maxLength(64)),
  port: z.number().check(z.int(), z.minimum(1), z.maximum(65535)),
});
/** Body of the filtering request. */
export type NatFilteringRequest = z.infer<typeof NatFilteringRequestSchema>;

/** One server-side check: from which endpoint, and whether the browser's answer came back (the NAT let it in). */
export const NatFilteringCheckSchema = z.object({
  role: z.enum(['alt-port', 'alt-address']),
  /** `ip:port` the checks were sent from. */
  from: z.string(),
  /** Binding requests sent (retransmissions included). */
  sent: z.number(),
  answered: z.boolean(),
  /** ms from the first request to the answer. */
  rttMs: z.optional(z.number()),
});
/** One filtering check. */
export type NatFilteringCheck = z.infer<typeof NatFilteringCheckSchema>;

/** What `POST <filteringPath>` answers. */
export const NatFilteringAnswerSchema = z.object({
  checks: z.array(NatFilteringCheckSchema),
  /** How long the server waited for answers, ms. */
  waitedMs: z.number(),
});
/** The filtering answer. */
export type NatFilteringAnswer = z.infer<typeof NatFilteringAnswerSchema>;

/** One region of a multi-region deployment (issue 15), as the page measures it. */
export const SessionRegionSchema = z.object({
  id: z.string(),
  label: z.string(),
  location: z.object({ continent: z.string(), country: z.optional(z.string()), latitude: z.number(), longitude: z.number() }),
  /** `stun:<ip>:<port>` of the node's STUN listener: the server-reflexive address the page's offer to the node names. */
  stunUrl: z.string(),
  /** `https://<node>/v1/dns/ping`: where the page times HTTPS round trips (Timing-Allow-Origin: *). */
  pingUrl: z.string(),
  /** `https://<node>`: the node's probe API, where the page opens a session of its own to time ICE's checks over UDP. */
  apiUrl: z.string(),
});
/** One region of a session. */
export type SessionRegion = z.infer<typeof SessionRegionSchema>;

/**
 * The regions part of a session (issue 15), present only when the deployment configures regions: every region's node,
 * the region of the node that opened the session, and, with a probe zone, the GeoDNS name the page fetches to learn
 * which region DNS gives it.
 */
export const SessionRegionsSchema = z.object({
  list: z.array(SessionRegionSchema),
  /** The region of the node this session lives on (the home node). */
  home: z.string(),
  /** `https://{label}.media.<zone>:<https port>/v1/dns/ping`: answered by whichever node DNS names, with its region. */
  mediaLookupUrl: z.optional(z.string()),
});
/** The regions part of a session. */
export type SessionRegions = z.infer<typeof SessionRegionsSchema>;

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
  /** Where the server's TLS certificate comes from (absent from older servers). */
  certificate: z.optional(SessionCertificateSchema),
  /** DNS probing, when the server has a probe zone (absent otherwise: the DNS probes are skipped). */
  dns: z.optional(SessionDnsSchema),
  /** Host names of the configured vendor targets (config `targets[].hosts`), for lookup timing. */
  vendorHosts: z.optional(z.array(z.object({ target: z.string(), host: z.string() }))),
  /** Proxy/TLS-inspection endpoints (absent from older servers: those probes are skipped). */
  mirror: z.optional(SessionMirrorSchema),
  /** The passive ICE-TCP endpoint (absent from older servers: the ice-tcp probe is skipped). */
  iceTcp: z.optional(SessionIceTcpSchema),
  /** The MTU ladder (absent when the server runs none: the mtu probe is skipped). */
  mtu: z.optional(SessionMtuSchema),
  /** The nat probe's endpoints (absent from older servers: the nat probe is skipped). */
  nat: z.optional(SessionNatSchema),
  /** The deployment's regions (absent with one machine: the regions probe is skipped). */
  regions: z.optional(SessionRegionsSchema),
  /**
   * Path (relative to the probe URL) of this session's server-side capture, `GET /v1/sessions/:id/capture.pcapng`
   * (issue 20): what the probe servers received and sent, as pcapng. Absent when the server captures nothing
   * (`probe.capture.enabled` false, or at its limit of live captures) and from older servers.
   */
  capturePath: z.optional(z.string()),
});
/** A probe session. */
export type Session = z.infer<typeof SessionSchema>;

/** Body of POST /v1/sessions/:id/peers. */
export const PeerOfferSchema = z.object({
  type: z.literal('offer'),
  sdp: z.string().check(z.minLength(10), z.maxLength(20000)),
  /** Which probe asks (e.g. "turn-tls"), recorded by the server. */
  label: z.optional(z.string().check(z.maxLength(64))),
  /** Answer with only the passive ICE-TCP candidate (the ice-tcp probe): the browser can then connect only over TCP. */
  iceTcp: z.optional(z.boolean()),
});

/** Response of POST /v1/sessions/:id/peers. */
export const PeerAnswerSchema = z.object({
  type: z.literal('answer'),
  sdp: z.string(),
  peerId: z.string(),
  /**
   * The media-quality protocol the peer speaks and its limits (lib/protocol/media-quality/wire.ts `hello`), so the
   * page starts measuring as soon as the channels open instead of asking first (one round trip less, issue 16).
   * Absent from older servers: the page then asks with `hello`.
   */
  quality: z.optional(
    z.object({
      version: z.number(),
      limits: z.object({
        streamPackets: z.number(),
        minIntervalMs: z.number(),
        replies: z.number(),
        bulkRateKbps: z.number(),
        bulkWindowMs: z.number(),
        bulkPacketBytes: z.number(),
        requestsPerKind: z.number(),
      }),
    }),
  ),
});
/** The media peer's answer to an offer. */
export type PeerAnswer = z.infer<typeof PeerAnswerSchema>;
