/**
 * What each browser family's own TLS stack puts in its ClientHello, as data, and a pure comparison of a
 * ClientHello the TLS mirror received with what the page's User-Agent says should have arrived. A middlebox
 * that terminates TLS (an inspecting proxy, a "secure web gateway", local antivirus) opens its own connection
 * with its own TLS library, so browser-only features go missing and library defaults appear.
 *
 * The family comes from the rendering engine (ua-parser-js 1.x; 2.x is AGPL — never upgrade): Blink means
 * Chromium's BoringSSL (Chrome, Edge, Opera, Brave …), Gecko means Firefox's NSS, WebKit means Apple's stack
 * (Safari and every iOS browser). Each expected feature carries the first major version that sends it and a
 * weight: 3 = every build sends it, nothing turns it off; 2 = on by default for years; 1 = an enterprise
 * policy or preference can turn it off (ECH, post-quantum key exchange), so it only ever adds to other evidence.
 */
import { UAParser } from 'ua-parser-js';
import { EXT } from '../protocol/tls/constants';
import type { ClientHelloSummary } from '../protocol/tls/summary';

/** A TLS stack family. */
export type BrowserFamily = 'chromium' | 'firefox' | 'safari';

/** Features a ClientHello can show. */
export type TlsFeatureId = 'grease' | 'tls13' | 'alpn-h2' | 'alps' | 'compress-certificate' | 'ech' | 'post-quantum' | 'record-size-limit' | 'delegated-credential';

/** One feature the family's ClientHello carries. */
export interface ExpectedFeature {
  id: TlsFeatureId;
  /** First major browser version sending it (0: every version in use). */
  since: number;
  /** How much its absence says (1–3, see the module comment). */
  weight: number;
}

/** An extension the family never sends, but TLS libraries of middleboxes commonly do. */
export interface ForeignExtension {
  code: number;
  weight: number;
}

/** The profile of one family. */
export interface BrowserTlsProfile {
  family: BrowserFamily;
  expected: ExpectedFeature[];
  foreign: ForeignExtension[];
}

/** Plain names of the features, for evidence and finding text. */
export const TLS_FEATURE_LABELS: Record<TlsFeatureId, string> = {
  grease: 'GREASE values (RFC 8701)',
  tls13: 'TLS 1.3',
  'alpn-h2': 'ALPN offering HTTP/2',
  alps: 'ALPS (application settings)',
  'compress-certificate': 'certificate compression (RFC 8879)',
  ech: 'Encrypted ClientHello (or its GREASE)',
  'post-quantum': 'X25519MLKEM768 post-quantum key exchange',
  'record-size-limit': 'record_size_limit (RFC 8449)',
  'delegated-credential': 'delegated_credential (RFC 9345)',
};

/** Names of the foreign extensions. */
export const FOREIGN_EXTENSION_LABELS: Readonly<Record<number, string>> = {
  [EXT.ENCRYPT_THEN_MAC]: 'encrypt_then_mac (0x0016)',
  0x3374: 'next_protocol_negotiation (0x3374, NPN)',
  0x000f: 'heartbeat (0x000f)',
  0x0001: 'max_fragment_length (0x0001)',
  [EXT.POST_HANDSHAKE_AUTH]: 'post_handshake_auth (0x0031)',
};

/**
 * The profiles. Chromium: GREASE since 55, TLS 1.3 since 70, certificate compression (brotli) since 70, ALPS
 * since 91, ECH GREASE since 117 (policy EncryptedClientHelloEnabled), X25519Kyber768 124–130 then
 * X25519MLKEM768 from 131 (policy PostQuantumKeyAgreementEnabled). Firefox: TLS 1.3 since 63, record_size_limit
 * since 64, delegated credentials since 77, ECH since 118, X25519MLKEM768 since 132 (pref). Safari/WebKit:
 * GREASE, TLS 1.3 and h2 in every version in use; nothing else is asserted (Apple ships it unevenly).
 * Verified against real captures for Chromium 156 only (testdata/tls/); the rest follows the browsers'
 * release notes and is deliberately conservative.
 */
