/**
 * Loads netready's configuration once: optional JSON file (`NETREADY_CONFIG`, else `./netready.config.json`),
 * then `NETREADY_*` environment overrides, validated by lib/config/schema.ts. A bad value stops start-up with
 * a ConfigError naming the field. This is the only module that reads process.env for configuration.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { ConfigSchema, type Config } from '../../lib/config/schema';

/** Why configuration could not be loaded. */
export type ConfigErrorCode = 'config_file_unreadable' | 'config_file_invalid_json' | 'config_invalid' | 'env_invalid';

/** A configuration problem; `message` names the file and the field. */
export class ConfigError extends Error {
  /** Machine-readable reason. */
  readonly code: ConfigErrorCode;
  constructor(code: ConfigErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ConfigError';
    this.code = code;
  }
}

/** How an environment variable's text becomes a config value; lists are comma-separated. */
type EnvValueType = 'string' | 'int' | 'intList' | 'stringList' | 'bool';

/**
 * Environment variables that override single config fields: name → [path, type].
 * Documented in README "Configuration".
 */
const ENV_OVERRIDES: Record<string, [string[], EnvValueType]> = {
  NETREADY_NAME: [['name'], 'string'],
  NETREADY_DATA_DIR: [['dataDir'], 'string'],
  NETREADY_WEB_HOST: [['web', 'host'], 'string'],
  NETREADY_WEB_PORT: [['web', 'port'], 'int'],
  NETREADY_MAX_RESULTS_PER_MINUTE: [['web', 'maxResultsPerMinute'], 'int'],
  NETREADY_MAX_RESULT_BYTES_PER_DAY: [['web', 'maxResultBytesPerDay'], 'int'],
  NETREADY_TRUSTED_PROXY_HOPS: [['web', 'trustedProxyHops'], 'int'],
  NETREADY_EMBED_ALLOWED_ORIGINS: [['embed', 'allowedOrigins'], 'stringList'],
  NETREADY_EMBED_DEMO_PORT: [['embed', 'demoPort'], 'int'],
  DATABASE_URL: [['database', 'url'], 'string'],
  NETREADY_RESULT_RETENTION_DAYS: [['results', 'retentionDays'], 'int'],
  NETREADY_RESULT_CLIENT_ADDRESSES: [['results', 'clientAddresses'], 'string'],
  NETREADY_SUPPORT_USERNAME: [['support', 'username'], 'string'],
  NETREADY_BRAND_LOGO_URL: [['brand', 'logoUrl'], 'string'],
  NETREADY_BRAND_ACCENT_COLOUR: [['brand', 'accentColour'], 'string'],
  NETREADY_BRAND_SUPPORT_CONTACT: [['brand', 'supportContact'], 'string'],
  NETREADY_SUPPORT_PASSWORD_HASH: [['support', 'passwordHash'], 'string'],
  NETREADY_PROBE_REGION: [['probe', 'region'], 'string'],
  NETREADY_BIND_IP: [['probe', 'bindIp'], 'string'],
  NETREADY_PUBLIC_IP: [['probe', 'publicIp'], 'string'],
  NETREADY_PUBLIC_HOST: [['probe', 'publicHost'], 'string'],
  NETREADY_PROBE_URL: [['probe', 'publicHttpUrl'], 'string'],
  NETREADY_PROBE_HTTPS_URL: [['probe', 'publicHttpsUrl'], 'string'],
  NETREADY_TURN_UDP_PORT: [['probe', 'turnUdp', 'port'], 'int'],
  NETREADY_TURN_TCP_PORT: [['probe', 'turnTcp', 'port'], 'int'],
  NETREADY_TURN_TLS_PORT: [['probe', 'turnTls', 'port'], 'int'],
  NETREADY_ICE_TCP_IP: [['probe', 'iceTcp', 'ip'], 'string'],
  NETREADY_ICE_TCP_PORT: [['probe', 'iceTcp', 'port'], 'int'],
  NETREADY_STUN_ALT_PORTS: [['probe', 'stunAltPorts'], 'intList'],
  // NAT behaviour (issue 11)
  NETREADY_STUN_ALT_IP: [['probe', 'stunAltIp'], 'string'],
  NETREADY_PUBLIC_IPV6: [['probe', 'publicIpv6'], 'string'],
  NETREADY_HTTP_PORT: [['probe', 'http', 'port'], 'int'],
  NETREADY_HTTPS_PORT: [['probe', 'https', 'port'], 'int'],
  NETREADY_MAX_CONNECTIONS: [['probe', 'connections', 'maxTotal'], 'int'],
  NETREADY_MAX_CONNECTIONS_PER_ADDRESS: [['probe', 'connections', 'maxPerAddress'], 'int'],
  NETREADY_MAX_LIVE_SESSIONS: [['probe', 'maxLiveSessions'], 'int'],
  NETREADY_OPS_IP: [['probe', 'ops', 'ip'], 'string'],
  NETREADY_OPS_PORT: [['probe', 'ops', 'port'], 'int'],
  NETREADY_OPS_ALLOW_FROM: [['ops', 'allowFrom'], 'stringList'],
  NETREADY_LOG_LEVEL: [['log', 'level'], 'string'],
  NETREADY_LOG_CLIENT_ADDRESSES: [['log', 'clientAddresses'], 'string'],
  NETREADY_RELAY_PORT_MIN: [['probe', 'relayPortMin'], 'int'],
  NETREADY_TURN_UDP_RECEIVE_BUFFER_BYTES: [['turn', 'udpReceiveBufferBytes'], 'int'],
  NETREADY_RELAY_PORT_MAX: [['probe', 'relayPortMax'], 'int'],
  NETREADY_PEER_PORT_MIN: [['probe', 'peerPortMin'], 'int'],
  NETREADY_PEER_PORT_MAX: [['probe', 'peerPortMax'], 'int'],
  // MTU ladder (probe.mtu)
  // Server capture (probe.capture, issue 20)
  NETREADY_CAPTURE_ENABLED: [['probe', 'capture', 'enabled'], 'bool'],
  NETREADY_CAPTURE_MAX_BYTES_PER_SESSION: [['probe', 'capture', 'maxBytesPerSession'], 'int'],
  NETREADY_CAPTURE_SNAP_LENGTH_BYTES: [['probe', 'capture', 'snapLengthBytes'], 'int'],
  NETREADY_CAPTURE_MAX_LIVE: [['probe', 'capture', 'maxLiveCaptures'], 'int'],
  NETREADY_MTU_ENABLED: [['probe', 'mtu', 'enabled'], 'bool'],
  NETREADY_MTU_FIRST_PORT: [['probe', 'mtu', 'firstPort'], 'int'],
  NETREADY_MTU_SIZES: [['probe', 'mtu', 'sizes'], 'intList'],
  NETREADY_MTU_FRAGMENT_SIZES: [['probe', 'mtu', 'fragmentSizes'], 'intList'],
  NETREADY_MTU_IPV6: [['probe', 'mtu', 'ipv6'], 'string'],
  NETREADY_QUALITY_BULK_RATE_KBPS: [['probe', 'quality', 'bulkRateKbps'], 'int'],
  NETREADY_QUALITY_MAX_CONCURRENT_BURSTS: [['probe', 'quality', 'maxConcurrentBursts'], 'int'],
  NETREADY_TURN_SECRET: [['turn', 'secret'], 'string'],
  NETREADY_TLS_CERT: [['tls', 'certFile'], 'string'],
  NETREADY_TLS_KEY: [['tls', 'keyFile'], 'string'],
  NETREADY_TLS_ZONE_CERT: [['tls', 'zoneCertFile'], 'string'],
  NETREADY_TLS_ZONE_KEY: [['tls', 'zoneKeyFile'], 'string'],
  // Setting any of these turns ACME on (tls.acme).
  NETREADY_ACME_DIRECTORY_URL: [['tls', 'acme', 'directoryUrl'], 'string'],
  NETREADY_ACME_EMAIL: [['tls', 'acme', 'email'], 'string'],
  NETREADY_ACME_DOMAINS: [['tls', 'acme', 'domains'], 'stringList'],
  NETREADY_ACME_CHALLENGE: [['tls', 'acme', 'challenge'], 'string'],
  NETREADY_ACME_TOS_AGREED: [['tls', 'acme', 'termsOfServiceAgreed'], 'bool'],
  NETREADY_BUDGET_MS: [['run', 'budgetMs'], 'int'],
  NETREADY_DNS_ZONE: [['dns', 'zone'], 'string'],
  NETREADY_DNS_IP: [['dns', 'listen', 'ip'], 'string'],
  NETREADY_DNS_PORT: [['dns', 'listen', 'port'], 'int'],
  NETREADY_DNS_ANSWER_IP: [['dns', 'answerIp'], 'string'],
  NETREADY_DNS_ANSWER_IPV6: [['dns', 'answerIpv6'], 'string'],
  NETREADY_GEOIP_MMDB: [['dns', 'geoipMmdb'], 'string'],
};

