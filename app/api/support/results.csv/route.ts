// GET /api/support/results.csv – the support view's results as CSV, with its filters (signed in by proxy.ts)
import { ApiError } from '../../../../lib/api/api-error';
import { errorResponse } from '../../../../server/api/results-api';
import { supportResultsCsv } from '../../../../server/api/support-export';
import { loadConfig } from '../../../../server/config/load';
import { REQUEST_ID_HEADER } from '../../../../server/ops/http-exchange';
import { webOps } from '../../../../server/ops/web-ops';
import { getResultStore } from '../../../../server/store';

export const runtime = 'nodejs';
export const dynamic = 'force-dynamic';

/** Every matching result (newest first, at most MAX_EXPORT_ROWS) as CSV; 404 `support_disabled` when the view is off. */
export async function GET(request: Request): Promise<Response> {
  const ops = webOps(loadConfig);
  const log = ops.logger.child({ requestId: request.headers.get(REQUEST_ID_HEADER) ?? undefined });
  try {
    const config = loadConfig();
    if (!config.support.passwordHash) throw new ApiError('support_disabled', 'the support view is off: set support.passwordHash (npx netready hash-password)');
    return await supportResultsCsv(getResultStore(config), new URL(request.url), { retentionDays: config.results.retentionDays });
  } catch (error) {
    return errorResponse(error, (message, cause) => log.error({ err: cause }, message));
  }
}
