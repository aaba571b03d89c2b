// GET / – landing page and test runner (`?autostart=1` starts at once; `&deep=1` runs the deep check; the CLI uses both)
import { Runner } from '../components/runner/runner';
import { WhatItChecks } from '../components/runner/what-it-checks';
import { SiteShell } from '../components/site/site-shell';
import { loadConfig, probePublicUrl } from '../server/config/load';

// Configuration is read per request (environment of the running server, not of the build).
export const dynamic = 'force-dynamic';

/** Landing page: explanation, Start, live progress and the result. */
export default async function HomePage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const config = loadConfig();
  const { autostart, deep } = await searchParams;
  return (
    <SiteShell deploymentName={config.name}>
      <Runner
        probeUrl={probePublicUrl(config)}
        budgetMs={config.run.budgetMs}
        probeTimeoutMs={config.run.probeTimeoutMs}
        configName={config.name}
        autostart={autostart === '1'}
        deep={deep === '1'}
        idleIntro={<WhatItChecks />}
      />
    </SiteShell>
  );
}
