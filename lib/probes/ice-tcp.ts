/**
 * Probe "ice-tcp": can media reach a server that offers ICE-TCP (RFC 6544) — as many SFUs do — when UDP and TURN
 * do not? One RTCPeerConnection without ICE servers whose offer asks netready's media peer for a TCP-only answer
 * (`iceTcp: true`): the answer's only candidate is netready's passive ICE-TCP endpoint (`session.iceTcp`), and the
 * server ignores the browser's UDP candidates, so the connection can only come up over TCP — the browser's own
 * active TCP candidate, directly or through the browser's configured proxy (Chromium tunnels ICE-TCP through an
 * HTTP proxy with CONNECT). DataChannel echoes prove data flows; getStats shows the pair; the server says which
 * address the TCP connection came from, which tells "direct" from "through the proxy".
 * Records; never judges (lib/diagnosis/facts-ice-tcp.ts does).
 */
import type { SessionIceTcp } from '../schema/session';
import { postMediaOffer, SignallingError } from './media-peer-offer';
import type { Evidence } from '../schema/result';
import { timedGet } from './http-get';
import { readSession, SESSION_PROBE_ID } from './session';
import { skippedReport, type PeerConnectionLike, type Probe, type ProbeContext, type ProbeReport, type StatsEntry } from './types';
import { DeadlineError, exchangeEchoes, extendForEchoes, median, untilAborted, waitForOpen } from './webrtc';

/** Id of the ICE-TCP probe. */
export const ICE_TCP_PROBE_ID = 'ice-tcp';

/** Echo messages sent over the TCP pair. */
export const ICE_TCP_ECHO_COUNT = 5;

/** How far the probe got. */
export type IceTcpStage = 'signalling' | 'connecting' | 'exchanging' | 'done';

/** One candidate of the selected pair, as getStats reports it. */
export interface IceTcpCandidateStats {
  candidateType?: string;
  protocol?: string;
  tcpType?: string;
  address?: string;
  port?: number;
  relayProtocol?: string;
}

/** `data` of the ICE-TCP probe. */
export interface IceTcpData {
  /** The passive endpoint tried (`session.iceTcp`). */
  host: string;
  port: number;
  stage: IceTcpStage;
  timedOut: boolean;
  /** ms from start to the DataChannel opening over the TCP pair. */
  connectMs?: number;
  /** The probe's deadline, ms, when the echoes needed time past the first one (moved at the channel's opening: ECHO_GRACE_MS). */
  deadlineMs?: number;
  dataChannel?: { sent: number; echoed: number; rttMs?: number };
  /** The browser's selected pair (getStats). */
  selectedPair?: { local?: IceTcpCandidateStats; remote?: IceTcpCandidateStats };
  /** The browser said the connection failed (ICE `failed`) before the deadline, after this many ms. */
  failedAtMs?: number;
  /**
   * What netready's server saw: the TCP connection's client address (`ice-tcp-accepted`) and the address the
   * session was opened from over HTTP. Absent when the server could not be asked.
   */
  serverSaw?: { tcpClientAddress?: string; tcpClientPort?: number; httpClientAddress?: string };
  /** netready's own signalling failed (the offer was refused): says nothing about the network. */
  signallingError?: string;
}

interface Observation {
  source?: unknown;
  kind?: unknown;
  data?: { peerId?: unknown; remoteAddress?: unknown; remotePort?: unknown };
}


/** Resolves when ICE reports `failed` (Chromium gives up on every pair); never otherwise. */
function iceFailed(pc: PeerConnectionLike, signal: AbortSignal): Promise<void> {
  return untilAborted<void>(
    signal,
    (resolve) => {
      const check = (): void => {
        if (pc.iceConnectionState === 'failed' || pc.connectionState === 'failed') resolve();
      };
      pc.addEventListener('iceconnectionstatechange', check);
      pc.addEventListener('connectionstatechange', check);
      check();
    },
    'ICE to fail',
  );
}

function pickCandidate(entry: StatsEntry | undefined): IceTcpCandidateStats | undefined {
  if (!entry) return undefined;
  const out: IceTcpCandidateStats = {};
  for (const key of ['candidateType', 'protocol', 'tcpType', 'address', 'relayProtocol'] as const) if (typeof entry[key] === 'string') out[key] = entry[key];
  if (typeof entry.port === 'number') out.port = entry.port;
  return out;
}

