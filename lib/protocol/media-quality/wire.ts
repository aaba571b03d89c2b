/**
 * The media-quality protocol between the page (lib/probes/media-quality.ts) and netready's server-side media peer
 * (server/peer/quality-peer.ts, with the Sans-IO core in ./responder.ts). Two DataChannels of one PeerConnection:
 *
 * - `netready-quality` — unordered, `maxRetransmits: 0` (RFC 8831 §6.1: a message is sent once and never
 *   retransmitted), so a lost packet stays lost as it would for media. Carries short text datagrams, one letter and
 *   space-separated decimal fields:
 *     `T <seq> <t>`          page → server, a round-trip ping (t: page clock, ms)
 *     `R <seq> <t>`          server → page, its reply (t copied, so the page measures the round trip)
 *     `P <seq> <t>`          page → server, the stream towards the server (t: page clock, ms)
 *     `S <seq> <t>`          server → page, the stream from the server (t: server clock, ms)
 *     `U <seq> <t> <pad>`    page → server, throughput towards the server (padding to the requested size)
 *     `D <seq> <t> <pad>`    server → page, throughput from the server
 *   The streams carry nothing else while they run: no echoes, so each direction's packets are (almost) only its
 *   stream, and a network that drops every n-th packet of a direction drops every n-th packet of that stream.
 *   Round trips are measured in a phase of their own (`T`/`R`).
 * - `netready-quality-control` — reliable and ordered: JSON requests from the page (`hello`, `stream`, `bulk`,
 *   `report`) and the server's answers. The server sends nothing on its own: every `S`/`D` packet was asked for by
 *   a `stream`/`bulk` request within the limits the server announced in its `hello` (no amplification). A burst
 *   ends without a message of its own: on a saturated path that message would be lost and its retransmission
 *   would hold up, on the ordered control channel, the report behind it; the report says what the burst sent.
 *   A `report` asked while a stream or burst of the session runs is answered when it has ended — after
 *   `stream-done`, or REPORT_AFTER_BURST_MS after a burst's last packet, once a bottleneck's queue has drained — so
 *   the page asks for it together with the stream or burst and learns, one answer later, that the last packet has
 *   left (no round trip and no guessed quiet gap after each phase).
 *
 * Sequence numbers let each side count what it received of the other's stream (loss per direction); the send
 * times give RFC 3550 interarrival jitter per direction and one-way delay changes during the throughput bursts.
 */

/** Version spoken by this code; the server's `hello` answer carries its own. */
export const QUALITY_PROTOCOL_VERSION = 1;
/** Label of the unreliable, unordered measurement channel. */
export const QUALITY_DATA_LABEL = 'netready-quality';
/** Label of the reliable, ordered control channel. */
export const QUALITY_CONTROL_LABEL = 'netready-quality-control';
/**
 * A `report` asked during a throughput burst is answered this long after the burst's last packet, ms: a bottleneck's
 * queue (tens of ms) has drained by then, so the report does not queue behind the burst and get dropped with it.
 */
export const REPORT_AFTER_BURST_MS = 100;
/** Largest control message either side accepts, in bytes of JSON text (a report with its lists fits easily). */
export const MAX_CONTROL_BYTES = 65_536;
/** Largest data message, in characters: one SCTP DATA chunk of werift's (1200 bytes) and no fragmentation. */
export const MAX_DATA_BYTES = 1200;
/** Smallest `U`/`D` packet the protocol allows (the header must fit). */
export const MIN_BULK_PACKET_BYTES = 64;
/** Most entries of a report's lists (missing sequence numbers): bounds a report's size. */
export const MAX_REPORT_LIST = 512;

/** Why a message could not be decoded. */
export type QualityWireErrorCode =
  /** Not a message of this protocol at all (unknown kind or type, not JSON). */
  | 'unknown-message'
  /** A known message with a missing, extra or malformed field. */
  | 'bad-field'
  /** Longer than the protocol allows. */
  | 'too-large';

/** A malformed media-quality message: says where (`data/P/seq`, `control/bulk/rateKbps`) and why. */
export class QualityWireError extends Error {
  /** Machine-readable reason. */
  readonly code: QualityWireErrorCode;
  /** Slash-separated location of the problem. */
  readonly where: string;

