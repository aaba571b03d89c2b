/**
 * The ClientHello features netready reports and compares, as plain JSON: what the TLS mirror returns to the
 * page (`GET /v1/tls/mirror`) and what the browser-profile comparison reads. Code points stay numbers; the
 * booleans name the features a browser's own TLS stack sends and a TLS-inspecting middlebox usually does not
 * (GREASE, ALPS, certificate compression, ECH, post-quantum key exchange).
 */
import type { ClientHello } from './client-hello';
import { EXT, GROUP, isGrease } from './constants';

/** JSON summary of a ClientHello (all lists in wire order, GREASE included). */
export interface ClientHelloSummary {
  /** Highest version offered (supported_versions without GREASE, else legacy_version), e.g. 0x0304. */
  maxVersion: number;
  legacyVersion: number;
  supportedVersions: number[];
  cipherSuites: number[];
  /** Extension code points in wire order. */
  extensions: number[];
  supportedGroups: number[];
  keyShareGroups: number[];
  signatureAlgorithms: number[];
  alpn: string[];
  serverName: string | null;
  certificateCompressionAlgorithms: number[];
  /** RFC 8701 GREASE seen, per list. */
  grease: { cipherSuites: boolean; extensions: boolean; supportedGroups: boolean; supportedVersions: boolean; keyShare: boolean };
  /** ALPS (application_settings, 0x44cd or the old 0x4469) present. */
  alps: boolean;
  /** compress_certificate (RFC 8879) present. */
  compressCertificate: boolean;
  /** encrypted_client_hello (0xfe0d) present — a GREASE ECH when the client has no ECH config for the host. */
  encryptedClientHello: boolean;
  /** X25519MLKEM768 (0x11ec) offered in supported_groups. */
  postQuantumKeyShare: boolean;
  /** Size of the ClientHello handshake message in bytes. */
  sizeBytes: number;
}

/** Summarises a decoded ClientHello; `sizeBytes` is the handshake message length. */
export function summarizeClientHello(hello: ClientHello, sizeBytes: number): ClientHelloSummary {
  const extensions = hello.extensions.map((e) => e.type);
  const supportedVersions = hello.supportedVersions ?? [];
  const realVersions = supportedVersions.filter((v) => !isGrease(v));
  const groups = hello.supportedGroups ?? [];
  return {
    maxVersion: realVersions.length > 0 ? Math.max(...realVersions) : hello.legacyVersion,
    legacyVersion: hello.legacyVersion,
    supportedVersions,
    cipherSuites: hello.cipherSuites,
    extensions,
    supportedGroups: groups,
    keyShareGroups: hello.keyShareGroups ?? [],
    signatureAlgorithms: hello.signatureAlgorithms ?? [],
    alpn: hello.alpn ?? [],
    serverName: hello.serverName ?? null,
    certificateCompressionAlgorithms: hello.certificateCompressionAlgorithms ?? [],
    grease: {
      cipherSuites: hello.cipherSuites.some(isGrease),
      extensions: extensions.some(isGrease),
      supportedGroups: groups.some(isGrease),
      supportedVersions: supportedVersions.some(isGrease),
      keyShare: (hello.keyShareGroups ?? []).some(isGrease),
    },
    alps: extensions.includes(EXT.ALPS) || extensions.includes(EXT.ALPS_OLD),
    compressCertificate: extensions.includes(EXT.COMPRESS_CERTIFICATE),
    encryptedClientHello: extensions.includes(EXT.ENCRYPTED_CLIENT_HELLO),
    postQuantumKeyShare: groups.includes(GROUP.X25519MLKEM768),
    sizeBytes,
  };
}
