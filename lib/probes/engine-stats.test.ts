/**
 * Issue 18 item 5: netready's readers of getStats and ICE errors run over what each engine really reports — Chromium
 * and Firefox as the suite recorded them (e2e/engine-stats.spec.ts keeps these copies true), WebKit as its IDL and
 * documentation describe it. A field an engine does not give must leave the reading undecided, never wrong.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { attemptOutcome, inferLookupErrors, type RelayAttempt } from './dns-turn-lookup';
import type { EngineShape } from './testing/engine-shape';
import type { PeerConnectionLike, StatsEntry } from './types';
import { classifyIceError, matchCandidateLine, readSelectedPair, type CandidateInfo } from './webrtc';

const ENGINES = ['chromium', 'firefox', 'webkit'] as const;
const shapes: Record<(typeof ENGINES)[number], EngineShape> = Object.fromEntries(
  ENGINES.map((engine) => [engine, JSON.parse(readFileSync(path.join(__dirname, 'testing', 'engine-stats', `${engine}.json`), 'utf8')) as EngineShape]),
) as never;

/** Values for the fields a shape says an engine gives (addresses from RFC 5737). */
const VALUES: Record<string, unknown> = {
  address: '198.51.100.7',
  ip: '198.51.100.7',
  port: 40000,
  protocol: 'udp',
  relayProtocol: 'udp',
  url: 'turn:203.0.113.10:3478?transport=udp',
  networkType: 'ethernet',
};

/** Values for the candidate-pair fields a shape says an engine gives. */
const PAIR_VALUES: Record<string, unknown> = { state: 'succeeded', nominated: true, selected: true, currentRoundTripTime: 0.021, totalRoundTripTime: 0.066, responsesReceived: 3 };

/** A getStats report with one selected pair whose local candidate is of `type`, carrying only the engine's fields. */
function reportFor(shape: EngineShape, type: string): PeerConnectionLike {
  const local: StatsEntry = { id: 'L1', type: 'local-candidate', timestamp: 1 };
  for (const field of shape.statsFields[type] ?? []) local[field] = field === 'candidateType' ? type : VALUES[field];
  const pair: StatsEntry = { id: 'P1', type: 'candidate-pair', timestamp: 1, localCandidateId: 'L1', remoteCandidateId: 'R1' };
  for (const field of shape.pairFields) pair[field] = PAIR_VALUES[field];
  const entries: StatsEntry[] = [
    ...(shape.transportSelectsPair ? [{ id: 'T1', type: 'transport', timestamp: 1, selectedCandidatePairId: 'P1' }] : []),
    pair,
    local,
    { id: 'R1', type: 'remote-candidate', timestamp: 1, candidateType: 'host', address: '203.0.113.10', port: 60000, protocol: 'udp' },
  ];
  return { getStats: async () => new Map(entries.map((e) => [e.id, e])) } as unknown as PeerConnectionLike;
}

describe.each(ENGINES)('%s: what netready reads of its reports', (engine) => {
  const shape = shapes[engine];

  it('has the shape of its engine (recorded, or sourced)', () => {
    expect(shape.engine).toBe(engine);
    if (engine === 'webkit') expect(shape.source).toMatch(/RTCStatsReport\.idl/);
    expect(shape.candidateTypes).toContain('relay');
  });

  it('reads the selected relay pair with what the engine gives, and leaves out what it does not', async () => {
    const info = await readSelectedPair(reportFor(shape, 'relay'));
    const given = new Set(shape.statsFields.relay ?? []);
    expect(info?.local?.candidateType).toBe(given.has('candidateType') ? 'relay' : undefined);
    expect(info?.local?.url !== undefined).toBe(given.has('url'));
    expect(info?.local?.relayProtocol !== undefined).toBe(given.has('relayProtocol'));
    expect(info?.local?.networkType !== undefined).toBe(given.has('networkType'));
    expect(info?.remote).toMatchObject({ candidateType: 'host', port: 60000 });
  });

  it('gives the path\'s round trip from its ICE checks where it reports them, else leaves it to the pings', async () => {
    const info = await readSelectedPair(reportFor(shape, 'relay'));
    const reports = shape.pairFields.includes('totalRoundTripTime') && shape.pairFields.includes('responsesReceived');
    expect(info?.checks).toEqual(reports ? { totalRoundTripMs: 66, responses: 3 } : undefined);
  });

  it('matches a host candidate\'s stats to its candidate line, also when the engine masks its address (mDNS)', () => {
    const mdns = shape.candidateFields.host?.mdnsHost ?? false;
    const line: CandidateInfo = { type: 'host', address: mdns ? '0f6c8c4e-5a7e-4c3e-9d25-1b2a3c4d5e6f.local' : '10.0.0.5', port: 40001, protocol: 'udp', atMs: 3, networkCost: 10, networkId: 1 } as CandidateInfo;
    const stats: StatsEntry = { id: 'L2', type: 'local-candidate', timestamp: 1, candidateType: 'host', port: 40001, protocol: 'udp' };
    if ((shape.statsFields.host ?? []).includes('address')) stats.address = line.address;
    expect(matchCandidateLine(stats, [line])).toBe(line);
  });

  it('reads its error for a TURN name that does not resolve as a failed lookup, once the same server by address relays', () => {
    const byName = shape.errors.filter((e) => e.urlKind === 'name');
    const relay = { address: '203.0.113.10', port: 50000, relayProtocol: 'udp' };
    const nameAttempt: RelayAttempt = {
      url: 'turn:turn.example.test:3478',
      outcome: attemptOutcome(false, byName),
      timedOut: byName.length === 0,
      errors: byName.map((e) => ({ ...e, url: 'turn:turn.example.test:3478', atMs: 130 })),
    };
    const pair = inferLookupErrors({ transport: 'udp', byName: nameAttempt, byIp: { url: 'turn:203.0.113.10:3478', outcome: 'relay', timedOut: false, errors: [], relay, relayMs: 40 } });
    // An engine that reports nothing (WebKit: unknown) leaves the attempt a plain "no relay", never a wrong cause.
    expect(pair.byName.outcome).toBe(byName.length > 0 ? 'lookup-error' : 'no-relay');
  });

  it('reads a refused TURN connection by address as a failed connection (decided at once), where the engine reports one', () => {
    for (const e of shape.errors.filter((x) => x.urlKind === 'ip')) expect(classifyIceError(e)).toBe(e.errorCode === 701 ? 'connect-failed' : 'other');
  });
});
