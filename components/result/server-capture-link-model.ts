/**
 * The probe server's capture of a run (issue 20, "the server's side of the capture"): where a result says it can be
 * downloaded. Results are stored as the browser sent them, so the URL is only trusted when it has the one shape the
 * probe API serves — http(s), `/v1/sessions/<id>/capture.pcapng`, no credentials — never a `javascript:` or any
 * other link a hostile result could carry. Pure: read from the result JSON only.
 */
import type { ProbeOutcome } from '../../lib/schema/result';

const CAPTURE_PATH = /^\/v1\/sessions\/[A-Za-z0-9_-]{1,64}\/capture\.pcapng$/;

/** The capture download URL the run's session recorded (`probes.session.data.captureUrl`), or null. */
export function serverCaptureUrl(probes: Readonly<Record<string, ProbeOutcome>>): string | null {
  const value = probes.session?.data?.captureUrl;
  if (typeof value !== 'string' || value.length > 2048) return null;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return null;
  }
  if ((url.protocol !== 'https:' && url.protocol !== 'http:') || url.username || url.password || url.search || url.hash) return null;
  return CAPTURE_PATH.test(url.pathname) ? url.href : null;
}
