/**
 * Deployment facts: failures that are netready's own, not the network's — "never blame the network for netready".
 *
 * - **This browser does not trust netready's certificate.** The page cannot see why an HTTPS request or a `turns:`
 *   relay failed; netready's TLS listeners can (server/tls-mirror/handshake-log.ts): a browser that rejects the
 *   certificate aborts the handshake with a certificate alert (Chromium: `certificate_unknown`), which the
 *   server-view probe reads back at the end of the run. That is decisive. When the server's view is missing, the
 *   development certificate (which no browser trusts until `netready trust`) together with HTTPS to the probe
 *   failing at once (an error, not a timeout) is taken as the likely cause; a server that answered and saw no
 *   rejection from this address rules the certificate out.
 * - **The test server stopped answering during the run.** The server-view probe, last in the plan, could not
 *   reach the server (refused, no answer, or it no longer knew the session): whatever failed before may have
 *   failed because the server went away.
 *
 * `reclassifyForDeployment` then turns the outcomes these facts explain from fail/warn into `inconclusive`, so no
 * network rule ever reads them as network failures.
 */
import { DNS_LOOKUP_PROBE_ID } from '../probes/dns-lookup';
import { DNS_VENDOR_HOSTS_PROBE_ID } from '../probes/dns-vendor-hosts';
import { MEDIA_QUALITY_PROBE_ID } from '../probes/media-quality';
import { PROXY_AUTH_PROBE_ID } from '../probes/proxy-auth';
import { SERVER_VIEW_PROBE_ID, describeHandshakes, type HandshakeSeen, type ServerViewData } from '../probes/server-view';
import { SESSION_PROBE_ID } from '../probes/session';
import { TLS_MIRROR_PROBE_ID, type TlsMirrorData } from '../probes/tls-mirror';
import { turnProbeId } from '../probes/turn-relay';
import { WEBSOCKET_PROBE_ID, type WebSocketAttempt } from '../probes/websocket';
import type { Evidence, ProbeOutcome } from '../schema/result';
import type { SessionCertificate } from '../schema/session';

/** Finding code of an untrusted netready certificate (DESIGN.md: a deployment finding). */
export const CERTIFICATE_UNTRUSTED_CODE = 'probe-certificate-untrusted';
/** Finding code of an unreachable test server (also when it stopped answering mid-run). */
export const SERVER_UNREACHABLE_CODE = 'server-unreachable';

/** Whether this browser trusts netready's certificate, and how that was established. */
export interface CertificateFacts {
  /** Where the server's certificate comes from (session document; absent from older servers). */
  source?: SessionCertificate['source'];
  untrusted: boolean;
  /**
   * `server-saw-rejection`: the server recorded this address aborting TLS handshakes with a certificate alert;
   * `development-certificate`: no server view, the dev certificate is in use and HTTPS to the probe failed at once.
   */
  basis?: 'server-saw-rejection' | 'development-certificate';
  /** The rejected handshakes the server recorded. */
  rejections: HandshakeSeen[];
  /** Probes whose failure the untrusted certificate explains (before reclassification). */
  affectedProbes: string[];
  evidence: Evidence[];
}

/** Whether the test server was lost during the run. */
export interface ServerLossFacts {
  lost: boolean;
  /** Why the server-view probe says so. */
  reason?: string;
  evidence: Evidence[];
}

/** Facts about netready's own deployment. */
export interface DeploymentFacts {
  certificate: CertificateFacts;
  server: ServerLossFacts;
}

/** Probes that talk TLS to netready's probe server and fail when the browser rejects its certificate. */
export const TLS_DEPENDENT_PROBES: readonly string[] = [turnProbeId('tls'), TLS_MIRROR_PROBE_ID, WEBSOCKET_PROBE_ID, DNS_LOOKUP_PROBE_ID];

/**
 * Probes whose failure says nothing once the test server is gone: every probe that talks to it. Not the session (it
 * worked, or there is nothing to lose), not the vendor hosts (not netready's), not a proxy's sign-in request (the
 * proxy asked, whatever the server did).
 */
const NOT_SERVER_DEPENDENT = new Set([SESSION_PROBE_ID, SERVER_VIEW_PROBE_ID, DNS_VENDOR_HOSTS_PROBE_ID, PROXY_AUTH_PROBE_ID]);

const failedOrWarned = (outcome: ProbeOutcome | undefined): boolean => outcome?.status === 'fail' || outcome?.status === 'warn';

function sessionCertificate(session: ProbeOutcome | undefined): SessionCertificate['source'] | undefined {
  const source = (session?.data.certificate as { source?: unknown } | undefined)?.source;
  return source === 'development' || source === 'acme' || source === 'configured' ? source : undefined;
}

