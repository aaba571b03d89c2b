/**
 * Compares what one scenario produced (netready's result JSON, the servers' observations, the network's ground
 * truth) with the row's expectations, and prints the matrix. Pure functions over plain data.
 */
import { assessQuality, type ObservedQuality } from './quality';
import type { RelayExpectation, Scenario, Transport, TurnLookupExpectation } from './scenarios';

/** One TURN transport as netready reported it. */
export interface ObservedRelay {
  status: string;
  relay: RelayExpectation;
  url?: string;
  relayProtocol?: string;
  echoed?: number;
  sent?: number;
  rttMs?: number;
  stage?: string;
  errors?: string[];
}

/** One relay-only attempt of the dns-turn-lookup probe. */
export interface ObservedTurnAttempt {
  outcome: string;
  relayMs?: number;
  /** ms from the attempt's start to the first ICE error 701. */
  first701Ms?: number;
  errors: string[];
}

/** What netready's DNS probes reported. */
export interface ObservedDns {
  lookupStatus: string;
  resolverStatus: string;
  turnStatus: string;
  lookup?: {
    durationMs: number;
    answered: number;
    failed: number;
    timedOut: number;
    resolvedByProxy: boolean;
    medianMs?: number;
    worstMs?: number;
    /** Per fresh name: Resource Timing lookup ms (null: no timing). */
    lookupMs: Array<number | null>;
    elapsedMs: number[];
    errors: string[];
  };
  /** Resolver addresses netready's dns-resolver reported. */
  resolvers?: string[];
  httpClient?: string;
  /** Resolvers the authoritative server recorded for the run's labels (read back by the lab); null: unreadable. */
  serverResolvers?: string[] | null;
  turnDurationMs?: number;
  turn: Partial<Record<Transport, { byName: ObservedTurnAttempt; byIp: ObservedTurnAttempt }>>;
}

/** What netready's proxy/TLS probes reported. */
export interface ObservedProxy {
  mirror: { status: string; url?: string; reached: boolean; clientAddress?: string; ja4?: string; alpn?: string | null; nextHopProtocol?: string; error?: string };
  echo: { status: string; url?: string; reached: boolean; clientAddress?: string; proxyHeaders: string[]; error?: string };
  webSocket: { wss?: boolean; ws?: boolean };
  /** The proxy-auth probe: its status and the 407 challenges the CLI saw over the DevTools protocol. */
  proxyAuth: { status: string; challenges: Array<{ proxy: string; scheme: string; realm: string; url: string }>; challengedRequests: number };
  /** severity: detail of http-proxy / proxy-auth-required / tls-interception / websocket-blocked, when reported. */
  findingDetails: Record<string, string>;
}

/** What the ice-tcp probe reported (issue 10), and what the ICE-TCP endpoint saw (read back by the lab). */
export interface ObservedIceTcp {
  status: string;
  reason?: string;
  echoed: number;
  sent: number;
  connectMs?: number;
  durationMs?: number;
  /** The browser's selected pair: local protocol and remote tcpType (getStats). */
  localProtocol?: string;
  remoteTcpType?: string;
  /** The address the result says the server saw the TCP connection from. */
  tcpClientAddress?: string;
  /** Client addresses of the `ice-tcp-accepted` observations of the session (the server's own record). */
  serverSawFrom: string[];
  /** `proxy` when the TCP connection came from squid's egress address, else `direct` (unset: the server saw none). */
  path?: string;
}

/** What netready's mtu probe reported (issue 10). */
export interface ObservedMtu {
  status: string;
  durationMs: number;
  /** The direct IPv4 ladder: `size:outcome` per rung, the largest that arrived, the smallest lost above it. */
  direct?: { status: string; rungs: string[]; largestArrivedBytes?: number; smallestLostBytes?: number; fragments: string; icmp?: string };
  upstream: { status: string; reason?: string; pathType?: string };
}

/** What the interfaces probe reported (issue 11). */
export interface ObservedPaths {
  status: string;
  enumeration: string;
  mediaAccess: string;
  networks: Array<{ host: string; egress: string | null; selected: boolean }>;
  /** The egress of the pair ICE selected (srflx address, or the host address), from the interfaces probe. */
  selectedEgress?: string;
}

