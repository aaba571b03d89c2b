/**
 * netready's configuration: one validated object with a documented default for every field.
 * Loaded once at start-up from an optional `netready.config.json` plus `NETREADY_*` environment variables
 * (see server/config/load.ts); callers never read process.env themselves.
 */
import { z } from 'zod';
import { SITE_NAME_PATTERN } from '../monitor/sites';

const port = z.number().int().min(1).max(65535);
const portOrZero = z.number().int().min(0).max(65535);
const ipv4 = z.string().regex(/^(25[0-5]|2[0-4]\d|1?\d?\d)(\.(25[0-5]|2[0-4]\d|1?\d?\d)){3}$/, 'must be an IPv4 address');
const host = z.string().min(1).max(253).regex(/^[A-Za-z0-9.-]+$|^\[?[0-9a-fA-F:]+\]?$/, 'must be a host name or IP address');

/** A listener address: which IP to bind and which port. */
const ListenSchema = z.strictObject({
  /** IP address to bind. Default: `probe.bindIp`. */
  ip: z.optional(ipv4),
  /** Port to bind. 0 picks a free port (tests). */
  port: portOrZero,
});
/** A listener address. */
export type ListenConfig = z.infer<typeof ListenSchema>;

/**
 * Defaults of `probe.connections`, also used by listeners started without a configuration (tests, the standalone
 * TURN server). Sized so that a large office behind ONE NAT address can run several tests at once: one run opens
 * about 2 TURN/TCP, 2 TURN/TLS, ~8 HTTPS and ~4 HTTP connections for ~10 s (and TURN allocations are capped at
 * `turn.maxAllocationsPerClient` per address anyway).
 */
export const CONNECTION_LIMIT_DEFAULTS = {
  /** ~16 runs' worth of connections from one address at the same moment. */
  maxPerAddress: 256,
  /**
   * ~8 runs opening every connection in the same instant (a real handshake finishes in a few round trips). A
   * refused connection fails its probe, so this errs on the generous side; a flood still holds only these.
   */
  maxHandshakesPerAddress: 128,
  /** Well below a typical open-file limit once relay sockets are counted; 512 runs at once. */
  maxTotal: 8192,
  /**
   * A client sends its first STUN request right after connecting (after the TLS handshake: 2 round trips), a
   * browser its request head likewise; even a 1 s round trip with one lost SYN fits in 5 s, and the transport
   * probes give up at 6 s (`run.probeTimeoutMs`) anyway.
   */
  handshakeTimeoutMs: 5000,
  /** Longer than the gaps between one run's requests on a connection (its ~10 s budget); a TURN client allocates one round trip after its first message. */
  idleTimeoutMs: 10000,
  /** A probe API request (≤ 32 KiB body, the media peer's answer) takes well under a second. */
  requestTimeoutMs: 30000,
} as const;

/** Connection limits of the probe's TCP/TLS listeners (TURN/TCP, TURN/TLS, HTTPS, HTTP), shared by all of them. */
const ConnectionsSchema = z.strictObject({
  /** Connections one client IP may hold on all those listeners together; more are refused. Default 256. */
  maxPerAddress: z.number().int().min(1).max(100000).default(CONNECTION_LIMIT_DEFAULTS.maxPerAddress),
  /**
   * Connections one client IP may hold that have not yet finished their TLS handshake or sent a complete first
   * message (STUN/TURN frame, HTTP request head); more are refused. Default 128.
   */
  maxHandshakesPerAddress: z.number().int().min(1).max(100000).default(CONNECTION_LIMIT_DEFAULTS.maxHandshakesPerAddress),
  /**
   * Connections in total. At the cap a new connection evicts the oldest one still in its handshake (else the
   * longest idle) of the address holding the most, rather than being refused. Keep it below the process's
   * open-file limit minus relay and media sockets. Default 8192.
   */
  maxTotal: z.number().int().min(16).max(1000000).default(CONNECTION_LIMIT_DEFAULTS.maxTotal),
  /** Milliseconds from accept to a finished TLS handshake and a complete first message (1000–30000). Default 5000. */
  handshakeTimeoutMs: z.number().int().min(1000).max(30000).default(CONNECTION_LIMIT_DEFAULTS.handshakeTimeoutMs),
  /**
   * Milliseconds a connection may be idle — a TURN connection without an allocation, an HTTP keep-alive connection
   * between requests — before it is closed (1000–600000). Default 10000.
   */
  idleTimeoutMs: z.number().int().min(1000).max(600000).default(CONNECTION_LIMIT_DEFAULTS.idleTimeoutMs),
  /** Milliseconds one HTTP request may take from its head to the end of its answer (1000–600000). Default 30000. */
  requestTimeoutMs: z.number().int().min(1000).max(600000).default(CONNECTION_LIMIT_DEFAULTS.requestTimeoutMs),
});

