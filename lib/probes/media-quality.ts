/**
 * Probe "media-quality": the path a call would really take (ICE with every STUN/TURN URL of the session, so a
 * direct path wins when there is one), measured the way media travels — a DataChannel with `ordered: false,
 * maxRetransmits: 0`, so a lost packet stays lost (DESIGN.md) — against netready's media peer, with the protocol
 * of lib/protocol/media-quality/wire.ts (phases: ./media-quality-session.ts).
 *
 * It records, per direction: packets sent and received of a 400-packet/s stream (loss towards and from the server),
 * RFC 3550 interarrival jitter, and throughput over a bounded burst with the queueing delay and loss the burst
 * caused; round-trip times of a short stream of pings; and how busy netready's server was during the bursts.
 * It decides nothing: facts-quality.ts and the quality rules read these figures.
 */
import type { Evidence, ProbeOutcome } from '../schema/result';
import { dispersionKbps, queueDelay, quantile, round1 } from '../protocol/media-quality/stats';
import { QUALITY_CONTROL_LABEL, QUALITY_DATA_LABEL, type QueueDelay, type ServerLoad } from '../protocol/media-quality/wire';
import { postMediaOffer } from './media-peer-offer';
import { DEFAULT_QUALITY_PLAN, isDeadline, QualitySession, type QualityPlan, type QualityRecord, type QualityStage } from './media-quality-session';
import { readSession, SESSION_PROBE_ID } from './session';
import type { Probe, ProbeReport } from './types';
import { CandidateLog, readSelectedPair, waitForOpen, type SelectedPairInfo } from './webrtc';

/** Id of the media-quality probe. */
export const MEDIA_QUALITY_PROBE_ID = 'media-quality';

/**
 * Deadline of this probe, ms: on a 200 ms-RTT, 2 %-loss path connecting takes ≈ 3.7 s and the phases ≈ 4.5 s
 * (the lab's lossy-latent row); on an open network the whole probe takes ≈ 2.3 s. The run budget (10 s by default)
 * caps it.
 */
export const QUALITY_TIMEOUT_MS = 9500;

/**
 * When the pings' median exceeds the browser's own ICE round trip on the same path by more than this many ms and
 * this share of it, the page was late to stamp their answers (a busy computer: its main thread runs the page's
 * other probes and drawing), and the ICE round trip is the path's. Below it, the two agree within what SCTP and
 * DTLS add, and the pings — forty of them, against a handful of ICE checks — are the figure.
 */
export const PAGE_DELAY_MIN_MS = 25;
export const PAGE_DELAY_MIN_RATIO = 0.25;

/** One direction of a stream: what was sent and what arrived. */
export interface StreamDirection {
  sent: number;
  received: number;
  /** 1 − received / sent, 0–1 (absent when nothing was sent). */
  lossRatio?: number;
  /** RFC 3550 §6.4.1 interarrival jitter at the receiver, ms. */
  jitterMs?: number;
  /** Sequence numbers that never arrived (first 512), for the picture. */
  lost: number[];
  /** Packets that arrived twice (a retransmitting transport would show here). */
  duplicates: number;
}

/** One direction's throughput burst. */
export interface BurstDirection {
  /** Rate the sender aimed at, kbit/s. */
  targetKbps: number;
  /** Rate that arrived, kbit/s: bytes after the first packet over first-to-last arrival. */
  kbps?: number;
  sentPackets: number;
  sentBytes: number;
  receivedPackets: number;
  receivedBytes: number;
  /** Packets missing below the highest that arrived, over that many, 0–1 (later ones may still be queued). */
  lossRatio?: number;
  /**
   * One-way queueing delay the burst built up, against the quiet stream before it. Downwards the server stamps each
   * packet as it leaves; upwards the page stamps it as it queues it, so this includes the browser's own send queue.
   */
  queueDelay?: QueueDelay;
  /** Packet dispersion of the arrivals, kbit/s (stats.ts): near `kbps` at a bottleneck, far above it for a held-back sender. */
  dispersionKbps?: number;
  /** Sequence numbers below the highest that arrived which never did (first 64; upwards, from the server). */
  lost?: number[];
  /**
   * Upwards: ms the page's channel queue was full (the browser's SCTP could not send faster). Downwards: the share
   * of the target the server failed to hand to its transport (0–1), its own limit.
   */
  senderBlockedMs?: number;
  serverShortfall?: number;
}

