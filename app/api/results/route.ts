// POST /api/results – store a finished run, answer 201 { id, url }
import { errorResponse, postResult } from '../../../server/api/results-api';
import { loadConfig } from '../../../server/config/load';
import { getResultStore } from '../../../server/store';

export const runtime = 'nodejs';
export const dynamic = 'force-dynamic';

/** Stores a validated result; 201 `{ id, url }`, or the error envelope (400/413/422/500). */
export async function POST(request: Request): Promise<Response> {
  try {
    const config = loadConfig();
    return await postResult(request, { store: getResultStore(config), maxResultBytes: config.web.maxResultBytes });
  } catch (error) {
    return errorResponse(error);
  }
}
