/**
 * Browser facts (issue 18): failures that are this browser's or the way netready was opened, not the network's —
 * the same "never blame the network for netready" as facts-deployment.ts, one step further out.
 *
 * - **No WebRTC in this browser.** The runner read `RTCPeerConnection` missing or throwing (client.webrtc): a policy,
 *   a pref (Firefox `media.peerconnection.enabled`), an extension or an in-app web view. Nothing WebRTC could run.
 * - **netready answers on a loopback address the browser does not use for WebRTC.** Every STUN/TURN URL of the
 *   session is on 127.0.0.0/8 or ::1 (or named `localhost`), and nothing came back from any of them: no server-reflexive candidate, no relay,
 *   no candidate on a loopback address. Firefox gathers no loopback candidates (`media.peerconnection.ice.loopback` is
 *   off by default), so nothing can reach a probe server there. Decided from the addresses and what was gathered,
 *   never from the User-Agent: Chromium on loopback gets its srflx candidates and is not touched.
 * - **TURN over TLS given only by IP address, and this browser did not try it.** The `turns:` URL is an IP literal;
 *   the browser ended gathering with no relay and no ICE error, and netready's TURN/TLS listener saw no handshake
 *   from it without a server name (a handshake naming a host came from a URL by name), while TURN over TCP to the
 *   same server carried data or TURN over TLS to the same port by name got a relay (the dns-turn-lookup probe). Firefox never tries an IP-literal `turns:` URL (it
 *   needs a name to check the certificate against). A firewall dropping the TLS port keeps gathering open until the
 *   deadline, or ends it with an ICE error, so it is not mistaken for this.
 *
 * `reclassifyForBrowser` turns the outcomes these facts explain into `inconclusive`, so no network rule reads them.
 */
import { DNS_TURN_LOOKUP_PROBE_ID, type DnsTurnLookupData } from '../probes/dns-turn-lookup';
import { ICE_TCP_PROBE_ID } from '../probes/ice-tcp';
import { INTERFACES_PROBE_ID } from '../probes/interfaces';
import { MEDIA_QUALITY_PROBE_ID } from '../probes/media-quality';
import { MTU_PROBE_ID } from '../probes/mtu';
import { NAT_PROBE_ID } from '../probes/nat';
import { SERVER_VIEW_PROBE_ID, type ServerViewData } from '../probes/server-view';
import { STUN_UDP_PROBE_ID, type StunPortResult } from '../probes/stun-udp';
import { TURN_TRANSPORTS, turnProbeId, type TurnRelayData } from '../probes/turn-relay';
import type { CandidateInfo } from '../probes/webrtc';
import type { ClientInfo, Evidence, ProbeOutcome } from '../schema/result';
import { reclassified } from './facts-deployment';

/** Finding code of a browser without WebRTC (DESIGN.md: a browser finding). */
export const WEBRTC_UNAVAILABLE_CODE = 'webrtc-unavailable';
/** Finding code of a probe server on a loopback address the browser does not use for WebRTC (a deployment finding). */
export const PROBE_ON_LOOPBACK_CODE = 'probe-on-loopback';
/** Finding code of a TURN/TLS URL by IP address that this browser does not try (a deployment finding). */
export const TURN_TLS_NEEDS_HOSTNAME_CODE = 'turn-tls-needs-hostname';

/** Every probe that needs a peer connection. */
export const WEBRTC_PROBES: readonly string[] = [
  STUN_UDP_PROBE_ID,
  ...TURN_TRANSPORTS.map(turnProbeId),
  DNS_TURN_LOOKUP_PROBE_ID,
  ICE_TCP_PROBE_ID,
  MTU_PROBE_ID,
  NAT_PROBE_ID,
  INTERFACES_PROBE_ID,
  MEDIA_QUALITY_PROBE_ID,
];

/** Facts about the browser and how netready was opened in it. */
export interface BrowserFacts {
  /** RTCPeerConnection is missing or throws; `error` says which. */
  webrtcUnavailable?: { error: string; affectedProbes: string[]; evidence: Evidence[] };
  /** Every STUN/TURN address is loopback and nothing reached them. */
  loopback?: { addresses: string[]; affectedProbes: string[]; evidence: Evidence[] };
  /** TURN/TLS by IP literal not tried by this browser. */
  turnTlsNotTried?: { url: string; gatheringCompleteMs: number; evidence: Evidence[] };
}

/** Host of a `stun:`/`turn:`/`turns:` URL, without IPv6 brackets. */
function iceUrlHost(url: string): string {
  const match = /^(?:stuns?|turns?):(\[[^\]]+\]|[^:?]+)/.exec(url);
  return (match?.[1] ?? '').replace(/^\[|\]$/g, '');
}

