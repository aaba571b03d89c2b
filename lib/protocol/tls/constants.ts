/**
 * Wire constants of TLS records and the ClientHello, named after their RFCs, plus the small name tables the
 * mirror reports use. Values are the IANA "TLS Parameters" registry entries.
 */

/** RFC 8446 §5.1: TLSPlaintext.type for handshake messages. */
export const CONTENT_TYPE_HANDSHAKE = 22;
/** RFC 8446 §5.1: a TLSPlaintext fragment is at most 2^14 bytes. */
export const MAX_RECORD_FRAGMENT = 16384;
/** RFC 8446 §5.1: record header = type(1) + legacy_record_version(2) + length(2). */
export const RECORD_HEADER_BYTES = 5;
/** RFC 8446 §4: HandshakeType client_hello. */
export const HANDSHAKE_CLIENT_HELLO = 1;
/** RFC 8446 §4: handshake header = msg_type(1) + length(3). */
export const HANDSHAKE_HEADER_BYTES = 4;

/** Extension code points (IANA TLS ExtensionType Values) the mirror looks at by name. */
export const EXT = {
  /** RFC 6066 §3 */
  SERVER_NAME: 0x0000,
  /** RFC 6066 §8 */
  STATUS_REQUEST: 0x0005,
  /** RFC 8422 §5.1.1 / RFC 8446 §4.2.7 */
  SUPPORTED_GROUPS: 0x000a,
  /** RFC 8422 §5.1.2 */
  EC_POINT_FORMATS: 0x000b,
  /** RFC 8446 §4.2.3 */
  SIGNATURE_ALGORITHMS: 0x000d,
  /** RFC 7301 §3.1 */
  ALPN: 0x0010,
  /** RFC 6962 §3.3.1 */
  SIGNED_CERTIFICATE_TIMESTAMP: 0x0012,
  /** RFC 7685 */
  PADDING: 0x0015,
  /** RFC 7366 */
  ENCRYPT_THEN_MAC: 0x0016,
  /** RFC 7627 */
  EXTENDED_MASTER_SECRET: 0x0017,
  /** RFC 8879 §3 */
  COMPRESS_CERTIFICATE: 0x001b,
  /** RFC 8449 §4 */
  RECORD_SIZE_LIMIT: 0x001c,
  /** RFC 9345 §4.1.1 */
  DELEGATED_CREDENTIAL: 0x0022,
  /** RFC 5077 */
  SESSION_TICKET: 0x0023,
  /** RFC 8446 §4.2.11 */
  PRE_SHARED_KEY: 0x0029,
  /** RFC 8446 §4.2.10 */
  EARLY_DATA: 0x002a,
  /** RFC 8446 §4.2.1 */
  SUPPORTED_VERSIONS: 0x002b,
  /** RFC 8446 §4.2.9 */
  PSK_KEY_EXCHANGE_MODES: 0x002d,
  /** RFC 8446 §4.2.6 */
  POST_HANDSHAKE_AUTH: 0x0031,
  /** RFC 8446 §4.2.8 */
  KEY_SHARE: 0x0033,
  /** draft-vvv-tls-alps (old code point, Chrome ≤ 130) */
  ALPS_OLD: 0x4469,
  /** draft-vvv-tls-alps (new code point, Chrome ≥ 131) */
  ALPS: 0x44cd,
  /** draft-ietf-tls-esni (Encrypted ClientHello, outer extension; browsers send a GREASE one when no ECH config) */
  ENCRYPTED_CLIENT_HELLO: 0xfe0d,
  /** RFC 5746 §3.2 */
  RENEGOTIATION_INFO: 0xff01,
} as const;

/** Named groups (IANA TLS Supported Groups) the mirror names. */
export const GROUP = {
  SECP256R1: 0x0017,
  SECP384R1: 0x0018,
  SECP521R1: 0x0019,
  X25519: 0x001d,
  X448: 0x001e,
  FFDHE2048: 0x0100,
  /** draft-kwiatkowski-tls-ecdhe-mlkem: hybrid post-quantum key exchange (Chrome ≥ 131, Firefox ≥ 132). */
  X25519MLKEM768: 0x11ec,
  /** draft-tls-westerbaan-xyber768d00 (Chrome 124–130). */
  X25519KYBER768_DRAFT00: 0x6399,
} as const;

