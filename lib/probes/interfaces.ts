/**
 * Probe "interfaces" (issue 11): which networks (interfaces) the browser gathers on, what STUN and TURN do through
 * each of them, and which one ICE selected towards netready's media peer.
 *
 * ONE RTCPeerConnection (iceTransportPolicy `all`) with the session's TURN-port STUN URL and its TURN URLs (UDP, TCP,
 * TLS), a data channel, an offer to the media peer (label `interfaces`). Candidates come from `icecandidate` (their
 * lines carry Chromium's `network-id` / `network-cost`) and getStats local-candidate entries (`networkType`, `url`,
 * `relayProtocol`). It connects only once every network has its host, server-reflexive and relay candidates, gathering
 * completed, or a short window passed (Chromium stops gathering as soon as ICE connects) — never waiting for gathering
 * as such (a blocked TURN transport holds it open for ~40 s) — then waits for the echoes over the selected pair.
 *
 * What the browser shows depends on media permission (shared/DESIGN.md "Interfaces"): without it Chromium gathers
 * on the default route only, masks host addresses as mDNS `.local` names and reports `networkType: unknown` and
 * `network-cost 999`; after the deep check's getUserMedia a new peer connection sees every interface. The probe
 * records which case it saw (`enumeration`, `mediaAccess`); it never judges — the path facts and rules read it.
 */
import type { Evidence } from '../schema/result';
import { postMediaOffer, SignallingError } from './media-peer-offer';
import { readSession, SESSION_PROBE_ID } from './session';
import type { MediaAccessReport, PeerConnectionLike, Probe, ProbeContext, ProbeReport, StatsEntry } from './types';
import { CandidateLog, DeadlineError, exchangeEchoes, matchCandidateLine, median, readSelectedPair, untilAborted, waitForOpen, type CandidateInfo, type IceErrorInfo } from './webrtc';

/** Id of the interfaces probe. */
export const INTERFACES_PROBE_ID = 'interfaces';

/** Label of this probe's offers at the media peer (what the server records for the session). */
export const INTERFACES_OFFER_LABEL = 'interfaces';

/** Echo messages sent over the selected pair: a few prove data flows, the run has better things to measure. */
export const INTERFACES_ECHO_COUNT = 3;

/**
 * Longest wait for every network's candidates before connecting, ms from the offer. On loopback everything is in
 * after ≈ 300 ms; a TURN/TLS allocation takes ≈ 5 round trips (TCP, TLS, Allocate twice), 1 s at 200 ms. A network
 * whose TURN transport is blocked never completes — waiting for that is the TURN probes' job.
 */
export const INTERFACES_GATHER_WINDOW_MS = 1500;

/**
 * Time kept back from the probe's deadline, ms: the probe stops waiting this long before it, so reading getStats and
 * closing happen inside the deadline (the engine abandons a probe 300 ms after it).
 */
export const INTERFACES_WRAP_UP_MS = 400;

/** A TURN transport as the relay candidate's `relayProtocol` names it. */
export type RelayTransport = 'udp' | 'tcp' | 'tls';

/** The deep check's media permission, as recorded. */
export type MediaAccess = MediaAccessReport;

/** One network the browser gathered on (see InterfacesData.networks). */
export interface NetworkSeen {
  /** `network-id` of the candidate lines (null when the browser gives none). */
  networkId: number | null;
  /** getStats local-candidate `networkType` of this network's candidates, as reported (absent when not reported). */
  networkType?: string;
  /** `network-cost` of the candidate lines (Chromium: 999 while masked). */
  networkCost?: number;
  /** networkType vpn → 'likely-vpn' (Chromium decides VPN by interface name or adapter MAC prefix only). */
  kind: 'ethernet' | 'wifi' | 'cellular' | 'likely-vpn' | 'loopback' | 'unknown';
  /** Why `likely-vpn`. */
  vpnHint?: string;
  /** Host candidate addresses of this network (raw IPs, or `*.local` names while masked). */
  hostAddresses: string[];
  /** IP families seen on this network. */
  families: Array<'ipv4' | 'ipv6'>;
  /**
   * STUN through this network: the server-reflexive address (= the egress address the STUN server saw).
   * `egressIsHost` (an extension of the issue-11 contract): no srflx can come because there is no NAT — the TURN
   * server saw this network's raw host address and port itself (a UDP relay's mapped address), and Chromium drops a
   * srflx equal to its host candidate. Then the egress address is the host address, and a missing srflx (here and in
   * the stun-udp probe's peer connections) does not mean STUN failed.
   */
  stun: { srflx?: { address: string; port: number }; atMs?: number; egressIsHost?: true };
  /** TURN through this network, per transport: the relay allocated (absent: none within the deadline). */
  turn: Partial<Record<RelayTransport, { relay: { address: string; port: number }; atMs: number }>>;
  /** ICE's selected pair uses this network's local candidate. */
  selected: boolean;
}

