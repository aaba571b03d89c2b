/**
 * Probe "dns-turn-lookup": WebRTC's own lookup of the TURN host name. For each TURN transport, two relay-only
 * peer connections at the same time — one with `turn:turn.<zone>…` (the name) and one with the IP-literal URL —
 * each waiting for a relay candidate until the probe's own deadline (a lookup that is silently dropped raises
 * nothing for 13–40 s in Chromium, LAB.md). A relay by IP but not by name means the name could not be resolved
 * (or only too late), which no other check tells apart from "TURN is unreachable". `icecandidateerror` 701
 * ("TURN host lookup received error.") is recorded, but a 701 for a URL that still produced a relay is the
 * failed AAAA lookup Chromium reports on every network without IPv6 (LAB.md), not a failure.
 * Only allocation is tested here; whether data flows through a relay is the turn-* probes' job.
 */
import type { Evidence } from '../schema/result';
import type { TurnEndpoint } from '../schema/session';
import { readSession, SESSION_PROBE_ID } from './session';
import { DNS_PROBE_TIMEOUT_MS } from './dns-lookup';
import { skippedReport, type Probe, type ProbeContext, type ProbeReport } from './types';
import { CandidateLog, classifyIceError, DeadlineError, ICE_ERROR_TURN_UNREACHABLE, type IceErrorInfo } from './webrtc';

/** Id of the TURN-hostname lookup probe. */
export const DNS_TURN_LOOKUP_PROBE_ID = 'dns-turn-lookup';

/** How one relay-only attempt ended. */
export type RelayAttemptOutcome = 'relay' | 'lookup-error' | 'no-relay';

/** One relay-only peer connection with a single TURN URL. */
export interface RelayAttempt {
  url: string;
  outcome: RelayAttemptOutcome;
  relay?: { address: string; port: number; relayProtocol: string };
  /** ms from start to the relay candidate. */
  relayMs?: number;
  /** The deadline passed without a relay. */
  timedOut: boolean;
  errors: IceErrorInfo[];
  /**
   * `lookup-error` read from the pair, not from the error's text: the engine gave 701 with no text (Firefox ESR 153
   * for a name that does not resolve) while the same server by address gave a relay (inferLookupErrors).
   */
  lookupInferred?: true;
}

/** Name vs IP literal for one transport. */
export interface TurnLookupPair {
  transport: TurnEndpoint['transport'];
  byName: RelayAttempt;
  byIp: RelayAttempt;
}

/** `data` of the TURN-hostname lookup probe. */
export interface DnsTurnLookupData {
  turnHost: string;
  pairs: TurnLookupPair[];
}

async function attemptRelay(ctx: ProbeContext, endpoint: TurnEndpoint): Promise<RelayAttempt> {
  const started = ctx.env.now();
  const pc = ctx.env.createPeerConnection({
    iceServers: [{ urls: endpoint.url, username: endpoint.username, credential: endpoint.credential }],
    iceTransportPolicy: 'relay',
  });
  const log = new CandidateLog(pc, ctx.env, started);
  const attempt: RelayAttempt = { url: endpoint.url, outcome: 'no-relay', timedOut: false, errors: [] };
  try {
    pc.createDataChannel('netready-dns');
    await pc.setLocalDescription(await pc.createOffer());
    // A failed connection (or a STUN error from our server) decides the attempt at once; a host-lookup 701 does not
    // (the AAAA false alarm), so a name that does not resolve still waits for its relay until the deadline.
    const waited = await log.waitForRelayOrDecided(endpoint.url, ctx.signal);
    if (waited.kind === 'relay') {
      const relay = waited.candidate;
      attempt.relay = { address: relay.address, port: relay.port, relayProtocol: relay.relayProtocol ?? endpoint.transport };
      attempt.relayMs = relay.atMs;
      attempt.outcome = 'relay';
    }
  } catch (error) {
    if (error instanceof DeadlineError || ctx.signal.aborted) attempt.timedOut = true;
    else throw error;
  } finally {
    pc.close();
  }
  attempt.errors = [...log.errors];
  attempt.outcome = attemptOutcome(attempt.relay !== undefined, attempt.errors);
  return attempt;
}

/**
 * How one attempt ended, from whether a relay came and the ICE errors: Chromium also uses 701 for "Failed to
 * establish connection"; only its host-lookup text means DNS failed (Firefox's bare 701: inferLookupErrors).
 */
export function attemptOutcome(relayed: boolean, errors: readonly Pick<IceErrorInfo, 'errorCode' | 'errorText'>[]): RelayAttemptOutcome {
  if (relayed) return 'relay';
  return errors.some((e) => classifyIceError(e) === 'lookup') ? 'lookup-error' : 'no-relay';
}

