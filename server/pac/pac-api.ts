/**
 * The PAC check's HTTP API behind app/api/pac/evaluate: `POST { pac, hosts?, resultId?, myIpAddress? }` →
 * `{ results: [{ host, url, decision, … }], notes, … }`. Framework-free (standard Request/Response), with the
 * evaluator, store and limits injected, so tests call it directly.
 *
 * Nothing is stored and nothing is fetched: the PAC arrives as text (the server never fetches a PAC URL — that
 * would let anyone make it request internal addresses), names the PAC asks DNS about are never resolved (they are
 * reported instead), and the PAC text is not logged. Refusals, in order: not `application/json` (415), more than
 * PAC_CHECKS_PER_MINUTE from one client (429), a body over the size limit or a PAC over MAX_PAC_BYTES (413), bad
 * JSON or fields (400), an unknown or expired `resultId` (404), a PAC that cannot be evaluated (422 with a `pac_*`
 * code: syntax error, no FindProxyForURL, top-level throw, time limit, memory limit), too many checks at once (503).
 */
import * as z from 'zod';
import { ApiError } from '../../lib/api/api-error';
import { compareWithRun, serverNotes, type PacAttachment, type PacCheckResponse } from '../../lib/pac/compare';
import { endpointOf, proxyUrlFor, recordedLocalAddress, runSawProxy, runTargets, type PacTarget } from '../../lib/pac/run-targets';
import { MAX_PAC_BYTES, MAX_PAC_HOSTS, type PacEvaluation, type PacJob } from '../../lib/pac/types';
import { clientAddressOf, limitKeyOf } from '../api/client-address';
import { checkJsonContentType, errorResponse, fromStoreError, readBodyText, readLiveResult, RetryLaterError } from '../api/results-api';
import { RateLimiter } from '../http/rate-limit';
import type { ResultStore } from '../store/result-store';
import { PacError } from './pac-error';

/** PAC checks one client may ask for per minute. */
export const PAC_CHECKS_PER_MINUTE = 20;
/** myIpAddress()'s answer when neither the request nor the run gives this computer's address (Chrome's with no network). */
export const ASSUMED_MY_IP = '127.0.0.1';

/** What the PAC API needs. */
export interface PacApiDeps {
  /** Runs the PAC (server/pac/pac-evaluator.ts); a fake only in tests of refusals that never reach it. */
  evaluate: (job: PacJob) => Promise<PacEvaluation>;
  /** Where stored results are read (for `resultId`). */
  store: ResultStore;
  /** Days a stored result is kept (config `results.retentionDays`). */
  retentionDays: number;
  /** Reverse proxies trusted to append to X-Forwarded-For (config `web.trustedProxyHops`). */
  trustedProxyHops: number;
  /** Per-client limit of PAC checks (one per process: see pacRateLimiter()). */
  limiter: RateLimiter;
  /** The configured vendor targets' host names (config `targets[].hosts`), checked with every stored run. */
  vendorHosts?: readonly string[];
  /** Where unexpected errors go. */
  logError?: (message: string, error: unknown) => void;
}

/** A fresh per-client limiter of PAC checks (PAC_CHECKS_PER_MINUTE a minute). */
export function createPacRateLimiter(now?: () => number): RateLimiter {
  return new RateLimiter({ limit: PAC_CHECKS_PER_MINUTE, windowMs: 60_000, ...(now ? { now } : {}) });
}

const hostText = z.string().min(1).max(300);
const RequestSchema = z.strictObject({
  pac: z.string().min(1, 'pac must be the PAC file\'s text'),
  hosts: z.optional(z.array(hostText).max(MAX_PAC_HOSTS)),
  resultId: z.optional(z.string().regex(/^[A-Za-z0-9_-]{1,100}$/, 'resultId must be a share id')),
  myIpAddress: z.optional(z.string().regex(/^\d{1,3}(\.\d{1,3}){3}$/, 'myIpAddress must be an IPv4 address')),
});

/** The parsed request. */
export type PacRequest = z.infer<typeof RequestSchema>;

/**
 * Reads one entry of `hosts`: a host name, an IP literal, `host:port`, or an http(s) URL. Returns the target it
 * stands for (HTTPS on 443 unless it says otherwise), or throws ApiError `invalid_request`.
 */
