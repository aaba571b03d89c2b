// GET /embed – compact runner for iframes (pre-join check); posts { type: 'netready:result', result } to the parent
//
// A Pages Router page for its first load, like `/` (pages/index.tsx says why and with which figures).
import type { GetServerSideProps } from 'next';
import { Runner } from '../components/runner/runner';
import { runnerPageProps, type RunnerPageProps } from '../components/runner/runner-page-props';
import { PageHead } from '../components/site/page-head';
import { loadConfig, probePublicUrl } from '../server/config/load';

/** Configuration is read per request; Next strips this function and its imports from the browser bundle. */
export const getServerSideProps: GetServerSideProps<RunnerPageProps> = async ({ query }) => {
  const config = loadConfig();
  return { props: runnerPageProps(config, probePublicUrl(config), query) };
};

/** The runner without header/footer, for iframes. */
export default function EmbedPage({ name, probeUrl, budgetMs, probeTimeoutMs, autostart, deep }: RunnerPageProps) {
  return (
    <>
      <PageHead title={`Network check · ${name}`} />
      <main className="min-h-dvh bg-white p-4">
        <Runner
          variant="embed"
          probeUrl={probeUrl}
          budgetMs={budgetMs}
          probeTimeoutMs={probeTimeoutMs}
          configName={name}
          autostart={autostart}
          deep={deep}
        />
      </main>
    </>
  );
}