  /** Creates an error located at `where`; `message` says why in plain words. */
  constructor(code: QualityWireErrorCode, where: string, message: string) {
    super(`${where}: ${message}`);
    this.name = 'QualityWireError';
    this.code = code;
    this.where = where;
  }
}

/** A datagram on the measurement channel. `t` is the sender's clock in ms (or, in `R`, the ping's). */
export type DataMessage = { kind: 'T' | 'R' | 'P' | 'S' | 'U' | 'D'; seq: number; t: number };

/** What the server allows one session to ask for; sent in its `hello` answer. */
export interface QualityLimits {
  /** Most packets of one `stream` request (and most `P` packets counted). */
  streamPackets: number;
  /** Shortest interval between stream packets, ms. */
  minIntervalMs: number;
  /** Most round-trip replies (`R`) the server sends, in all. */
  replies: number;
  /** Highest throughput rate the server sends at or counts, kbit/s. */
  bulkRateKbps: number;
  /** Longest throughput window, ms. */
  bulkWindowMs: number;
  /** Largest `U`/`D` packet, bytes. */
  bulkPacketBytes: number;
  /** How many `stream` and `bulk` requests one session may make, each. */
  requestsPerKind: number;
}

/** A request on the control channel, from the page. */
export type PageControl =
  | { type: 'hello'; version: number }
  | { type: 'stream'; count: number; intervalMs: number }
  | { type: 'bulk'; rateKbps: number; windowMs: number; packetBytes: number }
  | { type: 'report' };

/** How busy the server process was while it sent or received a throughput burst (never blame the network for it). */
export interface ServerLoad {
  /** CPU time of the whole server process over wall time during the bursts (1 = one core fully busy). */
  cpuBusyRatio: number;
  /** Worst lateness of a 10 ms timer during the bursts, ms: how long the event loop was blocked. */
  loopLagMaxMs: number;
  /** UDP datagrams the host dropped for full receive buffers during the bursts (Linux), or null where unknown. */
  udpReceiveErrors: number | null;
  /** Throughput bursts of all sessions running at the same time as this one's, at most (this one included). */
  concurrentBursts: number;
}

/** One direction's queueing delay during a throughput burst, relative to the stream's quietest packet, ms. */
export interface QueueDelay {
  medianMs: number;
  p90Ms: number;
}

/** What the server measured, sent as the answer to `report`. Times are ms on the server's clock. */
export interface ServerReport {
  upStream: {
    /** Distinct `P` sequence numbers received. */
    received: number;
    duplicates: number;
    /** Highest `P` sequence number seen, -1 for none. */
    highestSeq: number;
    /** Sequence numbers below `highestSeq` never received (first MAX_REPORT_LIST). */
    missing: number[];
    /** RFC 3550 §6.4.1 interarrival jitter of the `P` packets, ms (null below two packets). */
    jitterMs: number | null;
  };
  /** `T` pings received and answered. */
  pings: { received: number; replied: number };
  downStream: { sent: number };
  upBulk: {
    packets: number;
    bytes: number;
    highestSeq: number;
    /** Server clock of the first and last `U` arrival (null for none). */
    firstAtMs: number | null;
    lastAtMs: number | null;
    /**
     * One-way delay growth against the stream towards the server. The page stamps a packet when it queues it, so
     * this includes time in the browser's own send queue: a hint, not a bottleneck signal (dispersionKbps is).
     */
    queueDelay: QueueDelay | null;
    /** Packet dispersion of the arrivals (stats.ts dispersionKbps), kbit/s. */
    dispersionKbps: number | null;
    /** Sequence numbers below the highest that never arrived (first 64). */
    missing?: number[];
  };
  downBulk: { sentPackets: number; sentBytes: number; durationMs: number; targetKbps: number } | null;
  /** Measured over the throughput bursts; null when there were none. */
  load: ServerLoad | null;
}

/** An answer on the control channel, from the server. */
export type ServerControl =
  | { type: 'hello'; version: number; limits: QualityLimits }
  | { type: 'stream-done'; sent: number; durationMs: number }
  | { type: 'report'; report: ServerReport }
  | { type: 'refused'; request: string; code: 'busy' | 'limit' | 'bad-request'; message: string };

