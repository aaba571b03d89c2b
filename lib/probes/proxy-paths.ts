/**
 * Probe "proxy-paths": after the TURN-over-TCP probe, reads what netready's servers saw for this session
 * (`GET /v1/sessions/:id/observations`) — the address that opened the session over HTTP and the client address
 * of every TURN allocation per transport — so the diagnosis can line them up with the STUN server-reflexive
 * address: behind an HTTP proxy, web requests and TURN over TCP arrive from the proxy, UDP from the NAT.
 */
import type { Evidence } from '../schema/result';
import { readSession, SESSION_PROBE_ID } from './session';
import type { Probe, ProbeReport } from './types';

/** Id of the server-observations probe. */
export const PROXY_PATHS_PROBE_ID = 'proxy-paths';

/** One TURN allocation as the server saw it. */
export interface TurnClientSeen {
  transport: string;
  address: string;
  port: number;
}

/** `data` of the proxy-paths probe. */
export interface ProxyPathsData {
  /** Address the session was opened from (HTTP API). */
  httpClientAddress?: string;
  /** Client addresses of the session's TURN allocations. */
  turnClients: TurnClientSeen[];
}

function readTurnClients(observations: unknown): TurnClientSeen[] {
  if (!Array.isArray(observations)) return [];
  const out: TurnClientSeen[] = [];
  for (const o of observations) {
    if (typeof o !== 'object' || o === null) continue;
    const { source, kind, data } = o as { source?: unknown; kind?: unknown; data?: Record<string, unknown> };
    if (source !== 'turn' || kind !== 'allocation-created' || !data) continue;
    // TURN events carry the 5-tuple's client endpoint as { ip, port } (lib/protocol/stun/ip.ts Endpoint).
    const client = data.client as { ip?: unknown; port?: unknown } | undefined;
    if (typeof data.transport === 'string' && typeof client?.ip === 'string') {
      out.push({ transport: data.transport, address: client.ip, port: typeof client.port === 'number' ? client.port : 0 });
    }
  }
  return out;
}

/** "198.51.100.7 (udp ×2, tcp)": each client address once, with its transports and how many allocations each. */
function describeTurnClients(clients: ReadonlyArray<{ address: string; transport: string }>): string {
  const byAddress = new Map<string, Map<string, number>>();
  for (const { address, transport } of clients) {
    const transports = byAddress.get(address) ?? new Map<string, number>();
    transports.set(transport, (transports.get(transport) ?? 0) + 1);
    byAddress.set(address, transports);
  }
  return [...byAddress]
    .map(([address, transports]) => `${address} (${[...transports].map(([t, n]) => (n > 1 ? `${t} ×${n}` : t)).join(', ')})`)
    .join(', ');
}

/** Creates the probe. */
export function createProxyPathsProbe(): Probe {
  return {
    id: PROXY_PATHS_PROBE_ID,
    title: 'Addresses the test servers saw',
    dependsOn: [SESSION_PROBE_ID, 'turn-tcp'],
    async run(ctx): Promise<ProbeReport> {
      const session = readSession(ctx);
      const url = `${ctx.probeUrl}/v1/sessions/${encodeURIComponent(session.sessionId)}/observations`;
      let body: unknown;
      try {
        const response = await ctx.env.fetch(url, { method: 'GET', signal: ctx.signal });
        body = await response.json().catch(() => null);
        if (response.status !== 200) {
          return { status: 'inconclusive', reason: `The test server answered HTTP ${response.status} for its observations.`, data: { turnClients: [] }, evidence: [] };
        }
      } catch (error) {
        return { status: 'inconclusive', reason: `Could not read the test server's observations: ${error instanceof Error ? error.message : String(error)}`, data: { turnClients: [] }, evidence: [] };
      }
      const parsed = (body ?? {}) as { clientAddress?: unknown; observations?: unknown };
      const data: ProxyPathsData = { turnClients: readTurnClients(parsed.observations) };
      if (typeof parsed.clientAddress === 'string') data.httpClientAddress = parsed.clientAddress;
      const evidence: Evidence[] = [
        {
          probe: PROXY_PATHS_PROBE_ID,
          kind: 'server-observation',
          summary:
            `session opened from ${data.httpClientAddress ?? 'unknown'}; TURN allocations from ` +
            (describeTurnClients(data.turnClients) || 'nowhere'),
          data: { ...data },
        },
      ];
      return { status: 'pass', data: data as unknown as Record<string, unknown>, evidence };
    },
  };
}