/** A DNS name a public CA can certify: letters, digits, hyphens, at least two labels; `*.` only as the whole first label. */
const certificateName = z
  .string()
  .max(253)
  .regex(/^(\*\.)?[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+$/, 'must be a DNS name (a wildcard only as "*." in front)');

/** Let's Encrypt's production ACME directory (RFC 8555). */
export const LETS_ENCRYPT_DIRECTORY_URL = 'https://acme-v02.api.letsencrypt.org/directory';

/**
 * Certificates from an ACME CA (RFC 8555), obtained at start-up when none is stored and renewed in the background
 * (server/acme/). Kept in `<dataDir>/acme/`.
 */
const AcmeSchema = z.strictObject({
  /**
   * The CA's ACME directory URL. Default Let's Encrypt production; try `https://acme-staging-v02.api.letsencrypt.org/directory`
   * first (its certificates are not trusted by browsers, its rate limits are generous).
   */
  directoryUrl: z.url().default(LETS_ENCRYPT_DIRECTORY_URL),
  /** Contact address given to the CA for expiry and policy mail. Default none. */
  email: z.optional(z.email()),
  /** You agree to the CA's terms of service (Let's Encrypt: its Subscriber Agreement). Must be true. Default false. */
  termsOfServiceAgreed: z.boolean().default(false),
  /** Names the certificate is for. Default `[probe.publicHost]`. With dns-01 each must be `dns.zone` or under it. */
  domains: z.optional(z.array(certificateName).min(1).max(100)),
  /**
   * How the CA checks control of the names: `http-01` — a request to `http://<name>/.well-known/acme-challenge/…` on
   * port 80, answered by a small listener (`http01Port`); `dns-01` — a TXT record `_acme-challenge.<name>` answered by
   * netready's own DNS server for `dns.zone` (needed for a wildcard). Default "http-01".
   */
  challenge: z.enum(['http-01', 'dns-01']).default('http-01'),
  /** TCP port of the HTTP-01 listener on `probe.bindIp`; the CA always connects to port 80, so use 80 unless a port forward maps 80 here. 0 picks a free port (tests). Default 80. */
  http01Port: portOrZero.default(80),
  /**
   * Days before expiry a certificate is renewed (1 – 3650). Default 30. A value larger than the certificate's lifetime
   * renews once a day at most.
   */
  renewDaysBefore: z.number().int().min(1).max(3650).default(30),
  /**
   * PEM file of extra CA certificates trusted for the ACME directory's HTTPS, besides Node's public roots (a private ACME
   * CA; the test suite's pebble). Default none.
   */
  caFile: z.optional(z.string().min(1)),
});
/** ACME configuration (`tls.acme`). */
export type AcmeConfig = z.infer<typeof AcmeSchema>;

/** A vendor target: the meeting vendor's own endpoints to test besides netready's. */
const TargetSchema = z.strictObject({
  /** Display name, e.g. "Acme Meetings media". */
  name: z.string().min(1).max(100),
  /** Extra UDP ports of netready's STUN port matrix that stand for the vendor's media ports. Default: none. */
  mediaUdpPorts: z.array(port).max(16).default([]),
  /** Host names the vendor's client needs (checked by later DNS probes). Default: none. */
  hosts: z.array(host).max(32).default([]),
});

/** A region id: lower-case letters, digits and inner hyphens, 1–32 characters (e.g. `eu-central`). */
const regionId = z.string().regex(/^[a-z0-9](?:[a-z0-9-]{0,30}[a-z0-9])?$/, 'must be a region id: lower-case letters, digits and hyphens, e.g. eu-central');

/**
 * A region (issue 15): a probe node somewhere in the world. The web app and the result store stay central; each node
 * runs the probe servers only (`npm run probe -- --region <id>`, or `probe.region`). netready's DNS server answers
 * `media.<dns.zone>` with the region a GeoDNS would choose for the client, and the page measures the round trip to
 * every region, so a result can say whether DNS sent the client to the nearest one.
 */
const RegionSchema = z.strictObject({
  /** Short stable id, used in results and on the command line, e.g. `eu-central`. */
  id: regionId,
  /** Name shown to people, e.g. "Frankfurt". */
  label: z.string().min(1).max(60),
  /** Where the node stands: continent (AF, AN, AS, EU, NA, OC, SA), optionally country (ISO 3166 alpha-2), and coordinates. */
  location: z.strictObject({
    continent: z.enum(['AF', 'AN', 'AS', 'EU', 'NA', 'OC', 'SA']),
    country: z.optional(z.string().regex(/^[A-Z]{2}$/, 'must be an ISO 3166 country code in capitals, e.g. DE')),
    latitude: z.number().min(-90).max(90),
    longitude: z.number().min(-180).max(180),
  }),
  /** Public IPv4 address of the node's STUN/TURN listeners (its `probe.publicIp`). */
  publicIp: ipv4,
  /**
   * Public IPv4 address of the node's HTTPS listener, where `media` names routed to this region point (GeoDNS answers
   * it). Default `publicIp`.
   */
  httpsIp: z.optional(ipv4),
  /** UDP port of the node's STUN/TURN listener (its `probe.turnUdp.port`). Default 3478. */
  stunPort: port.default(3478),
  /**
   * Public base URL of the node's HTTPS listener (its `probe.publicHttpsUrl`), e.g. `https://eu.probe.example.org:443`;
   * where the page times HTTPS round trips when UDP is blocked. Default `https://<httpsIp>:8443`.
   */
  httpsUrl: z.optional(z.url()),
});
/** One region of `regions[]`. */
export type RegionConfig = z.infer<typeof RegionSchema>;

/** Whether `text` is an IPv4 address in dotted-quad form. */
function isIpv4Text(text: string): boolean {
  return /^(25[0-5]|2[0-4]\d|1?\d?\d)(\.(25[0-5]|2[0-4]\d|1?\d?\d)){3}$/.test(text);
}

/** Whether `text` is an IPv6 address (RFC 4291 §2.2 text forms, an embedded IPv4 tail allowed; no zone id). */
function isIpv6Text(text: string): boolean {
  if (!/^[0-9A-Fa-f:.]+$/.test(text) || text.split('::').length > 2) return false;
  const [head = '', tail] = text.split('::') as [string, string?];
  const groups = (part: string): string[] | null => (part === '' ? [] : part.split(':'));
  const front = groups(head);
  const back = tail === undefined ? [] : groups(tail);
  if (!front || !back) return false;
  const all = [...front, ...back];
  const last = all[all.length - 1];
  const v4Tail = last !== undefined && last.includes('.');
  if (v4Tail && !isIpv4Text(last)) return false;
  const hexGroups = v4Tail ? all.slice(0, -1) : all;
  if (!hexGroups.every((g) => /^[0-9A-Fa-f]{1,4}$/.test(g))) return false;
  const width = hexGroups.length + (v4Tail ? 2 : 0);
  return tail === undefined ? width === 8 : width < 8;
}

/**
 * Whether `text` is an address block in CIDR notation (`192.0.2.0/24`, `2001:db8::/32`) or a single address (a /32
 * or /128). Checked here, without node:net, because lib/ is isomorphic.
 */
export function isCidr(text: string): boolean {
  const [address = '', prefix, extra] = text.split('/');
  if (extra !== undefined) return false;
  const v4 = isIpv4Text(address);
  if (!v4 && !isIpv6Text(address)) return false;
  if (prefix === undefined) return true;
  if (!/^\d{1,3}$/.test(prefix)) return false;
  return Number(prefix) <= (v4 ? 32 : 128);
}

// ── MTU ladder (issue 10) ──────────────────────────────────────────────────────────────────────────────
/** One IP datagram size of the MTU ladder, bytes: a multiple of 4 (a STUN datagram always is), 576–9000. */
const mtuSize = z
  .number()
  .int()
  .min(576)
  .max(9000)
  .refine((n) => n % 4 === 0, 'must be a multiple of 4: a STUN message over IP/UDP is always a whole number of 4-byte words (use 1348 for 1350)');

/**
 * The MTU ladder (server/mtu, probe `mtu`): UDP STUN responders, one port per size, that pad their Binding success
 * responses to exact IP datagram sizes and send them with Don't-Fragment set (Linux IP_PMTUDISC_PROBE); fragment
 * rungs above any Ethernet MTU send without it. Clients reach the IPv4 rungs at `probe.publicIp` (or `ip`).
 */
const MtuSchema = z.strictObject({
  /** Run the MTU ladder. Needs Linux (IP_PMTUDISC_PROBE); elsewhere it is left out with a log line. Default true. */
  enabled: z.boolean().default(true),
  /**
   * UDP port of the first rung: rung i listens on `firstPort + i`, ladder sizes first, then fragment sizes (the IPv6
   * rungs use the same port numbers). Default 3490 — 3490–3499 with the default sizes. 0 picks free ports (tests).
   */
  firstPort: portOrZero.default(3490),
  /** IP datagram sizes sent with Don't-Fragment, bytes, ascending. Default [576, 1200, 1280, 1348, 1400, 1448, 1480, 1500]. */
  sizes: z.array(mtuSize).min(2).max(16).default([576, 1200, 1280, 1348, 1400, 1448, 1480, 1500]),
  /**
   * IP datagram sizes sent WITHOUT Don't-Fragment, bytes, each above the largest of `sizes`: they arrive only as IP
   * fragments. At most 2076 (a 2048-byte STUN message, the most Firefox accepts). Default [1600, 2000]; [] turns the
   * fragment check off.
   */
  fragmentSizes: z.array(mtuSize.refine((n) => n <= 2076, 'must be at most 2076: the STUN message must stay within the 2048 bytes Firefox accepts')).max(4).default([1600, 2000]),
  /**
   * Where direct UDP to the ladder ports fails, run the ladder through TURN over UDP: the session carries one TURN
   * username per size and the TURN server pads its Allocate success response. The TURN UDP listener then sends with
   * Don't-Fragment in probe mode (never fragmenting). Default true.
   */
  turn: z.boolean().default(true),
  /** IPv4 address the rungs bind. Default `probe.bindIp`. */
  ip: z.optional(ipv4),
  /** IPv6 address of this server for the IPv6 ladder: bound and named in its `stun:` URLs. Default none — no IPv6 ladder. */
  ipv6: z.optional(z.string().refine((text) => isIpv6Text(text), 'must be an IPv6 address (no brackets, no zone)')),
});
/** MTU ladder configuration (`probe.mtu`). */
export type MtuConfig = z.infer<typeof MtuSchema>;

// Issue 20: the server's side of the capture (server/capture).
const CaptureSchema = z.strictObject({
  /**
   * Record, per test session, what the probe servers received and sent (STUN/TURN, relayed datagrams, DNS, the TLS
   * ClientHello, the echo's HTTP request) and serve it as `GET /v1/sessions/:id/capture.pcapng`. The capture holds
   * the client's real addresses; whoever holds the result's link can download it. Default true.
   */
  enabled: z.boolean().default(true),
  /**
   * Most bytes of one session's pcapng file; recording stops there and the file ends with "capture truncated at N
   * bytes". 65536 – 67108864. Default 1048576 (1 MiB; whole runs on loopback made 120–220 KiB, more when the throughput test goes through a relay).
   */
  maxBytesPerSession: z.number().int().min(65_536).max(67_108_864).default(1_048_576),
  /**
   * Bytes of a data packet's payload kept (ChannelData and relayed datagrams); STUN/TURN, DNS, TLS and HTTP control
   * messages are kept whole (up to 16 KiB). 64 – 65535. Default 256.
   */
  snapLengthBytes: z.number().int().min(64).max(65_535).default(256),
  /**
   * Most sessions recorded in memory at once (a capture leaves memory when its session ends or after a quiet minute);
   * sessions past it are not captured. 1 – 100000. Default 200 (at most 200 × maxBytesPerSession of memory).
   */
  maxLiveCaptures: z.number().int().min(1).max(100_000).default(200),
});
/** Server capture configuration (`probe.capture`). */
export type CaptureConfig = z.infer<typeof CaptureSchema>;

/** Default of `ops.allowFrom`: the loopback networks, so only the machine itself reads /metrics and /readyz. */
export const OPS_ALLOW_FROM_DEFAULT = ['127.0.0.0/8', '::1/128'];

/** pino's level names, most to least severe, plus `silent` (nothing is logged). */
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

/** The full configuration schema with defaults. */
export const ConfigSchema = z.strictObject({
  /** Display name of this deployment — the product or vendor name — in page headers, titles and result pages. Default "netready". */
  name: z.string().min(1).max(100).default('netready'),
  /** Folder for generated state: dev CA/certificate, ACME account and certificates, TURN secret, SQLite database. Default "./data". */
  dataDir: z.string().min(1).default('./data'),
  database: z
    .strictObject({
      /**
       * PostgreSQL connection string (`postgresql://user:password@host:5432/netready`): results are stored there, so
       * several web instances serve each other's links (issue 13). Default none: SQLite in `dataDir`. Env `DATABASE_URL`.
       */
      url: z.optional(z.string().regex(/^postgres(?:ql)?:\/\/\S+$/, 'must be a PostgreSQL connection string such as postgresql://user:password@db.example.com:5432/netready')),
    })
    .prefault({}),
  results: z
    .strictObject({
      /** Days a stored result is kept; the server deletes older ones itself, and share links of them answer 404. Default 30. */
      retentionDays: z.number().int().min(1).max(3650).default(30),
      /**
       * What a stored result keeps of the client's IP addresses (lib/privacy/client-addresses.ts): `full`; `truncated`
       * to the network (IPv4 /24, IPv6 /48); or `none` (replaced). The deployment's own addresses always stay. Default
       * `full`: support sees exactly what the run saw.
       */
      clientAddresses: z.enum(['full', 'truncated', 'none']).default('full'),
    })
    .prefault({}),
  brand: z
    .strictObject({
      /**
       * Logo shown left of the name in the page header (and in printed results): an https URL or a path on this site
       * (e.g. `/logo.svg` in public/), about 28 px high. Default none: netready's icon.
       */
      logoUrl: z.optional(z.string().max(2000).regex(/^(?:https:\/\/[^\s"'<>]+|\/[^\s"'<>]*)$/, 'must be an https URL or a path on this site such as /logo.svg')),
      /** Accent colour of the main buttons and the header icon, `#rrggbb` (text on it is chosen for contrast). Default netready's blue. */
      accentColour: z.optional(z.string().regex(/^#[0-9a-fA-F]{6}$/, 'must be a colour like #1d4ed8')),
      /** One line of plain text in every page's footer and printed results, e.g. "Questions? support@acme.example, +1 555 0100". */
      supportContact: z.optional(z.string().min(1).max(200)),
    })
    .prefault({}),
  support: z
    .strictObject({
      /** User name of the support view's sign-in (HTTP Basic; `/support`, `/api/support/*`). Default "support". */
      username: z.string().min(1).max(64).regex(/^[^:\s]+$/, 'must be one word without ":"').default('support'),
      /**
       * The support view's password as an scrypt hash (`npx netready hash-password` prints one). Default none: the
       * support view is off, and says so.
       */
      passwordHash: z.optional(z.string().regex(/^scrypt\$\d+\$[A-Za-z0-9+/]+=*\$[A-Za-z0-9+/]+=*$/, 'must be a hash printed by npx netready hash-password (scrypt$…)')),
    })
    .prefault({}),
  web: z
    .strictObject({
      /** Interface the web app listens on. Default "127.0.0.1". */
      host: host.default('127.0.0.1'),
      /** Web app port. Default 3000. */
      port: port.default(3000),
      /** Maximum stored result size in bytes (POST /api/results). Default 262144 (256 KiB). */
      maxResultBytes: z.number().int().min(1024).max(16 * 1024 * 1024).default(256 * 1024),
      /**
       * Most `POST /api/results` requests one client address may make per minute (429 `rate_limited` past it).
       * Default 30: a person shares a run at most every ~10 s, and one office NAT address stands for many people.
       */
      maxResultsPerMinute: z.number().int().min(1).max(100000).default(30),
      /**
       * Most bytes of results one client address may store per UTC day (429 `quota_exceeded` past it); kept in the
       * store, so it survives a restart. Default 67108864 (64 MiB ≈ 1,000 typical results). At least `maxResultBytes`.
       */
      maxResultBytesPerDay: z.number().int().min(1024).max(1024 * 1024 * 1024 * 1024).default(64 * 1024 * 1024),
      /**
       * How many reverse proxies in front of the web app append to `X-Forwarded-For` and are trusted to: the client
       * address is the entry that many hops from the right (the TCP peer counts as the last hop). Default 0: trust
       * nothing the client sends and use the TCP peer address — right for `next start` facing clients directly.
       */
      trustedProxyHops: z.number().int().min(0).max(10).default(0),
    })
    .prefault({}),
  monitor: z
    .strictObject({
      /**
       * Sites whose `netready monitor --token <token>` may store their checks here (issue 19): the support view's Sites
       * page shows each site's verdicts over time, its change events and its latest result. Each entry is a site name
       * and the SHA-256 of its token (`npx netready site-token "<site>"` makes a token and prints both); the server
       * never holds a token itself. A wrong token is refused with 401 and nothing is stored. Default none: no monitor
       * can store checks.
       */
      sites: z
        .array(
          z.strictObject({
            /** The site's name as the Sites page shows it (letters, digits, space, . _ -; at most 64). */
            name: z.string().regex(SITE_NAME_PATTERN, 'must be at most 64 letters, digits, spaces, dots, dashes or underscores, without a leading or trailing space'),
            /** SHA-256 of the site's token, 64 hex digits (printed by `npx netready site-token`). */
            tokenSha256: z.string().regex(/^[0-9a-f]{64}$/, 'must be the 64 hex digits printed by npx netready site-token'),
          }),
        )
        .max(1000)
        .default([]),
    })
    .prefault({}),
  embed: z
    .strictObject({
      /**
       * Origins allowed to show `/embed` in an iframe (its CSP `frame-ancestors`), e.g. `https://meet.example.com`;
       * `https://*.example.com` allows every subdomain. Default none: `frame-ancestors 'none'`, embedding is off.
       */
      allowedOrigins: z
        .array(z.string().regex(/^https?:\/\/(?:\*\.)?[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?(?::\d{1,5})?$/, 'must be an origin such as https://meet.example.com (scheme, host, optional port; no path)'))
        .max(32)
        .default([]),
      /**
       * Port of the embed demo: a meeting app's join page (server/embed-demo) served by the probe process on
       * `web.host`, embedding the check from that other origin — for trying embedding out; its origin
       * (`http://localhost:<port>`) must be in allowedOrigins. `npm run dev` sets it to web.port + 1 and allows its origin.
       * Default none (off).
       */
      demoPort: z.optional(port),
    })
    .prefault({}),
  /**
   * Probe nodes in several regions (issue 15; see RegionSchema). Default none: one machine runs everything, and no region
   * is measured.
   */
  regions: z.array(RegionSchema).max(32).default([]),
  probe: z
    .strictObject({
      /**
       * The region this probe process serves, an id of `regions[]` (`npm run probe -- --region <id>`; env
       * `NETREADY_PROBE_REGION`). Default the first region. The process started by `npm start` with the web app is the
       * home node: its DNS server answers for the zone and every session starts there.
       */
      region: z.optional(regionId),
      /** IP the probe servers bind when a listener names none. Default "127.0.0.1". */
      bindIp: ipv4.default('127.0.0.1'),
      /** Public IPv4 address clients reach the probe servers on; used in TURN/STUN URLs. Default "127.0.0.1". */
      publicIp: ipv4.default('127.0.0.1'),
      /**
       * Public host name of the probe server: used in `turns:` URLs and added to the dev certificate.
       * Default: none — `turns:` URLs then use `publicIp` (the dev certificate carries it as an IP SAN).
       */
      publicHost: z.optional(host),
      /**
       * Public base URL of the probe's HTTP API as the browser reaches it.
       * Default `http://<publicIp>:<http.port>`.
       */
      publicHttpUrl: z.optional(z.url()),
      /**
       * Public base URL of the probe's HTTPS listener (TLS mirror, echo, WebSocket, DNS lookup names' port) as the
       * browser reaches it. Default `https://<publicHost, else the https listener's own IP, else publicIp>:<https.port>`.
       */
      publicHttpsUrl: z.optional(z.url()),
      /** STUN/TURN over UDP. Default port 3478. */
      turnUdp: ListenSchema.default({ port: 3478 }),
      /** STUN/TURN over TCP (also accepts TLS, told apart by the first byte). Default port 3478. */
      turnTcp: ListenSchema.default({ port: 3478 }),
      /** TURN over TLS (also accepts plain STUN/TURN). Default port 5349 (443 in production). */
      turnTls: ListenSchema.default({ port: 5349 }),
      /**
       * Passive ICE-TCP endpoint of the media peer (RFC 6544): the one TCP port (for every test at once) on which the
       * ice-tcp probe's browser connects to netready's media peer over TCP, as it would to an SFU that offers ICE-TCP.
       * Default port 7881 (LiveKit's default ICE/TCP port; unprivileged and free of netready's other defaults). In
       * production choose what the vendors you stand for use — often 443, which TURN/TLS (`turnTls`) also wants: give
       * one of them its own IP (`ip`) then (README, "ICE-TCP"). `ip` default `bindIp`; port 0 picks a free port (tests).
       */
      iceTcp: ListenSchema.default({ port: 7881 }),
      /** Extra UDP STUN listeners of the port matrix (alternate port etc.). Default [3479]. */
      stunAltPorts: z.array(port).max(32).default([3479]),
      // NAT behaviour (issue 11): a second IPv4 address and an IPv6 address for the nat probe's STUN endpoints.
      /**
       * A second IPv4 address of this server, for the NAT probe (RFC 4787 mapping and filtering): a STUN responder binds
       * `<stunAltIp>:<turnUdp port>` and is named as is in the session's `stun:` URL. It must reach the same clients as
       * `publicIp` (a second public address, not behind another NAT). Default: none — the NAT probe then compares two
       * ports of one address and says that address-dependent behaviour cannot be told apart.
       */
      stunAltIp: z.optional(ipv4),
      /**
       * Public IPv6 address of this server (no brackets, no zone): a STUN responder binds `[publicIpv6]:<turnUdp port>`
       * (the nat probe's IPv6 check) and the MTU ladder uses it when `probe.mtu.ipv6` is unset. Default: none — IPv6 is
       * then not tested, and the result says why.
       */
      publicIpv6: z.optional(z.string().refine((text) => isIpv6Text(text), 'must be an IPv6 address (no brackets, no zone)')),
      /** Plain-HTTP API/echo listener (CORS-enabled). Default port 8080. */
      http: ListenSchema.default({ port: 8080 }),
      /** HTTPS listener (TLS terminated in-process). Default port 8443. */
      https: ListenSchema.default({ port: 8443 }),
      /** IP the TURN relay binds relayed-transport addresses on. Default: `bindIp`. */
      relayIp: z.optional(ipv4),
      /** Most test sessions one client IP may open per minute (429 past it). Default 60. */
      maxSessionsPerMinute: z.number().int().min(1).max(100000).default(60),
      /**
       * Most test sessions one /24 (IPv4) or /48 (IPv6) may open per minute (429 past it). Default 240: four
       * addresses of one network at the full per-address rate (an office whose NAT pool spreads its users).
       */
      maxSessionsPerMinutePerSubnet: z.number().int().min(1).max(1000000).default(240),
      /**
       * Most live test sessions at once. A live session is never evicted before its expiry; at the cap new sessions
       * are refused with 503 `server_busy`. Default 10000.
       */
      maxLiveSessions: z.number().int().min(1).max(1000000).default(10000),
      /** Connection limits of the TCP/TLS listeners (see the fields). */
      connections: ConnectionsSchema.prefault({}),
      /**
       * The probe's operations listener: `GET /metrics` (Prometheus text), `/healthz`, `/readyz`. Plain HTTP, meant for
       * the machine itself or a private monitoring network — never the public API port. `ip` defaults to 127.0.0.1
       * (not `bindIp`: publishing it is a decision of its own); port 0 picks a free port (tests). Default
       * `{ "ip": "127.0.0.1", "port": 9464 }` (the port OpenTelemetry's Prometheus exporter uses by default; free of
       * netready's other defaults).
       */
      ops: z.strictObject({ ip: ipv4.default('127.0.0.1'), port: portOrZero.default(9464) }).prefault({}),
      /** Lowest relay port. Default 49152. */
      relayPortMin: port.default(49152),
      /** Highest relay port. Default 59999. */
      relayPortMax: port.default(59999),
      /** Lowest UDP port of the server-side media peer. Default 60000. */
      peerPortMin: port.default(60000),
      /** Highest UDP port of the server-side media peer. Default 60999. */
      peerPortMax: port.default(60999),
      /** The MTU ladder (see the fields). */
      mtu: MtuSchema.prefault({}),
      /** The server's side of the capture (issue 20; see the fields). */
      capture: CaptureSchema.prefault({}),
      /**
       * The media peer's call-quality measurement (lib/protocol/media-quality/wire.ts): the throughput bursts it sends
       * and counts per test, and how many it sends at once across all tests (more are refused as busy, which the
       * result reports as netready's own limit, never as a slow network).
       */
      quality: z
        .strictObject({
          /** Highest burst rate, kbit/s, each way (the page aims at 8000, enough to prove HD video). Default 8000. */
          bulkRateKbps: z.number().int().min(500).max(100_000).default(8000),
          /** Longest burst, ms (the page asks for 400). Default 1000. */
          bulkWindowMs: z.number().int().min(100).max(5000).default(1000),
          /** Most throughput bursts the media peer sends at once, all tests together. Default 4. */
          maxConcurrentBursts: z.number().int().min(1).max(256).default(4),
        })
        .prefault({}),
    })
    .prefault({}),
  turn: z
    .strictObject({
      /** Long-term credential realm. Default "netready". */
      realm: z.string().min(1).max(127).default('netready'),
      /** Shared secret for TURN REST credentials; generated into dataDir/turn-secret when absent. */
      secret: z.optional(z.string().min(16)),
      /** Lifetime of minted credentials in seconds (at most 600). Default 600. */
      credentialTtlS: z.number().int().min(30).max(600).default(600),
      /**
       * Maximum allocations one client IP may hold (486 past it). Default 64: one run holds up to ~30 at once (the deep
       * check allocates through every interface; by-name TURN URLs allocate once per resolved address), and an office
       * behind one NAT address runs several tests at the same time. Relays still serve only netready's media peer.
       */
      maxAllocationsPerClient: z.number().int().min(1).max(1000).default(64),
      /** Maximum allocation lifetime in seconds. Default 600. */
      maxLifetimeS: z.number().int().min(60).max(3600).default(600),
      // Issue 16 (load): the UDP listeners' receive buffer.
      /**
       * Receive buffer of each STUN/TURN UDP listener, bytes (SO_RCVBUF; Linux caps it at `net.core.rmem_max` and
       * reports twice the value). Default 4194304 (4 MiB): room for ~4,000 datagrams, so requests that arrive while the
       * event loop is paused (a major garbage collection, 100–300 ms under load) wait instead of being dropped; the
       * kernel default (~208 KiB) lost 28 of 30,000 load-test sessions to one such pause. 65536 – 67108864.
       */
      udpReceiveBufferBytes: z.number().int().min(65536).max(67_108_864).default(4_194_304),
    })
    .prefault({}),
  tls: z
    .strictObject({
      /** PEM certificate chain file. Default: a dev certificate generated into dataDir/tls on first start. */
      certFile: z.optional(z.string()),
      /** PEM private key file. Required with certFile. */
      keyFile: z.optional(z.string()),
      /**
       * PEM certificate chain for the probe zone's names (`*.<dns.zone>`), served to connections whose TLS server
       * name is in the zone. Keep `*.<dns.zone>` out of certFile: Chromium sends a request for a fresh name over an
       * HTTP/2 connection it already has to the same address when that connection's certificate also covers the
       * name, and then no DNS lookup is measured. Default: certFile is used for the zone too (it must then cover
       * `*.<dns.zone>`); with the dev certificate, a separate zone leaf is generated.
       */
      zoneCertFile: z.optional(z.string()),
      /** PEM private key file of zoneCertFile. Required with zoneCertFile. */
      zoneKeyFile: z.optional(z.string()),
      /**
       * Get certificates from an ACME CA (Let's Encrypt or any other) instead of files, renewed without a restart.
       * With dns-01 and `dns.zone`, a second certificate for `<dns.zone>` and `*.<dns.zone>` serves the zone's names.
       * Default: none (certFile, else the dev certificate).
       */
      acme: z.optional(AcmeSchema),
    })
    .prefault({}),
  run: z
    .strictObject({
      /** Overall time budget of one test run in milliseconds. Default 10000. */
      budgetMs: z.number().int().min(2000).max(60000).default(10000),
      /**
       * Deadline of each transport probe in milliseconds. Default 6000: on a 200 ms-RTT path, TURN allocation plus
       * ICE, DTLS and SCTP through the relay take about 3 s (measured in the lab's lossy-latent scenario).
       */
      probeTimeoutMs: z.number().int().min(500).max(30000).default(6000),
    })
    .prefault({}),
  /** Vendor targets to test besides netready's own servers. Default none. */
  targets: z.array(TargetSchema).max(16).default([]),
  ops: z
    .strictObject({
      /**
       * Who may read `/metrics` and `/readyz` — on the web app and on the probe's operations listener (`probe.ops`): client
       * addresses in these blocks (CIDR, e.g. `10.0.5.0/24`, `2001:db8::/32`; a bare address is one host). Everybody
       * else gets 404, as if the paths did not exist. `/healthz` answers everybody (load balancers). The web app checks
       * the client address of server/api/client-address.ts (the TCP peer, or with `web.trustedProxyHops` the address
       * the trusted proxies name). Default `["127.0.0.0/8", "::1/128"]`: the machine itself.
       */
      allowFrom: z.array(z.string().refine(isCidr, 'must be an IP address or a CIDR block such as 10.0.5.0/24 or 2001:db8::/32')).max(64).default(OPS_ALLOW_FROM_DEFAULT),
    })
    .prefault({}),
  log: z
    .strictObject({
      /** Least severe level written (`fatal`, `error`, `warn`, `info`, `debug`, `trace`, or `silent` for nothing). Default "info". */
      level: z.enum(LOG_LEVELS).default('info'),
      /**
       * How client addresses appear in log lines: `truncated` — IPv4 to its /24 (`198.51.100.0/24`), IPv6 to its /48 —
       * or `full`. Default "truncated": a log line should not identify a person (GDPR: an IP address is personal data).
       */
      clientAddresses: z.enum(['truncated', 'full']).default('truncated'),
    })
    .prefault({}),
  dns: z
    .strictObject({
      /**
       * The probe zone this server is authoritative for, e.g. `probe.example.org` (delegate it with NS records
       * to this server). Default: none — the DNS server does not start and the DNS probes are skipped.
       */
      zone: z.optional(host.regex(/^[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+$/, 'must be a host name with at least two labels')),
      /** UDP and TCP listener of the DNS server (`ip` default `probe.bindIp`). Default port 5300 (53 in production). */
      listen: z.strictObject({ ip: z.optional(ipv4), port: portOrZero.default(5300) }).prefault({}),
      /**
       * IPv4 address the lookup names of the zone answer with (A): where the HTTPS listener is reached. Default: the
       * HTTPS listener's own IP when it has one, else `probe.publicIp`. `turn.<zone>` and `stun.<zone>` always answer
       * with `probe.publicIp`, where the STUN/TURN listeners are.
       */
      answerIp: z.optional(ipv4),
      /** IPv6 address names answer AAAA with. Default none (AAAA queries get an empty answer). */
      answerIpv6: z.optional(z.string().regex(/^[0-9a-fA-F:]+$/, 'must be an IPv6 address').min(2).max(39)),
      /** TTL of answers and of negative answers, seconds (1–300). Default 5. */
      ttlS: z.number().int().min(1).max(300).default(5),
      /** Queries per second one source address (a resolver) may send; twice that as a burst. Default 100. */
      maxQueriesPerSecondPerSource: z.number().int().min(1).max(100000).default(100),
      /**
       * A MaxMind-format GeoIP database (MMDB, e.g. GeoLite2-City or -ASN) to place resolver and client
       * addresses in a country/network. Needs the `maxmind` npm package. Default: none — location "unknown".
       */
      geoipMmdb: z.optional(z.string().min(1)),
    })
    .prefault({}),
}).superRefine((config, ctx) => {
  const { probe } = config;
  // Regions (issue 15): unique ids and addresses; this node's region must be one of them.
  const regionIds = config.regions.map((r) => r.id);
  config.regions.forEach((region, i) => {
    if (regionIds.indexOf(region.id) !== i) ctx.addIssue({ code: 'custom', path: ['regions', i, 'id'], message: `region id ${region.id} is used twice` });
  });
  if (probe.region !== undefined && !regionIds.includes(probe.region)) {
    ctx.addIssue({
      code: 'custom',
      path: ['probe', 'region'],
      message: regionIds.length === 0 ? `names region ${probe.region}, but no regions are configured (regions[])` : `must be one of the configured regions (${regionIds.join(', ')}), not ${probe.region}`,
    });
  }
  // Monitored sites (issue 19): one entry per name and per token.
  const siteNames = config.monitor.sites.map((site) => site.name.toLowerCase());
  const siteTokens = config.monitor.sites.map((site) => site.tokenSha256);
  config.monitor.sites.forEach((site, i) => {
    if (siteNames.indexOf(site.name.toLowerCase()) !== i) ctx.addIssue({ code: 'custom', path: ['monitor', 'sites', i, 'name'], message: `site ${site.name} is listed twice` });
    if (siteTokens.indexOf(site.tokenSha256) !== i) ctx.addIssue({ code: 'custom', path: ['monitor', 'sites', i, 'tokenSha256'], message: 'this token is already another site\'s: make one per site (npx netready site-token)' });
  });
  if (config.web.maxResultBytesPerDay < config.web.maxResultBytes) {
    ctx.addIssue({ code: 'custom', path: ['web', 'maxResultBytesPerDay'], message: 'must be at least web.maxResultBytes (else no result could ever be stored)' });
  }
  if (probe.relayPortMin >= probe.relayPortMax) {
    ctx.addIssue({ code: 'custom', path: ['probe', 'relayPortMax'], message: 'must be greater than probe.relayPortMin' });
  }
  if (probe.peerPortMin >= probe.peerPortMax) {
    ctx.addIssue({ code: 'custom', path: ['probe', 'peerPortMax'], message: 'must be greater than probe.peerPortMin' });
  }
  if (probe.relayPortMin <= probe.peerPortMax && probe.peerPortMin <= probe.relayPortMax) {
    ctx.addIssue({ code: 'custom', path: ['probe', 'peerPortMin'], message: 'the media-peer port range must not overlap the relay port range' });
  }
  const udp = [probe.turnUdp.port, ...probe.stunAltPorts, ...config.targets.flatMap((t) => t.mediaUdpPorts), ...(config.dns.zone ? [config.dns.listen.port] : [])].filter((p) => p !== 0);
  const duplicate = udp.find((p, i) => udp.indexOf(p) !== i);
  if (duplicate !== undefined) {
    ctx.addIssue({ code: 'custom', path: ['probe', 'stunAltPorts'], message: `UDP port ${duplicate} is used twice (TURN port, alternate STUN ports, vendor media ports and the DNS port must differ)` });
  }
  // MTU ladder (issue 10): sizes in order, fragment rungs above the ladder, its ports clear of every other UDP port.
  // NAT behaviour (issue 11): the second address must be a second one.
  if (probe.stunAltIp !== undefined && (probe.stunAltIp === probe.publicIp || probe.stunAltIp === (probe.turnUdp.ip ?? probe.bindIp))) {
    ctx.addIssue({ code: 'custom', path: ['probe', 'stunAltIp'], message: `must be a second address of this server, not probe.publicIp or the TURN UDP listener's address (${probe.stunAltIp})` });
  }
  if (probe.stunAltIp === '0.0.0.0') ctx.addIssue({ code: 'custom', path: ['probe', 'stunAltIp'], message: 'must be a unicast address clients can reach, not 0.0.0.0' });
  // A wildcard TURN UDP listener already owns its port on every address, the second one included.
  else if (probe.stunAltIp !== undefined && (probe.turnUdp.ip ?? probe.bindIp) === '0.0.0.0') {
    ctx.addIssue({ code: 'custom', path: ['probe', 'stunAltIp'], message: 'needs the TURN UDP listener on a specific address (probe.turnUdp.ip or probe.bindIp, not 0.0.0.0): a wildcard listener already receives the second address\'s packets on that port' });
  }
  // Loopback (::1) stays allowed, like publicIp's 127.0.0.1 default: tests and single-machine setups use it.
  if (probe.publicIpv6 !== undefined && /^(::|fe[89ab][0-9a-f]?:.*)$/i.test(probe.publicIpv6)) {
    ctx.addIssue({ code: 'custom', path: ['probe', 'publicIpv6'], message: `must be an IPv6 address clients can reach, not ${probe.publicIpv6} (the unspecified address, or a link-local one, which needs a zone)` });
  }
  const mtu = probe.mtu;
  if (mtu.sizes.some((size, i) => i > 0 && size <= mtu.sizes[i - 1]!)) {
    ctx.addIssue({ code: 'custom', path: ['probe', 'mtu', 'sizes'], message: 'must be in ascending order without repeats' });
  }
  const largestRung = Math.max(...mtu.sizes);
  if (mtu.fragmentSizes.some((size) => size <= largestRung)) {
    ctx.addIssue({ code: 'custom', path: ['probe', 'mtu', 'fragmentSizes'], message: `must each be above the largest of probe.mtu.sizes (${largestRung}): they test fragments of datagrams too large for the path` });
  }
  if (mtu.enabled && mtu.firstPort !== 0) {
    const lastPort = mtu.firstPort + mtu.sizes.length + mtu.fragmentSizes.length - 1;
    const inLadder = (p: number): boolean => p >= mtu.firstPort && p <= lastPort;
    const clash = udp.find(inLadder);
    if (lastPort > 65535) ctx.addIssue({ code: 'custom', path: ['probe', 'mtu', 'firstPort'], message: `the ladder needs ports ${mtu.firstPort}–${lastPort}, beyond 65535` });
    else if (clash !== undefined) ctx.addIssue({ code: 'custom', path: ['probe', 'mtu', 'firstPort'], message: `the ladder's ports ${mtu.firstPort}–${lastPort} include UDP port ${clash}, already used (TURN, alternate STUN, vendor media or DNS port)` });
    else if (mtu.firstPort <= probe.relayPortMax && lastPort >= probe.relayPortMin) ctx.addIssue({ code: 'custom', path: ['probe', 'mtu', 'firstPort'], message: `the ladder's ports ${mtu.firstPort}–${lastPort} overlap the relay port range` });
    else if (mtu.firstPort <= probe.peerPortMax && lastPort >= probe.peerPortMin) ctx.addIssue({ code: 'custom', path: ['probe', 'mtu', 'firstPort'], message: `the ladder's ports ${mtu.firstPort}–${lastPort} overlap the media-peer port range` });
  }
  const limits = probe.connections;
  if (limits.maxHandshakesPerAddress > limits.maxPerAddress) {
    ctx.addIssue({ code: 'custom', path: ['probe', 'connections', 'maxHandshakesPerAddress'], message: 'must not exceed probe.connections.maxPerAddress' });
  }
  if (limits.maxPerAddress > limits.maxTotal) {
    ctx.addIssue({ code: 'custom', path: ['probe', 'connections', 'maxPerAddress'], message: 'must not exceed probe.connections.maxTotal' });
  }
  const acme = config.tls.acme;
  if (acme) {
    if (!acme.termsOfServiceAgreed) {
      ctx.addIssue({ code: 'custom', path: ['tls', 'acme', 'termsOfServiceAgreed'], message: `must be true: read the terms of service of ${acme.directoryUrl} first` });
    }
    if (config.tls.certFile || config.tls.zoneCertFile) {
      ctx.addIssue({ code: 'custom', path: ['tls', 'acme'], message: 'give either tls.acme or tls.certFile/zoneCertFile, not both' });
    }
    if (!acme.domains && !probe.publicHost) {
      ctx.addIssue({ code: 'custom', path: ['tls', 'acme', 'domains'], message: 'needed: no probe.publicHost to default to' });
    }
    if (probe.publicHost && !acme.domains && !/[A-Za-z]/.test(probe.publicHost)) {
      ctx.addIssue({ code: 'custom', path: ['tls', 'acme', 'domains'], message: `needed: probe.publicHost ${probe.publicHost} is an IP address, and ACME certificates here are for names` });
    }
    if (acme.challenge === 'http-01' && acme.http01Port !== 0 && acme.http01Port === probe.http.port && (probe.http.ip ?? probe.bindIp) === probe.bindIp) {
      ctx.addIssue({ code: 'custom', path: ['tls', 'acme', 'http01Port'], message: `must differ from probe.http.port (${probe.http.port}): the HTTP-01 listener is a server of its own` });
    }
    const zone = config.dns.zone?.toLowerCase();
    if (acme.challenge === 'dns-01') {
      if (!zone) ctx.addIssue({ code: 'custom', path: ['tls', 'acme', 'challenge'], message: 'dns-01 needs dns.zone: the challenge records are answered by netready\'s own DNS server' });
      else {
        const outside = (acme.domains ?? [probe.publicHost ?? '']).filter((name) => {
          const bare = name.toLowerCase().replace(/^\*\./, '');
          return bare !== zone && !bare.endsWith(`.${zone}`);
        });
        if (outside.length > 0) {
          ctx.addIssue({ code: 'custom', path: ['tls', 'acme', 'domains'], message: `with dns-01 every name must be ${zone} or under it (netready's DNS server answers only its zone): ${outside.join(', ')}` });
        }
      }
    } else if ((acme.domains ?? []).some((name) => name.startsWith('*.'))) {
      ctx.addIssue({ code: 'custom', path: ['tls', 'acme', 'domains'], message: 'a wildcard name needs challenge "dns-01" (ACME CAs do not issue wildcards over http-01)' });
    }
  }
  const tcpListeners: Array<[string, { ip?: string | undefined; port: number }]> = [
    ['probe.http', probe.http],
    ['probe.https', probe.https],
    ['probe.turnTcp', probe.turnTcp],
    ['probe.turnTls', probe.turnTls],
  ];
  for (const [name, listener] of tcpListeners) {
    const ip = listener.ip ?? probe.bindIp;
    const overlaps = ip === probe.ops.ip || ip === '0.0.0.0' || probe.ops.ip === '0.0.0.0';
    if (probe.ops.port !== 0 && listener.port === probe.ops.port && overlaps) {
      ctx.addIssue({ code: 'custom', path: ['probe', 'ops', 'port'], message: `must differ from ${name}.port (${listener.port}): the operations listener is never a public API port` });
    }
  }
  // ICE-TCP (issue 10): its port is a TCP listener of its own; it must not collide with another on the same IP.
  const iceTcpIp = probe.iceTcp.ip ?? probe.bindIp;
  for (const [name, listener] of [...tcpListeners, ['probe.ops', probe.ops] as [string, { ip?: string | undefined; port: number }]]) {
    const ip = listener.ip ?? probe.bindIp;
    const sameIp = ip === iceTcpIp || ip === '0.0.0.0' || iceTcpIp === '0.0.0.0';
    if (probe.iceTcp.port !== 0 && listener.port === probe.iceTcp.port && sameIp) {
      ctx.addIssue({ code: 'custom', path: ['probe', 'iceTcp', 'port'], message: `must differ from ${name}.port (${listener.port}) on the same IP: give ICE-TCP its own port or its own ip` });
    }
  }
  if (probe.turnTcp.port !== 0 && probe.turnTcp.port === probe.turnTls.port && (probe.turnTcp.ip ?? probe.bindIp) === (probe.turnTls.ip ?? probe.bindIp)) {
    ctx.addIssue({ code: 'custom', path: ['probe', 'turnTls', 'port'], message: 'must differ from probe.turnTcp.port on the same IP (one TCP listener already serves both TLS and plain)' });
  }
});

/** Configuration as written by a user (every field optional). */
export type ConfigInput = z.input<typeof ConfigSchema>;
/** Fully defaulted, validated configuration. */
export type Config = z.infer<typeof ConfigSchema>;
