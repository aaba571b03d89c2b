/**
 * `npm run test:lab`: the corporate network lab (issue 3, shared/LAB.md). Builds three network namespaces,
 * starts netready (probe + web app), coturn, three squids and dnsmasq inside them, then for every row of
 * scenarios.ts switches the router/client network, runs netready's CLI (real headless Chromium) in the client
 * namespace, reads what the servers saw, checks the network's ground truth, and asserts the row. Prints the
 * matrix, writes e2e/lab/report.json, and tears everything down by PID — also on Ctrl-C and on failure.
 *
 *   node --import tsx e2e/lab/main.ts [--only id,id] [--hold]   (--hold: build the first scenario, wait for Ctrl-C)
 *
 * Exit: 0 when no row fails (pending rows are not failures), 1 when a row fails, 2 when the lab could not be
 * built, 130 when interrupted.
 */
import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { assess, formatMatrix, statusOf, type AssessContext, type MatrixRow, type Observed, type ObservedDns, type ObservedIceTcp, type ObservedMtu, type ObservedPaths, type ObservedProxy, type ObservedRegions, type ObservedRelay } from './assess';
import { API_URL, DNS_ANSWER_IP, LAB_ZONE, measureTransferRate, nsCurl, PROXY_KINDS, REPO_ROOT, startDelayer, startDnsmasq, startProxies, startServers, stopDnsmasq, WEB_URL, type Proxies, type Servers } from './daemons';
import { SCENARIOS, type GroundCheck, type RelayExpectation, type Scenario, type Transport } from './scenarios';
import type { ProxyKind } from './topology';
import { LabError, namespacePids, nsRun, processState, spawnInNs, started, stopPids, stopProcess, waitFor, type LabProcess } from './sys';
import { ADDR, applyNetwork, buildNamespaces, DELAY_QUEUE, delaysNeeded, DNS_SLOW_MS, FAR_REGION_DELAY_MS, LAYOUT, mediaLossCounters, netemAvailable, NS, PORTS, removeNamespaces, routerQdiscStats, udpMappings, udpSourcesTo } from './topology';
import { MONITOR_ROW_ID, runMonitorRow, type MonitorRowResult } from './monitor-row';
import { observeQuality } from './quality';

/** Where the run's files live (profiles, configs, logs); removed at teardown and at the next start. */
const RUN_DIR = path.join(os.tmpdir(), 'netready-lab');
/** Lock file holding the runner's PID (a second lab would fight over the same namespace names). */
const LOCK_FILE = '/run/netready-lab.pid';
/** Raw results of the last run (result JSON, CLI stderr, observations) for debugging; gitignored. */
const OUT_DIR = path.join(REPO_ROOT, 'e2e', 'lab', 'out');
const REPORT_FILE = path.join(REPO_ROOT, 'e2e', 'lab', 'report.json');
/** Deadline netready's CLI gets (Chromium start + page + run). */
const CLI_TIMEOUT_MS = 20_000;
/** Hard bound of one scenario's CLI process; then it is killed and the row fails. */
const SCENARIO_HARD_LIMIT_MS = 30_000;

const log = (line: string): void => void process.stderr.write(`[lab] ${line}\n`);

let tornDown = false;

/** Stops every process the lab started (by PID), sweeps the namespaces, removes namespaces, files and lock. */
function teardown(reason: string): void {
  if (tornDown) return;
  tornDown = true;
  const t0 = Date.now();
  const pids = [...started.keys()];
  if (pids.length > 0) log(`teardown (${reason}): stopping ${pids.length} started process(es) by PID: ${pids.join(' ')}`);
  const left = stopPids(pids, 3000);
  if (left.length > 0) log(`WARNING: still alive after SIGKILL: ${left.join(' ')}`);
  removeNamespaces(log);
  rmSync(RUN_DIR, { recursive: true, force: true });
  try {
    if (readFileSync(LOCK_FILE, 'utf8').trim() === String(process.pid)) rmSync(LOCK_FILE, { force: true });
  } catch {
    // No lock.
  }
  log(`teardown done in ${Date.now() - t0} ms`);
}

function takeLock(): void {
  if (existsSync(LOCK_FILE)) {
    const pid = Number(readFileSync(LOCK_FILE, 'utf8').trim());
    if (pid > 0 && pid !== process.pid && processState(pid) !== 'gone') {
      const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
      if (cmd.includes('e2e/lab')) throw new LabError(`another lab run is in progress (PID ${pid}: ${cmd.trim()}); not touching it`);
    }
  }
  writeFileSync(LOCK_FILE, `${process.pid}\n`);
}

/** Cleans whatever a killed earlier run left: namespaces (and their processes), /etc/netns files, run dir. */
function cleanStaleLab(): void {
  removeNamespaces((line) => log(`stale lab: ${line}`));
  rmSync(RUN_DIR, { recursive: true, force: true });
}

function relayOf(data: Record<string, unknown> | undefined, status: string, explainedBy: readonly string[] = []): ObservedRelay {
  const d = (data ?? {}) as {
    url?: string;
    relay?: { relayProtocol?: string };
    dataChannel?: { sent?: number; echoed?: number; rttMs?: number };
    stage?: string;
    errors?: Array<{ errorCode: number; errorText: string }>;
  };
  const sent = d.dataChannel?.sent ?? 0;
  const echoed = d.dataChannel?.echoed ?? 0;
  const relay: RelayExpectation =
    status === 'inconclusive' && explainedBy.includes('high-rtt')
      ? 'slow'
      : status === 'inconclusive' && explainedBy.includes('turn-tls-needs-hostname')
        ? 'needs-hostname'
        : !d.relay
          ? 'no-relay'
          : status === 'pass' && sent > 0 && echoed === sent
            ? 'data'
            : 'allocated-no-data';
  const out: ObservedRelay = { status, relay, stage: d.stage ?? '-', sent, echoed };
  if (d.url) out.url = d.url;
  if (d.relay?.relayProtocol) out.relayProtocol = d.relay.relayProtocol;
  if (d.dataChannel?.rttMs !== undefined) out.rttMs = d.dataChannel.rttMs;
  if (d.errors?.length) out.errors = [...new Set(d.errors.map((x) => `${x.errorCode} ${x.errorText}`))];
  return out;
}

/** "10.213.2.1:5000", "::ffff:10.213.2.1", { address } → "10.213.2.1". */
function ipOf(value: unknown): string {
  if (typeof value === 'string') return value.replace(/^::ffff:/, '').replace(/:\d+$/, '');
  if (value && typeof value === 'object') {
    const v = value as { address?: unknown; ip?: unknown };
    return ipOf(v.address ?? v.ip ?? '');
  }
  return '';
}