/** Whether an address is loopback: 127.0.0.0/8 or ::1 (RFC 1122 3.2.1.3, RFC 4291 2.5.3). */
export function isLoopbackAddress(address: string): boolean {
  return /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(address) || address === '::1' || /^(?:0{1,4}:){7}0{0,3}1$/.test(address);
}

/**
 * Whether an ICE URL's host is loopback: a loopback address, or `localhost` and names under it, which always resolve
 * to loopback (RFC 6761 §6.3) — a deployment with `probe.publicHost: localhost` is as unreachable for Firefox's WebRTC
 * as one on 127.0.0.1.
 */
export function isLoopbackHost(host: string): boolean {
  const name = host.toLowerCase().replace(/\.$/, '');
  return isLoopbackAddress(name) || name === 'localhost' || name.endsWith('.localhost');
}

function isIpLiteralHost(host: string): boolean {
  return /^\d{1,3}(?:\.\d{1,3}){3}$/.test(host) || host.includes(':');
}

/**
 * Whether an outcome is one the browser facts explain: anything but a pass — except a probe skipped for a reason of
 * its own (the server offers no such endpoint, DNS is not configured), which stays as it is. A probe the engine
 * skipped because of another probe (lib/engine/run-plan.ts: "Not run: it needs …", "Stopped early: …") is explained.
 */
function explainable(outcome: ProbeOutcome | undefined): boolean {
  if (outcome === undefined || outcome.status === 'pass') return false;
  if (outcome.status !== 'skipped') return true;
  return /^(?:Not run: it needs |Stopped early: )/.test(outcome.reason ?? '');
}

/** Derives the browser facts from the raw probe outcomes and the client block. */
export function deriveBrowserFacts(probes: Record<string, ProbeOutcome>, client?: ClientInfo): BrowserFacts {
  const facts: BrowserFacts = {};
  const present = WEBRTC_PROBES.filter((id) => explainable(probes[id]));
  if (client?.webrtc && !client.webrtc.peerConnection) {
    const error = client.webrtc.error ?? 'RTCPeerConnection is not available';
    facts.webrtcUnavailable = {
      error,
      affectedProbes: present,
      evidence: [{ kind: 'browser-capability', summary: `This browser's WebRTC: ${error}`, data: { ...client.webrtc } }],
    };
    // Nothing else about WebRTC can be said without it.
    return facts;
  }

  const stun = probes[STUN_UDP_PROBE_ID];
  const ports = Array.isArray(stun?.data.ports) ? (stun.data.ports as StunPortResult[]) : [];
  const turns = TURN_TRANSPORTS.map((t) => probes[turnProbeId(t)]).filter((o): o is ProbeOutcome => o !== undefined && o.status !== 'skipped');
  const turnData = turns.map((o) => o.data as Partial<TurnRelayData>);
  const urls = [...ports.map((p) => p.url), ...turnData.map((d) => d.url)].filter((u): u is string => typeof u === 'string');
  const hosts = [...new Set(urls.map(iceUrlHost))];
  const candidates = turnData.flatMap((d) => (Array.isArray(d.candidates) ? (d.candidates as CandidateInfo[]) : []));
  const allLoopback = hosts.length > 0 && hosts.every(isLoopbackHost);
  const nothingCameBack = ports.every((p) => !p.srflx) && turnData.every((d) => !d.relay) && !candidates.some((c) => isLoopbackAddress(c.address));
  if (allLoopback && nothingCameBack) {
    facts.loopback = {
      addresses: hosts,
      affectedProbes: present,
      evidence: [
        {
          probe: STUN_UDP_PROBE_ID,
          kind: 'loopback-server',
          summary: `netready's STUN/TURN servers are on ${hosts.join(', ')} (loopback) and this browser gathered no candidate that reached them: no server-reflexive address, no relay, no loopback candidate`,
          data: { addresses: hosts, urls, candidatesGathered: candidates.length },
        },
      ],
    };
    return facts;
  }

  const tls = probes[turnProbeId('tls')];
  const tlsData = tls?.data as Partial<TurnRelayData> | undefined;
  const tcp = probes[turnProbeId('tcp')];
  const view = probes[SERVER_VIEW_PROBE_ID];
  const viewData = view?.status === 'pass' ? (view.data as Partial<ServerViewData>) : undefined;
  const tcpCarries = tcp?.status === 'pass' && ((tcp.data as Partial<TurnRelayData>).dataChannel?.echoed ?? 0) > 0;
  // The same TLS port by name: the dns-turn-lookup probe's relay over TLS (a proxy that lets only CONNECT 443 through
  // leaves TURN over TCP on port 80 no way out, yet carried TLS by name).
  const lookupPairs = (probes[DNS_TURN_LOOKUP_PROBE_ID]?.data as Partial<DnsTurnLookupData> | undefined)?.pairs;
  const tlsByName = Array.isArray(lookupPairs) ? lookupPairs.find((p) => p.transport === 'tls')?.byName : undefined;
  const tlsByNameRelayed = tlsByName?.outcome === 'relay';
  if (
    tls &&
    (tls.status === 'fail' || tls.status === 'warn') &&
    typeof tlsData?.url === 'string' &&
    tlsData.url.startsWith('turns:') &&
    isIpLiteralHost(iceUrlHost(tlsData.url)) &&
    !tlsData.relay &&
    (tlsData.errors ?? []).length === 0 &&
    typeof tlsData.gatheringCompleteMs === 'number' &&
    viewData?.reached === true &&
    // A handshake that named a host (SNI) came from a URL by name (the dns-turn-lookup probe's), not this one.
    !(viewData.tlsHandshakes ?? []).some((h) => h.listener === 'turn-tls' && typeof h.serverName !== 'string') &&
    (tcpCarries || tlsByNameRelayed)
  ) {
    facts.turnTlsNotTried = {
      url: tlsData.url,
      gatheringCompleteMs: tlsData.gatheringCompleteMs,
      evidence: [
        {
          probe: turnProbeId('tls'),
          kind: 'not-tried',
          summary:
            `${tlsData.url}: this browser ended gathering after ${tlsData.gatheringCompleteMs} ms with no relay and no error, and netready's TURN/TLS listener saw no handshake from it — it did not try this IP-address URL` +
            (tlsByNameRelayed && tlsByName ? `; by name (${tlsByName.url}) it got a relay over TLS after ${tlsByName.relayMs} ms` : ''),
          data: { url: tlsData.url, gatheringCompleteMs: tlsData.gatheringCompleteMs, ...(tlsByNameRelayed && tlsByName ? { byName: tlsByName.url, byNameRelayMs: tlsByName.relayMs } : {}) },
        },
      ],
    };
  }
  return facts;
}

