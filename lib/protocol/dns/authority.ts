/**
 * netready's authoritative DNS server for the probe zone, Sans-IO: `handle(bytes, source, nowMs)` turns one
 * query into one action (`send` these bytes, or `ignore` with a reason). Sockets live in server/dns/.
 *
 * The zone (e.g. `probe.example.org`):
 *   - the apex, the fixed names `turn`, `stun`, `probe`, `ns`, and every other single label under the apex
 *     (a wildcard, so every probe label resolves) answer A with the configured IPv4 addresses and AAAA with the
 *     IPv6 ones (NOERROR/NODATA when none is configured);
 *   - `big.<zone>` also has a TXT RRset of ~1.2 KB, larger than any UDP answer we send, so it is always
 *     truncated over UDP and served in full over TCP (how a resolver's TCP fallback is exercised);
 *   - while an ACME DNS-01 challenge is pending (`addAcmeChallenge`), `_acme-challenge.<name>` for a name in the
 *     zone answers TXT with the challenge's value (RFC 8555 §8.4), also two levels or more below the apex;
 *   - with GeoDNS configured (`geo`, issue 15), `media.<zone>` and every label under it answer A with the region a
 *     GeoDNS would choose for the asker — by its EDNS Client Subnet, else by the resolver's address, else the default
 *     region — with the ECS scope set to the prefix the choice used (RFC 7871 §7.2.1); probe labels there are recorded
 *     with the region and the rule;
 *   - the apex has SOA and NS; deeper names are NXDOMAIN; names outside the zone are REFUSED (RFC 8906 §3.1.5);
 *   - never recursion (RA=0), no zone transfers (REFUSED), RFC 8482 minimal answers to ANY.
 * Malformed queries get FORMERR when their header can be read; anything else is ignored, never thrown.
 * Queries for probe labels (`nr-…`) are recorded in a LabelTable: resolver address, ECS, type, time.
 */
import { parseIpv4, parseIpv6 } from '../stun/ip';
import {
  CLASS_ANY,
  CLASS_IN,
  CLASSIC_UDP_PAYLOAD,
  FLAG_AA,
  FLAG_CD,
  FLAG_QR,
  FLAG_RD,
  FLAG_TC,
  HEADER_LENGTH,
  MAX_TCP_MESSAGE,
  MAX_UDP_PAYLOAD,
  OPCODE_QUERY,
  OPTION_CLIENT_SUBNET,
  RCODE_BADVERS,
  RCODE_FORMERR,
  RCODE_NOERROR,
  RCODE_NOTIMP,
  RCODE_NXDOMAIN,
  RCODE_REFUSED,
  TYPE_A,
  TYPE_AAAA,
  TYPE_ANY,
  TYPE_AXFR,
  TYPE_IXFR,
  TYPE_NS,
  TYPE_OPT,
  TYPE_SOA,
  TYPE_TXT,
  typeName,
} from './constants';
import { readEdns, encodeClientSubnet, type Edns } from './edns';
import { DnsDecodeError } from './errors';
import { LabelTable, type GeoChoice, type LabelTableOptions } from './label-table';
import { decodeHeader, decodeMessage, encodeMessage, type DnsHeader, type DnsQuestion, type RecordSpec } from './message';
import { foldCase, isHostName, splitName } from './name';
import { SourceRateLimiter } from './rate-limit';

/** The label in front of a name that carries its DNS-01 challenge record (RFC 8555 §8.4). */
export const ACME_CHALLENGE_LABEL = '_acme-challenge';

/** Names under the apex with a fixed meaning (they answer like any other label; listed for documentation). */
export const FIXED_NAMES = ['turn', 'stun', 'probe', 'ns'] as const;
/** The name whose TXT answer is always too large for UDP. */
export const BIG_NAME = 'big';
/** Octets of the `big` TXT RRset's strings (5 × 240): larger than MAX_UDP_PAYLOAD with headers. */
const BIG_TXT_STRINGS = 5;
const BIG_TXT_LENGTH = 240;
/**
 * A UDP response is never larger than this multiple of the query that caused it (and never larger than the
 * client's payload size, capped at MAX_UDP_PAYLOAD); larger answers go out as TC=1 with no records, so a
 * spoofed query cannot make us send much more than it cost. 4× leaves room for an answer plus an SOA.
 */
export const MAX_UDP_AMPLIFICATION = 4;

