/**
 * Probes "turn-udp", "turn-tcp", "turn-tls": one relay-only RTCPeerConnection per TURN transport with that
 * single URL. A relay candidate proves allocation; then the page connects through the relay to netready's
 * server-side media peer and exchanges DataChannel echoes, which proves data really flows over that
 * transport (a relay that allocates but carries nothing is what an MTU black hole looks like — LAB.md).
 * Failures raise no event for ~40 s in Chromium, so the probe's own deadline ends the wait.
 */
import type { TurnEndpoint } from '../schema/session';
import { postMediaOffer } from './media-peer-offer';
import type { Evidence, ProbeOutcome } from '../schema/result';
import { readSession, SESSION_PROBE_ID } from './session';
import { skippedReport, type Probe, type ProbeContext, type ProbeReport } from './types';
import {
  CandidateLog,
  DeadlineError,
  exchangeEchoes,
  extendForEchoes,
  median,
  readSelectedPair,
  waitForOpen,
  type CandidateInfo,
  type EchoResult,
  type SelectedPairInfo,
} from './webrtc';

/** TURN transports probed, in display order. */
export const TURN_TRANSPORTS = ['udp', 'tcp', 'tls'] as const;
/** A TURN transport. */
export type TurnTransport = (typeof TURN_TRANSPORTS)[number];

/** Probe id of a TURN transport probe. */
export function turnProbeId(transport: TurnTransport): string {
  return `turn-${transport}`;
}

/** Number of echo messages sent through each relay. */
export const ECHO_COUNT = 5;

const TITLES: Record<TurnTransport, string> = {
  udp: 'TURN relay over UDP',
  tcp: 'TURN relay over TCP',
  tls: 'TURN relay over TLS',
};

/** Which step of the relay test was reached. */
export type RelayStage = 'allocating' | 'signalling' | 'connecting' | 'exchanging' | 'done';

/** `data` of a TURN transport probe. */
export interface TurnRelayData {
  transport: TurnTransport;
  url: string;
  /** The relay candidate (relayed transport address on the server). */
  relay?: { address: string; port: number; relayProtocol: string };
  /** ms from start to the relay candidate. */
  allocationMs?: number;
  /** ms from start to the DataChannel opening. */
  connectMs?: number;
  /** The probe's deadline, ms, when the echoes needed time past the first one (moved at the channel's opening: ECHO_GRACE_MS). */
  deadlineMs?: number;
  dataChannel?: { sent: number; echoed: number; rttMs?: number };
  selectedPair?: SelectedPairInfo;
  /** Last stage reached (where a failure happened). */
  stage: RelayStage;
  timedOut: boolean;
  /**
   * The ICE error that ended the allocation before the deadline: the connection to the TURN server failed
   * (`connect-failed`: refused, reset, or the browser rejected the server's certificate) or the TURN server answered
   * with a STUN error (`server-error`). Absent when a relay came or the deadline passed.
   */
  decidedBy?: { errorKind: 'connect-failed' | 'server-error'; errorCode: number; errorText: string; atMs: number };
  errors: Array<{ errorCode: number; errorText: string; url: string; atMs: number }>;
  candidates: CandidateInfo[];
  /** ms from the start to the end of gathering, when the browser ended it (CandidateLog.gatheringCompleteMs). */
  gatheringCompleteMs?: number;
}


/** The end of gathering, when the browser reported one (recorded only then, so older results keep their shape). */
function gathering(log: CandidateLog): Pick<TurnRelayData, 'gatheringCompleteMs'> {
  return log.gatheringCompleteMs === undefined ? {} : { gatheringCompleteMs: log.gatheringCompleteMs };
}