function readObservations(sessionId: string): Observed['server'] {
  const body = nsCurl(NS.server, `${API_URL}/v1/sessions/${encodeURIComponent(sessionId)}/observations`, 3);
  if (body === null) return null;
  writeFileSync(path.join(OUT_DIR, `${currentScenario}.observations.json`), body);
  const parsed = JSON.parse(body) as { clientAddress?: string; observations?: Array<{ source: string; kind: string; data: Record<string, unknown> }> };
  const obs = parsed.observations ?? [];
  return {
    sessionId,
    sessionFrom: ipOf(parsed.clientAddress),
    allocations: obs
      .filter((o) => o.source === 'turn' && o.kind === 'allocation-created')
      .map((o) => ({ transport: String(o.data.transport), client: ipOf(o.data.client) })),
    refused: obs
      .filter((o) => o.source === 'turn' && o.kind === 'allocation-refused')
      .map((o) => ({ transport: String(o.data.transport), client: ipOf(o.data.client), code: Number(o.data.code) })),
    peersConnected: obs.filter((o) => o.source === 'peer' && o.kind === 'peer-connected').length,
    httpEcho: obs.filter((o) => o.source === 'http' && o.kind === 'http-echo').map((o) => ({ listener: String(o.data.listener), client: ipOf(o.data.clientAddress) })),
    tlsHello: obs
      .filter((o) => o.source === 'http' && o.kind === 'tls-client-hello')
      .map((o) => ({ client: ipOf(o.data.clientAddress), ja4: typeof o.data.ja4 === 'string' ? o.data.ja4 : null, alpn: typeof o.data.negotiatedAlpn === 'string' ? o.data.negotiatedAlpn : null })),
  };
}

/** What the authoritative DNS server saw for one probe label (read back from the probe API, not the page). */
function serverSawLabel(label: string): string[] | null {
  const body = nsCurl(NS.server, `${API_URL}/v1/dns/labels/${encodeURIComponent(label)}`, 3);
  if (body === null) return null;
  const parsed = JSON.parse(body) as { resolvers?: Array<{ ip: string }> };
  return (parsed.resolvers ?? []).map((r) => ipOf(r.ip));
}

type ProbeLike = { status: string; durationMs?: number; reason?: string; data?: Record<string, unknown> };

/** The ice-tcp probe's outcome (issue 10), with the ICE-TCP endpoint's own record of the session read back. */
function observeIceTcp(probe: ProbeLike | undefined, sessionId: string | undefined): ObservedIceTcp | undefined {
  if (!probe) return undefined;
  const d = (probe.data ?? {}) as {
    dataChannel?: { sent?: number; echoed?: number };
    connectMs?: number;
    selectedPair?: { local?: { protocol?: string }; remote?: { tcpType?: string } };
    serverSaw?: { tcpClientAddress?: string; httpClientAddress?: string };
  };
  let serverSawFrom: string[] = [];
  if (sessionId) {
    const body = nsCurl(NS.server, `${API_URL}/v1/sessions/${encodeURIComponent(sessionId)}/observations`, 3);
    const parsed = body ? (JSON.parse(body) as { observations?: Array<{ source: string; kind: string; data: Record<string, unknown> }> }) : {};
    serverSawFrom = (parsed.observations ?? []).filter((o) => o.source === 'peer' && o.kind === 'ice-tcp-accepted').map((o) => ipOf(o.data.remoteAddress));
  }
  const out: ObservedIceTcp = { status: probe.status, echoed: d.dataChannel?.echoed ?? 0, sent: d.dataChannel?.sent ?? 0, serverSawFrom };
  if (probe.reason) out.reason = probe.reason;
  if (d.connectMs !== undefined) out.connectMs = d.connectMs;
  if (probe.durationMs !== undefined) out.durationMs = probe.durationMs;
  if (d.selectedPair?.local?.protocol) out.localProtocol = d.selectedPair.local.protocol;
  if (d.selectedPair?.remote?.tcpType) out.remoteTcpType = d.selectedPair.remote.tcpType;
  if (d.serverSaw?.tcpClientAddress) {
    out.tcpClientAddress = d.serverSaw.tcpClientAddress;
    // The lab knows its addresses: squid's egress means the browser tunnelled ICE-TCP through the proxy.
    out.path = d.serverSaw.tcpClientAddress === ADDR.proxyEgress ? 'proxy' : 'direct';
  }
  return out;
}

/** The regions probe's outcome, reduced to what the lab asserts (issue 15). */
function observeRegions(probes: Record<string, ProbeLike>): ObservedRegions | undefined {
  const probe = probes['regions'];
  if (!probe) return undefined;
  const d = (probe.data ?? {}) as {
    nearest?: string;
    compareBy?: string;
    dns?: { region?: string; rule?: string; error?: string };
    regions?: Array<{ id: string; reachable: boolean; udpRttMs?: number; httpsRttMs?: number }>;
  };
  return {
    status: probe.status,
    regions: (d.regions ?? []).map((r) => ({ id: r.id, reachable: r.reachable, ...(r.udpRttMs !== undefined ? { udpRttMs: r.udpRttMs } : {}), ...(r.httpsRttMs !== undefined ? { httpsRttMs: r.httpsRttMs } : {}) })),
    ...(d.nearest ? { nearest: d.nearest } : {}),
    ...(d.compareBy ? { compareBy: d.compareBy } : {}),
    ...(d.dns?.region ? { dnsRegion: d.dns.region } : {}),
    ...(d.dns?.rule ? { rule: d.dns.rule } : {}),
    ...(d.dns?.error ? { dnsError: d.dns.error } : {}),
  };
}