/** `data` of the media-quality probe. */
export interface MediaQualityData {
  /** Path the ICE agent chose: candidate type and relay protocol of the local side. */
  path?: SelectedPairInfo;
  connectMs?: number;
  /**
   * Where connecting spent its time, ms after the probe started: the media peer's answer arrived, ICE connected,
   * DTLS finished (connection `connected`), both channels open. On a slow path these tell signalling from ICE,
   * DTLS and SCTP.
   */
  connectPhasesMs?: { answered?: number; iceConnected?: number; connected?: number; open?: number };
  stage: 'connecting' | QualityStage;
  timedOut: boolean;
  /** Interval between stream packets, ms (for the picture's time axis). */
  streamIntervalMs: number;
  /** The stream towards the server (counted by the server) and from it (counted by the page). */
  up?: StreamDirection;
  down?: StreamDirection;
  /** Round-trip time of the answered pings, ms (timed by the page). */
  rttMedianMs?: number;
  rttP95Ms?: number;
  /**
   * The path's round trip by the browser's own ICE checks on the measured pair when the channels opened: mean of
   * `responses` checks, timed by the network stack below the page.
   */
  iceRtt?: { ms: number; responses: number };
  /** The path's round trip, ms, the figure the diagnosis reads: the pings' median, or the ICE round trip (`rttSource`). */
  rttMs?: number;
  /** `pings`; `ice` when the page was late with the pings' answers (`pageDelayMs` later than ICE timed the path). */
  rttSource?: 'pings' | 'ice';
  pageDelayMs?: number;
  /** The round-trip pings: interval, how many were sent, [seq, ms] of each answered one (the others were lost). */
  rttIntervalMs: number;
  rttSent: number;
  rttSamples: Array<[number, number]>;
  /** Worst of the two directions, for one-line summaries. */
  lossRatio?: number;
  jitterMs?: number;
  throughput: { up?: BurstDirection; down?: BurstDirection };
  /** How busy netready's server process was during the bursts (facts-quality.ts: never blame the network for it). */
  serverLoad?: ServerLoad;
  /** Requests the server refused (e.g. `bulk: busy: …`). */
  refused: string[];
  /** Why the throughput bursts did not finish, when the streams did. */
  throughputCut?: string;
  /** When each phase started, ms after the channels opened. */
  phaseStartsMs?: Partial<Record<QualityStage, number>>;
}


function ratio(lost: number, of: number): number | undefined {
  return of > 0 ? Math.round((Math.max(0, lost) / of) * 1000) / 1000 : undefined;
}