/** Whether a TLS-dependent probe's failure is the kind a rejected certificate causes (an error, not a timeout). */
function failedLikeRejectedCertificate(id: string, outcome: ProbeOutcome | undefined): boolean {
  if (!outcome) return false;
  if (id === TLS_MIRROR_PROBE_ID) {
    const mirror = outcome.data as Partial<TlsMirrorData>;
    return outcome.status === 'inconclusive' && mirror.reached === false && mirror.timedOut === false && typeof mirror.error === 'string';
  }
  if (!failedOrWarned(outcome)) return false;
  if (id === WEBSOCKET_PROBE_ID) {
    const attempts = (outcome.data.attempts as WebSocketAttempt[] | undefined) ?? [];
    // Only the wss:// part depends on the certificate; a failing ws:// is the network's.
    return attempts.some((a) => a.scheme === 'wss' && !a.opened) && attempts.every((a) => a.scheme === 'wss' || a.echoed);
  }
  return true;
}

/** Derives the deployment facts from the raw probe outcomes. */
export function deriveDeploymentFacts(probes: Record<string, ProbeOutcome>): DeploymentFacts {
  const view = probes[SERVER_VIEW_PROBE_ID];
  const viewData = view && view.status !== 'skipped' ? (view.data as Partial<ServerViewData>) : undefined;
  const viewReached = view?.status === 'pass' && viewData?.reached === true;
  const source = sessionCertificate(probes[SESSION_PROBE_ID]);

  const rejections = viewReached ? (viewData?.tlsHandshakes ?? []).filter((h) => h.outcome === 'certificate-rejected') : [];
  const affected = TLS_DEPENDENT_PROBES.filter((id) => failedLikeRejectedCertificate(id, probes[id]));
  const mirrorFailedAtOnce = affected.includes(TLS_MIRROR_PROBE_ID);
  const certificate: CertificateFacts = { untrusted: false, rejections, affectedProbes: [], evidence: [] };
  if (source) certificate.source = source;
  if (rejections.length > 0) {
    certificate.untrusted = true;
    certificate.basis = 'server-saw-rejection';
  } else if (!viewReached && source === 'development' && mirrorFailedAtOnce) {
    certificate.untrusted = true;
    certificate.basis = 'development-certificate';
  }
  if (certificate.untrusted) {
    certificate.affectedProbes = affected;
    if (rejections.length > 0) {
      certificate.evidence.push({
        probe: SERVER_VIEW_PROBE_ID,
        kind: 'tls-handshakes',
        summary: `netready's server saw this browser abort TLS handshakes with a certificate alert — ${describeHandshakes(viewData?.tlsHandshakes ?? [])}`,
        data: { tlsHandshakes: viewData?.tlsHandshakes ?? [] },
      });
    }
    for (const id of affected) {
      const outcome = probes[id]!;
      certificate.evidence.push(...outcome.evidence.filter((e) => e.kind === 'ice-error' || e.kind === 'http-error' || e.kind === 'websocket-error'));
    }
  }

  const server: ServerLossFacts = { lost: false, evidence: [] };
  if (probes[SESSION_PROBE_ID]?.status === 'pass' && view?.status === 'fail') {
    server.lost = true;
    if (view.reason) server.reason = view.reason;
    server.evidence = view.evidence;
  }
  return { certificate, server };
}

/**
 * The outcome as `inconclusive`, its own status kept in `reclassified.from` and `because` (the finding code that
 * explains it); `note` becomes the reason, followed by what the probe itself reported.
 */
export function reclassified(outcome: ProbeOutcome, because: string, note: string): ProbeOutcome {
  return {
    ...outcome,
    status: 'inconclusive',
    reason: `${note}${outcome.reason ? ` (It reported: ${outcome.reason})` : ''}`,
    reclassified: { from: outcome.status, because },
  };
}

/** Whether the media-quality outcome could have been spoiled by the server going away mid-stream. */
function qualitySpoiled(outcome: ProbeOutcome): boolean {
  if (failedOrWarned(outcome)) return true;
  const loss = outcome.data.lossRatio;
  return outcome.status === 'pass' && typeof loss === 'number' && loss > 0;
}

/**
 * Returns the outcomes with every failure that the deployment facts explain turned into `inconclusive` (with the
 * original status kept in `reclassified`), so that no network finding is derived from netready's own failures.
 */
export function reclassifyForDeployment(probes: Record<string, ProbeOutcome>, facts: DeploymentFacts): Record<string, ProbeOutcome> {
  const out: Record<string, ProbeOutcome> = { ...probes };
  if (facts.certificate.untrusted) {
    for (const id of facts.certificate.affectedProbes) {
      const outcome = out[id];
      if (!outcome || !failedOrWarned(outcome)) continue;
      out[id] = reclassified(outcome, CERTIFICATE_UNTRUSTED_CODE, 'Not tested: this browser does not trust netready\'s certificate, so this secure connection could not be made — that is about netready\'s set-up, not the network.');
    }
  }
  if (facts.server.lost) {
    for (const [id, outcome] of Object.entries(out)) {
      if (NOT_SERVER_DEPENDENT.has(id) || outcome.reclassified) continue;
      if (id === MEDIA_QUALITY_PROBE_ID ? qualitySpoiled(outcome) : failedOrWarned(outcome)) {
        out[id] = reclassified(outcome, SERVER_UNREACHABLE_CODE, 'Not decided: the test server stopped answering during the test, so this result may be its failure, not the network\'s.');
      }
    }
  }
  return out;
}
