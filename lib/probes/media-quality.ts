/**
 * Probe "media-quality": the path a call would really take (ICE with every STUN/TURN URL of the session, so a
 * direct path wins when there is one), measured the way media travels — a DataChannel with `ordered: false,
 * maxRetransmits: 0`, so a lost packet stays lost (DESIGN.md). Sends a paced stream of small numbered packets
 * to netready's media peer, which echoes them, and records round-trip times, jitter and round-trip loss.
 */
import type { Evidence } from '../schema/result';
import { readSession, SESSION_PROBE_ID } from './session';
import type { DataChannelLike, Probe, ProbeContext, ProbeReport } from './types';
import { DeadlineError, median, pace, readSelectedPair, untilAborted, waitForOpen, type SelectedPairInfo } from './webrtc';
import { PeerAnswerSchema } from '../schema/session';

/** Id of the media-quality probe. */
export const MEDIA_QUALITY_PROBE_ID = 'media-quality';

/** Packets in the measured stream. 200 makes a 2 % loss show as ≈ 4 lost packets each way, not 0–1 (binomial noise). */
export const QUALITY_PACKETS = 200;
/**
 * Deadline of this probe, ms: longer than the transport probes', because on a 200 ms-RTT, lossy path connecting
 * takes ≈ 3.7 s and the stream another 2.6 s (measured in the lab's lossy-latent scenario). Still within the run
 * budget, which caps it.
 */
export const QUALITY_TIMEOUT_MS = 8500;
/** Interval between packets, ms (the pace of a 50-packet/s audio stream, doubled). */
export const QUALITY_INTERVAL_MS = 10;
/** How long to wait for stragglers after the last packet, ms. */
export const QUALITY_TAIL_MS = 600;

/** `data` of the media-quality probe. */
export interface MediaQualityData {
  /** Path the ICE agent chose: candidate type and relay protocol of the local side. */
  path?: SelectedPairInfo;
  connectMs?: number;
  sent: number;
  received: number;
  /** Round-trip loss, 0–1 (both directions together). */
  lossRatio?: number;
  rttMedianMs?: number;
  rttP95Ms?: number;
  /** Mean absolute difference of consecutive round-trip times (RFC 3550 §6.4.1 style), ms. */
  jitterMs?: number;
  stage: 'connecting' | 'measuring' | 'done';
  timedOut: boolean;
}

function percentile(sorted: number[], p: number): number | undefined {
  if (sorted.length === 0) return undefined;
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))];
}