/** Configuration of the authority. */
export interface DnsAuthorityOptions {
  /** The zone apex, e.g. `probe.example.org`. */
  zone: string;
  /** IPv4 addresses every name in the zone answers with (A). At least one. */
  ipv4: string[];
  /**
   * Per-label IPv4 answers that replace `ipv4` for those names, e.g. `{ turn: ['203.0.113.10'] }` when the TURN
   * server has its own address while the lookup names point at the HTTPS listener.
   */
  ipv4ByLabel?: Record<string, string[]>;
  /** IPv6 addresses (AAAA). Default none: AAAA queries get NOERROR/NODATA. */
  ipv6?: string[];
  /** TTL of answers and of negative answers (SOA minimum), seconds. Default 5. */
  ttlS?: number;
  /** Per-source limit: sustained queries/s (default 100) and burst (default 200). */
  rateLimit?: { queriesPerSecond: number; burst: number };
  /** Limits of the label table. */
  labels?: LabelTableOptions;
  /** GeoDNS for `<geo.label>.<zone>` and the names under it (issue 15). Default none: `media` is an ordinary label. */
  geo?: DnsGeoOptions;
}

/** The label the GeoDNS answers for, under the apex. */
export const GEO_LABEL = 'media';

/** What the GeoDNS answers: the region, why, and its IPv4 addresses. */
export interface GeoAnswer extends GeoChoice {
  ipv4: string[];
}

/** GeoDNS of the authority (issue 15). */
export interface DnsGeoOptions {
  /**
   * Chooses the region for a query from the resolver's address and the client subnet it forwarded (CIDR, absent when
   * none). Called per query; must not throw.
   */
  choose(resolverIp: string, clientSubnet: string | undefined): GeoAnswer;
}

/** Where a query came from. */
export interface DnsSource {
  ip: string;
  port: number;
  transport: 'udp' | 'tcp';
}

/** Why a query got no response at all. */
export type DnsIgnoreReason = 'too-short' | 'not-a-query' | 'rate-limited';

/** What to do with a query. */
export type DnsAction =
  | { type: 'send'; bytes: Uint8Array; rcode: number; truncated: boolean }
  | { type: 'ignore'; reason: DnsIgnoreReason };

/** Counters of the authority, for logs and tests. */
export interface DnsAuthorityStats {
  queries: number;
  responses: number;
  ignored: Record<DnsIgnoreReason, number>;
  byRcode: Record<number, number>;
  truncated: number;
}

/** A DnsAuthority configuration problem. */
export class DnsConfigError extends Error {
  /** Machine-readable reason. */
  readonly code: 'bad-zone' | 'bad-address';
  constructor(code: DnsConfigError['code'], message: string) {
    super(message);
    this.name = 'DnsConfigError';
    this.code = code;
  }
}

interface Answer {
  rcode: number;
  authoritative: boolean;
  answers: RecordSpec[];
  authorities: RecordSpec[];
}

/** The authoritative server's protocol logic for one zone. */
export class DnsAuthority {
  /** What was seen for probe labels. */
  readonly labels: LabelTable;
  /** Counters. */
  readonly stats: DnsAuthorityStats = { queries: 0, responses: 0, ignored: { 'too-short': 0, 'not-a-query': 0, 'rate-limited': 0 }, byRcode: {}, truncated: 0 };
  private readonly zone: string[];
  private readonly zoneFolded: string[];
  private readonly ipv4: Uint8Array[];
  private readonly ipv4ByLabel: Map<string, Uint8Array[]>;
  private readonly ipv6: Uint8Array[];
  private readonly ttlS: number;
  private readonly limiter: SourceRateLimiter;
  private readonly geo: DnsGeoOptions | undefined;
  /** Pending DNS-01 challenges: `_acme-challenge.<name>` (folded, dot-joined) → TXT values. */
  private readonly acmeChallenges = new Map<string, Set<string>>();

  constructor(options: DnsAuthorityOptions) {
    if (!isHostName(options.zone)) throw new DnsConfigError('bad-zone', `zone ${JSON.stringify(options.zone)} is not a valid host name`);
    this.zone = splitName(options.zone);
    this.zoneFolded = this.zone.map(foldCase);
    if (options.ipv4.length === 0 && (options.ipv6 ?? []).length === 0) throw new DnsConfigError('bad-address', 'at least one answer address is needed');
    try {
      this.ipv4 = options.ipv4.map((ip) => parseIpv4(ip));
      this.ipv4ByLabel = new Map(Object.entries(options.ipv4ByLabel ?? {}).map(([label, ips]) => [foldCase(label), ips.map((ip) => parseIpv4(ip))]));
      this.ipv6 = (options.ipv6 ?? []).map((ip) => parseIpv6(ip));
    } catch (error) {
      throw new DnsConfigError('bad-address', error instanceof Error ? error.message : String(error));
    }
    this.ttlS = options.ttlS ?? 5;
    this.limiter = new SourceRateLimiter(options.rateLimit ?? { queriesPerSecond: 100, burst: 200 });
    this.labels = new LabelTable(options.labels);
    this.geo = options.geo;
  }

