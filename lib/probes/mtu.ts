/**
 * Probe "mtu": which packet sizes get through (shared/DESIGN.md "MTU"; issue 10 items 1 and 2).
 *
 * - **Downstream ladder.** For each rung of the session's ladder (a size and an IP family) one RTCPeerConnection with
 *   that single `stun:` URL — one per size, because Chromium drops a second server-reflexive candidate with the same
 *   address. netready's server pads the Binding success response to exactly that IP datagram size and sends it with
 *   Don't-Fragment set, never fragmenting; a srflx candidate appears iff the datagram arrived. All rungs at once,
 *   each decided by its srflx or the phase deadline.
 * - **Fragments.** The same above any Ethernet MTU without Don't-Fragment: they arrive only as IP fragments.
 * - **Through TURN/UDP** where no direct rung answered at all (the ladder's ports blocked): one relay-only peer
 *   connection per size with that size's TURN username, whose Allocate success response the TURN server pads.
 * - **Did an ICMP come back?** Where a size was lost, the server is asked what path MTU its kernel learned towards
 *   this client: a smaller one means "fragmentation needed" arrived (path-MTU discovery works, TCP adapts); none
 *   means a black hole.
 * - **Upstream.** Browsers never send more than ≈ 1,256 bytes (Chromium's SCTP packets of 1191 bytes plus DTLS,
 *   UDP and IPv4 headers), so that is the one upstream size worth checking: a DataChannel message that fills exactly
 *   one of Chromium's biggest packets, echoed by netready's media peer over the path ICE picks (direct, else
 *   TURN/UDP). Only when it has not come back after LARGE_ALONE_MS does a small message check that the channel itself
 *   works. The echo comes back in a packet of the same size, so a loss is upstream's only where the downstream ladder
 *   carries that size.
 *
 * The probe measures and records; lib/diagnosis/facts-mtu.ts decides what it means.
 */
import { postMediaOffer } from './media-peer-offer';
import { PathMtuAnswerSchema, type MtuRung, type MtuTurnRung, type Session } from '../schema/session';
import type { Evidence } from '../schema/result';
import { readSession, SESSION_PROBE_ID } from './session';
import { skippedReport, type DataChannelLike, type Probe, type ProbeContext, type ProbeReport } from './types';
import { CandidateLog, DeadlineError, deadlinePhase, readSelectedPair, untilAborted, waitForOpen, type IceErrorInfo } from './webrtc';

/** Id of the MTU probe. */
export const MTU_PROBE_ID = 'mtu';

/**
 * How long the direct rungs may take, ms (at most 40 % of the probe's deadline). Chromium retransmits a STUN Binding
 * request after 250, 500 and 1000 ms (RTO 250 ms, doubling; webrtc stun_request.cc), so by 2 s a rung that fits the
 * path has had three tries — enough at a few % loss and 200 ms round trip.
 */
export const DIRECT_WAIT_MS = 2000;
/** How long the TURN rungs may take, ms (at most 45 % of the deadline): an Allocate needs two round trips (401, then signed). */
export const TURN_WAIT_MS = 2500;
/** How long the upstream check may take, ms (at most 90 % of the deadline). */
export const UPSTREAM_WAIT_MS = 4500;
/**
 * The upstream message, bytes: exactly what fills one of Chromium's largest SCTP packets — kSctpMtu = 1191 bytes
 * (webrtc media/sctp) less the 12-byte common header and the 16-byte DATA chunk header — the biggest datagram a browser
 * sends. Not larger: the media peer (werift) cuts its echo into 1200-byte chunks, whose packets (≈ 1293 bytes) would
 * be bigger than anything a browser sends and be lost downstream first (seen in the lab at 1280).
 */
