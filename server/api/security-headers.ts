/**
 * The security headers of every web-app answer (pages, /embed, /r/:id, API routes, 404s, static files), set by
 * proxy.ts. Pages get a Content Security Policy whose scripts must carry a per-request nonce: Next.js reads the
 * nonce from the CSP request header and puts it on its own scripts and styles (the pages render per request).
 * `connect-src` names exactly what the runner fetches: the probe's public HTTP and HTTPS origins and their
 * WebSocket forms, the probe zone's lookup names, and the vendor hosts of `targets[].hosts`. RTCPeerConnection
 * (STUN/TURN) is not governed by CSP.
 */
import { randomBytes } from 'node:crypto';
import { isIPv6 } from 'node:net';
import type { Config } from '../../lib/config/schema';
import { probePublicHttpsUrl, probePublicUrl } from '../config/load';
import { regionHttpsUrl } from '../../lib/regions/deployment';

/** Strict-Transport-Security for pages served over HTTPS: one year, this host only (subdomains are not ours). */
export const HSTS_VALUE = 'max-age=31536000';

/** The policy of every answer that is not a page (API JSON): load nothing, be framed by nothing. */
export const NON_PAGE_CSP = "default-src 'none'; frame-ancestors 'none'";

/**
 * Powerful features no netready page uses, denied everywhere (`feature=()`). Only names Chromium knows: an unknown
 * one makes it log an error for every page. `clipboard-write` stays allowed (the share link's Copy button).
 */
const DENIED_FEATURES = [
  'accelerometer',
  'browsing-topics',
  'display-capture',
  'geolocation',
  'gyroscope',
  'hid',
  'idle-detection',
  'magnetometer',
  'midi',
  'payment',
  'serial',
  'usb',
  'xr-spatial-tracking',
] as const;

/**
 * Which kind of answer a path gets: `embed-client` is the loader and ES module host pages load from other origins;
 * `support` is the operator's support view (signed in, never indexed or framed).
 */
export type RouteKind = 'runner' | 'embed' | 'embed-client' | 'share' | 'support' | 'page' | 'api';

/** Whether a path belongs to the support view (its page and its API): the sign-in of server/api/support-auth.ts. */
export function isSupportPath(pathname: string): boolean {
  return pathname === '/support' || pathname.startsWith('/support/') || pathname.startsWith('/api/support/');
}

/** The embed client's files (scripts/build-embed.mjs), loaded by host pages on other origins (issue 14). */
const EMBED_CLIENT_PATHS = new Set(['/embed.js', '/embed.mjs', '/embed.d.ts']);

/** Classifies a request path: the runner pages (/ and /embed) may ask for camera and microphone, the rest may not; API and operations endpoints get the non-page policy. */
export function routeKindOf(pathname: string): RouteKind {
  if (pathname === '/') return 'runner';
  if (pathname === '/embed' || pathname === '/embed/') return 'embed';
  if (EMBED_CLIENT_PATHS.has(pathname)) return 'embed-client';
  if (pathname === '/api' || pathname.startsWith('/api/')) return 'api';
  // The operations endpoints answer JSON or Prometheus text: no page policy, never framed, never indexed.
  if (pathname === '/metrics' || pathname === '/healthz' || pathname === '/readyz') return 'api';
  if (pathname.startsWith('/r/')) return 'share';
  if (pathname === '/support' || pathname.startsWith('/support/')) return 'support';
  return 'page';
}

/** A fresh CSP nonce: 128 random bits, base64. */
export function createNonce(): string {
  return randomBytes(16).toString('base64');
}

/** The WebSocket origin of an HTTP(S) origin (`https://h:1` → `wss://h:1`). */
function webSocketOrigin(url: URL): string {
  return `${url.protocol === 'https:' ? 'wss' : 'ws'}://${url.host}`;
}

/**
 * Sources of `connect-src`: this origin, the probe's HTTP and HTTPS origins (session, echo, TLS mirror, observations,
 * media-peer offers) and their ws:/wss: forms (WebSocket echo), `https://*.<dns.zone>:<probe.https.port>` (lookup
 * timing names and the GeoDNS names under it), every region node's HTTPS origin, and `https://<host>` of every vendor host. Origins only: the probe URLs may carry a path prefix,
 * and a CSP source with a path matches that path alone.
 */
export function connectSources(config: Config): string[] {
  const sources = new Set<string>(["'self'"]);
  for (const base of [probePublicUrl(config), probePublicHttpsUrl(config)]) {
    const url = new URL(base);
    sources.add(url.origin);
    sources.add(webSocketOrigin(url));
  }
  if (config.dns.zone) {
    // Port 0 binds a free port (tests only): any port of the zone's names then.
    const port = config.probe.https.port === 0 ? '*' : String(config.probe.https.port);
    sources.add(`https://*.${config.dns.zone.toLowerCase()}:${port}`);
  }
  // Regions (issue 15): each region node's HTTPS origin, where the page times its round trip.
  for (const region of config.regions) sources.add(new URL(regionHttpsUrl(region)).origin);
  for (const host of config.targets.flatMap((target) => target.hosts)) {
    // CSP host sources have no syntax for IPv6 literals; such a vendor host cannot be named (its check is then refused).
    if (isIPv6(host.replace(/^\[|\]$/g, ''))) continue;
    sources.add(`https://${host.toLowerCase()}`);
  }
  return [...sources];
}

