import { describe, expect, it } from 'vitest';
import { readClientHello } from '../protocol/tls/client-hello';
import { summarizeClientHello } from '../protocol/tls/summary';
import { loadCapture, toRecords } from '../protocol/tls/testing/fixtures';
import { compareWithProfile, identifyBrowser } from './browser-tls-profiles';

function summary(name: Parameters<typeof loadCapture>[0]) {
  const read = readClientHello(toRecords(loadCapture(name).handshake));
  if (read.status !== 'complete') throw new Error('incomplete');
  return summarizeClientHello(read.hello, read.handshake.length);
}

describe('identifying the TLS stack from the User-Agent', () => {
  it.each([
    ['Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/156.0.0.0 Safari/537.36', 'chromium', 156],
    ['Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0', 'chromium', 131],
    ['Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0', 'firefox', 133],
    ['Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Safari/605.1.15', 'safari', 18],
    // Every iOS browser uses Apple's TLS stack, Chrome included.
    ['Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) CriOS/126.0.6478.54 Mobile/15E148 Safari/604.1', 'safari', 126],
  ])('maps %s to the %s family', (ua, family, version) => {
    expect(identifyBrowser(ua)).toMatchObject({ family, majorVersion: version });
  });

  it('knows nothing about command-line clients', () => {
    expect(identifyBrowser('curl/8.5.0')).toBeNull();
  });
});

describe('comparing with the browser profile', () => {
  const chromium156 = identifyBrowser('Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0.0.0 Safari/537.36')!;

  it('finds nothing missing or foreign in the captured Chromium 156 handshake, direct or tunnelled', () => {
    for (const name of ['chromium-156-direct', 'chromium-156-via-squid-connect'] as const) {
      const result = compareWithProfile(summary(name), chromium156);
      expect(result.missing).toEqual([]);
      expect(result.foreign).toEqual([]);
      expect(result.mismatchScore).toBe(0);
    }
  });

  it('lists every browser feature squid\'s OpenSSL handshake lacks, and its foreign extensions', () => {
    const result = compareWithProfile(summary('squid-5.7-ssl-bump'), chromium156);
    expect(result.missing.map((m) => m.id).sort()).toEqual(['alpn-h2', 'alps', 'compress-certificate', 'ech', 'grease', 'post-quantum']);
    expect(result.foreign.map((f) => f.code)).toEqual([0x0016, 0x3374]);
    expect(result.mismatchScore).toBe(16);
  });

  it('expects only what the version sends: an old Chromium without ECH or ML-KEM is not penalised for them', () => {
    const chromium100 = { ...chromium156, majorVersion: 100 };
    const hello = { ...summary('chromium-156-direct'), encryptedClientHello: false, postQuantumKeyShare: false };
    expect(compareWithProfile(hello, chromium100).mismatchScore).toBe(0);
    // Policy-switchable features weigh 1 each on a current Chromium: below any decision threshold alone.
    expect(compareWithProfile(hello, chromium156).mismatchScore).toBe(2);
  });
});
