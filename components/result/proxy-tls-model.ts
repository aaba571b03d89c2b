/**
 * Proxy and TLS evidence for the vendor's engineer (issue 13, the share page): what the HTTPS and plain-HTTP requests
 * looked like when they reached netready (protocol, connection phases, headers a proxy adds), the TLS ClientHello the
 * server received (JA4, ALPN, the features a current browser sends — what TLS inspection replaces), how the servers'
 * TLS handshakes with this browser ended, where netready's certificate comes from, proxy sign-in requests and
 * WebSockets. Facts as recorded; whether they mean a proxy or inspection is the diagnosis's call (the findings).
 * Pure: read from the result JSON only. A browser cannot read a certificate's issuer, so none is shown.
 */
import { PROXY_HEADER_NAMES } from '../../lib/diagnosis/facts-proxy';
import { describeHandshakes, readHandshakes } from '../../lib/probes/server-view';
import type { ProbeOutcome } from '../../lib/schema/result';
import { count, dict, dicts, listOf, ms, NOT_RECORDED, groupsByProbe, tableOrNull, text, texts, type EngineerTable } from './engineer-table';

/** Columns of the table. */
export const PROXY_TLS_COLUMNS = ['What', 'Recorded'];

const TLS_VERSIONS: Record<number, string> = { 0x0304: 'TLS 1.3', 0x0303: 'TLS 1.2', 0x0302: 'TLS 1.1', 0x0301: 'TLS 1.0' };
const CERTIFICATE_SOURCES: Record<string, string> = {
  development: "netready's own development CA (trusted only where `netready trust` was run)",
  acme: 'an ACME certificate authority (such as Let\'s Encrypt)',
  configured: 'certificate files the operator configured',
};

/** "16 cipher suites" / "1 extension" for a recorded list; "? …s" when it is not one. */
function several(list: unknown, noun: string): string {
  return Array.isArray(list) ? `${list.length} ${noun}${list.length === 1 ? '' : 's'}` : `? ${noun}s`;
}

/** How an echo request went: HTTP status and time, or the browser's error. */
function reachedRow(data: Record<string, unknown>): string[] {
  const elapsed = count(data.elapsedMs);
  const after = elapsed === undefined ? '' : ` after ${ms(elapsed)}`;
  if (data.reached === true) return ['Reached', `yes, HTTP ${count(data.httpStatus) ?? 200}${after} — ${text(data.url) ?? NOT_RECORDED}`];
  return ['Reached', `no: ${data.timedOut === true ? 'no answer' : (text(data.error) ?? (count(data.httpStatus) !== undefined ? `HTTP ${count(data.httpStatus)}` : 'failed'))}${after} — ${text(data.url) ?? NOT_RECORDED}`];
}

/** The connection phases the browser reported (Resource Timing). */
function timingRows(data: Record<string, unknown>): string[][] {
  const timing = dict(data.timing);
  if (!timing) return [];
  const rows: string[][] = [];
  const protocol = text(timing.nextHopProtocol);
  rows.push(['Protocol the browser reports', protocol || 'not exposed']);
  const phases = `lookup ${ms(count(timing.dnsMs))}, connect ${ms(count(timing.connectMs))}${count(timing.tlsMs) ? `, of which TLS ${ms(count(timing.tlsMs))}` : ''}`;
  rows.push(['Connection phases', timing.noConnectPhase === true ? `${phases}; no connect phase (a reused connection, or one a proxy opened)` : phases]);
  return rows;
}

/** The request's headers a proxy adds (facts-proxy.ts PROXY_HEADER_NAMES), as the server received them. */
function proxyHeaderRow(data: Record<string, unknown>): string[][] {
  if (!Array.isArray(data.headers)) return [];
  const found = data.headers
    .filter((pair): pair is [string, string] => Array.isArray(pair) && typeof pair[0] === 'string' && typeof pair[1] === 'string')
    .filter(([name]) => PROXY_HEADER_NAMES.includes(name.toLowerCase()))
    .map(([name, value]) => `${name}: ${value}`);
  return [['Headers a proxy adds', found.length > 0 ? listOf(found, 8) : `none (looked for ${PROXY_HEADER_NAMES.length}, e.g. Via, X-Forwarded-For, Forwarded)`]];
}

