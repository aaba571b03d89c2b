/** The real results of testdata/results/ (see its README), parsed, for the PAC check's tests of lib/pac. */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { ResultSchema, type Result } from '../../schema/result';

const DIR = path.resolve(import.meta.dirname, '..', '..', '..', 'testdata', 'results');
const load = (file: string): Result => ResultSchema.parse(JSON.parse(readFileSync(path.join(DIR, file), 'utf8')));

/** A real deep run on loopback (interfaces revealed, no DNS zone). */
export const REAL_DEEP_RUN: Result = load('chromium-156-loopback-deep.json');
/** A real run with a DNS zone, resolved through dnsmasq. */
export const REAL_DNS_RUN: Result = load('chromium-156-loopback-dns.json');