/** The DNS probes' outcomes, reduced to what the lab asserts and reports. */
function observeDns(probes: Record<string, ProbeLike>): ObservedDns | undefined {
  const lookup = probes['dns-lookup'];
  const resolver = probes['dns-resolver'];
  const turn = probes['dns-turn-lookup'];
  if (!lookup && !resolver && !turn) return undefined;
  const out: ObservedDns = { lookupStatus: lookup?.status ?? 'absent', resolverStatus: resolver?.status ?? 'absent', turnStatus: turn?.status ?? 'absent', turn: {} };
  if (lookup) {
    const d = (lookup.data ?? {}) as {
      answered?: number; failed?: number; timedOut?: number; lookupMedianMs?: number; lookupWorstMs?: number; connectMedianMs?: number; resolvedByProxy?: boolean;
      attempts?: Array<{ label: string; answered: boolean; timedOut: boolean; error?: string; elapsedMs: number; timing: { lookupMs: number; connectMs: number } | null }>;
    };
    out.lookup = {
      durationMs: lookup.durationMs ?? -1,
      answered: d.answered ?? 0,
      failed: d.failed ?? 0,
      timedOut: d.timedOut ?? 0,
      resolvedByProxy: d.resolvedByProxy ?? false,
      lookupMs: (d.attempts ?? []).map((a) => (a.timing ? a.timing.lookupMs : null)),
      elapsedMs: (d.attempts ?? []).map((a) => a.elapsedMs),
      errors: [...new Set((d.attempts ?? []).flatMap((a) => (a.error ? [a.error] : [])))],
      ...(d.lookupMedianMs !== undefined ? { medianMs: d.lookupMedianMs } : {}),
      ...(d.lookupWorstMs !== undefined ? { worstMs: d.lookupWorstMs } : {}),
    };
    // The server's own record of the run's labels (which resolver asked): independent of the page.
    const labels = (d.attempts ?? []).map((a) => a.label);
    const seen = labels.map(serverSawLabel);
    out.serverResolvers = seen.some((x) => x === null) ? null : [...new Set(seen.flatMap((x) => x ?? []))];
  }
  if (resolver?.data && resolver.status !== 'skipped') {
    const d = resolver.data as { resolvers?: Array<{ ip: string }>; httpClient?: { ip: string }; clientSubnets?: string[] };
    out.resolvers = (d.resolvers ?? []).map((r) => ipOf(r.ip));
    if (d.httpClient) out.httpClient = ipOf(d.httpClient.ip);
  }
  if (turn) {
    out.turnDurationMs = turn.durationMs ?? -1;
    const pairs = ((turn.data ?? {}) as { pairs?: Array<{ transport: Transport; byName: TurnAttemptLike; byIp: TurnAttemptLike }> }).pairs ?? [];
    for (const p of pairs) out.turn[p.transport] = { byName: attemptOf(p.byName), byIp: attemptOf(p.byIp) };
  }
  return out;
}

type TurnAttemptLike = { outcome: string; relayMs?: number; timedOut: boolean; errors?: Array<{ errorCode: number; errorText: string; atMs: number; url?: string }> };

function attemptOf(a: TurnAttemptLike): NonNullable<ObservedDns['turn'][Transport]>['byName'] {
  const errors = a.errors ?? [];
  const lookupErrors = errors.filter((e) => e.errorCode === 701);
  return {
    outcome: a.outcome,
    ...(a.relayMs !== undefined ? { relayMs: a.relayMs } : {}),
    ...(lookupErrors.length > 0 ? { first701Ms: Math.min(...lookupErrors.map((e) => e.atMs)) } : {}),
    errors: [...new Set(errors.map((e) => `${e.errorCode} ${e.errorText} @${e.atMs}ms`))].slice(0, 4),
  };
}

/** The proxy/TLS probes' outcomes, reduced to what the lab asserts and reports. */
function observeProxy(result: ResultLike): ObservedProxy | undefined {
  const probes = result.probes;
  const mirror = probes['tls-mirror'];
  const echo = probes['proxy-echo'];
  const ws = probes['websocket'];
  if (!mirror && !echo && !ws) return undefined;
  const m = (mirror?.data ?? {}) as { url?: string; reached?: boolean; clientAddress?: string; ja4?: string; negotiatedAlpn?: string | null; httpVersion?: string; error?: string; timing?: { nextHopProtocol?: string } };
  const e = (echo?.data ?? {}) as { url?: string; reached?: boolean; clientAddress?: string; headers?: Array<[string, string]>; error?: string };
  const w = (ws?.data ?? {}) as { attempts?: Array<{ scheme: string; echoed: boolean; opened: boolean; timedOut: boolean; closeCode?: number }> };
  const auth = probes['proxy-auth'];
  const a = (auth?.data ?? {}) as { challenges?: Array<{ proxy: string; scheme: string; realm: string; url: string }>; challengedRequests?: number };
  const proxyHeader = /^(via|x-forwarded-for|forwarded|x-bluecoat-via|proxy-connection)$/i;
  const details = Object.fromEntries(
    result.findings.filter((f) => ['http-proxy', 'proxy-auth-required', 'tls-interception', 'websocket-blocked'].includes(f.code)).map((f) => [f.code, `${f.severity}: ${f.detail ?? ''}`]),
  );
  return {
    mirror: {
      status: mirror?.status ?? 'absent',
      ...(m.url ? { url: m.url.replace(/\?.*$/, '') } : {}),
      reached: m.reached ?? false,
      ...(m.clientAddress ? { clientAddress: ipOf(m.clientAddress) } : {}),
      ...(m.ja4 ? { ja4: m.ja4 } : {}),
      ...(m.negotiatedAlpn !== undefined ? { alpn: m.negotiatedAlpn } : {}),
      ...(m.timing?.nextHopProtocol ? { nextHopProtocol: m.timing.nextHopProtocol } : {}),
      ...(m.error ? { error: m.error } : {}),
    },
    echo: {
      status: echo?.status ?? 'absent',
      ...(e.url ? { url: e.url.replace(/\?.*$/, '') } : {}),
      reached: e.reached ?? false,
      ...(e.clientAddress ? { clientAddress: ipOf(e.clientAddress) } : {}),
      proxyHeaders: (e.headers ?? []).filter(([n]) => proxyHeader.test(n)).map(([n, v]) => `${n}: ${v}`),
      ...(e.error ? { error: e.error } : {}),
    },
    webSocket: Object.fromEntries((w.attempts ?? []).map((a) => [a.scheme, a.echoed])) as { wss?: boolean; ws?: boolean },
    proxyAuth: {
      status: auth?.status ?? 'absent',
      challenges: (a.challenges ?? []).map((c) => ({ proxy: c.proxy, scheme: c.scheme, realm: c.realm, url: c.url.replace(/\?.*$/, '') })),
      challengedRequests: a.challengedRequests ?? 0,
    },
    findingDetails: details,
  };
}

