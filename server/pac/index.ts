/**
 * The web process's one PAC evaluator and rate limiter, on `globalThis` under a registered symbol for the same
 * reason as the result store (server/store/index.ts: Next.js bundles each route with its own copy of this module).
 * The evaluator's worker starts on the first check and does not keep the process alive.
 */
import { RateLimiter } from '../http/rate-limit';
import { createPacRateLimiter } from './pac-api';
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
