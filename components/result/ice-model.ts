/**
 * ICE for the vendor's engineer (issue 13, the share page): the candidates each WebRTC check gathered, and the
 * candidate pair ICE selected with its round trip. Pure: read from the result JSON — the TURN checks' `candidates`
 * and `selectedPair`, the STUN port matrix's and the NAT check's server-reflexive candidates, ICE over TCP's pair,
 * the quality stream's `path` and the interface check's `selected` pair — showing only fields a check recorded.
 */
import type { ProbeOutcome } from '../../lib/schema/result';
import { count, dict, dicts, endpoint, ms, NOT_RECORDED, tableOrNull, text, type EngineerRowGroup, type EngineerTable } from './engineer-table';
import { probeTitle } from './probe-title';

/** The two ICE tables of a result. */
export interface IceModel {
  candidates: EngineerTable | null;
  pairs: EngineerTable | null;
}

/** Columns of the candidates table. */
export const CANDIDATE_COLUMNS = ['Type', 'Protocol', 'Address', 'Via (ICE server)', 'Relay over', 'Network', 'After'];
/** Columns of the selected-pair table. */
export const PAIR_COLUMNS = ['Check', 'Local candidate', 'Via (ICE server)', 'Network', 'Remote candidate', 'Round trip'];

/** "network 1, cost 10" / "ethernet, network 1": the interface facts a candidate or stats entry recorded. */
function networkOf(entry: Record<string, unknown>): string {
  const parts = [text(entry.networkType), count(entry.networkId) !== undefined ? `network ${count(entry.networkId)}` : undefined, count(entry.networkCost) !== undefined ? `cost ${count(entry.networkCost)}` : undefined];
  const present = parts.filter((part): part is string => part !== undefined);
  return present.length > 0 ? present.join(', ') : NOT_RECORDED;
}

/** "udp" / "tcp active": the transport, with the TCP candidate type when recorded. */
function protocolOf(entry: Record<string, unknown>): string {
  const protocol = text(entry.protocol) ?? NOT_RECORDED;
  const tcpType = text(entry.tcpType);
  return tcpType ? `${protocol} ${tcpType}` : protocol;
}

/** One gathered candidate (lib/probes/webrtc.ts CandidateInfo) as a row; `via` is the one ICE server it can have come from. */
function candidateRow(candidate: Record<string, unknown>, via: string | undefined): string[] {
  const at = count(candidate.atMs);
  return [
    text(candidate.type) ?? NOT_RECORDED,
    protocolOf(candidate),
    endpoint(candidate.address, candidate.port),
    via ?? text(candidate.url) ?? NOT_RECORDED,
    text(candidate.relayProtocol) ?? NOT_RECORDED,
    networkOf(candidate),
    at === undefined ? NOT_RECORDED : ms(at),
  ];
}

/** The ICE errors a check recorded, as notes. */
function errorNotes(data: Record<string, unknown>): string[] {
  return dicts(data.errors).map((error) => {
    const at = count(error.atMs);
    return `ICE error ${count(error.errorCode) ?? '?'} "${text(error.errorText) ?? ''}" from ${text(error.url) ?? 'an ICE server'}${at === undefined ? '' : ` after ${ms(at)}`}`;
  });
}

/** A TURN check's relay-only connection: its one TURN URL, candidates and errors (lib/probes/turn-relay.ts). */
function relayGroup(id: string, heading: string, data: Record<string, unknown>): EngineerRowGroup {
  const url = text(data.url);
  const candidates = dicts(data.candidates);
  const notes = [...(url ? [`Given one ICE server: ${url} (relay only).`] : []), ...errorNotes(data)];
  if (candidates.length === 0) notes.push('No candidate gathered.');
  const gathered = count(data.gatheringCompleteMs);
  if (gathered !== undefined) notes.push(`Gathering ended after ${ms(gathered)}.`);
  // A relay-only connection with one TURN URL: each relay candidate came from that URL.
  return { probeId: id, heading, notes, rows: candidates.map((c) => candidateRow(c, text(c.type) === 'relay' ? url : undefined)) };
}

/** The STUN port matrix (lib/probes/stun-udp.ts): a server-reflexive candidate per port that answered. */
function stunGroup(id: string, heading: string, data: Record<string, unknown>): EngineerRowGroup {
  const rows: string[][] = [];
  const notes: string[] = [];
  for (const port of dicts(data.ports)) {
    const url = text(port.url) ?? `port ${count(port.port) ?? '?'}`;
    const srflx = dict(port.srflx);
    const hosts = count(port.hostCandidates);
    const hostNote = hosts === undefined ? '' : ` (${hosts} host candidate${hosts === 1 ? '' : 's'} gathered)`;
    if (srflx && port.egressIsHost === true) {
      // Chromium drops a srflx equal to a host candidate: the address is the server's record, not a candidate.
      notes.push(`${url}: no server-reflexive candidate; the server answered this computer's own address (no NAT)${hostNote}.`);
    } else if (srflx) {
      rows.push(['srflx', 'udp', endpoint(srflx.address, srflx.port), url, NOT_RECORDED, NOT_RECORDED, count(port.srflxMs) === undefined ? NOT_RECORDED : ms(count(port.srflxMs))]);
    } else {
      notes.push(`${url}: no server-reflexive candidate${port.timedOut === true ? ' before the deadline' : ''}${hostNote}.`);
    }
    notes.push(...errorNotes(port));
  }
  return { probeId: id, heading, notes, rows };
}

