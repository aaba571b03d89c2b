// Shown by /r/:id when no stored result has the id
import { brandOf } from '../../../lib/config/brand';
import { SiteShell } from '../../../components/site/site-shell';
import { primaryButton } from '../../../components/ui/button-styles';
import { loadConfig } from '../../../server/config/load';

/** Explains a missing or mistyped share link. */
export default function SharedResultNotFound() {
  return (
    <SiteShell brand={brandOf(loadConfig())}>
      <div className="space-y-4 py-8">
        <p className="text-sm font-semibold tracking-wide text-slate-600 uppercase">Shared result</p>
        <h1 className="text-2xl font-semibold tracking-tight text-slate-900">This result does not exist</h1>
        <p className="max-w-prose text-slate-700">
          The link may be incomplete (check that it was copied in full), or the result was removed from this server.
        </p>
        {/* A plain link: `/` is a Pages Router page (pages/index.tsx), so the App Router cannot navigate to it on the
            client anyway; next/link would only prefetch it as RSC, a request Chromium then leaves pending. */}
        <a href="/" className={primaryButton}>
          Test your own network
        </a>
      </div>
    </SiteShell>
  );
}
