// GET /wireshark-profile.zip – netready's Wireshark profile for this deployment (?result=<share id>: narrowed to that result's servers)
import { answerProfileRequest } from '../../lib/capture-kit/profile-zip';
import { errorResponse, readLiveResult } from '../../server/api/results-api';
import { loadConfig } from '../../server/config/load';
import { REQUEST_ID_HEADER } from '../../server/ops/http-exchange';
import { webOps } from '../../server/ops/web-ops';
import { getResultStore } from '../../server/store';

export const runtime = 'nodejs';
export const dynamic = 'force-dynamic';

/** The profile zip, with the deployment's ports, addresses and DNS zone in its "netready" button and colours. */
export async function GET(request: Request): Promise<Response> {
  const ops = webOps(loadConfig);
  const log = ops.logger.child({ requestId: request.headers.get(REQUEST_ID_HEADER) ?? undefined });
  try {
    const config = loadConfig();
    return await answerProfileRequest(new URL(request.url), {
      config,
      readResult: async (id) => (await readLiveResult(id, { store: getResultStore(config), retentionDays: config.results.retentionDays }))?.result ?? null,
    });
  } catch (error) {
    return errorResponse(error, (message, cause) => log.error({ err: cause }, message));
  }
}
