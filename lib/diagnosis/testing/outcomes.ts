/**
 * Builders of probe outcomes for diagnosis tests: a network described in a few words becomes the outcomes
 * the real probes would record. Addresses come from documentation ranges (RFC 5737).
 */
import type { ProbeOutcome } from '../../schema/result';
import type { StunPortResult } from '../../probes/stun-udp';
import type { TurnRelayData, TurnTransport } from '../../probes/turn-relay';

/** How one TURN transport behaved. */
export type RelayBehaviour = 'works' | 'no-relay' | 'no-data' | 'inconclusive' | 'skipped';

/** A network in words. */
export interface NetworkShape {
  sessionOk?: boolean;
  /** STUN ports and whether each answered; default 3478 (turn) and 3479 (alternate) both answering. */
  stun?: Array<{ port: number; role?: StunPortResult['role']; ok: boolean }>;
  turn?: Partial<Record<TurnTransport, RelayBehaviour>>;
}

const SERVER = '203.0.113.10';

/** Outcomes for a network shape. */
export function outcomesFor(shape: NetworkShape): Record<string, ProbeOutcome> {
  if (shape.sessionOk === false) {
    const skipped = (): ProbeOutcome => ({ status: 'skipped', durationMs: 0, reason: 'needs session', data: {}, evidence: [] });
    return {
      session: {
        status: 'fail',
        durationMs: 12,
        reason: `Could not connect to the test server at http://${SERVER}:8080.`,
        data: {},
        evidence: [{ kind: 'http-error', summary: 'POST /v1/sessions: TypeError: Failed to fetch' }],
      },
      'stun-udp': skipped(),
      'turn-udp': skipped(),
      'turn-tcp': skipped(),
      'turn-tls': skipped(),
    };
  }
  const stun = shape.stun ?? [
    { port: 3478, role: 'turn' as const, ok: true },
    { port: 3479, role: 'alternate' as const, ok: true },
  ];
  const ports: StunPortResult[] = stun.map((p) => ({
    port: p.port,
    url: `stun:${SERVER}:${p.port}`,
    role: p.role ?? 'alternate',
    timedOut: !p.ok,
    hostCandidates: 1,
    errors: [],
    ...(p.ok ? { srflx: { address: '198.51.100.7', port: 40000 + p.port }, srflxMs: 8 } : {}),
  }));
  const reached = ports.filter((p) => p.srflx).length;
  const outcomes: Record<string, ProbeOutcome> = {
    session: { status: 'pass', durationMs: 5, data: {}, evidence: [] },
    'stun-udp': {
      status: reached === ports.length ? 'pass' : reached > 0 ? 'warn' : 'fail',
      durationMs: 10,
      data: { ports },
      evidence: ports.map((p) => ({ probe: 'stun-udp', kind: p.srflx ? 'candidate' : 'timeout', summary: `${p.url}` })),
    },
  };
  for (const transport of ['udp', 'tcp', 'tls'] as const) {
    const behaviour = shape.turn?.[transport] ?? 'works';
    const url = transport === 'tls' ? `turns:${SERVER}:5349?transport=tcp` : `turn:${SERVER}:3478?transport=${transport}`;
    const data: TurnRelayData = { transport, url, stage: 'allocating', timedOut: false, errors: [], candidates: [] };
    if (behaviour !== 'no-relay' && behaviour !== 'skipped') {
      data.relay = { address: SERVER, port: 50000, relayProtocol: transport };
      data.stage = behaviour === 'works' ? 'done' : 'exchanging';
    }
    if (behaviour === 'works') data.dataChannel = { sent: 5, echoed: 5, rttMs: 2 };
    if (behaviour === 'no-data') data.dataChannel = { sent: 1, echoed: 0 };
    if (behaviour === 'no-relay') data.timedOut = true;
    const status = { works: 'pass', 'no-relay': 'fail', 'no-data': 'warn', inconclusive: 'inconclusive', skipped: 'skipped' } as const;
    outcomes[`turn-${transport}`] = {
      status: status[behaviour],
      durationMs: 100,
      data: data as unknown as Record<string, unknown>,
      evidence: [{ probe: `turn-${transport}`, kind: behaviour === 'works' ? 'data-echo' : 'timeout', summary: url }],
    };
  }
  return outcomes;
}

const pass = (data: Record<string, unknown>): ProbeOutcome => ({ status: 'pass', durationMs: 5, data, evidence: [] });

/** What the servers saw (the proxy-paths probe): the session over HTTP from `http`, TURN allocations per transport. */
export function serverSaw(http: string, turn: Partial<Record<TurnTransport, string>>): Record<string, ProbeOutcome> {
  const turnClients = Object.entries(turn).map(([transport, address]) => ({ transport, address, port: 40000 }));
  return { 'proxy-paths': pass({ httpClientAddress: http, turnClients }) };
}

/** The stun-udp probe with every port answering from `egress`, each with `hostCandidates` host candidates. */
export function stunFrom(egress: string, hostCandidates = 1): ProbeOutcome {
  const base = outcomesFor({})['stun-udp']!;
  const ports = (base.data.ports as Array<Record<string, unknown>>).map((p) => ({ ...p, hostCandidates, srflx: { address: egress, port: 41000 } }));
  return { ...base, data: { ports } };
}

/** One network of a deep check: its host address, STUN egress (none: nothing got through), whether ICE chose it. */
export interface DeepNetwork {
  host: string;
  egress?: string;
  selected?: boolean;
  networkType?: string;
}

/** The interfaces probe of a deep check (media permission granted) with these networks (lib/probes/interfaces.ts). */
export function deepInterfaces(networks: DeepNetwork[]): ProbeOutcome {
  const chosen = networks.find((n) => n.selected);
  return pass({
    mediaAccess: { requested: true, state: 'granted' },
    enumeration: 'all',
    networks: networks.map((n, i) => ({
      networkId: i + 1,
      networkType: n.networkType ?? 'ethernet',
      kind: n.networkType === 'vpn' ? 'likely-vpn' : 'ethernet',
      hostAddresses: [n.host],
      families: ['ipv4'],
      stun: n.egress ? { srflx: { address: n.egress, port: 42000 + i }, atMs: 10 } : {},
      turn: n.egress ? { udp: { relay: { address: SERVER, port: 50000 + i }, atMs: 20 } } : {},
      selected: n.selected === true,
    })),
    selected: { local: { candidateType: 'srflx', protocol: 'udp', address: chosen?.egress, networkType: chosen?.networkType ?? 'ethernet', networkId: networks.indexOf(chosen!) + 1 }, remote: { candidateType: 'host', protocol: 'udp' } },
    dataFlows: true,
  });
}
