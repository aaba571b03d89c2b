/**
 * Capture filters (libpcap/BPF, for `dumpcap -f`) and Wireshark display filters for one run's servers (issue 20).
 *
 * The capture filter matches by address: a new run gets other relay and media-peer ports (the result records the
 * ones this run was given, not the ranges they come from), and BPF cannot match a host name. DNS is captured whole
 * (`port 53`): the lookups go to the computer's resolver, not to netready, and only the display filter can pick the
 * zone's names out of them. Display filters use the syntax of Wireshark 4.0 and later (comma-separated sets).
 */
import { isIpv6, type RunServers, type ServerPort } from './run-servers';

/** A set of ports in display-filter syntax, consecutive runs as ranges: `{3478, 3490..3499}`. */
export function portSet(ports: readonly number[]): string {
  const sorted = [...new Set(ports)].sort((a, b) => a - b);
  const parts: string[] = [];
  for (let i = 0; i < sorted.length; i += 1) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j]! + 1) j += 1;
    // Two neighbours read better as themselves; three or more as a range.
    if (j - i >= 2) parts.push(`${sorted[i]}..${sorted[j]}`);
    else for (let k = i; k <= j; k += 1) parts.push(String(sorted[k]));
    i = j;
  }
  return `{${parts.join(', ')}}`;
}

/** `ip.addr == a` or `ipv6.addr == a`. */
export function addressClause(address: string): string {
  return `${isIpv6(address) ? 'ipv6' : 'ip'}.addr == ${address}`;
}

/** DNS queries and TLS server names for a name, exactly or (`under`) with everything under it. */
export function nameClauses(name: string, under: boolean): string[] {
  return under
    ? [`dns.qry.name contains "${name}"`, `tls.handshake.extensions_server_name contains "${name}"`]
    : [`dns.qry.name == "${name}"`, `tls.handshake.extensions_server_name == "${name}"`];
}

/** The BPF capture filter: every packet to or from the run's server addresses, and DNS. */
export function captureFilter(servers: RunServers): string {
  const hosts = servers.addresses.map((address) => `host ${address}`);
  if (hosts.length > 0) return [...hosts, 'port 53'].join(' or ');
  // No address recorded (the session never opened): the ports the run named are all there is to match.
  const byPort = [...new Set(servers.ports.map((p) => `${p.transport} port ${p.port}`))];
  return [...byPort, 'port 53'].join(' or ');
}

/** The display filter: the run's server addresses, the zone's DNS names and TLS server names, other names used. */
export function displayFilter(servers: RunServers): string {
  const zone = servers.zone;
  const outsideZone = (name: string): boolean => !zone || (name !== zone && !name.endsWith(`.${zone}`));
  const names = [...servers.names.map((n) => n.name), ...servers.vendorHosts.map((v) => v.host)].filter(outsideZone);
  const clauses = [
    ...servers.addresses.map(addressClause),
    ...(zone ? nameClauses(zone, true) : []),
    ...[...new Set(names)].flatMap((name) => nameClauses(name, false)),
  ];
  return clauses.length > 0 ? clauses.join(' || ') : 'dns';
}

/** The address a port's host stands for: the host itself, or the recorded address of its name. */
function addressOf(servers: RunServers, port: ServerPort): string | undefined {
  if (servers.addresses.includes(port.host)) return port.host;
  return servers.names.find((n) => n.name === port.host)?.address;
}

/**
 * netready's fixed listeners only (STUN/TURN, TLS, HTTP(S), ICE-TCP, MTU ladder, NAT endpoints), per address: for a
 * server address that carries other traffic too, or a capture on loopback. Relay and media-peer ports are left out
 * (a new run gets others). Null when no listener has a known address.
 */
export function listenersDisplayFilter(servers: RunServers): string | null {
  const byAddress = new Map<string, { udp: number[]; tcp: number[] }>();
  for (const port of servers.ports) {
    if (port.role === 'relay' || port.role === 'media-peer') continue;
    const address = addressOf(servers, port);
    if (!address) continue;
    const entry = byAddress.get(address) ?? { udp: [], tcp: [] };
    entry[port.transport].push(port.port);
    byAddress.set(address, entry);
  }
  const clauses = [...byAddress].map(([address, { udp, tcp }]) => {
    const ports = [...(udp.length > 0 ? [`udp.port in ${portSet(udp)}`] : []), ...(tcp.length > 0 ? [`tcp.port in ${portSet(tcp)}`] : [])];
    return `(${addressClause(address)} && ${ports.length > 1 ? `(${ports.join(' || ')})` : ports[0]})`;
  });
  return clauses.length > 0 ? clauses.join(' || ') : null;
}
