/**
 * Structured logs (pino) of both processes: one JSON line per event with `level` (a name: `info`, `error` …),
 * `time` (ISO 8601), `msg`, the process (`service`: `probe` or `web`) and whatever fields the event has
 * (`requestId`, `sessionId`, `status` …).
 *
 * Two rules hold for every line, whoever writes it:
 * - no secrets: TURN credentials, the TURN secret, private keys and the ACME account key, Authorization and Cookie
 *   headers are replaced by `[redacted]` wherever they appear under the names in {@link REDACTED_PATHS};
 * - client addresses are cut to their network (IPv4 /24, IPv6 /48) unless `log.clientAddresses` is `full`: the
 *   fields named in {@link CLIENT_ADDRESS_FIELDS} pass through {@link truncateAddress} whoever logs them.
 */
import { randomBytes } from 'node:crypto';
import { isIPv4, isIPv6 } from 'node:net';
import pino, { type DestinationStream, type Logger } from 'pino';
import type { Config } from '../../lib/config/schema';

export type { Logger } from 'pino';

/** What a logger is built from: `log.level`, `log.clientAddresses` of the configuration. */
export type LogSettings = Config['log'];

/** Defaults of {@link LogSettings} (used when the configuration itself cannot be loaded). */
export const DEFAULT_LOG_SETTINGS: LogSettings = { level: 'info', clientAddresses: 'truncated' };

/** Replaces a redacted value. */
export const REDACTED = '[redacted]';

/**
 * Field paths whose values never reach a log line (pino `redact`, `*` = any one key). Covers the TURN REST
 * credential and the shared secret as they appear in a session document or in the configuration, PEM private keys,
 * the ACME account key, and request/response headers carrying credentials.
 */
export const REDACTED_PATHS: readonly string[] = [
  'credential',
  '*.credential',
  'turn[*].credential',
  'session.turn[*].credential',
  'session.dns.turnByName[*].credential',
  'password',
  '*.password',
  'secret',
  '*.secret',
  'turnSecret',
  'keyPem',
  '*.keyPem',
  'privateKey',
  '*.privateKey',
  'accountKey',
  '*.accountKey',
  'headers.authorization',
  'headers.cookie',
  'headers["set-cookie"]',
  'headers["proxy-authorization"]',
  '*.headers.authorization',
  '*.headers.cookie',
  '*.headers["set-cookie"]',
  '*.headers["proxy-authorization"]',
];

/** REDACTED_PATHS as key lists, parsed once (`a[*].b` → a, *, b; `h["set-cookie"]` → h, set-cookie). */
const COMPILED_REDACTED_PATHS: readonly (readonly string[])[] = REDACTED_PATHS.map((path) =>
  path
    .replace(/\["([^"]+)"\]/g, '.$1')
    .replace(/\[\*\]/g, '.*')
    .split('.'),
);

/** `node` with the value at `parts[i…]` censored (`*`: every key or index), copied only where something changed. */
function censorPath(node: unknown, parts: readonly string[], i: number): unknown {
  if (typeof node !== 'object' || node === null) return node;
  const part = parts[i]!;
  const last = i === parts.length - 1;
  const record = node as Record<string, unknown>;
  const keys = part === '*' ? Object.keys(record) : Object.hasOwn(record, part) ? [part] : [];
  let copy: Record<string, unknown> | null = null;
  for (const key of keys) {
    const child = record[key];
    const next = last ? REDACTED : censorPath(child, parts, i + 1);
    if (next === child) continue;
    copy ??= (Array.isArray(node) ? [...(node as unknown[])] : { ...record }) as Record<string, unknown>;
    copy[key] = next;
  }
  return copy ?? node;
}

/**
 * A log line's fields with every REDACTED_PATHS value replaced by {@link REDACTED}. The caller's objects are never
 * changed: what holds a secret is copied along the path to it, everything else is shared.
 */
export function redactSecrets(fields: Record<string, unknown>): Record<string, unknown> {
  let out: unknown = fields;
  for (const parts of COMPILED_REDACTED_PATHS) out = censorPath(out, parts, 0);
  return out as Record<string, unknown>;
}

/** Fields holding a client's address (a string) or endpoint (`{ ip, port }`), truncated unless configured `full`. */
export const CLIENT_ADDRESS_FIELDS = ['clientAddress', 'peerAddress', 'client'] as const;

/** Longest incoming `X-Request-Id` that is honoured (longer ones are replaced by our own). */
export const MAX_REQUEST_ID_LENGTH = 64;
/** What an honoured `X-Request-Id` may contain: no spaces, quotes, control characters or anything a log viewer might render. */
const SAFE_REQUEST_ID = /^[A-Za-z0-9._:-]+$/;