/** The mtu probe's outcome, reduced to what the lab asserts and reports (issue 10). */
function observeMtu(result: ResultLike): ObservedMtu | undefined {
  const probe = result.probes['mtu'];
  if (!probe) return undefined;
  type Rung = { sizeBytes: number; outcome: string };
  type Path = { path: string; status: string; rungs: Rung[]; fragmentRungs: Rung[]; largestArrivedBytes?: number; smallestLostBytes?: number; fragments: string; icmp?: { asked: boolean; learnedBelowLost?: boolean; pathMtuBytes?: number; reason?: string } };
  const data = (probe.data ?? {}) as { paths?: Path[]; upstream?: { status: string; reason?: string; pathType?: string } };
  const direct = (data.paths ?? []).find((p) => p.path === 'direct-ipv4');
  const icmp = direct?.icmp ? (direct.icmp.asked ? `${direct.icmp.learnedBelowLost ? 'learned' : 'none'} (server path MTU ${direct.icmp.pathMtuBytes})` : `unknown: ${direct.icmp.reason}`) : undefined;
  return {
    status: probe.status,
    durationMs: probe.durationMs ?? -1,
    ...(direct
      ? {
          direct: {
            status: direct.status,
            rungs: [...direct.rungs, ...direct.fragmentRungs].map((r) => `${r.sizeBytes}:${r.outcome}`),
            ...(direct.largestArrivedBytes !== undefined ? { largestArrivedBytes: direct.largestArrivedBytes } : {}),
            ...(direct.smallestLostBytes !== undefined ? { smallestLostBytes: direct.smallestLostBytes } : {}),
            fragments: direct.fragments,
            ...(icmp ? { icmp } : {}),
          },
        }
      : {}),
    upstream: data.upstream ?? { status: 'absent' },
  };
}

/** The interfaces probe's outcome, reduced to what the lab asserts (issue 11): per network, host → STUN egress. */
function observePaths(result: ResultLike): ObservedPaths | undefined {
  const probe = result.probes['interfaces'];
  if (!probe) return undefined;
  type Net = { hostAddresses?: string[]; stun?: { srflx?: { address: string } }; selected?: boolean };
  const data = (probe.data ?? {}) as { enumeration?: string; mediaAccess?: { state?: string }; networks?: Net[]; selected?: { local?: { candidateType?: string; address?: string } } };
  const networks = (data.networks ?? []).map((n) => ({ host: (n.hostAddresses ?? [])[0] ?? '-', egress: n.stun?.srflx?.address ?? null, selected: n.selected === true }));
  const local = data.selected?.local;
  const selectedEgress = local?.candidateType === 'srflx' || local?.candidateType === 'host' ? local.address : networks.find((n) => n.selected)?.egress ?? undefined;
  return { status: probe.status, enumeration: data.enumeration ?? '-', mediaAccess: data.mediaAccess?.state ?? '-', networks, ...(selectedEgress ? { selectedEgress } : {}) };
}

/** The nat probe's outcome (issue 11). */
function observeNat(result: ResultLike): Observed['nat'] {
  const probe = result.probes['nat'];
  if (!probe) return undefined;
  const data = (probe.data ?? {}) as { mapping?: string; mappingWhy?: string; filtering?: string; mapped?: Array<{ role: string; address: string; port: number }> };
  return {
    status: probe.status,
    mapping: data.mapping ?? '-',
    ...(data.mappingWhy ? { why: data.mappingWhy } : {}),
    filtering: data.filtering ?? '-',
    mapped: (data.mapped ?? []).map((m) => `${m.role} ${m.address}:${m.port}`),
  };
}

/**
 * MTU ground truth, without netready (issue 10): the lab's own tool (e2e/lab/udp-df-reflector.py) sends Don't-Fragment
 * datagrams of each size between the client and the media server's address, both ways, and reports which arrived.
 */
async function groundMtu(checks: GroundCheck[]): Promise<Observed['ground']> {
  const out: Observed['ground'] = [];
  const tool = path.join(REPO_ROOT, 'e2e', 'lab', 'udp-df-reflector.py');
  for (const g of checks) {
    if (g.kind !== 'udp-df') continue;
    const sizes = [...g.arrives, ...g.lost];
    const reflector = spawnInNs('udp-df-reflector', NS.server, ['/usr/bin/python3', tool, 'serve', ADDR.probe, String(MTU_REFLECTOR_PORT), '10'], {
      logFile: path.join(RUN_DIR, 'logs', 'udp-df-reflector.log'),
    });
    try {
      await waitFor('the UDP reflector', () => reflector.output.includes('ready'), 5_000, reflector);
      const text = nsRun(NS.client, ['/usr/bin/python3', tool, 'probe', ADDR.probe, String(MTU_REFLECTOR_PORT), sizes.join(',')], { timeoutMs: 10_000, allowFail: true }).trim();
      let got: { down: number[]; up: number[] } = { down: [], up: [] };
      try {
        got = JSON.parse(text) as typeof got;
      } catch {
        // No output: nothing arrived that the tool could report; the check fails with what it printed.
      }
      for (const direction of ['down', 'up'] as const) {
        const arrived = got[direction];
        const ok = g.arrives.every((n) => arrived.includes(n)) && g.lost.every((n) => !arrived.includes(n));
        out.push({
          check: `DF datagrams ${direction === 'down' ? `from ${ADDR.probe} to the client` : `from the client to ${ADDR.probe}`}: ${g.arrives.join('/') || '-'} arrive, ${g.lost.join('/') || '-'} lost`,
          ok,
          detail: `arrived (3 tries each): [${arrived.join(', ')}] of [${sizes.join(', ')}]${text.startsWith('{') ? '' : ` — tool printed: ${text.slice(0, 200)}`}`,
        });
      }
    } finally {
      await stopProcess(reflector, 1000);
    }
  }
  return out;
}

/** UDP port of the lab's own DF reflector on the media server's address (free of netready's 3478/3479 and ladder 3490–3499). */
const MTU_REFLECTOR_PORT = 3470;

let currentScenario = 'setup';

/** A DNS lookup of turn.<zone> from the client namespace, with c-ares (no system resolver caching). */
function dnsLookup(): { code: string; ms: number } {
  const script = `const dns=require('node:dns');const r=new dns.promises.Resolver({timeout:3000,tries:1});r.setServers(['${ADDR.routerClientSide}']);const t=Date.now();r.resolve4('turn.${LAB_ZONE}').then(a=>console.log(JSON.stringify({code:'OK:'+a.join(','),ms:Date.now()-t})),e=>console.log(JSON.stringify({code:e.code,ms:Date.now()-t})))`;
  const out = nsRun(NS.client, [process.execPath, '-e', script], { timeoutMs: 8000, allowFail: true }).trim();
  try {
    return JSON.parse(out) as { code: string; ms: number };
  } catch {
    return { code: `no output (${out})`, ms: -1 };
  }
}

/**
 * STUN Bindings over UDP from the client namespace to coturn (up to `tries`, 1.2 s apart, to ride out lab loss: a
 * row with 2 % each way lost both of two once); the round trip of the first answer in ms, or null when none came back.
 * Rows that expect silence send two (each try costs a silent row 1.2 s); rows that need an answer, four.
 */
function coturnRttMs(tries: number): number | null {
  return stunRttMs(ADDR.coturn, PORTS.coturn, tries);
}