/** Everything observed in one scenario. */
/** The regions probe's outcome, reduced to what the lab asserts (issue 15). */
export interface ObservedRegions {
  status: string;
  dnsRegion?: string;
  rule?: string;
  dnsError?: string;
  nearest?: string;
  compareBy?: string;
  regions: Array<{ id: string; reachable: boolean; udpRttMs?: number; httpsRttMs?: number }>;
}

export interface Observed {
  /** null when the CLI produced no result (could not run). */
  verdict: string | null;
  findings: string[];
  findingSeverities: Record<string, string>;
  /** Wall time of the CLI run (Chromium start to result), ms. */
  durationMs: number;
  /** `durationMs` of the result JSON (the run inside the page), ms. */
  runDurationMs?: number;
  cliExitCode: number | string | null;
  cliError?: string;
  /** The CLI's "could not fetch the deployment's development CA" warning, if it printed one. */
  cliDevCaWarning?: string | null;
  dns?: ObservedDns;
  proxy?: ObservedProxy;
  iceTcp?: ObservedIceTcp;
  mtu?: ObservedMtu;
  /** The interfaces probe (issue 11): what the browser exposed, each network's STUN egress, the selected path. */
  paths?: ObservedPaths;
  /** The nat probe (issue 11). */
  nat?: { status: string; mapping: string; why?: string; filtering: string; mapped: string[] };
  /** The regions probe (issue 15). */
  regions?: ObservedRegions;
  /** The media-quality probe's figures and the facts drawn from them (./quality.ts). */
  quality?: ObservedQuality;
  relays: Partial<Record<'udp' | 'tcp' | 'tls', ObservedRelay>>;
  stun: { answered: number[]; silent: number[] };
  server: {
    sessionId?: string;
    sessionFrom?: string;
    allocations: Array<{ transport: string; client: string }>;
    refused: Array<{ transport: string; client: string; code?: number }>;
    peersConnected: number;
    /** Plain-HTTP / HTTPS echo requests the servers saw for the session (listener, client address). */
    httpEcho: Array<{ listener: string; client: string }>;
    /** ClientHellos the TLS mirror saw for the session. */
    tlsHello: Array<{ client: string; ja4: string | null; alpn: string | null }>;
  } | null;
  ground: Array<{ check: string; ok: boolean; detail: string }>;
  /** Probes that ended fail/warn (or were reclassified) with no finding explaining them ("no silent failures"). */
  unexplained?: string[];
  /** Wall time of the whole scenario (network switch, checks, run, observations), ms. */
  scenarioMs: number;
}

/** One assertion's outcome. */
export interface Check {
  name: string;
  ok: boolean;
  detail: string;
}

const sameSet = <T>(a: readonly T[], b: readonly T[]): boolean => a.length === b.length && a.every((x) => b.includes(x));

function turnLookupOk(want: TurnLookupExpectation, got: string | undefined): boolean {
  if (want === 'failed') return got === 'lookup-error' || got === 'no-relay';
  return got === want;
}

/** The browser a row runs in (the CLI's `--browser`). */
export type LabBrowser = 'chromium' | 'firefox';

/** Context across rows: each browser's own ClientHello JA4 as the mirror saw it directly (its `open` row). */
export interface AssessContext {
  referenceJa4?: Partial<Record<LabBrowser, string>>;
}

