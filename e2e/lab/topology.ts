/**
 * The lab's network (shared/LAB.md "Topology that works"): three namespaces, none linked to the host,
 * addresses from 10.213.0.0/16 (used only inside them).
 *
 *   client ns  eth0 10.213.1.2  ─veth─  c0 10.213.1.1   router ns   s0 10.213.2.1 (+ .2 proxy egress, .3 VPN egress)
 *          cscotun0 10.213.9.2  ─veth─  v0 10.213.9.1   (a "VPN" link, up only in the vpn-* rows)       │ veth
 *              lo   10.214.53.1 (a resolver address in another /16, dns-remote-resolver)   │
 *                                                                               server ns  eth0 10.213.2.10 probe STUN/TURN (TURN-TCP :80, TURN-TLS :443)
 *                                                                                               10.213.2.20 web app :80
 *                                                                                               10.213.2.30 probe HTTP API/echo :80, TLS mirror :443
 *                                                                                               10.213.2.40/.41 coturn
 *                                                                                               10.213.2.53 netready's authoritative DNS :53
 *
 * Between scenarios only the router (iptables, NAT mode, tc, MTU, dnsmasq) and the client's routes change
 * (`applyNetwork`). The router drops everything not addressed inside the lab range, has no default route, and
 * the server namespace has no route beyond its subnet except a host route back to the router's "remote resolver"
 * address (via the router): nothing can leave the lab.
 */