/** The candidate pair ICE selected towards netready's media peer in this probe's own peer connection. */
export interface SelectedPath {
  local: {
    candidateType: string;
    protocol: string;
    relayProtocol?: string;
    address?: string;
    port?: number;
    networkType?: string;
    networkCost?: number;
    networkId?: number;
    url?: string;
  };
  remote: { candidateType: string; protocol: string; address?: string; port?: number };
  rttMs?: number;
}

/** `data` of the interfaces probe (contract: /work/briefs/i11/contracts.md). */
export interface InterfacesData {
  /** The deep check's media permission. `not-requested` in default mode. */
  mediaAccess: MediaAccess;
  /** What the browser exposed: raw host addresses, mDNS names only, or no host candidate at all. */
  enumeration: 'all' | 'masked' | 'none';
  /** One entry per network, grouped by `network-id` (by host address when absent), ordered as gathered. */
  networks: NetworkSeen[];
  /** The pair ICE selected in this probe's own peer connection. */
  selected?: SelectedPath;
  /** ms from start to connected. */
  connectMs?: number;
  /** Whether the echoes came back over the selected pair. */
  dataFlows?: boolean;
}

/** How the wait for candidates ended (recorded as evidence). */
interface WaitEnd {
  by: 'every-network-complete' | 'gathering-complete' | 'gather-window' | 'deadline';
  atMs?: number;
}

/** A local candidate with what getStats adds to its line. */
export interface GatheredCandidate extends CandidateInfo {
  networkType?: string;
  url?: string;
}

const NOT_REQUESTED: MediaAccess = { requested: false, state: 'not-requested' };

const IPV4 = /^\d{1,3}(?:\.\d{1,3}){3}$/;

/** IP family of an address literal; undefined for a name (an mDNS `.local` host candidate). */
export function addressFamily(address: string): 'ipv4' | 'ipv6' | undefined {
  if (IPV4.test(address)) return 'ipv4';
  if (address.includes(':')) return 'ipv6';
  return undefined;
}

function isLoopback(address: string): boolean {
  return address.startsWith('127.') || address === '::1';
}

/** What the host candidates show: raw addresses (`all`), mDNS names only (`masked`), or none at all. */
export function classifyEnumeration(candidates: readonly CandidateInfo[]): InterfacesData['enumeration'] {
  const hosts = candidates.filter((c) => c.type === 'host');
  if (hosts.length === 0) return 'none';
  return hosts.some((c) => addressFamily(c.address) !== undefined) ? 'all' : 'masked';
}

/** The VPN hint recorded with `likely-vpn` (Chromium's own rule, so never more than "likely"). */
export const VPN_HINT = 'the browser reports networkType vpn (an interface named tun*, utun*, ipsec* or tap*, or a VPN adapter\'s MAC prefix)';

/** Our kind of a network from its reported networkType and host addresses. */
export function classifyKind(networkType: string | undefined, hostAddresses: readonly string[]): Pick<NetworkSeen, 'kind' | 'vpnHint'> {
  if (networkType === 'vpn') return { kind: 'likely-vpn', vpnHint: VPN_HINT };
  if (hostAddresses.length > 0 && hostAddresses.every(isLoopback)) return { kind: 'loopback' };
  if (networkType === 'ethernet' || networkType === 'wifi' || networkType === 'cellular') return { kind: networkType };
  return { kind: 'unknown' };
}