/**
 * The network of a client address: IPv4 to its /24 (`198.51.100.23` → `198.51.100.0/24`), IPv6 to its /48
 * (`2001:db8:1:2::5` → `2001:db8:1::/48`), an IPv4-mapped IPv6 address as IPv4. Anything else (`unknown`, garbage)
 * becomes `unknown`, so a malformed value cannot carry a full address past the filter.
 */
export function truncateAddress(address: string): string {
  let ip = address.trim();
  const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(ip);
  if (bracketed) ip = bracketed[1]!;
  ip = ip.split('%')[0]!;
  if (/^::ffff:[\d.]+$/i.test(ip)) ip = ip.slice(7);
  if (isIPv4(ip)) return `${ip.split('.').slice(0, 3).join('.')}.0/24`;
  if (isIPv6(ip)) {
    const [head = '', tail = ''] = ip.split('::', 2) as [string, string?];
    const front = head === '' ? [] : head.split(':');
    const back = ip.includes('::') && tail !== '' ? tail.split(':') : [];
    const groups = [...front, ...new Array<string>(Math.max(0, 8 - front.length - back.length)).fill('0'), ...back];
    const network = groups.slice(0, 3).map((g) => parseInt(g, 16).toString(16));
    // Trailing zero groups fold into the "::" (RFC 5952 §4.2): 2001:db8:0 → 2001:db8::/48.
    while (network.length > 0 && network[network.length - 1] === '0') network.pop();
    return `${network.join(':')}::/48`;
  }
  return 'unknown';
}

/** A client address as `settings` wants it in a log line. */
export function formatClientAddress(address: string, settings: Pick<LogSettings, 'clientAddresses'>): string {
  return settings.clientAddresses === 'full' ? address : truncateAddress(address);
}

/** The request id of an incoming request: its `X-Request-Id` when short and safe, else a fresh one. */
export function requestIdOf(header: string | string[] | null | undefined): string {
  const value = Array.isArray(header) ? header[0] : header;
  if (typeof value === 'string' && value.length <= MAX_REQUEST_ID_LENGTH && SAFE_REQUEST_ID.test(value)) return value;
  return newRequestId();
}

/** A fresh request id: 96 random bits, 16 URL-safe characters. */
export function newRequestId(): string {
  return randomBytes(12).toString('base64url');
}

/** Options of createLogger. */
export interface CreateLoggerOptions extends LogSettings {
  /** Which process writes (`service` field). */
  service: 'probe' | 'web';
  /** Where lines go. Default: stdout, written synchronously (a line written before `process.exit` is not lost). */
  destination?: DestinationStream;
}

/** A logger with netready's line format, redaction and address truncation. */
export function createLogger(options: CreateLoggerOptions): Logger {
  const address = (value: unknown): unknown => {
    if (options.clientAddresses === 'full') return value;
    if (typeof value === 'string') return truncateAddress(value);
    if (typeof value === 'object' && value !== null && typeof (value as { ip?: unknown }).ip === 'string') {
      // An endpoint: the port says nothing once the address is cut to its network.
      return truncateAddress((value as { ip: string }).ip);
    }
    return value;
  };
  return pino(
    {
      level: options.level,
      base: { service: options.service, pid: process.pid },
      timestamp: pino.stdTimeFunctions.isoTime,
      // Redaction in `formatters.log` rather than pino's `redact` option: pino 10's redactor parses every path string
      // again for every line, which under the load test (issue 16: 1,300 lines/s) was 46 % of all the bytes the probe
      // allocated — the garbage whose collection pauses made the STUN latency tail. Same paths, same censor.
      formatters: { level: (label) => ({ level: label }), log: redactSecrets },
      serializers: { err: pino.stdSerializers.err, ...Object.fromEntries(CLIENT_ADDRESS_FIELDS.map((field) => [field, address])) },
    },
    options.destination ?? pino.destination({ dest: 1, sync: true }),
  );
}

/** A message-only log sink (what the probe's tests hand ProbeServer): lines without fields. */
export interface MessageSink {
  info(message: string): void;
  error(message: string, error?: unknown): void;
}

/** True for a pino logger (as opposed to a bare {@link MessageSink}). */
export function isPinoLogger(log: MessageSink | Logger): log is Logger {
  return typeof (log as Logger).child === 'function' && typeof (log as Logger).bindings === 'function';
}

/**
 * A logger that hands each line's message to a {@link MessageSink}: errors and worse to `error` (with the logged
 * `err`), everything else to `info`. Lets code log with fields while a test sink still sees plain messages.
 */
export function loggerForSink(sink: MessageSink, level: LogSettings['level'] = 'info'): Logger {
  return createLogger({
    service: 'probe',
    level,
    clientAddresses: 'truncated',
    destination: {
      write(line: string): void {
        const entry = JSON.parse(line) as { level?: string; msg?: string; err?: { message?: string } };
        const message = entry.msg ?? '';
        if (entry.level === 'error' || entry.level === 'fatal') sink.error(message, entry.err);
        else sink.info(message);
      },
    },
  });
}