const FIELDS: Record<DataMessage['kind'], number> = { T: 3, R: 3, P: 3, S: 3, U: 4, D: 4 };

function formatTime(t: number): string {
  return (Math.round(t * 1000) / 1000).toString();
}

/** Encodes a data message. `U`/`D` are padded with `x` to `packetBytes` characters (at least the header). */
export function encodeData(message: DataMessage, packetBytes = 0): string {
  const head = `${message.kind} ${message.seq} ${formatTime(message.t)}`;
  if (message.kind !== 'U' && message.kind !== 'D') return head;
  const pad = Math.max(1, packetBytes - head.length - 1);
  return `${head} ${'x'.repeat(pad)}`;
}

function parseUint(text: string | undefined, where: string): number {
  if (text === undefined || !/^\d{1,10}$/.test(text)) throw new QualityWireError('bad-field', where, `expected a non-negative integer, got ${JSON.stringify(text)}`);
  const value = Number(text);
  if (value > 0xffffffff) throw new QualityWireError('bad-field', where, 'larger than 2^32 - 1');
  return value;
}

function parseTime(text: string | undefined, where: string): number {
  if (text === undefined || !/^-?\d{1,15}(\.\d{1,6})?$/.test(text)) throw new QualityWireError('bad-field', where, `expected a time in ms, got ${JSON.stringify(text)}`);
  return Number(text);
}

/** Decodes a data message; throws QualityWireError for anything else. */
export function decodeData(text: string): DataMessage {
  if (text.length > MAX_DATA_BYTES) throw new QualityWireError('too-large', 'data', `${text.length} characters, at most ${MAX_DATA_BYTES}`);
  const parts = text.split(' ');
  const kind = parts[0] as DataMessage['kind'];
  const expected = FIELDS[kind];
  if (expected === undefined) throw new QualityWireError('unknown-message', 'data/kind', `unknown message kind ${JSON.stringify(parts[0]?.slice(0, 8))}`);
  if (parts.length !== expected) throw new QualityWireError('bad-field', `data/${kind}`, `expected ${expected} fields, got ${parts.length}`);
  const seq = parseUint(parts[1], `data/${kind}/seq`);
  const t = parseTime(parts[2], `data/${kind}/t`);
  if ((kind === 'U' || kind === 'D') && !/^x+$/.test(parts[3]!)) throw new QualityWireError('bad-field', `data/${kind}/pad`, 'padding must be x characters');
  return { kind, seq, t };
}

function field(record: Record<string, unknown>, name: string, where: string, min: number, max: number, integer = true): number {
  const value = record[name];
  if (typeof value !== 'number' || !Number.isFinite(value) || (integer && !Number.isInteger(value))) {
    throw new QualityWireError('bad-field', `${where}/${name}`, `expected ${integer ? 'an integer' : 'a number'}, got ${JSON.stringify(value)}`);
  }
  if (value < min || value > max) throw new QualityWireError('bad-field', `${where}/${name}`, `${value} is outside ${min}–${max}`);
  return value;
}

function parseObject(text: string, where: string): Record<string, unknown> {
  if (text.length > MAX_CONTROL_BYTES) throw new QualityWireError('too-large', where, `${text.length} characters, at most ${MAX_CONTROL_BYTES}`);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new QualityWireError('unknown-message', where, 'not JSON');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new QualityWireError('unknown-message', where, 'not a JSON object');
  return value as Record<string, unknown>;
}

function onlyKeys(record: Record<string, unknown>, keys: string[], where: string): void {
  const extra = Object.keys(record).filter((k) => !keys.includes(k));
  if (extra.length > 0) throw new QualityWireError('bad-field', where, `unexpected field ${JSON.stringify(extra[0])}`);
}

