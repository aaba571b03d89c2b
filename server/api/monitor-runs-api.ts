/**
 * POST /api/monitor/runs (issue 19): a `netready monitor --token <token>` stores each check on the server under its
 * site, for the support view's Sites page. The token decides the site: the operator lists each site's name and the
 * SHA-256 of its token in `monitor.sites` (`npx netready site-token` makes both), so the server never holds a token.
 *
 * Refuses, before reading the body: no bearer token (401 `site_token_required`), a token that is no site's (401
 * `site_token_invalid`), a body not declared JSON (415), more than MONITOR_RUNS_PER_MINUTE checks of one site a
 * minute (429); then, like POST /api/results, bodies over `web.maxResultBytes` (413), JSON nested too deep (400) and
 * invalid results (400/422). Nothing is stored unless all pass. A site's check is a stored result like any other
 * (share link, retention, client-address policy); it is not charged to a client's daily quota — the token is the
 * operator's, and the rate limit bounds what one site stores.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { ApiError } from '../../lib/api/api-error';
import { applyClientAddressPolicy } from '../../lib/privacy/client-addresses';
import {
  MAX_JSON_DEPTH,
  RetryLaterError,
  checkJsonContentType,
  countFailure,
  errorResponse,
  expiryOf,
  fromStoreError,
  jsonDepthExceeds,
  logErrorOf,
  parseSubmission,
  readBodyText,
  type ResultsApiDeps,
} from './results-api';

/** Most checks one site may store a minute: a check every 30 s (the monitor's shortest interval) and its retries. */
export const MONITOR_RUNS_PER_MINUTE = 4;

/** A configured site (config `monitor.sites`). */
export interface MonitoredSite {
  name: string;
  /** SHA-256 of the site's token, hex. */
  tokenSha256: string;
}

/** What the monitor-runs API needs from its caller: the results API's store and limits, and the sites. */
export interface MonitorRunsDeps extends Pick<ResultsApiDeps, 'store' | 'maxResultBytes' | 'retentionDays' | 'clientAddresses' | 'ownAddresses' | 'logError' | 'ops'> {
  sites: readonly MonitoredSite[];
}

/** Body of a 201 answer. */
export interface StoredCheckResponse {
  /** Share id of the stored check. */
  id: string;
  /** Absolute URL of its share page. */
  url: string;
  /** The site the token stands for (the Sites page lists the check under it). */
  site: string;
  /** When the server deletes it by itself (ISO 8601). */
  expiresAt: string;
}

/** The SHA-256 (hex) of a site token: what `monitor.sites[].tokenSha256` holds. */
export function siteTokenHash(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/** The site whose token `token` is, or undefined (compared in constant time per site). */
export function siteOfToken(token: string, sites: readonly MonitoredSite[]): MonitoredSite | undefined {
  const hash = Buffer.from(siteTokenHash(token), 'hex');
  let found: MonitoredSite | undefined;
  for (const site of sites) {
    const stored = Buffer.from(site.tokenSha256, 'hex');
    if (stored.length === hash.length && timingSafeEqual(stored, hash)) found ??= site;
  }
  return found;
}

const JSON_HEADERS = { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' };

/** POST /api/monitor/runs: token, media type, per-site rate, size, depth, schema, store; 201 StoredCheckResponse. */
export async function postMonitorRun(request: Request, deps: MonitorRunsDeps): Promise<Response> {
  try {
    const token = /^Bearer\s+(\S+)\s*$/i.exec(request.headers.get('authorization') ?? '')?.[1];
    if (!token) throw new ApiError('site_token_required', 'send the site token the operator issued: Authorization: Bearer <token> (netready monitor --token)');
    const site = token.length <= 256 ? siteOfToken(token, deps.sites) : undefined;
    if (!site) {
      throw new ApiError(
        'site_token_invalid',
        deps.sites.length === 0
          ? 'this deployment accepts no monitor checks: the operator lists sites and their token hashes in monitor.sites'
          : 'this token is no site\'s of this deployment (monitor.sites); nothing was stored',
      );
    }
    checkJsonContentType(request.headers);
    const admission = await deps.store.admit(`site:${site.name}`, MONITOR_RUNS_PER_MINUTE);
    if (!admission.admitted) {
      throw new RetryLaterError('rate_limited', `site ${site.name} stored ${MONITOR_RUNS_PER_MINUTE} checks this minute already; try again in ${admission.retryAfterS} s`, admission.retryAfterS);
    }
    const text = await readBodyText(request, deps.maxResultBytes);
    if (jsonDepthExceeds(text, MAX_JSON_DEPTH)) throw new ApiError('json_too_deep', `the JSON nests arrays and objects more than ${MAX_JSON_DEPTH} deep`);
    const submission = parseSubmission(text);
    const result = applyClientAddressPolicy(submission.result, deps.clientAddresses ?? 'full', deps.ownAddresses ?? []);
    const receipt = await deps.store.put(result, { site: site.name, ...(submission.note !== undefined ? { note: submission.note } : {}) });
    deps.ops?.metrics?.resultStored(Buffer.byteLength(text));
    deps.ops?.log?.info({ resultId: receipt.id, site: site.name }, 'monitor check stored');
    const body: StoredCheckResponse = {
      id: receipt.id,
      url: new URL(`/r/${receipt.id}`, request.url).toString(),
      site: site.name,
      expiresAt: expiryOf(receipt.createdAt, deps.retentionDays).toISOString(),
    };
    return new Response(JSON.stringify(body), { status: 201, headers: JSON_HEADERS });
  } catch (error) {
    const mapped = fromStoreError(error, 'write');
    countFailure(error, 'write', deps.ops);
    deps.ops?.metrics?.resultRefused(mapped instanceof ApiError ? mapped.code : 'internal_error');
    // A monitor with a wrong token retries every interval: the operator finds it in the log, as refused results are.
    if (mapped instanceof ApiError && mapped.status < 500) deps.ops?.log?.info({ code: mapped.code, status: mapped.status }, 'monitor check refused');
    return errorResponse(mapped, logErrorOf(deps));
  }
}
