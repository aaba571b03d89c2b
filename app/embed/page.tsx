// GET /embed – compact runner for iframes (pre-join check); posts { type: 'netready:result', result } to the parent
import type { Metadata } from 'next';
import { Runner } from '../../components/runner/runner';
import { loadConfig, probePublicUrl } from '../../server/config/load';

export const dynamic = 'force-dynamic';

export const metadata: Metadata = { title: 'Network check' };

/** The runner without header/footer, for iframes. */
export default async function EmbedPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const config = loadConfig();
  const { autostart, deep } = await searchParams;
  return (
    <main className="min-h-dvh bg-white p-4">
      <Runner
        variant="embed"
        probeUrl={probePublicUrl(config)}
        budgetMs={config.run.budgetMs}
        probeTimeoutMs={config.run.probeTimeoutMs}
        configName={config.name}
        autostart={autostart === '1'}
        deep={deep === '1'}
      />
    </main>
  );
}
