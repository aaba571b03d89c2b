/**
 * The real components the lab starts, each inside its namespace by `ip netns exec` and tracked by PID:
 * netready's probe server and web app and coturn (server ns), three squids (plain explicit proxy with CONNECT
 * to 443 only, the same with proxy authentication, and an ssl-bump TLS-inspecting one with its own CA) and
 * dnsmasq as the client's resolver (router ns).
 */
import { chmodSync, chownSync, cpSync, existsSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ADDR, LAYOUT, NS, PORTS, SQUID_PORT, type NetworkSpec, type ProxyKind } from './topology';
import { makeInspectionCa, squidConfigText, SQUID_CERTGEN } from '../../server/tls-mirror/testing/squid-config';
import { LabError, nsRun, run, spawnInNs, stopProcess, waitFor, type LabProcess } from './sys';
import { MmdbDouble, writeMmdb } from '../../server/dns/testing/mmdb-writer';

/** Repository root. */
export const REPO_ROOT = path.resolve(import.meta.dirname, '..', '..');

/** Base URL of the web app, as the client reaches it. */
export const WEB_URL = `http://${ADDR.web}`;
/** Base URL of the probe's HTTP API (its plain-HTTP listener). */
export const API_URL = `http://${LAYOUT.httpIp}${LAYOUT.httpPort === 80 ? '' : `:${LAYOUT.httpPort}`}`;
/**
 * netready's probe zone in the lab: its authoritative DNS server (10.213.2.53:53) answers it, the router's
 * dnsmasq forwards it there (or not, per scenario), and the session's hostname TURN URLs name `turn.<zone>`.
 */
export const LAB_ZONE = 'netready.lab';

function uidOf(user: string): { uid: number; gid: number } {
  const line = readFileSync('/etc/passwd', 'utf8')
    .split('\n')
    .find((l) => l.startsWith(`${user}:`));
  if (!line) throw new LabError(`user "${user}" does not exist (it comes with the squid package)`);
  const [, , uid, gid] = line.split(':');
  return { uid: Number(uid), gid: Number(gid) };
}

/** Curl inside a namespace; returns body or null (never throws). */
export function nsCurl(ns: string, url: string, maxTimeS = 3): string | null {
  const out = nsRun(ns, ['curl', '-sS', '--noproxy', '*', '--max-time', String(maxTimeS), '-o', '-', '-w', '\n%{http_code}', url], {
    allowFail: true,
    timeoutMs: (maxTimeS + 2) * 1000,
  });
  const cut = out.lastIndexOf('\n');
  if (cut < 0) return null;
  const status = out.slice(cut + 1).trim();
  return status === '200' ? out.slice(0, cut) : null;
}

/** netready's probe + web app + coturn, running in the server namespace. */
export interface Servers {
  probe: LabProcess;
  /** The far region's probe node (issue 15). */
  farProbe: LabProcess;
  web: LabProcess;
  coturn: LabProcess;
  dataDir: string;
  /** The dev CA the probe generated (the client trusts it with --trust-ca). */
  devCaFile: string;
}

/**
 * Writes the lab's netready config: TURN/TCP on 80 and TURN/TLS on 443 of the probe address; the probe's
 * plain-HTTP (API, echo) and HTTPS (TLS mirror, DNS lookup fetches) listeners on 80 and 443 of the API address
 * — the lab's squids allow only ports 80/443, as corporate proxies commonly do; the authoritative DNS server
 * for the lab zone on 53 of its own address.
 */
/**
 * Regions (issue 15): the lab's two regions. `near` is the main probe (STUN/TURN on ADDR.probe, HTTPS on the probe's
 * HTTPS listener), `far` a second probe node (ADDR.farProbe / ADDR.farApi) whose packets the router delays
 * (FAR_REGION_DELAY_MS each way). Locations: Frankfurt and Ashburn, as in the lab's GeoIP database.
 */
export const LAB_REGIONS = [
  {
    id: 'near',
    label: 'Frankfurt (lab)',
    location: { continent: 'EU', country: 'DE', latitude: 50.11, longitude: 8.68 },
    publicIp: ADDR.probe,
    httpsIp: LAYOUT.httpsIp,
    httpsUrl: `https://${LAYOUT.httpsIp}:${LAYOUT.httpsPort}`,
    stunPort: PORTS.turnUdp,
  },
  {
    id: 'far',
    label: 'Ashburn (lab)',
    location: { continent: 'NA', country: 'US', latitude: 39.04, longitude: -77.49 },
    publicIp: ADDR.farProbe,
    httpsIp: ADDR.farApi,
    httpsUrl: `https://${ADDR.farApi}:${LAYOUT.httpsPort}`,
    stunPort: PORTS.turnUdp,
  },
] as const;