export function parseAskedHost(text: string): Pick<PacTarget, 'host' | 'port' | 'url' | 'transport' | 'roles'> {
  const trimmed = text.trim();
  const asUrl = /^[a-z][a-z0-9+.-]*:\/\//i.test(trimmed) ? endpointOf(trimmed) : endpointOf(`https://${trimmed}`);
  const host = asUrl?.host ?? '';
  const validHost = /^(?=.{1,253}$)[a-z0-9_](?:[a-z0-9_-]{0,62})(?:\.[a-z0-9_-]{1,63})*\.?$/i.test(host) || /^[0-9a-f:.]+$/i.test(host);
  if (!asUrl || !validHost || !['http', 'https', 'ws', 'wss'].includes(asUrl.scheme)) {
    throw new ApiError('invalid_request', `hosts: "${trimmed.slice(0, 100)}" is not a host name, host:port or http(s) URL`);
  }
  const scheme = asUrl.scheme === 'http' || asUrl.scheme === 'ws' ? 'http' : 'https';
  const url = /^https?:\/\//i.test(trimmed) ? new URL(trimmed).href : proxyUrlFor(host, asUrl.port, scheme);
  return { host, port: asUrl.port, url, transport: 'tcp', roles: ['asked'] };
}

/** Parses and validates the body; throws ApiError invalid_json / invalid_request / payload_too_large. */
export function parsePacRequest(text: string): PacRequest {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (cause) {
    throw new ApiError('invalid_json', 'the request body is not valid JSON', { cause });
  }
  const parsed = RequestSchema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue && issue.path.length > 0 ? issue.path.map(String).join('.') : '(top level)';
    throw new ApiError('invalid_request', `${where}: ${issue?.message ?? 'invalid'} — send { "pac": "<PAC file text>", "hosts"?: [...], "resultId"?: "<id>" }`);
  }
  if (Buffer.byteLength(parsed.data.pac) > MAX_PAC_BYTES) throw new ApiError('payload_too_large', `the PAC file must be at most ${MAX_PAC_BYTES} bytes`);
  if (!parsed.data.resultId && !parsed.data.hosts?.length) throw new ApiError('invalid_request', 'give "hosts" to check, or the "resultId" of a stored run (or both)');
  return parsed.data;
}

/** Maps an evaluator failure to the API's error (the PAC's own failures keep their code; 422). */
function fromPacError(error: unknown): unknown {
  if (!(error instanceof PacError)) return error;
  if (error.code === 'pac_busy') return new RetryLaterError('server_busy', error.message, 5);
  if (error.code === 'pac_worker_failed') return error;
  return new ApiError(error.code, error.message);
}

/** Evaluates a parsed request: the run's targets (with `resultId`), the vendor hosts, the asked hosts. */
async function checkPac(body: PacRequest, deps: PacApiDeps): Promise<PacCheckResponse> {
  const targets: Array<Pick<PacTarget, 'host' | 'port' | 'url' | 'transport' | 'roles'> & { observed?: PacTarget['observed'] }> = [];
  const myIp: PacCheckResponse['myIpAddress'] = { address: body.myIpAddress ?? ASSUMED_MY_IP, source: body.myIpAddress ? 'request' : 'assumed', asked: false };
  let sawProxy = false;
  if (body.resultId) {
    const stored = await readLiveResult(body.resultId, deps);
    if (stored === null) throw new ApiError('not_found', 'no stored result has this id');
    targets.push(...runTargets(stored.result));
    sawProxy = runSawProxy(stored.result);
    const recorded = recordedLocalAddress(stored.result);
    if (!body.myIpAddress && recorded) Object.assign(myIp, { address: recorded, source: 'run' });
    for (const host of deps.vendorHosts ?? []) {
      if (!targets.some((t) => t.host === host.toLowerCase() && t.port === 443)) targets.push({ host: host.toLowerCase(), port: 443, url: proxyUrlFor(host.toLowerCase(), 443), transport: 'tcp', roles: ['vendor-host'] });
    }
  }
  for (const text of body.hosts ?? []) {
    const asked = parseAskedHost(text);
    const same = targets.find((t) => t.host === asked.host && t.port === asked.port);
    if (same) same.roles = [...new Set([...same.roles, ...asked.roles])];
    else targets.push(asked);
  }
  const queried = targets.slice(0, MAX_PAC_HOSTS);
  const evaluation = await deps.evaluate({ pac: body.pac, queries: queried.map((t) => ({ url: t.url, host: t.host })), environment: { kind: 'server', myIp: myIp.address } });
  myIp.asked = evaluation.answers.some((a) => a.askedMyIp);
  const questions = evaluation.answers.flatMap((a) => a.dnsQuestions);
  return {
    results: compareWithRun(queried, evaluation.answers, sawProxy),
    notes: [...serverNotes(questions, myIp), ...(targets.length > queried.length ? [`Only the first ${MAX_PAC_HOSTS} of ${targets.length} hosts were checked.`] : [])],
    dnsQuestions: [...new Set(questions.map((q) => q.name))],
    myIpAddress: myIp,
    alerts: evaluation.alerts,
    elapsedMs: evaluation.elapsedMs,
  };
}

