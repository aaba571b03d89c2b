/**
 * The support view's filters from a URL's query (issue 13), shared by the page (`/support`) and its CSV export
 * (`/api/support/results.csv`): `verdict`, `code`, `from` and `to` (UTC days, `to` inclusive), `org` (an organisation
 * or e-mail domain in the note) and `q` (any text in the note), and `after` (the page cursor). A value that is not
 * understood is reported, never silently widened.
 */
import { VerdictSchema, type Verdict } from '../../lib/schema/result';
import { retentionCutoff } from '../store/retention';
import type { SupportCursor, SupportQuery } from '../store/support-query';

/** The filters as the form shows them (strings, '' for none). */
export interface SupportForm {
  verdict: string;
  code: string;
  from: string;
  to: string;
  org: string;
  q: string;
}

/** Parsed filters, the cursor, the form's values and what could not be used. */
export interface SupportParams {
  query: SupportQuery;
  after?: SupportCursor;
  form: SupportForm;
  problems: string[];
}

const DAY_MS = 86_400_000;
const MAX_TEXT = 100;

/** A `YYYY-MM-DD` day as its UTC midnight, or null. */
function parseDay(text: string): Date | null {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(text)) return null;
  const date = new Date(`${text}T00:00:00.000Z`);
  return Number.isNaN(date.getTime()) || date.toISOString().slice(0, 10) !== text ? null : date;
}

/** The cursor of a page link (`<ISO time>_<id>`). */
export function formatCursor(cursor: SupportCursor): string {
  return `${cursor.createdAt.toISOString()}_${cursor.id}`;
}

/** Which results are live: those stored within `retentionDays` (config `results.retentionDays`) of `now`. */
export interface SupportRetention {
  retentionDays: number;
  /** Default: the current time. */
  now?: Date;
}

/**
 * Reads the filters from a query. The query always keeps to results within retention (`liveAfter`): expired ones
 * the purge has not deleted yet are not shown, counted or exported.
 */
export function supportParams(search: URLSearchParams, retention: SupportRetention): SupportParams {
  const get = (name: string): string => (search.get(name) ?? '').trim().slice(0, MAX_TEXT);
  const form: SupportForm = { verdict: get('verdict'), code: get('code'), from: get('from'), to: get('to'), org: get('org'), q: get('q') };
  const problems: string[] = [];
  const query: SupportQuery = { liveAfter: retentionCutoff(retention.now ?? new Date(), retention.retentionDays) };
  if (form.verdict) {
    if (VerdictSchema.safeParse(form.verdict).success) query.verdict = form.verdict as Verdict;
    else problems.push(`verdict "${form.verdict}" is not one of ready, degraded, blocked, inconclusive`);
  }
  if (form.code) {
    if (/^[a-z0-9-]{1,64}$/.test(form.code)) query.code = form.code;
    else problems.push(`"${form.code}" is not a finding code`);
  }
  if (form.from) {
    const from = parseDay(form.from);
    if (from) query.from = from;
    else problems.push(`from "${form.from}" is not a day (YYYY-MM-DD)`);
  }
  if (form.to) {
    const to = parseDay(form.to);
    if (to) query.to = new Date(to.getTime() + DAY_MS);
    else problems.push(`to "${form.to}" is not a day (YYYY-MM-DD)`);
  }
  const texts = [form.org, form.q].filter((text) => text !== '');
  if (texts.length > 0) query.noteContains = texts;
  const afterText = search.get('after');
  let after: SupportCursor | undefined;
  if (afterText) {
    const match = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z)_([A-Za-z0-9_-]{1,64})$/.exec(afterText);
    if (match) after = { createdAt: new Date(match[1]!), id: match[2]! };
    else problems.push('the page link is not valid; showing the first page');
  }
  return { query, ...(after ? { after } : {}), form, problems };
}

/** The query string of the form's filters (for page and CSV links). */
export function formQuery(form: SupportForm, extra: Record<string, string> = {}): string {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries({ ...form, ...extra })) if (value) params.set(name, value);
  const text = params.toString();
  return text ? `?${text}` : '';
}

/** One CSV field (RFC 4180), with spreadsheet formulas defused (a leading = + - @ tab or CR gets a quote mark, OWASP). */
export function csvField(value: string): string {
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
}
