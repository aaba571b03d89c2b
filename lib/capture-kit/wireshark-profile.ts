/**
 * netready's Wireshark configuration profile (issue 20): display filter buttons for the troubleshooter's shortcuts
 * (DNS, STUN, the proxy's CONNECT, denoise, the TLS Client Hello, TCP retransmissions and duplicate ACKs, ICMP
 * "fragmentation needed" / ICMPv6 "packet too big", RTCP, and "this netready session"), the same as saved filters,
 * columns (delta time displayed, time since the previous frame of the TCP/UDP stream, TLS SNI, STUN message type),
 * colouring rules, and a note on adding a MaxMind GeoIP database. Served as `/wireshark-profile.zip` with the
 * deployment's own ports, addresses and zone (app/wireshark-profile.zip/route.ts); `deploy/wireshark/netready/` is the
 * same profile for the default configuration (a test keeps the two equal).
 *
 * File formats (Wireshark 4.0, the Qt GUI's): `dfilter_buttons` and other UAT files hold one record per line, fields
 * in double quotes separated by commas, a `"` inside a field written `\x22`; `dfilters` is `"name" filter` per line;
 * `colorfilters` is `@name@filter@[fg r,g,b][bg r,g,b]` with 16-bit colour components; `preferences` is `name: value`.
 */
import type { Config } from '../config/schema';
import { addressClause, nameClauses, portSet } from './capture-filters';
import { isHostName, isIpv4, isIpv6, parseServerUrl, type RunServers } from './run-servers';

/** The profile's folder name, and so its name in Wireshark's profile list. */
export const PROFILE_NAME = 'netready';

/** What "this netready session" matches: the servers' addresses and ports, and the DNS zone. */
export interface SessionScope {
  addresses: string[];
  udpPorts: number[];
  tcpPorts: number[];
  zone?: string;
  /** Host names of the servers outside the zone (probe.publicHost …). */
  names: string[];
  /** TCP ports of netready's HTTPS listener (decoded as TLS, then HTTP). */
  httpsPorts: number[];
  /** Where the scope comes from, for the README: "the deployment's configuration" or "result <id>". */
  source: string;
}

/** One filter button (and saved filter). */
export interface FilterButton {
  label: string;
  filter: string;
  comment: string;
}

/** One colouring rule: 16-bit RGB foreground and background. */
export interface ColourRule {
  name: string;
  filter: string;
  foreground: [number, number, number];
  background: [number, number, number];
}

function range(min: number, max: number): number[] {
  return min > 0 && max >= min ? Array.from({ length: max - min + 1 }, (_, i) => min + i) : [];
}

/** The deployment's servers as configured: every listener, the relay and media-peer ranges, the zone. */
export function scopeFromConfig(config: Config): SessionScope {
  const { probe, dns } = config;
  const addresses = new Set<string>();
  const names = new Set<string>();
  const tcpPorts: number[] = [probe.turnTcp.port, probe.turnTls.port, probe.http.port, probe.https.port, probe.iceTcp.port];
  const httpsPorts: number[] = [probe.https.port];
  const addHost = (host: string | undefined): void => {
    if (!host || host === '0.0.0.0') return;
    if (isIpv4(host) || isIpv6(host)) addresses.add(host.toLowerCase());
    else if (isHostName(host) && !(dns.zone && (host === dns.zone || host.endsWith(`.${dns.zone}`)))) names.add(host.toLowerCase());
  };
  for (const host of [probe.publicIp, probe.stunAltIp, probe.publicIpv6, probe.mtu.ipv6, dns.answerIp, probe.publicHost]) addHost(host);
  for (const url of [probe.publicHttpUrl, probe.publicHttpsUrl]) {
    const parsed = url ? parseServerUrl(url) : null;
    if (parsed) {
      addHost(parsed.host);
      tcpPorts.push(parsed.port);
      if (parsed.scheme === 'https') httpsPorts.push(parsed.port);
    }
  }
  const mtu = probe.mtu;
  const mtuPorts = mtu.enabled && mtu.firstPort !== 0 ? range(mtu.firstPort, mtu.firstPort + mtu.sizes.length + mtu.fragmentSizes.length - 1) : [];
  const udpPorts = [
    probe.turnUdp.port,
    ...probe.stunAltPorts,
    ...config.targets.flatMap((t) => t.mediaUdpPorts),
    ...mtuPorts,
    ...range(probe.relayPortMin, probe.relayPortMax),
    ...range(probe.peerPortMin, probe.peerPortMax),
  ];
  const sorted = (ports: number[]): number[] => [...new Set(ports.filter((p) => p > 0))].sort((a, b) => a - b);
  return {
    addresses: [...addresses].sort((a, b) => Number(isIpv6(a)) - Number(isIpv6(b)) || a.localeCompare(b)),
    udpPorts: sorted(udpPorts),
    tcpPorts: sorted(tcpPorts),
    ...(dns.zone ? { zone: dns.zone.toLowerCase() } : {}),
    names: [...names].sort(),
    httpsPorts: sorted(httpsPorts),
    source: "the configuration of the netready deployment it came from (the copy in netready's repository, deploy/wireshark/, is for the default configuration)",
  };
}