/** The selected pair's candidates with their `protocol` and `tcpType` (webrtc-stats RTCIceCandidateStats). */
async function readTcpPair(pc: PeerConnectionLike): Promise<IceTcpData['selectedPair']> {
  const report = await pc.getStats();
  const byId = new Map<string, StatsEntry>();
  report.forEach((entry) => byId.set(entry.id, entry));
  const transport = [...byId.values()].find((e) => e.type === 'transport' && typeof e.selectedCandidatePairId === 'string');
  const pair = transport ? byId.get(String(transport.selectedCandidatePairId)) : undefined;
  if (!pair) return undefined;
  const local = pickCandidate(byId.get(String(pair.localCandidateId)));
  const remote = pickCandidate(byId.get(String(pair.remoteCandidateId)));
  return { ...(local ? { local } : {}), ...(remote ? { remote } : {}) };
}

/** Asks the server which address the TCP connection of `peerId` came from, and the session's HTTP address. */
async function readServerView(ctx: ProbeContext, sessionId: string, peerId: string): Promise<IceTcpData['serverSaw']> {
  const got = await timedGet(ctx, `${ctx.probeUrl}/v1/sessions/${encodeURIComponent(sessionId)}/observations`);
  if (got.httpStatus !== 200 || typeof got.body !== 'object' || got.body === null) return undefined;
  const body = got.body as { clientAddress?: unknown; observations?: unknown };
  const observations = Array.isArray(body.observations) ? (body.observations as Observation[]) : [];
  const accepted = observations.find((o) => o.kind === 'ice-tcp-accepted' && o.data?.peerId === peerId);
  const saw: NonNullable<IceTcpData['serverSaw']> = {};
  if (typeof accepted?.data?.remoteAddress === 'string') saw.tcpClientAddress = accepted.data.remoteAddress;
  if (typeof accepted?.data?.remotePort === 'number') saw.tcpClientPort = accepted.data.remotePort;
  if (typeof body.clientAddress === 'string') saw.httpClientAddress = body.clientAddress;
  return saw;
}

async function runIceTcp(ctx: ProbeContext, endpoint: SessionIceTcp, sessionId: string, peerPath: string): Promise<ProbeReport> {
  const started = ctx.env.now();
  const data: IceTcpData = { host: endpoint.host, port: endpoint.port, stage: 'signalling', timedOut: false };
  // No ICE servers: the only way in is the answer's passive TCP candidate.
  const pc = ctx.env.createPeerConnection({ iceServers: [] });
  try {
    const channel = pc.createDataChannel('netready-echo', { ordered: true });
    // No need to wait for gathering: the server ignores the offer's candidates (it must not reach the browser over UDP).
    await pc.setLocalDescription(await pc.createOffer());
    const offerSdp = pc.localDescription?.sdp;
    if (!offerSdp) throw new SignallingError('the browser produced no local description');
    ctx.progress(`Connecting to the test server's media peer over TCP (${endpoint.host}:${endpoint.port})`);
    const answer = await postMediaOffer(ctx, peerPath, offerSdp, { label: ICE_TCP_PROBE_ID, iceTcp: true });
    await pc.setRemoteDescription({ type: 'answer', sdp: answer.sdp });
    data.stage = 'connecting';
    const failed = iceFailed(pc, ctx.signal).then(() => 'failed' as const);
    const opened = waitForOpen(channel, ctx.signal).then(() => 'open' as const);
    if ((await Promise.race([opened, failed])) === 'failed') {
      data.failedAtMs = Math.round(ctx.env.now() - started);
      opened.catch(() => undefined);
    } else {
      failed.catch(() => undefined);
      data.connectMs = Math.round(ctx.env.now() - started);
      data.stage = 'exchanging';
      const deadlineMs = extendForEchoes(ctx, data.connectMs);
      ctx.progress('Connected over ICE-TCP; exchanging echoes');
      const echo = await exchangeEchoes(channel, ctx.env, ICE_TCP_ECHO_COUNT, ctx.signal);
      data.dataChannel = { sent: echo.sent, echoed: echo.echoed };
      // Recorded only when the echoes needed the time beyond the first deadline.
      if (deadlineMs !== undefined && ctx.env.now() - started > ctx.timeoutMs) data.deadlineMs = deadlineMs;
      const rtt = median(echo.rttMs);
      if (rtt !== undefined) data.dataChannel.rttMs = rtt;
      if (echo.echoed > 0) data.stage = 'done';
      else data.timedOut = ctx.signal.aborted;
      const pair = await readTcpPair(pc).catch(() => undefined);
      if (pair) data.selectedPair = pair;
      const saw = await readServerView(ctx, sessionId, answer.peerId).catch(() => undefined);
      if (saw) data.serverSaw = saw;
    }
  } catch (error) {
    if (error instanceof SignallingError) data.signallingError = error.message;
    else if (error instanceof DeadlineError || ctx.signal.aborted) data.timedOut = true;
    else data.signallingError = error instanceof Error ? error.message : String(error);
  } finally {
    pc.close();
  }
  return summarise(ctx, data);
}