function relayTransport(candidate: GatheredCandidate): RelayTransport | undefined {
  const protocol = candidate.relayProtocol?.toLowerCase();
  return protocol === 'udp' || protocol === 'tcp' || protocol === 'tls' ? protocol : undefined;
}

/**
 * The candidates with their getStats local-candidate fields (`networkType`, `url`, `relayProtocol`), matched by
 * address, port, protocol and type (webrtc.ts matchCandidateLine).
 */
export function joinLocalStats(candidates: readonly CandidateInfo[], stats: readonly StatsEntry[]): GatheredCandidate[] {
  const joined: GatheredCandidate[] = candidates.map((c) => ({ ...c }));
  for (const entry of stats) {
    if (entry.type !== 'local-candidate') continue;
    const line = matchCandidateLine(entry, joined);
    if (!line) continue;
    const target = line as GatheredCandidate;
    if (typeof entry.networkType === 'string') target.networkType = entry.networkType;
    if (typeof entry.url === 'string' && entry.url) target.url = entry.url;
    if (typeof entry.relayProtocol === 'string' && !target.relayProtocol) target.relayProtocol = entry.relayProtocol;
  }
  return joined;
}

/**
 * Groups candidates into networks: by `network-id`. Without one:
 * - every host masked (Chromium without media permission: its lines then carry `network-cost 999` but no
 *   `network-id`, and srflx lines hide their base as `raddr 0.0.0.0`) → ONE network, the default route — Chromium
 *   gathers on nothing else while masked, and nothing tells its IPv4 and IPv6 sockets' candidates apart;
 * - raw host addresses (Firefox) → a host candidate by its address, a srflx or relay by the related address that
 *   names its host (srflx) or mapped address (relay), else on its own.
 */
export function groupNetworks(candidates: readonly GatheredCandidate[], selectedNetworkId?: number, selectedCandidate?: GatheredCandidate): NetworkSeen[] {
  return groupCandidates(candidates).map(({ networkId, members }) => describeNetwork(networkId, members, selectedNetworkId, selectedCandidate));
}

/** The candidates of each network, in gathering order (see groupNetworks for how they are told apart). */
function groupCandidates(candidates: readonly GatheredCandidate[]): Array<{ networkId: number | null; members: GatheredCandidate[] }> {
  const masked = candidates.every((c) => c.networkId === undefined) && classifyEnumeration(candidates) === 'masked';
  const groups: Array<{ key: string; networkId: number | null; members: GatheredCandidate[] }> = [];
  const byKey = new Map<string, (typeof groups)[number]>();
  const add = (key: string, networkId: number | null, candidate: GatheredCandidate): void => {
    let group = byKey.get(key);
    if (!group) {
      group = { key, networkId, members: [] };
      byKey.set(key, group);
      groups.push(group);
    }
    group.members.push(candidate);
  };
  const addressKeys = new Map<string, string>();
  for (const candidate of candidates) {
    if (candidate.networkId !== undefined) {
      add(`id:${candidate.networkId}`, candidate.networkId, candidate);
      continue;
    }
    let key: string;
    if (masked) key = 'default-route';
    else if (candidate.type === 'host') key = addressKeys.get(candidate.address) ?? `addr:${candidate.address}`;
    else key = (candidate.relatedAddress ? addressKeys.get(candidate.relatedAddress) : undefined) ?? `addr:${candidate.relatedAddress ?? candidate.address}`;
    addressKeys.set(candidate.address, key);
    add(key, null, candidate);
  }
  return groups;
}