/**
 * The lab's GeoIP database (MaxMind format, written with the tests' MMDB writer): the client's subnet and the "near
 * resolver" in Frankfurt, the "far resolver" in Ashburn. Nothing else is in it, so the router's ordinary forwarding
 * address (and dns-remote-resolver's) stays unplaced: netready's GeoDNS then answers with its default region, near.
 */
function writeLabGeoIp(runDir: string): string {
  const network24 = (ip: string): string => `${ip.split('.').slice(0, 3).join('.')}.0/24`;
  const file = path.join(runDir, 'geoip-lab.mmdb');
  const place = (region: (typeof LAB_REGIONS)[number]) => ({
    country: { iso_code: region.location.country },
    continent: { code: region.location.continent },
    location: { latitude: new MmdbDouble(region.location.latitude), longitude: new MmdbDouble(region.location.longitude) },
  });
  writeFileSync(
    file,
    writeMmdb([
      { cidr: '10.213.1.0/24', value: place(LAB_REGIONS[0]) },
      { cidr: network24(ADDR.nearResolver), value: place(LAB_REGIONS[0]) },
      { cidr: network24(ADDR.farResolver), value: place(LAB_REGIONS[1]) },
    ]),
  );
  return file;
}

function writeNetreadyConfig(runDir: string): string {
  const file = path.join(runDir, 'netready.config.json');
  const config = {
    name: 'netready lab',
    dataDir: path.join(runDir, 'data'),
    regions: LAB_REGIONS,
    // Shared by both regions' nodes (the far one reads this configuration too), as a multi-region deployment must.
    turn: { secret: 'netready-lab-turn-secret-shared-by-every-node' },
    web: { host: ADDR.web, port: PORTS.web },
    probe: {
      bindIp: ADDR.probe,
      publicIp: ADDR.probe,
      publicHttpUrl: API_URL,
      turnUdp: { port: PORTS.turnUdp },
      turnTcp: { port: PORTS.turnTcp },
      turnTls: { port: PORTS.turnTls },
      stunAltPorts: [PORTS.stunAlt],
      // NAT behaviour (issue 11): the nat probe's second address (topology.ts puts it on the server's eth0).
      stunAltIp: ADDR.probeAlt,
      http: { ip: LAYOUT.httpIp, port: LAYOUT.httpPort },
      https: { ip: LAYOUT.httpsIp, port: LAYOUT.httpsPort },
      relayPortMin: PORTS.relayMin,
      relayPortMax: PORTS.relayMax,
      peerPortMin: PORTS.peerMin,
      peerPortMax: PORTS.peerMax,
      iceTcp: { port: PORTS.iceTcp },
    },
    // No answerIp: lookup names answer with the HTTPS listener's own address (ADDR.api), and turn./stun. with
    // probe.publicIp (ADDR.probe) — netready's defaults for listeners on separate addresses.
    dns: { zone: LAB_ZONE, listen: { ip: ADDR.dnsAuth, port: PORTS.dns }, geoipMmdb: writeLabGeoIp(runDir) },
  };
  writeFileSync(file, `${JSON.stringify(config, null, 2)}\n`);
  return file;
}

/**
 * The far region's node (issue 15): the same configuration with `probe.region: far`, its own addresses and data folder
 * — holding a copy of the main probe's dev CA, so the client's one trusted CA covers it — and its DNS server out of
 * the way (the home node answers the zone). Written after the main probe made its CA.
 */
