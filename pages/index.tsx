// GET / – landing page and test runner (`?autostart=1` starts at once; `&deep=1` runs the deep check; the CLI uses both)
//
// A Pages Router page, not an App Router one, for its first load (issue 16: ≤ 130 KB of gzipped JavaScript).
// Measured with Next 16.4.6 + React 19 (bench/first-load-js.ts): a bare App Router page with no client component
// at all loads 134.6 KB (Turbopack; 132.8 KB with webpack) — the router runtime alone is over budget — while a
// bare Pages Router page loads 112.9 KB. The page renders on the server per request as before; the static parts
// (shell, idle explanation) now hydrate too, which costs < 1 KB.
import type { GetServerSideProps } from 'next';
import { Runner } from '../components/runner/runner';
import { runnerPageProps, type RunnerPageProps } from '../components/runner/runner-page-props';
import { WhatItChecks } from '../components/runner/what-it-checks';
import { PageHead } from '../components/site/page-head';
import { SiteShell } from '../components/site/site-shell';
import { loadConfig, probePublicUrl } from '../server/config/load';

/** Configuration is read per request; Next strips this function and its imports from the browser bundle. */
export const getServerSideProps: GetServerSideProps<RunnerPageProps> = async ({ query }) => {
  const config = loadConfig();
  return { props: runnerPageProps(config, probePublicUrl(config), query) };
};

/** Landing page: explanation, Start, live progress and the result. */
export default function HomePage({ name, brand, probeUrl, budgetMs, probeTimeoutMs, autostart, deep }: RunnerPageProps) {
  return (
    <>
      <PageHead title={`${name} · Network readiness test`} />
      <SiteShell brand={brand}>
        <Runner
          probeUrl={probeUrl}
          budgetMs={budgetMs}
          probeTimeoutMs={probeTimeoutMs}
          configName={name}
          autostart={autostart}
          deep={deep}
          idleIntro={<WhatItChecks />}
        />
      </SiteShell>
    </>
  );
}
