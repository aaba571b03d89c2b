/**
 * Which servers a run talked to, read from its result JSON (issue 20, "Capture it yourself"): the probe server's
 * addresses and host names, the ports of each listener (STUN/TURN over UDP, TCP and TLS, HTTP(S), ICE-TCP, the MTU
 * ladder, the NAT endpoints), the relay and media-peer ports this run was given, the DNS zone and the vendor
 * targets. Pure: the capture filters and command lines (capture-filters.ts, capture-commands.ts) are built from it.
 *
 * A result may come from anyone through a share link, and what is read here ends up in command lines a person pastes
 * into a shell. So only strict IP literals, host names (letters, digits, hyphens, dots) and port numbers are taken;
 * anything else is left out and counted in `rejected`.
 */
import type { Result } from '../schema/result';

/** What a listener of netready's is for, as a capture reader needs to know it. */
export type ServerRole =
  | 'api'
  | 'stun-turn'
  | 'stun-alternate'
  | 'vendor-media'
  | 'turn-tls'
  | 'tls-mirror'
  | 'echo'
  | 'websocket'
  | 'dns-lookup'
  | 'ice-tcp'
  | 'mtu'
  | 'nat'
  | 'relay'
  | 'media-peer';

/** One port of a server, as the run named it. */
export interface ServerPort {
  role: ServerRole;
  transport: 'udp' | 'tcp';
  /** TLS on top of TCP (TURN over TLS, HTTPS, wss). */
  tls: boolean;
  port: number;
  /** The host as the run named it: an IP literal (IPv6 without brackets) or a host name. */
  host: string;
  /** The vendor target this port stands for (role `vendor-media`). */
  target?: string;
}

/** A host name the run used, and the address it stands for when the result records it. */
export interface ServerName {
  name: string;
  /** The address, when the result says which one (e.g. `turn.<zone>` and the TURN URL by IP of the same pair). */
  address?: string;
}

/** The servers of one run. */
export interface RunServers {
  /** IP literals of netready's servers the run reached, IPv4 first, each once. */
  addresses: string[];
  /** Host names the run used (the DNS zone's lookup names collapse into `zone`). */
  names: ServerName[];
  /** The probe DNS zone (`dns.zone`), when the DNS checks ran. */
  zone?: string;
  /** Every port, one entry per (role, transport, port, host), sorted by role then port. */
  ports: ServerPort[];
  /** Vendor host names (config `targets[].hosts`) the run fetched. */
  vendorHosts: Array<{ target: string; host: string }>;
  /** Names of the vendor targets the run covered. */
  vendorTargets: string[];
  /** Whether a regions probe measured other nodes, whose addresses the result does not record. */
  otherRegions: boolean;
  /** How many values were left out because they were not a plain address, host name or port. */
  rejected: number;
}

const IPV4 = /^(25[0-5]|2[0-4]\d|1?\d?\d)(\.(25[0-5]|2[0-4]\d|1?\d?\d)){3}$/;
const IPV6 = /^[0-9A-Fa-f:.]{2,45}$/;
const HOST_NAME = /^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/;

/** Whether `text` is an IPv4 address in dotted-quad form. */
export function isIpv4(text: string): boolean {
  return IPV4.test(text);
}

/** Whether `text` is an IPv6 address (no brackets, no zone id): hex groups and colons, exactly one `::` at most. */
export function isIpv6(text: string): boolean {
  if (!IPV6.test(text) || !text.includes(':') || text.split('::').length > 2) return false;
  const groups = text.split(':');
  return groups.length <= 8 && groups.every((group, i) => group === '' || /^[0-9A-Fa-f]{1,4}$/.test(group) || (i === groups.length - 1 && isIpv4(group)));
}

/** Whether `text` is a host name safe to put in a filter or a command line (letters, digits, hyphens, dots). */
export function isHostName(text: string): boolean {
  return HOST_NAME.test(text) && !isIpv4(text) && /[A-Za-z]/.test(text);
}

function isPort(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 1 && value <= 65535;
}

function record(value: unknown): Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

