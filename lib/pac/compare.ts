/**
 * The PAC check's answer: FindProxyForURL's decision per host next to what the run observed, contradictions in
 * words an IT admin can act on, and notes on what the server could not know (DNS, myIpAddress). Pure: the web API
 * (server/pac/pac-api.ts) and the CLI build the same rows from the same inputs.
 */
import { fallsBackToDirect, parsePacDecision, proxiesOf, routeOf } from './decision';
import type { ObservedRoute, PacTarget, PacTargetRole } from './run-targets';
import type { PacAnswer, PacDnsQuestion } from './types';

/** One row of the answer: `host`, `url`, `decision` are the API contract; the rest is added detail. */
export interface PacResultRow {
  host: string;
  url: string;
  /** Exactly what FindProxyForURL returned; null when it threw or returned a non-string (see `error`). */
  decision: string | null;
  port: number;
  transport: 'tcp' | 'udp';
  /** What the run used this host:port for (empty for hosts only the admin asked about). */
  roles: PacTargetRole[];
  /** How the run reached it; absent for hosts the run did not use. */
  observed?: ObservedRoute;
  /** Where the PAC sends it first. */
  route: 'direct' | 'proxy' | 'invalid' | 'none';
  /** The PAC's decision and the run disagree: what, and what to do. Null when they agree or cannot be compared. */
  contradiction: string | null;
  /** Names this call asked DNS about (on the server: answered "unresolvable"). */
  dnsQuestions: string[];
  error?: PacAnswer['error'];
}

/** Where myIpAddress()'s answer came from: the request, the run's record, or an assumption. */
export type MyIpSource = 'request' | 'run' | 'assumed' | 'local';

/** The whole answer of an evaluation. */
export interface PacCheckResponse {
  results: PacResultRow[];
  /** Plain sentences: what the server could not know, and what to do about it. */
  notes: string[];
  /** Every distinct name the PAC asked DNS about. */
  dnsQuestions: string[];
  myIpAddress: { address: string; source: MyIpSource; asked: boolean };
  /** What the PAC passed to alert(). */
  alerts: string[];
  elapsedMs: number;
}

function contradictionOf(target: Pick<PacTarget, 'host' | 'port' | 'transport'>, observed: ObservedRoute | undefined, decision: string, sawProxy: boolean): string | null {
  if (!observed || target.transport === 'udp') return null;
  const steps = parsePacDecision(decision);
  const route = routeOf(steps);
  const where = `${target.host}:${target.port}`;
  if (route === 'direct' && observed.path === 'proxy') {
    return `The PAC file sends ${where} DIRECT, but in this run it went through a proxy. The browser that ran the test did not follow this PAC file for it — it has another PAC or a fixed proxy, or a transparent proxy takes the traffic. Check which proxy settings the browsers really get (the WPAD/PAC URL in the policy) before changing the firewall.`;
  }
  if (route === 'direct' && observed.path === 'failed' && sawProxy) {
    return `The PAC file sends ${where} DIRECT, but direct connections to it failed in this run while traffic through the proxy worked: the firewall only lets it out through the proxy. Either return the proxy for ${target.host} in the PAC file, or allow TCP port ${target.port} to it in the firewall.`;
  }
  if (route === 'proxy' && observed.path === 'direct') {
    const proxies = proxiesOf(steps).join(', ');
    return `The PAC file sends ${where} through the proxy ${proxies}, but in this run it went direct. The browser that ran the test did not use this PAC file — or the proxy ${fallsBackToDirect(steps) ? 'was unreachable and the browser fell back to DIRECT' : 'is not the one this PAC names'}.`;
  }
  if (route === 'proxy' && observed.path === 'failed') {
    return `The PAC file sends ${where} through the proxy ${proxiesOf(steps).join(', ')}, and it could not be reached in this run: the proxy probably refuses CONNECT to ${target.host} port ${target.port}. Allow it on the proxy${fallsBackToDirect(steps) ? '' : ', or add DIRECT after the proxy'}.`;
  }
  return null;
}

/** One row per target (in order), from the PAC's answers (same order); `sawProxy`: the run saw an HTTP proxy. */
export function compareWithRun(targets: readonly (Pick<PacTarget, 'host' | 'port' | 'url' | 'transport' | 'roles'> & { observed?: ObservedRoute })[], answers: readonly PacAnswer[], sawProxy: boolean): PacResultRow[] {
  return targets.map((target, index) => {
    const answer = answers[index];
    const decision = answer?.decision ?? null;
    const row: PacResultRow = {
      host: target.host,
      url: target.url,
      decision,
      port: target.port,
      transport: target.transport,
      roles: [...target.roles],
      route: decision === null ? 'none' : routeOf(parsePacDecision(decision)),
      contradiction: decision === null ? null : contradictionOf(target, target.observed, decision, sawProxy),
      dnsQuestions: [...new Set((answer?.dnsQuestions ?? []).map((q) => q.name))],
    };
    if (target.observed) row.observed = target.observed;
    if (answer?.error) row.error = answer.error;
    return row;
  });
}

/** The notes of an evaluation run on the server: DNS it refused to do, the assumed myIpAddress(). */
export function serverNotes(questions: readonly PacDnsQuestion[], myIp: PacCheckResponse['myIpAddress']): string[] {
  const notes: string[] = [];
  const names = [...new Set(questions.map((q) => q.name))];
  if (names.length > 0) {
    notes.push(
      `This PAC file asks DNS about ${names.slice(0, 5).join(', ')}${names.length > 5 ? ` and ${names.length - 5} more` : ''} (dnsResolve/isResolvable/isInNet). netready's server never resolves names for a PAC file — it cannot see your internal DNS — so it answered "cannot resolve", and the decisions for those hosts may differ from the browser's. Run netready check --pac <url|file> inside the network for the real answer.`,
    );
  }
  if (myIp.asked && myIp.source === 'assumed') {
    notes.push(`This PAC file asks myIpAddress(). The run did not record this computer's local address, so ${myIp.address} was assumed; decisions that depend on it may differ. Give your address as "myIpAddress" in an API request, or run netready check --pac on the computer itself.`);
  } else if (myIp.asked) {
    notes.push(`This PAC file asks myIpAddress(); it was answered ${myIp.address} (${myIp.source === 'run' ? "this computer's local address as the run recorded it" : myIp.source === 'local' ? "this machine's own address" : 'as given in the request'}).`);
  }
  return notes;
}

/** What a result keeps of an attached PAC check (store column `pac_check`, JSON; POST /api/pac/attach). */
export interface PacAttachment {
  /** The PAC file's text, as the submitter sent it. */
  pac: string;
  /** The evaluation against the stored run, as POST /api/pac/evaluate answered it then. */
  check: PacCheckResponse;
  /** When it was attached (ISO 8601). */
  attachedAt: string;
}

/** Reads an attachment kept beside a result (the share page); null when there is none or it cannot be read. */
export function readPacAttachment(text: string | undefined): PacAttachment | null {
  if (!text) return null;
  try {
    const value = JSON.parse(text) as Partial<PacAttachment>;
    return typeof value.pac === 'string' && typeof value.attachedAt === 'string' && Array.isArray(value.check?.results) ? (value as PacAttachment) : null;
  } catch {
    return null;
  }
}
