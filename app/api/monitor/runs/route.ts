// POST /api/monitor/runs – store a `netready monitor --token` check under its site (issue 19), answer 201 { id, url, site, expiresAt }
import { postMonitorRun } from '../../../../server/api/monitor-runs-api';
import { errorResponse } from '../../../../server/api/results-api';
import { deploymentAddresses, loadConfig } from '../../../../server/config/load';
import { REQUEST_ID_HEADER } from '../../../../server/ops/http-exchange';
import { webOps } from '../../../../server/ops/web-ops';
import { getResultStore } from '../../../../server/store';

export const runtime = 'nodejs';
export const dynamic = 'force-dynamic';

/** Stores a monitored site's check; 201 `{ id, url, site, expiresAt }`, or the error envelope (400/401/413/415/422/429/500/503). */
export async function POST(request: Request): Promise<Response> {
  const ops = webOps(loadConfig);
  const log = ops.logger.child({ requestId: request.headers.get(REQUEST_ID_HEADER) ?? undefined });
  try {
    const config = loadConfig();
    return await postMonitorRun(request, {
      store: getResultStore(config),
      sites: config.monitor.sites,
      maxResultBytes: config.web.maxResultBytes,
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