/** One network's record from its candidates. */
function describeNetwork(networkId: number | null, members: readonly GatheredCandidate[], selectedNetworkId?: number, selectedCandidate?: GatheredCandidate): NetworkSeen {
  const hosts = members.filter((c) => c.type === 'host');
  const hostAddresses = [...new Set(hosts.map((c) => c.address))];
  // Families: of the raw host addresses, and of the server-reflexive address (what left through this network) —
  // a masked host candidate hides its own.
  const families = new Set<'ipv4' | 'ipv6'>();
  for (const c of members) {
    const family = c.type === 'host' || c.type === 'srflx' ? addressFamily(c.address) : undefined;
    if (family) families.add(family);
  }
  const reported = members.map((c) => c.networkType).filter((t): t is string => t !== undefined);
  const networkType = reported.find((t) => t !== 'unknown') ?? reported[0];
  const cost = members.find((c) => c.networkCost !== undefined)?.networkCost;
  const srflx = members.find((c) => c.type === 'srflx');
  const turn: NetworkSeen['turn'] = {};
  for (const c of members) {
    const transport = c.type === 'relay' ? relayTransport(c) : undefined;
    if (transport && !turn[transport]) turn[transport] = { relay: { address: c.address, port: c.port }, atMs: c.atMs };
  }
  const selected = selectedNetworkId !== undefined ? networkId === selectedNetworkId : selectedCandidate !== undefined && members.includes(selectedCandidate);
  return {
    networkId,
    ...(networkType !== undefined ? { networkType } : {}),
    ...(cost !== undefined ? { networkCost: cost } : {}),
    ...classifyKind(networkType, hostAddresses),
    hostAddresses,
    families: [...families].sort(),
    stun: srflx ? { srflx: { address: srflx.address, port: srflx.port }, atMs: srflx.atMs } : hostIsItsOwnEgress(members) ? { egressIsHost: true } : {},
    turn,
    selected,
  };
}

/**
 * What this run could not see, in words (shown with the probe and recorded as evidence), or undefined when the
 * browser showed every interface.
 */
export function describeVisibility(data: Pick<InterfacesData, 'mediaAccess' | 'enumeration'>): string | undefined {
  const access = data.mediaAccess;
  const hidden =
    data.enumeration === 'none'
      ? 'The browser offered no host candidate at all (a browser policy such as WebRtcIPHandlingPolicy, or no default route), so no interface could be seen; only relayed or proxied paths remain.'
      : data.enumeration === 'masked'
        ? 'The browser showed only its default-route interface, with its address masked as an mDNS ".local" name; other interfaces (VPN, Wi-Fi, Ethernet) and their types could not be seen.'
        : undefined;
  if (!hidden) return undefined;
  switch (access.state) {
    case 'not-requested':
      return `${hidden} Run the deep check ("Also check every network interface") to see them.`;
    case 'denied':
      return `Media permission was denied (${access.error ?? 'no reason given'}). ${hidden}`;
    case 'unavailable':
      return `Media permission could not be asked for: ${access.error ?? 'unavailable'}. ${hidden}`;
    case 'granted':
      return `Media permission was granted, yet: ${hidden}`;
  }
}

function pickSelected(pair: Awaited<ReturnType<typeof readSelectedPair>>): SelectedPath | undefined {
  if (!pair?.local || !pair.remote) return undefined;
  const { candidateType = 'unknown', protocol = 'unknown', ...localRest } = pair.local;
  const { candidateType: remoteType = 'unknown', protocol: remoteProtocol = 'unknown', ...remoteRest } = pair.remote;
  return {
    local: { candidateType, protocol, ...localRest },
    remote: { candidateType: remoteType, protocol: remoteProtocol, ...remoteRest },
    ...(pair.currentRoundTripTimeMs !== undefined ? { rttMs: pair.currentRoundTripTimeMs } : {}),
  };
}

/**
 * Whether every network has its host candidate, its srflx (when STUN is offered) and a relay per offered TURN
 * transport. The host is required because Chromium emits a masked host candidate only once its mDNS name is
 * registered, which can come after the srflx and relays of the same socket (seen in Chromium 156: a run without it
 * recorded no host candidate at all).
 */
function everyNetworkComplete(candidates: readonly CandidateInfo[], stunOffered: boolean, transports: readonly RelayTransport[]): boolean {
  const groups = groupCandidates(candidates);
  if (groups.length === 0) return false;
  return groups.every(({ networkId, members }) => {
    const network = describeNetwork(networkId, members);
    return network.hostAddresses.length > 0 && (!stunOffered || network.stun.srflx !== undefined || network.stun.egressIsHost === true) && transports.every((t) => network.turn[t] !== undefined);
  });
}