/** The ClientHello the TLS mirror received (lib/protocol/tls/summary.ts ClientHelloSummary). */
function clientHelloRows(data: Record<string, unknown>): string[][] {
  const rows: string[][] = [];
  const hello = dict(data.clientHello);
  if (hello) {
    const version = count(hello.maxVersion);
    const size = count(hello.sizeBytes);
    rows.push([
      'ClientHello',
      `${version !== undefined ? (TLS_VERSIONS[version] ?? `version 0x${version.toString(16)}`) : 'version not recorded'}, ${several(hello.cipherSuites, 'cipher suite')}, ${several(hello.extensions, 'extension')}${size !== undefined ? `, ${size} bytes` : ''}`,
    ]);
    const grease = dict(hello.grease);
    const flag = (on: unknown): string => (on === true ? 'yes' : 'no');
    rows.push([
      'Features a current browser sends',
      `GREASE ${flag(grease && Object.values(grease).some((v) => v === true))} · ALPS ${flag(hello.alps)} · certificate compression ${flag(hello.compressCertificate)} · ECH (GREASE) ${flag(hello.encryptedClientHello)} · X25519MLKEM768 ${flag(hello.postQuantumKeyShare)}`,
    ]);
    const sni = hello.serverName;
    rows.push(['Server name (SNI)', typeof sni === 'string' ? sni : 'none (the URL names an IP address)']);
    rows.push(['ALPN offered', listOf(texts(hello.alpn)) || 'none']);
  } else if (data.reached === true) {
    rows.push(['ClientHello', 'not recorded by the server']);
  }
  if ('negotiatedAlpn' in data) {
    const negotiated = text(data.negotiatedAlpn);
    rows.push(['ALPN the server negotiated', `${negotiated ?? 'none'}${data.serverOffersH2 === false ? ' (the server offered no h2)' : ''}`]);
  }
  const ja4 = text(data.ja4);
  if (ja4) rows.push(['JA4 fingerprint', ja4]);
  return rows;
}

/** The rows a check contributes, by probe id; [] for checks without proxy or TLS evidence. */
function rowsOf(id: string, data: Record<string, unknown>): string[][] {
  switch (id) {
    case 'session': {
      const source = text(dict(data.certificate)?.source);
      return source ? [["netready's TLS certificate", CERTIFICATE_SOURCES[source] ?? source]] : [];
    }
    case 'tls-mirror':
      return [reachedRow(data), ...timingRows(data), ...clientHelloRows(data), ...proxyHeaderRow(data)];
    case 'proxy-echo':
      return [reachedRow(data), ...timingRows(data), ...(text(data.httpVersion) ? [['HTTP version the server saw', text(data.httpVersion)!]] : []), ...proxyHeaderRow(data)];
    case 'server-view': {
      const handshakes = readHandshakes(data.tlsHandshakes);
      if (data.reached !== true) return [];
      const names = [...new Set(handshakes.map((h) => (h.serverName === undefined ? undefined : (h.serverName ?? 'none'))).filter((n): n is string => n !== undefined))];
      return [['TLS handshakes the servers saw', describeHandshakes(handshakes)], ...(names.length > 0 ? [['Server names in them', listOf(names)]] : [])];
    }
    case 'proxy-auth': {
      const challenges = dicts(data.challenges).map((c) => `${text(c.proxy) ?? 'a proxy'} asked for ${text(c.scheme) ?? '?'}${text(c.realm) ? ` (realm "${text(c.realm)}")` : ''} on ${text(c.url) ?? '?'}`);
      const watched = count(data.requestsWatched);
      const challenged = count(data.challengedRequests);
      return [
        ['Proxy sign-in requests (HTTP 407)', watched === undefined ? NOT_RECORDED : `${challenged ?? 0} of ${watched} requests`],
        ...challenges.map((line) => ['Sign-in asked', line]),
      ];
    }
    case 'websocket':
      return dicts(data.attempts).map((attempt) => {
        const open = count(attempt.openMs);
        const echo = count(attempt.echoMs);
        const close = count(attempt.closeCode);
        const what = attempt.opened === true ? `opened${open === undefined ? '' : ` in ${ms(open)}`}, ${attempt.echoed === true ? `echoed${echo === undefined ? '' : ` in ${ms(echo)}`}` : 'no echo'}` : attempt.timedOut === true ? 'did not open before the deadline' : 'did not open';
        return [`WebSocket ${text(attempt.url) ?? '?'}`, `${what}${close === undefined ? '' : `; closed with ${close}`}`];
      });
    default:
      return [];
  }
}

/** The proxy and TLS table of a result, or null when no such check ran. */
export function buildProxyTlsModel(probes: Readonly<Record<string, ProbeOutcome>>, titles?: Readonly<Record<string, string>>): EngineerTable | null {
  const groups = groupsByProbe(probes, titles, rowsOf, { skipSkipped: true });
  return tableOrNull({
    id: 'proxy-tls',
    title: 'Proxy and TLS',
    caption: 'How the HTTPS, plain-HTTP and WebSocket requests reached netready, the TLS handshake it received, and proxy sign-ins',
    columns: PROXY_TLS_COLUMNS,
      kinds: ['text', 'long'],
    groups,
  });
}