/** Turns the session's record into the probe's data (pure; exported for tests). */
export function summarizeRecord(record: QualityRecord, data: MediaQualityData): void {
  data.stage = record.stage;
  data.phaseStartsMs = { ...record.phaseStartsMs };
  data.refused = [...record.refused];
  const report = record.report;
  const upSent = record.upStream.sent;
  if (upSent > 0 && report) {
    const received = report.upStream.received;
    const trailing = Array.from({ length: Math.max(0, upSent - 1 - report.upStream.highestSeq) }, (_, i) => report.upStream.highestSeq + 1 + i);
    data.up = {
      sent: upSent,
      received,
      lost: [...report.upStream.missing, ...trailing].slice(0, 512),
      duplicates: report.upStream.duplicates,
      ...(ratio(upSent - received, upSent) !== undefined ? { lossRatio: ratio(upSent - received, upSent)! } : {}),
      ...(report.upStream.jitterMs !== null ? { jitterMs: report.upStream.jitterMs } : {}),
    };
  }
  const down = record.downStream;
  const downSent = down.serverSent ?? 0;
  if (downSent > 0) {
    data.down = {
      sent: downSent,
      received: down.received,
      lost: down.missing,
      duplicates: down.duplicates,
      ...(ratio(downSent - down.received, downSent) !== undefined ? { lossRatio: ratio(downSent - down.received, downSent)! } : {}),
      ...(down.jitterMs !== null ? { jitterMs: down.jitterMs } : {}),
    };
  }
  data.rttSent = record.rtt.sent;
  data.rttSamples = [...record.rtt.samples].sort((a, b) => a[0] - b[0]);
  const sorted = data.rttSamples.map(([, ms]) => ms).sort((a, b) => a - b);
  if (sorted.length > 0) {
    data.rttMedianMs = round1(quantile(sorted, 0.5)!);
    data.rttP95Ms = round1(quantile(sorted, 0.95)!);
  }
  choosePathRtt(data);
  const losses = [data.up?.lossRatio, data.down?.lossRatio].filter((x): x is number => x !== undefined);
  if (losses.length > 0) data.lossRatio = Math.max(...losses);
  const jitters = [data.up?.jitterMs, data.down?.jitterMs].filter((x): x is number => x !== undefined);
  if (jitters.length > 0) data.jitterMs = Math.max(...jitters);

  // The burst towards the server is counted only by a report asked after it (the one after the streams has none).
  const upBulk = record.upBulk;
  if (upBulk && report && record.reportAfterBursts) {
    const b = report.upBulk;
    const span = b.firstAtMs !== null && b.lastAtMs !== null ? b.lastAtMs - b.firstAtMs : 0;
    data.throughput.up = {
      targetKbps: upBulk.targetKbps,
      sentPackets: upBulk.sentPackets,
      sentBytes: upBulk.sentBytes,
      receivedPackets: b.packets,
      receivedBytes: b.bytes,
      senderBlockedMs: upBulk.blockedMs,
      ...burstRate(b.bytes, b.packets, span),
      ...burstLoss(b.packets, b.highestSeq),
      ...(b.queueDelay ? { queueDelay: b.queueDelay } : {}),
      ...(typeof b.dispersionKbps === 'number' ? { dispersionKbps: b.dispersionKbps } : {}),
      ...(Array.isArray(b.missing) ? { lost: b.missing } : {}),
    };
  }
  const downBulk = record.downBulk;
  const sent = report?.downBulk;
  if (downBulk && sent && record.reportAfterBursts) {
    const span = downBulk.firstAtMs !== null && downBulk.lastAtMs !== null ? downBulk.lastAtMs - downBulk.firstAtMs : 0;
    const targetBytes = (sent.targetKbps / 8) * sent.durationMs;
    const delay = queueDelay(down.owdMs, downBulk.owdMs);
    const dispersion = downBulk.packets > 0 ? dispersionKbps(downBulk.arrivalsMs, downBulk.bytes / downBulk.packets) : null;
    data.throughput.down = {
      targetKbps: sent.targetKbps,
      sentPackets: sent.sentPackets,
      sentBytes: sent.sentBytes,
      receivedPackets: downBulk.packets,
      receivedBytes: downBulk.bytes,
      ...burstRate(downBulk.bytes, downBulk.packets, span),
      ...burstLoss(downBulk.packets, downBulk.highestSeq),
      ...(delay ? { queueDelay: delay } : {}),
      ...(dispersion !== null ? { dispersionKbps: dispersion } : {}),
      ...(targetBytes > 0 ? { serverShortfall: Math.max(0, Math.round((1 - sent.sentBytes / targetBytes) * 100) / 100) } : {}),
    };
  }
  if (report?.load) data.serverLoad = report.load;
}