function writeFarNodeConfig(runDir: string, mainConfigFile: string): string {
  const main = JSON.parse(readFileSync(mainConfigFile, 'utf8')) as Record<string, Record<string, unknown>>;
  const dataDir = path.join(runDir, 'data-far');
  mkdirSync(path.join(dataDir, 'tls'), { recursive: true });
  for (const name of ['ca.pem', 'ca-key.pem']) cpSync(path.join(runDir, 'data', 'tls', name), path.join(dataDir, 'tls', name));
  const probe = { ...main.probe } as Record<string, unknown>;
  delete probe.stunAltIp;
  delete probe.publicHttpUrl;
  const config = {
    ...main,
    dataDir,
    probe: {
      ...probe,
      region: 'far',
      bindIp: ADDR.farProbe,
      publicIp: ADDR.farProbe,
      http: { ip: ADDR.farApi, port: LAYOUT.httpPort },
      https: { ip: ADDR.farApi, port: LAYOUT.httpsPort },
      ops: { port: 9465 },
    },
    dns: { ...main.dns, listen: { ip: ADDR.farApi, port: 5300 } },
  };
  const file = path.join(runDir, 'netready-far.config.json');
  writeFileSync(file, `${JSON.stringify(config, null, 2)}\n`);
  return file;
}

/**
 * The address `turn.<zone>` answers (what the ground check expects): the STUN/TURN listeners' address. The
 * lookup names (`nr-….<zone>`) answer the HTTPS listener's address instead (ADDR.api).
 */
export const DNS_ANSWER_IP = ADDR.probe;

/**
 * Snapshots the built web app (`.next` without its caches) into `<runDir>/web`, with the rest of the project
 * symlinked: other people's `npm run build` in the same checkout then cannot swap the app under a running lab
 * (seen: a rebuild mid-run broke every later row with "no result"). Retries when a build changed it mid-copy.
 */
function snapshotWebApp(runDir: string): string {
  const root = path.join(runDir, 'web');
  const buildId = (): string => readFileSync(path.join(REPO_ROOT, '.next', 'BUILD_ID'), 'utf8');
  for (let attempt = 1; ; attempt++) {
    rmSync(root, { recursive: true, force: true });
    mkdirSync(root, { recursive: true });
    const before = buildId();
    cpSync(path.join(REPO_ROOT, '.next'), path.join(root, '.next'), {
      recursive: true,
      verbatimSymlinks: true,
      filter: (src) => !/[/\\]\.next[/\\](cache|dev|trace|trace-build)($|[/\\])/.test(src),
    });
    if (buildId() === before && readFileSync(path.join(root, '.next', 'BUILD_ID'), 'utf8') === before) break;
    if (attempt === 3) throw new LabError('the web app was rebuilt three times while the lab copied it; try again when no build is running');
  }
  for (const entry of ['node_modules', 'package.json', 'next.config.js', 'public']) {
    if (existsSync(path.join(REPO_ROOT, entry))) symlinkSync(path.join(REPO_ROOT, entry), path.join(root, entry));
  }
  return root;
}

/** Starts probe, web app and coturn in the server namespace and waits for real readiness signals. */
export async function startServers(runDir: string): Promise<Servers> {
  const configFile = writeNetreadyConfig(runDir);
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    NETREADY_CONFIG: configFile,
    NEXT_TELEMETRY_DISABLED: '1',
    TMPDIR: path.join(runDir, 'tmp'),
  };
  // Overrides from the caller's environment would silently change the lab's addresses: drop them.
  for (const key of Object.keys(env)) if (key.startsWith('NETREADY_') && key !== 'NETREADY_CONFIG') delete env[key];
  const logDir = path.join(runDir, 'logs');
  const probe = spawnInNs('probe', NS.server, [path.join(REPO_ROOT, 'node_modules', '.bin', 'tsx'), 'server/main.ts'], {
    env,
    cwd: REPO_ROOT,
    logFile: path.join(logDir, 'probe.log'),
  });
  const webRoot = snapshotWebApp(runDir);
  const web = spawnInNs('web', NS.server, [path.join(REPO_ROOT, 'node_modules', '.bin', 'next'), 'start', webRoot, '-p', String(PORTS.web), '-H', ADDR.web], {
    env,
    cwd: webRoot,
    logFile: path.join(logDir, 'web.log'),
  });
  const coturn = startCoturnInNs(runDir);
  await waitFor('the probe server ("netready probe ready")', () => probe.output.some((l) => l.includes('netready probe ready')), 40_000, probe);
  // The far region's node, once the main probe has made the dev CA it shares.
  const farEnv = { ...env, NETREADY_CONFIG: writeFarNodeConfig(runDir, configFile) };
  const farProbe = spawnInNs('probe-far', NS.server, [path.join(REPO_ROOT, 'node_modules', '.bin', 'tsx'), 'server/main.ts'], { env: farEnv, cwd: REPO_ROOT, logFile: path.join(logDir, 'probe-far.log') });
  await waitFor('the probe API', () => nsCurl(NS.server, `${API_URL}/v1/health`, 1) !== null, 10_000, probe);
  await waitFor('the web app', () => nsCurl(NS.server, `${WEB_URL}/api/dev-ca`, 2) !== null, 60_000, web);
  await waitFor('coturn', () => coturn.output.some((l) => /listener opened on\s*:?\s*10\.213\.2\.40:3478|Total General servers/i.test(l)), 10_000, coturn);
  await waitFor('the far region\'s probe node ("netready probe ready")', () => farProbe.output.some((l) => l.includes('netready probe ready')), 40_000, farProbe);
  const devCaFile = path.join(runDir, 'data', 'tls', 'ca.pem');
  if (!existsSync(devCaFile)) throw new LabError(`the probe did not generate its dev CA at ${devCaFile}`);
  if (readFileSync(path.join(runDir, 'data-far', 'tls', 'ca.pem'), 'utf8') !== readFileSync(devCaFile, 'utf8')) throw new LabError('the far region\'s node made a dev CA of its own instead of using the copy');
  return { probe, farProbe, web, coturn, dataDir: path.join(runDir, 'data'), devCaFile };
}