export const BROWSER_TLS_PROFILES: Record<BrowserFamily, BrowserTlsProfile> = {
  chromium: {
    family: 'chromium',
    expected: [
      { id: 'grease', since: 55, weight: 3 },
      { id: 'tls13', since: 70, weight: 3 },
      { id: 'alpn-h2', since: 0, weight: 3 },
      { id: 'compress-certificate', since: 70, weight: 2 },
      { id: 'alps', since: 91, weight: 2 },
      { id: 'ech', since: 117, weight: 1 },
      { id: 'post-quantum', since: 131, weight: 1 },
    ],
    foreign: [
      { code: EXT.ENCRYPT_THEN_MAC, weight: 2 },
      { code: 0x3374, weight: 2 },
      { code: 0x000f, weight: 2 },
      { code: 0x0001, weight: 2 },
      { code: EXT.POST_HANDSHAKE_AUTH, weight: 1 },
    ],
  },
  firefox: {
    family: 'firefox',
    expected: [
      { id: 'tls13', since: 63, weight: 3 },
      { id: 'alpn-h2', since: 0, weight: 3 },
      { id: 'record-size-limit', since: 64, weight: 2 },
      { id: 'delegated-credential', since: 77, weight: 1 },
      { id: 'ech', since: 118, weight: 1 },
      { id: 'post-quantum', since: 132, weight: 1 },
    ],
    foreign: [
      { code: 0x3374, weight: 2 },
      { code: 0x000f, weight: 2 },
    ],
  },
  safari: {
    family: 'safari',
    expected: [
      { id: 'grease', since: 0, weight: 3 },
      { id: 'tls13', since: 0, weight: 3 },
      { id: 'alpn-h2', since: 0, weight: 3 },
    ],
    foreign: [
      { code: 0x3374, weight: 2 },
      { code: 0x000f, weight: 2 },
    ],
  },
};

/** The browser a User-Agent names, reduced to what the comparison needs. */
export interface BrowserIdentity {
  family: BrowserFamily;
  /** Browser name as ua-parser-js reports it ("Chrome", "Edge", "Firefox", "Mobile Safari" …). */
  name: string;
  /** Major version of the TLS stack's browser (Blink/Gecko engine version; Safari's own), 0 when unknown. */
  majorVersion: number;
}

const ENGINE_FAMILY: Record<string, BrowserFamily> = { Blink: 'chromium', Gecko: 'firefox', WebKit: 'safari' };

/** Identifies the TLS stack family from a User-Agent, or null for anything else (CLI tools, unknown engines). */
export function identifyBrowser(userAgent: string): BrowserIdentity | null {
  const parsed = new UAParser(userAgent).getResult();
  const family = parsed.engine.name ? ENGINE_FAMILY[parsed.engine.name] : undefined;
  if (!family) return null;
  // Blink's engine version is the Chromium version (Edge 131 = Blink 131); WebKit's is frozen, Gecko's tracks Firefox.
  const version = family === 'safari' ? parsed.browser.version : parsed.engine.version;
  const majorVersion = Number.parseInt(version ?? '', 10);
  return { family, name: parsed.browser.name ?? family, majorVersion: Number.isFinite(majorVersion) ? majorVersion : 0 };
}

/** Whether a ClientHello shows a feature. */
export function hasTlsFeature(hello: ClientHelloSummary, feature: TlsFeatureId): boolean {
  switch (feature) {
    case 'grease':
      return hello.grease.cipherSuites || hello.grease.extensions;
    case 'tls13':
      return hello.maxVersion >= 0x0304;
    case 'alpn-h2':
      return hello.alpn.includes('h2');
    case 'alps':
      return hello.alps;
    case 'compress-certificate':
      return hello.compressCertificate;
    case 'ech':
      return hello.encryptedClientHello;
    case 'post-quantum':
      return hello.postQuantumKeyShare;
    case 'record-size-limit':
      return hello.extensions.includes(EXT.RECORD_SIZE_LIMIT);
    case 'delegated-credential':
      return hello.extensions.includes(EXT.DELEGATED_CREDENTIAL);
  }
}

/** How a ClientHello differs from the profile of the browser the User-Agent names. */
export interface TlsProfileComparison {
  browser: BrowserIdentity;
  /** Expected features (for this version) that are absent. */
  missing: Array<{ id: TlsFeatureId; label: string; weight: number }>;
  /** Extensions present that this family never sends. */
  foreign: Array<{ code: number; label: string; weight: number }>;
  /** Expected features that are present. */
  present: TlsFeatureId[];
  /** Sum of the weights of `missing` and `foreign`: 0 for the browser's own handshake. */
  mismatchScore: number;
}

/** Compares a ClientHello with the profile of `browser`. Pure. */
export function compareWithProfile(
  hello: ClientHelloSummary,
  browser: BrowserIdentity,
  profiles: Record<BrowserFamily, BrowserTlsProfile> = BROWSER_TLS_PROFILES,
): TlsProfileComparison {
  const profile = profiles[browser.family];
  const applicable = profile.expected.filter((f) => browser.majorVersion === 0 ? f.since === 0 : browser.majorVersion >= f.since);
  const missing = applicable.filter((f) => !hasTlsFeature(hello, f.id)).map((f) => ({ id: f.id, label: TLS_FEATURE_LABELS[f.id], weight: f.weight }));
  const present = applicable.filter((f) => hasTlsFeature(hello, f.id)).map((f) => f.id);
  const foreign = profile.foreign
    .filter((f) => hello.extensions.includes(f.code))
    .map((f) => ({ code: f.code, label: FOREIGN_EXTENSION_LABELS[f.code] ?? `0x${f.code.toString(16).padStart(4, '0')}`, weight: f.weight }));
  const mismatchScore = [...missing, ...foreign].reduce((sum, f) => sum + f.weight, 0);
  return { browser, missing, foreign, present, mismatchScore };
}