function setPath(target: Record<string, unknown>, keys: string[], value: unknown): void {
  let node = target;
  for (const key of keys.slice(0, -1)) {
    const next = node[key];
    if (typeof next !== 'object' || next === null || Array.isArray(next)) node[key] = {};
    node = node[key] as Record<string, unknown>;
  }
  node[keys[keys.length - 1]!] = value;
}

function parseEnvValue(name: string, raw: string, type: EnvValueType): unknown {
  if (type === 'string') return raw;
  if (type === 'stringList') return raw.split(',').map((item) => item.trim()).filter((item) => item !== '');
  if (type === 'bool') {
    if (/^(true|1|yes)$/i.test(raw.trim())) return true;
    if (/^(false|0|no)$/i.test(raw.trim())) return false;
    throw new ConfigError('env_invalid', `${name}: "${raw}" is not true or false`);
  }
  const toInt = (s: string): number => {
    if (!/^\d+$/.test(s.trim())) throw new ConfigError('env_invalid', `${name}: "${raw}" is not a whole number`);
    return Number(s.trim());
  };
  if (type === 'int') return toInt(raw);
  return raw.trim() === '' ? [] : raw.split(',').map(toInt);
}

/** Inputs of loadConfig; both default to the real process. */
export interface LoadConfigOptions {
  /** Environment to read. Default `process.env`. */
  env?: Record<string, string | undefined>;
  /** Directory relative paths are resolved against. Default `process.cwd()`. */
  cwd?: string;
}