/** A STUN Binding round trip from the client namespace to `ip:port` (see coturnRttMs), ms, or null. */
function stunRttMs(ip: string, port: number, tries: number): number | null {
  const script = `const d=require('node:dgram'),c=require('node:crypto');const s=d.createSocket('udp4');let n=0,q,t0;const send=()=>{if(n++===${tries}){console.log('silent');process.exit(0)}q=Buffer.alloc(20);q.writeUInt16BE(1,0);q.writeUInt32BE(0x2112a442,4);c.randomBytes(12).copy(q,8);t0=performance.now();s.send(q,${port},'${ip}');setTimeout(send,1200)};s.on('message',m=>{if(m.length>=20&&m.readUInt16BE(0)===0x0101&&m.subarray(8,20).equals(q.subarray(8,20))){console.log('rtt '+(performance.now()-t0).toFixed(1));process.exit(0)}});send();`;
  const out = nsRun(NS.client, [process.execPath, '-e', script], { timeoutMs: 1200 * tries + 3000, allowFail: true });
  const match = /rtt ([\d.]+)/.exec(out);
  return match ? Number(match[1]) : null;
}

function groundBefore(checks: GroundCheck[]): Observed['ground'] {
  const out: Observed['ground'] = [];
  for (const g of checks) {
    if (g.kind === 'dns') {
      const r = dnsLookup();
      const ok =
        g.expect === 'resolves' ? r.code === `OK:${DNS_ANSWER_IP}` && r.ms < 500
        : g.expect === 'nxdomain' ? r.code === 'ENOTFOUND' && r.ms < 500
        : g.expect === 'timeout' ? r.code === 'ETIMEOUT'
        : r.code === `OK:${DNS_ANSWER_IP}` && r.ms >= DNS_SLOW_MS - 100;
      out.push({ check: `dns ${g.expect}`, ok, detail: `lookup of turn.${LAB_ZONE}: ${r.code} after ${r.ms} ms` });
    } else if (g.kind === 'coturn-udp') {
      const tries = g.expect === 'answered' ? 4 : 2;
      const rtt = coturnRttMs(tries);
      const detail = `STUN Binding to coturn ${ADDR.coturn}:${PORTS.coturn}: ${rtt === null ? `no answer to ${tries} tries` : `answered in ${rtt} ms`}`;
      out.push({ check: `coturn UDP ${g.expect}`, ok: (rtt !== null) === (g.expect === 'answered'), detail });
    } else if (g.kind === 'far-region') {
      // Regions (issue 15): netready's STUN listeners of both regions' nodes, timed without netready's page.
      const near = stunRttMs(ADDR.probe, PORTS.turnUdp, 4);
      const far = stunRttMs(ADDR.farProbe, PORTS.turnUdp, g.expect === 'down' ? 2 : 4);
      const detail = `STUN round trip to the near node ${near ?? 'no answer'} ms, to the far node ${far ?? 'no answer'}${far === null ? '' : ' ms'}`;
      if (g.expect === 'down') out.push({ check: 'far region down', ok: near !== null && far === null, detail });
      else out.push({ check: `far region ≥ ${g.expect.slowerByMs} ms further`, ok: near !== null && far !== null && far - near >= g.expect.slowerByMs, detail });
    } else if (g.kind === 'min-rtt') {
      const rtt = coturnRttMs(4);
      out.push({ check: `RTT ≥ ${g.minMs} ms`, ok: rtt !== null && rtt >= g.minMs, detail: rtt === null ? 'STUN round trip to coturn: no answer to 4 tries' : `STUN round trip to coturn: ${rtt} ms` });
    }
  }
  return out;
}

function squidAccessLog(proxy: ProxyKind): string {
  const file = path.join(RUN_DIR, 'squid', proxy, 'access.log');
  return existsSync(file) ? readFileSync(file, 'utf8') : '';
}

function groundAfter(checks: GroundCheck[], logOffsets: Record<string, number>): Observed['ground'] {
  const out: Observed['ground'] = [];
  for (const g of checks) {
    if (g.kind === 'proxy-log') {
      const lines = squidAccessLog(g.proxy).slice(logOffsets[g.proxy] ?? 0).split('\n').filter(Boolean);
      writeFileSync(path.join(OUT_DIR, `${currentScenario}.squid-${g.proxy}.log`), lines.join('\n'));
      for (const pattern of g.patterns) {
        const hit = lines.find((l) => new RegExp(pattern).test(l));
        out.push({ check: `squid-${g.proxy} logged /${pattern}/`, ok: Boolean(hit), detail: hit ? hit.replace(/\s+/g, ' ').slice(0, 160) : `no match in ${lines.length} access.log line(s)` });
      }
    }
    if (g.kind === 'dns-forwarded-from') {
      const sources = udpSourcesTo(ADDR.dnsAuth, PORTS.dns);
      out.push({
        check: `zone forwarded from ${g.source}`,
        ok: sources.length > 0 && sources.every((x) => x === g.source),
        detail: `router's UDP flows to ${ADDR.dnsAuth}:${PORTS.dns} came from ${sources.join(', ') || 'nowhere'}`,
      });
    }
    if (g.kind === 'media-loss') {
      const counters = mediaLossCounters(g.lossPct);
      for (const dir of ['up', 'down'] as const) {
        const c = counters?.[dir];
        // Each flow loses exactly one in (100 / lossPct) of its packets each way: the drops the router counted must be
        // exactly what conntrack's per-flow packet counts owe.
        const ok = !!c && c.seen >= 100 && c.dropped === c.owed;
        const name = dir === 'up' ? 'towards the server' : 'from the server';
        out.push({
          check: `router dropped ${g.lossPct} % of each media flow ${name}`,
          ok,
          detail: c
            ? `router counters: ${c.dropped} of ${c.seen} packets to/from ${ADDR.probe}:${PORTS.peerMin}-${PORTS.peerMax} dropped (${((100 * c.dropped) / Math.max(1, c.seen)).toFixed(2)} %); its ${c.flows} flow(s) owe ${c.owed}`
            : 'no media-flow counters in the router\'s mangle table',
        });
      }
    }
    if (g.kind === 'shaper-dropped') {
      for (const dev of ['c0', 's0'] as const) {
        const stats = routerQdiscStats(dev);
        const name = dev === 'c0' ? 'towards the client' : 'towards the servers';
        out.push({ check: `shaper ${name} dropped packets`, ok: !!stats && stats.kind === 'tbf' && stats.dropped > 0, detail: stats ? `tc ${stats.kind} on ${dev}: sent ${stats.sentBytes} bytes / ${stats.sentPackets} packets, dropped ${stats.dropped}, overlimits ${stats.overlimits}` : `no qdisc statistics on ${dev}` });
      }
    }
    if (g.kind === 'nat-mapping') {
      // Flows to the STUN/TURN ports only: those are the mappings the client itself opened. A flow towards the
      // media peer's port can be remapped by a clash with state the peer's own packets created (seen once).
      const rows = udpMappings(ADDR.probe).filter((r) => r.dport === PORTS.turnUdp || r.dport === PORTS.stunAlt);
      const changed = rows.filter((r) => r.origSport !== r.mappedPort);
      const ok = rows.length > 0 && (g.expect === 'port-preserving' ? changed.length === 0 : changed.length === rows.length);
      out.push({
        check: `NAT ${g.expect}`,
        ok,
        detail: `${rows.length} UDP mapping(s) to ${ADDR.probe}:${PORTS.turnUdp}/${PORTS.stunAlt}; ${changed.length} changed the source port (${[...changed, ...rows.filter((r) => !changed.includes(r))].slice(0, 4).map((r) => `${r.origSport}→${r.mappedPort} to :${r.dport}`).join(', ')})`,
      });
    }
  }
  return out;
}