export const UPSTREAM_MESSAGE_BYTES = 1163;
/** What those packets weigh on the wire over IPv4, bytes: 1191 SCTP + 13 DTLS record header + 24 AES-GCM + 8 UDP + 20 IPv4. */
export const UPSTREAM_WIRE_BYTES = 1256;
/**
 * How long the large message goes alone before a small one checks the channel, ms. Alone because a message sent right
 * after another one's echo waited ≈ 1 s (an SCTP retransmission timeout) between Chromium 156 and the media peer
 * (werift 0.24), measured on loopback — so on a working path the large one answers in a round trip and the probe ends.
 */
export const LARGE_ALONE_MS = 500;
/** Four more through a TURN channel (ChannelData header, RFC 8656 §12.4). */
const TURN_CHANNEL_BYTES = 4;

/** Where a ladder ran: direct UDP over IPv4 or IPv6, or through TURN over UDP. */
export type MtuPathId = 'direct-ipv4' | 'direct-ipv6' | 'turn-udp';

/** How one rung ended: its answer arrived; was lost; the TURN server refused the allocation; the browser failed. */
export type MtuRungOutcome = 'arrived' | 'lost' | 'refused' | 'error';

/** One rung as tried. */
export interface MtuRungResult {
  /** IP datagram size of the padded answer, bytes. */
  sizeBytes: number;
  /** Sent with Don't-Fragment (a ladder rung) or not (a fragment rung). */
  df: boolean;
  url: string;
  outcome: MtuRungOutcome;
  /** ms from the rung's start to its candidate (arrived). */
  atMs?: number;
  /** The mapped address the answer reported (srflx address, or the relay candidate's related address). */
  mappedAddress?: string;
  /** Why: the deadline, a STUN error, the browser's exception. */
  reason?: string;
  errors?: IceErrorInfo[];
}

/** What the server's kernel knows about the path to this client, when asked (a size was lost). */
export type MtuIcmpResult =
  | { asked: true; ip: string; pathMtuBytes: number; linkMtuBytes: number | null; learnedBelowLost: boolean }
  | { asked: false; reason: string };

/** The ladder on one path. */
export interface MtuPathResult {
  path: MtuPathId;
  /** `measured`: at least one Don't-Fragment rung arrived; `unreachable`: none did; `not-tried`: see reason. */
  status: 'measured' | 'unreachable' | 'not-tried';
  reason?: string;
  /** Don't-Fragment rungs, ascending. */
  rungs: MtuRungResult[];
  /** Rungs without Don't-Fragment (fragments), ascending. */
  fragmentRungs: MtuRungResult[];
  largestArrivedBytes?: number;
  /** The smallest Don't-Fragment rung lost above the largest that arrived: where the path breaks. */
  smallestLostBytes?: number;
  /** Don't-Fragment rungs lost below the largest that arrived (loss, not size). */
  lostBelowLargestBytes: number[];
  /** Whether fragments arrived on this path. */
  fragments: 'arrived' | 'dropped' | 'not-tried';
  /** Asked only when a size was lost. */
  icmp?: MtuIcmpResult;
}

/** The upstream (browser → server) check. */
export interface MtuUpstreamResult {
  /** `passed`: the large message came back; `lost`: the small one did, the large one not; `not-measured`: see reason. */
  status: 'passed' | 'lost' | 'not-measured';
  reason?: string;
  messageBytes: number;
  /** Size of the largest packets it made on the wire, bytes (IPv4; +4 through a TURN channel). */
  wireBytesEstimate: number;
  /** Local candidate type of the path used (`host`, `srflx`, `prflx`, `relay`). */
  pathType?: string;
  /** A small message was sent (the large one had not come back after LARGE_ALONE_MS). */
  smallSent: boolean;
  smallEchoed: boolean;
  largeEchoed: boolean;
  largeRttMs?: number;
}

/** `data` of the mtu probe. */
export interface MtuData {
  paths: MtuPathResult[];
  upstream: MtuUpstreamResult;
  /** Sizes the server did not offer, and why. */
  notOffered: NonNullable<Session['mtu']>['notOffered'];
  /** The server's own link MTU per family, where known. */
  linkMtuBytes?: { ipv4?: number; ipv6?: number };
}