/**
 * Sets `rttMs`/`rttSource` (and `pageDelayMs`): the pings' median unless it exceeds the ICE round trip by more than
 * PAGE_DELAY_MIN_MS and PAGE_DELAY_MIN_RATIO — then the page, not the path, held the answers, and ICE's figure is the
 * path's. Without pings the ICE round trip stands alone; without either, nothing is set.
 */
export function choosePathRtt(data: MediaQualityData): void {
  const pings = data.rttMedianMs;
  const ice = data.iceRtt?.ms;
  if (pings === undefined && ice === undefined) return;
  if (pings !== undefined && (ice === undefined || pings - ice <= Math.max(PAGE_DELAY_MIN_MS, ice * PAGE_DELAY_MIN_RATIO))) {
    data.rttMs = pings;
    data.rttSource = 'pings';
    return;
  }
  data.rttMs = ice!;
  data.rttSource = 'ice';
  if (pings !== undefined) data.pageDelayMs = round1(pings - ice!);
}

/**
 * Loss of a burst: packets missing below the highest that arrived. Packets after it may still sit in the sender's
 * queue (a browser held back by its congestion window drains its queue long after the window), so they are not
 * counted as lost.
 */
function burstLoss(received: number, highestSeq: number): { lossRatio?: number } {
  const lossRatio = ratio(highestSeq + 1 - received, highestSeq + 1);
  return lossRatio === undefined ? {} : { lossRatio };
}

/** Arrival rate of a burst: bytes after the first packet over first-to-last arrival (needs ≥ 3 packets, 20 ms). */
function burstRate(bytes: number, packets: number, spanMs: number): { kbps?: number } {
  if (packets < 3 || spanMs < 20) return {};
  const perPacket = bytes / packets;
  return { kbps: Math.round(((bytes - perPacket) * 8) / spanMs) };
}

function describe(data: MediaQualityData): string {
  const parts: string[] = [];
  const pct = (x: number | undefined): string => (x === undefined ? '-' : `${Math.round(x * 1000) / 10} %`);
  if (data.up) parts.push(`towards the server ${data.up.received} of ${data.up.sent} arrived (loss ${pct(data.up.lossRatio)}${data.up.jitterMs !== undefined ? `, jitter ${data.up.jitterMs} ms` : ''})`);
  if (data.down) parts.push(`from the server ${data.down.received} of ${data.down.sent} (loss ${pct(data.down.lossRatio)}${data.down.jitterMs !== undefined ? `, jitter ${data.down.jitterMs} ms` : ''})`);
  if (data.rttMedianMs !== undefined) parts.push(`round trip median ${data.rttMedianMs} ms, 95th percentile ${data.rttP95Ms} ms (${data.rttSamples.length} of ${data.rttSent} pings answered)`);
  if (data.rttSource === 'ice') {
    parts.push(`the browser's own ICE checks timed the path at ${data.rttMs} ms${data.pageDelayMs !== undefined ? `: the page was ${data.pageDelayMs} ms late with the pings' answers (this computer was busy), so ${data.rttMs} ms is the path's round trip` : ''}`);
  }
  const t = data.throughput;
  if (t.up?.kbps !== undefined) parts.push(`throughput up ${t.up.kbps} kbit/s of ${t.up.targetKbps} targeted`);
  if (t.down?.kbps !== undefined) parts.push(`down ${t.down.kbps} kbit/s of ${t.down.targetKbps}`);
  if (data.path?.local) parts.push(`path ${data.path.local.candidateType}${data.path.local.relayProtocol ? ` via TURN/${data.path.local.relayProtocol}` : ''}`);
  return parts.join('; ');
}

/**
 * The quality stream can only take a path the transport probes could: direct UDP to the TURN port or a relay. Once the
 * port matrix and every TURN transport have ended and none of them worked, no path exists and there is nothing to
 * measure — the stream stops instead of waiting out its deadline (issue 16). ICE-TCP is not one of its paths.
 */