import { mkdirSync, readdirSync, rmdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { namespacePids, nsRun, run, stopPids } from './sys';

/** Prefix of every lab namespace (stale-lab cleanup removes namespaces with it). */
export const NS_PREFIX = 'nrlab-';

/** Namespace names. */
export const NS = { client: `${NS_PREFIX}client`, router: `${NS_PREFIX}router`, server: `${NS_PREFIX}server` } as const;

/** The only range the lab uses; the router drops anything else. */
export const LAB_RANGE = '10.213.0.0/16';

/** Addresses of the lab. */
export const ADDR = {
  client: '10.213.1.2',
  clientVpn: '10.213.9.2',
  routerClientSide: '10.213.1.1',
  routerVpnSide: '10.213.9.1',
  /** The router's NAT address towards the servers (what servers see for NATed client traffic). */
  nat: '10.213.2.1',
  /** squid's outgoing address, so servers can tell proxied connections from NATed ones. */
  proxyEgress: '10.213.2.2',
  /** NAT address of traffic that came through the "VPN" link. */
  vpnEgress: '10.213.2.3',
  probe: '10.213.2.10',
  // NAT behaviour (issue 11): the probe's second address, where the nat probe's alt-address STUN endpoint listens.
  probeAlt: '10.213.2.11',
  web: '10.213.2.20',
  api: '10.213.2.30',
  coturn: '10.213.2.40',
  coturnAlt: '10.213.2.41',
  /** netready's authoritative DNS server for the lab zone (port 53). */
  dnsAuth: '10.213.2.53',
  /**
   * The router's second source address for its DNS forwarding, in another /16 than every client address the
   * servers see (dns-remote-resolver): a resolver "elsewhere". Lives on the router's lo; the server namespace
   * reaches it by a host route via the router.
   */
  remoteResolver: '10.214.53.1',
  /**
   * Regions (issue 15): the far region's probe node — STUN/TURN on `farProbe`, HTTP(S) on `farApi` — in the server
   * namespace, its traffic delayed by FAR_REGION_DELAY_MS each way in the router (always: it is far in every row).
   */
  farProbe: '10.213.2.60',
  farApi: '10.213.2.61',
  /** Source addresses of the router's DNS forwarding that the lab's GeoIP database places near / far (geodns-* rows). */
  nearResolver: '10.214.61.1',
  farResolver: '10.214.60.1',
} as const;

/** One-way delay of every packet to and from the far region's node, ms (a round trip ≥ 120 ms over the near one). */
export const FAR_REGION_DELAY_MS = 60;

/** The client's "VPN" interface (a veth; AnyConnect names its Linux interface so). */
export const VPN_IF = 'cscotun0';

/** Ports (TURN on 80/443 so TCP-80/443-only networks can reach it; see README in this folder). */
export const PORTS = {
  turnUdp: 3478,
  stunAlt: 3479,
  turnTcp: 80,
  turnTls: 443,
  web: 80,
  api: 80,
  apiTls: 443,
  coturn: 3478,
  squidPlain: 3128,
  squidAuth: 3129,
  squidBump: 3130,
  squidBumpTunnel: 3131,
  dns: 53,
  relayMin: 49152,
  relayMax: 49999,
  peerMin: 60000,
  peerMax: 60999,
  /** The media peer's passive ICE-TCP endpoint on the probe address (netready's default port). */
  iceTcp: 7881,
} as const;

/**
 * Where the probe's plain-HTTP (API, echo, ws://) and HTTPS (TLS mirror, DNS lookup fetches, wss://) listeners
 * live. `api-address` (the default, what the lab is meant to test): 80 and 443 of their own address
 * 10.213.2.30, because the lab's squids and the no-udp firewall allow only web ports 80/443 and TURN holds 80/443
 * of the probe address. `probe-address` (NETREADY_LAB_LAYOUT=probe-address, a diagnostic layout): 8080 and 8443
 * of the probe address itself, with 8080/8443 added to the web ports the firewall and squids allow — the only
 * layout in which netready's session URLs (mirror, echo, DNS lookup names) reach these listeners today, because
 * netready builds them from `probe.publicIp` and answers one address for the whole DNS zone (README, "Layouts").
 */
export interface ProbeHttpLayout {
  id: 'api-address' | 'probe-address';
  httpIp: string;
  httpPort: number;
  httpsIp: string;
  httpsPort: number;
  /** TCP ports the networks treat as "web" (no-udp egress, squid Safe_ports/SSL_ports). */
  webPorts: number[];
}

function layoutFromEnv(value: string | undefined): ProbeHttpLayout {
  if (value === undefined || value === '' || value === 'api-address') {
    return { id: 'api-address', httpIp: ADDR.api, httpPort: 80, httpsIp: ADDR.api, httpsPort: 443, webPorts: [80, 443] };
  }
  if (value === 'probe-address') {
    return { id: 'probe-address', httpIp: ADDR.probe, httpPort: 8080, httpsIp: ADDR.probe, httpsPort: 8443, webPorts: [80, 443, 8080, 8443] };
  }
  throw new Error(`NETREADY_LAB_LAYOUT must be api-address or probe-address, not "${value}"`);
}

/** The layout of this run (read once from NETREADY_LAB_LAYOUT). */
export const LAYOUT: ProbeHttpLayout = layoutFromEnv(process.env.NETREADY_LAB_LAYOUT);

/**
 * The lab's squids: explicit proxy (CONNECT 443 only), the same with proxy authentication, ssl-bump (TLS
 * inspection; non-TLS in a CONNECT refused), ssl-bump that tunnels non-TLS (`on_unsupported_protocol tunnel`).
 */
export type ProxyKind = 'plain' | 'auth' | 'bump' | 'bump-tunnel';

/** The router's proxy port of each squid. */
export const SQUID_PORT: Record<ProxyKind, number> = { plain: PORTS.squidPlain, auth: PORTS.squidAuth, bump: PORTS.squidBump, 'bump-tunnel': PORTS.squidBumpTunnel };

/** What the router lets the client reach directly (not via the proxy). */
export type Egress =
  | { kind: 'all' }
  | { kind: 'tcp-ports'; ports: number[] }
  | { kind: 'drop-udp-ports'; ports: number[] }
  /** Nothing direct, except TCP to these `ip:port`s (an intranet allowlist), e.g. the test page. */
  | { kind: 'none'; allowTcp?: Array<{ ip: string; port: number }> };

/** How one scenario's network is built (the "network" column of the scenario table). */
export interface NetworkSpec {
  /** Direct egress policy of the router's firewall. */
  egress: Egress;
  /** NAT mapping: Linux port-preserving SNAT, or `--random-fully` (endpoint-dependent: "symmetric"). */
  nat: 'port-preserving' | 'random-fully';
  /**
   * The client's resolver (dnsmasq on the router), which forwards the lab zone to netready's authoritative
   * server: `forward` (from the router's address), `remote` (from an address in another /16, no Client
   * Subnet), `nxdomain` (the zone answered NXDOMAIN locally, never forwarded), `dropped` (the client's DNS
   * to the router dropped; dnsmasq still serves the router's own squid), `slow` (answers to the client
   * delayed by DNS_SLOW_MS). Regions (issue 15): `near-resolver` / `far-resolver` forward from an address the lab's
   * GeoIP database places in the near / far region (no Client Subnet); `far-resolver-ecs` forwards from the far one
   * with the client's /24 as EDNS Client Subnet (dnsmasq `add-subnet=24`), which the database places near.
   */
  dns: 'forward' | 'remote' | 'nxdomain' | 'dropped' | 'slow' | 'near-resolver' | 'far-resolver' | 'far-resolver-ecs';
  /** Which squid the client may use (TCP to the router's proxy port is allowed only then). */
  proxy?: ProxyKind;
  /**
   * A small path MTU on the router, with ICMP "fragmentation needed" dropped (what the router generates itself and what
   * it forwards): upstream towards every server, and downstream from the media server's address (STUN/TURN, the MTU
   * ladder, the media peer) towards the client. Only the router's routes know it — an endpoint whose own interface knew
   * it would size its TCP segments (MSS) to fit and hide the problem.
   */
  mtuBlackhole?: { mtu: number };
  /**
   * The client link, both directions: delay (± jitter, never reordering) and loss. Loss is always iptables in the
   * router (netem, where the kernel has it, only delays): each UDP flow to and from the media peer's ports loses
   * exactly every (100 / lossPct)-th packet of each of its directions (by conntrack's per-flow packet count,
   * `connbytes`, up to MEDIA_LOSS_MAX_PACKETS; the lab reads the drops back: mediaLossCounters), everything else at
   * random with that probability. Deterministic on the media flow because a 200-packet stream at a random 2 % loses
   * 4 ± 2 packets (±50 %), which no 25 % tolerance survives; per flow because one counter shared by every flow to the
   * peer (`statistic --mode nth`, as before) let other probes' packets take a stream's drops (measured: 2 of 200).
   */
  netem?: { delayMs: number; jitterMs: number; lossPct: number };
  /**
   * A throughput cap on the client link, each way (tc tbf on the router's interfaces towards the client and towards
   * the servers): rate in kbit/s, bucket in bytes, and the longest a packet may queue before tbf drops it.
   */
  rateLimit?: { kbit: number; burstBytes: number; latencyMs: number };
  /**
   * A "VPN" link on the client (cscotun0, its default route with the lower metric, as VPN clients install it — AnyConnect
   * uses metric 1–2, Ethernet 10). Both kinds give each interface address its own routing table (`ip rule from
   * <address>`), as Windows (strong host model) and macOS (scoped routing) do: a socket bound to the Ethernet address
   * leaves through Ethernet, which is why WebRTC, binding every interface, finds a path on each.
   * `split`: split routes keep the web app and the probe's HTTP(S) address on Ethernet; everything else (STUN, TURN,
   * media) takes the VPN — the seed's detour. `full`: no split route, and the VPN client's lockdown firewall drops
   * everything the client sends out of Ethernet (the VPN is the only path; its DNS goes through the tunnel too).
   */
  vpn?: 'split' | 'full';
  /** Regions (issue 15): the far region's node is down — the router drops everything to and from it (a dead machine's silence). */
  farRegionDown?: boolean;
}

/** Extra delay dnsmasq's answers get in the `slow` DNS mode (netem on DNS replies only). */
export const DNS_SLOW_MS = 2000;

function resolvConfPath(ns: string): string {
  return path.join('/etc/netns', ns, 'resolv.conf');
}

/** Removes every lab namespace (killing its processes by PID first) and its /etc/netns folder. */
export function removeNamespaces(log: (line: string) => void): void {
  const existing = run('ip', ['netns', 'list'], { allowFail: true })
    .split('\n')
    .map((l) => l.split(' ')[0]!.trim())
    .filter((n) => n.startsWith(NS_PREFIX));
  for (const ns of existing) {
    const pids = namespacePids(ns);
    if (pids.length > 0) {
      log(`stopping ${pids.length} process(es) left in ${ns}: ${pids.join(' ')}`);
      const left = stopPids(pids);
      if (left.length > 0) log(`WARNING: still alive in ${ns} after SIGKILL: ${left.join(' ')}`);
    }
    run('ip', ['netns', 'del', ns], { allowFail: true });
  }
  for (const ns of Object.values(NS)) rmSync(path.join('/etc/netns', ns), { recursive: true, force: true });
  // /etc/netns itself only when the lab created it and nothing else uses it.
  try {
    if (readdirSync('/etc/netns').length === 0) rmdirSync('/etc/netns');
  } catch {
    // Not there.
  }
}

/** Creates the namespaces, links, addresses and static routes. */
export function buildNamespaces(): void {
  for (const ns of Object.values(NS)) {
    run('ip', ['netns', 'add', ns]);
    // Without its own resolv.conf a namespace uses the host's resolver: traffic out of the lab (LAB.md).
    mkdirSync(path.dirname(resolvConfPath(ns)), { recursive: true });
    const nameserver = ns === NS.client ? ADDR.routerClientSide : '127.0.0.1';
    // The client gets the resolver defaults (timeout 5 s, 2 attempts), as real clients do: a shorter timeout
    // would turn dns-slow's 2 s answers into timeouts (seen: lookups of 3 s and failures with timeout:2).
    const options = ns === NS.client ? '' : 'options timeout:2 attempts:1\n';
    writeFileSync(resolvConfPath(ns), `# netready lab (e2e/lab) — removed at teardown\nnameserver ${nameserver}\n${options}`);
    nsRun(ns, ['ip', 'link', 'set', 'lo', 'up']);
    // IPv4 only: no link-local IPv6 noise in candidates, nothing to filter twice.
    nsRun(ns, ['sysctl', '-q', '-w', 'net.ipv6.conf.all.disable_ipv6=1', 'net.ipv6.conf.default.disable_ipv6=1']);
  }
  // Links are created from inside the namespaces, so nothing ever appears in the host namespace.
  nsRun(NS.client, ['ip', 'link', 'add', 'eth0', 'type', 'veth', 'peer', 'name', 'c0', 'netns', NS.router]);
  // The "VPN" interface carries AnyConnect's Linux name: Chromium orders networks by type, IP precedence, then name
  // (and reports every wired Linux interface, tun devices included, as "ethernet"), so `cscotun0` comes before eth0
  // and ICE prefers it, as it prefers the VPN adapter on the seed's Windows machines.
  nsRun(NS.client, ['ip', 'link', 'add', VPN_IF, 'type', 'veth', 'peer', 'name', 'v0', 'netns', NS.router]);
  nsRun(NS.server, ['ip', 'link', 'add', 'eth0', 'type', 'veth', 'peer', 'name', 's0', 'netns', NS.router]);

  nsRun(NS.client, ['ip', 'addr', 'add', `${ADDR.client}/24`, 'dev', 'eth0']);
  nsRun(NS.client, ['ip', 'addr', 'add', `${ADDR.clientVpn}/24`, 'dev', VPN_IF]);
  nsRun(NS.client, ['ip', 'link', 'set', 'eth0', 'up']);

  nsRun(NS.router, ['ip', 'addr', 'add', `${ADDR.routerClientSide}/24`, 'dev', 'c0']);
  nsRun(NS.router, ['ip', 'addr', 'add', `${ADDR.routerVpnSide}/24`, 'dev', 'v0']);
  for (const ip of [ADDR.nat, ADDR.proxyEgress, ADDR.vpnEgress]) nsRun(NS.router, ['ip', 'addr', 'add', `${ip}/24`, 'dev', 's0']);
  for (const ip of [ADDR.remoteResolver, ADDR.nearResolver, ADDR.farResolver]) nsRun(NS.router, ['ip', 'addr', 'add', `${ip}/32`, 'dev', 'lo']);
  for (const dev of ['c0', 'v0', 's0']) nsRun(NS.router, ['ip', 'link', 'set', dev, 'up']);
  nsRun(NS.router, ['sysctl', '-q', '-w', 'net.ipv4.ip_forward=1']);

  for (const ip of [ADDR.probe, ADDR.web, ADDR.api, ADDR.coturn, ADDR.coturnAlt, ADDR.dnsAuth, ADDR.farProbe, ADDR.farApi]) nsRun(NS.server, ['ip', 'addr', 'add', `${ip}/24`, 'dev', 'eth0']);
  // NAT behaviour (issue 11): the probe's second address (probe.stunAltIp).
  nsRun(NS.server, ['ip', 'addr', 'add', `${ADDR.probeAlt}/24`, 'dev', 'eth0']);
  nsRun(NS.server, ['ip', 'link', 'set', 'eth0', 'up']);
  // The server namespace has no default route: servers only ever see the router's NAT/proxy addresses. One
  // host route back to the router's "remote resolver" source address (dns-remote-resolver).
  for (const ip of [ADDR.remoteResolver, ADDR.nearResolver, ADDR.farResolver]) nsRun(NS.server, ['ip', 'route', 'add', `${ip}/32`, 'via', ADDR.nat, 'dev', 'eth0']);
}

/** The router's iptables ruleset for a scenario (iptables-restore format, applied atomically). */
export function routerRules(spec: NetworkSpec): string {
  const filter: string[] = [
    '*filter',
    ':INPUT DROP [0:0]',
    ':FORWARD DROP [0:0]',
    ':OUTPUT DROP [0:0]',
    '-A INPUT -i lo -j ACCEPT',
    '-A OUTPUT -o lo -j ACCEPT',
    // Confinement: anything not addressed inside the lab range is dropped, whatever the scenario.
    `-A INPUT ! -s ${LAB_RANGE} -j DROP`,
    `-A OUTPUT ! -d ${LAB_RANGE} -j DROP`,
    `-A FORWARD ! -s ${LAB_RANGE} -j DROP`,
    `-A FORWARD ! -d ${LAB_RANGE} -j DROP`,
  ];
  // Regions (issue 15): the far node down — silence both ways, before anything established is let through.
  if (spec.farRegionDown) {
    for (const ip of [ADDR.farProbe, ADDR.farApi]) filter.push(`-A FORWARD -d ${ip} -j DROP`, `-A FORWARD -s ${ip} -j DROP`, `-A OUTPUT -d ${ip} -j DROP`);
  }
  // ICMP "fragmentation needed" (type 3 code 4) generated by the router is dropped: a PMTU black hole.
  if (spec.mtuBlackhole) filter.push('-A OUTPUT -p icmp --icmp-type fragmentation-needed -j DROP', '-A FORWARD -p icmp --icmp-type fragmentation-needed -j DROP');
  filter.push(
    '-A OUTPUT -j ACCEPT',
    '-A INPUT -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT',
    // The router's own connections to the servers (squid): after `conntrack -F` their replies look NEW.
    '-A INPUT -i s0 -j ACCEPT',
    '-A FORWARD -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT',
  );
  if (spec.dns !== 'dropped') {
    filter.push(`-A INPUT -i c0 -p udp --dport 53 -j ACCEPT`, `-A INPUT -i c0 -p tcp --dport 53 -j ACCEPT`);
    // A full-tunnel VPN sends the client's DNS through the tunnel.
    if (spec.vpn === 'full') filter.push(`-A INPUT -i v0 -p udp --dport 53 -j ACCEPT`, `-A INPUT -i v0 -p tcp --dport 53 -j ACCEPT`);
  }
  if (spec.proxy) {
    filter.push(`-A INPUT -i c0 -p tcp --dport ${SQUID_PORT[spec.proxy]} -j ACCEPT`);
  }
  const inIfs = spec.vpn ? ['c0', 'v0'] : ['c0'];
  for (const inIf of inIfs) {
    const fwd = `-A FORWARD -i ${inIf} -o s0`;
    const egress = spec.egress;
    if (egress.kind === 'all') filter.push(`${fwd} -j ACCEPT`);
    else if (egress.kind === 'tcp-ports') filter.push(`${fwd} -p tcp -m multiport --dports ${egress.ports.join(',')} -j ACCEPT`);
    else if (egress.kind === 'drop-udp-ports') filter.push(`${fwd} -p udp -m multiport --dports ${egress.ports.join(',')} -j DROP`, `${fwd} -j ACCEPT`);
    else for (const allow of egress.allowTcp ?? []) filter.push(`${fwd} -p tcp -d ${allow.ip} --dport ${allow.port} -j ACCEPT`);
  }
  filter.push('COMMIT');
  const random = spec.nat === 'random-fully' ? ' --random-fully' : '';
  const nat = [
    '*nat',
    ':PREROUTING ACCEPT [0:0]',
    ':INPUT ACCEPT [0:0]',
    ':OUTPUT ACCEPT [0:0]',
    ':POSTROUTING ACCEPT [0:0]',
    // SNAT to fixed addresses (MASQUERADE would pick the interface's primary address; we need three).
    `-A POSTROUTING -s 10.213.1.0/24 -o s0 -j SNAT --to-source ${ADDR.nat}${random}`,
    `-A POSTROUTING -s 10.213.9.0/24 -o s0 -j SNAT --to-source ${ADDR.vpnEgress}${random}`,
    'COMMIT',
  ];
  // mangle: loss and delay without sch_netem (NFQUEUE to e2e/lab/nfq-delay.py); an ACCEPT verdict there
  // continues into the filter table, so the firewall above still applies. --queue-bypass: no reader, no delay.
  const mangle = ['*mangle', ':PREROUTING ACCEPT [0:0]', ':INPUT ACCEPT [0:0]', ':FORWARD ACCEPT [0:0]', ':OUTPUT ACCEPT [0:0]', ':POSTROUTING ACCEPT [0:0]'];
  // Regions (issue 15): the far region is far in every row — its packets wait FAR_REGION_DELAY_MS in nfq-delay.py
  // (queue DELAY_QUEUE.far, started with the lab) each way: PREROUTING for what the router forwards (an ACCEPT verdict
  // there still passes the FORWARD rules below), OUTPUT for the router's own (squid's) packets to it.
  for (const ip of [ADDR.farProbe, ADDR.farApi]) {
    mangle.push(`-A PREROUTING -d ${ip} -j NFQUEUE --queue-num ${DELAY_QUEUE.far} --queue-bypass`, `-A PREROUTING -s ${ip} -j NFQUEUE --queue-num ${DELAY_QUEUE.far} --queue-bypass`);
    mangle.push(`-A OUTPUT -d ${ip} -j NFQUEUE --queue-num ${DELAY_QUEUE.far} --queue-bypass`);
  }
  if (spec.netem) {
    const lossy = spec.netem.lossPct > 0;
    if (lossy) {
      // The media peer's flows: the n-th, 2n-th … packet of each flow's direction, in chains of their own so the jump
      // rule counts the packets seen and the DROP rules the packets dropped (mediaLossCounters). conntrack counts a
      // packet before the mangle FORWARD hook, so the k-th packet of a direction carries the count k. A direction is
      // the conntrack entry's original or reply one, whichever side sent first. The mark keeps the random rule off it.
      mangle.push(`:${MEDIA_CHAIN.up} - [0:0]`, `:${MEDIA_CHAIN.down} - [0:0]`);
      mangle.push(`-A FORWARD -i c0 -p udp -d ${ADDR.probe} --dport ${PORTS.peerMin}:${PORTS.peerMax} -j ${MEDIA_CHAIN.up}`);
      mangle.push(`-A FORWARD -o c0 -p udp -s ${ADDR.probe} --sport ${PORTS.peerMin}:${PORTS.peerMax} -j ${MEDIA_CHAIN.down}`);
      for (const chain of [MEDIA_CHAIN.up, MEDIA_CHAIN.down]) {
        for (const k of mediaLossPositions(spec.netem.lossPct)) {
          for (const dir of ['original', 'reply'] as const) {
            mangle.push(`-A ${chain} -m conntrack --ctdir ${dir.toUpperCase()} -m connbytes --connbytes ${k}:${k} --connbytes-dir ${dir} --connbytes-mode packets -j DROP`);
          }
        }
        mangle.push(`-A ${chain} -j MARK --set-xmark ${MEDIA_MARK}/${MEDIA_MARK}`);
      }
    }
    const p = (spec.netem.lossPct / 100).toFixed(4);
    for (const dir of ['-i c0', '-o c0']) {
      if (lossy) mangle.push(`-A FORWARD ${dir} -m mark ! --mark ${MEDIA_MARK}/${MEDIA_MARK} -m statistic --mode random --probability ${p} -j DROP`);
      if (!netemAvailable()) mangle.push(`-A FORWARD ${dir} -j NFQUEUE --queue-num ${DELAY_QUEUE.link} --queue-bypass`);
    }
  }
  if (spec.dns === 'slow' && !netemAvailable()) {
    for (const proto of ['udp', 'tcp']) mangle.push(`-A OUTPUT -o c0 -p ${proto} --sport 53 -j NFQUEUE --queue-num ${DELAY_QUEUE.dns} --queue-bypass`);
  }
  mangle.push('COMMIT');
  return `${[...filter, ...nat, ...mangle].join('\n')}\n`;
}

/** The client's per-address routing tables of the VPN rows (strong host model): Ethernet's and the VPN's. */
const CLIENT_SOURCE_TABLES: ReadonlyArray<readonly [address: string, table: number, via: string, dev: string]> = [
  [ADDR.client, 100, ADDR.routerClientSide, 'eth0'],
  [ADDR.clientVpn, 101, ADDR.routerVpnSide, VPN_IF],
];

/**
 * The client's own firewall (iptables-restore format): empty but for a full-tunnel VPN, whose client drops everything
 * sent out of the physical interface (the "lockdown" AnyConnect, GlobalProtect and others apply), so only the tunnel
 * carries traffic.
 */
export function clientRules(spec: NetworkSpec): string {
  const filter = ['*filter', ':INPUT ACCEPT [0:0]', ':FORWARD ACCEPT [0:0]', ':OUTPUT ACCEPT [0:0]'];
  if (spec.vpn === 'full') filter.push('-A OUTPUT -o eth0 -j DROP');
  filter.push('COMMIT');
  return `${filter.join('\n')}\n`;
}

/** The router's policy-routing table and rule priority of the downstream small MTU (mtuBlackhole). */
const DOWNSTREAM_MTU_TABLE = 213;
const DOWNSTREAM_MTU_RULE_PRIORITY = 1213;

/** NFQUEUE numbers of the delay fallback. */
export const DELAY_QUEUE = { link: 0, dns: 1, far: 2 } as const;

/** The mangle chains that drop and count the media peer's flow per direction (netem rows). */
export const MEDIA_CHAIN = { up: 'NRLAB-MEDIA-UP', down: 'NRLAB-MEDIA-DOWN' } as const;
/** Packet mark of the media flow (so the random loss rule leaves it to the nth rule). */
const MEDIA_MARK = '0x4e52';

/** Every how many packets the media flow loses one, for a loss percentage (it must divide 100 evenly enough). */
export function mediaLossEvery(lossPct: number): number {
  const every = Math.round(100 / lossPct);
  if (!(lossPct > 0) || Math.abs(100 / every - lossPct) > 0.01) throw new Error(`netem.lossPct must be 100 / n for a whole n (e.g. 1, 2, 5, 10), not ${lossPct}`);
  return every;
}

/**
 * Packets per flow direction the deterministic loss covers: more than a run's media-quality session carries one way
 * (≈ 10 handshake, 40 pings, a 200-packet stream, a ≈ 360-packet burst and their acknowledgements).
 */
export const MEDIA_LOSS_MAX_PACKETS = 2000;

/** The per-flow packet counts the router drops at (n, 2n, … up to MEDIA_LOSS_MAX_PACKETS), for a loss percentage. */
export function mediaLossPositions(lossPct: number): number[] {
  const every = mediaLossEvery(lossPct);
  return Array.from({ length: Math.floor(MEDIA_LOSS_MAX_PACKETS / every) }, (_, i) => (i + 1) * every);
}

/**
 * Packets of the media peer's flows the router saw and dropped, per direction, since the row's rules were loaded, and
 * the drops the rule owes them: the sum over flows of ⌊packets of that direction / n⌋ by conntrack's own per-flow
 * counts (a flow of 49 packets owes none, one of 200 exactly 4).
 */
export interface MediaLossCounters {
  up: { seen: number; dropped: number; owed: number; flows: number };
  down: { seen: number; dropped: number; owed: number; flows: number };
}

/** Reads the media-flow counters (`iptables-save -c`) and flows (`conntrack -L`) of the router, or null without the chains. */
export function mediaLossCounters(lossPct: number): MediaLossCounters | null {
  const text = nsRun(NS.router, ['iptables-save', '-c', '-t', 'mangle'], { allowFail: true });
  const sum = (pattern: RegExp): number | null => {
    const matches = text.split('\n').filter((line) => pattern.test(line));
    if (matches.length === 0) return null;
    return matches.reduce((total, line) => total + Number(/^\[(\d+):\d+\]/.exec(line)?.[1] ?? NaN), 0);
  };
  const every = mediaLossEvery(lossPct);
  const owed = { up: 0, down: 0 };
  const flows = { up: 0, down: 0 };
  const out = nsRun(NS.router, ['conntrack', '-L', '-p', 'udp'], { allowFail: true });
  for (const line of out.split('\n')) {
    // Two tuples: original (src, dst, sport, dport, packets) then reply; packets= only with accounting on.
    const tuples = [...line.matchAll(/src=(\S+) dst=(\S+) sport=(\d+) dport=(\d+)(?: packets=(\d+))?/g)];
    if (tuples.length !== 2) continue;
    for (const t of tuples) {
      const [, src, dst, sport, dport, packets] = t;
      const toPeer = dst === ADDR.probe && Number(dport) >= PORTS.peerMin && Number(dport) <= PORTS.peerMax;
      const fromPeer = src === ADDR.probe && Number(sport) >= PORTS.peerMin && Number(sport) <= PORTS.peerMax;
      if ((!toPeer && !fromPeer) || packets === undefined) continue;
      // The reply tuple towards the client names the NAT address, the original one the client's: both are "the client".
      const dir = toPeer ? 'up' : 'down';
      owed[dir] += Math.floor(Math.min(Number(packets), MEDIA_LOSS_MAX_PACKETS) / every);
      flows[dir]++;
    }
  }
  const seen = { up: sum(new RegExp(`-A FORWARD .*-j ${MEDIA_CHAIN.up}$`)), down: sum(new RegExp(`-A FORWARD .*-j ${MEDIA_CHAIN.down}$`)) };
  const dropped = { up: sum(new RegExp(`-A ${MEDIA_CHAIN.up} .*connbytes.*-j DROP`)), down: sum(new RegExp(`-A ${MEDIA_CHAIN.down} .*connbytes.*-j DROP`)) };
  if ([seen.up, seen.down, dropped.up, dropped.down].some((x) => x === null)) return null;
  return {
    up: { seen: seen.up!, dropped: dropped.up!, owed: owed.up, flows: flows.up },
    down: { seen: seen.down!, dropped: dropped.down!, owed: owed.down, flows: flows.down },
  };
}

/** tc's counters of a router interface's root qdisc: bytes and packets sent, packets dropped, overlimits. */
export interface QdiscStats {
  dev: string;
  kind: string;
  sentBytes: number;
  sentPackets: number;
  dropped: number;
  overlimits: number;
}

/** `tc -s qdisc show dev <dev>` in the router, parsed (null when there is no root qdisc with statistics). */
export function routerQdiscStats(dev: 'c0' | 's0'): QdiscStats | null {
  const text = nsRun(NS.router, ['tc', '-s', 'qdisc', 'show', 'dev', dev], { allowFail: true });
  const kind = /^qdisc (\S+)/m.exec(text)?.[1];
  const sent = /Sent (\d+) bytes (\d+) pkt \(dropped (\d+), overlimits (\d+)/.exec(text);
  if (!kind || !sent) return null;
  return { dev, kind, sentBytes: Number(sent[1]), sentPackets: Number(sent[2]), dropped: Number(sent[3]), overlimits: Number(sent[4]) };
}

let netem: boolean | undefined;
/** Whether this kernel has sch_netem (LAB.md's machine did; some CI kernels do not). Probed once, in the router. */
export function netemAvailable(): boolean {
  if (netem === undefined) {
    nsRun(NS.router, ['tc', 'qdisc', 'add', 'dev', 'lo', 'root', 'netem', 'delay', '1ms'], { allowFail: true });
    netem = tcOk();
    nsRun(NS.router, ['tc', 'qdisc', 'del', 'dev', 'lo', 'root'], { allowFail: true });
  }
  return netem;
}

function tcOk(): boolean {
  return nsRun(NS.router, ['tc', 'qdisc', 'show', 'dev', 'lo'], { allowFail: true }).includes('netem');
}

/** Delays (ms) the caller must provide with nfq-delay.py when netem is missing: queue → [delay, jitter]. */
export function delaysNeeded(spec: NetworkSpec): Array<{ queue: number; delayMs: number; jitterMs: number }> {
  if (netemAvailable()) return [];
  const out: Array<{ queue: number; delayMs: number; jitterMs: number }> = [];
  if (spec.netem) out.push({ queue: DELAY_QUEUE.link, delayMs: spec.netem.delayMs, jitterMs: spec.netem.jitterMs });
  if (spec.dns === 'slow') out.push({ queue: DELAY_QUEUE.dns, delayMs: DNS_SLOW_MS, jitterMs: 0 });
  return out;
}

function resetTc(ns: string, dev: string): void {
  nsRun(ns, ['tc', 'qdisc', 'del', 'dev', dev, 'root'], { allowFail: true });
}

/**
 * Applies one scenario's network: router firewall + NAT, tc, MTU, the client's routes; then flushes conntrack
 * so no state from the previous scenario survives (LAB.md). dnsmasq is started by the caller.
 */
export function applyNetwork(spec: NetworkSpec): void {
  nsRun(NS.router, ['iptables-restore'], { input: routerRules(spec) });
  // tc and MTU back to defaults first.
  resetTc(NS.router, 'c0');
  resetTc(NS.router, 's0');
  resetTc(NS.client, 'eth0');
  // The small MTU is a route MTU on the router's way to the servers: forwarded client→server packets above it
  // get ICMP "fragmentation needed" (dropped by the firewall) — an upstream black hole as in LAB.md ("HTTP
  // upload stalls, download works"). A link MTU on s0 would also make the veth silently drop single
  // >1280-byte packets coming *from* the servers, which is not the network LAB.md describes.
  const serverRoute = ['10.213.2.0/24', 'dev', 's0', 'proto', 'kernel', 'scope', 'link', 'src', ADDR.nat];
  if (spec.mtuBlackhole) nsRun(NS.router, ['ip', 'route', 'replace', ...serverRoute, 'mtu', 'lock', String(spec.mtuBlackhole.mtu)]);
  else nsRun(NS.router, ['ip', 'route', 'replace', ...serverRoute]);
  // Downstream (issue 10: the MTU ladder must see it): packets forwarded from the media server's address towards the
  // client take a policy-routing table whose client routes carry the small MTU. Only that address: the web app and the
  // probe API (other addresses) must still load the page, as they do behind a VPN that clamps TCP for the web.
  nsRun(NS.router, ['ip', 'rule', 'del', 'priority', String(DOWNSTREAM_MTU_RULE_PRIORITY)], { allowFail: true });
  nsRun(NS.router, ['ip', 'route', 'flush', 'table', String(DOWNSTREAM_MTU_TABLE)], { allowFail: true });
  if (spec.mtuBlackhole) {
    const mtu = String(spec.mtuBlackhole.mtu);
    nsRun(NS.router, ['ip', 'route', 'add', '10.213.1.0/24', 'dev', 'c0', 'src', ADDR.routerClientSide, 'mtu', 'lock', mtu, 'table', String(DOWNSTREAM_MTU_TABLE)]);
    nsRun(NS.router, ['ip', 'route', 'add', '10.213.9.0/24', 'dev', 'v0', 'src', ADDR.routerVpnSide, 'mtu', 'lock', mtu, 'table', String(DOWNSTREAM_MTU_TABLE)], { allowFail: true });
    nsRun(NS.router, ['ip', 'rule', 'add', 'priority', String(DOWNSTREAM_MTU_RULE_PRIORITY), 'from', ADDR.probe, 'iif', 's0', 'lookup', String(DOWNSTREAM_MTU_TABLE)]);
  }
  if (spec.rateLimit) {
    // tbf on both of the router's interfaces: c0 towards the client (down), s0 towards the servers (up).
    const { kbit, burstBytes, latencyMs } = spec.rateLimit;
    for (const dev of ['c0', 's0']) nsRun(NS.router, ['tc', 'qdisc', 'add', 'dev', dev, 'root', 'tbf', 'rate', `${kbit}kbit`, 'burst', String(burstBytes), 'latency', `${latencyMs}ms`]);
  }
  if (spec.netem && netemAvailable()) {
    // Delay only: loss is the router's iptables rules above, on every kernel.
    const { delayMs, jitterMs } = spec.netem;
    const args = ['delay', `${delayMs}ms`, `${jitterMs}ms`];
    nsRun(NS.router, ['tc', 'qdisc', 'add', 'dev', 'c0', 'root', 'netem', ...args]);
    nsRun(NS.client, ['tc', 'qdisc', 'add', 'dev', 'eth0', 'root', 'netem', ...args]);
  } else if (spec.dns === 'slow' && netemAvailable()) {
    // Delay only DNS answers (UDP/TCP source port 53) from the router to the client.
    nsRun(NS.router, ['tc', 'qdisc', 'add', 'dev', 'c0', 'root', 'handle', '1:', 'prio']);
    nsRun(NS.router, ['tc', 'qdisc', 'add', 'dev', 'c0', 'parent', '1:3', 'handle', '30:', 'netem', 'delay', `${DNS_SLOW_MS}ms`]);
    for (const proto of ['17', '6']) {
      nsRun(NS.router, ['tc', 'filter', 'add', 'dev', 'c0', 'protocol', 'ip', 'parent', '1:0', 'prio', '1', 'u32', 'match', 'ip', 'protocol', proto, '0xff', 'match', 'ip', 'sport', '53', '0xffff', 'flowid', '1:3']);
    }
  }
  // Client routes: eth0 default, or a VPN (default via the VPN interface with a lower metric; per-address tables; split routes or
  // the full tunnel's lockdown).
  nsRun(NS.client, ['ip', 'route', 'flush', 'table', 'main', 'proto', 'static'], { allowFail: true });
  for (const [address, table] of CLIENT_SOURCE_TABLES) {
    nsRun(NS.client, ['ip', 'rule', 'del', 'from', address, 'lookup', String(table)], { allowFail: true });
    nsRun(NS.client, ['ip', 'route', 'flush', 'table', String(table)], { allowFail: true });
  }
  nsRun(NS.client, ['iptables-restore'], { input: clientRules(spec) });
  nsRun(NS.client, ['ip', 'link', 'set', VPN_IF, spec.vpn ? 'up' : 'down']);
  nsRun(NS.client, ['ip', 'route', 'replace', 'default', 'via', ADDR.routerClientSide, 'dev', 'eth0', 'metric', '100', 'proto', 'static']);
  if (spec.vpn) {
    nsRun(NS.client, ['ip', 'route', 'replace', 'default', 'via', ADDR.routerVpnSide, 'dev', VPN_IF, 'metric', '50', 'proto', 'static']);
    // Strong host model: a socket bound to an interface's address uses that interface's own default route.
    for (const [address, table, via, dev] of CLIENT_SOURCE_TABLES) {
      nsRun(NS.client, ['ip', 'route', 'add', 'default', 'via', via, 'dev', dev, 'table', String(table)]);
      nsRun(NS.client, ['ip', 'rule', 'add', 'from', address, 'lookup', String(table)]);
    }
  }
  if (spec.vpn === 'split') {
    // The web app and the probe's HTTP(S) address stay on the physical link — unless that address is the TURN
    // address itself (probe-address layout), which must go through the "VPN".
    const split = LAYOUT.id === 'api-address' ? [ADDR.web, ADDR.api] : [ADDR.web];
    for (const ip of split) nsRun(NS.client, ['ip', 'route', 'replace', `${ip}/32`, 'via', ADDR.routerClientSide, 'dev', 'eth0', 'proto', 'static']);
  }
  if (spec.vpn === 'full') {
    // The resolver (the router's client-side address) through the tunnel as well.
    nsRun(NS.client, ['ip', 'route', 'replace', `${ADDR.routerClientSide}/32`, 'via', ADDR.routerVpnSide, 'dev', VPN_IF, 'proto', 'static']);
  }
  nsRun(NS.router, ['conntrack', '-F'], { allowFail: true });
}

/** Source addresses of the router's own UDP flows to `dst`:`dport` (conntrack), e.g. dnsmasq's forwarding. */
export function udpSourcesTo(dst: string, dport: number): string[] {
  const out = nsRun(NS.router, ['conntrack', '-L', '-p', 'udp', '--orig-dst', dst, '--dport', String(dport)], { allowFail: true });
  return [...new Set([...out.matchAll(/^\S+\s+\d+\s+\d+\s+src=(\S+)/gm)].map((m) => m[1]!))];
}

/** UDP conntrack entries in the router towards `dst` (for the NAT-mapping ground truth). */
export function udpMappings(dst: string): Array<{ origSport: number; dport: number; mappedPort: number }> {
  const out = nsRun(NS.router, ['conntrack', '-L', '-p', 'udp', '--orig-dst', dst], { allowFail: true });
  const rows: Array<{ origSport: number; dport: number; mappedPort: number }> = [];
  for (const line of out.split('\n')) {
    const sports = [...line.matchAll(/sport=(\d+)/g)].map((m) => Number(m[1]));
    const dports = [...line.matchAll(/dport=(\d+)/g)].map((m) => Number(m[1]));
    if (sports.length >= 2 && dports.length >= 2) rows.push({ origSport: sports[0]!, dport: dports[0]!, mappedPort: dports[1]! });
  }
  return rows;
}