async function runRelay(ctx: ProbeContext, transport: TurnTransport, endpoint: TurnEndpoint, peerPath: string): Promise<ProbeReport> {
  const started = ctx.env.now();
  const pc = ctx.env.createPeerConnection({
    iceServers: [{ urls: endpoint.url, username: endpoint.username, credential: endpoint.credential }],
    iceTransportPolicy: 'relay',
  });
  const data: TurnRelayData = { transport, url: endpoint.url, stage: 'allocating', timedOut: false, errors: [], candidates: [] };
  const log = new CandidateLog(pc, ctx.env, started);
  let failure: string | undefined;
  let echo: EchoResult | undefined;
  try {
    const channel = pc.createDataChannel('netready-echo', { ordered: true });
    await pc.setLocalDescription(await pc.createOffer());
    ctx.progress(`Allocating a relay via ${endpoint.url}`);
    const waited = await log.waitForRelayOrDecided(endpoint.url, ctx.signal);
    if (waited.kind === 'decided') {
      const { errorCode, errorText, atMs } = waited.error;
      data.decidedBy = { errorKind: waited.errorKind, errorCode, errorText, atMs };
      return summarise(ctx, { ...data, errors: [...log.errors], candidates: [...log.candidates], ...gathering(log) }, undefined);
    }
    if (waited.kind === 'ended') {
      // The browser is done gathering and gave no relay: nothing more can come, so the deadline is not waited out.
      const reason = `The browser ended gathering after ${waited.atMs} ms without a relay via ${endpoint.url} and without an error.`;
      return summarise(ctx, { ...data, errors: [...log.errors], candidates: [...log.candidates], ...gathering(log) }, reason);
    }
    const relay = waited.candidate;
    data.relay = { address: relay.address, port: relay.port, relayProtocol: relay.relayProtocol ?? transport };
    data.allocationMs = relay.atMs;
    data.stage = 'signalling';
    ctx.progress(`Relay allocated at ${relay.address}:${relay.port}; connecting to the media peer`);
    const offerSdp = pc.localDescription?.sdp;
    if (!offerSdp) throw new Error('the browser produced no local description');
    const answerSdp = (await postMediaOffer(ctx, peerPath, offerSdp, { label: turnProbeId(transport) })).sdp;
    await pc.setRemoteDescription({ type: 'answer', sdp: answerSdp });
    data.stage = 'connecting';
    await waitForOpen(channel, ctx.signal);
    data.connectMs = Math.round(ctx.env.now() - started);
    data.stage = 'exchanging';
    const deadlineMs = extendForEchoes(ctx, data.connectMs);
    ctx.progress('Data channel open; exchanging echoes through the relay');
    echo = await exchangeEchoes(channel, ctx.env, ECHO_COUNT, ctx.signal);
    data.dataChannel = { sent: echo.sent, echoed: echo.echoed };
    // Recorded only when the echoes needed the time beyond the first deadline.
    if (deadlineMs !== undefined && ctx.env.now() - started > ctx.timeoutMs) data.deadlineMs = deadlineMs;
    const rtt = median(echo.rttMs);
    if (rtt !== undefined) data.dataChannel.rttMs = rtt;
    // One echo back proves the relay carries data; how many came back is recorded for quality rules.
    if (echo.echoed > 0) data.stage = 'done';
    if (echo.echoed < echo.sent) data.timedOut = ctx.signal.aborted;
    data.selectedPair = await readSelectedPair(pc, log.candidates).catch(() => undefined);
  } catch (error) {
    if (error instanceof DeadlineError || ctx.signal.aborted) data.timedOut = true;
    else failure = error instanceof Error ? error.message : String(error);
  } finally {
    pc.close();
  }
  data.errors = [...log.errors];
  data.candidates = [...log.candidates];
  Object.assign(data, gathering(log));
  return summarise(ctx, data, failure);
}

