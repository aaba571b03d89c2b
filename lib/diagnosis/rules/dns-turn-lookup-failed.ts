/**
 * Rule `dns-turn-lookup-failed`: WebRTC got a TURN relay when the TURN server was named by IP address, but not
 * when it was named by host name — the name could not be resolved (error 701) or not in time. This is the
 * seed's costliest outage: clients without external DNS behind a proxy, whose WebRTC waits 13–40 s for the
 * TURN lookup before anything else is tried. A warning, not a blocker: the relay itself works.
 */
import type { Finding } from '../../schema/result';
import { classifyIceError } from '../../probes/webrtc';
import { describeIceUrl } from '../facts';
import type { Rule } from '../types';

/** dns-turn-lookup-failed */
export const dnsTurnLookupFailed: Rule = {
  code: 'dns-turn-lookup-failed',
  explains: ['dns-turn-lookup'],
  evaluate(facts): Finding | null {
    const turn = facts.dns?.turnLookup;
    if (!turn) return null;
    const lateMs = facts.thresholds.dnsTurnLookupLateMs;
    const missing = turn.pairs.filter((p) => p.byIp.relay && !p.byName.relay);
    // By name it worked, but only after the browser's own lookup had failed (e.g. a proxy resolved it later via
    // CONNECT). A lookup that is merely slow also delays the relay, but raises no "host lookup" error: that is
    // dns-slow's story, not this one.
    // A host-lookup 701 on a URL that still produced a relay is Chromium's AAAA false alarm (LAB.md): not a failure.
    const lookupFailed = turn.pairs.some(
      (p) => !p.byName.relay && p.byName.errors.some((e) => classifyIceError(e) === 'lookup'),
    );
    const late = lookupFailed
      ? turn.pairs.filter((p) => p.byIp.relay && p.byName.relay && (p.byName.relayMs ?? 0) - (p.byIp.relayMs ?? 0) > lateMs)
      : [];
    const failed = [...missing, ...late];
    if (failed.length === 0) return null;
    const transports = failed.map((p) => p.transport.toUpperCase()).join(', ');
    const lookupErrors = missing.filter((p) => p.byName.outcome === 'lookup-error');
    const lookup = facts.dns?.lookup;
    const lateText = late
      .map((p) => `over ${p.transport.toUpperCase()} the relay by name came only after ${p.byName.relayMs} ms, against ${p.byIp.relayMs} ms by IP`)
      .join('; ');
    const how =
      missing.length === 0
        ? `${lateText} — the browser's own lookup of the name timed out before something else (a proxy) resolved it`
        : lookupErrors.length === missing.length
          ? 'the browser reported that the lookup of the name failed (ICE error 701)'
          : lookupErrors.length > 0
            ? 'the lookup of the name failed (ICE error 701) or did not finish before the test gave up'
            : 'no relay came back before the test gave up, while the same server answered at once by IP address — the lookup of the name is hanging';
    const ipUrl = failed[0]!.byIp.url;
    const { host: ip } = describeIceUrl(ipUrl);
    return {
      code: 'dns-turn-lookup-failed',
      severity: 'warning',
      title: `WebRTC cannot look up the TURN server's name (${turn.turnHost})`,
      detail:
        `A TURN relay was set up at once when the server was given by IP address (${ip}), but not when it was given by its name ` +
        `${turn.turnHost} (over ${transports}): ${how}${missing.length > 0 && late.length > 0 ? `; ${lateText}` : ''}. Calls that name their TURN servers by host name will wait for this lookup — ` +
        'typically 13 to 40 seconds on networks without external DNS — before they fall back, or fail.' +
        (lookup?.resolvedByProxy ? ' Web pages still load because the web proxy looks names up on the browser\'s behalf; WebRTC does not use the proxy for its lookup.' : ''),
      remediation:
        `Either let clients resolve the TURN host name: add an internal DNS entry for ${turn.turnHost} (and the meeting vendor's TURN host names) ` +
        'or let the internal resolver forward these names to the Internet; or have the meeting service hand out TURN by IP address on port 443 ' +
        `(e.g. turns:${ip}:443?transport=tcp and turn:${ip}:443?transport=tcp), which needs no lookup at all.`,
      evidence: turn.evidence.filter((e) => failed.some((p) => e.data?.transport === p.transport)),
    };
  },
};