/** `frame-ancestors` of a path: /embed names `embed.allowedOrigins` (none configured → 'none'); every other path 'none'. */
export function frameAncestors(config: Config, kind: RouteKind): string {
  if (kind === 'embed' && config.embed.allowedOrigins.length > 0) return config.embed.allowedOrigins.join(' ');
  return "'none'";
}

/** ` <origin>` of the operator's logo when it lives on another site (config brand.logoUrl), else ''. */
function logoOrigin(config: Config): string {
  const logo = config.brand.logoUrl;
  return logo?.startsWith('https://') ? ` ${new URL(logo).origin}` : '';
}

/** Options of pageContentSecurityPolicy. */
export interface PagePolicyOptions {
  /** This request's nonce (createNonce). */
  nonce: string;
  /** Which page. */
  kind: RouteKind;
  /** `next dev`: React's debugging aids need eval, and dev styles arrive as un-nonced <style> elements. */
  development?: boolean;
}

/** The CSP of a page: nonce-based scripts (`'strict-dynamic'` lets them load Next's chunks), nothing else inline. */
export function pageContentSecurityPolicy(config: Config, options: PagePolicyOptions): string {
  const nonce = `'nonce-${options.nonce}'`;
  const directives = [
    "default-src 'self'",
    `script-src 'self' ${nonce} 'strict-dynamic'${options.development ? " 'unsafe-eval'" : ''}`,
    `style-src 'self' ${options.development ? "'unsafe-inline'" : nonce}`,
    `img-src 'self' data:${logoOrigin(config)}`,
    "font-src 'self'",
    `connect-src ${connectSources(config).join(' ')}`,
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    `frame-ancestors ${frameAncestors(config, options.kind)}`,
  ];
  return directives.join('; ');
}

/** `Permissions-Policy`: camera and microphone for the runner pages only (a later opt-in deep check asks for them). */
export function permissionsPolicy(kind: RouteKind): string {
  const mediaAllow = kind === 'runner' || kind === 'embed' ? '(self)' : '()';
  return [`camera=${mediaAllow}`, `microphone=${mediaAllow}`, ...DENIED_FEATURES.map((feature) => `${feature}=()`)].join(', ');
}

/** What securityHeaders needs to know about the request. */
export interface SecurityHeaderRequest {
  /** URL path. */
  pathname: string;
  /** Whether the request reached the app over HTTPS (directly or through a TLS-terminating proxy). */
  https: boolean;
  /** This request's nonce (createNonce). */
  nonce: string;
  /** `next dev`. */
  development?: boolean;
}

/** Every security header of one answer, by lower-case name. */
export function securityHeaders(config: Config, request: SecurityHeaderRequest): Record<string, string> {
  const kind = routeKindOf(request.pathname);
  const headers: Record<string, string> = {
    'content-security-policy':
      kind === 'api' || kind === 'embed-client' ? NON_PAGE_CSP : pageContentSecurityPolicy(config, { nonce: request.nonce, kind, development: request.development ?? false }),
    'x-content-type-options': 'nosniff',
    // Share links (/r/<id>) must not leak to other sites through Referer; same-origin navigation keeps the full URL.
    'referrer-policy': 'strict-origin-when-cross-origin',
    'permissions-policy': permissionsPolicy(kind),
  };
  // For browsers without frame-ancestors. /embed cannot say "these origins" with it, so it relies on CSP alone.
  if (kind !== 'embed') headers['x-frame-options'] = 'DENY';
  // Host pages on any origin load the loader and `import` the ES module, which needs CORS; both are public code.
  if (kind === 'embed-client') {
    headers['access-control-allow-origin'] = '*';
    headers['cross-origin-resource-policy'] = 'cross-origin';
    // Next serves `.d.ts` as MPEG transport stream (`.ts`): the types are text.
    if (request.pathname.endsWith('.d.ts')) headers['content-type'] = 'text/plain; charset=utf-8';
  }
  // Share pages and API answers are for the people a link was sent to, not for search engines.
  if (kind === 'share' || kind === 'api' || kind === 'support') headers['x-robots-tag'] = 'noindex';
  // Results and notes: never kept in shared caches.
  if (kind === 'support') headers['cache-control'] = 'no-store';
  // Browsers ignore HSTS received over plain HTTP (RFC 6797 §8.1), and sending it there would only mislead.
  if (request.https) headers['strict-transport-security'] = HSTS_VALUE;
  return headers;
}
