/**
 * The web process's one PAC evaluator and rate limiter, on `globalThis` under a registered symbol for the same
 * reason as the result store (server/store/index.ts: Next.js bundles each route with its own copy of this module),
 * and the PAC API's dependencies built from the configuration for the routes under app/api/pac/. The evaluator's
 * worker starts on the first check and does not keep the process alive.
 */
import type { Config } from '../../lib/config/schema';
import { RateLimiter } from '../http/rate-limit';
import { getResultStore } from '../store';
import { createPacRateLimiter, type PacApiDeps } from './pac-api';
import { PacEvaluator } from './pac-evaluator';

const PROCESS_PAC = Symbol.for('netready.pacEvaluator');

/** The process's PAC evaluator and limiter. */
export interface PacService {
  evaluator: PacEvaluator;
  limiter: RateLimiter;
}

/** Returns the process-wide PAC evaluator (the worker loads server/pac/pac-worker.ts under `projectRoot`) and limiter. */
export function getPacService(projectRoot: string): PacService {
  const holder = globalThis as { [PROCESS_PAC]?: PacService };
  holder[PROCESS_PAC] ??= { evaluator: new PacEvaluator({ projectRoot }), limiter: createPacRateLimiter() };
  return holder[PROCESS_PAC];
}

/** The PAC API's dependencies in the web process: `npm start` runs it from the repository root, where the worker's sources are. */
export function webPacApiDeps(config: Config, logError: PacApiDeps['logError']): PacApiDeps {
  const pac = getPacService(process.cwd());
  return {
    evaluate: (job) => pac.evaluator.evaluate(job),
    limiter: pac.limiter,
    store: getResultStore(config),
    retentionDays: config.results.retentionDays,
    trustedProxyHops: config.web.trustedProxyHops,
    vendorHosts: config.targets.flatMap((t) => t.hosts),
    ...(logError ? { logError } : {}),
  };
}
