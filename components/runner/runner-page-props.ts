/**
 * The server-side props of `/` and `/embed` (pages/index.tsx, pages/embed.tsx): the deployment's configuration,
 * read per request (the environment of the running server, not of the build), and the query switches.
 */
import type { GetServerSidePropsContext } from 'next';
import { brandOf, type Brand } from '../../lib/config/brand';
import type { Config } from '../../lib/config/schema';

/** What a runner page renders from. Every field is JSON (getServerSideProps refuses `undefined`). */
export interface RunnerPageProps {
  /** Deployment name (titles, header, result). */
  name: string;
  /** The operator's branding for the page frame. */
  brand: Brand;
  /** Probe server HTTP base URL as the browser reaches it. */
  probeUrl: string;
  /** Overall run budget, ms (config `run.budgetMs`). */
  budgetMs: number;
  /** Per-probe deadline, ms (config `run.probeTimeoutMs`). */
  probeTimeoutMs: number;
  /** `?autostart=1`. */
  autostart: boolean;
  /** `&deep=1`. */
  deep: boolean;
}

/** Builds the props from a loaded configuration, its public probe URL and the request's query. */
export function runnerPageProps(config: Config, probeUrl: string, query: GetServerSidePropsContext['query']): RunnerPageProps {
  return {
    name: config.name,
    brand: brandOf(config),
    probeUrl,
    budgetMs: config.run.budgetMs,
    probeTimeoutMs: config.run.probeTimeoutMs,
    autostart: query.autostart === '1',
    deep: query.deep === '1',
  };
}
