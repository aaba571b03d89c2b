// GET /readyz – 200 when the configuration loads and the result store takes a write, else 503 naming what is not
// ready; for addresses in ops.allowFrom only (404 for everybody else)
import { loadConfig } from '../../server/config/load';
import { checkWebReadiness, opsNotFound, opsRequestAllowed, webOps } from '../../server/ops/web-ops';
import { getResultStore } from '../../server/store';

export const runtime = 'nodejs';
export const dynamic = 'force-dynamic';

/** `{ ready, checks: [{ name, ok, detail }] }` with 200 or 503, or 404. */
export async function GET(request: Request): Promise<Response> {
  if (!opsRequestAllowed(request.headers, loadConfig)) return opsNotFound();
  const readiness = await checkWebReadiness({ loadConfig, storeFor: getResultStore, metrics: webOps(loadConfig).metrics });
  return Response.json(readiness, { status: readiness.ready ? 200 : 503, headers: { 'cache-control': 'no-store' } });
}