/** Evaluates a scenario's non-pending expectations. */
export function assess(scenario: Scenario, observed: Observed, context: AssessContext = {}): Check[] {
  const e = scenario.expect;
  const checks: Check[] = [];
  const add = (name: string, ok: boolean, detail: string): void => void checks.push({ name, ok, detail });
  if (observed.verdict === null) {
    add('result', false, `no result: CLI exit ${observed.cliExitCode}${observed.cliError ? ` — ${observed.cliError}` : ''}`);
    return checks;
  }
  // No silent failures, on every network: each probe that failed or warned names the finding that explains it.
  add('no silent failures', (observed.unexplained ?? []).length === 0, (observed.unexplained ?? []).length === 0 ? 'every failed or warned probe is explained by a finding' : `unexplained: ${(observed.unexplained ?? []).join(', ')}`);
  // The lab's browser trusts netready's CA and the server stays up: no deployment finding may appear.
  for (const code of ['probe-certificate-untrusted', 'unexplained-failure']) add(`no ${code}`, !observed.findings.includes(code), `finding ${code} must not appear`);
  const verdicts = Array.isArray(e.verdict) ? e.verdict : [e.verdict];
  add('verdict', verdicts.includes(observed.verdict as (typeof verdicts)[number]), `expected ${verdicts.join(' or ')}, got ${observed.verdict}`);
  for (const code of e.findings) add(`finding ${code}`, observed.findings.includes(code), `expected finding ${code}; got [${observed.findings.join(', ')}]`);
  for (const code of e.absent) add(`no ${code}`, !observed.findings.includes(code), `finding ${code} must not appear (severity ${observed.findingSeverities[code] ?? '-'})`);
  if (e.noFindingsOfSeverity) {
    const bad = observed.findings.filter((c) => e.noFindingsOfSeverity!.includes(observed.findingSeverities[c] as 'warning' | 'blocker'));
    add(`no ${e.noFindingsOfSeverity.join('/')} findings`, bad.length === 0, bad.length === 0 ? 'none' : `got ${bad.map((c) => `${c} (${observed.findingSeverities[c]})`).join(', ')}`);
  }
  for (const t of ['udp', 'tcp', 'tls'] as const) {
    const got = observed.relays[t];
    const detail = got ? `${got.relay} (status ${got.status}, stage ${got.stage ?? '-'}, echoed ${got.echoed ?? 0}/${got.sent ?? 0}${got.errors?.length ? `, errors ${got.errors.join('; ')}` : ''})` : 'probe absent';
    const wanted: readonly RelayExpectation[] = typeof e.relays[t] === 'string' ? [e.relays[t] as RelayExpectation] : (e.relays[t] as readonly RelayExpectation[]);
    add(`relay ${t} ${wanted.join(' or ')}`, got !== undefined && wanted.includes(got.relay), `expected ${wanted.join(' or ')}, got ${detail}`);
  }
  if (e.regions) assessRegions(e.regions, observed, add);
  add('stun answered', sameSet(observed.stun.answered, e.stunAnswered), `expected answers on [${e.stunAnswered.join(', ')}], got [${observed.stun.answered.join(', ')}]`);
  add('stun silent', sameSet(observed.stun.silent, e.stunSilent), `expected silence on [${e.stunSilent.join(', ')}], got [${observed.stun.silent.join(', ')}]`);
  const server = observed.server;
  if (!server) {
    add('server observations', false, 'could not read the session\'s observations from the probe API');
  } else {
    add('server: session from', server.sessionFrom === e.server.sessionFrom, `expected ${e.server.sessionFrom}, HTTP API saw ${server.sessionFrom ?? '-'}`);
    for (const t of ['udp', 'tcp', 'tls'] as const) {
      const want = e.server.allocations[t];
      const got = server.allocations.filter((a) => a.transport === t).map((a) => a.client);
      const wanted = want === null ? [] : typeof want === 'string' ? [want] : [...want];
      const ok = wanted.length === 0 ? got.length === 0 : wanted.every((w) => got.includes(w)) && got.every((c) => wanted.includes(c));
      add(`server: ${t} allocation`, ok, `expected ${wanted.length === 0 ? 'none' : `from ${wanted.join(' and ')}`}, TURN server saw ${got.length === 0 ? 'none' : got.join(', ')}`);
    }
    const relaysWithData = (['udp', 'tcp', 'tls'] as const).filter((t) => observed.relays[t]?.relay === 'data' && [e.relays[t]].flat().includes('data')).length;
    add(
      'server: media peer connected',
      server.peersConnected >= relaysWithData,
      `expected ≥ ${relaysWithData} relayed connection(s) to the media peer, it saw ${server.peersConnected}`,
    );
  }
  if (e.severities) {
    for (const [code, severity] of Object.entries(e.severities)) {
      if (observed.findings.includes(code)) add(`${code} severity`, observed.findingSeverities[code] === severity, `expected ${severity}, got ${observed.findingSeverities[code]}`);
    }
  }
  if (e.cliTrustedDevCa !== false) add('CLI trusted the dev CA', !observed.cliDevCaWarning, observed.cliDevCaWarning ?? 'fetched /api/dev-ca');
  if (e.dns) assessDns(e.dns, observed, add);
  if (e.proxy) assessProxy(e.proxy, observed, context, scenario.client.browser ?? 'chromium', add);
  if (e.iceTcp) assessIceTcp(e.iceTcp, observed, add);
  if (e.mtu) assessMtu(e.mtu, observed, add);
  if (e.quality) assessQuality(e.quality, observed.quality, add);
  if (e.paths) assessPaths(e.paths, observed, add);
  if (e.nat) {
    const nat = observed.nat;
    add(`nat mapping ${e.nat.mapping.join(' or ')}`, !!nat && e.nat.mapping.includes(nat.mapping as (typeof e.nat.mapping)[number]), nat ? `${nat.status}: mapping ${nat.mapping}${nat.why ? ` (${nat.why})` : ''}, filtering ${nat.filtering}; mapped [${nat.mapped.join(', ')}]` : 'no nat probe in the result');
  }
  for (const g of observed.ground) add(`network: ${g.check}`, g.ok, g.detail);
  return checks;
}