/**
 * coturn as an independent reference server for the lab's ground truth (is UDP 3478 really reachable; what
 * NAT mapping does the router do — RFC 5780 needs its two addresses). Debian's /usr/bin/turnserver.
 */
function startCoturnInNs(runDir: string): LabProcess {
  const dir = path.join(runDir, 'coturn');
  mkdirSync(dir, { recursive: true });
  const lines = [
    `listening-ip=${ADDR.coturn}`,
    `listening-ip=${ADDR.coturnAlt}`,
    `listening-port=${PORTS.coturn}`,
    `alt-listening-port=${PORTS.coturn + 1}`,
    `relay-ip=${ADDR.coturn}`,
    'min-port=50000',
    'max-port=50999',
    'use-auth-secret',
    'static-auth-secret=netready-lab-coturn-secret',
    'realm=netready-lab',
    'fingerprint',
    'no-cli',
    'no-dtls',
    'no-tls',
    'no-multicast-peers',
    'log-file=stdout',
    'simple-log',
    `pidfile=${path.join(dir, 'turnserver.pid')}`,
    `userdb=${path.join(dir, 'turndb')}`,
  ];
  writeFileSync(path.join(dir, 'turnserver.conf'), `${lines.join('\n')}\n`);
  return spawnInNs('coturn', NS.server, ['/usr/bin/turnserver', '-c', path.join(dir, 'turnserver.conf')], { logFile: path.join(runDir, 'logs', 'coturn.log') });
}

/** The squids and the TLS-inspection CA the client trusts in tls-inspect. */
export interface Proxies {
  squids: LabProcess[];
  inspectionCaFile: string;
}

/** Generates the TLS-inspection CA (RSA, 2 days) for the ssl-bump squid. */
function squidConfig(kind: ProxyKind, dir: string, ca: { cert: string; key: string }): string {
  const bump = kind === 'bump' || kind === 'bump-tunnel';
  return squidConfigText({
    mode: kind === 'plain' ? 'explicit' : kind,
    listen: `${ADDR.routerClientSide}:${SQUID_PORT[kind]}`,
    dir,
    name: `squid-${kind}.proxy.lab`,
    realm: 'netready lab proxy',
    inspectionCa: ca,
    network: [
      // squid talks to the servers from its own address, so the servers can tell proxied from NATed traffic.
      `tcp_outgoing_address ${ADDR.proxyEgress}`,
      // squid resolves names (the lab zone, via netready's authoritative server) with the router's dnsmasq —
      // also in dns-dropped-with-proxy, where only the client's DNS is dropped: the proxy still resolves.
      `dns_nameservers ${ADDR.routerClientSide}`,
      // No caching of answers: each scenario's dnsmasq mode must show, and fresh names are fresh anyway.
      'positive_dns_ttl 1 seconds',
      'negative_dns_ttl 1 seconds',
      // Fresh server connections per request: a pooled one would outlive the router's conntrack flush.
      'server_persistent_connections off',
      `acl SSL_ports port ${[...new Set([443, LAYOUT.httpsPort])].join(' ')}`,
      // The inspecting proxies also permit CONNECT to 80 (a common "web ports" policy); the others 443 only.
      bump ? 'acl SSL_ports port 80' : '',
      `acl Safe_ports port ${LAYOUT.webPorts.join(' ')}`,
      'acl CONNECT method CONNECT',
      'acl lab_clients src 10.213.1.0/24 10.213.9.0/24',
      'http_access deny !Safe_ports',
      'http_access deny CONNECT !SSL_ports',
      'http_access deny !lab_clients',
    ],
    finalAccess: ['http_access allow lab_clients', 'http_access deny all'],
  });
}

