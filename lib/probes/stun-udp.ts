/**
 * Probe "stun-udp": the UDP port matrix. For each STUN endpoint of the session (the TURN port, an alternate
 * port, the vendor's media ports) one RTCPeerConnection with that single `stun:` URL — one per port, because
 * Chromium drops a second server-reflexive candidate with the same address — and records whether a srflx
 * candidate came back before the deadline. A srflx proves UDP reaches the server on that port and back.
 */
import { readSession, SESSION_PROBE_ID } from './session';
import type { StunEndpoint } from '../schema/session';
import type { Evidence } from '../schema/result';
import type { Probe, ProbeContext, ProbeReport } from './types';
import { CandidateLog, DeadlineError, type CandidateInfo, type IceErrorInfo } from './webrtc';

/** Id of the STUN port-matrix probe. */
export const STUN_UDP_PROBE_ID = 'stun-udp';

/** Per-port outcome recorded in `data.ports`. */
export interface StunPortResult {
  port: number;
  url: string;
  role: StunEndpoint['role'];
  target?: string;
  /** The server-reflexive address, when one came back. */
  srflx?: { address: string; port: number };
  /** Milliseconds from gathering start to the srflx candidate. */
  srflxMs?: number;
  /** Whether the deadline passed without a srflx candidate. */
  timedOut: boolean;
  hostCandidates: number;
  errors: IceErrorInfo[];
}

async function probePort(ctx: ProbeContext, endpoint: StunEndpoint): Promise<StunPortResult> {
  const started = ctx.env.now();
  const pc = ctx.env.createPeerConnection({ iceServers: [{ urls: endpoint.url }] });
  try {
    const log = new CandidateLog(pc, ctx.env, started);
    pc.createDataChannel('netready-stun');
    await pc.setLocalDescription(await pc.createOffer());
    let srflx: CandidateInfo | undefined;
    try {
      srflx = await log.waitForType('srflx', ctx.signal);
    } catch (error) {
      if (!(error instanceof DeadlineError)) throw error;
    }
    const result: StunPortResult = {
      port: endpoint.port,
      url: endpoint.url,
      role: endpoint.role,
      timedOut: !srflx,
      hostCandidates: log.candidates.filter((c) => c.type === 'host').length,
      errors: [...log.errors],
    };
    if (endpoint.target) result.target = endpoint.target;
    if (srflx) {
      result.srflx = { address: srflx.address, port: srflx.port };
      result.srflxMs = srflx.atMs;
    }
    return result;
  } finally {
    pc.close();
  }
}

/** Creates the STUN-over-UDP port-matrix probe. */
export function createStunUdpProbe(): Probe {
  return {
    id: STUN_UDP_PROBE_ID,
    title: 'UDP to the test server (STUN port matrix)',
    dependsOn: [SESSION_PROBE_ID],
    async run(ctx): Promise<ProbeReport> {
      const session = readSession(ctx);
      if (session.stun.length === 0) {
        return { status: 'skipped', reason: 'The test server offers no STUN ports.', data: { ports: [] }, evidence: [] };
      }
      ctx.progress(`Sending STUN over UDP to ${session.stun.length} port(s)`);
      const ports = await Promise.all(session.stun.map((endpoint) => probePort(ctx, endpoint)));
      const reached = ports.filter((p) => p.srflx);
      const evidence: Evidence[] = ports.map((p) => ({
        probe: STUN_UDP_PROBE_ID,
        kind: p.srflx ? 'candidate' : 'timeout',
        summary: p.srflx
          ? `${p.url}: server-reflexive address ${p.srflx.address}:${p.srflx.port} after ${p.srflxMs} ms`
          : `${p.url}: no STUN answer within ${ctx.timeoutMs} ms${p.hostCandidates === 0 ? ' (no local network interface candidate either)' : ''}`,
        data: { ...p },
      }));
      const data = { ports, reachedPorts: reached.map((p) => p.port), blockedPorts: ports.filter((p) => !p.srflx).map((p) => p.port) };
      if (reached.length === ports.length) return { status: 'pass', data, evidence };
      if (reached.length > 0) {
        return { status: 'warn', reason: `UDP answered on ${reached.length} of ${ports.length} ports.`, data, evidence };
      }
      return { status: 'fail', reason: `No STUN answer over UDP on any of ${ports.length} ports.`, data, evidence };
    },
  };
}
