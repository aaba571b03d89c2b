/**
 * What netready's servers saw of this browser (issue 13, the share page's engineer view): the source address each
 * server recorded per check — the STUN ports, the NAT check's endpoints, the TURN listeners, the ICE-TCP port, the
 * HTTPS and plain-HTTP listeners, the DNS server's resolvers — so an engineer sees which egress address each path left
 * from (a proxy, a VPN, a second NAT show up as different sources). Pure: read from the result JSON only.
 */
import { describeHandshakes, readHandshakes } from '../../lib/probes/server-view';
import type { ProbeOutcome } from '../../lib/schema/result';
import { count, dict, dicts, endpoint, listOf, NOT_RECORDED, groupsByProbe, tableOrNull, text, texts, type EngineerTable } from './engineer-table';

/** Columns of the table. */
export const SERVER_SEEN_COLUMNS = ['Server', 'Source seen', 'Detail'];

const TRANSPORT_WORDS: Record<string, string> = { udp: 'TURN over UDP', tcp: 'TURN over TCP', tls: 'TURN over TLS' };

/** Rows of one address seen several times from different ports: "192.0.2.7" and "ports 40001, 40002 (2)". */
function bySource(entries: Array<Record<string, unknown>>, serverOf: (entry: Record<string, unknown>) => string): string[][] {
  const grouped = new Map<string, { server: string; address: string; ports: string[] }>();
  for (const entry of entries) {
    const server = serverOf(entry);
    const address = text(entry.address) ?? NOT_RECORDED;
    const key = `${server}\u0000${address}`;
    const group = grouped.get(key) ?? { server, address, ports: [] };
    const port = count(entry.port);
    if (port !== undefined) group.ports.push(String(port));
    grouped.set(key, group);
  }
  return [...grouped.values()].map((g) => [g.server, g.address, g.ports.length === 0 ? NOT_RECORDED : `${g.ports.length === 1 ? 'port' : 'ports'} ${listOf(g.ports)}${g.ports.length > 1 ? ` (${g.ports.length} mappings)` : ''}`]);
}

/** The rows a check contributes, by probe id; [] for checks without a server-side record. */
function rowsOf(id: string, data: Record<string, unknown>): string[][] {
  switch (id) {
    case 'session': {
      const ip = text(data.clientIp);
      return ip ? [['HTTP API (session)', ip, NOT_RECORDED]] : [];
    }
    case 'stun-udp':
      return dicts(data.ports)
        .filter((port) => dict(port.srflx))
        .map((port) => {
          const srflx = dict(port.srflx)!;
          return [text(port.url) ?? `STUN port ${count(port.port) ?? '?'}`, endpoint(srflx.address, srflx.port), port.egressIsHost === true ? "this computer's own address: no NAT on the path" : 'mapped address (server-reflexive)'];
        });
    case 'nat': {
      const urls = new Map(dicts(data.endpoints).map((e) => [text(e.role) ?? '', text(e.url) ?? '']));
      const rows = bySource(dicts(data.serverSaw), (seen) => `${urls.get(text(seen.role) ?? '') || text(seen.role) || 'STUN'} (${text(seen.role) ?? 'endpoint'})`);
      for (const check of dicts(data.filteringChecks)) {
        const rtt = count(check.rttMs);
        rows.push([`filtering check from the ${text(check.role) ?? '?'} endpoint (${text(check.from) ?? '?'})`, NOT_RECORDED, `${count(check.sent) ?? '?'} sent, ${check.answered === true ? `answered${rtt === undefined ? '' : ` in ${Math.round(rtt)} ms`}` : 'not answered'}`]);
      }
      return rows;
    }
    case 'proxy-paths': {
      const rows = bySource(dicts(data.turnClients), (client) => TRANSPORT_WORDS[text(client.transport) ?? ''] ?? `TURN (${text(client.transport) ?? '?'})`);
      const http = text(data.httpClientAddress);
      if (http) rows.push(['HTTP API', http, NOT_RECORDED]);
      return rows;
    }
    case 'ice-tcp': {
      const saw = dict(data.serverSaw);
      if (!saw) return [];
      const rows: string[][] = [];
      if (text(saw.tcpClientAddress)) rows.push([`media peer, ICE over TCP (port ${count(data.port) ?? '?'})`, endpoint(saw.tcpClientAddress, saw.tcpClientPort), NOT_RECORDED]);
      if (text(saw.httpClientAddress)) rows.push(['HTTP API (signalling)', text(saw.httpClientAddress)!, NOT_RECORDED]);
      return rows;
    }
    case 'tls-mirror':
    case 'proxy-echo': {
      const address = text(data.clientAddress);
      if (!address) return [];
      const version = text(data.httpVersion);
      return [[id === 'tls-mirror' ? 'HTTPS listener (TLS mirror)' : 'plain-HTTP listener (header echo)', address, version ? `HTTP/${version}` : NOT_RECORDED]];
    }
    case 'server-view': {
      const address = text(data.clientAddress);
      if (!address && data.reached !== true) return [];
      return [['HTTPS and TURN over TLS listeners', address ?? NOT_RECORDED, `TLS handshakes: ${describeHandshakes(readHandshakes(data.tlsHandshakes))}`]];
    }
    case 'dns-resolver': {
      const rows = dicts(data.resolvers).map((resolver) => [`DNS server (authoritative)`, text(resolver.ip) ?? NOT_RECORDED, `a resolver asking over ${listOf(texts(resolver.transports)) || '?'}`]);
      const subnets = texts(data.clientSubnets);
      if (subnets.length > 0) rows.push(['DNS server (authoritative)', listOf(subnets), 'client subnet the resolvers forwarded (EDNS Client Subnet)']);
      const http = text(dict(data.httpClient)?.ip);
      if (http) rows.push(['HTTP API', http, data.resolverIsHttpClient === true ? 'the same address as a resolver' : 'not a resolver address']);
      return rows;
    }
    default:
      return [];
  }
}

/** The "what the servers saw" table of a result, or null when no check recorded a server-side observation. */
export function buildServerSeenModel(probes: Readonly<Record<string, ProbeOutcome>>, titles?: Readonly<Record<string, string>>): EngineerTable | null {
  const groups = groupsByProbe(probes, titles, rowsOf);
  return tableOrNull({
    id: 'server-seen',
    title: 'What the test servers saw',
    caption: 'The source address each of netready\'s servers recorded for this browser, by check',
    columns: SERVER_SEEN_COLUMNS,
      kinds: ['text', 'code', 'text'],
    groups,
  });
}