interface ResultLike {
  verdict: string;
  durationMs?: number;
  findings: Array<{ code: string; severity: string; detail?: string }>;
  probes: Record<string, { status: string; durationMs?: number; reason?: string; data?: Record<string, unknown>; explainedBy?: string[]; reclassified?: unknown }>;
}

/** Probes that failed, warned or were reclassified without a finding of the result that explains them. */
function unexplainedProbes(result: ResultLike): string[] {
  const codes = new Set(result.findings.map((f) => f.code));
  return Object.entries(result.probes)
    .filter(([, o]) => o.status === 'fail' || o.status === 'warn' || o.reclassified !== undefined)
    .filter(([, o]) => !o.explainedBy?.some((code) => codes.has(code) && code !== 'unexplained-failure'))
    .map(([id, o]) => `${id} (${o.status}${o.explainedBy ? `, explained by ${o.explainedBy.join('/')}` : ''})`);
}

/** Runs netready's CLI in the client namespace; bounded by SCENARIO_HARD_LIMIT_MS. */
async function runCli(scenario: Scenario, servers: Servers, proxies: Proxies): Promise<{ result: ResultLike | null; exit: number | string | null; error?: string; ms: number; devCaWarning: string | null }> {
  const args = [process.execPath, path.join(REPO_ROOT, 'bin', 'netready.mjs'), 'check', '--url', WEB_URL, '--json', '--timings', '--timeout-ms', String(CLI_TIMEOUT_MS)];
  // The CLI fetches the deployment's dev CA itself (GET /api/dev-ca, through --proxy-server when given); the
  // lab asserts it could (no "could not fetch" warning) and also hands it the file, so that a failed fetch
  // fails only that check, not every TLS expectation of the row.
  args.push('--trust-ca', servers.devCaFile);
  if (scenario.client.trustInspectionCa) args.push('--trust-ca', proxies.inspectionCaFile);
  // Issue 11: the deep check (fake devices, permission granted), and a browser policy set in the CLI's profile.
  if (scenario.client.deep) args.push('--deep');
  if (scenario.client.webrtcIpHandlingPolicy) args.push('--webrtc-ip-handling-policy', scenario.client.webrtcIpHandlingPolicy);
  if (scenario.client.browser) args.push('--browser', scenario.client.browser);
  const env: NodeJS.ProcessEnv = { ...process.env, TMPDIR: path.join(RUN_DIR, 'tmp') };
  for (const key of Object.keys(env)) if (/^(https?|all|no)_proxy$/i.test(key) || key.startsWith('NETREADY_')) delete env[key];
  // The page is loaded exactly as deployed: plain HTTP from a lab address (not a secure context), unmodified
  // Chromium (the CLI's own flags only).
  const proxy = scenario.client.proxy;
  if (proxy?.via === 'flag') args.push('--proxy-server', proxy.url);
  if (proxy?.via === 'env') {
    env.http_proxy = env.https_proxy = env.HTTP_PROXY = env.HTTPS_PROXY = proxy.url;
    if (proxy.noProxy) env.no_proxy = env.NO_PROXY = proxy.noProxy;
  }
  const stdoutFile = path.join(OUT_DIR, `${scenario.id}.result.json`);
  rmSync(stdoutFile, { force: true });
  const t0 = Date.now();
  const cli = spawnInNs(`cli-${scenario.id}`, NS.client, args, { env, cwd: REPO_ROOT, logFile: path.join(OUT_DIR, `${scenario.id}.cli-stderr.log`), stdoutFile });
  let hardKilled = false;
  const timer = setTimeout(() => {
    hardKilled = true;
    log(`${scenario.id}: CLI still running after ${SCENARIO_HARD_LIMIT_MS} ms — killing it`);
    stopPids([cli.pid, ...namespacePids(NS.client)], 1000);
  }, SCENARIO_HARD_LIMIT_MS);
  const exit = await cli.exited;
  clearTimeout(timer);
  const ms = Date.now() - t0;
  const text = existsSync(stdoutFile) ? readFileSync(stdoutFile, 'utf8') : '';
  let result: ResultLike | null = null;
  try {
    if (text.trim()) result = JSON.parse(text) as ResultLike;
  } catch {
    result = null;
  }
  const error = hardKilled ? `killed after ${SCENARIO_HARD_LIMIT_MS} ms` : result ? undefined : cli.output.filter((l) => l.includes('netready:')).join(' ') || cli.output.slice(-3).join(' ');
  const devCaWarning = cli.output.find((l) => l.includes("could not fetch the deployment's development CA")) ?? null;
  return error === undefined ? { result, exit, ms, devCaWarning } : { result, exit, error, ms, devCaWarning };
}