const errorText = (error: unknown): string => (error instanceof Error ? error.message : String(error));

/** One direct rung: a peer connection with its single `stun:` URL, waiting for the srflx candidate. */
async function tryStunRung(ctx: ProbeContext, rung: MtuRung, signal: AbortSignal): Promise<MtuRungResult> {
  const started = ctx.env.now();
  const base = { sizeBytes: rung.sizeBytes, df: rung.df, url: rung.url };
  let pc;
  try {
    pc = ctx.env.createPeerConnection({ iceServers: [{ urls: rung.url }] });
  } catch (error) {
    return { ...base, outcome: 'error', reason: errorText(error) };
  }
  try {
    const log = new CandidateLog(pc, ctx.env, started);
    pc.createDataChannel('netready-mtu');
    await pc.setLocalDescription(await pc.createOffer());
    try {
      const srflx = await log.waitForType('srflx', signal);
      return { ...base, outcome: 'arrived', atMs: srflx.atMs, mappedAddress: srflx.address };
    } catch (error) {
      if (!(error instanceof DeadlineError)) throw error;
      return { ...base, outcome: 'lost', reason: 'no answer before the deadline', ...(log.errors.length > 0 ? { errors: [...log.errors] } : {}) };
    }
  } catch (error) {
    return { ...base, outcome: 'error', reason: errorText(error) };
  } finally {
    pc.close();
  }
}

/** One TURN rung: a relay-only peer connection with that size's username, waiting for the relay candidate. */
async function tryTurnRung(ctx: ProbeContext, rung: MtuTurnRung, signal: AbortSignal): Promise<MtuRungResult> {
  const started = ctx.env.now();
  const base = { sizeBytes: rung.sizeBytes, df: true, url: rung.url };
  let pc;
  try {
    pc = ctx.env.createPeerConnection({ iceServers: [{ urls: rung.url, username: rung.username, credential: rung.credential }], iceTransportPolicy: 'relay' });
  } catch (error) {
    return { ...base, outcome: 'error', reason: errorText(error) };
  }
  try {
    const log = new CandidateLog(pc, ctx.env, started);
    pc.createDataChannel('netready-mtu');
    await pc.setLocalDescription(await pc.createOffer());
    try {
      const waited = await log.waitForRelayOrDecided(rung.url, signal);
      if (waited.kind === 'relay') {
        const mapped = waited.candidate.relatedAddress;
        return { ...base, outcome: 'arrived', atMs: waited.candidate.atMs, ...(mapped && mapped !== '0.0.0.0' ? { mappedAddress: mapped } : {}) };
      }
      if (waited.kind === 'ended') return { ...base, outcome: 'lost', reason: `the browser ended gathering after ${waited.atMs} ms without a relay` };
      const { errorCode, errorText: text } = waited.error;
      // A STUN error from netready's own TURN server (486: too many relays from this address) is its limit, not the path's.
      if (waited.errorKind === 'server-error') return { ...base, outcome: 'refused', reason: `TURN error ${errorCode} "${text}"`, errors: [...log.errors] };
      return { ...base, outcome: 'lost', reason: `ICE error ${errorCode} "${text}"`, errors: [...log.errors] };
    } catch (error) {
      if (!(error instanceof DeadlineError)) throw error;
      return { ...base, outcome: 'lost', reason: 'no relay before the deadline', ...(log.errors.length > 0 ? { errors: [...log.errors] } : {}) };
    }
  } catch (error) {
    return { ...base, outcome: 'error', reason: errorText(error) };
  } finally {
    pc.close();
  }
}