/** The deployment's scope narrowed to one result's server addresses and names (`?result=<id>`); ports stay the deployment's. */
export function scopeForResult(config: Config, servers: RunServers, shareId: string): SessionScope {
  const base = scopeFromConfig(config);
  const listenerPorts = (transport: 'udp' | 'tcp'): number[] => servers.ports.filter((p) => p.transport === transport && p.role !== 'relay' && p.role !== 'media-peer').map((p) => p.port);
  const zone = servers.zone ?? base.zone;
  return {
    addresses: servers.addresses.length > 0 ? servers.addresses : base.addresses,
    udpPorts: [...new Set([...base.udpPorts, ...listenerPorts('udp')])].sort((a, b) => a - b),
    tcpPorts: [...new Set([...base.tcpPorts, ...listenerPorts('tcp')])].sort((a, b) => a - b),
    ...(zone ? { zone } : {}),
    names: servers.names.map((n) => n.name).filter((name) => !(zone && (name === zone || name.endsWith(`.${zone}`)))),
    httpsPorts: [...new Set([...base.httpsPorts, ...servers.ports.filter((p) => p.tls && p.role !== 'turn-tls').map((p) => p.port)])].sort((a, b) => a - b),
    source: `the addresses of result ${shareId}`,
  };
}

/** The "this netready session" display filter: the servers' ports on their addresses, and the zone's names. */
export function sessionFilter(scope: SessionScope): string {
  const ports = [...(scope.udpPorts.length > 0 ? [`udp.port in ${portSet(scope.udpPorts)}`] : []), ...(scope.tcpPorts.length > 0 ? [`tcp.port in ${portSet(scope.tcpPorts)}`] : [])];
  const portClause = ports.length > 1 ? `(${ports.join(' || ')})` : (ports[0] ?? '');
  const hosts = scope.addresses.map(addressClause);
  const hostClause = hosts.length > 1 ? `(${hosts.join(' || ')})` : (hosts[0] ?? '');
  const servers = hostClause && portClause ? `(${hostClause} && ${portClause})` : hostClause || portClause;
  const names = [...(scope.zone ? nameClauses(scope.zone, true) : []), ...scope.names.flatMap((name) => nameClauses(name, false))];
  return [servers, ...names].filter((clause) => clause !== '').join(' || ') || 'stun';
}

/** Traffic that is rarely the problem on a call: address resolution, discovery and link-local name services. */
export const DENOISE_FILTER = '!(arp || ssdp || llmnr || mdns || nbns || browser || lldp || cdp || stp || igmp || dhcp || dhcpv6 || icmpv6.type in {133..137})';
/** ICMP "fragmentation needed" (RFC 792, type 3 code 4) and ICMPv6 "packet too big" (RFC 4443, type 2): path MTU. */
export const TOO_BIG_FILTER = '(icmp.type == 3 && icmp.code == 4) || icmpv6.type == 2';
/** TCP retransmissions (plain and fast) and duplicate ACKs: loss on a TCP path (TURN/TCP, TLS, the proxy). */
export const RETRANSMISSION_FILTER = 'tcp.analysis.retransmission || tcp.analysis.fast_retransmission || tcp.analysis.duplicate_ack';