/** Content type, per-client limit, body size and fields: the admission of both PAC endpoints. */
async function admitPacRequest(request: Request, deps: PacApiDeps): Promise<PacRequest> {
  checkJsonContentType(request.headers);
  const client = limitKeyOf(clientAddressOf(request.headers, deps.trustedProxyHops));
  if (!deps.limiter.take(client)) throw new RetryLaterError('rate_limited', `too many PAC checks from this address (at most ${PAC_CHECKS_PER_MINUTE} a minute); try again in a minute`, 60);
  // JSON escaping can double a PAC's size (quotes, backslashes, line breaks); the PAC itself is checked after parsing.
  return parsePacRequest(await readBodyText(request, 2 * MAX_PAC_BYTES + 64 * 1024));
}

const JSON_HEADERS = { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' };

/** POST /api/pac/evaluate. */
export async function postPacEvaluate(request: Request, deps: PacApiDeps): Promise<Response> {
  try {
    const response = await checkPac(await admitPacRequest(request, deps), deps);
    return new Response(JSON.stringify(response), { status: 200, headers: JSON_HEADERS });
  } catch (error) {
    return errorResponse(fromPacError(fromStoreError(error, 'read')), deps.logError);
  }
}

/**
 * POST /api/pac/attach with `Authorization: Bearer <deleteToken>` and `{ pac, resultId, myIpAddress? }`: evaluates
 * the PAC for the stored run (as /api/pac/evaluate does) and keeps the PAC and its evaluation beside the result, for
 * the share page — only the submitter, who holds the result's delete token, may. 200 `{ attached: true, check }`;
 * 401 `delete_token_required`, 403 `delete_token_invalid` (nothing stored), 404, and the evaluate endpoint's errors.
 */
export async function postPacAttach(request: Request, deps: PacApiDeps): Promise<Response> {
  try {
    const token = /^Bearer\s+([A-Za-z0-9_-]{16,128})\s*$/i.exec(request.headers.get('authorization') ?? '')?.[1];
    if (!token) throw new ApiError('delete_token_required', "send the result's delete token (given when the link was created): Authorization: Bearer <deleteToken>");
    const body = await admitPacRequest(request, deps);
    if (!body.resultId) throw new ApiError('invalid_request', 'resultId: the share id of the result to attach the PAC check to is required');
    if (!deps.store.attachPacCheck) throw new ApiError('not_found', 'this result store cannot keep PAC checks');
    const check = await checkPac(body, deps);
    const attachment: PacAttachment = { pac: body.pac, check, attachedAt: new Date().toISOString() };
    const outcome = await deps.store.attachPacCheck(body.resultId, token, JSON.stringify(attachment));
    if (outcome === 'not_found') throw new ApiError('not_found', 'no stored result has this id');
    if (outcome === 'forbidden') throw new ApiError('delete_token_invalid', "this is not the result's delete token; nothing was attached");
    return new Response(JSON.stringify({ attached: true, check }), { status: 200, headers: JSON_HEADERS });
  } catch (error) {
    return errorResponse(fromPacError(fromStoreError(error, 'write')), deps.logError);
  }
}