/** Reads one path's ladder: where it breaks, which sizes were lost below that (loss, not size), fragments. */
export function summarisePath(path: MtuPathId, rungs: MtuRungResult[], fragmentRungs: MtuRungResult[]): MtuPathResult {
  const ladder = [...rungs].sort((a, b) => a.sizeBytes - b.sizeBytes);
  const fragments = [...fragmentRungs].sort((a, b) => a.sizeBytes - b.sizeBytes);
  const arrived = ladder.filter((r) => r.outcome === 'arrived');
  const result: MtuPathResult = { path, status: arrived.length > 0 ? 'measured' : 'unreachable', rungs: ladder, fragmentRungs: fragments, lostBelowLargestBytes: [], fragments: 'not-tried' };
  if (arrived.length === 0) {
    result.reason = ladder.length === 0 ? 'no rung offered' : 'no size arrived, not even the smallest: the ladder\'s ports are not reachable over UDP on this path';
    return result;
  }
  const largest = arrived[arrived.length - 1]!.sizeBytes;
  result.largestArrivedBytes = largest;
  const lostAbove = ladder.find((r) => r.outcome === 'lost' && r.sizeBytes > largest);
  if (lostAbove) result.smallestLostBytes = lostAbove.sizeBytes;
  result.lostBelowLargestBytes = ladder.filter((r) => r.outcome === 'lost' && r.sizeBytes < largest).map((r) => r.sizeBytes);
  const decided = fragments.filter((r) => r.outcome === 'arrived' || r.outcome === 'lost');
  if (decided.length > 0) result.fragments = decided.some((r) => r.outcome === 'arrived') ? 'arrived' : 'dropped';
  return result;
}

/** Asks the server what path MTU its kernel learned towards the mapped address of a path that lost a size. */
async function askIcmp(ctx: ProbeContext, mtu: NonNullable<Session['mtu']>, path: MtuPathResult): Promise<MtuIcmpResult> {
  const mapped = [...path.rungs, ...path.fragmentRungs].find((r) => r.mappedAddress)?.mappedAddress;
  if (!mapped) return { asked: false, reason: 'the browser reported no mapped address to ask about' };
  try {
    const response = await ctx.env.fetch(`${ctx.probeUrl}${mtu.pathMtuPath}?ip=${encodeURIComponent(mapped)}`, { method: 'GET', signal: ctx.signal });
    const parsed = PathMtuAnswerSchema.safeParse(await response.json().catch(() => null));
    if (response.status !== 200 || !parsed.success) return { asked: false, reason: `the test server answered HTTP ${response.status}` };
    const lost = path.smallestLostBytes ?? Infinity;
    return { asked: true, ip: parsed.data.ip, pathMtuBytes: parsed.data.pathMtuBytes, linkMtuBytes: parsed.data.linkMtuBytes, learnedBelowLost: parsed.data.pathMtuBytes < lost };
  } catch (error) {
    return { asked: false, reason: `could not ask the test server: ${errorText(error)}` };
  }
}


/** Remembers when each message sent over a channel came back, so a wait can start before or after the echo. */
class EchoWatch {
  private readonly sentAt = new Map<string, number>();
  private readonly backAfterMs = new Map<string, number>();
  private readonly waiters: Array<{ message: string; resolve: (ms: number) => void }> = [];

  constructor(
    private readonly channel: DataChannelLike,
    private readonly now: () => number,
  ) {
    channel.addEventListener('message', (event) => {
      if (typeof event.data !== 'string') return;
      const at = this.sentAt.get(event.data);
      if (at === undefined || this.backAfterMs.has(event.data)) return;
      const ms = Math.round((this.now() - at) * 10) / 10;
      this.backAfterMs.set(event.data, ms);
      for (const waiter of this.waiters.filter((w) => w.message === event.data)) waiter.resolve(ms);
    });
  }

  send(message: string): void {
    this.sentAt.set(message, this.now());
    this.channel.send(message);
  }