/** The squids, in start order. */
export const PROXY_KINDS: ProxyKind[] = ['plain', 'auth', 'bump', 'bump-tunnel'];

/** Starts the squids in the router namespace; ready when each accepts TCP on its port. */
export async function startProxies(runDir: string): Promise<Proxies> {
  const base = path.join(runDir, 'squid');
  mkdirSync(base, { recursive: true });
  chmodSync(base, 0o755);
  const proxyUser = uidOf('proxy');
  const ca = makeInspectionCa(base, 'netready lab');
  chownSync(ca.key, proxyUser.uid, proxyUser.gid);
  const squids: LabProcess[] = [];
  for (const kind of PROXY_KINDS) {
    const dir = path.join(base, kind);
    mkdirSync(dir, { recursive: true });
    if (kind === 'bump' || kind === 'bump-tunnel') run(SQUID_CERTGEN, ['-c', '-s', path.join(dir, 'ssl_db'), '-M', '4MB']);
    run('chown', ['-R', `${proxyUser.uid}:${proxyUser.gid}`, dir]);
    const conf = path.join(dir, 'squid.conf');
    writeFileSync(conf, squidConfig(kind, dir, ca));
    // -N: no daemon (the PID is squid's); -n: own service name (separate shared-memory segments).
    squids.push(spawnInNs(`squid-${kind}`, NS.router, ['/usr/sbin/squid', '-N', '-n', `nrlab${kind.replace('-', '')}`, '-f', conf], { logFile: path.join(runDir, 'logs', `squid-${kind}.log`) }));
  }
  for (const [i, squid] of squids.entries()) {
    const port = SQUID_PORT[PROXY_KINDS[i]!];
    await waitFor(`${squid.name} on :${port}`, () => nsRun(NS.router, ['ss', '-Htln', `sport = :${port}`], { allowFail: true }).includes('LISTEN'), 15_000, squid);
  }
  return { squids, inspectionCaFile: ca.cert };
}

/**
 * Starts dnsmasq (router ns) as the client's resolver for one scenario. It never forwards anything but the lab
 * zone, and that only to netready's authoritative server: names outside the zone are answered locally
 * (NXDOMAIN) and never leave the lab. No Client Subnet is added (dnsmasq's default), so the authoritative
 * server sees only the resolver's address.
 */
export async function startDnsmasq(runDir: string, mode: NetworkSpec['dns'], scenarioId: string): Promise<LabProcess> {
  const conf = path.join(runDir, `dnsmasq-${scenarioId}.conf`);
  const lines = [
    'no-resolv',
    'no-hosts',
    'no-poll',
    // The client side, and loopback for the router's own squids.
    `listen-address=${ADDR.routerClientSide}`,
    'bind-interfaces',
    'port=53',
    // Fresh lookups every time: the probe's names are unique anyway; turn.<zone> must show each mode.
    'cache-size=0',
    'log-queries',
    'log-facility=-',
    'address=/#/',
  ];
  const auth = `${ADDR.dnsAuth}#${PORTS.dns}`;
  // NXDOMAIN for the whole zone, answered by dnsmasq itself.
  if (mode === 'nxdomain') lines.push(`address=/${LAB_ZONE}/`);
  // Forwarded from an address in another /16 (a resolver "elsewhere").
  else if (mode === 'remote') lines.push(`server=/${LAB_ZONE}/${auth}@${ADDR.remoteResolver}`);
  // Regions (issue 15): from addresses the lab's GeoIP database places near / far; the far one also with the client's
  // /24 as EDNS Client Subnet.
  else if (mode === 'near-resolver') lines.push(`server=/${LAB_ZONE}/${auth}@${ADDR.nearResolver}`);
  else if (mode === 'far-resolver') lines.push(`server=/${LAB_ZONE}/${auth}@${ADDR.farResolver}`);
  else if (mode === 'far-resolver-ecs') lines.push(`server=/${LAB_ZONE}/${auth}@${ADDR.farResolver}`, 'add-subnet=24');
  else lines.push(`server=/${LAB_ZONE}/${auth}`);
  writeFileSync(conf, `${lines.join('\n')}\n`);
  const proc = spawnInNs('dnsmasq', NS.router, ['/usr/sbin/dnsmasq', '--keep-in-foreground', `--conf-file=${conf}`, `--pid-file=${path.join(runDir, `dnsmasq-${scenarioId}.pid`)}`], {
    logFile: path.join(runDir, 'logs', `dnsmasq-${scenarioId}.log`),
  });
  await waitFor('dnsmasq on :53', () => nsRun(NS.router, ['ss', '-Hluan', 'sport = :53'], { allowFail: true }).includes(ADDR.routerClientSide), 5_000, proc);
  return proc;
}

