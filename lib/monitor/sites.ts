/**
 * The central view of monitored sites (issue 19): what the support view's Sites page shows of one site — its checks as
 * a verdict strip over time, the change events those checks confirm, and the latest result — computed from the checks
 * the site's `netready monitor --token` stored on the server. The change events come from the same ChangeDetector the
 * monitor itself runs, replayed over the stored checks, so the page and the monitor's alerts name the same windows.
 *
 * Pure: the store hands in rows, the page renders what this returns.
 */
import type { Severity, Verdict } from '../schema/result';
import { ChangeDetector, groupChanges, type ChangeGroup } from './changes';

/**
 * What a site name may be: letters, digits, spaces, dots, dashes and underscores, at most 64, no leading or trailing
 * space — the same for `netready monitor --site` and the operator's `monitor.sites[].name`.
 */
export const SITE_NAME_PATTERN = /^(?! )[A-Za-z0-9 ._-]{1,64}(?<! )$/;

/** Whether `name` is a valid site name (SITE_NAME_PATTERN). */
export function isSiteName(name: string): boolean {
  return SITE_NAME_PATTERN.test(name);
}

/** One stored check of a site, as the store lists it. */
export interface SiteCheck {
  /** Share id of the stored result (`/r/<id>`). */
  id: string;
  /** When the server stored it (the check had just ended). */
  storedAt: Date;
  verdict: Verdict;
  findings: ReadonlyArray<{ code: string; severity: Severity }>;
}

/** One cell of the verdict strip. */
export interface StripCell {
  id: string;
  verdict: Verdict;
  /** Position of the check's time on the strip, 0 (oldest shown) to 1 (newest). */
  x: number;
  storedAt: Date;
}

/** What the Sites page shows of one site. */
export interface SiteView {
  site: string;
  /** Checks the store holds for the site (the strip shows the newest `checks.length` of them). */
  totalChecks: number;
  latest: SiteCheck;
  /** The checks shown, oldest first, placed on the time axis. */
  strip: StripCell[];
  /** Time span of the strip. */
  from: Date;
  to: Date;
  /** Confirmed changes among the checks shown, newest first; their run ids are share ids (`/r/<id>`). */
  events: ChangeGroup[];
  /** How many checks each verdict had among those shown. */
  verdictCounts: Record<Verdict, number>;
  /** The checks as runs of one verdict, oldest first: the strip in words. */
  runs: Array<{ verdict: Verdict; from: Date; to: Date; checks: number }>;
  /** The usual time between two checks (median of the gaps), ms; undefined with a single check. */
  usualGapMs?: number;
  /**
   * Set when the newest check is older than STALE_AFTER_GAPS usual gaps (the deploy/ alert's "no check for three
   * intervals"): how long ago it was, ms. The site's monitor has probably stopped; its latest verdict is old news.
   */
  staleForMs?: number;
}

/** Usual gaps between checks after which a site counts as stale (deploy/prometheus: no check for three intervals). */
export const STALE_AFTER_GAPS = 3;
/** The monitor's shortest interval, ms (cli/monitor/args.ts MIN_INTERVAL_MS): no gap counts as shorter. */
const SHORTEST_GAP_MS = 30_000;

/**
 * Builds a site's view from the checks the caller chose to show (any order, usually the newest few hundred) with the
 * monitor's own change detection (`confirmRuns` consecutive checks, default 2) and, at `now`, whether it went quiet.
 * Throws RangeError for an empty list: a site is listed only once it has a check.
 */
export function buildSiteView(site: string, totalChecks: number, checks: readonly SiteCheck[], now: Date, confirmRuns = 2): SiteView {
  if (checks.length === 0) throw new RangeError(`site ${site} has no checks to show`);
  const ordered = [...checks].sort((a, b) => a.storedAt.getTime() - b.storedAt.getTime() || a.id.localeCompare(b.id));
  const first = ordered[0]!.storedAt.getTime();
  const last = ordered.at(-1)!.storedAt.getTime();
  const span = last - first;
  const detector = new ChangeDetector({ confirmRuns });
  const events: ChangeGroup[] = [];
  const verdictCounts: Record<Verdict, number> = { ready: 0, degraded: 0, blocked: 0, inconclusive: 0 };
  for (const check of ordered) {
    verdictCounts[check.verdict]++;
    events.push(...groupChanges(detector.observe({ runId: check.id, atMs: check.storedAt.getTime(), verdict: check.verdict, findings: check.findings })));
  }
  const runs: SiteView['runs'] = [];
  for (const check of ordered) {
    const run = runs.at(-1);
    if (run && run.verdict === check.verdict) {
      run.to = check.storedAt;
      run.checks++;
    } else runs.push({ verdict: check.verdict, from: check.storedAt, to: check.storedAt, checks: 1 });
  }
  const gaps = ordered.slice(1).map((check, i) => check.storedAt.getTime() - ordered[i]!.storedAt.getTime()).sort((a, b) => a - b);
  const usualGapMs = gaps.length > 0 ? gaps[Math.floor((gaps.length - 1) / 2)]! : undefined;
  const sinceLast = now.getTime() - last;
  return {
    site,
    totalChecks: Math.max(totalChecks, checks.length),
    runs,
    ...(usualGapMs !== undefined ? { usualGapMs } : {}),
    ...(usualGapMs !== undefined && sinceLast > STALE_AFTER_GAPS * Math.max(usualGapMs, SHORTEST_GAP_MS) ? { staleForMs: sinceLast } : {}),
    latest: ordered.at(-1)!,
    strip: ordered.map((check) => ({ id: check.id, verdict: check.verdict, storedAt: check.storedAt, x: span > 0 ? (check.storedAt.getTime() - first) / span : 1 })),
    from: new Date(first),
    to: new Date(last),
    events: events.reverse(),
    verdictCounts,
  };
}