function list(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

/** Host, port and scheme of a `stun:`/`turn:`/`turns:`/`http(s):`/`ws(s):` URL; null when it is none of them. */
export function parseServerUrl(url: string): { scheme: string; host: string; port: number } | null {
  const ice = /^(stuns?|turns?):(\[[^\]]*\]|[^:?/]*)(?::(\d{1,5}))?(?:\?transport=(udp|tcp))?$/.exec(url);
  if (ice) {
    const scheme = ice[1]!;
    const port = ice[3] ? Number(ice[3]) : scheme.endsWith('s') ? 5349 : 3478;
    return { scheme: ice[4] === 'tcp' && scheme === 'turn' ? 'turn-tcp' : scheme, host: ice[2]!.replace(/^\[|\]$/g, ''), port };
  }
  const web = /^(https?|wss?):\/\/(\[[^\]]*\]|[^:/?#]*)(?::(\d{1,5}))?(?:[/?#]|$)/.exec(url);
  if (!web) return null;
  const scheme = web[1]!;
  const port = web[3] ? Number(web[3]) : scheme === 'https' || scheme === 'wss' ? 443 : 80;
  return { scheme, host: web[2]!.replace(/^\[|\]$/g, ''), port };
}

const ROLE_ORDER: ServerRole[] = ['api', 'stun-turn', 'turn-tls', 'stun-alternate', 'vendor-media', 'nat', 'mtu', 'tls-mirror', 'echo', 'websocket', 'dns-lookup', 'ice-tcp', 'relay', 'media-peer'];

/** Collects the servers of `result` (see the module comment). */
export function readRunServers(result: Result): RunServers {
  const ports = new Map<string, ServerPort>();
  const addresses = new Set<string>();
  const names = new Map<string, ServerName>();
  let rejected = 0;
  const probe = (id: string): Record<string, unknown> => record(result.probes[id]?.data);

  const zone = (() => {
    const named = text(probe('dns-lookup').zone);
    if (named === undefined) return undefined;
    if (isHostName(named)) return named.toLowerCase();
    rejected += 1;
    return undefined;
  })();
  /** Takes a host as the run named it: an address, a host name, or (anything else) nothing. */
  const acceptHost = (host: string, role: ServerRole | undefined): string | null => {
    if (isIpv4(host) || isIpv6(host)) {
      addresses.add(host.toLowerCase());
      return host.toLowerCase();
    }
    if (isHostName(host)) {
      const name = host.toLowerCase();
      // Each DNS lookup uses a fresh label of the zone: the zone stands for them all.
      if (role === 'dns-lookup' && zone && name.endsWith(`.${zone}`)) return zone;
      if (!names.has(name)) names.set(name, { name });
      return name;
    }
    rejected += 1;
    return null;
  };
  const add = (role: ServerRole, transport: 'udp' | 'tcp', tls: boolean, host: string, port: unknown, target?: string): void => {
    if (!isPort(port)) {
      rejected += 1;
      return;
    }
    const accepted = acceptHost(host, role);
    if (accepted === null) return;
    const key = `${role}|${transport}|${port}|${accepted}`;
    if (ports.has(key)) return;
    const safeTarget = target !== undefined && /^[^\u0000-\u001f"'`$\\]{1,100}$/.test(target) ? target : undefined;
    ports.set(key, { role, transport, tls, port, host: accepted, ...(safeTarget ? { target: safeTarget } : {}) });
  };
  const addUrl = (url: unknown, role?: ServerRole, target?: string): void => {
    const parsed = typeof url === 'string' ? parseServerUrl(url) : null;
    if (!parsed) {
      if (url !== undefined) rejected += 1;
      return;
    }
    const { scheme, host, port } = parsed;
    if (scheme === 'stun' || scheme === 'turn') add(role ?? 'stun-turn', 'udp', false, host, port, target);
    else if (scheme === 'turn-tcp') add('stun-turn', 'tcp', false, host, port);
    else if (scheme === 'turns' || scheme === 'stuns') add('turn-tls', 'tcp', true, host, port);
    else add(role ?? 'api', 'tcp', scheme === 'https' || scheme === 'wss', host, port);
  };

  if (result.config.probeUrl !== undefined) addUrl(result.config.probeUrl, 'api');
  const session = probe('session');
  for (const entry of list(session.stun)) {
    const endpoint = record(entry);
    const role = endpoint.role === 'vendor' ? 'vendor-media' : endpoint.role === 'alternate' ? 'stun-alternate' : 'stun-turn';
    addUrl(endpoint.url, role, text(endpoint.target));
  }
  for (const entry of list(session.turn)) addUrl(record(entry).url);
  addUrl(probe('tls-mirror').url, 'tls-mirror');
  addUrl(probe('proxy-echo').url, 'echo');
  for (const attempt of list(probe('websocket').attempts)) addUrl(record(attempt).url, 'websocket');
  for (const attempt of list(probe('dns-lookup').attempts)) addUrl(record(attempt).url, 'dns-lookup');
  for (const endpoint of list(probe('nat').endpoints)) addUrl(record(endpoint).url, 'nat');
  for (const path of list(probe('mtu').paths)) {
    for (const rung of [...list(record(path).rungs), ...list(record(path).fragmentRungs)]) {
      const url = record(rung).url;
      // A rung through TURN names the TURN URL; only the direct rungs are ladder ports of their own.
      if (typeof url === 'string' && url.startsWith('stun:')) addUrl(url, 'mtu');
    }
  }
  const iceTcp = probe('ice-tcp');
  if (typeof iceTcp.host === 'string') add('ice-tcp', 'tcp', false, iceTcp.host, iceTcp.port);

  // The TURN host name of the DNS checks: each pair tried the same TURN server by name and by IP.
  const turnLookup = probe('dns-turn-lookup');
  for (const entry of list(turnLookup.pairs)) {
    const pair = record(entry);
    const byName = text(record(pair.byName).url);
    const byIp = text(record(pair.byIp).url);
    addUrl(byName);
    addUrl(byIp);
    const nameHost = byName ? parseServerUrl(byName)?.host.toLowerCase() : undefined;
    const ipHost = byIp ? parseServerUrl(byIp)?.host.toLowerCase() : undefined;
    const named = nameHost ? names.get(nameHost) : undefined;
    if (named && ipHost && (isIpv4(ipHost) || isIpv6(ipHost))) named.address = ipHost;
  }

  // Relays (the TURN server's relayed transport addresses) and the media peer's candidates this run was given.
  for (const id of ['turn-udp', 'turn-tcp', 'turn-tls']) {
    const data = probe(id);
    const relay = record(data.relay);
    if (typeof relay.address === 'string') add('relay', 'udp', false, relay.address, relay.port);
    const remote = record(record(data.selectedPair).remote);
    if (remote.candidateType === 'host' && typeof remote.address === 'string') add('media-peer', 'udp', false, remote.address, remote.port);
  }
  for (const remote of [record(record(probe('media-quality').path).remote), record(record(probe('interfaces').selected).remote)]) {
    if (remote.candidateType === 'host' && remote.protocol !== 'tcp' && typeof remote.address === 'string') add('media-peer', 'udp', false, remote.address, remote.port);
  }

  const vendorHosts: RunServers['vendorHosts'] = [];
  for (const entry of list(probe('dns-vendor-hosts').hosts)) {
    const { target, host } = record(entry);
    if (typeof host !== 'string' || typeof target !== 'string') continue;
    if (isHostName(host) && /^[^\u0000-\u001f"'`$\\]{1,100}$/.test(target)) vendorHosts.push({ target, host: host.toLowerCase() });
    else rejected += 1;
  }
  const vendorTargets = [...new Set([...[...ports.values()].flatMap((p) => (p.target ? [p.target] : [])), ...vendorHosts.map((v) => v.target)])];
  const regionsStatus = result.probes.regions?.status;

  const sortedAddresses = [...addresses].sort((a, b) => Number(isIpv6(a)) - Number(isIpv6(b)) || a.localeCompare(b));
  return {
    addresses: sortedAddresses,
    names: [...names.values()].filter((n) => !(zone && n.name === zone)).sort((a, b) => a.name.localeCompare(b.name)),
    ...(zone ? { zone } : {}),
    ports: [...ports.values()].sort((a, b) => ROLE_ORDER.indexOf(a.role) - ROLE_ORDER.indexOf(b.role) || a.port - b.port || a.transport.localeCompare(b.transport)),
    vendorHosts,
    vendorTargets,
    otherRegions: regionsStatus !== undefined && regionsStatus !== 'skipped',
    rejected,
  };
}
