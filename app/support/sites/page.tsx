// GET /support/sites – the monitored sites (issue 19): per site a verdict strip over time, its change events and the
// latest result, from the checks each site's `netready monitor --token` stored. Signed in like /support (proxy.ts).
import type { Metadata } from 'next';
import { SiteShell } from '../../../components/site/site-shell';
import { SiteCard } from '../../../components/support/site-card';
import { brandOf } from '../../../lib/config/brand';
import { buildSiteView } from '../../../lib/monitor/sites';
import { loadConfig } from '../../../server/config/load';
import { getResultStore } from '../../../server/store';
import { retentionCutoff } from '../../../server/store/retention';

export const dynamic = 'force-dynamic';

export const metadata: Metadata = { title: 'Support: monitored sites', robots: { index: false, follow: false } };

/** Checks shown per site in the list, and for one site on its own. */
const CHECKS_IN_LIST = 120;
const CHECKS_FOCUSED = 1000;

type Props = { searchParams: Promise<Record<string, string | string[] | undefined>> };

/** The Sites page, or the support view's "off" page. */
export default async function SitesPage({ searchParams }: Props) {
  const config = loadConfig();
  const brand = brandOf(config);
  if (!config.support.passwordHash) {
    return (
      <SiteShell brand={brand}>
        <h1 className="text-2xl font-semibold text-slate-900">The support view is off</h1>
        <p className="mt-3 text-sm leading-6 text-slate-700">
          This deployment has no support credential, so its Sites page is off too. The operator turns it on with <code>support.passwordHash</code>.
        </p>
      </SiteShell>
    );
  }
  const raw = await searchParams;
  const focus = typeof raw.site === 'string' ? raw.site : undefined;
  const store = getResultStore(config);
  const liveAfter = retentionCutoff(new Date(), config.results.retentionDays);
  const stored = await store.listSites(liveAfter);
  const shown = focus === undefined ? stored : stored.filter((site) => site.site === focus);
  const now = new Date();
  const read = await Promise.all(shown.map(async (site) => ({ site, checks: await store.siteChecks(site.site, focus === undefined ? CHECKS_IN_LIST : CHECKS_FOCUSED, liveAfter) })));
  // A purge between the two reads may have taken a site's last checks: it is simply not listed.
  const views = read.filter(({ checks }) => checks.length > 0).map(({ site, checks }) => buildSiteView(site.site, site.checks, checks, now));
  const storedNames = new Set(stored.map((site) => site.site));
  const silent = focus === undefined ? config.monitor.sites.filter((site) => !storedNames.has(site.name)).map((site) => site.name) : [];
  return (
    <SiteShell brand={brand} wide>
      <div className="space-y-6">
        <header>
          <p className="text-sm font-semibold tracking-wide text-blue-800 uppercase">
            <a className="underline decoration-blue-300" href="/support">
              Support
            </a>{' '}
            › Sites
          </p>
          <h1 className="text-2xl font-semibold tracking-tight text-slate-900">{focus === undefined ? 'Monitored sites' : focus}</h1>
          <p className="mt-1 text-sm text-slate-700">
            Checks that <code>netready monitor</code> ran at each site and stored here, newest on the right. A change counts once it held for two checks
            in a row (the monitor&apos;s default; a monitor run with <code>--confirm-runs 3</code> alerts one check later); its window runs from the last
            check before it to the first after. A site without a check for three of its usual gaps is marked. Checks are deleted{' '}
            {config.results.retentionDays} days after they were stored; they are not in the list of results people shared.
          </p>
          {focus !== undefined && (
            <p className="mt-2 text-sm">
              <a className="text-blue-800 underline" href="/support/sites">
                All sites
              </a>
            </p>
          )}
        </header>

        {views.length === 0 && silent.length === 0 && (
          <section className="rounded-xl border border-slate-200 bg-white p-4 text-sm leading-6 text-slate-700">
            <h2 className="font-semibold text-slate-900">{focus === undefined ? 'No site has stored a check yet' : 'No stored checks for this site'}</h2>
            <p className="mt-1">
              Make a token per site with <code>npx netready site-token &quot;Berlin office&quot;</code>, add the entry it prints to <code>monitor.sites</code> in
              this server&apos;s config, and run <code>netready monitor --url … --site &quot;Berlin office&quot; --interval 5m --token …</code> on a machine at that site.
            </p>
          </section>
        )}

        {views.map((view, index) => (
          <SiteCard key={view.site} view={view} focused={focus !== undefined} index={index} />
        ))}

        {silent.length > 0 && (
          <section aria-labelledby="silent-heading" className="rounded-xl border border-amber-300 bg-amber-50 p-4 text-sm text-amber-950">
            <h2 id="silent-heading" className="font-semibold">
              Configured, but no checks stored in the last {config.results.retentionDays} days
            </h2>
            <p className="mt-1">{silent.join(', ')}</p>
            <p className="mt-1">Is the monitor at these sites running, with its token? Its own log says whether the server refused a check.</p>
          </section>
        )}
      </div>
    </SiteShell>
  );
}