async function runScenario(scenario: Scenario, servers: Servers, proxies: Proxies, context: AssessContext): Promise<MatrixRow> {
  currentScenario = scenario.id;
  const t0 = Date.now();
  applyNetwork(scenario.network);
  let dnsmasq: LabProcess | undefined;
  const delayers: LabProcess[] = [];
  try {
    for (const d of delaysNeeded(scenario.network)) delayers.push(await startDelayer(RUN_DIR, d.queue, d.delayMs, d.jitterMs));
    dnsmasq = await startDnsmasq(RUN_DIR, scenario.network.dns, scenario.id);
    const groundPre = [...groundBefore(scenario.expect.ground), ...(await groundMtu(scenario.expect.ground))];
    for (const g of scenario.expect.ground) {
      if (g.kind !== 'transfer-rate') continue;
      const rate = await measureTransferRate(RUN_DIR);
      for (const dir of ['down', 'up'] as const) {
        const kbps = 'error' in rate ? undefined : rate[dir === 'down' ? 'downKbps' : 'upKbps'];
        const name = dir === 'up' ? 'towards the server' : 'from the server';
        groundPre.push({
          check: `TCP transfer ${name} at ≤ ${g.kbit} kbit/s`,
          ok: kbps !== undefined && kbps <= g.kbit * 1.1 && kbps >= g.kbit * 0.6,
          detail: 'error' in rate ? rate.error : `100 KB ${name}: ${kbps} kbit/s (window ${Math.round(g.kbit * 0.6)}–${Math.round(g.kbit * 1.1)})`,
        });
      }
    }
    // The ground checks' own UDP flows must not count as the browser's NAT mappings.
    nsRun(NS.router, ['conntrack', '-F'], { allowFail: true });
    const logOffsets = Object.fromEntries(PROXY_KINDS.map((k) => [k, squidAccessLog(k).length]));
    const cli = await runCli(scenario, servers, proxies);
    const result = cli.result;
    // squid logs a CONNECT when the tunnel closes; Chromium has exited, so they are closed — give squid a beat.
    if (scenario.expect.ground.some((g) => g.kind === 'proxy-log')) await new Promise((resolve) => setTimeout(resolve, 300));
    const ground = [...groundPre, ...groundAfter(scenario.expect.ground, logOffsets)];
    const findings = result?.findings ?? [];
    const stunPorts = ((result?.probes?.['stun-udp']?.data as { ports?: Array<{ port: number; srflx?: unknown }> } | undefined)?.ports ?? []);
    const sessionId = (result?.probes?.session?.data as { sessionId?: string } | undefined)?.sessionId;
    const observed: Observed = {
      verdict: result?.verdict ?? null,
      findings: findings.map((f) => f.code),
      findingSeverities: Object.fromEntries(findings.map((f) => [f.code, f.severity])),
      durationMs: cli.ms,
      cliExitCode: cli.exit,
      relays: {},
      stun: { answered: stunPorts.filter((p) => p.srflx).map((p) => p.port), silent: stunPorts.filter((p) => !p.srflx).map((p) => p.port) },
      server: sessionId ? readObservations(sessionId) : null,
      ground,
      scenarioMs: 0,
    };
    if (result?.durationMs !== undefined) observed.runDurationMs = result.durationMs;
    if (result) observed.unexplained = unexplainedProbes(result);
    if (cli.error) observed.cliError = cli.error;
    observed.cliDevCaWarning = cli.devCaWarning;
    if (result) {
      const dns = observeDns(result.probes);
      if (dns) observed.dns = dns;
      const proxy = observeProxy(result);
      if (proxy) observed.proxy = proxy;
      const iceTcp = observeIceTcp(result.probes['ice-tcp'], sessionId);
      if (iceTcp) observed.iceTcp = iceTcp;
      const mtu = observeMtu(result);
      if (mtu) observed.mtu = mtu;
      const quality = observeQuality(result.probes['media-quality']);
      if (quality) observed.quality = quality;
      const paths = observePaths(result);
      if (paths) observed.paths = paths;
      const nat = observeNat(result);
      if (nat) observed.nat = nat;
      const regions = observeRegions(result.probes);
      if (regions) observed.regions = regions;
    }
    for (const t of ['udp', 'tcp', 'tls'] as const) {
      const probe = result?.probes?.[`turn-${t}`];
      if (probe) observed.relays[t] = relayOf(probe.data, probe.status, probe.explainedBy);
    }
    observed.scenarioMs = Date.now() - t0;
    // The first directly reached mirror (the `open` row) gives Chromium's own JA4 for the later rows.
    const browser = scenario.client.browser ?? 'chromium';
    if (!context.referenceJa4?.[browser] && scenario.expect.proxy?.mirror === 'direct' && observed.proxy?.mirror.ja4) {
      context.referenceJa4 = { ...context.referenceJa4, [browser]: observed.proxy.mirror.ja4 };
    }
    const checks = assess(scenario, observed, context);
    return { scenario, observed, checks, status: statusOf(scenario, checks) };
  } finally {
    if (dnsmasq) await stopDnsmasq(dnsmasq);
    for (const d of delayers) await stopProcess(d, 1000);
    // Nothing of this scenario may survive into the next one (Chromium is not in the CLI's process group).
    const leftovers = namespacePids(NS.client);
    if (leftovers.length > 0) {
      log(`${scenario.id}: stopping ${leftovers.length} leftover client process(es): ${leftovers.join(' ')}`);
      stopPids(leftovers, 2000);
    }
  }
}

function preflight(): void {
  if (process.platform !== 'linux') throw new LabError(`the network lab needs Linux network namespaces; this is ${process.platform}`);
  if (process.getuid?.() !== 0) throw new LabError('the network lab needs root (ip netns, iptables, tc)');
  const missing = [
    '/usr/sbin/ip', '/usr/sbin/iptables-restore', '/usr/sbin/tc', '/usr/sbin/conntrack', '/usr/sbin/squid', '/usr/lib/squid/security_file_certgen',
    '/usr/sbin/dnsmasq', '/usr/bin/turnserver', '/usr/bin/chromium', '/usr/bin/certutil', '/usr/bin/openssl', '/usr/bin/curl',
  ].filter((f) => !existsSync(f) && !existsSync(f.replace('/usr/sbin/', '/sbin/')));
  if (missing.length > 0) throw new LabError(`missing: ${missing.join(', ')} — run scripts/install-system-deps.sh as root`);
  if (!existsSync(path.join(REPO_ROOT, '.next', 'BUILD_ID'))) throw new LabError('the web app is not built: run `npm run build` first');
}