type Add = (name: string, ok: boolean, detail: string) => void;

/** The interfaces probe and the path facts against the row's expectation (issue 11). */
function assessPaths(want: NonNullable<Scenario['expect']['paths']>, observed: Observed, add: Add): void {
  const got = observed.paths;
  if (!got) {
    add('interfaces probe', false, 'no interfaces probe in the result');
    return;
  }
  const detail = `${got.status}: enumeration ${got.enumeration}, media access ${got.mediaAccess}, networks [${got.networks.map((n) => `${n.host} → ${n.egress ?? 'no STUN'}${n.selected ? ' (selected)' : ''}`).join('; ')}], selected egress ${got.selectedEgress ?? '-'}`;
  add(`interfaces: enumeration ${want.enumeration}`, got.enumeration === want.enumeration, detail);
  add(`interfaces: media access ${want.mediaAccess}`, got.mediaAccess === want.mediaAccess, detail);
  if (want.networks) {
    const key = (n: { host: string; egress: string | null; selected: boolean }): string => `${n.host}|${n.egress ?? '-'}|${n.selected}`;
    const wanted = want.networks.map(key).sort();
    const seen = got.networks.map(key).sort();
    add(`interfaces: ${want.networks.length} network(s) as expected`, wanted.length === seen.length && wanted.every((k, i) => k === seen[i]), `expected [${wanted.join('; ')}]; ${detail}`);
  }
  if (want.selectedEgress) add(`media leaves from ${want.selectedEgress}`, got.selectedEgress === want.selectedEgress, detail);
}

/** The ice-tcp probe against the row's expectation, and the ICE-TCP endpoint's own record against both. */
function assessIceTcp(want: NonNullable<Scenario['expect']['iceTcp']>, observed: Observed, add: Add): void {
  const got = observed.iceTcp;
  if (!got) {
    add('ice-tcp', false, 'no ice-tcp probe in the result');
    return;
  }
  const detail = `${got.status}${got.reason ? ` (${got.reason})` : ''}, echoed ${got.echoed}/${got.sent}, pair local ${got.localProtocol ?? '-'} → remote tcptype ${got.remoteTcpType ?? '-'}, result says from ${got.tcpClientAddress ?? '-'}, server saw [${got.serverSawFrom.join(', ')}]${got.connectMs !== undefined ? `, connected after ${got.connectMs} ms` : ''}${got.durationMs !== undefined ? `, probe ${got.durationMs} ms` : ''}`;
  if (want.outcome === 'works') {
    add('ice-tcp works', got.status === 'pass' && got.echoed > 0 && got.localProtocol === 'tcp' && got.remoteTcpType === 'passive', detail);
    if (want.from) add(`ice-tcp: server saw the TCP connection from ${want.from}`, got.serverSawFrom.length > 0 && got.serverSawFrom.every((a) => a === want.from) && got.tcpClientAddress === want.from, detail);
    if (want.path) add(`ice-tcp path ${want.path}`, got.path === want.path, `went ${got.path ?? '-'}; ${detail}`);
  } else {
    add('ice-tcp fails', got.status === 'fail' || got.status === 'warn', detail);
    add('ice-tcp: server accepted no TCP connection', got.serverSawFrom.length === 0, detail);
  }
}