/** The NAT check (lib/probes/nat.ts): the server-reflexive candidate each STUN endpoint gave. */
function natGroup(id: string, heading: string, data: Record<string, unknown>): EngineerRowGroup {
  const notes: string[] = [];
  const mapping = text(data.mapping);
  if (mapping) notes.push(`Recorded mapping: ${mapping}${text(data.mappingWhy) ? ` (${text(data.mappingWhy)})` : ''}; filtering: ${text(data.filtering) ?? NOT_RECORDED}${text(data.filteringWhy) ? ` (${text(data.filteringWhy)})` : ''}.`);
  if (data.mappedBy === 'server') notes.push("The browser named no ICE server per candidate; the servers' records matched them.");
  const rows = dicts(data.mapped).map((mapped) => ['srflx', 'udp', endpoint(mapped.address, mapped.port), text(mapped.url) ?? NOT_RECORDED, NOT_RECORDED, NOT_RECORDED, count(mapped.atMs) === undefined ? NOT_RECORDED : ms(count(mapped.atMs))]);
  if (rows.length === 0 && dicts(data.endpoints).length > 0) notes.push(`No server-reflexive candidate from ${dicts(data.endpoints).map((e) => text(e.url)).filter(Boolean).join(', ')}.`);
  return { probeId: id, heading, notes, rows };
}

/** `relay udp 127.0.0.1:3478` — type, protocol and address of a stats candidate. */
function statsCandidate(entry: Record<string, unknown> | undefined): string {
  if (!entry) return NOT_RECORDED;
  const relay = text(entry.relayProtocol);
  return `${text(entry.candidateType) ?? text(entry.type) ?? '?'} ${protocolOf(entry)} ${endpoint(entry.address, entry.port)}${relay ? ` (relay over ${relay})` : ''}`;
}

/** The round trip of a pair: the browser's current figure, and the average of its ICE checks. */
function roundTrip(pair: Record<string, unknown>, extra: Record<string, unknown> | undefined): string {
  const parts: string[] = [];
  const current = count(pair.currentRoundTripTimeMs) ?? count(pair.rttMs);
  if (current !== undefined) parts.push(ms(current));
  const checks = dict(pair.checks);
  const total = count(checks?.totalRoundTripMs);
  const responses = count(checks?.responses) ?? count(extra?.responses);
  if (total !== undefined && responses) parts.push(`(checks: ${ms(total / responses)} avg of ${responses})`);
  else if (extra && count(extra.ms) !== undefined) parts.push(`(checks: ${ms(count(extra.ms))}${responses ? ` avg of ${responses}` : ''})`);
  return parts.length > 0 ? parts.join(' ') : NOT_RECORDED;
}

/** The selected pair a check recorded, under whichever name it uses (`selectedPair`, `path`, `selected`). */
function pairOf(data: Record<string, unknown>): Record<string, unknown> | undefined {
  for (const key of ['selectedPair', 'path', 'selected']) {
    const pair = dict(data[key]);
    if (pair && (dict(pair.local) || dict(pair.remote))) return pair;
  }
  return undefined;
}

/** The ICE tables of a result's probes (each null when no check recorded any). */
export function buildIceModel(probes: Readonly<Record<string, ProbeOutcome>>, titles?: Readonly<Record<string, string>>): IceModel {
  const groups: EngineerRowGroup[] = [];
  const pairs: string[][] = [];
  const pairGroups: EngineerRowGroup[] = [];
  for (const [id, outcome] of Object.entries(probes)) {
    const data = dict(outcome.data);
    if (!data) continue;
    const heading = probeTitle(id, titles);
    if (Array.isArray(data.candidates) && text(data.url)) groups.push(relayGroup(id, heading, data));
    else if (id === 'stun-udp') groups.push(stunGroup(id, heading, data));
    else if (id === 'nat') groups.push(natGroup(id, heading, data));
    const pair = pairOf(data);
    if (pair) {
      const local = dict(pair.local);
      pairs.push([heading, statsCandidate(local), text(local?.url) ?? NOT_RECORDED, local ? networkOf(local) : NOT_RECORDED, statsCandidate(dict(pair.remote)), roundTrip(pair, dict(data.iceRtt))]);
    }
  }
  // One group without a heading: the first column names each check.
  if (pairs.length > 0) pairGroups.push({ probeId: 'selected', heading: '', notes: [], rows: pairs });
  return {
    candidates: tableOrNull({
      id: 'ice-candidates',
      title: 'ICE candidates gathered',
      caption: 'The ICE candidates each WebRTC check gathered: type, transport, address, the ICE server it came from, and when',
      columns: CANDIDATE_COLUMNS,
      kinds: ['short', 'short', 'code', 'url', 'short', 'text', 'short'],
      groups,
    }),
    pairs: tableOrNull({
      id: 'ice-selected-pairs',
      title: 'Candidate pairs ICE selected',
      caption: 'For each WebRTC check that connected, the local and remote candidate ICE selected, and the round trip',
      columns: PAIR_COLUMNS,
      kinds: ['text', 'code', 'url', 'text', 'code', 'text'],
      groups: pairGroups,
    }),
  };
}
