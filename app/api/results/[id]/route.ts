// GET /api/results/:id – a stored result as JSON, or 404 not_found; DELETE with its delete token – remove it at once
import { deleteResult, errorResponse, getResult } from '../../../../server/api/results-api';
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
    const config = loadConfig();
    return await getResult(id, { store: getResultStore(config), retentionDays: config.results.retentionDays, ops: { log, metrics: ops.metrics } });
  } catch (error) {
    return errorResponse(error, (message, cause) => log.error({ err: cause }, message));
  }
}

/** Deletes the result when `Authorization: Bearer <deleteToken>` is its token: 204, or 401/403/404. */
export async function DELETE(request: Request, context: { params: Promise<{ id: string }> }): Promise<Response> {
  const ops = webOps(loadConfig);
  const log = ops.logger.child({ requestId: request.headers.get(REQUEST_ID_HEADER) ?? undefined });
  try {
    const { id } = await context.params;
    return await deleteResult(id, request, { store: getResultStore(loadConfig()), ops: { log, metrics: ops.metrics } });
  } catch (error) {
    return errorResponse(error, (message, cause) => log.error({ err: cause }, message));
  }
}