/** The filter buttons, left to right. */
export function filterButtons(scope: SessionScope): FilterButton[] {
  return [
    { label: 'netready session', filter: sessionFilter(scope), comment: `This netready session: the test servers' ports and DNS zone (${scope.source})` },
    { label: 'DNS', filter: 'dns', comment: 'DNS queries and answers' },
    { label: 'STUN/TURN', filter: 'stun', comment: 'STUN and TURN messages, TURN ChannelData' },
    { label: 'CONNECT', filter: 'http.request.method == "CONNECT" || http.response.code == 407', comment: "The proxy's CONNECT requests and its 407 authentication challenges" },
    { label: 'Denoise', filter: DENOISE_FILTER, comment: 'Hide ARP, SSDP, LLMNR, mDNS, NetBIOS, LLDP/CDP/STP, IGMP, DHCP and IPv6 neighbour discovery' },
    { label: 'Client Hello', filter: 'tls.handshake.type == 1', comment: 'TLS Client Hellos: the SNI column shows the server name asked for' },
    { label: 'TCP retrans', filter: RETRANSMISSION_FILTER, comment: 'TCP retransmissions and duplicate ACKs' },
    { label: 'Too big', filter: TOO_BIG_FILTER, comment: 'ICMP fragmentation needed / ICMPv6 packet too big: path MTU discovery' },
    { label: 'RTCP', filter: 'rtcp', comment: 'RTCP (reports of a call; netready itself sends none)' },
  ];
}

/** The colouring rules, first match wins. Colours: dark text on light backgrounds, red for trouble. */
export function colourRules(scope: SessionScope): ColourRule[] {
  const black: [number, number, number] = [0, 0, 0];
  const white: [number, number, number] = [65535, 65535, 65535];
  return [
    { name: 'ICMP too big', filter: TOO_BIG_FILTER, foreground: white, background: [42148, 0, 0] },
    { name: 'TCP retransmission or duplicate ACK', filter: RETRANSMISSION_FILTER, foreground: [65535, 64764, 40092], background: [42148, 0, 0] },
    { name: 'TCP reset', filter: 'tcp.flags.reset == 1', foreground: [65535, 64764, 40092], background: [42148, 0, 0] },
    { name: 'STUN/TURN error response', filter: 'stun.att.error', foreground: black, background: [65535, 49344, 49344] },
    { name: 'Proxy CONNECT or 407', filter: 'http.request.method == "CONNECT" || http.response.code == 407', foreground: black, background: [65535, 55512, 36237] },
    { name: 'TLS alert', filter: 'tls.alert_message', foreground: black, background: [65535, 49344, 49344] },
    { name: 'DNS error', filter: 'dns.flags.response == 1 && dns.flags.rcode != 0', foreground: black, background: [65535, 49344, 49344] },
    { name: 'TLS Client Hello', filter: 'tls.handshake.type == 1', foreground: black, background: [55512, 60652, 65535] },
    { name: 'STUN/TURN', filter: 'stun', foreground: black, background: [53456, 65535, 53456] },
    { name: 'DNS', filter: 'dns', foreground: black, background: [59367, 59110, 65535] },
    { name: 'netready session', filter: sessionFilter(scope), foreground: black, background: [61166, 65535, 61166] },
    { name: 'Noise', filter: 'arp || ssdp || llmnr || mdns || nbns', foreground: [32896, 32896, 32896], background: white },
  ];
}

/** A UAT field: double quotes inside written as `\x22`, backslashes as `\\`. */
function uatField(text: string): string {
  return `"${text.replace(/\\/g, '\\\\').replace(/"/g, '\\x22')}"`;
}

/** The columns: number, time, delta time displayed, time since the previous frame of the stream, …, SNI, STUN type. */
export const COLUMNS: ReadonlyArray<[title: string, format: string]> = [
  ['No.', '%m'],
  ['Time', '%t'],
  ['Delta displayed', '%Gt'],
  ['Delta in stream', '%Cus:tcp.time_delta || udp.time_delta:0:R'],
  ['Source', '%s'],
  ['Destination', '%d'],
  ['Protocol', '%p'],
  ['Length', '%L'],
  ['TLS SNI', '%Cus:tls.handshake.extensions_server_name:0:R'],
  ['STUN type', '%Cus:stun.type:0:R'],
  ['Info', '%i'],
];