const STAGE_WORDS: Record<IceTcpStage, string> = {
  signalling: 'exchanging the offer with the test server',
  connecting: 'connecting over TCP',
  exchanging: 'exchanging data over the TCP connection',
  done: 'finishing',
};

function summarise(ctx: ProbeContext, data: IceTcpData): ProbeReport {
  const where = `${data.host}:${data.port}`;
  const evidence: Evidence[] = [];
  const probe = ICE_TCP_PROBE_ID;
  const record = data as unknown as Record<string, unknown>;
  if (data.selectedPair) {
    const { local, remote } = data.selectedPair;
    evidence.push({
      probe,
      kind: 'selected-pair',
      summary: `selected pair: local ${local?.candidateType ?? '?'} ${local?.protocol ?? '?'}${local?.tcpType ? ` (${local.tcpType})` : ''} → remote ${remote?.candidateType ?? '?'} ${remote?.protocol ?? '?'}${remote?.tcpType ? ` (${remote.tcpType})` : ''} ${remote?.address ?? ''}:${remote?.port ?? ''}`,
      data: { ...data.selectedPair },
    });
  }
  if (data.dataChannel) {
    evidence.push({
      probe,
      kind: 'data-echo',
      summary: `${data.dataChannel.echoed} of ${data.dataChannel.sent} messages echoed over ICE-TCP${data.dataChannel.rttMs !== undefined ? `, median round trip ${data.dataChannel.rttMs} ms` : ''}`,
      data: { ...data.dataChannel },
    });
  }
  if (data.serverSaw?.tcpClientAddress) {
    evidence.push({
      probe,
      kind: 'server-observation',
      summary: `the test server saw the TCP connection from ${data.serverSaw.tcpClientAddress}; this test's HTTP requests came from ${data.serverSaw.httpClientAddress ?? 'an unknown address'}`,
      data: { ...data.serverSaw },
    });
  }
  if (data.timedOut) {
    evidence.push({ probe, kind: 'timeout', summary: `${where}: deadline of ${data.deadlineMs ?? ctx.timeoutMs} ms passed while ${STAGE_WORDS[data.stage]}`, data: { stage: data.stage, timeoutMs: data.deadlineMs ?? ctx.timeoutMs } });
  }
  if (data.failedAtMs !== undefined) {
    evidence.push({ probe, kind: 'ice-failed', summary: `${where}: the browser gave up on the TCP connection after ${data.failedAtMs} ms (ICE failed)`, data: { failedAtMs: data.failedAtMs } });
  }
  if (data.signallingError) {
    // Our own signalling failed: nothing was learnt about the network.
    return { status: 'inconclusive', reason: `ICE-TCP could not be tested: ${data.signallingError}.`, data: record, evidence };
  }
  const local = data.selectedPair?.local;
  if (data.stage === 'done') {
    if (local?.protocol !== undefined && local.protocol !== 'tcp') {
      return { status: 'inconclusive', reason: `Data flowed, but the browser reports a ${local.protocol} pair, not ICE-TCP.`, data: record, evidence };
    }
    return { status: 'pass', data: record, evidence };
  }
  if (data.stage === 'exchanging') {
    return { status: 'warn', reason: `A TCP connection to ${where} came up, but the test messages did not come back over it.`, data: record, evidence };
  }
  return {
    status: 'fail',
    reason:
      data.failedAtMs !== undefined
        ? `The browser could not connect to the test server's media peer over TCP (${where}): it gave up after ${data.failedAtMs} ms.`
        : `No TCP connection to the test server's media peer (${where}) came up within ${ctx.timeoutMs} ms.`,
    data: record,
    evidence,
  };
}

/** Creates the ICE-TCP probe. */
export function createIceTcpProbe(): Probe {
  return {
    id: ICE_TCP_PROBE_ID,
    title: 'Media over TCP to a media server (ICE-TCP)',
    dependsOn: [SESSION_PROBE_ID],
    // No own deadline: the run's, adapted to the round trip measured early (≈ 2.5–3 s on a LAN, where a working TCP
    // connection and channel take ≈ 0.2–0.6 s), so a blocked ICE-TCP port never holds the run longer than the relays.
    async run(ctx): Promise<ProbeReport> {
      const session = readSession(ctx);
      if (!session.iceTcp) return skippedReport('The test server offers no ICE-TCP endpoint (an older netready).');
      return runIceTcp(ctx, session.iceTcp, session.sessionId, session.peerPath);
    },
  };
}