  /** The round trip of `message` once it is back; rejects with DeadlineError when `signal` aborts first. */
  back(message: string, signal: AbortSignal): Promise<number> {
    const known = this.backAfterMs.get(message);
    if (known !== undefined) return Promise.resolve(known);
    return untilAborted<number>(signal, (resolve) => void this.waiters.push({ message, resolve }), 'an echo');
  }
}

/** The upstream check (see the file comment). */
async function checkUpstream(ctx: ProbeContext, session: Session, waitMs: number): Promise<MtuUpstreamResult> {
  const result: MtuUpstreamResult = { status: 'not-measured', messageBytes: UPSTREAM_MESSAGE_BYTES, wireBytesEstimate: UPSTREAM_WIRE_BYTES, smallSent: false, smallEchoed: false, largeEchoed: false };
  const stun = session.stun.find((s) => s.role === 'turn');
  const turnUdp = session.turn.find((t) => t.transport === 'udp');
  if (!stun && !turnUdp) return { ...result, reason: 'the test server offers no UDP STUN or TURN URL' };
  const deadline = deadlinePhase(ctx.signal, waitMs);
  const pc = ctx.env.createPeerConnection({
    iceServers: [...(stun ? [{ urls: stun.url }] : []), ...(turnUdp ? [{ urls: turnUdp.url, username: turnUdp.username, credential: turnUdp.credential }] : [])],
  });
  try {
    // Unordered (still reliable): a small message must not wait behind a large one that a black hole keeps losing.
    const channel = pc.createDataChannel('netready-mtu-upstream', { ordered: false });
    await pc.setLocalDescription(await pc.createOffer());
    // No gathering wait: the offer goes without candidates (media-peer-offer.ts), the media peer learns them from checks.
    const offerSdp = pc.localDescription?.sdp;
    if (!offerSdp) throw new Error('the browser produced no local description');
    await pc.setRemoteDescription({ type: 'answer', sdp: (await postMediaOffer(ctx, session.peerPath, offerSdp, { label: 'mtu-upstream', signal: deadline.signal })).sdp });
    await waitForOpen(channel, deadline.signal);
    const nonce = ctx.env.randomId();
    const watch = new EchoWatch(channel, () => ctx.env.now());
    const head = `netready-mtu ${nonce} large `;
    const large = head + '.'.repeat(UPSTREAM_MESSAGE_BYTES - head.length);
    watch.send(large);
    const alone = deadlinePhase(deadline.signal, Math.min(LARGE_ALONE_MS, waitMs / 3));
    const quick = await watch.back(large, alone.signal).catch(() => undefined);
    alone.done();
    if (quick !== undefined) {
      result.largeRttMs = quick;
    } else {
      // Not back yet: does the channel work at all? A small message answers that while the large one may still come.
      const small = `netready-mtu ${nonce} small`;
      result.smallSent = true;
      watch.send(small);
      const smallBack = watch.back(small, deadline.signal).then(() => (result.smallEchoed = true));
      smallBack.catch(() => undefined);
      result.largeRttMs = await watch.back(large, deadline.signal);
    }
    result.largeEchoed = true;
    result.status = 'passed';
  } catch (error) {
    if (result.smallEchoed) {
      result.status = 'lost';
      result.reason = `the ${UPSTREAM_MESSAGE_BYTES}-byte message did not come back within ${waitMs} ms, although a small one did`;
    } else {
      result.reason =
        error instanceof DeadlineError
          ? result.smallSent
            ? `neither the ${UPSTREAM_MESSAGE_BYTES}-byte message nor a small one came back within ${waitMs} ms: the data channel itself did not work`
            : `the data channel to the test server did not work within ${waitMs} ms`
          : errorText(error);
    }
  } finally {
    const pair = await readSelectedPair(pc).catch(() => undefined);
    if (pair?.local?.candidateType) result.pathType = pair.local.candidateType;
    if (pair?.local?.candidateType === 'relay') result.wireBytesEstimate = UPSTREAM_WIRE_BYTES + TURN_CHANNEL_BYTES;
    deadline.done();
    pc.close();
  }
  return result;
}