export function noMediaPath(finished: Readonly<Record<string, ProbeOutcome>>): string | null {
  const ids = ['stun-udp', 'turn-udp', 'turn-tcp', 'turn-tls'];
  const outcomes = ids.map((id) => finished[id]);
  if (outcomes.some((o) => o === undefined)) return null;
  const stun = outcomes[0]!;
  const stunReached = stun.status === 'pass' || (stun.status === 'warn' && Array.isArray(stun.data.ports) && (stun.data.ports as Array<{ role?: unknown; srflx?: unknown }>).some((p) => p.role === 'turn' && p.srflx));
  if (stunReached || outcomes.slice(1).some((o) => o!.status === 'pass' || o!.status === 'inconclusive')) return null;
  return 'no media path exists: STUN over UDP got no answer on the TURN port and no TURN relay carried data, so there is no call quality to measure.';
}

/** Creates the media-quality probe; `plan` is for tests (default: DEFAULT_QUALITY_PLAN). */
export function createMediaQualityProbe(plan: QualityPlan = DEFAULT_QUALITY_PLAN): Probe {
  return {
    id: MEDIA_QUALITY_PROBE_ID,
    title: 'Call quality on the path a call would take',
    dependsOn: [SESSION_PROBE_ID],
    timeoutMs: QUALITY_TIMEOUT_MS,
    // Its last step is the media peer's report: without that answer the probe is inconclusive, never a network
    // finding, so the run's server check need not wait for it.
    endsWithServerAnswer: true,
    abandonWhen: noMediaPath,
    async run(ctx): Promise<ProbeReport> {
      const session = readSession(ctx);
      const turnPort = session.stun.find((s) => s.role === 'turn');
      const iceServers = [
        ...(turnPort ? [{ urls: turnPort.url }] : []),
        ...session.turn.map((t) => ({ urls: t.url, username: t.username, credential: t.credential })),
      ];
      const started = ctx.env.now();
      const data: MediaQualityData = {
        stage: 'connecting',
        timedOut: false,
        streamIntervalMs: plan.streamIntervalMs,
        rttIntervalMs: plan.rttIntervalMs,
        rttSent: 0,
        rttSamples: [],
        throughput: {},
        refused: [],
      };
      const pc = ctx.env.createPeerConnection({ iceServers });
      // The offer goes without candidates, but the browser still emits them: their lines carry the `network-cost` and
      // `network-id` of the path's local candidate, which getStats does not report.
      const log = new CandidateLog(pc, ctx.env, started);
      const phases: NonNullable<MediaQualityData['connectPhasesMs']> = {};
      data.connectPhasesMs = phases;
      const at = (): number => Math.round(ctx.env.now() - started);
      pc.addEventListener('iceconnectionstatechange', () => {
        if (phases.iceConnected === undefined && (pc.iceConnectionState === 'connected' || pc.iceConnectionState === 'completed')) phases.iceConnected = at();
      });
      pc.addEventListener('connectionstatechange', () => {
        if (phases.connected === undefined && pc.connectionState === 'connected') phases.connected = at();
      });
      let failure: string | undefined;
      let quality: QualitySession | undefined;
      let atOpen: Promise<SelectedPairInfo | undefined> | undefined;
      try {
        const control = pc.createDataChannel(QUALITY_CONTROL_LABEL);
        const channel = pc.createDataChannel(QUALITY_DATA_LABEL, { ordered: false, maxRetransmits: 0 });
        await pc.setLocalDescription(await pc.createOffer());
        // No gathering wait: the offer goes without candidates (media-peer-offer.ts); the media peer learns the
        // browser's addresses from its connectivity checks, over whichever pair ICE picks.
        const offerSdp = pc.localDescription?.sdp;
        if (!offerSdp) throw new Error('the browser produced no local description');
        const answer = await postMediaOffer(ctx, session.peerPath, offerSdp, { label: MEDIA_QUALITY_PROBE_ID });
        phases.answered = at();
        await pc.setRemoteDescription({ type: 'answer', sdp: answer.sdp });
        await Promise.all([waitForOpen(channel, ctx.signal), waitForOpen(control, ctx.signal)]);
        data.connectMs = at();
        phases.open = data.connectMs;
        // ICE's own round trip on this pair so far, read while the pings go out (not awaited before them).
        atOpen = readSelectedPair(pc).catch(() => undefined);
        ctx.progress('Measuring loss, jitter and round trip each way, then throughput');
        quality = new QualitySession(ctx.env, channel, control, plan);
        await quality.run(ctx.signal, answer.quality);
      } catch (error) {
        if (isDeadline(error) && ctx.signal.aborted) data.timedOut = true;
        else failure = error instanceof Error ? error.message : String(error);
      } finally {
        // Also when the deadline cut the phases short: what ICE measured and the path it chose stay true.
        if (quality) {
          const checks = (await atOpen)?.checks;
          if (checks) data.iceRtt = { ms: round1(checks.totalRoundTripMs / checks.responses), responses: checks.responses };
          const path = await readSelectedPair(pc, log.candidates).catch(() => undefined);
          if (path) data.path = path;
        }
        pc.close();
      }
      if (quality) summarizeRecord(quality.record, data);
      const evidence: Evidence[] = [];
      const summary = describe(data);
      if (summary) {
        evidence.push({
          probe: MEDIA_QUALITY_PROBE_ID,
          kind: 'media-stream',
          summary,
          data: {
            up: data.up ? { sent: data.up.sent, received: data.up.received, lossRatio: data.up.lossRatio, jitterMs: data.up.jitterMs } : null,
            down: data.down ? { sent: data.down.sent, received: data.down.received, lossRatio: data.down.lossRatio, jitterMs: data.down.jitterMs } : null,
            rttMedianMs: data.rttMedianMs,
            ...(data.rttSource === 'ice' ? { rttMs: data.rttMs, iceRttMs: data.iceRtt?.ms, pageDelayMs: data.pageDelayMs } : {}),
            throughputUpKbps: data.throughput.up?.kbps,
            throughputDownKbps: data.throughput.down?.kbps,
          },
        });
      }
      const record = { ...data } as unknown as Record<string, unknown>;
      const streamsMeasured = data.up !== undefined && data.down !== undefined;
      const nothingArrived = streamsMeasured && data.up!.received === 0 && data.down!.received === 0;
      if (nothingArrived) {
        return { status: 'fail', reason: `The media path opened, but none of the ${data.up!.sent + data.down!.sent} test packets arrived in either direction.`, data: record, evidence };
      }
      // Both streams measured: loss, jitter and round trip are known; a burst cut short only leaves throughput open.
      if (streamsMeasured) {
        if (data.stage !== 'done') data.throughputCut = data.timedOut ? `cut short by the ${ctx.timeoutMs} ms deadline during "${data.stage}"` : (failure ?? 'stopped');
        return { status: 'pass', data: { ...data } as unknown as Record<string, unknown>, evidence };
      }
      if (quality && data.stage !== 'connecting') {
        const cut = data.timedOut ? `cut short by its ${ctx.timeoutMs} ms deadline` : `stopped: ${failure ?? 'no answer'}`;
        return { status: 'inconclusive', reason: `The measurement was ${cut} (during "${data.stage}").`, data: record, evidence };
      }
      // No path at all is the transport probes' story to tell; here it only means quality is unknown.
      return {
        status: 'inconclusive',
        reason: failure ?? `No media path came up within ${ctx.timeoutMs} ms, so call quality could not be measured.`,
        data: record,
        evidence,
      };
    },
  };
}
