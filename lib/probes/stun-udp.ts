/**
 * Probe "stun-udp": the UDP port matrix. For each STUN endpoint of the session (the TURN port, an alternate
 * port, the vendor's media ports) one RTCPeerConnection with that single `stun:` URL — one per port, because
 * Chromium drops a second server-reflexive candidate with the same address — and records whether a srflx
 * candidate came back before the deadline. A srflx proves UDP reaches the server on that port and back.
 */
import { askNatObservations } from './nat';
import { readSession, SESSION_PROBE_ID } from './session';
import type { Session, StunEndpoint } from '../schema/session';
import type { Evidence } from '../schema/result';
import type { Probe, ProbeContext, ProbeReport } from './types';
import { CandidateLog, DeadlineError, deadlinePhase, type CandidateInfo, type IceErrorInfo } from './webrtc';

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
  /**
   * The STUN server answered a Binding from one of this connection's own (unmasked) host addresses, so that address
   * is the server-reflexive one — no NAT on the path — and Chromium, which drops a srflx equal to a host candidate,
   * offered none: `srflx` then holds the host address, taken from the server's record.
   */
  egressIsHost?: boolean;
  hostCandidates: number;
  errors: IceErrorInfo[];
}

/** ms of the probe's deadline kept for asking the server about ports that got no srflx (at most a quarter of it). */
const CONFIRM_RESERVE_MS = 800;

/** How long a port waits for its srflx within the probe's deadline, ms. */
function srflxWaitMs(timeoutMs: number): number {
  return Math.round(Math.max(timeoutMs * 0.75, timeoutMs - CONFIRM_RESERVE_MS));
}

/** A port's result and its unmasked host candidates (kept out of the result; used to ask the server). */
interface PortProbe {
  result: StunPortResult;
  rawHosts: Array<{ address: string; port: number }>;
}

const isIpLiteral = (address: string): boolean => /^\d{1,3}(\.\d{1,3}){3}$/.test(address) || address.includes(':');

async function probePort(ctx: ProbeContext, endpoint: StunEndpoint): Promise<PortProbe> {
  const started = ctx.env.now();
  const pc = ctx.env.createPeerConnection({ iceServers: [{ urls: endpoint.url }] });
  try {
    const log = new CandidateLog(pc, ctx.env, started);
    pc.createDataChannel('netready-stun');
    await pc.setLocalDescription(await pc.createOffer());
    let srflx: CandidateInfo | undefined;
    // Stop waiting a little before the probe's deadline, so a port that got no srflx can still be checked against the
    // server's record (confirmWithoutNat) within it.
    const wait = deadlinePhase(ctx.signal, srflxWaitMs(ctx.timeoutMs));
    try {
      srflx = await log.waitForType('srflx', wait.signal);
    } catch (error) {
      if (!(error instanceof DeadlineError)) throw error;
    } finally {
      wait.done();
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
    const rawHosts = log.candidates.filter((c) => c.type === 'host' && c.protocol === 'udp' && isIpLiteral(c.address)).map((c) => ({ address: c.address, port: c.port }));
    return { result, rawHosts };
  } finally {
    pc.close();
  }
}

/**
 * Where a port got no srflx but its connection showed unmasked host addresses (media permission granted, as after the
 * deep check), asks the server whether that port answered a Binding from one of them: with no NAT on the path the
 * server-reflexive address equals the host address, and Chromium drops such a srflx — without this, UDP that works
 * would read as blocked. Only ports that are nat-probe endpoints (the TURN port, the first alternate port) keep that
 * record (server/nat).
 */
async function confirmWithoutNat(ctx: ProbeContext, session: Session, probed: PortProbe[]): Promise<void> {
  const nat = session.nat;
  const open = probed.filter((p) => !p.result.srflx && p.rawHosts.length > 0);
  if (!nat || open.length === 0 || ctx.signal.aborted) return;
  const { seen } = await askNatObservations(ctx, nat, open.flatMap((p) => p.rawHosts.map((h) => h.address)));
  for (const p of open) {
    const endpoint = nat.endpoints.find((e) => e.port === p.result.port && p.result.url.includes(e.ip));
    const binding = endpoint && seen.find((b) => b.role === endpoint.role && p.rawHosts.some((h) => h.address === b.address && h.port === b.port));
    if (!binding) continue;
    p.result.srflx = { address: binding.address, port: binding.port };
    p.result.egressIsHost = true;
    p.result.timedOut = false;
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
      const probed = await Promise.all(session.stun.map((endpoint) => probePort(ctx, endpoint)));
      await confirmWithoutNat(ctx, session, probed);
      const ports = probed.map((p) => p.result);
      const reached = ports.filter((p) => p.srflx);
      const evidence: Evidence[] = ports.map((p) => ({
        probe: STUN_UDP_PROBE_ID,
        kind: p.srflx ? 'candidate' : 'timeout',
        summary: p.srflx
          ? p.egressIsHost
            ? `${p.url}: the server answered a Binding from this computer's own address ${p.srflx.address}:${p.srflx.port} (no NAT on the path; the browser offers no server-reflexive candidate equal to its host address)`
            : `${p.url}: server-reflexive address ${p.srflx.address}:${p.srflx.port} after ${p.srflxMs} ms`
          : `${p.url}: no STUN answer within ${srflxWaitMs(ctx.timeoutMs)} ms${p.hostCandidates === 0 ? ' (no local network interface candidate either)' : ''}`,
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