/** Decodes a page request (the server's side); throws QualityWireError. Ranges are sanity bounds, not limits. */
export function decodePageControl(text: string): PageControl {
  const record = parseObject(text, 'control');
  const where = `control/${String(record.type)}`;
  switch (record.type) {
    case 'hello':
      onlyKeys(record, ['type', 'version'], where);
      return { type: 'hello', version: field(record, 'version', where, 0, 1000) };
    case 'stream':
      onlyKeys(record, ['type', 'count', 'intervalMs'], where);
      return {
        type: 'stream',
        count: field(record, 'count', where, 1, 100_000),
        intervalMs: field(record, 'intervalMs', where, 0, 10_000, false),
      };
    case 'bulk':
      onlyKeys(record, ['type', 'rateKbps', 'windowMs', 'packetBytes'], where);
      return {
        type: 'bulk',
        rateKbps: field(record, 'rateKbps', where, 1, 10_000_000),
        windowMs: field(record, 'windowMs', where, 1, 60_000),
        packetBytes: field(record, 'packetBytes', where, MIN_BULK_PACKET_BYTES, MAX_DATA_BYTES),
      };
    case 'report':
      onlyKeys(record, ['type'], where);
      return { type: 'report' };
    default:
      throw new QualityWireError('unknown-message', 'control/type', `unknown request ${JSON.stringify(record.type)}`);
  }
}

function isNumberOrNull(value: unknown): boolean {
  return value === null || (typeof value === 'number' && Number.isFinite(value));
}

function checkReport(value: unknown): ServerReport {
  const r = value as ServerReport;
  const ok =
    typeof r === 'object' && r !== null &&
    typeof r.upStream?.received === 'number' && typeof r.upStream.highestSeq === 'number' && Array.isArray(r.upStream.missing) &&
    r.upStream.missing.every((x) => typeof x === 'number') && isNumberOrNull(r.upStream.jitterMs) &&
    typeof r.pings?.received === 'number' && typeof r.downStream?.sent === 'number' &&
    typeof r.upBulk?.packets === 'number' && typeof r.upBulk.bytes === 'number' && isNumberOrNull(r.upBulk.firstAtMs) && isNumberOrNull(r.upBulk.lastAtMs) &&
    (r.downBulk === null || typeof r.downBulk?.sentBytes === 'number') &&
    (r.load === null || (typeof r.load?.cpuBusyRatio === 'number' && typeof r.load.loopLagMaxMs === 'number' && isNumberOrNull(r.load.udpReceiveErrors)));
  if (!ok) throw new QualityWireError('bad-field', 'control/report/report', 'the report does not have the expected shape');
  return r;
}

/** Decodes a server answer (the page's side); throws QualityWireError. */
export function decodeServerControl(text: string): ServerControl {
  const record = parseObject(text, 'control');
  const where = `control/${String(record.type)}`;
  switch (record.type) {
    case 'hello': {
      const limits = record.limits as Record<string, unknown> | undefined;
      if (typeof limits !== 'object' || limits === null) throw new QualityWireError('bad-field', `${where}/limits`, 'missing');
      const l = `${where}/limits`;
      return {
        type: 'hello',
        version: field(record, 'version', where, 0, 1000),
        limits: {
          streamPackets: field(limits, 'streamPackets', l, 0, 1_000_000),
          minIntervalMs: field(limits, 'minIntervalMs', l, 0, 10_000, false),
          replies: field(limits, 'replies', l, 0, 1_000_000),
          bulkRateKbps: field(limits, 'bulkRateKbps', l, 0, 10_000_000),
          bulkWindowMs: field(limits, 'bulkWindowMs', l, 0, 60_000),
          bulkPacketBytes: field(limits, 'bulkPacketBytes', l, 0, MAX_DATA_BYTES),
          requestsPerKind: field(limits, 'requestsPerKind', l, 0, 1000),
        },
      };
    }
    case 'stream-done':
      return { type: 'stream-done', sent: field(record, 'sent', where, 0, 1e9), durationMs: field(record, 'durationMs', where, 0, 1e9, false) };
    case 'report':
      return { type: 'report', report: checkReport(record.report) };
    case 'refused': {
      const code = record.code;
      if (code !== 'busy' && code !== 'limit' && code !== 'bad-request') throw new QualityWireError('bad-field', `${where}/code`, `unknown code ${JSON.stringify(code)}`);
      return { type: 'refused', request: String(record.request ?? ''), code, message: String(record.message ?? '') };
    }
    default:
      throw new QualityWireError('unknown-message', 'control/type', `unknown answer ${JSON.stringify(record.type)}`);
  }
}
