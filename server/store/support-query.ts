/**
 * The support view's filters as SQL (issue 13), one builder for both engines: the WHERE clause over `results` (with
 * `result_findings` for the finding code), its parameters, and the keyset page. Dialects differ only in placeholders
 * (`?` / `$n`), in how times are passed (ISO text / Date) and in case-insensitive LIKE.
 */
import type { Verdict } from '../../lib/schema/result';

/** Filters of the support view. Every field optional; all given ones must hold. */
export interface SupportQuery {
  verdict?: Verdict;
  /** A finding code the result has. */
  code?: string;
  /** Stored at or after. */
  from?: Date;
  /** Stored before. */
  to?: Date;
  /** Texts the submitter's note must contain, case-insensitive (an organisation, an e-mail domain, a ticket number). */
  noteContains?: string[];
  /**
   * Stored strictly after: the retention cut-off (server/store/retention.ts retentionCutoff), so a result past
   * `results.retentionDays` that the purge has not deleted yet is neither listed nor counted — its share link already
   * answers 404 (readLiveResult). The support view always sets it (server/api/support-params.ts).
   */
  liveAfter?: Date;
  /**
   * Also the checks monitored sites stored (`netready monitor --token`, issue 19); default false: the support view
   * lists the results people shared, and the Sites page shows the monitors' checks.
   */
  includeSiteChecks?: boolean;
}

/** Where a page starts: after this row of the previous page (newest first). */
export interface SupportCursor {
  createdAt: Date;
  id: string;
}

/** One row of the support view. */
export interface SupportRow {
  id: string;
  createdAt: Date;
  verdict: Verdict | null;
  findingCodes: string[];
  note: string | null;
}

/** One page of rows, newest first, and how many match in all. */
export interface SupportPage {
  rows: SupportRow[];
  total: number;
  /** Where the next page starts, or null on the last page. */
  next: SupportCursor | null;
}

/** Most rows a page may have. */
export const MAX_SUPPORT_PAGE = 500;

/** The SQL dialect of an engine. */
export interface Dialect {
  placeholder(index: number): string;
  time(date: Date): unknown;
  like: 'LIKE' | 'ILIKE';
}

/** SQLite: `?`, ISO text times, LIKE (case-insensitive for ASCII). */
export const SQLITE_DIALECT: Dialect = { placeholder: () => '?', time: (date) => date.toISOString(), like: 'LIKE' };
/** PostgreSQL: `$n`, timestamptz, ILIKE. */
export const POSTGRES_DIALECT: Dialect = { placeholder: (index) => `$${index}`, time: (date) => date, like: 'ILIKE' };

/** A LIKE pattern matching `text` anywhere, with `%`, `_` and `\\` taken literally. */
export function containsPattern(text: string): string {
  return `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/** The WHERE clause (`WHERE …` or '') and its parameters; `skip` leaves out filters (the counts ignore the code). */
export function supportWhere(query: SupportQuery, dialect: Dialect, options: { cursor?: SupportCursor; skipCode?: boolean } = {}): { sql: string; params: unknown[] } {
  const clauses: string[] = [];
  const params: unknown[] = [];
  const param = (value: unknown): string => {
    params.push(value);
    return dialect.placeholder(params.length);
  };
  if (query.verdict) clauses.push(`results.verdict = ${param(query.verdict)}`);
  if (query.code && !options.skipCode) clauses.push(`EXISTS (SELECT 1 FROM result_findings f WHERE f.result_id = results.id AND f.code = ${param(query.code)})`);
  if (query.from) clauses.push(`results.created_at >= ${param(dialect.time(query.from))}`);
  if (query.to) clauses.push(`results.created_at < ${param(dialect.time(query.to))}`);
  if (query.liveAfter) clauses.push(`results.created_at > ${param(dialect.time(query.liveAfter))}`);
  if (!query.includeSiteChecks) clauses.push('results.site IS NULL');
  for (const text of query.noteContains ?? []) {
    if (text.trim()) clauses.push(`results.note ${dialect.like} ${param(containsPattern(text.trim()))} ESCAPE '\\'`);
  }
  if (options.cursor) {
    // The time twice as two parameters: SQLite's `?` are positional.
    const before = param(dialect.time(options.cursor.createdAt));
    const same = param(dialect.time(options.cursor.createdAt));
    clauses.push(`(results.created_at < ${before} OR (results.created_at = ${same} AND results.id < ${param(options.cursor.id)}))`);
  }
  return { sql: clauses.length > 0 ? `WHERE ${clauses.join(' AND ')}` : '', params };
}