function summarise(ctx: ProbeContext, data: TurnRelayData, failure: string | undefined): ProbeReport {
  const probe = turnProbeId(data.transport);
  const evidence: Evidence[] = [];
  if (data.relay) {
    evidence.push({
      probe,
      kind: 'candidate',
      summary: `relay candidate ${data.relay.address}:${data.relay.port} (${data.relay.relayProtocol}) via ${data.url} after ${data.allocationMs} ms`,
      data: { ...data.relay, url: data.url, allocationMs: data.allocationMs },
    });
  }
  for (const error of data.errors) {
    evidence.push({
      probe,
      kind: 'ice-error',
      summary: `${error.url}: error ${error.errorCode} "${error.errorText}" after ${error.atMs} ms`,
      data: { ...error },
    });
  }
  if (data.dataChannel) {
    evidence.push({
      probe,
      kind: 'data-echo',
      summary: `${data.dataChannel.echoed} of ${data.dataChannel.sent} messages echoed through the relay${
        data.dataChannel.rttMs !== undefined ? `, median round trip ${data.dataChannel.rttMs} ms` : ''
      }`,
      data: { ...data.dataChannel },
    });
  }
  if (data.timedOut) {
    evidence.push({
      probe,
      kind: 'timeout',
      summary: `${data.url}: deadline of ${data.deadlineMs ?? ctx.timeoutMs} ms passed while ${STAGE_WORDS[data.stage]}`,
      data: { stage: data.stage, timeoutMs: data.deadlineMs ?? ctx.timeoutMs },
    });
  }
  const record = { ...data } as unknown as Record<string, unknown>;
  if (data.stage === 'done') return { status: 'pass', data: record, evidence };
  if (data.decidedBy?.errorKind === 'server-error') {
    // The request crossed the network and netready's own TURN server said no (e.g. 486: too many relays from this
    // address at once): that is the test server's limit, not a property of this network.
    return {
      status: 'inconclusive',
      reason: `netready's TURN server refused the relay via ${data.url} (error ${data.decidedBy.errorCode} "${data.decidedBy.errorText}"), so this transport could not be tested.`,
      data: record,
      evidence,
    };
  }
  if (data.decidedBy) {
    return {
      status: 'fail',
      reason: `The connection to ${data.url} failed after ${data.decidedBy.atMs} ms (error ${data.decidedBy.errorCode} "${data.decidedBy.errorText}"), so no relay could be allocated.`,
      data: record,
      evidence,
    };
  }
  if (!data.relay) {
    return {
      status: 'fail',
      reason: failure ?? `No relay could be allocated via ${data.url} within ${ctx.timeoutMs} ms.`,
      data: record,
      evidence,
    };
  }
  if (failure && data.stage === 'signalling') {
    // The relay worked; our own signalling failed. That says nothing about the network.
    return { status: 'inconclusive', reason: `Relay allocated, but ${failure}.`, data: record, evidence };
  }
  return {
    status: 'warn',
    reason: `A relay was allocated via ${data.url}, but data did not flow through it (stopped while ${STAGE_WORDS[data.stage]}).`,
    data: record,
    evidence,
  };
}

const STAGE_WORDS: Record<RelayStage, string> = {
  allocating: 'allocating a relay',
  signalling: 'exchanging the media offer with the test server',
  connecting: 'connecting through the relay',
  exchanging: 'exchanging data through the relay',
  done: 'finishing',
};

/** Creates the probe for one TURN transport. */
/**
 * TURN over UDP reaches the server on its TURN port: once STUN over UDP has got no answer on any port of the server, the
 * TURN port included, the relay's failure is implied (and `udp-blocked` says it for both), so it must not hold the run
 * (issue 16). Where other ports answered, TURN over UDP still runs to its end: its failure is then a finding of its own.
 */
export function udpRelayImplied(finished: Readonly<Record<string, ProbeOutcome>>): string | null {
  const stun = finished['stun-udp'];
  if (!stun || stun.status !== 'fail') return null;
  const ports = Array.isArray(stun.data.ports) ? (stun.data.ports as Array<{ role?: unknown; srflx?: unknown }>) : [];
  if (!ports.some((p) => p.role === 'turn') || ports.some((p) => p.srflx)) return null;
  return 'STUN over UDP got no answer on any port of the test server, the TURN port included, so TURN over UDP cannot answer either.';
}

export function createTurnRelayProbe(transport: TurnTransport): Probe {
  return {
    id: turnProbeId(transport),
    title: TITLES[transport],
    dependsOn: [SESSION_PROBE_ID],
    ...(transport === 'udp' ? { abandonWhen: udpRelayImplied } : {}),
    async run(ctx): Promise<ProbeReport> {
      const session = readSession(ctx);
      const endpoint = session.turn.find((t) => t.transport === transport);
      if (!endpoint) {
        return skippedReport(`The test server offers no TURN URL over ${transport.toUpperCase()}.`, { transport });
      }
      return runRelay(ctx, transport, endpoint, session.peerPath);
    },
  };
}