async function main(): Promise<number> {
  const argv = process.argv.slice(2);
  const onlyIdx = argv.indexOf('--only');
  const only = onlyIdx >= 0 ? (argv[onlyIdx + 1] ?? '').split(',').filter(Boolean) : [];
  const scenarios = only.length > 0 ? SCENARIOS.filter((s) => only.includes(s.id)) : SCENARIOS;
  // Issue 19: the monitor's row runs after the scenario rows (it switches the network itself, between its checks).
  const withMonitorRow = only.length === 0 || only.includes(MONITOR_ROW_ID);
  if (only.length > 0 && scenarios.length + (withMonitorRow ? 1 : 0) !== only.length) {
    throw new LabError(`unknown scenario in --only ${only.join(',')}; known: ${[...SCENARIOS.map((s) => s.id), MONITOR_ROW_ID].join(', ')}`);
  }

  const labStarted = Date.now();
  preflight();
  takeLock();
  cleanStaleLab();
  mkdirSync(path.join(RUN_DIR, 'tmp'), { recursive: true });
  mkdirSync(path.join(RUN_DIR, 'logs'), { recursive: true });
  // squid (user proxy) must reach its files under the run dir.
  chmodSync(RUN_DIR, 0o755);
  rmSync(OUT_DIR, { recursive: true, force: true });
  mkdirSync(OUT_DIR, { recursive: true });

  let t = Date.now();
  buildNamespaces();
  log(`namespaces up in ${Date.now() - t} ms`);
  if (!netemAvailable()) {
    if (!existsSync('/usr/bin/python3')) throw new LabError('this kernel has no sch_netem and python3 is missing for the NFQUEUE delay fallback (apt-get install python3)');
    log('this kernel has no sch_netem: delay via NFQUEUE (e2e/lab/nfq-delay.py), loss via iptables statistic');
  }
  t = Date.now();
  // The router must forward to the servers before anything starts (servers need no client traffic to boot).
  applyNetwork(SCENARIOS[0]!.network);
  // Regions (issue 15): the far region's delay, in every row (topology.ts routes its packets to this queue).
  const farDelayer = await startDelayer(RUN_DIR, DELAY_QUEUE.far, FAR_REGION_DELAY_MS, 0);
  const [servers, proxies] = await Promise.all([startServers(RUN_DIR), startProxies(RUN_DIR)]);
  const setupMs = Date.now() - t;
  log(`netready (probe + web), coturn and ${proxies.squids.length} squids ready in ${setupMs} ms`);

  if (argv.includes('--hold') && scenarios.length > 0) {
    // Debugging aid: build the first selected scenario's network and keep the lab up until Ctrl-C.
    applyNetwork(scenarios[0]!.network);
    await startDnsmasq(RUN_DIR, scenarios[0]!.network.dns, scenarios[0]!.id);
    log(`holding "${scenarios[0]!.id}" (run dir ${RUN_DIR}); Ctrl-C tears down`);
    await new Promise<never>(() => undefined);
  }
  const rows: MatrixRow[] = [];
  const context: AssessContext = {};
  log(`probe HTTP(S) layout: ${LAYOUT.id} (http ${LAYOUT.httpIp}:${LAYOUT.httpPort}, https ${LAYOUT.httpsIp}:${LAYOUT.httpsPort})`);
  for (const scenario of scenarios) {
    log(`── ${scenario.id}: ${scenario.title}`);
    const row = await runScenario(scenario, servers, proxies, context);
    rows.push(row);
    const o = row.observed;
    log(`   ${row.status.toUpperCase()} in ${(o.scenarioMs / 1000).toFixed(1)} s: verdict ${o.verdict ?? '(none)'}, findings [${o.findings.join(', ')}]`);
    for (const c of row.checks.filter((x) => !x.ok)) log(`   ✗ ${c.name}: ${c.detail}`);
  }
  let monitorRow: MonitorRowResult | undefined;
  if (withMonitorRow) {
    currentScenario = MONITOR_ROW_ID;
    const networkOf = (id: string): Scenario['network'] => {
      const found = SCENARIOS.find((s) => s.id === id);
      if (!found) throw new LabError(`the monitor row needs the ${id} row's network`);
      return found.network;
    };
    log(`── ${MONITOR_ROW_ID}: netready monitor every 30 s — two checks open, then two with UDP dropped`);
    monitorRow = await runMonitorRow(RUN_DIR, OUT_DIR, networkOf('open'), networkOf('no-udp'), log);
    log(`   ${monitorRow.status.toUpperCase()} in ${(monitorRow.ms / 1000).toFixed(1)} s`);
    for (const c of monitorRow.checks) log(`   ${c.ok ? '✓' : '✗'} ${c.name}: ${c.detail}`);
  }
  // Servers must still be alive at the end: a crash mid-lab would make later rows meaningless.
  for (const p of [servers.probe, servers.farProbe, servers.web, servers.coturn, farDelayer, ...proxies.squids]) {
    if (p.hasExited()) throw new LabError(`${p.name} died during the lab:\n${p.output.slice(-20).join('\n')}`);
  }
  const totalMs = Date.now() - labStarted;
  const monitorLine = monitorRow ? `\n${MONITOR_ROW_ID.padEnd(24)}${`one change: udp-blocked appeared, 1 alert, /metrics`.padEnd(63)}${monitorRow.checks.filter((c) => !c.ok).map((c) => c.name).join('; ').padEnd(63) || ''.padEnd(63)}${monitorRow.status.toUpperCase().padEnd(9)}${(monitorRow.ms / 1000).toFixed(1)}s` : '';
  process.stdout.write(`\n${formatMatrix(rows)}${monitorLine}\n\nsetup ${(setupMs / 1000).toFixed(1)} s · total ${(totalMs / 1000).toFixed(1)} s (before teardown)\n`);
  const report = {
    generatedAt: new Date().toISOString(),
    totalMs,
    setupMs,
    layout: LAYOUT,
    referenceJa4: context.referenceJa4 ?? null,
    scenarios: rows.map((r) => ({
      scenario: r.scenario.id,
      title: r.scenario.title,
      status: r.status,
      expected: { ...r.scenario.expect, network: r.scenario.network, client: r.scenario.client },
      observed: r.observed,
      checks: r.checks,
      pending: r.scenario.pending.map((p) => p.capability),
      pendingFindings: r.scenario.pending.flatMap((p) => p.findings),
      ...(r.scenario.slowByDesign ? { slowByDesign: r.scenario.slowByDesign } : {}),
    })),
    ...(monitorRow ? { monitor: { id: MONITOR_ROW_ID, status: monitorRow.status, ms: monitorRow.ms, checks: monitorRow.checks, lines: monitorRow.lines, alerts: monitorRow.alerts } } : {}),
  };
  writeFileSync(REPORT_FILE, `${JSON.stringify(report, null, 2)}\n`);
  process.stdout.write(`report: ${path.relative(process.cwd(), REPORT_FILE)}\n`);
  return rows.some((r) => r.status === 'fail') || monitorRow?.status === 'fail' ? 1 : 0;
}

// Ctrl-C / TERM: tear down synchronously, by PID, then exit 130/143. The `exit` hook is the last resort.
for (const [signal, code] of [['SIGINT', 130], ['SIGTERM', 143], ['SIGHUP', 129]] as const) {
  process.on(signal, () => {
    log(`${signal} received during "${currentScenario}"`);
    teardown(signal);
    process.exit(code);
  });
}
process.on('exit', () => teardown('exit'));

main()
  .then((code) => {
    teardown('done');
    process.exit(code);
  })
  .catch((error: unknown) => {
    log(`lab could not run: ${error instanceof Error ? error.message : String(error)}`);
    teardown('error');
    process.exit(2);
  });