/**
 * Whether the TURN server saw a host candidate's own address and port (a UDP relay's related address is the mapped
 * address of its allocation): no NAT on this network. Chromium then drops the srflx, which would equal its host
 * candidate (UDPPort discards a reflexive address equal to the shared socket's own unless it masks it with mDNS),
 * so none will come.
 */
export function hostIsItsOwnEgress(members: readonly CandidateInfo[]): boolean {
  const hosts = members.filter((c) => c.type === 'host' && addressFamily(c.address) !== undefined);
  return members.some((r) => r.type === 'relay' && r.relayProtocol === 'udp' && hosts.some((h) => h.address === r.relatedAddress && h.port === r.relatedPort));
}

/** Resolves when the peer connection reports ICE `failed` (or at once if it already has). */
function whenFailed(pc: PeerConnectionLike, signal: AbortSignal): Promise<void> {
  return untilAborted<void>(
    signal,
    (resolve) => {
      const check = (): void => {
        if (pc.connectionState === 'failed' || pc.iceConnectionState === 'failed') resolve();
      };
      pc.addEventListener('connectionstatechange', check);
      pc.addEventListener('iceconnectionstatechange', check);
      check();
    },
    'ICE to fail',
  );
}

async function runInterfaces(ctx: ProbeContext): Promise<ProbeReport> {
  const session = readSession(ctx);
  const mediaAccess: MediaAccess = ctx.env.mediaAccess?.() ?? NOT_REQUESTED;
  const turnPort = session.stun.find((s) => s.role === 'turn');
  const transports = session.turn.map((t) => t.transport);
  const iceServers = [
    ...(turnPort ? [{ urls: turnPort.url }] : []),
    ...session.turn.map((t) => ({ urls: t.url, username: t.username, credential: t.credential })),
  ];
  const started = ctx.env.now();
  // Own end of waiting, a little before the probe's deadline: getStats and close still fit inside it.
  const wait = new AbortController();
  const onAbort = (): void => wait.abort();
  ctx.signal.addEventListener('abort', onAbort, { once: true });
  const waitTimer = setTimeout(onAbort, Math.max(ctx.timeoutMs - INTERFACES_WRAP_UP_MS, Math.round(ctx.timeoutMs * 0.8)));
  const data: InterfacesData = { mediaAccess, enumeration: 'none', networks: [] };
  let failure: string | undefined;
  let signallingFailed = false;
  let iceFailed = false;
  let echo: { sent: number; echoed: number; rttMs: number[] } | undefined;
  let pc: PeerConnectionLike | undefined;
  let log: CandidateLog | undefined;
  const localStats: StatsEntry[] = [];
  let pairRead: Awaited<ReturnType<typeof readSelectedPair>>;
  /** Why the wait for candidates ended, and when (evidence: the window and the deadline cut gathering short). */
  let waitEnded: WaitEnd = { by: 'deadline' };
  try {
    pc = ctx.env.createPeerConnection({ iceServers, iceTransportPolicy: 'all' });
    const peer = pc;
    log = new CandidateLog(peer, ctx.env, started);
    const candidates = log.candidates;
    let gatheringDone = false;
    let onCandidate: () => void = () => undefined;
    peer.addEventListener('icecandidate', (event) => {
      // Only the final null event ends gathering: Chromium also fires one with an empty candidate string, which a
      // short run showed arriving before the masked host candidates did.
      if (event.candidate === null) gatheringDone = true;
      // After CandidateLog's own listener (registered first), so the new candidate is already in its list.
      onCandidate();
    });
    const channel = peer.createDataChannel('netready-echo', { ordered: true });
    await peer.setLocalDescription(await peer.createOffer());
    ctx.progress('Gathering candidates on every network the browser shows');
    const offerSdp = peer.localDescription?.sdp;
    if (!offerSdp) throw new Error('the browser produced no local description');

    // The offer goes at once (the answer comes while candidates gather), but the answer is applied only once the
    // candidates are in: Chromium stops gathering as soon as ICE connects (a run that connected after 250 ms
    // reported gathering complete without its TCP and TLS relays), and those are what this probe is about.
    const answered = postMediaOffer(ctx, session.peerPath, offerSdp, { label: INTERFACES_OFFER_LABEL, signal: wait.signal }).catch((error: unknown) => {
      if (error instanceof SignallingError) signallingFailed = true;
      throw error;
    });
    answered.catch(() => undefined);
    await untilAborted<void>(
      wait.signal,
      (resolve) => {
        const windowTimer = setTimeout(() => {
          waitEnded = { by: 'gather-window', atMs: Math.round(ctx.env.now() - started) };
          resolve();
        }, INTERFACES_GATHER_WINDOW_MS);
        const check = (): void => {
          const endedBy = gatheringDone ? 'gathering-complete' : everyNetworkComplete(candidates, turnPort !== undefined, transports) ? 'every-network-complete' : undefined;
          if (!endedBy) return;
          clearTimeout(windowTimer);
          waitEnded = { by: endedBy, atMs: Math.round(ctx.env.now() - started) };
          resolve();
        };
        onCandidate = check;
        wait.signal.addEventListener('abort', () => clearTimeout(windowTimer), { once: true });
        check();
      },
      'the candidates of every network',
    );
    onCandidate = () => undefined;
    ctx.progress('Connecting to the test server\'s media peer over the pair ICE selects');
    await peer.setRemoteDescription({ type: 'answer', sdp: (await answered).sdp });
    const failed = whenFailed(peer, wait.signal).then(() => {
      iceFailed = true;
      throw new Error('ICE failed: no candidate pair to the media peer worked');
    });
    failed.catch(() => undefined);
    await Promise.race([waitForOpen(channel, wait.signal), failed]);
    data.connectMs = Math.round(ctx.env.now() - started);
    echo = await exchangeEchoes(channel, ctx.env, INTERFACES_ECHO_COUNT, wait.signal);
  } catch (error) {
    if (!(error instanceof DeadlineError)) failure = error instanceof Error ? error.message : String(error);
  }
  try {
    // What was gathered and selected so far, also after a deadline or a failure: the networks are recorded either way.
    if (pc) {
      const report = await pc.getStats();
      report.forEach((entry) => {
        if (entry.type === 'local-candidate') localStats.push(entry);
      });
      if (data.connectMs !== undefined && log) pairRead = await readSelectedPair(pc, log.candidates).catch(() => undefined);
    }
  } catch {
    // No stats: the candidates' lines are still recorded.
  } finally {
    clearTimeout(waitTimer);
    ctx.signal.removeEventListener('abort', onAbort);
    pc?.close();
  }
  const candidates = joinLocalStats(log?.candidates ?? [], localStats);
  const selected = pickSelected(pairRead);
  if (selected) data.selected = selected;
  if (echo) data.dataFlows = echo.echoed > 0;
  data.enumeration = classifyEnumeration(candidates);
  const selectedCandidate = selected
    ? candidates.find((c) => c.port === selected.local.port && c.protocol === selected.local.protocol && c.type === selected.local.candidateType && (selected.local.address === undefined || c.address === selected.local.address))
    : undefined;
  data.networks = groupNetworks(candidates, selected?.local.networkId, selectedCandidate);
  return summarise(ctx, data, candidates, { failure, signallingFailed, iceFailed, echo, waitEnded, iceErrors: log?.errors ?? [] });
}