  /**
   * Answers TXT `value` at `_acme-challenge.<name>` until removeAcmeChallenge (RFC 8555 §8.4: "the client … provisions
   * a TXT record"). `name` must be the zone or under it (a leading `*.` is dropped, as ACME does for wildcards);
   * otherwise DnsConfigError('bad-zone'): this server answers nothing outside its zone.
   */
  addAcmeChallenge(name: string, value: string): void {
    const owner = this.acmeOwner(name);
    const values = this.acmeChallenges.get(owner) ?? new Set<string>();
    values.add(value);
    this.acmeChallenges.set(owner, values);
  }

  /** Stops answering one challenge value; the name answers as before once its last value is gone. */
  removeAcmeChallenge(name: string, value: string): void {
    const owner = this.acmeOwner(name);
    const values = this.acmeChallenges.get(owner);
    values?.delete(value);
    if (values?.size === 0) this.acmeChallenges.delete(owner);
  }

  private acmeOwner(name: string): string {
    const bare = name.replace(/^\*\./, '').replace(/\.$/, '');
    if (!isHostName(bare) || !this.isInZone(splitName(bare).map(foldCase))) {
      throw new DnsConfigError('bad-zone', `${JSON.stringify(name)} is not in the zone ${this.zone.join('.')}`);
    }
    return [ACME_CHALLENGE_LABEL, ...splitName(bare).map(foldCase)].join('.');
  }

  /** Handles one query (a UDP datagram, or one TCP message without its length prefix). Never throws. */
  handle(bytes: Uint8Array, source: DnsSource, nowMs: number): DnsAction {
    this.stats.queries++;
    let header: DnsHeader;
    try {
      header = decodeHeader(bytes);
    } catch {
      return this.ignore('too-short');
    }
    // Never answer a response: two servers answering each other's answers would loop (RFC 1035 §7.3).
    if (header.qr) return this.ignore('not-a-query');
    if (!this.limiter.take(source.ip, nowMs)) {
      if (source.transport === 'udp') return this.ignore('rate-limited');
      return this.send(this.bare(header, RCODE_REFUSED), RCODE_REFUSED, false);
    }
    try {
      return this.answerQuery(bytes, header, source, nowMs);
    } catch (error) {
      if (error instanceof DnsDecodeError) return this.send(this.bare(header, RCODE_FORMERR), RCODE_FORMERR, false);
      // A bug must not take the server down; SERVFAIL tells the resolver to try elsewhere.
      return this.send(this.bare(header, 2), 2, false);
    }
  }

  private ignore(reason: DnsIgnoreReason): DnsAction {
    this.stats.ignored[reason]++;
    return { type: 'ignore', reason };
  }

  private send(bytes: Uint8Array, rcode: number, truncated: boolean): DnsAction {
    this.stats.responses++;
    this.stats.byRcode[rcode] = (this.stats.byRcode[rcode] ?? 0) + 1;
    if (truncated) this.stats.truncated++;
    return { type: 'send', bytes, rcode, truncated };
  }

  /** Header-only response (no question echoed) with the query's ID, opcode and RD/CD bits. */
  private bare(header: DnsHeader, rcode: number): Uint8Array {
    const flags = FLAG_QR | (header.opcode << 11) | (header.flags & (FLAG_RD | FLAG_CD)) | (rcode & 0x0f);
    return encodeMessage({ id: header.id, flags, questions: [], answers: [], authorities: [], additionals: [] });
  }

