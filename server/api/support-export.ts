/**
 * The support view's CSV export (issue 13): every result matching the filters, newest first, at most MAX_EXPORT_ROWS
 * rows, as RFC 4180 CSV with formulas defused (support-params.ts csvField). Read page by page from the store.
 */
import { ApiError } from '../../lib/api/api-error';
import type { ResultStore } from '../store/result-store';
import { MAX_SUPPORT_PAGE } from '../store/support-query';
import { csvField, supportParams, type SupportRetention } from './support-params';

/** Most rows one export holds (the notice row says when there were more). */
export const MAX_EXPORT_ROWS = 100_000;

/** Answers the CSV of the live results (within `retention`) matching the URL's filters. */
export async function supportResultsCsv(store: ResultStore, url: URL, retention: SupportRetention): Promise<Response> {
  const { query, problems } = supportParams(url.searchParams, retention);
  if (problems.length > 0) throw new ApiError('invalid_request', problems.join('; '));
  const lines = ['stored_at,share_url,verdict,finding_codes,note'];
  let after: Parameters<ResultStore['searchResults']>[1]['after'];
  let total = 0;
  let written = 0;
  do {
    const page = await store.searchResults(query, { limit: MAX_SUPPORT_PAGE, ...(after ? { after } : {}) });
    total = page.total;
    for (const row of page.rows) {
      if (written >= MAX_EXPORT_ROWS) break;
      lines.push([row.createdAt.toISOString(), new URL(`/r/${row.id}`, url).toString(), row.verdict ?? '', row.findingCodes.join(' '), row.note ?? ''].map(csvField).join(','));
      written++;
    }
    after = written < MAX_EXPORT_ROWS ? (page.next ?? undefined) : undefined;
  } while (after);
  const day = new Date().toISOString().slice(0, 10);
  return new Response(`${lines.join('\r\n')}\r\n`, {
    status: 200,
    headers: {
      'content-type': 'text/csv; charset=utf-8; header=present',
      'content-disposition': `attachment; filename="netready-results-${day}.csv"`,
      'cache-control': 'no-store',
      'x-netready-rows': `${written} of ${total}`,
    },
  });
}
