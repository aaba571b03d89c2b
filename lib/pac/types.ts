/**
 * The shapes shared by the PAC check's parts: what the sandbox is asked (a URL and its host, per FindProxyForURL
 * call), what it answers, the limits, and the error codes of a PAC that cannot be evaluated. Pure.
 */
import type { PacDnsFunction } from './offline-sandbox';

/** Largest PAC file accepted, in bytes (real corporate PAC files are a few KiB to a few hundred KiB). */
export const MAX_PAC_BYTES = 1024 * 1024;
/** Most hosts one evaluation asks about (a run's own endpoints are a few dozen at most). */
export const MAX_PAC_HOSTS = 200;
/** Time one evaluation (loading the PAC and every FindProxyForURL call) may take before it is stopped, ms. */
export const PAC_BUDGET_MS = 800;
/** Memory the PAC's JavaScript engine may allocate, bytes. */
export const PAC_MEMORY_BYTES = 32 * 1024 * 1024;

/** One FindProxyForURL(url, host) call. */
export interface PacQuery {
  url: string;
  host: string;
}

/**
 * Where the PAC runs: on the `server`, which never resolves names (DNS questions are recorded and answered as
 * unresolvable; `myIpAddress()` answers `myIp`), or `local` inside the client's network (the CLI), where the
 * machine's own resolver and interface address answer as they would for the browser.
 */
export type PacEnvironment = { kind: 'server'; myIp: string } | { kind: 'local' };

/** One evaluation: the PAC text, the calls to make, where it runs and its time budget (ms). */
export interface PacJob {
  pac: string;
  queries: PacQuery[];
  environment: PacEnvironment;
  /** Default PAC_BUDGET_MS. */
  budgetMs?: number;
}

/** A DNS question the PAC asked while deciding for one host. */
export interface PacDnsQuestion {
  fn: PacDnsFunction;
  name: string;
}

/** What one FindProxyForURL call gave. */
export interface PacAnswer {
  /** The returned string exactly as the PAC returned it; null when it threw or returned something else. */
  decision: string | null;
  /** Why there is no decision: the call threw (`pac_threw`) or returned a non-string (`pac_bad_return`). */
  error?: { code: 'pac_threw' | 'pac_bad_return'; message: string };
  /** DNS questions during this call (server: answered "unresolvable"; local: answered by the machine's resolver). */
  dnsQuestions: PacDnsQuestion[];
  /** Whether this call asked myIpAddress(). */
  askedMyIp: boolean;
}

/** A finished evaluation: one answer per query, in order. */
export interface PacEvaluation {
  answers: PacAnswer[];
  /** What the PAC passed to alert(), capped. */
  alerts: string[];
  /** What myIpAddress() answered (local: the machine's address). */
  myIp: string;
  elapsedMs: number;
}

/** Why a PAC could not be evaluated at all. Public (API error codes and the CLI's messages). */
export type PacFailureCode =
  /** The text is not JavaScript (the parser's message says where). */
  | 'pac_syntax_error'
  /** The PAC defines no function FindProxyForURL. */
  | 'pac_no_function'
  /** The PAC's top-level code threw. */
  | 'pac_load_failed'
  /** Loading or a FindProxyForURL call ran past the time budget (a loop): stopped. */
  | 'pac_timeout'
  /** The PAC allocated past the memory limit: stopped. */
  | 'pac_memory';