  private answerQuery(bytes: Uint8Array, header: DnsHeader, source: DnsSource, nowMs: number): DnsAction {
    // RFC 1035 §4.1.1: "4 = Not Implemented — the name server does not support the requested kind of query."
    if (header.opcode !== OPCODE_QUERY) return this.send(this.bare(header, RCODE_NOTIMP), RCODE_NOTIMP, false);
    const message = decodeMessage(bytes);
    // RFC 9619: a QUERY carries exactly one question; anything else is FORMERR.
    if (message.questions.length !== 1) return this.send(this.bare(header, RCODE_FORMERR), RCODE_FORMERR, false);
    const question = message.questions[0]!;
    const edns = readEdns(message.additionals);
    const ednsOpt = (extendedRcode: number, scope = 0): RecordSpec[] => (edns ? [this.optRecord(edns, extendedRcode, scope)] : []);
    // RFC 6891 §6.1.3: a version we do not implement gets BADVERS (extended RCODE 16 = upper bits 1, low bits 0).
    if (edns && edns.version > 0) {
      const response = this.encode(header, question, { rcode: RCODE_BADVERS & 0x0f, authoritative: false, answers: [], authorities: [] }, ednsOpt(RCODE_BADVERS));
      return this.send(response, RCODE_BADVERS, false);
    }
    const folded = question.labels.map(foldCase);
    const inZone = this.isInZone(folded);
    const depth = folded.length - this.zone.length;
    // GeoDNS: `media.<zone>` (depth 1) and `<label>.media.<zone>` (depth 2).
    const geoName = inZone && this.geo !== undefined && depth >= 1 && depth <= 2 && folded[depth - 1] === GEO_LABEL;
    const geo = geoName ? this.geo!.choose(source.ip, edns?.clientSubnet?.subnet) : undefined;
    if (inZone && (depth === 1 || (geo && depth === 2))) {
      this.labels.record(folded[0]!, {
        atMs: nowMs,
        resolverIp: source.ip,
        resolverPort: source.port,
        transport: source.transport,
        qtype: typeName(question.type),
        edns: edns !== null,
        ...(edns?.clientSubnet ? { clientSubnet: edns.clientSubnet.subnet } : {}),
        ...(geo && depth === 2 ? { geo: { region: geo.region, rule: geo.rule } } : {}),
      });
    }
    const answer = geo ? this.geoAnswer(question, geo) : this.lookup(question, folded, inZone);
    // RFC 7871 §7.2.1: the scope is the prefix length the answer depends on — the whole source prefix when the
    // client subnet chose the region, 0 (valid for everyone) otherwise.
    const scope = geo?.rule === 'client-subnet' ? (edns?.clientSubnet?.sourcePrefixLength ?? 0) : 0;
    const full = this.encode(header, question, answer, ednsOpt(0, scope));
    if (source.transport === 'tcp') {
      if (full.length <= MAX_TCP_MESSAGE) return this.send(full, answer.rcode, false);
      return this.send(this.bare(header, 2), 2, false);
    }
    const clientLimit = edns ? Math.min(edns.udpPayloadSize, MAX_UDP_PAYLOAD) : CLASSIC_UDP_PAYLOAD;
    const limit = Math.min(clientLimit, Math.max(HEADER_LENGTH, bytes.length * MAX_UDP_AMPLIFICATION));
    if (full.length <= limit) return this.send(full, answer.rcode, false);
    // RFC 2181 §9 / RFC 7766 §5: too large for UDP → TC=1, no records; the resolver retries over TCP.
    const truncated = this.encode(header, question, { ...answer, answers: [], authorities: [] }, ednsOpt(0, scope), FLAG_TC);
    if (truncated.length <= limit) return this.send(truncated, answer.rcode, true);
    return this.send(this.bare(header, answer.rcode), answer.rcode, true);
  }

  private isInZone(folded: string[]): boolean {
    if (folded.length < this.zoneFolded.length) return false;
    const offset = folded.length - this.zoneFolded.length;
    return this.zoneFolded.every((label, i) => folded[offset + i] === label);
  }