/**
 * Reads, merges and validates the configuration. Throws ConfigError naming the offending field.
 * Relative `dataDir`, `tls.certFile`, `tls.keyFile`, `tls.zoneCertFile`, `tls.zoneKeyFile`, `tls.acme.caFile` and
 * `dns.geoipMmdb` are resolved against `cwd`.
 */
export function loadConfig(options: LoadConfigOptions = {}): Config {
  const env = options.env ?? process.env;
  const cwd = options.cwd ?? process.cwd();
  const explicit = env.NETREADY_CONFIG;
  const file = path.resolve(cwd, explicit ?? 'netready.config.json');
  let raw: Record<string, unknown> = {};
  if (explicit !== undefined || existsSync(/*turbopackIgnore: true*/ file)) {
    let text: string;
    try {
      text = readFileSync(/*turbopackIgnore: true*/ file, 'utf8');
    } catch (cause) {
      throw new ConfigError('config_file_unreadable', `cannot read config file ${file}: ${(cause as Error).message}`, { cause });
    }
    try {
      const parsed: unknown = JSON.parse(text);
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('top level must be an object');
      raw = parsed as Record<string, unknown>;
    } catch (cause) {
      throw new ConfigError('config_file_invalid_json', `config file ${file} is not valid JSON: ${(cause as Error).message}`, { cause });
    }
  }
  for (const [name, [keys, type]] of Object.entries(ENV_OVERRIDES)) {
    const value = env[name];
    if (value !== undefined && value !== '') setPath(raw, keys, parseEnvValue(name, value, type));
  }
  const result = ConfigSchema.safeParse(raw);
  if (!result.success) {
    const lines = result.error.issues.map((issue) => {
      const field = issue.path.join('.') || '(top level)';
      return `  ${field}: ${issue.message}`;
    });
    throw new ConfigError('config_invalid', `invalid netready configuration${existsSync(/*turbopackIgnore: true*/ file) ? ` (${file})` : ''}:\n${lines.join('\n')}`);
  }
  const config = result.data;
  config.dataDir = path.resolve(cwd, config.dataDir);
  if (config.tls.certFile) config.tls.certFile = path.resolve(cwd, config.tls.certFile);
  if (config.tls.keyFile) config.tls.keyFile = path.resolve(cwd, config.tls.keyFile);
  if (config.tls.zoneCertFile) config.tls.zoneCertFile = path.resolve(cwd, config.tls.zoneCertFile);
  if (config.tls.zoneKeyFile) config.tls.zoneKeyFile = path.resolve(cwd, config.tls.zoneKeyFile);
  if (config.dns.geoipMmdb) config.dns.geoipMmdb = path.resolve(cwd, config.dns.geoipMmdb);
  if (config.tls.acme?.caFile) config.tls.acme.caFile = path.resolve(cwd, config.tls.acme.caFile);
  if (Boolean(config.tls.certFile) !== Boolean(config.tls.keyFile)) {
    throw new ConfigError('config_invalid', 'invalid netready configuration:\n  tls: certFile and keyFile must be given together');
  }
  if (Boolean(config.tls.zoneCertFile) !== Boolean(config.tls.zoneKeyFile)) {
    throw new ConfigError('config_invalid', 'invalid netready configuration:\n  tls: zoneCertFile and zoneKeyFile must be given together');
  }
  if (config.tls.zoneCertFile && !config.dns.zone) {
    throw new ConfigError('config_invalid', 'invalid netready configuration:\n  tls.zoneCertFile: set only with dns.zone (it is served for the probe zone\'s names)');
  }
  return config;
}

