/**
 * The real results in testdata/results/ (see its README), parsed against ResultSchema, for the result models' tests.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { ResultSchema, type Result } from '../../../lib/schema/result';

const DIR = path.resolve(import.meta.dirname, '..', '..', '..', 'testdata', 'results');

/** A real deep run on loopback: every WebRTC check, no DNS zone. */
export const REAL_DEEP_RUN: Result = ResultSchema.parse(JSON.parse(readFileSync(path.join(DIR, 'chromium-156-loopback-deep.json'), 'utf8')));

/** A real run with a DNS zone, resolved through dnsmasq. */
export const REAL_DNS_RUN: Result = ResultSchema.parse(JSON.parse(readFileSync(path.join(DIR, 'chromium-156-loopback-dns.json'), 'utf8')));

/** A probe outcome for hand-made cases. */
export function outcome(data: Record<string, unknown>, status: Result['probes'][string]['status'] = 'pass'): Result['probes'][string] {
  return { status, durationMs: 1000, data, evidence: [] };
}