/** The profile's files by name (text, `\n` line ends). */
export function profileFiles(scope: SessionScope): Record<string, string> {
  const buttons = filterButtons(scope);
  const columns = COLUMNS.map(([title, format]) => `\t"${title}", "${format}"`).join(',\n');
  const httpsPorts = [...new Set([443, ...scope.httpsPorts])].sort((a, b) => a - b);
  const preferences = [
    `# netready's Wireshark profile (${scope.source}). See README-netready.txt.`,
    `gui.column.format: \n${columns}`,
    '# Time since the previous frame of the same TCP connection / UDP conversation (the "Delta in stream" column).',
    'tcp.calculate_timestamps: TRUE',
    'udp.calculate_timestamps: TRUE',
    "# HTTPS on netready's ports (TLS mirror, echo, WebSocket) decoded as TLS and HTTP.",
    `http.tls.port: ${httpsPorts.join(',')}`,
    '# GeoIP columns and endpoint maps, once a MaxMind database is added (README-netready.txt).',
    'ip.use_geoip: TRUE',
    'ipv6.use_geoip: TRUE',
    '',
  ].join('\n');
  const dfilterButtons = buttons.map((b) => ['"TRUE"', uatField(b.label), uatField(b.filter), uatField(b.comment)].join(',')).join('\n') + '\n';
  const dfilters = buttons.map((b) => `"netready: ${b.label}" ${b.filter}`).join('\n') + '\n';
  const colour = (c: [number, number, number]): string => `[${c.join(',')}]`;
  const colorfilters = colourRules(scope).map((r) => `@${r.name}@${r.filter}@${colour(r.foreground)}${colour(r.background)}`).join('\n') + '\n';
  return { preferences, dfilter_buttons: dfilterButtons, dfilters, colorfilters, 'README-netready.txt': profileReadme(scope) };
}

/** The note that goes with the profile: what is in it, how to import it, how to add a MaxMind database. */
export function profileReadme(scope: SessionScope): string {
  return `netready's Wireshark profile
============================

Made for ${scope.source}.

Import it: Wireshark › Edit › Configuration Profiles › Import › from zip file (the zip holds the folder
"${PROFILE_NAME}"), or copy the folder into the "profiles" folder of Wireshark's personal configuration
(Help › About Wireshark › Folders). Switch to it in the status bar (bottom right), or run tshark -C ${PROFILE_NAME}.

Filter buttons (also under the filter bar's bookmark as "netready: …"):
${filterButtons(scope)
  .map((b) => `  ${b.label.padEnd(17)} ${b.filter}`)
  .join('\n')}

Columns: delta time displayed, time since the previous frame of the same TCP connection or UDP conversation, TLS SNI
(the server name of a Client Hello), STUN message type (0x0001 Binding request, 0x0101 its success response,
0x0003 Allocate, 0x0113 Allocate error, 0x0004 Refresh, 0x0008 CreatePermission, 0x0009 ChannelBind, 0x0016/0x0017
Send/Data indications). Colours: red for ICMP "too big", TCP retransmissions and resets; pink for STUN, TLS and DNS
errors; orange for the proxy's CONNECT and 407; green for STUN/TURN; the netready session light green.

Adding a MaxMind GeoIP database (are the servers close to the client?)
----------------------------------------------------------------------
1. Get the free GeoLite2 databases from MaxMind (an account is needed): GeoLite2-City.mmdb and GeoLite2-ASN.mmdb
   (on Debian/Ubuntu the geoipupdate package downloads them to /var/lib/GeoIP).
2. Wireshark › Edit › Preferences (macOS: Wireshark › Preferences) › Name Resolution › MaxMind database directories
   › Edit: add the folder that holds the .mmdb files. Wireshark saves it as the file maxmind_db_paths, one
   quoted folder per line, e.g. "/var/lib/GeoIP".
3. Restart Wireshark. IP packets then show a "Source/Destination GeoIP" tree (fields ip.geoip.country,
   ip.geoip.city, ip.geoip.asnum); Statistics › Endpoints › IPv4/IPv6 lists country, city and AS per address, and
   "Map" draws them. Try: ip.geoip.dst_country != "Germany" && stun
`;
}
