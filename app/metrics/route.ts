// GET /metrics – the web app's Prometheus metrics, for addresses in ops.allowFrom only (404 for everybody else)
import { loadConfig } from '../../server/config/load';
import { opsNotFound, opsRequestAllowed, webOps } from '../../server/ops/web-ops';

export const runtime = 'nodejs';
export const dynamic = 'force-dynamic';

/** Prometheus text format (results stored/refused, store errors, HTTP answers, process metrics), or 404. */
export async function GET(request: Request): Promise<Response> {
  if (!opsRequestAllowed(request.headers, loadConfig)) return opsNotFound();
  const { registry } = webOps(loadConfig).metrics;
  return new Response(await registry.metrics(), { headers: { 'content-type': registry.contentType, 'cache-control': 'no-store' } });
}