  private lookup(question: DnsQuestion, folded: string[], inZone: boolean): Answer {
    const refused: Answer = { rcode: RCODE_REFUSED, authoritative: false, answers: [], authorities: [] };
    if (!inZone) return refused;
    if (question.class !== CLASS_IN && question.class !== CLASS_ANY) return refused;
    if (question.type === TYPE_AXFR || question.type === TYPE_IXFR) return refused;
    const depth = folded.length - this.zone.length;
    const soa = [this.soaRecord()];
    const owner = question.labels;
    const type = question.type;
    const challenge = this.acmeChallenges.get(folded.join('.'));
    if (challenge && depth > 1) {
      // A pending challenge name deeper than the wildcard: TXT only, NODATA for other types.
      const answers = type === TYPE_TXT || type === TYPE_ANY ? this.challengeRecords(owner, challenge) : [];
      return { rcode: RCODE_NOERROR, authoritative: true, answers, authorities: answers.length === 0 ? soa : [] };
    }
    if (depth > 1) return { rcode: RCODE_NXDOMAIN, authoritative: true, answers: [], authorities: soa };
    const answers: RecordSpec[] = [];
    const ipv4 = (depth === 1 && this.ipv4ByLabel.get(folded[0]!)) || this.ipv4;
    if (type === TYPE_A || type === TYPE_ANY) answers.push(...ipv4.map((address) => this.record(owner, TYPE_A, { type: 'A', address })));
    if (type === TYPE_AAAA || type === TYPE_ANY) answers.push(...this.ipv6.map((address) => this.record(owner, TYPE_AAAA, { type: 'AAAA', address })));
    if (depth === 0 && type === TYPE_SOA) answers.push(this.soaRecord());
    if (depth === 0 && type === TYPE_NS) answers.push(this.record(this.zone, TYPE_NS, { type: 'NS', host: ['ns', ...this.zone] }));
    if (depth === 1 && folded[0] === BIG_NAME && (type === TYPE_TXT || type === TYPE_ANY)) {
      const strings = Array.from({ length: BIG_TXT_STRINGS }, (_, i) => new TextEncoder().encode(`${i}`.padEnd(BIG_TXT_LENGTH, '.')));
      answers.push(this.record(owner, TYPE_TXT, { type: 'TXT', strings }));
    }
    if (challenge && (type === TYPE_TXT || type === TYPE_ANY)) answers.push(...this.challengeRecords(owner, challenge));
    // No records of the asked type: NOERROR with the SOA in authority (NODATA, RFC 2308 §2.2).
    return { rcode: RCODE_NOERROR, authoritative: true, answers, authorities: answers.length === 0 ? soa : [] };
  }

  /** The GeoDNS answer: A with the chosen region's addresses; NODATA (with the SOA) for every other type. */
  private geoAnswer(question: DnsQuestion, geo: GeoAnswer): Answer {
    const answers: RecordSpec[] = [];
    if (question.type === TYPE_AXFR || question.type === TYPE_IXFR) return { rcode: RCODE_REFUSED, authoritative: false, answers: [], authorities: [] };
    if (question.class === CLASS_IN || question.class === CLASS_ANY) {
      if (question.type === TYPE_A || question.type === TYPE_ANY) {
        for (const ip of geo.ipv4) answers.push(this.record(question.labels, TYPE_A, { type: 'A', address: parseIpv4(ip) }));
      }
    } else {
      return { rcode: RCODE_REFUSED, authoritative: false, answers: [], authorities: [] };
    }
    return { rcode: RCODE_NOERROR, authoritative: true, answers, authorities: answers.length === 0 ? [this.soaRecord()] : [] };
  }

  private challengeRecords(owner: string[], values: Set<string>): RecordSpec[] {
    return [...values].map((value) => this.record(owner, TYPE_TXT, { type: 'TXT', strings: [new TextEncoder().encode(value)] }));
  }

  private record(labels: string[], type: number, data: RecordSpec['data']): RecordSpec {
    return { labels, type, class: CLASS_IN, ttl: this.ttlS, data };
  }

  private soaRecord(): RecordSpec {
    return this.record(this.zone, TYPE_SOA, {
      type: 'SOA',
      mname: ['ns', ...this.zone],
      rname: ['hostmaster', ...this.zone],
      serial: 1,
      refresh: 3600,
      retry: 600,
      expire: 86400,
      // RFC 2308 §4: the SOA minimum is the negative-caching TTL; keep it as short as positive answers.
      minimum: this.ttlS,
    });
  }

  /** Our OPT: payload size we accept, extended RCODE bits, and the query's ECS echoed with the given scope (RFC 7871 §7.2.1). */
  private optRecord(edns: Edns, extendedRcode: number, scopePrefixLength = 0): RecordSpec {
    const options = edns.clientSubnet ? [{ code: OPTION_CLIENT_SUBNET, data: encodeClientSubnet(edns.clientSubnet, scopePrefixLength) }] : [];
    return { labels: [], type: TYPE_OPT, class: MAX_UDP_PAYLOAD, ttl: ((extendedRcode >> 4) & 0xff) << 24, data: { type: 'OPT', options } };
  }

  private encode(header: DnsHeader, question: DnsQuestion, answer: Answer, additionals: RecordSpec[], extraFlags = 0): Uint8Array {
    const flags =
      FLAG_QR | (header.flags & (FLAG_RD | FLAG_CD)) | (answer.authoritative ? FLAG_AA : 0) | extraFlags | (answer.rcode & 0x0f);
    return encodeMessage({ id: header.id, flags, questions: [question], answers: answer.answers, authorities: answer.authorities, additionals });
  }
}