/** The probes the browser facts explain (and no deployment fact may claim). */
export function browserClaims(facts: BrowserFacts): Set<string> {
  return new Set([...(facts.webrtcUnavailable?.affectedProbes ?? []), ...(facts.loopback?.affectedProbes ?? []), ...(facts.turnTlsNotTried ? [turnProbeId('tls')] : [])]);
}

/**
 * Returns the outcomes with everything the browser facts explain turned into `inconclusive` (the original status kept
 * in `reclassified`), so that no network finding is derived from them. `raw` are the outcomes as the probes reported
 * them: a probe another fact reclassified already (a server lost mid-run) is rewritten from what it reported, so its
 * `reclassified.from` stays the probe's own status — the browser's cause comes first, nothing was tried.
 */
export function reclassifyForBrowser(probes: Record<string, ProbeOutcome>, facts: BrowserFacts, raw: Record<string, ProbeOutcome> = probes): Record<string, ProbeOutcome> {
  const out: Record<string, ProbeOutcome> = { ...probes };
  for (const id of browserClaims(facts)) if (raw[id]) out[id] = raw[id];
  if (facts.webrtcUnavailable) {
    for (const id of facts.webrtcUnavailable.affectedProbes) {
      // "The probe could not run: RTCPeerConnection is not defined" is replaced, not kept: it reads like a bug.
      const outcome = out[id]!;
      out[id] = {
        ...outcome,
        status: 'inconclusive',
        reason: 'Not tested: WebRTC is switched off or missing in this browser, so no call connection could be tried — that is about the browser, not the network.',
        reclassified: { from: outcome.status, because: WEBRTC_UNAVAILABLE_CODE },
      };
    }
  }
  if (facts.loopback) {
    for (const id of facts.loopback.affectedProbes) {
      out[id] = reclassified(out[id]!, PROBE_ON_LOOPBACK_CODE, 'Not tested: netready was opened on a loopback address, which this browser does not use for call connections — that is about how netready was opened, not the network.');
    }
  }
  if (facts.turnTlsNotTried) {
    const id = turnProbeId('tls');
    out[id] = reclassified(out[id]!, TURN_TLS_NEEDS_HOSTNAME_CODE, 'Not tested: netready gives TURN over TLS only by IP address, which this browser does not try — that is about netready\'s set-up, not the network.');
  }
  return out;
}