/** RFC 8446 §4.2.1 versions by wire value, with the two-character JA4 spelling. */
export const VERSION_NAMES: Readonly<Record<number, { name: string; ja4: string }>> = {
  0x0002: { name: 'SSL 2.0', ja4: 's2' },
  0x0300: { name: 'SSL 3.0', ja4: 's3' },
  0x0301: { name: 'TLS 1.0', ja4: '10' },
  0x0302: { name: 'TLS 1.1', ja4: '11' },
  0x0303: { name: 'TLS 1.2', ja4: '12' },
  0x0304: { name: 'TLS 1.3', ja4: '13' },
  0xfeff: { name: 'DTLS 1.0', ja4: 'd1' },
  0xfefd: { name: 'DTLS 1.2', ja4: 'd2' },
  0xfefc: { name: 'DTLS 1.3', ja4: 'd3' },
};

/** Names of extensions for evidence text (unknown ones are shown as hex). */
export const EXTENSION_NAMES: Readonly<Record<number, string>> = {
  [EXT.SERVER_NAME]: 'server_name',
  [EXT.STATUS_REQUEST]: 'status_request',
  [EXT.SUPPORTED_GROUPS]: 'supported_groups',
  [EXT.EC_POINT_FORMATS]: 'ec_point_formats',
  [EXT.SIGNATURE_ALGORITHMS]: 'signature_algorithms',
  [EXT.ALPN]: 'application_layer_protocol_negotiation',
  [EXT.SIGNED_CERTIFICATE_TIMESTAMP]: 'signed_certificate_timestamp',
  [EXT.PADDING]: 'padding',
  [EXT.ENCRYPT_THEN_MAC]: 'encrypt_then_mac',
  [EXT.EXTENDED_MASTER_SECRET]: 'extended_master_secret',
  [EXT.COMPRESS_CERTIFICATE]: 'compress_certificate',
  [EXT.RECORD_SIZE_LIMIT]: 'record_size_limit',
  [EXT.DELEGATED_CREDENTIAL]: 'delegated_credential',
  [EXT.SESSION_TICKET]: 'session_ticket',
  [EXT.PRE_SHARED_KEY]: 'pre_shared_key',
  [EXT.EARLY_DATA]: 'early_data',
  [EXT.SUPPORTED_VERSIONS]: 'supported_versions',
  [EXT.PSK_KEY_EXCHANGE_MODES]: 'psk_key_exchange_modes',
  [EXT.POST_HANDSHAKE_AUTH]: 'post_handshake_auth',
  [EXT.KEY_SHARE]: 'key_share',
  [EXT.ALPS_OLD]: 'application_settings (old)',
  [EXT.ALPS]: 'application_settings',
  [EXT.ENCRYPTED_CLIENT_HELLO]: 'encrypted_client_hello',
  [EXT.RENEGOTIATION_INFO]: 'renegotiation_info',
};

/** Names of named groups for evidence text. */
export const GROUP_NAMES: Readonly<Record<number, string>> = {
  [GROUP.SECP256R1]: 'secp256r1',
  [GROUP.SECP384R1]: 'secp384r1',
  [GROUP.SECP521R1]: 'secp521r1',
  [GROUP.X25519]: 'x25519',
  [GROUP.X448]: 'x448',
  [GROUP.FFDHE2048]: 'ffdhe2048',
  [GROUP.X25519MLKEM768]: 'X25519MLKEM768',
  [GROUP.X25519KYBER768_DRAFT00]: 'X25519Kyber768Draft00',
};

/**
 * RFC 8701 §2: GREASE values for cipher suites, extensions, named groups, signature algorithms and versions
 * are {0x0A0A, 0x1A1A, …, 0xFAFA}: both bytes equal, low nibble 0xA.
 */
export function isGrease(value: number): boolean {
  return (value & 0x0f0f) === 0x0a0a && value >> 8 === (value & 0xff);
}

/** `0x002b`-style hex of a 16-bit code point. */
export function hex16(value: number): string {
  return `0x${value.toString(16).padStart(4, '0')}`;
}