async function postOffer(ctx: ProbeContext, peerPath: string, sdp: string): Promise<string> {
  const response = await ctx.env.fetch(`${ctx.probeUrl}${peerPath}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ type: 'offer', sdp, label: MEDIA_QUALITY_PROBE_ID }),
    signal: ctx.signal,
  });
  const parsed = PeerAnswerSchema.safeParse(await response.json().catch(() => null));
  if (response.status !== 200 || !parsed.success) throw new Error(`the test server did not accept the media offer (HTTP ${response.status})`);
  return parsed.data.sdp;
}

/** Sends the paced stream and collects echoes; resolves after the tail or at the deadline. */
async function measure(ctx: ProbeContext, channel: DataChannelLike, data: MediaQualityData): Promise<number[]> {
  const nonce = ctx.env.randomId();
  const sentAt = new Map<string, number>();
  const rtts: Array<{ seq: number; rttMs: number }> = [];
  channel.addEventListener('message', (event) => {
    if (typeof event.data !== 'string') return;
    const at = sentAt.get(event.data);
    if (at === undefined) return;
    sentAt.delete(event.data);
    rtts.push({ seq: Number(event.data.slice(event.data.lastIndexOf(' ') + 1)), rttMs: ctx.env.now() - at });
  });
  const start = ctx.env.now();
  try {
    for (let seq = 0; seq < QUALITY_PACKETS; seq++) {
      // Pace against the clock, not the timer count, so a slow timer does not stretch the stream.
      const due = start + seq * QUALITY_INTERVAL_MS - ctx.env.now();
      if (due > 0) await pace(due, ctx.signal);
      const message = `netready-quality ${nonce} ${seq}`;
      sentAt.set(message, ctx.env.now());
      try {
        channel.send(message);
        data.sent++;
      } catch {
        sentAt.delete(message);
        break;
      }
    }
    await pace(QUALITY_TAIL_MS, ctx.signal);
  } catch (error) {
    if (!(error instanceof DeadlineError)) throw error;
    // Cut short: packets still in flight are not losses, so no loss ratio is computed for this stream.
    data.timedOut = true;
  }
  data.received = rtts.length;
  // Jitter over arrival order of the sequence, as a receiver would see consecutive packets.
  const ordered = rtts.sort((a, b) => a.seq - b.seq).map((r) => r.rttMs);
  if (ordered.length > 1) {
    let sum = 0;
    for (let i = 1; i < ordered.length; i++) sum += Math.abs(ordered[i]! - ordered[i - 1]!);
    data.jitterMs = Math.round((sum / (ordered.length - 1)) * 10) / 10;
  }
  return ordered;
}

/** Creates the media-quality probe. */
export function createMediaQualityProbe(): Probe {
  return {
    id: MEDIA_QUALITY_PROBE_ID,
    title: 'Call quality on the path a call would take',
    dependsOn: [SESSION_PROBE_ID],
    timeoutMs: QUALITY_TIMEOUT_MS,
    async run(ctx): Promise<ProbeReport> {
      const session = readSession(ctx);
      const turnPort = session.stun.find((s) => s.role === 'turn');
      const iceServers = [
        ...(turnPort ? [{ urls: turnPort.url }] : []),
        ...session.turn.map((t) => ({ urls: t.url, username: t.username, credential: t.credential })),
      ];
      const started = ctx.env.now();
      const data: MediaQualityData = { sent: 0, received: 0, stage: 'connecting', timedOut: false };
      const pc = ctx.env.createPeerConnection({ iceServers });
      let failure: string | undefined;
      let rtts: number[] = [];
      try {
        const channel = pc.createDataChannel('netready-quality', { ordered: false, maxRetransmits: 0 });
        await pc.setLocalDescription(await pc.createOffer());
        // Gather briefly so the offer carries candidates (the media peer does not trickle): wait for the first
        // server-reflexive or relay candidate, or ICE has host candidates only and connects via peer-reflexive.
        await untilAborted<void>(ctx.signal, (resolve) => {
          const timer = setTimeout(resolve, 500);
          pc.addEventListener('icecandidate', (event) => {
            if (event.candidate && / typ (srflx|relay)/.test(event.candidate.candidate)) {
              clearTimeout(timer);
              resolve();
            }
          });
        }, 'a server-reflexive or relay candidate');
        const offerSdp = pc.localDescription?.sdp;
        if (!offerSdp) throw new Error('the browser produced no local description');
        await pc.setRemoteDescription({ type: 'answer', sdp: await postOffer(ctx, session.peerPath, offerSdp) });
        await waitForOpen(channel, ctx.signal);
        data.connectMs = Math.round(ctx.env.now() - started);
        data.stage = 'measuring';
        ctx.progress('Measuring round trip, jitter and loss');
        rtts = await measure(ctx, channel, data);
        if (!data.timedOut) data.stage = 'done';
        const path = await readSelectedPair(pc).catch(() => undefined);
        if (path) data.path = path;
      } catch (error) {
        if (error instanceof DeadlineError || ctx.signal.aborted) data.timedOut = true;
        else failure = error instanceof Error ? error.message : String(error);
      } finally {
        pc.close();
      }
      if (data.sent > 0) {
        if (data.stage === 'done') data.lossRatio = Math.round((1 - data.received / data.sent) * 1000) / 1000;
        const sorted = [...rtts].sort((a, b) => a - b);
        const mid = median(sorted);
        if (mid !== undefined) data.rttMedianMs = Math.round(mid * 10) / 10;
        const p95 = percentile(sorted, 0.95);
        if (p95 !== undefined) data.rttP95Ms = Math.round(p95 * 10) / 10;
      }
      const evidence: Evidence[] = [];
      if (data.sent > 0) {
        evidence.push({
          probe: MEDIA_QUALITY_PROBE_ID,
          kind: 'media-stream',
          summary:
            `${data.received} of ${data.sent} packets came back` +
            (data.rttMedianMs !== undefined ? `; round trip median ${data.rttMedianMs} ms, 95th percentile ${data.rttP95Ms} ms` : '') +
            (data.jitterMs !== undefined ? `; jitter ${data.jitterMs} ms` : '') +
            (data.path?.local ? `; path ${data.path.local.candidateType}${data.path.local.relayProtocol ? ` via TURN/${data.path.local.relayProtocol}` : ''}` : ''),
          data: { sent: data.sent, received: data.received, lossRatio: data.lossRatio, rttMedianMs: data.rttMedianMs, jitterMs: data.jitterMs },
        });
      }
      const record = { ...data } as unknown as Record<string, unknown>;
      if (data.stage === 'done' && data.received > 0) return { status: 'pass', data: record, evidence };
      if (data.stage === 'done') {
        return { status: 'fail', reason: `The media path opened, but none of ${data.sent} packets came back.`, data: record, evidence };
      }
      if (data.sent > 0) {
        return {
          status: 'inconclusive',
          reason: `The measurement was cut short by its ${ctx.timeoutMs} ms deadline (${data.received} of ${data.sent} packets back so far).`,
          data: record,
          evidence,
        };
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
