// GET /api/results/:id – a stored result as JSON, or 404 not_found
import { errorResponse, getResult } from '../../../../server/api/results-api';
import { loadConfig } from '../../../../server/config/load';
import { REQUEST_ID_HEADER } from '../../../../server/ops/http-exchange';
import { webOps } from '../../../../server/ops/web-ops';
import { getResultStore } from '../../../../server/store';

export const runtime = 'nodejs';
export const dynamic = 'force-dynamic';

/** Returns the stored result as JSON, or 404 `not_found`. */
export async function GET(request: Request, context: { params: Promise<{ id: string }> }): Promise<Response> {
  const ops = webOps(loadConfig);
  const log = ops.logger.child({ requestId: request.headers.get(REQUEST_ID_HEADER) ?? undefined });
  try {
    const { id } = await context.params;
    return await getResult(id, { store: getResultStore(loadConfig()), ops: { log, metrics: ops.metrics } });
  } catch (error) {
    return errorResponse(error, (message, cause) => log.error({ err: cause }, message));
  }
}