/**
 * The public IP of a listener: its own `ip` when it is bound to a specific address (a listener given its own
 * address is meant to be reached there), else `probe.publicIp`.
 */
export function listenerPublicIp(config: Config, listener: { ip?: string | undefined }): string {
  return listener.ip && listener.ip !== '0.0.0.0' ? listener.ip : config.probe.publicIp;
}

/** The deployment's own public addresses: what `results.clientAddresses` never truncates or removes. */
export function deploymentAddresses(config: Config): string[] {
  const { probe, dns } = config;
  return [probe.publicIp, probe.bindIp, probe.publicIpv6, probe.stunAltIp, dns.answerIp, dns.answerIpv6].filter((address): address is string => typeof address === 'string' && address !== '0.0.0.0');
}

/**
 * The probe server's public HTTP API base URL (no trailing slash), as the browser reaches it. `port` overrides
 * the configured port (a listener bound to port 0 in tests).
 */
export function probePublicUrl(config: Config, port = config.probe.http.port): string {
  const url = config.probe.publicHttpUrl ?? `http://${listenerPublicIp(config, config.probe.http)}:${port}`;
  return url.replace(/\/+$/, '');
}

/** The probe server's public HTTPS base URL (no trailing slash); `port` as in probePublicUrl. */
export function probePublicHttpsUrl(config: Config, port = config.probe.https.port): string {
  const host = config.probe.publicHost ?? listenerPublicIp(config, config.probe.https);
  const url = config.probe.publicHttpsUrl ?? `https://${host}:${port}`;
  return url.replace(/\/+$/, '');
}
