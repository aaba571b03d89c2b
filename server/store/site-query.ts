/**
 * The Sites page's queries (issue 19), one builder for both engines (support-query.ts's dialects): the monitored sites
 * with their number of checks, and one site's newest checks with their findings. Checks stored at or before `liveAfter`
 * (retention.ts retentionCutoff: past retention, not yet purged) are left out, as every other reader leaves them out.
 */
import { SeveritySchema, type Severity, type Verdict } from '../../lib/schema/result';
import type { SiteCheck } from '../../lib/monitor/sites';
import type { Dialect } from './support-query';

/** A monitored site in the store: its name, how many checks it has, and when the newest was stored. */
export interface StoredSite {
  site: string;
  checks: number;
  latestAt: Date;
}

/** Most checks one call of siteChecks returns. */
export const MAX_SITE_CHECKS = 2000;

/** SQL listing the sites (name order) and its parameters. */
export function sitesSql(dialect: Dialect, liveAfter: Date): { sql: string; params: unknown[] } {
  return {
    sql: `SELECT site, count(*) AS checks, max(created_at) AS latest_at FROM results
          WHERE site IS NOT NULL AND created_at > ${dialect.placeholder(1)} GROUP BY site ORDER BY site`,
    params: [dialect.time(liveAfter)],
  };
}

/**
 * SQL of one site's newest `limit` checks (newest first), each with its findings as `code:severity` joined by commas
 * (finding codes are kebab-case words), and its parameters. `aggregate` is the engine's string aggregate.
 */
export function siteChecksSql(dialect: Dialect, aggregate: 'group_concat' | 'string_agg', site: string, limit: number, liveAfter: Date): { sql: string; params: unknown[] } {
  const n = Math.min(Math.max(1, Math.floor(limit)), MAX_SITE_CHECKS);
  return {
    sql: `SELECT id, created_at, verdict,
            (SELECT ${aggregate}(f.code || ':' || coalesce(f.severity, ''), ',') FROM result_findings f WHERE f.result_id = results.id) AS findings
          FROM results WHERE site = ${dialect.placeholder(1)} AND created_at > ${dialect.placeholder(2)}
          ORDER BY created_at DESC, id DESC LIMIT ${n}`,
    params: [site, dialect.time(liveAfter)],
  };
}

/** A row of siteChecksSql as a SiteCheck; a finding without a recorded severity counts as `info`. */
export function toSiteCheck(row: { id: string; created_at: string | Date; verdict: Verdict | null; findings: string | null }): SiteCheck {
  const findings = (row.findings ? row.findings.split(',') : [])
    .map((entry) => {
      const at = entry.lastIndexOf(':');
      const severity = SeveritySchema.safeParse(entry.slice(at + 1));
      return { code: entry.slice(0, at), severity: (severity.success ? severity.data : 'info') as Severity };
    })
    .sort((a, b) => a.code.localeCompare(b.code));
  return { id: row.id, storedAt: new Date(row.created_at), verdict: row.verdict ?? 'inconclusive', findings };
}