/** Regions (issue 15): the region GeoDNS gave and by which rule, the nearest region, and which did not answer. */
function assessRegions(want: NonNullable<Scenario['expect']['regions']>, observed: Observed, add: Add): void {
  const r = observed.regions;
  const detail = r
    ? `status ${r.status}; DNS gave ${r.dnsRegion ?? '-'} by ${r.rule ?? '-'}${r.dnsError ? ` (${r.dnsError})` : ''}; nearest ${r.nearest ?? '-'} by ${r.compareBy ?? '-'}; ` +
      r.regions.map((x) => `${x.id} ${x.reachable ? `udp ${x.udpRttMs ?? '-'} ms, https ${x.httpsRttMs ?? '-'} ms` : 'unreachable'}`).join('; ')
    : 'probe absent';
  add('regions probe passed', r?.status === 'pass', detail);
  add(`GeoDNS gave ${want.dnsRegion} by ${want.rule}`, r?.dnsRegion === want.dnsRegion && r.rule === want.rule, detail);
  add(`nearest region ${want.nearest}`, r?.nearest === want.nearest, detail);
  const unreachable = (r?.regions ?? []).filter((x) => !x.reachable).map((x) => x.id);
  add(`unreachable regions [${want.unreachable.join(', ')}]`, !!r && sameSet<string>(unreachable, want.unreachable), detail);
}

