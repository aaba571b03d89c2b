/**
 * One monitored site on the support view's Sites page (issue 19): the newest result, a verdict strip over time (small
 * print-friendly SVG, one mark per check, colour and a text summary — never colour alone), and the change events with
 * links to the last check before and the first after each change.
 */
import { VERDICT_COPY, formatTimestamp } from '../result/labels';
import { VERDICT_RANK, type ChangeGroup } from '../../lib/monitor/changes';
import type { SiteView } from '../../lib/monitor/sites';
import type { Verdict } from '../../lib/schema/result';

/** Fill of each verdict's mark (literal class names, so the stylesheet build keeps them). */
const VERDICT_FILL: Record<Verdict, string> = { ready: 'fill-emerald-600', degraded: 'fill-amber-500', blocked: 'fill-red-600', inconclusive: 'fill-slate-400' };
/** Short words for a verdict in the strip's legend and events. */
const VERDICT_WORD: Record<Verdict, string> = { ready: 'ready', degraded: 'degraded', blocked: 'blocked', inconclusive: 'inconclusive' };

const STRIP_WIDTH = 600;
const STRIP_HEIGHT = 28;
/** Most events listed per site. */
const MAX_EVENTS = 20;
/** The confirmation the page replays with (buildSiteView's default, the monitor's default `--confirm-runs`). */
const CONFIRM_WORDS = 'two';

/** A duration in the largest whole unit: "3 d", "5 h", "12 min". */
function formatAge(ms: number): string {
  if (ms >= 86_400_000) return `${Math.floor(ms / 86_400_000)} d`;
  if (ms >= 3_600_000) return `${Math.floor(ms / 3_600_000)} h`;
  return `${Math.max(1, Math.floor(ms / 60_000))} min`;
}

/** The strip: one mark per check at its time, as wide as the checks are dense (at least 2 units). */
function VerdictStrip({ view }: { view: SiteView }) {
  const mark = Math.max(2, Math.min(24, STRIP_WIDTH / Math.max(1, view.strip.length) - 1));
  const counts = (Object.keys(view.verdictCounts) as Verdict[]).filter((verdict) => view.verdictCounts[verdict] > 0);
  const summary = counts.map((verdict) => `${view.verdictCounts[verdict]} ${VERDICT_WORD[verdict]}`).join(', ');
  return (
    <figure className="mt-3">
      <svg viewBox={`0 0 ${STRIP_WIDTH} ${STRIP_HEIGHT}`} className="h-7 w-full" preserveAspectRatio="none" role="img" aria-label={`Verdicts of ${view.strip.length} checks from ${formatTimestamp(view.from.toISOString())} to ${formatTimestamp(view.to.toISOString())}: ${summary}`}>
        <rect x="0" y="0" width={STRIP_WIDTH} height={STRIP_HEIGHT} className="fill-slate-100" />
        {view.strip.map((cell) => (
          <rect key={cell.id} x={Math.min(STRIP_WIDTH - mark, cell.x * (STRIP_WIDTH - mark))} y="2" width={mark} height={STRIP_HEIGHT - 4} className={VERDICT_FILL[cell.verdict]}>
            <title>{`${formatTimestamp(cell.storedAt.toISOString())}: ${VERDICT_WORD[cell.verdict]}`}</title>
          </rect>
        ))}
      </svg>
      <figcaption className="mt-1 flex flex-wrap justify-between gap-x-4 text-xs text-slate-600">
        <span className="tabular-nums">{formatTimestamp(view.from.toISOString())}</span>
        <span className="flex flex-wrap gap-x-3">
          {counts.map((verdict) => (
            <span key={verdict} className="inline-flex items-center gap-1">
              <svg viewBox="0 0 10 10" className="h-2.5 w-2.5" aria-hidden="true">
                <rect width="10" height="10" rx="2" className={VERDICT_FILL[verdict]} />
              </svg>
              {view.verdictCounts[verdict]} {VERDICT_WORD[verdict]}
            </span>
          ))}
        </span>
        <span className="tabular-nums">{formatTimestamp(view.to.toISOString())}</span>
      </figcaption>
      {/* The strip in words: colour is never the only carrier of when the verdict changed. */}
      <details className="mt-1 text-xs text-slate-700">
        <summary className="cursor-pointer text-slate-600">The strip in words ({view.runs.length} {view.runs.length === 1 ? 'stretch' : 'stretches'})</summary>
        <ol className="mt-1 list-disc pl-5">
          {view.runs.map((run) => (
            <li key={run.from.toISOString()}>
              {VERDICT_WORD[run.verdict]}: {formatTimestamp(run.from.toISOString())}
              {run.checks > 1 ? ` to ${formatTimestamp(run.to.toISOString())}` : ''} ({run.checks} {run.checks === 1 ? 'check' : 'checks'})
            </li>
          ))}
        </ol>
      </details>
    </figure>
  );
}

