// GET /support – the vendor's support view (issue 13): recent stored results with filters, counts per finding code,
// CSV export. Signed in with HTTP Basic by proxy.ts (support.username / support.passwordHash); off without a hash.
import type { Metadata } from 'next';
import { VERDICT_COPY, formatTimestamp } from '../../components/result/labels';
import { brandOf } from '../../lib/config/brand';
import { SiteShell } from '../../components/site/site-shell';
import { primaryButton, secondaryButton } from '../../components/ui/button-styles';
import { formQuery, formatCursor, supportParams } from '../../server/api/support-params';
import { loadConfig } from '../../server/config/load';
import { getResultStore } from '../../server/store';

export const dynamic = 'force-dynamic';

export const metadata: Metadata = { title: 'Support: stored results', robots: { index: false, follow: false } };

/** Rows per page. */
const PAGE_SIZE = 50;

type Props = { searchParams: Promise<Record<string, string | string[] | undefined>> };

const FIELD = 'mt-1 h-10 w-full rounded-lg border border-slate-300 bg-white px-3 text-sm text-slate-900';
const LABEL = 'block text-xs font-semibold text-slate-700';

/** The support view, or a page that says it is off. */
export default async function SupportPage({ searchParams }: Props) {
  const config = loadConfig();
  if (!config.support.passwordHash) {
    return (
      <SiteShell brand={brandOf(config)}>
        <h1 className="text-2xl font-semibold text-slate-900">The support view is off</h1>
        <p className="mt-3 text-sm leading-6 text-slate-700">
          This deployment has no support credential. The operator turns the view on by setting <code>support.passwordHash</code>{' '}
          (environment <code>NETREADY_SUPPORT_PASSWORD_HASH</code>) to the output of <code>npx netready hash-password</code>, and
          restarting. Share links (<code>/r/…</code>) work without it.
        </p>
      </SiteShell>
    );
  }
  const raw = await searchParams;
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries(raw)) if (typeof value === 'string') search.set(name, value);
  const { query, after, form, problems } = supportParams(search, { retentionDays: config.results.retentionDays });
  const store = getResultStore(config);
  const [page, counts] = await Promise.all([store.searchResults(query, { limit: PAGE_SIZE, ...(after ? { after } : {}) }), store.findingCounts(query)]);
  const most = counts[0]?.count ?? 1;
  return (
    <SiteShell brand={brandOf(config)} wide>
      <div className="space-y-6">
        <header>
          <p className="text-sm font-semibold tracking-wide text-blue-800 uppercase">Support</p>
          <h1 className="text-2xl font-semibold tracking-tight text-slate-900">Stored results</h1>
          <p className="mt-1 text-sm text-slate-700">
            Results people shared, newest first. Stored results are deleted {config.results.retentionDays} days after they were shared.
          </p>
          <p className="mt-2 text-sm">
            <a className="text-blue-800 underline" href="/support/sites">
              Sites
            </a>{' '}
            — what <code>netready monitor</code> saw at each monitored site, and when it changed.
          </p>
        </header>

        <form method="get" action="/support" className="grid grid-cols-2 gap-3 rounded-xl border border-slate-200 bg-white p-4 sm:grid-cols-3 lg:grid-cols-6" aria-label="Filters">
          <label className={LABEL}>
            Verdict
            <select name="verdict" defaultValue={form.verdict} className={FIELD}>
              <option value="">Any</option>
              {(['ready', 'degraded', 'blocked', 'inconclusive'] as const).map((verdict) => (
                <option key={verdict} value={verdict}>
                  {VERDICT_COPY[verdict].title}
                </option>
              ))}
            </select>
          </label>
          <label className={LABEL}>
            Finding code
            <input name="code" defaultValue={form.code} placeholder="udp-blocked" className={FIELD} />
          </label>
          <label className={LABEL}>
            Shared from
            <input type="date" name="from" defaultValue={form.from} className={FIELD} />
          </label>
          <label className={LABEL}>
            Shared until
            <input type="date" name="to" defaultValue={form.to} className={FIELD} />
          </label>
          <label className={LABEL}>
            Organisation or e-mail domain
            <input name="org" defaultValue={form.org} placeholder="acme.example" className={FIELD} />
          </label>
          <label className={LABEL}>
            Text in the note
            <input name="q" defaultValue={form.q} placeholder="ticket number" className={FIELD} />
          </label>
          <div className="col-span-full flex flex-wrap gap-2">
            <button type="submit" className={primaryButton}>
              Show results
            </button>
            <a href="/support" className={secondaryButton}>
              Clear filters
            </a>
            <a href={`/api/support/results.csv${formQuery(form)}`} className={secondaryButton} download>
              Download CSV
            </a>
          </div>
        </form>

        {problems.length > 0 && (
          <div role="alert" className="rounded-lg border border-amber-300 bg-amber-50 p-3 text-sm text-amber-950">
            <p className="font-semibold">Some filters were not used:</p>
            <ul className="mt-1 list-disc pl-5">
              {problems.map((problem) => (
                <li key={problem}>{problem}</li>
              ))}
            </ul>
          </div>
        )}

        <section aria-labelledby="counts-heading" className="rounded-xl border border-slate-200 bg-white p-4">
          <h2 id="counts-heading" className="text-sm font-semibold tracking-wide text-slate-700 uppercase">
            Findings in these results
          </h2>
          {counts.length === 0 ? (
            <p className="mt-2 text-sm text-slate-600">No findings in the results that match.</p>
          ) : (
            <table className="mt-2 w-full text-sm">
              <thead className="sr-only">
                <tr>
                  <th>Finding code</th>
                  <th>Results</th>
                  <th>Share</th>
                </tr>
              </thead>
              <tbody>
                {counts.map(({ code, count }) => (
                  <tr key={code}>
                    <td className="py-1 pr-3">
                      <a className="font-mono text-blue-800 underline" href={`/support${formQuery({ ...form, code })}`}>
                        {code}
                      </a>
                    </td>
                    <td className="py-1 pr-3 text-right tabular-nums">{count.toLocaleString('en')}</td>
                    <td className="w-1/2 py-1">
                      {/* SVG attributes, not CSS: the page's CSP allows no style attributes. */}
                      <svg viewBox="0 0 100 8" preserveAspectRatio="none" className="h-2 w-full" aria-hidden="true">
                        <rect x="0" y="0" width={Math.max(1, (count / most) * 100)} height="8" rx="2" className="fill-blue-700" />
                      </svg>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </section>

        <section aria-labelledby="results-heading">
          <h2 id="results-heading" className="text-sm font-semibold tracking-wide text-slate-700 uppercase">
            {page.total.toLocaleString('en')} {page.total === 1 ? 'result' : 'results'}
          </h2>
          <div className="mt-2 overflow-x-auto rounded-xl border border-slate-200 bg-white">
            <table className="w-full text-left text-sm">
              <thead className="border-b border-slate-200 text-xs text-slate-600">
                <tr>
                  <th scope="col" className="px-3 py-2 font-semibold">Shared</th>
                  <th scope="col" className="px-3 py-2 font-semibold">Verdict</th>
                  <th scope="col" className="px-3 py-2 font-semibold">Findings</th>
                  <th scope="col" className="px-3 py-2 font-semibold">Note</th>
                  <th scope="col" className="px-3 py-2 font-semibold">Result</th>
                </tr>
              </thead>
              <tbody className="divide-y divide-slate-100">
                {page.rows.map((row) => (
                  <tr key={row.id} className="align-top">
                    <td className="px-3 py-2 whitespace-nowrap tabular-nums">
                      <time dateTime={row.createdAt.toISOString()}>{formatTimestamp(row.createdAt.toISOString())}</time>
                    </td>
                    <td className="px-3 py-2">{row.verdict ? VERDICT_COPY[row.verdict].title : '—'}</td>
                    <td className="px-3 py-2 font-mono text-xs">{row.findingCodes.length > 0 ? row.findingCodes.join(', ') : '—'}</td>
                    <td className="max-w-xs px-3 py-2 break-words whitespace-pre-wrap">{row.note ?? ''}</td>
                    <td className="px-3 py-2">
                      <a className="text-blue-800 underline" href={`/r/${row.id}`}>
                        Open<span className="sr-only"> the result shared {formatTimestamp(row.createdAt.toISOString())}</span>
                      </a>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
            {page.rows.length === 0 && <p className="px-3 py-4 text-sm text-slate-600">No stored results match these filters.</p>}
          </div>
          <nav aria-label="Pages" className="mt-3 flex gap-2">
            {after && (
              <a href={`/support${formQuery(form)}`} className={secondaryButton}>
                Newest
              </a>
            )}
            {page.next && (
              <a href={`/support${formQuery(form, { after: formatCursor(page.next) })}`} className={secondaryButton}>
                Older results
              </a>
            )}
          </nav>
        </section>
      </div>
    </SiteShell>
  );
}
