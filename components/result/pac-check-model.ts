/**
 * The "Check your PAC file" panel's model (issue 20): the request the page sends for a result (the run's own hosts
 * and ports as URLs, and this computer's address when the run recorded it), and the table it shows — the PAC's
 * decision per host next to what the run observed, with contradictions. The comparison runs here, on the result the
 * page already holds (lib/pac/compare.ts, as the server does for a `resultId`), so the panel works in the live
 * runner before anything is stored, and the share id is never needed. Pure.
 */
import { readErrorEnvelope } from '../../lib/api/api-error';
import { compareWithRun, type PacAttachment, type PacCheckResponse, type PacResultRow } from '../../lib/pac/compare';
import { ROLE_LABELS, recordedLocalAddress, runSawProxy, runTargets } from '../../lib/pac/run-targets';
import { MAX_PAC_BYTES, type PacAnswer } from '../../lib/pac/types';
import type { Result } from '../../lib/schema/result';

/** The JSON body POSTed to /api/pac/evaluate for a result. */
export interface PacCheckRequest {
  pac: string;
  hosts: string[];
  myIpAddress?: string;
}

/** Builds the request: every TCP and UDP target of the run, by URL (the server keeps their order). */
export function buildPacRequest(result: Result, pac: string): PacCheckRequest {
  const myIp = recordedLocalAddress(result);
  return { pac, hosts: runTargets(result).map((t) => t.url), ...(myIp ? { myIpAddress: myIp } : {}) };
}

/** Why a PAC text cannot be sent, or null. */
export function pacTextProblem(pac: string): string | null {
  if (pac.trim() === '') return 'Paste the PAC file’s contents or choose the file first.';
  if (new TextEncoder().encode(pac).byteLength > MAX_PAC_BYTES) return `This PAC file is larger than ${MAX_PAC_BYTES / 1024 / 1024} MiB; netready checks PAC files up to that size.`;
  return null;
}

/** One table row, as text. */
export interface PacCheckRow {
  key: string;
  host: string;
  port: string;
  usedFor: string;
  /** The decision exactly as returned, or why there is none. */
  decision: string;
  /** "Direct", "Proxy" (with the first proxy), "—". */
  routeLabel: string;
  observed: string;
  contradiction: string | null;
}

/** The panel's table and notes from the server's answer (rows compared with the run here). */
export function pacCheckView(result: Result, response: PacCheckResponse): { rows: PacCheckRow[]; notes: string[]; contradictions: number } {
  const targets = runTargets(result);
  const answers: PacAnswer[] = targets.map((_, i) => {
    const row: PacResultRow | undefined = response.results[i];
    return { decision: row?.decision ?? null, dnsQuestions: (row?.dnsQuestions ?? []).map((name) => ({ fn: 'dnsResolve', name })), askedMyIp: false, ...(row?.error ? { error: row.error } : {}) };
  });
  const rows = compareWithRun(targets, answers, runSawProxy(result)).map(toPacCheckRow);
  return { rows, notes: response.notes, contradictions: rows.filter((r) => r.contradiction !== null).length };
}

/** A row of the answer as the table shows it. */
export function toPacCheckRow(row: PacResultRow, index: number): PacCheckRow {
  return {
    key: `${row.host}|${row.port}|${index}`,
    host: row.host,
    port: `${row.port}/${row.transport}`,
    usedFor: row.roles.map((r) => ROLE_LABELS[r] ?? r).join(', '),
    decision: row.decision ?? row.error?.message ?? 'no answer',
    routeLabel: row.route === 'direct' ? 'Direct' : row.route === 'proxy' ? 'Proxy' : row.route === 'invalid' ? 'Unreadable' : '—',
    observed: row.observed?.summary ?? '',
    contradiction: row.contradiction,
  };
}

/** The table of an attached check (the share page): the server compared it with the stored run when it was attached. */
export function attachedPacView(attachment: PacAttachment): { rows: PacCheckRow[]; notes: string[]; contradictions: number } {
  const rows = attachment.check.results.map(toPacCheckRow);
  return { rows, notes: attachment.check.notes, contradictions: rows.filter((r) => r.contradiction !== null).length };
}

/** The sentence for a failed check: the API's message, or the HTTP status. */
export function pacErrorMessage(status: number, body: unknown): string {
  const envelope = readErrorEnvelope(body);
  if (!envelope) return `The check failed (HTTP ${status}).`;
  const prefix: Record<string, string> = {
    pac_timeout: 'The PAC file was stopped: ',
    pac_memory: 'The PAC file was stopped: ',
    pac_syntax_error: 'The PAC file could not be read: ',
    pac_no_function: 'The PAC file could not be used: ',
    pac_load_failed: 'The PAC file could not be used: ',
  };
  return `${prefix[envelope.code] ?? ''}${envelope.message}`;
}
