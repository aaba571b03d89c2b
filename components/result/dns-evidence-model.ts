/**
 * DNS evidence for the vendor's engineer (issue 13, the share page): the fresh names the browser looked up with their
 * lookup and connect times, the vendor host names, which resolvers asked netready's DNS server (and for what), and
 * the TURN server by name against the same server by IP address. Pure: read from the result JSON only. A browser
 * never sees the addresses a name resolved to, so there is no "answer" column: what the servers saw stands in for it.
 */
import type { ProbeOutcome } from '../../lib/schema/result';
import { count, dict, dicts, listOf, ms, NOT_RECORDED, tableOrNull, text, texts, type EngineerRowGroup, type EngineerTable } from './engineer-table';
import { probeTitle } from './probe-title';

/** The DNS tables of a result (each null when its checks did not run). */
export interface DnsEvidenceModel {
  lookups: EngineerTable | null;
  resolvers: EngineerTable | null;
  turnByName: EngineerTable | null;
}

/** Columns of the lookups table. */
export const LOOKUP_COLUMNS = ['Name', 'Lookup', 'Connect', 'TLS', 'Protocol', 'Outcome'];
/** Columns of the resolvers table. */
export const RESOLVER_COLUMNS = ['Resolver', 'Asked over', 'Where', 'Detail'];
/** Columns of the TURN-by-name table. */
export const TURN_NAME_COLUMNS = ['Transport', 'By name', 'By IP address'];

/** How a request ended: "HTTP 200 after 304 ms", "timed out after 2000 ms", the browser's error. */
function outcomeOf(attempt: Record<string, unknown>): string {
  const elapsed = count(attempt.elapsedMs);
  const after = elapsed === undefined ? '' : ` after ${ms(elapsed)}`;
  if (attempt.timedOut === true) return `no answer${after}`;
  const status = count(attempt.httpStatus);
  if (attempt.answered === true) return status === undefined || status === 0 ? `answered${after}` : `HTTP ${status}${after}`;
  return `${text(attempt.error) ?? 'failed'}${after}`;
}

/** A lookup row: name, the phases the browser reported (Resource Timing), how it ended. */
function lookupRow(name: string, attempt: Record<string, unknown>): string[] {
  const timing = dict(attempt.timing);
  return [
    name,
    timing ? ms(count(timing.lookupMs)) : NOT_RECORDED,
    timing ? ms(count(timing.connectMs)) : NOT_RECORDED,
    timing && count(timing.tlsMs) !== undefined ? ms(count(timing.tlsMs)) : NOT_RECORDED,
    text(timing?.nextHopProtocol) || NOT_RECORDED,
    `${outcomeOf(attempt)}${attempt.sharedConnection === true ? ' (reused a connection)' : ''}`,
  ];
}

/** A geo record (lib/probes/dns-resolver.ts GeoInfo) in words. */
function placeOf(geo: Record<string, unknown> | undefined): string {
  if (!geo) return NOT_RECORDED;
  if (geo.status !== 'known') return text(geo.reason) ? `unknown: ${text(geo.reason)}` : 'unknown';
  const asn = count(geo.asn);
  const parts = [text(geo.country), text(geo.continent), asn !== undefined ? `AS${asn}${text(geo.asOrganization) ? ` ${text(geo.asOrganization)}` : ''}` : undefined];
  const present = parts.filter((part): part is string => part !== undefined);
  return present.length > 0 ? present.join(', ') : 'known, no details';
}

/** One side of a TURN-by-name pair: "relay after 500 ms", with its ICE errors. */
function relayAttempt(attempt: Record<string, unknown> | undefined): string {
  if (!attempt) return NOT_RECORDED;
  const relayMs = count(attempt.relayMs);
  const outcome = text(attempt.outcome) ?? (attempt.timedOut === true ? 'timed out' : '?');
  const errors = dicts(attempt.errors).map((error) => `${count(error.errorCode) ?? '?'} "${text(error.errorText) ?? ''}"`);
  return `${outcome}${relayMs === undefined ? '' : ` after ${ms(relayMs)}`}${errors.length > 0 ? `; ICE errors ${listOf(errors, 3)}` : ''} — ${text(attempt.url) ?? NOT_RECORDED}`;
}