const PATH_WORDS: Record<MtuPathId, string> = { 'direct-ipv4': 'direct UDP over IPv4', 'direct-ipv6': 'direct UDP over IPv6', 'turn-udp': 'TURN over UDP' };

function rungEvidence(path: MtuPathId, rung: MtuRungResult, waitMs: number): Evidence {
  const what = `${PATH_WORDS[path]}, ${rung.sizeBytes} bytes${rung.df ? '' : ' without Don\'t-Fragment (fragments)'}`;
  const summary =
    rung.outcome === 'arrived'
      ? `${what}: arrived after ${rung.atMs} ms (${rung.url})`
      : rung.outcome === 'lost'
        ? `${what}: lost — ${rung.reason ?? `no answer within ${waitMs} ms`} (${rung.url})`
        : `${what}: not decided — ${rung.reason ?? rung.outcome} (${rung.url})`;
  return { probe: MTU_PROBE_ID, kind: 'mtu-rung', summary, data: { path, ...rung } };
}

/** Creates the mtu probe. */
export function createMtuProbe(): Probe {
  return {
    id: MTU_PROBE_ID,
    title: 'Largest packets that get through (MTU)',
    dependsOn: [SESSION_PROBE_ID],
    async run(ctx): Promise<ProbeReport> {
      const session = readSession(ctx);
      const mtu = session.mtu;
      if (!mtu) return skippedReport('The test server runs no MTU ladder (probe.mtu disabled, not Linux, or an older server).');
      const directWaitMs = Math.round(Math.min(DIRECT_WAIT_MS, ctx.timeoutMs * 0.4));
      const turnWaitMs = Math.round(Math.min(TURN_WAIT_MS, ctx.timeoutMs * 0.45));
      const upstream = checkUpstream(ctx, session, Math.round(Math.min(UPSTREAM_WAIT_MS, ctx.timeoutMs * 0.9)));

      ctx.progress(`Sending ${mtu.rungs.length} padded STUN answers of different sizes`);
      const direct = deadlinePhase(ctx.signal, directWaitMs);
      const tried = await Promise.all(mtu.rungs.map(async (rung) => ({ rung, result: await tryStunRung(ctx, rung, direct.signal) }))).finally(() => direct.done());
      const family = (f: 'ipv4' | 'ipv6', df: boolean): MtuRungResult[] => tried.filter((t) => t.rung.family === f && t.rung.df === df).map((t) => t.result);
      const paths: MtuPathResult[] = [summarisePath('direct-ipv4', family('ipv4', true), family('ipv4', false))];
      const hasV6 = mtu.rungs.some((r) => r.family === 'ipv6');
      const v6 = hasV6 ? summarisePath('direct-ipv6', family('ipv6', true), family('ipv6', false)) : undefined;
      if (v6) {
        // No IPv6 rung at all answering means this client has no IPv6 path to the server (or UDP over it is blocked).
        if (v6.status === 'unreachable') v6.reason = 'no IPv6 size arrived: this computer has no IPv6 path to the test server, or UDP over it is blocked';
        paths.push(v6);
      } else {
        paths.push({ path: 'direct-ipv6', status: 'not-tried', reason: mtu.ipv6Missing ?? 'the test server offers no IPv6 ladder', rungs: [], fragmentRungs: [], lostBelowLargestBytes: [], fragments: 'not-tried' });
      }

      const directV4 = paths[0]!;
      if (directV4.status === 'unreachable' && mtu.turn && mtu.turn.length > 0) {
        ctx.progress('The ladder\'s UDP ports did not answer; trying the sizes through TURN over UDP');
        const relay = deadlinePhase(ctx.signal, turnWaitMs);
        const results = await Promise.all(mtu.turn.map((rung) => tryTurnRung(ctx, rung, relay.signal))).finally(() => relay.done());
        const turnPath = summarisePath('turn-udp', results, []);
        if (turnPath.status === 'unreachable') turnPath.reason = 'no size arrived through TURN over UDP either';
        turnPath.fragments = 'not-tried';
        paths.push(turnPath);
      } else {
        paths.push({
          path: 'turn-udp',
          status: 'not-tried',
          reason: directV4.status === 'measured' ? 'not needed: direct UDP reached the ladder' : 'the test server offers no TURN ladder',
          rungs: [],
          fragmentRungs: [],
          lostBelowLargestBytes: [],
          fragments: 'not-tried',
        });
      }
      for (const path of paths) if (path.status === 'measured' && path.smallestLostBytes !== undefined) path.icmp = await askIcmp(ctx, mtu, path);
      const up = await upstream;

      const data: MtuData = { paths, upstream: up, notOffered: mtu.notOffered, ...(mtu.linkMtuBytes ? { linkMtuBytes: mtu.linkMtuBytes } : {}) };
      const evidence: Evidence[] = [];
      for (const path of paths) {
        for (const rung of [...path.rungs, ...path.fragmentRungs]) evidence.push(rungEvidence(path.path, rung, path.path === 'turn-udp' ? turnWaitMs : directWaitMs));
        if (path.icmp) {
          evidence.push({
            probe: MTU_PROBE_ID,
            kind: 'path-mtu',
            summary: path.icmp.asked
              ? `the test server's kernel knows a path MTU of ${path.icmp.pathMtuBytes} bytes towards ${path.icmp.ip} (its link: ${path.icmp.linkMtuBytes ?? 'unknown'}): ${path.icmp.learnedBelowLost ? 'an ICMP "fragmentation needed" came back' : 'no ICMP "fragmentation needed" came back'}`
              : `could not tell whether an ICMP "fragmentation needed" came back: ${path.icmp.reason}`,
            data: { path: path.path, ...path.icmp },
          });
        }
      }
      for (const skipped of mtu.notOffered) {
        evidence.push({ probe: MTU_PROBE_ID, kind: 'mtu-not-offered', summary: `${skipped.family} ${skipped.sizeBytes} bytes not tried: ${skipped.reason}`, data: { ...skipped } });
      }
      evidence.push({
        probe: MTU_PROBE_ID,
        kind: 'mtu-upstream',
        summary:
          up.status === 'passed'
            ? `upstream: a ${up.messageBytes}-byte message (packets of ≈ ${up.wireBytesEstimate} bytes) came back in ${up.largeRttMs} ms over ${up.pathType ?? 'the chosen'} path`
            : up.status === 'lost'
              ? `upstream: ${up.reason}`
              : `upstream not measured: ${up.reason ?? 'unknown'}`,
        data: { ...up },
      });

      const measured = paths.filter((p) => p.status === 'measured');
      const broken = measured.filter((p) => p.smallestLostBytes !== undefined && !(p.icmp?.asked && p.icmp.learnedBelowLost));
      const fragmentsDropped = measured.filter((p) => p.fragments === 'dropped');
      const record = data as unknown as Record<string, unknown>;
      const problems = [
        ...broken.map((p) => `${PATH_WORDS[p.path]}: ${p.largestArrivedBytes}-byte packets arrive, ${p.smallestLostBytes}-byte ones are lost`),
        ...(up.status === 'lost' ? [`upstream: ${up.reason}`] : []),
        ...fragmentsDropped.map((p) => `${PATH_WORDS[p.path]}: IP fragments do not arrive`),
      ];
      if (problems.length > 0) return { status: 'warn', reason: `${problems.join('; ')}.`, data: record, evidence };
      if (measured.length === 0) {
        return {
          status: 'inconclusive',
          reason: 'No UDP path reached the MTU ladder (its ports directly, or TURN over UDP), so packet sizes could not be measured.',
          data: record,
          evidence,
        };
      }
      return { status: 'pass', data: record, evidence };
    },
  };
}
