/**
 * What the authoritative server saw for each unique probe label: which resolver asked (source address and
 * transport), the EDNS Client Subnet it forwarded, the query type, and when. The page reads this back by
 * label to learn which resolver its own lookups went through. Bounded in labels, in queries per label and in
 * time; the clock is passed in (no timers), so the table is a plain object a server owns.
 */

/** One query for a label, as the server saw it. */
export interface LabelQuery {
  /** Wall-clock arrival time, ms since the epoch. */
  atMs: number;
  /** Source address of the query: the resolver that asked (canonical IP text). */
  resolverIp: string;
  resolverPort: number;
  transport: 'udp' | 'tcp';
  /** Query type, e.g. `A`, `AAAA`, `HTTPS`. */
  qtype: string;
  /** EDNS Client Subnet the resolver forwarded (CIDR), when it sent one. */
  clientSubnet?: string;
  /** Whether the query carried an EDNS OPT record at all. */
  edns: boolean;
  /** For a label under the GeoDNS name (`<label>.media.<zone>`): the region answered and the rule that chose it. */
  geo?: GeoChoice;
}

/** How netready's GeoDNS chose a region (issue 15): by the EDNS Client Subnet, by the resolver's address, or by default. */
export type GeoRule = 'client-subnet' | 'resolver' | 'default';

/** The region a GeoDNS answer named, and why. */
export interface GeoChoice {
  region: string;
  rule: GeoRule;
}

/** Everything seen for one label. */
export interface LabelRecord {
  /** The label, lower-case. */
  label: string;
  firstSeenMs: number;
  /** Queries in arrival order (the first `maxQueriesPerLabel`). */
  queries: LabelQuery[];
  /** Queries seen beyond the stored ones. */
  droppedQueries: number;
}

/** Limits of a LabelTable. */
export interface LabelTableOptions {
  /** Labels kept at once; the oldest is forgotten past it. Default 10000. */
  maxLabels?: number;
  /** Queries stored per label. Default 16. */
  maxQueriesPerLabel?: number;
  /** How long a label is kept after its first query, ms. Default 600000 (10 minutes). */
  ttlMs?: number;
}

/** Probe labels: `nr-` followed by 6–56 lower-case letters/digits (e.g. `nr-3f9c…`). */
export const PROBE_LABEL_PATTERN = /^nr-[a-z0-9]{6,56}$/;

/** Whether a (case-folded) label is one the table records. */
export function isProbeLabel(label: string): boolean {
  return PROBE_LABEL_PATTERN.test(label);
}

/** Bounded table of label observations. */
export class LabelTable {
  private readonly labels = new Map<string, LabelRecord>();
  private readonly maxLabels: number;
  private readonly maxQueries: number;
  private readonly ttlMs: number;

  constructor(options: LabelTableOptions = {}) {
    this.maxLabels = options.maxLabels ?? 10000;
    this.maxQueries = options.maxQueriesPerLabel ?? 16;
    this.ttlMs = options.ttlMs ?? 600_000;
  }

  /** Records a query for `label` (case-folded, must match PROBE_LABEL_PATTERN; others are ignored). */
  record(label: string, query: LabelQuery): void {
    if (!isProbeLabel(label)) return;
    this.sweep(query.atMs);
    let entry = this.labels.get(label);
    if (!entry) {
      while (this.labels.size >= this.maxLabels) {
        const oldest = this.labels.keys().next().value;
        if (oldest === undefined) break;
        this.labels.delete(oldest);
      }
      entry = { label, firstSeenMs: query.atMs, queries: [], droppedQueries: 0 };
      this.labels.set(label, entry);
    }
    if (entry.queries.length < this.maxQueries) entry.queries.push(query);
    else entry.droppedQueries++;
  }

  /** What was seen for `label` (case-insensitive), or null when nothing (or it expired). */
  get(label: string, nowMs: number): LabelRecord | null {
    this.sweep(nowMs);
    const entry = this.labels.get(label.toLowerCase());
    return entry ? { ...entry, queries: entry.queries.map((q) => ({ ...q })) } : null;
  }

  /** Number of labels held. */
  get size(): number {
    return this.labels.size;
  }

  /** Forgets expired labels (insertion order = first-seen order, so stop at the first live one). */
  sweep(nowMs: number): void {
    for (const [label, entry] of this.labels) {
      if (entry.firstSeenMs + this.ttlMs > nowMs) break;
      this.labels.delete(label);
    }
  }
}
