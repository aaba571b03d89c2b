// Shown for every path that is not a page (404)
import { connection } from 'next/server';
import { brandOf } from '../lib/config/brand';
import { SiteShell } from '../components/site/site-shell';
import { primaryButton } from '../components/ui/button-styles';
import { loadConfig } from '../server/config/load';

/**
 * Explains a mistyped address. Rendered per request (`connection()`): a prerendered 404 would carry scripts without
 * the request's CSP nonce, which the policy of proxy.ts then blocks.
 */
export default async function NotFound() {
  await connection();
  return (
    <SiteShell brand={brandOf(loadConfig())}>
      <div className="space-y-4 py-8">
        <p className="text-sm font-semibold tracking-wide text-slate-600 uppercase">Page not found</p>
        <h1 className="text-2xl font-semibold tracking-tight text-slate-900">There is no page at this address</h1>
        <p className="max-w-prose text-slate-700">Check that the address was copied in full, or start from the test page.</p>
        {/* A plain link: the root not-found belongs to every page's client graph, and next/link would add its
            client code to the first load of / and /embed (issue 16). */}
        <a href="/" className={primaryButton}>
          Test your network
        </a>
      </div>
    </SiteShell>
  );
}
