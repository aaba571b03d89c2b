/**
 * What became of the TLS handshakes each client address opened to the probe's TLS listeners (the HTTPS listener
 * and TURN over TLS): completed, rejected by the client with a certificate alert, or failed otherwise. The page
 * cannot tell why an HTTPS request or a `turns:` relay failed — blocked port, refused, untrusted certificate all
 * look alike to it — but the server can: a browser that does not trust netready's certificate aborts the handshake
 * with a TLS alert (Chromium 156 sends `certificate_unknown`, 46, both for fetch and for TURN over TLS; verified
 * on loopback against the dev certificate), while a blocked port never reaches the server at all.
 *
 * Bounded: a few recent handshakes per address, kept for ten minutes, for at most `maxAddresses` addresses.
 */

/** RFC 8446 §6 / RFC 5246 §7.2 alert descriptions a client sends when it does not accept the server's certificate. */
export const CERTIFICATE_ALERTS: Readonly<Record<number, string>> = Object.freeze({
  42: 'bad_certificate',
  43: 'unsupported_certificate',
  44: 'certificate_revoked',
  45: 'certificate_expired',
  46: 'certificate_unknown',
  48: 'unknown_ca',
});

/** Other alert descriptions worth naming in evidence (RFC 8446 §6). */
const OTHER_ALERTS: Readonly<Record<number, string>> = Object.freeze({
  0: 'close_notify',
  10: 'unexpected_message',
  20: 'bad_record_mac',
  40: 'handshake_failure',
  47: 'illegal_parameter',
  49: 'access_denied',
  50: 'decode_error',
  51: 'decrypt_error',
  70: 'protocol_version',
  71: 'insufficient_security',
  80: 'internal_error',
  86: 'inappropriate_fallback',
  90: 'user_canceled',
  109: 'missing_extension',
  110: 'unsupported_extension',
  112: 'unrecognized_name',
  120: 'no_application_protocol',
});

/** Which TLS listener saw the handshake. */
export type TlsListener = 'https' | 'turn-tls';

/** How a handshake ended. */
export type HandshakeOutcome = 'completed' | 'certificate-rejected' | 'failed';

/** One handshake as the server saw it. */
export interface HandshakeRecord {
  listener: TlsListener;
  outcome: HandshakeOutcome;
  /** Alert the client sent, when it sent one (`certificate_unknown` …). */
  alert?: string;
  /** Alert number (RFC 8446 §6). */
  alertNumber?: number;
  /** Node's error code for a failed handshake (`ERR_SSL_SSLV3_ALERT_CERTIFICATE_UNKNOWN` …). */
  errorCode?: string;
  /**
   * The name the ClientHello asked for (SNI), `null` when it named none — as for a `turns:` URL by IP address;
   * absent when the listener did not say. Lets the diagnosis tell a by-name handshake from a by-address one.
   */
  serverName?: string | null;
  /** Wall-clock time, ms since the epoch. */
  atMs: number;
}

/** Reads the alert a TLS handshake error carries, from Node/OpenSSL's "SSL alert number N" message. */
export function classifyHandshakeError(error: unknown): Pick<HandshakeRecord, 'outcome' | 'alert' | 'alertNumber' | 'errorCode'> {
  const message = error instanceof Error ? error.message : String(error);
  const code = (error as { code?: unknown } | null)?.code;
  const match = /alert number (\d+)/i.exec(message);
  const errorCode = typeof code === 'string' ? code : undefined;
  if (!match) return { outcome: 'failed', ...(errorCode ? { errorCode } : {}) };
  const alertNumber = Number(match[1]);
  const certificateAlert = CERTIFICATE_ALERTS[alertNumber];
  const alert = certificateAlert ?? OTHER_ALERTS[alertNumber] ?? `alert_${alertNumber}`;
  return { outcome: certificateAlert ? 'certificate-rejected' : 'failed', alert, alertNumber, ...(errorCode ? { errorCode } : {}) };
}

/** The record's `serverName`: a name (at most 253 characters, RFC 1035), `null` for none, nothing when unknown. */
function sni(serverName: string | null | undefined): Pick<HandshakeRecord, 'serverName'> {
  if (serverName === undefined) return {};
  return { serverName: typeof serverName === 'string' && serverName !== '' ? serverName.slice(0, 253) : null };
}

/** Options of TlsHandshakeLog. */
export interface TlsHandshakeLogOptions {
  /** How long a record is kept, ms. Default 600000 (a session's lifetime). */
  ttlMs?: number;
  /** Records kept per address (oldest dropped). Default 32. */
  maxPerAddress?: number;
  /** Addresses tracked (the least recently active dropped). Default 10000. */
  maxAddresses?: number;
  /** Clock, ms since the epoch. Default Date.now. */
  now?: () => number;
}

/** Recent TLS handshake outcomes per client address. */
export class TlsHandshakeLog {
  private readonly byAddress = new Map<string, HandshakeRecord[]>();
  private readonly ttlMs: number;
  private readonly maxPerAddress: number;
  private readonly maxAddresses: number;
  private readonly now: () => number;

  constructor(options: TlsHandshakeLogOptions = {}) {
    this.ttlMs = options.ttlMs ?? 600_000;
    this.maxPerAddress = options.maxPerAddress ?? 32;
    this.maxAddresses = options.maxAddresses ?? 10_000;
    this.now = options.now ?? Date.now;
  }

  /** Records a completed handshake from `address` on `listener`, with the SNI it named (`null`: none) when known. */
  completed(address: string, listener: TlsListener, serverName?: string | null): void {
    this.add(address, { listener, outcome: 'completed', atMs: this.now(), ...sni(serverName) });
  }

  /** Records a handshake from `address` that ended with `error` (client alert, reset, garbage). */
  failed(address: string, listener: TlsListener, error: unknown, serverName?: string | null): void {
    this.add(address, { listener, ...classifyHandshakeError(error), atMs: this.now(), ...sni(serverName) });
  }

  /** The records of `address` at or after `sinceMs` (wall clock), oldest first. */
  since(address: string, sinceMs: number): HandshakeRecord[] {
    const records = this.byAddress.get(address);
    if (!records) return [];
    const cutoff = Math.max(sinceMs, this.now() - this.ttlMs);
    return records.filter((r) => r.atMs >= cutoff);
  }

  private add(address: string, record: HandshakeRecord): void {
    let records = this.byAddress.get(address);
    if (records) {
      // Re-insert so Map order is least recently active first.
      this.byAddress.delete(address);
    } else {
      records = [];
      while (this.byAddress.size >= this.maxAddresses) {
        const oldest = this.byAddress.keys().next().value;
        if (oldest === undefined) break;
        this.byAddress.delete(oldest);
      }
    }
    const cutoff = record.atMs - this.ttlMs;
    records = records.filter((r) => r.atMs >= cutoff);
    records.push(record);
    if (records.length > this.maxPerAddress) records.splice(0, records.length - this.maxPerAddress);
    this.byAddress.set(address, records);
  }
}
