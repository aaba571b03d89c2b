/**
 * `netready check --pac <url|file>` (issue 20): the CLI runs inside the client's network, so it can do what the
 * server never does — fetch the PAC file from its internal URL and let the machine's own resolver answer the PAC's
 * DNS questions (server/pac/local-sandbox.ts). The PAC still runs in the same QuickJS sandbox with time and memory
 * limits (server/pac/pac-evaluator.ts); its decisions are compared with the run just made (lib/pac/compare.ts).
 */
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { compareWithRun, type PacCheckResponse } from '../lib/pac/compare';
import { fallsBackToDirect, parsePacDecision, proxiesOf } from '../lib/pac/decision';
import { ROLE_LABELS, runSawProxy, runTargets } from '../lib/pac/run-targets';
import { MAX_PAC_BYTES } from '../lib/pac/types';
import type { Result } from '../lib/schema/result';
import { PacError } from '../server/pac/pac-error';
import { PacEvaluator } from '../server/pac/pac-evaluator';

/** Longest the CLI waits for a PAC URL, ms. */
export const PAC_FETCH_TIMEOUT_MS = 10_000;
/** The local evaluation's budget, ms: real lookups take time (each is cut off at 1.5 s). */
export const LOCAL_PAC_BUDGET_MS = 5000;

/** The repository root: where the PAC worker's sources are. */
const PROJECT_ROOT = fileURLToPath(new URL('..', import.meta.url));

/**
 * Reads the PAC file from an http(s) URL (fetched from this machine, directly) or a file path. Resolves with the text,
 * or `{ error }` saying what went wrong (the CLI then exits 3).
 */
export async function loadPac(source: string): Promise<{ text: string } | { error: string }> {
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(source) && !/^file:/i.test(source)) {
    let url: URL;
    try {
      url = new URL(source);
    } catch {
      return { error: `--pac "${source}" is not a valid URL` };
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') return { error: `--pac must be an http(s) URL or a file, got "${url.protocol}"` };
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(PAC_FETCH_TIMEOUT_MS), redirect: 'follow' });
      if (!response.ok) return { error: `--pac ${source} answered HTTP ${response.status}` };
      const text = await response.text();
      if (Buffer.byteLength(text) > MAX_PAC_BYTES) return { error: `--pac ${source} is larger than ${MAX_PAC_BYTES} bytes` };
      return { text };
    } catch (error) {
      const cause = (error as { cause?: { code?: string; message?: string } }).cause;
      return { error: `could not fetch --pac ${source}: ${cause?.code ?? cause?.message ?? (error as Error).message}` };
    }
  }
  const file = /^file:/i.test(source) ? fileURLToPath(source) : source;
  try {
    const bytes = await readFile(file);
    if (bytes.byteLength > MAX_PAC_BYTES) return { error: `--pac ${file} is larger than ${MAX_PAC_BYTES} bytes` };
    return { text: bytes.toString('utf8') };
  } catch (error) {
    return { error: `cannot read --pac file ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}` };
  }
}

/** What `--pac` adds to the run: the answer (as the API's), or why the PAC could not be evaluated. */
export type PacCheckOutcome = { source: string; check: PacCheckResponse } | { source: string; error: { code: string; message: string } };

/** Evaluates `pac` in the local sandbox for every host and port of `result`, compared with what the run observed. */
export async function checkPacLocally(result: Result, pac: string, source: string, evaluator?: PacEvaluator): Promise<PacCheckOutcome> {
  const own = evaluator ?? new PacEvaluator({ projectRoot: PROJECT_ROOT });
  try {
    const targets = runTargets(result);
    const evaluation = await own.evaluate({ pac, queries: targets.map((t) => ({ url: t.url, host: t.host })), environment: { kind: 'local' }, budgetMs: LOCAL_PAC_BUDGET_MS });
    const questions = [...new Set(evaluation.answers.flatMap((a) => a.dnsQuestions.map((q) => q.name)))];
    const asked = evaluation.answers.some((a) => a.askedMyIp);
    const notes = [
      ...(questions.length > 0 ? [`The PAC file asked DNS about ${questions.slice(0, 5).join(', ')}${questions.length > 5 ? ` and ${questions.length - 5} more` : ''}; this machine's resolver answered, as it does for the browser here.`] : []),
      ...(asked ? [`myIpAddress() answered ${evaluation.myIp}, this machine's address.`] : []),
    ];
    return {
      source,
      check: {
        results: compareWithRun(targets, evaluation.answers, runSawProxy(result)),
        notes,
        dnsQuestions: questions,
        myIpAddress: { address: evaluation.myIp, source: 'local', asked },
        alerts: evaluation.alerts,
        elapsedMs: evaluation.elapsedMs,
      },
    };
  } catch (error) {
    if (error instanceof PacError) return { source, error: { code: error.code, message: error.message } };
    throw error;
  } finally {
    if (!evaluator) await own.close();
  }
}

/** The PAC check as text lines for the summary: DIRECT/PROXY per host, what the run saw, and each contradiction. */
export function formatPacCheck(outcome: PacCheckOutcome): string[] {
  if ('error' in outcome) return [`PAC file ${outcome.source}: could not be evaluated (${outcome.error.code}): ${outcome.error.message}`];
  const lines = [`PAC file ${outcome.source}:`];
  for (const row of outcome.check.results) {
    const steps = row.decision === null ? [] : parsePacDecision(row.decision);
    const where = row.decision === null ? `no decision (${row.error?.message ?? 'no answer'})` : row.route === 'direct' ? 'DIRECT' : row.route === 'proxy' ? `PROXY ${proxiesOf(steps).join(', ')}${fallsBackToDirect(steps) ? ', then DIRECT' : ''}` : `unreadable "${row.decision}"`;
    lines.push(`  ${row.host}:${row.port}/${row.transport} (${row.roles.map((r) => ROLE_LABELS[r]).join(', ')}): ${where}`);
    if (row.observed) lines.push(`      run: ${row.observed.summary}`);
    if (row.contradiction) lines.push(`      CONTRADICTION: ${row.contradiction}`);
  }
  for (const note of outcome.check.notes) lines.push(`  Note: ${note}`);
  return lines;
}