function summarise(
  ctx: ProbeContext,
  data: InterfacesData,
  candidates: readonly GatheredCandidate[],
  outcome: {
    failure: string | undefined;
    signallingFailed: boolean;
    iceFailed: boolean;
    echo: { sent: number; echoed: number; rttMs: number[] } | undefined;
    waitEnded: WaitEnd;
    iceErrors: readonly IceErrorInfo[];
  },
): ProbeReport {
  const probe = INTERFACES_PROBE_ID;
  const evidence: Evidence[] = [];
  for (const network of data.networks) {
    const relays = Object.entries(network.turn).map(([t, r]) => `TURN/${t} ${r.relay.address}:${r.relay.port}`);
    evidence.push({
      probe,
      kind: 'network',
      summary:
        `network ${network.networkId ?? '(no id)'}: ${network.kind}${network.networkType ? ` (networkType ${network.networkType})` : ''}, ` +
        `host ${network.hostAddresses.join(', ') || 'none'}, ` +
        `${network.stun.srflx ? `STUN egress ${network.stun.srflx.address}:${network.stun.srflx.port}` : network.stun.egressIsHost ? 'no NAT (the TURN server saw the host address itself; the browser shows no srflx then)' : 'no STUN answer'}, ` +
        `${relays.join(', ') || 'no relay'}${network.selected ? '; selected by ICE' : ''}`,
      data: { ...network },
    });
  }
  if (data.selected) {
    const { local, remote } = data.selected;
    evidence.push({
      probe,
      kind: 'selected-pair',
      summary: `ICE selected ${local.candidateType}/${local.protocol}${local.relayProtocol ? ` via TURN/${local.relayProtocol}` : ''} ${local.address ?? '?'}:${local.port ?? '?'} → ${remote.candidateType} ${remote.address ?? '?'}:${remote.port ?? '?'}`,
      data: { ...data.selected },
    });
  }
  if (outcome.echo) {
    const rtt = median(outcome.echo.rttMs);
    evidence.push({
      probe,
      kind: 'data-echo',
      summary: `${outcome.echo.echoed} of ${outcome.echo.sent} messages echoed over the selected pair${rtt !== undefined ? `, median round trip ${rtt} ms` : ''}`,
      data: { sent: outcome.echo.sent, echoed: outcome.echo.echoed, ...(rtt !== undefined ? { rttMs: rtt } : {}) },
    });
  }
  for (const error of outcome.iceErrors) {
    evidence.push({ probe, kind: 'ice-error', summary: `${error.url}: error ${error.errorCode} "${error.errorText}" after ${error.atMs} ms`, data: { ...error } });
  }
  const visibility = describeVisibility(data);
  if (visibility) evidence.push({ probe, kind: 'visibility', summary: visibility, data: { enumeration: data.enumeration, mediaAccess: { ...data.mediaAccess } } });
  evidence.push({
    probe,
    kind: 'candidates',
    summary: `${candidates.length} local candidates gathered; the wait for them ended by ${outcome.waitEnded.by.replace(/-/g, ' ')}${outcome.waitEnded.atMs !== undefined ? ` after ${outcome.waitEnded.atMs} ms` : ''}`,
    data: { waitEnded: { ...outcome.waitEnded }, candidates: candidates.slice(0, 40).map((c) => ({ ...c })) },
  });
  const record = { ...data } as unknown as Record<string, unknown>;
  if (data.selected && data.dataFlows) return { status: 'pass', data: record, evidence };
  // Never `fail`: a blocked path is the transport probes' story (stun-udp, turn-*); this one only says what it could
  // not see, and why.
  let reason: string;
  if (outcome.signallingFailed) reason = `This check could not start: ${outcome.failure ?? 'netready\'s media peer did not accept the offer'}.`;
  else if (outcome.failure && !outcome.iceFailed) reason = `This check stopped: ${outcome.failure}.`;
  else if (data.connectMs === undefined) {
    reason = outcome.iceFailed
      ? 'No candidate pair to netready\'s media peer worked (ICE failed), so this check cannot tell which interface a call would use; the transport checks show which paths are blocked.'
      : `No candidate pair to netready's media peer was selected within ${ctx.timeoutMs} ms, so this check cannot tell which interface a call would use; the transport checks show which paths are blocked.`;
  } else reason = 'The connection to netready\'s media peer came up, but no echo came back over it, so this check cannot confirm the path a call would use.';
  return { status: 'inconclusive', reason, data: record, evidence };
}

/** Creates the interfaces probe (in the default plan, after the session, in parallel with the others). */
export function createInterfacesProbe(): Probe {
  return {
    id: INTERFACES_PROBE_ID,
    title: 'Network interfaces and the path ICE chose',
    dependsOn: [SESSION_PROBE_ID],
    // No own timeoutMs: the plan's per-probe deadline, the TURN probes' too, so this probe never lengthens the run.
    run: runInterfaces,
  };
}