function assessDns(want: NonNullable<Scenario['expect']['dns']>, observed: Observed, add: Add): void {
  const dns = observed.dns;
  if (!dns) {
    add('dns probes', false, 'no dns-* probe in the result');
    return;
  }
  const l = dns.lookup;
  const fig = l ? `median ${l.medianMs ?? '-'} ms, worst ${l.worstMs ?? '-'} ms, per name [${l.lookupMs.map((x) => x ?? '-').join(', ')}] ms, answered ${l.answered}, failed ${l.failed}, timed out ${l.timedOut}, by proxy ${l.resolvedByProxy}, ${l.durationMs} ms${l.errors.length ? `, errors ${l.errors.join('; ')}` : ''}` : 'absent';
  // "Timed" = a median lookup time was measured from at least two fresh names and none timed out. One fetch of
  // three failing outright (seen once in ~20 runs of one row: "Failed to fetch" after 100 ms while the DNS server
  // saw that name's query) is reported in the details but does not fail the row; it is noted for investigation.
  if (want.lookup === 'timed') add('dns-lookup timed', dns.lookupStatus !== 'fail' && !!l && l.answered >= 2 && l.failed <= 1 && l.timedOut === 0 && !l.resolvedByProxy && l.medianMs !== undefined, `status ${dns.lookupStatus}: ${fig}`);
  if (want.lookup === 'failed') add('dns-lookup failed', !!l && l.answered === 0, `status ${dns.lookupStatus}: ${fig}`);
  if (want.lookup === 'by-proxy') add('dns-lookup resolved by proxy', !!l && l.answered > 0 && l.resolvedByProxy, `status ${dns.lookupStatus}: ${fig}`);
  if (want.medianMs && l?.medianMs !== undefined) {
    const { min = 0, max = Infinity } = want.medianMs;
    add(`dns median in [${min}, ${max === Infinity ? '∞' : max}] ms`, l.medianMs >= min && l.medianMs <= max, `median ${l.medianMs} ms`);
  }
  if (want.lookupWithinMs !== undefined) add(`dns-lookup ended ≤ ${want.lookupWithinMs} ms`, !!l && l.durationMs <= want.lookupWithinMs, `it took ${l?.durationMs ?? '-'} ms`);
  if (want.resolver !== undefined) {
    if (want.resolver === null) {
      add('server saw no resolver', dns.serverResolvers !== undefined && dns.serverResolvers !== null && dns.serverResolvers.length === 0, `authoritative server saw ${dns.serverResolvers === null ? '(unreadable)' : (dns.serverResolvers ?? []).join(', ') || 'nothing'}`);
    } else {
      add(`dns-resolver reports ${want.resolver}`, (dns.resolvers ?? []).length > 0 && (dns.resolvers ?? []).every((r) => r === want.resolver), `dns-resolver (${dns.resolverStatus}) reported [${(dns.resolvers ?? []).join(', ')}]`);
      add(`server saw resolver ${want.resolver}`, !!dns.serverResolvers && dns.serverResolvers.length > 0 && dns.serverResolvers.every((r) => r === want.resolver), `authoritative server saw ${dns.serverResolvers === null ? '(unreadable)' : (dns.serverResolvers ?? []).join(', ') || 'nothing'}`);
    }
  }
  for (const t of ['udp', 'tcp', 'tls'] as const) {
    const got = dns.turn[t];
    const show = (a?: ObservedTurnAttempt): string => (a ? `${a.outcome}${a.relayMs !== undefined ? ` at ${a.relayMs} ms` : ''}${a.first701Ms !== undefined ? `, 701 at ${a.first701Ms} ms` : ''}` : 'absent');
    add(`turn ${t} by name ${want.turnByName[t]}`, turnLookupOk(want.turnByName[t], got?.byName.outcome), `by name: ${show(got?.byName)}`);
    add(`turn ${t} by IP ${want.turnByIp[t]}`, got?.byIp.outcome === want.turnByIp[t], `by IP: ${show(got?.byIp)}`);
    const notBefore = want.byNameRelayNotBeforeMs?.[t];
    if (notBefore !== undefined) {
      const at = got?.byName.relayMs;
      add(`turn ${t} by name: relay only after ≥ ${notBefore} ms`, at !== undefined && at >= notBefore, `by-name relay at ${at ?? '-'} ms, by IP at ${got?.byIp.relayMs ?? '-'} ms`);
    }
    // Chromium reports a failed TURN host lookup as 701 "… host lookup received error." over UDP, but as 701
    // "Failed to establish connection" over TCP/TLS; either way the 701 must come fast.
    if (want.lookupErrorWithinMs !== undefined && (want.turnByName[t] === 'lookup-error' || want.turnByName[t] === 'failed')) {
      const at = got?.byName.first701Ms;
      add(`turn ${t} by name: 701 ≤ ${want.lookupErrorWithinMs} ms`, at !== undefined && at <= want.lookupErrorWithinMs, `first 701 at ${at ?? '-'} ms`);
    }
  }
  if (want.testWithinMs !== undefined) {
    add(`test ended ≤ ${want.testWithinMs} ms`, observed.runDurationMs !== undefined && observed.runDurationMs <= want.testWithinMs, `result durationMs ${observed.runDurationMs ?? '-'} (dns-turn-lookup ${dns.turnDurationMs ?? '-'} ms)`);
  }
}

