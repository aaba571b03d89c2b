/**
 * Compares what one scenario produced (netready's result JSON, the servers' observations, the network's ground
 * truth) with the row's expectations, and prints the matrix. Pure functions over plain data.
 */
import type { RelayExpectation, Scenario } from './scenarios';

/** One TURN transport as netready reported it. */
export interface ObservedRelay {
  status: string;
  relay: RelayExpectation;
  url?: string;
  relayProtocol?: string;
  echoed?: number;
  sent?: number;
  rttMs?: number;
  stage?: string;
  errors?: string[];
}

/** Everything observed in one scenario. */
export interface Observed {
  /** null when the CLI produced no result (could not run). */
  verdict: string | null;
  findings: string[];
  findingSeverities: Record<string, string>;
  /** Wall time of the CLI run (Chromium start to result), ms. */
  durationMs: number;
  /** `durationMs` of the result JSON (the run inside the page), ms. */
  runDurationMs?: number;
  cliExitCode: number | string | null;
  cliError?: string;
  relays: Partial<Record<'udp' | 'tcp' | 'tls', ObservedRelay>>;
  stun: { answered: number[]; silent: number[] };
  server: {
    sessionId?: string;
    sessionFrom?: string;
    allocations: Array<{ transport: string; client: string }>;
    refused: Array<{ transport: string; client: string; code?: number }>;
    peersConnected: number;
  } | null;
  ground: Array<{ check: string; ok: boolean; detail: string }>;
  /** Wall time of the whole scenario (network switch, checks, run, observations), ms. */
  scenarioMs: number;
}

/** One assertion's outcome. */
export interface Check {
  name: string;
  ok: boolean;
  detail: string;
}

const sameSet = (a: number[], b: number[]): boolean => a.length === b.length && a.every((x) => b.includes(x));

/** Evaluates a scenario's non-pending expectations. */
export function assess(scenario: Scenario, observed: Observed): Check[] {
  const e = scenario.expect;
  const checks: Check[] = [];
  const add = (name: string, ok: boolean, detail: string): void => void checks.push({ name, ok, detail });
  if (observed.verdict === null) {
    add('result', false, `no result: CLI exit ${observed.cliExitCode}${observed.cliError ? ` — ${observed.cliError}` : ''}`);
    return checks;
  }
  add('verdict', observed.verdict === e.verdict, `expected ${e.verdict}, got ${observed.verdict}`);
  for (const code of e.findings) add(`finding ${code}`, observed.findings.includes(code), `expected finding ${code}; got [${observed.findings.join(', ')}]`);
  for (const code of e.absent) add(`no ${code}`, !observed.findings.includes(code), `finding ${code} must not appear (severity ${observed.findingSeverities[code] ?? '-'})`);
  if (e.noFindingsOfSeverity) {
    const bad = observed.findings.filter((c) => e.noFindingsOfSeverity!.includes(observed.findingSeverities[c] as 'warning' | 'blocker'));
    add(`no ${e.noFindingsOfSeverity.join('/')} findings`, bad.length === 0, bad.length === 0 ? 'none' : `got ${bad.map((c) => `${c} (${observed.findingSeverities[c]})`).join(', ')}`);
  }
  for (const t of ['udp', 'tcp', 'tls'] as const) {
    const got = observed.relays[t];
    const detail = got ? `${got.relay} (status ${got.status}, stage ${got.stage ?? '-'}, echoed ${got.echoed ?? 0}/${got.sent ?? 0}${got.errors?.length ? `, errors ${got.errors.join('; ')}` : ''})` : 'probe absent';
    add(`relay ${t} ${e.relays[t]}`, got?.relay === e.relays[t], `expected ${e.relays[t]}, got ${detail}`);
  }
  add('stun answered', sameSet(observed.stun.answered, e.stunAnswered), `expected answers on [${e.stunAnswered.join(', ')}], got [${observed.stun.answered.join(', ')}]`);
  add('stun silent', sameSet(observed.stun.silent, e.stunSilent), `expected silence on [${e.stunSilent.join(', ')}], got [${observed.stun.silent.join(', ')}]`);
  const server = observed.server;
  if (!server) {
    add('server observations', false, 'could not read the session\'s observations from the probe API');
  } else {
    add('server: session from', server.sessionFrom === e.server.sessionFrom, `expected ${e.server.sessionFrom}, HTTP API saw ${server.sessionFrom ?? '-'}`);
    for (const t of ['udp', 'tcp', 'tls'] as const) {
      const want = e.server.allocations[t];
      const got = server.allocations.filter((a) => a.transport === t).map((a) => a.client);
      const ok = want === null ? got.length === 0 : got.length > 0 && got.every((c) => c === want);
      add(`server: ${t} allocation`, ok, `expected ${want === null ? 'none' : `from ${want}`}, TURN server saw ${got.length === 0 ? 'none' : got.join(', ')}`);
    }
    const relaysWithData = (['udp', 'tcp', 'tls'] as const).filter((t) => e.relays[t] === 'data').length;
    add(
      'server: media peer connected',
      server.peersConnected >= relaysWithData,
      `expected ≥ ${relaysWithData} relayed connection(s) to the media peer, it saw ${server.peersConnected}`,
    );
  }
  for (const g of observed.ground) add(`network: ${g.check}`, g.ok, g.detail);
  return checks;
}

