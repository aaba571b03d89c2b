// GET /api/results/:id – a stored result as JSON, or 404 not_found
import { errorResponse, getResult } from '../../../../server/api/results-api';
import { loadConfig } from '../../../../server/config/load';
import { getResultStore } from '../../../../server/store';

export const runtime = 'nodejs';
export const dynamic = 'force-dynamic';

/** Returns the stored result as JSON, or 404 `not_found`. */
export async function GET(_request: Request, context: { params: Promise<{ id: string }> }): Promise<Response> {
  try {
    const { id } = await context.params;
    return await getResult(id, { store: getResultStore(loadConfig()) });
  } catch (error) {
    return errorResponse(error);
  }
}