function assessProxy(want: NonNullable<Scenario['expect']['proxy']>, observed: Observed, context: AssessContext, browser: LabBrowser, add: Add): void {
  const p = observed.proxy;
  if (!p) {
    add('proxy probes', false, 'no tls-mirror/proxy-echo/websocket probe in the result');
    return;
  }
  const m = p.mirror;
  const helloSeen = observed.server?.tlsHello ?? [];
  const mirrorDetail = `${m.status}, ${m.reached ? `reached (${m.url ?? '?'}) from ${m.clientAddress ?? '?'}, JA4 ${m.ja4 ?? '-'}, ALPN ${m.alpn ?? '-'}, nextHop ${m.nextHopProtocol ?? '-'}` : `not reached (${m.url ?? '?'}): ${m.error ?? '-'}`}; server saw ${helloSeen.map((h) => `${h.client} ${h.ja4 ?? '-'}`).join(', ') || 'no ClientHello'}`;
  if (want.mirror === 'unreached') {
    add('mirror unreached', !m.reached, mirrorDetail);
  } else {
    add(`mirror reached (${want.mirror})`, m.reached, mirrorDetail);
    if (want.mirrorFrom) {
      add(`mirror: server saw ${want.mirrorFrom}`, helloSeen.length > 0 && helloSeen.every((h) => h.client === want.mirrorFrom), mirrorDetail);
    }
    const ref = context.referenceJa4?.[browser];
    if (!ref) add('mirror JA4 vs open', false, `no reference JA4 (${browser}'s open row did not reach the mirror in this run)`);
    else if (want.mirror === 'inspected') add('mirror JA4 ≠ open (inspected)', !!m.ja4 && m.ja4 !== ref, `JA4 ${m.ja4 ?? '-'}; open ${ref}`);
    else add('mirror JA4 = open (browser\'s own handshake)', m.ja4 === ref, `JA4 ${m.ja4 ?? '-'}; open ${ref}`);
  }
  const echoSeen = (observed.server?.httpEcho ?? []).filter((x) => x.listener === 'http');
  const echoDetail = `${p.echo.status}, ${p.echo.reached ? `reached from ${p.echo.clientAddress ?? '?'}${p.echo.proxyHeaders.length ? ` with ${p.echo.proxyHeaders.join('; ')}` : ', no proxy headers'}` : `not reached (${p.echo.url ?? '?'}): ${p.echo.error ?? '-'}`}; server saw ${echoSeen.map((x) => x.client).join(', ') || 'nothing'}`;
  if (want.echoFrom === null) add('echo unreached', !p.echo.reached, echoDetail);
  else {
    add(`echo from ${want.echoFrom}`, p.echo.reached && p.echo.clientAddress === want.echoFrom && echoSeen.length > 0 && echoSeen.every((x) => x.client === want.echoFrom), echoDetail);
    add(want.echoProxyHeaders ? 'echo has proxy headers' : 'echo has no proxy headers', (p.echo.proxyHeaders.length > 0) === want.echoProxyHeaders, echoDetail);
  }
  for (const scheme of ['wss', 'ws'] as const) {
    add(`${scheme}:// ${want.webSocket[scheme] ? 'echoes' : 'fails'}`, p.webSocket[scheme] === want.webSocket[scheme], `${scheme}:// echoed: ${p.webSocket[scheme] ?? 'not tried'}`);
  }
  const auth = p.proxyAuth;
  const authDetail = `${auth.status}, ${auth.challengedRequests} request(s) challenged${auth.challenges.length ? `: ${auth.challenges.map((c) => `${c.proxy} ${c.scheme} "${c.realm}" on ${c.url}`).join('; ')}` : ''}`;
  const wantAuth = want.proxyAuth ?? 'none';
  if (wantAuth === 'none') add('no proxy sign-in asked (CLI watched)', auth.status === 'pass' && auth.challenges.length === 0, authDetail);
  else if (wantAuth === 'unwatched') add('proxy sign-ins not watched (the browser has no DevTools protocol): probe says so', auth.status === 'skipped', authDetail);
  else {
    add(
      `proxy sign-in asked by ${wantAuth.proxy}`,
      auth.status === 'fail' && auth.challenges.length > 0 && auth.challenges.every((c) => c.proxy === wantAuth.proxy && c.scheme === wantAuth.scheme),
      authDetail,
    );
  }
}

function assessMtu(want: NonNullable<Scenario['expect']['mtu']>, observed: Observed, add: Add): void {
  const m = observed.mtu;
  const d = m?.direct;
  if (!m || !d) {
    add('mtu probe', false, `no mtu probe (or no direct IPv4 ladder) in the result${m ? ` (status ${m.status})` : ''}`);
    return;
  }
  const ladder = `${m.status} in ${m.durationMs} ms: [${d.rungs.join(' ')}], largest ${d.largestArrivedBytes ?? '-'}, breaks at ${d.smallestLostBytes ?? '-'}, fragments ${d.fragments}${d.icmp ? `, ${d.icmp}` : ''}`;
  const { min, max } = want.direct.largestArrivedBytes;
  add(`mtu: largest direct size in [${min}, ${max}]`, d.largestArrivedBytes !== undefined && d.largestArrivedBytes >= min && d.largestArrivedBytes <= max, ladder);
  add(want.direct.breaks ? 'mtu: a larger size is lost' : 'mtu: no size lost above the largest', (d.smallestLostBytes !== undefined) === want.direct.breaks, ladder);
  if (want.icmpLearned !== undefined) add(`mtu: ICMP ${want.icmpLearned ? 'came back' : 'did not come back'}`, (d.icmp ?? '').startsWith(want.icmpLearned ? 'learned' : 'none'), ladder);
  add(`mtu: fragments ${want.fragments}`, d.fragments === want.fragments, ladder);
  add(`mtu: upstream ${want.upstream}`, m.upstream.status === want.upstream, `upstream ${m.upstream.status}${m.upstream.pathType ? ` over ${m.upstream.pathType}` : ''}${m.upstream.reason ? `: ${m.upstream.reason}` : ''}`);
  if (want.withinMs !== undefined) add(`mtu probe ended ≤ ${want.withinMs} ms`, m.durationMs <= want.withinMs, ladder);
}

