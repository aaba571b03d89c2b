// POST /api/pac/attach – the submitter (delete token) keeps a PAC file and its evaluation beside a stored result, for the share page
import { errorResponse } from '../../../../server/api/results-api';
import { loadConfig } from '../../../../server/config/load';
import { REQUEST_ID_HEADER } from '../../../../server/ops/http-exchange';
import { webOps } from '../../../../server/ops/web-ops';
import { webPacApiDeps } from '../../../../server/pac';
import { postPacAttach } from '../../../../server/pac/pac-api';

export const runtime = 'nodejs';
export const dynamic = 'force-dynamic';

/** 200 `{ attached: true, check }`, or the error envelope (400/401/403/404/413/415/422/429/500/503). */
export async function POST(request: Request): Promise<Response> {
  const ops = webOps(loadConfig);
  const log = ops.logger.child({ requestId: request.headers.get(REQUEST_ID_HEADER) ?? undefined });
  try {
    return await postPacAttach(request, webPacApiDeps(loadConfig(), (message, cause) => log.error({ err: cause }, message)));
  } catch (error) {
    return errorResponse(error, (message, cause) => log.error({ err: cause }, message));
  }
}
