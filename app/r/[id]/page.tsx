// GET /r/:id – the human page of a shared result (404 when the id is unknown)
import type { Metadata } from 'next';
import { notFound } from 'next/navigation';
import { cache } from 'react';
import { VERDICT_COPY, formatTimestamp } from '../../../components/result/labels';
import { CopyLinkButton } from '../../../components/result/copy-link-button';
import { ResultView } from '../../../components/result/result-view';
import { PacAttached } from '../../../components/result/pac-attached';
import { readPacAttachment } from '../../../lib/pac/compare';
import { RunActions } from '../../../components/runner/run-actions';
import { brandOf } from '../../../lib/config/brand';
import { SiteShell } from '../../../components/site/site-shell';
import { secondaryButton } from '../../../components/ui/button-styles';
import { expiryOf, readLiveResult } from '../../../server/api/results-api';
import { loadConfig } from '../../../server/config/load';
import { getResultStore } from '../../../server/store';

export const dynamic = 'force-dynamic';

type Props = { params: Promise<{ id: string }> };

/**
 * The stored result, loaded once per request for both metadata and page. The store re-validates the stored
 * JSON against ResultSchema before returning it (a record that no longer matches raises corrupt_record),
 * so only schema-valid results are rendered.
 */
const loadShared = cache(async (id: string) => {
  const config = loadConfig();
  return readLiveResult(id, { store: getResultStore(config), retentionDays: config.results.retentionDays });
});

/** Page title from the verdict; share pages are never indexed. */
export async function generateMetadata({ params }: Props): Promise<Metadata> {
  const result = (await loadShared((await params).id))?.result;
  if (!result) return { title: 'Result not found', robots: { index: false } };
  return {
    title: `${VERDICT_COPY[result.verdict].title} — shared result`,
    description: VERDICT_COPY[result.verdict].sentence,
    // Share links are meant for the people they are sent to, not for search engines.
    robots: { index: false, follow: false },
  };
}

/** A stored result with a "shared result" header; 404 when the id is unknown. */
export default async function SharedResultPage({ params }: Props) {
  const { id } = await params;
  const stored = await loadShared(id);
  if (!stored) notFound();
  const { result } = stored;
  const config = loadConfig();
  const expiresAt = expiryOf(stored.createdAt, config.results.retentionDays).toISOString();
  return (
    <SiteShell brand={brandOf(config)}>
      <div className="space-y-6">
        <header className="space-y-2">
          <p className="text-sm font-semibold tracking-wide text-blue-800 uppercase">Shared result</p>
          <h1 className="text-2xl font-semibold tracking-tight text-slate-900 sm:text-3xl">Network readiness for video calls</h1>
          <p className="text-sm leading-6 text-slate-700">
            Someone ran this test on their network on <time dateTime={result.startedAt}>{formatTimestamp(result.startedAt)}</time>{' '}
            and shared the result. It describes their network at that moment, not yours.
          </p>
          {stored.note && (
            <p className="rounded-lg border border-slate-200 bg-white px-3 py-2 text-sm whitespace-pre-wrap text-slate-800" data-testid="submitter-note">
              <span className="font-semibold">Note from the person who shared it: </span>
              {stored.note}
            </p>
          )}
          <p className="text-xs leading-5 text-slate-600" data-testid="stored-until">
            What is stored: this test result (the browser, the addresses and what each check saw) and the note above, if
            any{stored.pacCheck ? ', and the PAC file attached below with its check' : ''} — no name or account. It is deleted on <time dateTime={expiresAt}>{formatTimestamp(expiresAt)}</time>, or
            earlier by whoever holds its delete token.
          </p>
          <div className="flex flex-wrap gap-2 pt-2 print:hidden">
            <CopyLinkButton />
            <RunActions result={result} allowShare={false} />
            {/* A plain link: `/` is a Pages Router page (pages/index.tsx), so the App Router cannot navigate to it on the
                client anyway; next/link would only prefetch it as RSC, a request Chromium then leaves pending. */}
            <a href="/" className={secondaryButton}>
              Test your own network
            </a>
          </div>
        </header>
        <ResultView result={result} captureKit={{ shareId: id }} />
        <PacAttached shareId={id} attachment={readPacAttachment(stored.pacCheck)} />
      </div>
    </SiteShell>
  );
}
