/**
 * A finished run, for people: verdict, findings with what to change, the measurements, the engineer's tables (ICE,
 * what the servers saw, DNS, proxy and TLS), collapsed technical details, and the run's identity. Used by the live
 * runner after `run-finished` and by the share page (/r/:id), so it has no state and no effects; it renders in a
 * server or a client tree alike.
 *
 * Results may come from anyone through a share link: every value is rendered as a React text node, never as
 * HTML (no dangerouslySetInnerHTML anywhere).
 */
import type { Result } from '../../lib/schema/result';
import { StatusBadge } from '../ui/status-badge';
import { BrowserScope, browserName } from './browser-scope';
import { CaptureKit, type CaptureKitProps } from './capture-kit';
import { FindingList } from './finding-list';
import { formatDuration, formatTimestamp, INCONCLUSIVE_BECAUSE, isNetworkFinding } from './labels';
import { probeTitle } from './probe-title';
import { EngineerDetails } from './engineer-details';
import { ServerCaptureLink } from './server-capture-link';
import { Measurements } from './measurements';
import { PacCheck } from './pac-check';
import { TechnicalDetails } from './technical-details';
import { VerdictBanner } from './verdict-banner';

/** Props of ResultView. */
export interface ResultViewProps {
  result: Result;
  /** Probe titles from the run's `run-started` event; known ids have built-in titles otherwise. */
  probeTitles?: Readonly<Record<string, string>>;
  /** id of the verdict headline, so a caller can move focus to it. */
  verdictHeadingId?: string;
  /** What the capture kit knows only where the result is stored: its share id, the server's capture link. */
  captureKit?: Omit<CaptureKitProps, 'result'>;
}

function clientSummary(result: Result): string {
  const name = browserName(result.client) ?? 'Unknown browser';
  // Issue 18: the browser is part of the diagnosis — say when it ran without WebRTC.
  const webrtcOff = result.client.webrtc?.peerConnection === false ? ' (WebRTC unavailable)' : '';
  return `${name}${webrtcOff}`;
}

/** Issue 18: why an inconclusive run is the browser's doing (WebRTC off, netready on loopback), when a finding says so. */
function inconclusiveCause(result: Result): { inconclusiveBecause?: string } {
  const sentence = result.findings.map((f) => INCONCLUSIVE_BECAUSE[f.code]).find((s) => s !== undefined);
  return sentence ? { inconclusiveBecause: sentence } : {};
}

/** The complete, read-only presentation of a Result. */
export function ResultView({ result, probeTitles, verdictHeadingId = 'verdict-heading', captureKit }: ResultViewProps) {
  const probes = Object.entries(result.probes);
  return (
    <div className="space-y-6">
      <VerdictBanner
        verdict={result.verdict}
        headingId={verdictHeadingId}
        warnings={result.findings.filter((f) => f.severity !== 'info' && isNetworkFinding(f)).length}
        setupIssues={result.findings.filter((f) => !isNetworkFinding(f)).length}
        {...inconclusiveCause(result)}
      />

      <section aria-labelledby="checks-heading">
        <h2 id="checks-heading" className="text-sm font-semibold tracking-wide text-slate-700 uppercase">
          Checks
        </h2>
        <ul className="mt-2 divide-y divide-slate-100 rounded-xl border border-slate-200 bg-white">
          {probes.map(([id, outcome]) => (
            <li key={id} className="flex items-center justify-between gap-3 px-4 py-2.5">
              <span className="min-w-0 text-sm text-slate-800">
                {probeTitle(id, probeTitles)}
                {outcome.explainedBy && outcome.explainedBy.length > 0 && (
                  <span className="block text-xs text-slate-600">
                    {outcome.reclassified ? 'Because of ' : 'See '}
                    {outcome.explainedBy.map((code, i) => (
                      <span key={code}>
                        {i > 0 && ', '}
                        <code className="font-mono">{code}</code>
                      </span>
                    ))}
                  </span>
                )}
              </span>
              <StatusBadge status={outcome.status} {...(outcome.reclassified ? { label: 'Not tested' } : {})} />
            </li>
          ))}
        </ul>
      </section>

      <section aria-labelledby="findings-heading">
        <h2 id="findings-heading" className="text-sm font-semibold tracking-wide text-slate-700 uppercase">
          Findings {result.findings.length > 0 && <span className="font-normal normal-case">({result.findings.length})</span>}
        </h2>
        <div className="mt-2">
          <FindingList findings={result.findings} />
        </div>
      </section>

      <Measurements probes={result.probes} />

      <EngineerDetails probes={result.probes} {...(probeTitles ? { probeTitles } : {})} />
      <ServerCaptureLink probes={result.probes} />

      <CaptureKit result={result} {...captureKit} />

      <PacCheck result={result} />

      <TechnicalDetails probes={result.probes} client={result.client} probeTitles={probeTitles} />

      <section aria-labelledby="run-heading" className="rounded-xl border border-slate-200 bg-white p-4">
        <h2 id="run-heading" className="text-sm font-semibold tracking-wide text-slate-700 uppercase">
          About this run
        </h2>
        <dl className="mt-2 grid grid-cols-1 gap-x-6 gap-y-2 text-sm sm:grid-cols-2">
          <div className="min-w-0">
            <dt className="text-xs text-slate-600">Tested against</dt>
            <dd className="break-words text-slate-900">{result.config.name}</dd>
          </div>
          <div className="min-w-0">
            <dt className="text-xs text-slate-600">Browser</dt>
            <dd className="break-words text-slate-900">{clientSummary(result)}</dd>
          </div>
          <div className="min-w-0">
            <dt className="text-xs text-slate-600">Started</dt>
            <dd className="text-slate-900 tabular-nums">
              <time dateTime={result.startedAt}>{formatTimestamp(result.startedAt)}</time>
            </dd>
          </div>
          <div className="min-w-0">
            <dt className="text-xs text-slate-600">Duration</dt>
            <dd className="text-slate-900 tabular-nums">{formatDuration(result.durationMs)}</dd>
          </div>
          <div className="min-w-0 sm:col-span-2">
            <dt className="text-xs text-slate-600">Run ID</dt>
            <dd className="font-mono text-xs break-all text-slate-900">{result.id}</dd>
          </div>
        </dl>
        <BrowserScope result={result} />
      </section>
    </div>
  );
}
