/**
 * What both result stores (sqlite-store.ts, postgres-store.ts) share: share ids, delete tokens, the client key of the
 * per-client limits, and reading a stored record back through the result schema.
 */
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { SEVERITY_RANK } from '../../lib/schema/finding-order';
import { ResultSchema, type Result, type Severity } from '../../lib/schema/result';
import { ResultStoreError } from './result-store';

/** Share ids: 16 random bytes as base64url → 22 characters of [A-Za-z0-9_-] (128 bits). */
const SHARE_ID_BYTES = 16;
/** Shape of every id a store can issue; other strings are answered with null without a query. */
const SHARE_ID_PATTERN = /^[A-Za-z0-9_-]{16,64}$/;
/** Delete tokens: 32 random bytes as base64url (256 bits). */
const DELETE_TOKEN_BYTES = 32;
/** Bytes of the random salt that client-address keys are HMACed with (kept in the database's meta table). */
export const CLIENT_SALT_BYTES = 32;
/** How many fresh ids put() tries when an id is already taken (only plausible with an injected generator). */
export const MAX_ID_ATTEMPTS = 5;

/** Returns a fresh random share id (22 URL-safe characters). */
export function generateShareId(): string {
  return randomBytes(SHARE_ID_BYTES).toString('base64url');
}

/** Tells whether a string has the shape of a share id (cheap pre-check before a lookup). */
export function isShareId(id: string): boolean {
  return SHARE_ID_PATTERN.test(id);
}

/** A fresh delete token (43 URL-safe characters), handed to the submitter once and stored only as its hash. */
export function generateDeleteToken(): string {
  return randomBytes(DELETE_TOKEN_BYTES).toString('base64url');
}

/** The SHA-256 of a delete token, hex: what the database keeps. */
export function deleteTokenHash(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/** Whether `token` is the one whose hash was stored (constant time). */
export function deleteTokenMatches(token: string, storedHash: string | null): boolean {
  if (!storedHash) return false;
  const given = Buffer.from(deleteTokenHash(token), 'hex');
  const stored = Buffer.from(storedHash, 'hex');
  return given.length === stored.length && timingSafeEqual(given, stored);
}

/** The key a client address is counted under: HMAC-SHA-256 with the database's salt, 32 hex digits (128 bits). */
export function clientKeyOf(salt: Buffer, clientAddress: string): string {
  return createHmac('sha256', salt).update(clientAddress).digest('hex').slice(0, 32);
}

/** Parses and re-validates a stored result; ResultStoreError `corrupt_record` when it no longer matches the schema. */
export function readStoredJson(id: string, json: string): Result {
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch (cause) {
    throw new ResultStoreError('corrupt_record', `stored result ${id} is not valid JSON`, { cause });
  }
  const parsed = ResultSchema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue ? issue.path.join('.') || '(top level)' : '(unknown)';
    throw new ResultStoreError('corrupt_record', `stored result ${id} does not match the result schema at ${where}`);
  }
  return parsed.data;
}

/** The result's finding codes, each once, with its most severe severity (a code reported twice keeps that): the rows of `result_findings`. */
export function findingRows(result: Result): Array<{ code: string; severity: Severity }> {
  const rows = new Map<string, Severity>();
  for (const { code, severity } of result.findings) {
    const known = rows.get(code);
    if (known === undefined || SEVERITY_RANK[severity] < SEVERITY_RANK[known]) rows.set(code, severity);
  }
  return [...rows].map(([code, severity]) => ({ code, severity }));
}
