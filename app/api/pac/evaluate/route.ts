// POST /api/pac/evaluate – evaluate a pasted PAC file for a stored run's hosts (and any asked), never storing or fetching anything
import { errorResponse } from '../../../../server/api/results-api';
import { loadConfig } from '../../../../server/config/load';
import { REQUEST_ID_HEADER } from '../../../../server/ops/http-exchange';
import { webOps } from '../../../../server/ops/web-ops';
import { getPacService } from '../../../../server/pac';
import { postPacEvaluate } from '../../../../server/pac/pac-api';
import { getResultStore } from '../../../../server/store';

export const runtime = 'nodejs';
export const dynamic = 'force-dynamic';

/** 200 `{ results: [{ host, url, decision, … }], notes, … }`, or the error envelope (400/404/413/415/422/429/500/503). */
export async function POST(request: Request): Promise<Response> {
  const ops = webOps(loadConfig);
  const log = ops.logger.child({ requestId: request.headers.get(REQUEST_ID_HEADER) ?? undefined });
  try {
    const config = loadConfig();
    // `npm start` runs the web app from the repository root, where the PAC worker's sources are.
    const pac = getPacService(process.cwd());
    return await postPacEvaluate(request, {
      evaluate: (job) => pac.evaluator.evaluate(job),
      limiter: pac.limiter,
      store: getResultStore(config),
      retentionDays: config.results.retentionDays,
      trustedProxyHops: config.web.trustedProxyHops,
      vendorHosts: config.targets.flatMap((t) => t.hosts),
      logError: (message, cause) => log.error({ err: cause }, message),
    });
  } catch (error) {
    return errorResponse(error, (message, cause) => log.error({ err: cause }, message));
  }
}