/** The DNS tables of a result's probes. */
export function buildDnsEvidenceModel(probes: Readonly<Record<string, ProbeOutcome>>, titles?: Readonly<Record<string, string>>): DnsEvidenceModel {
  const data = (id: string): Record<string, unknown> | undefined => {
    const outcome = probes[id];
    return outcome && outcome.status !== 'skipped' ? dict(outcome.data) : undefined;
  };
  const group = (id: string, notes: string[], rows: string[][]): EngineerRowGroup => ({ probeId: id, heading: probeTitle(id, titles), notes, rows });

  const lookupGroups: EngineerRowGroup[] = [];
  const lookup = data('dns-lookup');
  if (lookup) {
    const zone = text(lookup.zone);
    const notes: string[] = [];
    if (zone) notes.push(`Fresh names in netready's zone ${zone}, each asked for once.`);
    if (lookup.timingAvailable === false) notes.push('The browser reported no timing for these requests.');
    if (lookup.resolvedByProxy === true) notes.push('Recorded as resolved by a proxy: the browser itself looked nothing up.');
    const rows = dicts(lookup.attempts).map((attempt) => lookupRow(zone && text(attempt.label) ? `${text(attempt.label)}.${zone}` : (text(attempt.label) ?? NOT_RECORDED), attempt));
    lookupGroups.push(group('dns-lookup', notes, rows));
  }
  const vendor = data('dns-vendor-hosts');
  if (vendor) {
    const attempts = dicts(vendor.hosts);
    lookupGroups.push(group('dns-vendor-hosts', [], attempts.map((attempt) => lookupRow(`${text(attempt.host) ?? NOT_RECORDED}${text(attempt.target) ? ` (${text(attempt.target)})` : ''}`, attempt))));
  }

  const resolverGroups: EngineerRowGroup[] = [];
  const resolver = data('dns-resolver');
  if (resolver) {
    const rows = dicts(resolver.resolvers).map((r) => [text(r.ip) ?? NOT_RECORDED, listOf(texts(r.transports)) || NOT_RECORDED, placeOf(dict(r.geo)), 'asked netready\'s DNS server for this browser\'s names']);
    const http = dict(resolver.httpClient);
    if (http) rows.push([text(http.ip) ?? NOT_RECORDED, 'HTTP', placeOf(dict(http.geo)), 'this browser, as netready\'s HTTP server saw it']);
    const notes: string[] = [];
    const subnets = texts(resolver.clientSubnets);
    notes.push(subnets.length > 0 ? `The resolvers forwarded the client subnet ${listOf(subnets)} (EDNS Client Subnet).` : 'The resolvers forwarded no client subnet (EDNS Client Subnet).');
    const labels = dicts(resolver.labels);
    if (labels.length > 0) {
      const types = [...new Set(labels.flatMap((l) => texts(l.qtypes)))];
      notes.push(`The DNS server saw ${labels.reduce((sum, l) => sum + (count(l.queries) ?? 0), 0)} queries for ${labels.length} names${types.length > 0 ? ` (${types.join(', ')})` : ''}.`);
    }
    const unseen = texts(resolver.unseenLabels);
    if (unseen.length > 0) notes.push(`No query reached it for ${unseen.length} name${unseen.length === 1 ? '' : 's'}: answered from a cache it cannot see, or not looked up.`);
    resolverGroups.push(group('dns-resolver', notes, rows));
  }

  const turnGroups: EngineerRowGroup[] = [];
  const turn = data('dns-turn-lookup');
  if (turn) {
    const host = text(turn.turnHost);
    const rows = dicts(turn.pairs).map((pair) => [text(pair.transport) ?? NOT_RECORDED, relayAttempt(dict(pair.byName)), relayAttempt(dict(pair.byIp))]);
    turnGroups.push(group('dns-turn-lookup', host ? [`The TURN server's name: ${host}. WebRTC looks it up itself, apart from the page.`] : [], rows));
  }

  return {
    lookups: tableOrNull({ id: 'dns-lookups', title: 'DNS lookups', caption: 'Names the browser looked up, with the lookup, connect and TLS times it reported', columns: LOOKUP_COLUMNS, kinds: ['url', 'short', 'short', 'short', 'short', 'text'], groups: lookupGroups }),
    resolvers: tableOrNull({ id: 'dns-resolvers', title: 'DNS resolvers', caption: 'Which resolvers asked netready\'s DNS server for this browser\'s names, and from where', columns: RESOLVER_COLUMNS, kinds: ['code', 'short', 'text', 'text'], groups: resolverGroups }),
    turnByName: tableOrNull({ id: 'dns-turn-by-name', title: 'TURN by name and by IP address', caption: 'The same TURN server reached by its host name and by its IP address, per transport', columns: TURN_NAME_COLUMNS, kinds: ['short', 'long', 'long'], groups: turnGroups }),
  };
}