/** Stops dnsmasq of a scenario. */
export async function stopDnsmasq(proc: LabProcess): Promise<void> {
  await stopProcess(proc, 2000);
}

/** Starts the NFQUEUE delayer (router ns) for one queue; ready when it printed "ready". */
export async function startDelayer(runDir: string, queue: number, delayMs: number, jitterMs: number): Promise<LabProcess> {
  const proc = spawnInNs(`delay-q${queue}`, NS.router, ['/usr/bin/python3', path.join(REPO_ROOT, 'e2e', 'lab', 'nfq-delay.py'), String(queue), String(delayMs), String(jitterMs)], {
    logFile: path.join(runDir, 'logs', `delay-q${queue}.log`),
  });
  await waitFor(`the NFQUEUE delayer on queue ${queue}`, () => proc.output.includes('ready'), 5_000, proc);
  return proc;
}

/** TCP port of the lab's transfer-rate check in the server namespace (free of netready's and coturn's). */
const TRANSFER_PORT = 5201;
/** Bytes moved each way by the transfer-rate check. */
const TRANSFER_BYTES = 100_000;

/**
 * An iperf-like check of the client link, independent of netready: a TCP server in the server namespace sends
 * TRANSFER_BYTES on `d` and swallows as many after `u`; the client times both (first to last byte down; first
 * write to the server's acknowledgement up). Returns kbit/s each way, or the error.
 */
export async function measureTransferRate(runDir: string): Promise<{ downKbps: number; upKbps: number } | { error: string }> {
  const server = `const net=require('node:net');const N=${TRANSFER_BYTES};net.createServer(s=>{let mode=null,n=0;s.on('error',()=>{});s.on('data',c=>{if(mode===null){mode=c[0];c=c.subarray(1);if(mode===0x64){s.end(Buffer.alloc(N));return}}n+=c.length;if(n>=N)s.end('k')})}).listen(${TRANSFER_PORT},'${ADDR.probe}',()=>console.log('ready'))`;
  const client = `const net=require('node:net');const N=${TRANSFER_BYTES};const down=()=>new Promise((res,rej)=>{let n=0,first=0;const s=net.connect(${TRANSFER_PORT},'${ADDR.probe}',()=>s.write('d'));s.on('data',c=>{if(!first)first=performance.now();n+=c.length;if(n>=N){res(n*8/(performance.now()-first));s.destroy()}});s.on('error',rej)});const up=()=>new Promise((res,rej)=>{let t0=0;const s=net.connect(${TRANSFER_PORT},'${ADDR.probe}',()=>{t0=performance.now();s.write('u');s.write(Buffer.alloc(N))});s.on('data',()=>{res(N*8/(performance.now()-t0));s.destroy()});s.on('error',rej)});(async()=>{const d=await down();const u=await up();console.log(JSON.stringify({downKbps:Math.round(d),upKbps:Math.round(u)}))})().catch(e=>console.log(JSON.stringify({error:String(e)})))`;
  const proc = spawnInNs('transfer-server', NS.server, [process.execPath, '-e', server], { logFile: path.join(runDir, 'logs', 'transfer-server.log') });
  try {
    await waitFor('the transfer-rate server', () => proc.output.includes('ready'), 5_000, proc);
    const out = nsRun(NS.client, [process.execPath, '-e', client], { timeoutMs: 15_000, allowFail: true }).trim();
    try {
      return JSON.parse(out.split('\n').at(-1) ?? '') as { downKbps: number; upKbps: number } | { error: string };
    } catch {
      return { error: `no result (${out.slice(0, 200)})` };
    }
  } finally {
    await stopProcess(proc, 1000);
  }
}
