/**
 * What `/readyz` reports: a list of named checks, ready only when all pass. Each failing check says what is wrong in
 * words an operator can act on; the JSON body names them.
 */
import { X509Certificate } from 'node:crypto';

/** One readiness check. */
export interface ReadinessCheck {
  /** What was checked (`listener turn-tls`, `certificate main`, `result store` …). */
  name: string;
  /** Whether it passed. */
  ok: boolean;
  /** Why it failed (or a note when it passed). */
  detail?: string;
}

/** The answer of a readiness check. */
export interface Readiness {
  /** All checks passed. */
  ready: boolean;
  /** Every check, passed or not. */
  checks: ReadinessCheck[];
}

/** A certificate must stay valid at least this long (ms) for the process to count as ready: one day. */
export const MIN_CERTIFICATE_VALIDITY_MS = 24 * 60 * 60 * 1000;

/** Combines checks into a Readiness. */
export function readinessOf(checks: ReadinessCheck[]): Readiness {
  return { ready: checks.every((check) => check.ok), checks };
}

/** When a PEM chain's leaf stops being valid, ms since the epoch (node:crypto parses `validTo`). */
export function certificateNotAfterMs(certPem: string): number {
  return new Date(new X509Certificate(certPem).validTo).getTime();
}

/**
 * Whether the certificate `name` is valid now and for at least MIN_CERTIFICATE_VALIDITY_MS more: a certificate about
 * to expire takes the process out of rotation before browsers start refusing it.
 */
export function certificateCheck(name: string, certPem: string, nowMs: number): ReadinessCheck {
  const check = `certificate ${name}`;
  let leaf: X509Certificate;
  try {
    leaf = new X509Certificate(certPem);
  } catch (error) {
    return { name: check, ok: false, detail: `cannot be read: ${error instanceof Error ? error.message : String(error)}` };
  }
  const notBefore = new Date(leaf.validFrom).getTime();
  const notAfter = new Date(leaf.validTo).getTime();
  if (nowMs < notBefore) return { name: check, ok: false, detail: `not valid before ${new Date(notBefore).toISOString()}` };
  if (notAfter - nowMs < MIN_CERTIFICATE_VALIDITY_MS) {
    return { name: check, ok: false, detail: notAfter <= nowMs ? `expired at ${new Date(notAfter).toISOString()}` : `expires at ${new Date(notAfter).toISOString()}, in less than a day` };
  }
  return { name: check, ok: true, detail: `valid until ${new Date(notAfter).toISOString()}` };
}