/** Row status: fail when any check fails; else pending while the row has pending expectations; else pass. */
export function statusOf(scenario: Scenario, checks: Check[]): 'pass' | 'fail' | 'pending' {
  if (checks.some((c) => !c.ok)) return 'fail';
  return scenario.pending.length > 0 ? 'pending' : 'pass';
}

function relayWord(r: RelayExpectation | readonly RelayExpectation[] | undefined): string {
  if (Array.isArray(r)) return r.map((x) => relayWord(x)).join('|');
  return r === 'data' ? 'ok' : r === 'no-relay' ? '-' : r === 'allocated-no-data' ? 'alloc' : r === 'slow' ? 'slow' : r === 'needs-hostname' ? 'name' : '?';
}

function pad(s: string, n: number): string {
  return s.length >= n ? s : s + ' '.repeat(n - s.length);
}

/** One printed row of the matrix. */
export interface MatrixRow {
  scenario: Scenario;
  observed: Observed;
  status: 'pass' | 'fail' | 'pending';
  checks: Check[];
}

/** Prints the matrix: scenario × expected × observed × status, then failures and pending items. */
export function formatMatrix(rows: MatrixRow[]): string {
  const lines: string[] = [];
  const header = [pad('scenario', 23), pad('expected verdict · findings · relays u/t/s', 62), pad('observed verdict · findings · relays u/t/s', 62), pad('status', 8), 'time'];
  lines.push(header.join(' '), '-'.repeat(170));
  for (const row of rows) {
    const e = row.scenario.expect;
    const o = row.observed;
    const expected = `${Array.isArray(e.verdict) ? e.verdict.join('|') : e.verdict} · ${e.findings.join(',') || (e.noFindingsOfSeverity ? 'no warnings' : '-')} · ${relayWord(e.relays.udp)}/${relayWord(e.relays.tcp)}/${relayWord(e.relays.tls)}`;
    const observed =
      o.verdict === null
        ? `(no result: exit ${o.cliExitCode})`
        : `${o.verdict} · ${o.findings.join(',') || '-'} · ${relayWord(o.relays.udp?.relay)}/${relayWord(o.relays.tcp?.relay)}/${relayWord(o.relays.tls?.relay)}`;
    const status = row.status === 'pending' ? `PENDING` : row.status.toUpperCase();
    lines.push([pad(row.scenario.id, 23), pad(expected, 62), pad(observed, 62), pad(status, 8), `${(o.scenarioMs / 1000).toFixed(1)}s`].join(' '));
  }
  const failures = rows.filter((r) => r.status === 'fail');
  if (failures.length > 0) {
    lines.push('', 'FAILED expectations:');
    for (const row of failures) for (const c of row.checks.filter((x) => !x.ok)) lines.push(`  ${row.scenario.id}: ${c.name}: ${c.detail}`);
  }
  const pending = rows.filter((r) => r.scenario.pending.length > 0);
  if (pending.length > 0) {
    lines.push('', 'PENDING expectations (need probes not built yet; not counted as passed):');
    for (const row of pending) {
      for (const p of row.scenario.pending) lines.push(`  ${row.scenario.id}: ${p.findings.join(', ')} — ${p.capability}: ${p.note}`);
    }
  }
  return lines.join('\n');
}