function evidenceFor(pair: TurnLookupPair, timeoutMs: number): Evidence[] {
  const out: Evidence[] = [];
  for (const [form, attempt] of [['name', pair.byName], ['IP', pair.byIp]] as const) {
    out.push({
      probe: DNS_TURN_LOOKUP_PROBE_ID,
      kind: attempt.relay ? 'candidate' : 'timeout',
      summary: attempt.relay
        ? `${attempt.url} (by ${form}): relay after ${attempt.relayMs} ms`
        : attempt.timedOut
          ? `${attempt.url} (by ${form}): no relay within ${timeoutMs} ms${attempt.outcome === 'lookup-error' ? ' — host lookup failed (error 701)' : ''}`
          : attempt.lookupInferred
            ? `${attempt.url} (by ${form}): no relay — error 701 without a reason while the same server by address gave one: the name did not resolve`
            : `${attempt.url} (by ${form}): no relay — the browser gave up on the connection before the deadline (see its ICE error)`,
      data: { transport: pair.transport, form, url: attempt.url, outcome: attempt.outcome, relayMs: attempt.relayMs, timedOut: attempt.timedOut },
    });
    for (const e of attempt.errors) {
      out.push({
        probe: DNS_TURN_LOOKUP_PROBE_ID,
        kind: 'ice-error',
        summary: `${e.url}: error ${e.errorCode} "${e.errorText}" after ${e.atMs} ms${attempt.relay ? ' (relay obtained anyway: not a failure)' : ''}`,
        data: { ...e, transport: pair.transport, form },
      });
    }
  }
  return out;
}

/**
 * Firefox reports a TURN host name that does not resolve as error 701 with an empty text, where Chromium says
 * "… host lookup received error." (classifyIceError). A by-name attempt that ended with such a bare 701 and no relay,
 * while the same transport by address got one, failed on the name: its outcome is `lookup-error`, marked inferred.
 */
export function inferLookupErrors(pair: TurnLookupPair): TurnLookupPair {
  const { byName, byIp } = pair;
  if (byName.relay || !byIp.relay || byName.outcome === 'lookup-error') return pair;
  if (!byName.errors.some((e) => e.errorCode === ICE_ERROR_TURN_UNREACHABLE && e.errorText.trim() === '')) return pair;
  return { ...pair, byName: { ...byName, outcome: 'lookup-error', lookupInferred: true } };
}

/** Creates the TURN-hostname lookup probe. */
export function createDnsTurnLookupProbe(): Probe {
  return {
    id: DNS_TURN_LOOKUP_PROBE_ID,
    timeoutMs: DNS_PROBE_TIMEOUT_MS,
    title: 'WebRTC lookup of the TURN server name',
    dependsOn: [SESSION_PROBE_ID],
    async run(ctx): Promise<ProbeReport> {
      const session = readSession(ctx);
      if (!session.dns) {
        return skippedReport('DNS probing is not configured on the test server (no dns.zone), so TURN by host name was not tested.');
      }
      const turnHost = `turn.${session.dns.zone}`;
      const jobs = session.dns.turnByName.flatMap((byName) => {
        const byIp = session.turn.find((t) => t.transport === byName.transport);
        return byIp ? [{ byName, byIp }] : [];
      });
      if (jobs.length === 0) {
        return { status: 'skipped', reason: 'The test server offers no TURN URL to compare by name and by IP.', data: { turnHost, pairs: [] }, evidence: [] };
      }
      ctx.progress(`Allocating TURN relays via ${turnHost} and via the IP address`);
      const pairs: TurnLookupPair[] = await Promise.all(
        jobs.map(async ({ byName, byIp }) => {
          const [nameAttempt, ipAttempt] = await Promise.all([attemptRelay(ctx, byName), attemptRelay(ctx, byIp)]);
          return inferLookupErrors({ transport: byName.transport, byName: nameAttempt, byIp: ipAttempt });
        }),
      );
      const data: DnsTurnLookupData = { turnHost, pairs };
      const evidence = pairs.flatMap((p) => evidenceFor(p, ctx.timeoutMs));
      const record = data as unknown as Record<string, unknown>;
      const ipWorks = pairs.filter((p) => p.byIp.relay);
      if (ipWorks.length === 0) {
        return {
          status: 'inconclusive',
          reason: 'No TURN relay could be allocated by IP address either, so a name-lookup problem cannot be told apart from TURN being unreachable.',
          data: record,
          evidence,
        };
      }
      const nameFails = ipWorks.filter((p) => !p.byName.relay);
      if (nameFails.length > 0) {
        return {
          status: 'warn',
          reason: `TURN by IP worked but by the name ${turnHost} did not over ${nameFails.map((p) => p.transport.toUpperCase()).join(', ')}.`,
          data: record,
          evidence,
        };
      }
      return { status: 'pass', data: record, evidence };
    },
  };
}
