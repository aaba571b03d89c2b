/**
 * Operations of the web process (Next.js): its logger and metrics, the request observer that gives every answer a
 * request id, a log line and a count, the `ops.allowFrom` check of /metrics and /readyz, and the readiness check.
 *
 * Next.js has no application object to hang these on, and it compiles instrumentation.ts and each route handler as
 * separate bundles, each with its own copy of this module. So the logger and the registry live on `globalThis`
 * under a `Symbol.for` key — one per process, whichever bundle asks first (the same reason server/store/index.ts
 * keeps one store handle, and client-address.ts marks its prototype patch with a registered symbol).
 */
import type http from 'node:http';
import type { Config } from '../../lib/config/schema';
import { OPS_ALLOW_FROM_DEFAULT } from '../../lib/config/schema';
import { clientAddressOf, PEER_ADDRESS_HEADER } from '../api/client-address';
import type { ResultStore } from '../store/result-store';
import { ResultStoreError } from '../store/result-store';
import { hookServerRequests } from '../net/request-hook';
import { AddressAllowList } from './allow-list';
import { observeHttpExchange } from './http-exchange';
import { createLogger, DEFAULT_LOG_SETTINGS, type Logger } from './logger';
import { readinessOf, type Readiness, type ReadinessCheck } from './readiness';
import { webRouteOf, WebMetrics } from './web-metrics';

/** The web process's logger and metrics. */
export interface WebOps {
  /** JSON log lines (`service: "web"`). */
  logger: Logger;
  /** The web app's registry and counters. */
  metrics: WebMetrics;
  /** `web.trustedProxyHops` at start (for the client address in request log lines). */
  trustedProxyHops: number;
}

const WEB_OPS = Symbol.for('netready.webOps');
const OBSERVER_INSTALLED = Symbol.for('netready.webRequestObserver');

/**
 * The web process's WebOps, made on first use from the configuration (`log.*`, `web.trustedProxyHops`). A
 * configuration that does not load gives the defaults and one error line; /readyz reports it.
 */
export function webOps(load: () => Config): WebOps {
  const holder = globalThis as { [WEB_OPS]?: WebOps };
  const existing = holder[WEB_OPS];
  if (existing) return existing;
  let config: Config | null = null;
  let problem: unknown = null;
  try {
    config = load();
  } catch (error) {
    problem = error;
  }
  const ops: WebOps = {
    logger: createLogger({ service: 'web', ...(config?.log ?? DEFAULT_LOG_SETTINGS) }),
    metrics: new WebMetrics({ processMetrics: true }),
    trustedProxyHops: config?.web.trustedProxyHops ?? 0,
  };
  if (problem) ops.logger.error({ err: problem }, 'netready: the configuration does not load; logging with the default settings');
  holder[WEB_OPS] = ops;
  return ops;
}

/**
 * Makes every HTTP(S) server of this process observe each request (server/net/request-hook.ts: Next.js creates its
 * server itself and offers no hook): request id in and out, one log line, one counted answer.
 * Static files log at debug. Idempotent; returns the function that removes the patch (tests).
 */
export function installWebRequestObserver(ops: () => WebOps): () => void {
  return hookServerRequests(OBSERVER_INSTALLED, (req, res) => {
    try {
      observeWebRequest(ops(), req, res);
    } catch {
      // Observability must never stop a request from being served.
    }
  });
}

function observeWebRequest(ops: WebOps, req: http.IncomingMessage, res: http.ServerResponse): void {
  let pathname = '/';
  try {
    pathname = new URL(req.url ?? '/', 'http://web.invalid').pathname;
  } catch {
    // Logged as "/"; Next.js answers it.
  }
  const route = webRouteOf(pathname);
  const peer = req.socket?.remoteAddress ?? 'unknown';
  const forwarded = req.headers['x-forwarded-for'];
  const clientAddress =
    ops.trustedProxyHops === 0
      ? peer
      : clientAddressOf(new Headers({ [PEER_ADDRESS_HEADER]: peer, ...(typeof forwarded === 'string' ? { 'x-forwarded-for': forwarded } : {}) }), ops.trustedProxyHops);
  observeHttpExchange(req, res, {
    logger: ops.logger,
    route,
    clientAddress,
    level: route.startsWith('/_next/') || route === 'public-file' ? 'debug' : 'info',
    onAnswer: (status) => ops.metrics.httpAnswer(route, status),
  });
}

/**
 * Whether a request may read /metrics or /readyz: its client address (client-address.ts, honouring
 * `web.trustedProxyHops`) is in `ops.allowFrom`. A configuration that does not load allows loopback only.
 */
export function opsRequestAllowed(headers: Headers, load: () => Config): boolean {
  let allowFrom: readonly string[] = OPS_ALLOW_FROM_DEFAULT;
  let hops = 0;
  try {
    const config = load();
    allowFrom = config.ops.allowFrom;
    hops = config.web.trustedProxyHops;
  } catch {
    // Fall back to the machine itself.
  }
  return new AddressAllowList(allowFrom).allows(clientAddressOf(headers, hops));
}

/** What web readiness checks need. */
export interface WebReadinessDeps {
  /** Loads (and validates) the configuration. */
  loadConfig: () => Config;
  /** The result store for a configuration. */
  storeFor: (config: Config) => ResultStore;
  /** Counts a failed store check. */
  metrics?: Pick<WebMetrics, 'storeError'>;
}

/** The web app is ready when the configuration loads and the result store takes a write (rolled back). */
export async function checkWebReadiness(deps: WebReadinessDeps): Promise<Readiness> {
  const checks: ReadinessCheck[] = [];
  let config: Config | null = null;
  try {
    config = deps.loadConfig();
    checks.push({ name: 'config', ok: true });
  } catch (error) {
    checks.push({ name: 'config', ok: false, detail: error instanceof Error ? error.message : String(error) });
  }
  if (!config) {
    checks.push({ name: 'result store', ok: false, detail: 'not checked: the configuration does not load' });
    return readinessOf(checks);
  }
  try {
    const store = deps.storeFor(config);
    if (!store.checkWritable) checks.push({ name: 'result store', ok: true, detail: 'this store cannot be checked' });
    else {
      await store.checkWritable();
      checks.push({ name: 'result store', ok: true, detail: 'writable' });
    }
  } catch (error) {
    const code = error instanceof ResultStoreError ? error.code : 'unknown';
    deps.metrics?.storeError('check', code);
    const message = error instanceof Error ? error.message : String(error);
    const cause = error instanceof Error && error.cause instanceof Error && !message.includes(error.cause.message) ? `: ${error.cause.message}` : '';
    checks.push({ name: 'result store', ok: false, detail: `not writable (${code}): ${message}${cause}` });
  }
  return readinessOf(checks);
}

/**
 * The answer to a request for /metrics or /readyz from outside `ops.allowFrom`: the same 404 envelope as any unknown
 * API path, so the paths give nothing away.
 */
export function opsNotFound(): Response {
  return Response.json({ error: { code: 'not_found', message: 'not found' } }, { status: 404, headers: { 'cache-control': 'no-store' } });
}
