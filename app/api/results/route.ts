// POST /api/results – store a finished run, answer 201 { id, url }
import { errorResponse, postResult } from '../../../server/api/results-api';
import { loadConfig } from '../../../server/config/load';
import { getResultStore } from '../../../server/store';

export const runtime = 'nodejs';
export const dynamic = 'force-dynamic';

/** Stores a validated result; 201 `{ id, url }`, or the error envelope (400/403/413/415/422/429/500/503). */
export async function POST(request: Request): Promise<Response> {
  try {
    const config = loadConfig();
    const { web } = config;
    return await postResult(request, {
      store: getResultStore(config),
      maxResultBytes: web.maxResultBytes,
      maxResultsPerMinute: web.maxResultsPerMinute,
      maxResultBytesPerDay: web.maxResultBytesPerDay,
      trustedProxyHops: web.trustedProxyHops,
    });
  } catch (error) {
    return errorResponse(error);
  }
}
