// POST /api/results – store a finished run (optionally with the submitter's note), answer 201 { id, url, deleteToken, expiresAt }
import { errorResponse, postResult } from '../../../server/api/results-api';
import { deploymentAddresses, loadConfig } from '../../../server/config/load';
import { REQUEST_ID_HEADER } from '../../../server/ops/http-exchange';
import { webOps } from '../../../server/ops/web-ops';
import { getResultStore } from '../../../server/store';

export const runtime = 'nodejs';
export const dynamic = 'force-dynamic';

/** Stores a validated result; 201 `{ id, url, deleteToken, expiresAt }`, or the error envelope (400/403/413/415/422/429/500/503). */
export async function POST(request: Request): Promise<Response> {
  const ops = webOps(loadConfig);
  const log = ops.logger.child({ requestId: request.headers.get(REQUEST_ID_HEADER) ?? undefined });
  try {
    const config = loadConfig();
    const { web } = config;
    return await postResult(request, {
      store: getResultStore(config),
      maxResultBytes: web.maxResultBytes,
      maxResultsPerMinute: web.maxResultsPerMinute,
      maxResultBytesPerDay: web.maxResultBytesPerDay,
      trustedProxyHops: web.trustedProxyHops,
      retentionDays: config.results.retentionDays,
      clientAddresses: config.results.clientAddresses,
      ownAddresses: deploymentAddresses(config),
      ops: { log, metrics: ops.metrics },
    });
  } catch (error) {
    ops.metrics.resultRefused('internal_error');
    return errorResponse(error, (message, cause) => log.error({ err: cause }, message));
  }
}