/** Row status: fail when any check fails; else pending while the row has pending expectations; else pass. */
export function statusOf(scenario: Scenario, checks: Check[]): 'pass' | 'fail' | 'pending' {
  if (checks.some((c) => !c.ok)) return 'fail';
  return scenario.pending.length > 0 ? 'pending' : 'pass';
}

function relayWord(r: RelayExpectation | undefined): string {
  return r === 'data' ? 'ok' : r === 'no-relay' ? '-' : r === 'allocated-no-data' ? 'alloc' : '?';
}

function pad(s: string, n: number): string {
  return s.length >= n ? s : s + ' '.repeat(n - s.length);
}

/** One printed row of the matrix. */
export interface MatrixRow {
  scenario: Scenario;
  observed: Observed;
  status: 'pass' | 'fail' | 'pending';
  checks: Check[];
}

/** Prints the matrix: scenario × expected × observed × status, then failures and pending items. */
export function formatMatrix(rows: MatrixRow[]): string {
  const lines: string[] = [];
  const header = [pad('scenario', 23), pad('expected verdict · findings · relays u/t/s', 62), pad('observed verdict · findings · relays u/t/s', 62), pad('status', 8), 'time'];
  lines.push(header.join(' '), '-'.repeat(170));
  for (const row of rows) {
    const e = row.scenario.expect;
    const o = row.observed;
    const expected = `${e.verdict} · ${e.findings.join(',') || (e.noFindingsOfSeverity ? 'no warnings' : '-')} · ${relayWord(e.relays.udp)}/${relayWord(e.relays.tcp)}/${relayWord(e.relays.tls)}`;
    const observed =
      o.verdict === null
        ? `(no result: exit ${o.cliExitCode})`
        : `${o.verdict} · ${o.findings.join(',') || '-'} · ${relayWord(o.relays.udp?.relay)}/${relayWord(o.relays.tcp?.relay)}/${relayWord(o.relays.tls?.relay)}`;
    const status = row.status === 'pending' ? `PENDING` : row.status.toUpperCase();
    lines.push([pad(row.scenario.id, 23), pad(expected, 62), pad(observed, 62), pad(status, 8), `${(o.scenarioMs / 1000).toFixed(1)}s`].join(' '));
  }
  const failures = rows.filter((r) => r.status === 'fail');
  if (failures.length > 0) {
    lines.push('', 'FAILED expectations:');
    for (const row of failures) for (const c of row.checks.filter((x) => !x.ok)) lines.push(`  ${row.scenario.id}: ${c.name}: ${c.detail}`);
  }
  const pending = rows.filter((r) => r.scenario.pending.length > 0);
  if (pending.length > 0) {
    lines.push('', 'PENDING expectations (need probes not built yet; not counted as passed):');
    for (const row of pending) {
      for (const p of row.scenario.pending) lines.push(`  ${row.scenario.id}: ${p.findings.join(', ')} — ${p.capability}: ${p.note}`);
    }
  }
  return lines.join('\n');
}