/** One change event in words: what changed, and the window between the last check before and the first after. */
function ChangeEventItem({ event }: { event: ChangeGroup }) {
  const worse = event.verdict ? VERDICT_RANK[event.verdict.to] > VERDICT_RANK[event.verdict.from] : event.appeared.some((f) => f.severity !== 'info');
  const list = (items: ChangeGroup['appeared']): string => items.map((f) => `${f.code} (${f.severity})`).join(', ');
  return (
    <li className={`rounded-lg border-l-4 bg-white px-3 py-2 ${worse ? 'border-red-500' : 'border-emerald-600'}`}>
      <p className="text-sm text-slate-900">
        <span className="sr-only">{worse ? 'Worse: ' : 'Better: '}</span>
        {event.verdict && (
          <span className="font-semibold">
            Verdict {VERDICT_WORD[event.verdict.from]} → {VERDICT_WORD[event.verdict.to]}
            {'. '}
          </span>
        )}
        {event.appeared.length > 0 && <span>Appeared: <span className="font-mono text-xs">{list(event.appeared)}</span>. </span>}
        {event.disappeared.length > 0 && <span>Gone: <span className="font-mono text-xs">{list(event.disappeared)}</span>.</span>}
      </p>
      <p className="mt-0.5 text-xs text-slate-600">
        Changed between <time dateTime={new Date(event.before.atMs).toISOString()}>{formatTimestamp(new Date(event.before.atMs).toISOString())}</time> (
        <a className="text-blue-800 underline" href={`/r/${event.before.runId}`}>
          last check before
        </a>
        ) and <time dateTime={new Date(event.after.atMs).toISOString()}>{formatTimestamp(new Date(event.after.atMs).toISOString())}</time> (
        <a className="text-blue-800 underline" href={`/r/${event.after.runId}`}>
          first check after
        </a>
        ).
      </p>
    </li>
  );
}

/** A site's card: name, latest result, verdict strip, change events; `index` makes its heading's id (names have spaces). */
export function SiteCard({ view, focused, index }: { view: SiteView; focused: boolean; index: number }) {
  const latest = view.latest;
  const headingId = `site-${index}`;
  const events = view.events.slice(0, MAX_EVENTS);
  return (
    <section aria-labelledby={headingId} className="rounded-xl border border-slate-200 bg-white p-4 break-inside-avoid" data-testid="site-card">
      <div className="flex flex-wrap items-baseline justify-between gap-2">
        <h2 id={headingId} className="text-lg font-semibold text-slate-900">
          {focused ? view.site : <a className="underline decoration-slate-300 hover:decoration-slate-600" href={`/support/sites?site=${encodeURIComponent(view.site)}`}>{view.site}</a>}
        </h2>
        <p className="text-sm text-slate-700">
          Latest: <span className="font-semibold">{VERDICT_COPY[latest.verdict].title}</span>, {formatTimestamp(latest.storedAt.toISOString())} ·{' '}
          <a className="text-blue-800 underline" href={`/r/${latest.id}`}>
            latest result
          </a>
        </p>
      </div>
      {view.staleForMs !== undefined && (
        <p role="status" className="mt-2 rounded-md border border-amber-300 bg-amber-50 px-2 py-1 text-sm text-amber-950">
          No check for {formatAge(view.staleForMs)} — about {Math.round(view.staleForMs / (view.usualGapMs ?? view.staleForMs))} times the usual gap. Is the monitor at this site still running? The verdict above is from its last check.
        </p>
      )}
      <p className="mt-1 text-xs text-slate-600">
        {view.strip.length === view.totalChecks ? `${view.totalChecks} ${view.totalChecks === 1 ? 'check' : 'checks'}` : `The newest ${view.strip.length} of ${view.totalChecks} checks`} stored
        {view.staleForMs !== undefined ? ' · at the last check: ' : ' · now: '}
        {latest.findings.length > 0 ? latest.findings.map((f) => f.code).join(', ') : 'no findings'}
      </p>
      <VerdictStrip view={view} />
      <h3 className="mt-4 text-xs font-semibold tracking-wide text-slate-700 uppercase">Changes</h3>
      {events.length === 0 ? (
        <p className="mt-1 text-sm text-slate-600">No change held for {CONFIRM_WORDS} checks in a row in this span.</p>
      ) : (
        <ol className="mt-2 space-y-2" aria-label={`Changes at ${view.site}, newest first`}>
          {events.map((event) => (
            <ChangeEventItem key={`${event.before.runId}-${event.after.runId}`} event={event} />
          ))}
        </ol>
      )}
      {view.events.length > events.length && <p className="mt-2 text-xs text-slate-600">{view.events.length - events.length} older changes not shown.</p>}
    </section>
  );
}
