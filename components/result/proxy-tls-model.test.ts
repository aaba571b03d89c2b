import { describe, expect, it } from 'vitest';
import { buildProxyTlsModel } from './proxy-tls-model';
import { outcome, REAL_DEEP_RUN } from './testing/real-results';

describe('buildProxyTlsModel', () => {
  it('shows what the TLS mirror received from a real run: protocol, phases, ClientHello features, SNI, ALPN and JA4', () => {
    const table = buildProxyTlsModel(REAL_DEEP_RUN.probes)!;
    const mirror = Object.fromEntries(table.groups.find((g) => g.probeId === 'tls-mirror')!.rows as Array<[string, string]>);
    expect(mirror).toMatchObject({
      'Protocol the browser reports': 'h2',
      'Connection phases': 'lookup 0 ms, connect 87 ms, of which TLS 87 ms',
      ClientHello: 'TLS 1.3, 16 cipher suites, 18 extensions, 1894 bytes',
      'Features a current browser sends': 'GREASE yes · ALPS yes · certificate compression yes · ECH (GREASE) yes · X25519MLKEM768 yes',
      'Server name (SNI)': 'none (the URL names an IP address)',
      'ALPN offered': 'h2, http/1.1',
      'ALPN the server negotiated': 'h2',
      'JA4 fingerprint': 't13i1516h2_8daaf6152771_cb7bf5808d99',
      'Headers a proxy adds': 'none (looked for 15, e.g. Via, X-Forwarded-For, Forwarded)',
    });
    expect(table.groups.find((g) => g.probeId === 'session')!.rows).toEqual([["netready's TLS certificate", "netready's own development CA (trusted only where `netready trust` was run)"]]);
    expect(table.groups.find((g) => g.probeId === 'proxy-auth')!.rows).toEqual([['Proxy sign-in requests (HTTP 407)', '0 of 18 requests']]);
    expect(table.groups.find((g) => g.probeId === 'websocket')!.rows[0]).toEqual(['WebSocket wss://127.0.0.1:24002/ws', 'opened in 296 ms, echoed in 246 ms; closed with 1000']);
  });

  it('shows a proxy’s headers, its sign-in request, a rejected certificate and an inspected ClientHello as recorded', () => {
    const table = buildProxyTlsModel({
      'proxy-echo': outcome({ url: 'http://203.0.113.10:8080/v1/echo', reached: true, httpStatus: 200, elapsedMs: 40, timedOut: false, httpVersion: '1.1', headers: [['host', 'x'], ['Via', '1.1 squid'], ['X-Forwarded-For', '10.0.0.8']] }),
      'tls-mirror': outcome({ url: 'https://probe.example.net/v1/tls/mirror', reached: true, httpStatus: 200, elapsedMs: 90, timedOut: false, negotiatedAlpn: null, serverOffersH2: true, clientHello: { maxVersion: 0x0303, cipherSuites: [1, 2], extensions: [0], alpn: [], serverName: 'probe.example.net', grease: { cipherSuites: false }, alps: false, compressCertificate: false, encryptedClientHello: false, postQuantumKeyShare: false, sizeBytes: 230 } }),
      'proxy-auth': outcome({ observer: 'devtools', requestsWatched: 12, challengedRequests: 3, challenges: [{ proxy: 'http://192.0.2.8:3128', scheme: 'ntlm', realm: '', url: 'https://probe.example.net/' }] }, 'fail'),
      'server-view': outcome({ reached: true, clientAddress: '198.51.100.23', tlsHandshakes: [{ listener: 'turn-tls', outcome: 'certificate-rejected', alert: 'unknown_ca', serverName: 'probe.example.net' }] }),
    })!;
    const rows = Object.fromEntries(table.groups.flatMap((g) => g.rows as Array<[string, string]>));
    expect(rows['Headers a proxy adds']).toBe('Via: 1.1 squid, X-Forwarded-For: 10.0.0.8');
    expect(rows['ClientHello']).toBe('TLS 1.2, 2 cipher suites, 1 extension, 230 bytes');
    expect(rows['Features a current browser sends']).toBe('GREASE no · ALPS no · certificate compression no · ECH (GREASE) no · X25519MLKEM768 no');
    expect(rows['ALPN the server negotiated']).toBe('none');
    expect(rows['Sign-in asked']).toBe('http://192.0.2.8:3128 asked for ntlm on https://probe.example.net/');
    expect(rows['Proxy sign-in requests (HTTP 407)']).toBe('3 of 12 requests');
    expect(rows['TLS handshakes the servers saw']).toBe('TURN over TLS: 1 rejected (unknown_ca)');
  });

  it('leaves out skipped checks and is null when none of these checks ran', () => {
    expect(buildProxyTlsModel({ 'proxy-echo': { status: 'skipped', durationMs: 0, reason: 'HTTPS page', data: {}, evidence: [] } })).toBeNull();
  });
});
